import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  valueFromASTUntyped,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import type { Catalog, ColumnInfo, RelationshipInfo, TableInfo } from './catalog.ts';
import { resolveByPk, resolveList, type EngineContext } from './compile.ts';

/** GraphQL scalar names as Hasura gives PostgreSQL types, so queries written for Hasura declare the same variables. */
const PG_SCALARS: Record<string, string> = {
  int4: 'Int',
  int2: 'smallint',
  int8: 'bigint',
  float4: 'Float',
  float8: 'float8',
  numeric: 'numeric',
  text: 'String',
  varchar: 'String',
  name: 'name',
  bool: 'Boolean',
};

export function scalarName(pgType: string): string {
  return PG_SCALARS[pgType] ?? pgType;
}

const TEXT_TYPES = new Set(['String', 'bpchar', 'citext', 'name']);

/** Per-table metadata the SQL compiler reads back from the schema. */
export interface TableTypeExtensions {
  table: TableInfo;
}
export interface FieldExtensions {
  column?: ColumnInfo;
  relationship?: RelationshipInfo;
}

export function buildSchema(catalog: Catalog): GraphQLSchema {
  const scalars = new Map<string, GraphQLScalarType>([
    ['Int', GraphQLInt],
    ['Float', GraphQLFloat],
    ['String', GraphQLString],
    ['Boolean', GraphQLBoolean],
  ]);
  const scalar = (pgType: string): GraphQLScalarType => {
    const name = scalarName(pgType);
    let s = scalars.get(name);
    if (!s) {
      // Values pass through as the database renders them in JSON; inputs are cast by PostgreSQL.
      s = new GraphQLScalarType({
        name,
        serialize: (v) => v,
        parseValue: (v) => v,
        parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
      });
      scalars.set(name, s);
    }
    return s;
  };

  const orderBy = new GraphQLEnumType({
    name: 'order_by',
    description: 'column ordering options',
    values: {
      asc: { value: 'ASC NULLS LAST', description: 'in ascending order, nulls last' },
      asc_nulls_first: { value: 'ASC NULLS FIRST' },
      asc_nulls_last: { value: 'ASC NULLS LAST' },
      desc: { value: 'DESC NULLS FIRST', description: 'in descending order, nulls first' },
      desc_nulls_first: { value: 'DESC NULLS FIRST' },
      desc_nulls_last: { value: 'DESC NULLS LAST' },
    },
  });

  const comparisons = new Map<string, GraphQLInputObjectType>();
  const comparisonExp = (pgType: string): GraphQLInputObjectType => {
    const s = scalar(pgType);
    let exp = comparisons.get(s.name);
    if (!exp) {
      const nn = new GraphQLNonNull(s);
      const fields: GraphQLInputFieldConfigMap = {
        _eq: { type: s },
        _neq: { type: s },
        _gt: { type: s },
        _gte: { type: s },
        _lt: { type: s },
        _lte: { type: s },
        _in: { type: new GraphQLList(nn) },
        _nin: { type: new GraphQLList(nn) },
        _is_null: { type: GraphQLBoolean },
      };
      if (TEXT_TYPES.has(s.name)) {
        for (const op of ['_like', '_nlike', '_ilike', '_nilike', '_similar', '_nsimilar', '_regex', '_iregex', '_nregex', '_niregex']) {
          fields[op] = { type: GraphQLString };
        }
      }
      if (s.name === 'jsonb') {
        fields._contains = { type: s };
        fields._contained_in = { type: s };
        fields._has_key = { type: GraphQLString };
        fields._has_keys_any = { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) };
        fields._has_keys_all = { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) };
      }
      exp = new GraphQLInputObjectType({
        name: `${s.name}_comparison_exp`,
        description: `Boolean expression to compare columns of type "${s.name}". All fields are combined with logical 'AND'.`,
        fields,
      });
      comparisons.set(s.name, exp);
    }
    return exp;
  };

  const byName = new Map(catalog.tables.map((t) => [t.name, t]));
  const objectTypes = new Map<string, GraphQLObjectType>();
  const boolExps = new Map<string, GraphQLInputObjectType>();
  const orderBys = new Map<string, GraphQLInputObjectType>();
  const selectColumns = new Map<string, GraphQLEnumType>();

  for (const table of catalog.tables) {
    selectColumns.set(
      table.name,
      new GraphQLEnumType({
        name: `${table.name}_select_column`,
        description: `select columns of table "${table.name}"`,
        values: Object.fromEntries(table.columns.map((c) => [c.name, { value: c.name, description: 'column name' }])),
      }),
    );
    boolExps.set(
      table.name,
      new GraphQLInputObjectType({
        name: `${table.name}_bool_exp`,
        description: `Boolean expression to filter rows from the table "${table.name}". All fields are combined with a logical 'AND'.`,
        fields: () => {
          const self = boolExps.get(table.name)!;
          const fields: GraphQLInputFieldConfigMap = {
            _and: { type: new GraphQLList(new GraphQLNonNull(self)) },
            _not: { type: self },
            _or: { type: new GraphQLList(new GraphQLNonNull(self)) },
          };
          for (const c of table.columns) fields[c.name] = { type: comparisonExp(c.pgType) };
          for (const r of table.relationships) if (boolExps.has(r.target)) fields[r.name] = { type: boolExps.get(r.target)! };
          return fields;
        },
      }),
    );
    orderBys.set(
      table.name,
      new GraphQLInputObjectType({
        name: `${table.name}_order_by`,
        description: `Ordering options when selecting data from "${table.name}".`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {};
          for (const c of table.columns) fields[c.name] = { type: orderBy };
          for (const r of table.relationships) if (r.kind === 'object' && orderBys.has(r.target)) fields[r.name] = { type: orderBys.get(r.target)! };
          return fields;
        },
      }),
    );
  }

  const listArgs = (target: string) => ({
    distinct_on: { type: new GraphQLList(new GraphQLNonNull(selectColumns.get(target)!)), description: 'distinct select on columns' },
    limit: { type: GraphQLInt, description: 'limit the number of rows returned' },
    offset: { type: GraphQLInt, description: 'skip the first n rows. Use only with order_by' },
    order_by: { type: new GraphQLList(new GraphQLNonNull(orderBys.get(target)!)), description: 'sort the rows by one or more columns' },
    where: { type: boolExps.get(target)!, description: 'filter the rows returned' },
  });
  // Fields read their value by response key: the SQL builds each object with the query's aliases.
  const byResponseKey = (source: Record<string, unknown>, _args: unknown, _ctx: unknown, info: { path: { key: string | number } }) =>
    source[info.path.key as string];

  for (const table of catalog.tables) {
    objectTypes.set(
      table.name,
      new GraphQLObjectType({
        name: table.name,
        description: `columns and relationships of "${table.name}"`,
        extensions: { table } satisfies TableTypeExtensions,
        fields: () => {
          const fields: GraphQLFieldConfigMap<Record<string, unknown>, EngineContext> = {};
          for (const c of table.columns) {
            const t: GraphQLOutputType = c.notNull ? new GraphQLNonNull(scalar(c.pgType)) : scalar(c.pgType);
            fields[c.name] = { type: t, resolve: byResponseKey, extensions: { column: c } satisfies FieldExtensions };
          }
          for (const r of table.relationships) {
            const target = objectTypes.get(r.target);
            if (!target || !byName.has(r.target)) continue;
            if (r.kind === 'object') {
              fields[r.name] = { type: target, description: 'An object relationship', resolve: byResponseKey, extensions: { relationship: r } satisfies FieldExtensions };
            } else {
              fields[r.name] = {
                type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(target))),
                description: 'An array relationship',
                args: listArgs(r.target),
                resolve: byResponseKey,
                extensions: { relationship: r } satisfies FieldExtensions,
              };
            }
          }
          return fields;
        },
      }),
    );
  }

  const queryFields: GraphQLFieldConfigMap<unknown, EngineContext> = {};
  for (const table of catalog.tables) {
    const type = objectTypes.get(table.name)!;
    queryFields[table.name] = {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type))),
      description: `fetch data from the table: "${table.name}"`,
      args: listArgs(table.name),
      resolve: (_src, args, ctx, info) => resolveList(ctx, table, args, info),
    };
    if (table.primaryKey.length > 0) {
      const args: Record<string, { type: GraphQLInputType }> = {};
      for (const k of table.primaryKey) {
        const col = table.columns.find((c) => c.name === k)!;
        args[k] = { type: new GraphQLNonNull(scalar(col.pgType)) };
      }
      queryFields[`${table.name}_by_pk`] = {
        type,
        description: `fetch data from the table: "${table.name}" using primary key columns`,
        args,
        resolve: (_src, a, ctx, info) => resolveByPk(ctx, table, a, info),
      };
    }
  }
  if (Object.keys(queryFields).length === 0) {
    queryFields._no_tables = { type: GraphQLBoolean, description: 'the database has no tables yet', resolve: () => null };
  }
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'query_root', fields: queryFields }) });
}

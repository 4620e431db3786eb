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
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { Catalog, ColumnInfo, RelationshipInfo, TableInfo } from './catalog.ts';
import { resolveRoot, type EngineContext, type RootKind } from './compile.ts';
import type { RolePermissions, TablePermissions } from './permissions.ts';

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

const TEXT_SCALARS = new Set(['String', 'bpchar', 'citext', 'name']);
export const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'money']);
/** Types max/min apply to besides the numeric ones (as Hasura offers them). */
const ORDERED_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext', 'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval']);

/** What the SQL compiler reads back from a field of the schema. */
export interface FieldExtensions {
  column?: ColumnInfo;
  relationship?: RelationshipInfo;
  /** An array relationship's `_aggregate` field. */
  aggregateOf?: RelationshipInfo;
  /** A root field: what it does and on which table. */
  root?: { kind: RootKind; table: TableInfo };
}

/** The permissions of a table for the role a schema is built for (everything for admin). */
function tablePermissions(perms: RolePermissions, table: TableInfo): TablePermissions {
  if (perms.admin) {
    const all = new Set(table.columns.map((c) => c.name));
    const writable = table.kind === 'table';
    return {
      select: { columns: all, filter: {}, allowAggregations: true },
      ...(writable
        ? {
            insert: { columns: all, check: {}, set: {} },
            update: { columns: all, filter: {}, set: {} },
            delete: { filter: {} },
          }
        : {}),
    };
  }
  const p = perms.tables?.get(table.name) ?? {};
  if (table.kind !== 'table') return { select: p.select };
  return p;
}

/**
 * Builds the GraphQL schema one role sees, from the catalog and that role's permissions, with Hasura's names:
 * a table the role may not select does not exist for it, nor does a column it may not see.
 */
export function buildSchema(catalog: Catalog, perms: RolePermissions): GraphQLSchema {
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
      asc_nulls_first: { value: 'ASC NULLS FIRST', description: 'in ascending order, nulls first' },
      asc_nulls_last: { value: 'ASC NULLS LAST', description: 'in ascending order, nulls last' },
      desc: { value: 'DESC NULLS FIRST', description: 'in descending order, nulls first' },
      desc_nulls_first: { value: 'DESC NULLS FIRST', description: 'in descending order, nulls first' },
      desc_nulls_last: { value: 'DESC NULLS LAST', description: 'in descending order, nulls last' },
    },
  });
  const cursorOrdering = new GraphQLEnumType({
    name: 'cursor_ordering',
    description: 'ordering argument of a cursor',
    values: { ASC: { value: 'ASC', description: 'ascending ordering of the cursor' }, DESC: { value: 'DESC', description: 'descending ordering of the cursor' } },
  });

  const comparisons = new Map<string, GraphQLInputObjectType>();
  const comparisonExp = (pgType: string): GraphQLInputObjectType => {
    const s = scalar(pgType);
    let exp = comparisons.get(s.name);
    if (!exp) {
      const nn = new GraphQLNonNull(s);
      const fields: GraphQLInputFieldConfigMap = {
        _eq: { type: s },
        _gt: { type: s },
        _gte: { type: s },
        _in: { type: new GraphQLList(nn) },
        _is_null: { type: GraphQLBoolean },
        _lt: { type: s },
        _lte: { type: s },
        _neq: { type: s },
        _nin: { type: new GraphQLList(nn) },
      };
      if (TEXT_SCALARS.has(s.name)) {
        for (const op of ['_ilike', '_iregex', '_like', '_nilike', '_niregex', '_nlike', '_nregex', '_nsimilar', '_regex', '_similar']) {
          fields[op] = { type: GraphQLString };
        }
      }
      if (s.name === 'jsonb') {
        fields._contained_in = { type: s, description: 'is the column contained in the given json value' };
        fields._contains = { type: s, description: 'does the column contain the given json value at the top level' };
        fields._has_key = { type: GraphQLString, description: 'does the string exist as a top-level key in the column' };
        fields._has_keys_all = { type: new GraphQLList(new GraphQLNonNull(GraphQLString)), description: 'do all of these strings exist as top-level keys in the column' };
        fields._has_keys_any = { type: new GraphQLList(new GraphQLNonNull(GraphQLString)), description: 'do any of these strings exist as top-level keys in the column' };
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

  const permsOf = new Map<string, TablePermissions>();
  for (const t of catalog.tables) permsOf.set(t.name, tablePermissions(perms, t));
  const tables = catalog.tables.filter((t) => permsOf.get(t.name)!.select);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const visibleColumns = (t: TableInfo) => t.columns.filter((c) => permsOf.get(t.name)!.select!.columns.has(c.name));
  const relationshipsOf = (t: TableInfo) => t.relationships.filter((r) => byName.has(r.target));
  const aggregatable = (t: TableInfo) => permsOf.get(t.name)!.select!.allowAggregations;

  const objectTypes = new Map<string, GraphQLObjectType>();
  const boolExps = new Map<string, GraphQLInputObjectType>();
  const orderBys = new Map<string, GraphQLInputObjectType>();
  const aggregateOrderBys = new Map<string, GraphQLInputObjectType>();
  const selectColumns = new Map<string, GraphQLEnumType>();
  const aggregateTypes = new Map<string, GraphQLObjectType>();

  const enumValues = (names: string[], description: string) =>
    Object.fromEntries(names.map((n) => [n, { value: n, description }]));

  for (const table of tables) {
    const cols = visibleColumns(table);
    if (cols.length) {
      selectColumns.set(
        table.name,
        new GraphQLEnumType({ name: `${table.name}_select_column`, description: `select columns of table "${table.name}"`, values: enumValues(cols.map((c) => c.name), 'column name') }),
      );
    }
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
          for (const c of cols) fields[c.name] = { type: comparisonExp(c.pgType) };
          for (const r of relationshipsOf(table)) fields[r.name] = { type: boolExps.get(r.target)! };
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
          for (const c of cols) fields[c.name] = { type: orderBy };
          for (const r of relationshipsOf(table)) {
            if (r.kind === 'object') fields[r.name] = { type: orderBys.get(r.target)! };
            else if (aggregatable(byName.get(r.target)!)) fields[`${r.name}_aggregate`] = { type: aggregateOrderBys.get(r.target)! };
          }
          return fields;
        },
      }),
    );
    // Ordering by an aggregate of an array relationship: `articles_aggregate: {count: desc, max: {rating: asc}}`.
    const numeric = cols.filter((c) => NUMERIC_TYPES.has(c.pgType));
    const ordered = cols.filter((c) => NUMERIC_TYPES.has(c.pgType) || ORDERED_TYPES.has(c.pgType));
    const opOrderBy = (op: string, list: ColumnInfo[]) =>
      new GraphQLInputObjectType({
        name: `${table.name}_${op}_order_by`,
        description: `order by ${op}() on columns of table "${table.name}"`,
        fields: Object.fromEntries(list.map((c) => [c.name, { type: orderBy }])),
      });
    const aggFields: GraphQLInputFieldConfigMap = { count: { type: orderBy } };
    if (numeric.length) for (const op of NUMERIC_AGGREGATES) aggFields[op] = { type: opOrderBy(op, numeric) };
    if (ordered.length) for (const op of ['max', 'min']) aggFields[op] = { type: opOrderBy(op, ordered) };
    aggregateOrderBys.set(
      table.name,
      new GraphQLInputObjectType({ name: `${table.name}_aggregate_order_by`, description: `order by aggregate values of table "${table.name}"`, fields: aggFields }),
    );
  }

  const listArgs = (target: string): GraphQLFieldConfigArgumentMap => ({
    ...(selectColumns.has(target) ? { distinct_on: { type: new GraphQLList(new GraphQLNonNull(selectColumns.get(target)!)), description: 'distinct select on columns' } } : {}),
    limit: { type: GraphQLInt, description: 'limit the number of rows returned' },
    offset: { type: GraphQLInt, description: 'skip the first n rows. Use only with order_by' },
    order_by: { type: new GraphQLList(new GraphQLNonNull(orderBys.get(target)!)), description: 'sort the rows by one or more columns' },
    where: { type: boolExps.get(target)!, description: 'filter the rows returned' },
  });
  // Fields read their value by response key: the SQL builds each object with the query's aliases.
  const byResponseKey = (source: Record<string, unknown>, _args: unknown, _ctx: unknown, info: { path: { key: string | number } }) =>
    source[info.path.key as string];

  const aggregateType = (table: TableInfo): GraphQLObjectType => {
    let t = aggregateTypes.get(table.name);
    if (t) return t;
    const cols = visibleColumns(table);
    const numeric = cols.filter((c) => NUMERIC_TYPES.has(c.pgType));
    const ordered = cols.filter((c) => NUMERIC_TYPES.has(c.pgType) || ORDERED_TYPES.has(c.pgType));
    const opFields = (op: string, list: ColumnInfo[], type: (c: ColumnInfo) => GraphQLOutputType) =>
      new GraphQLObjectType({
        name: `${table.name}_${op}_fields`,
        description: `aggregate ${op} on columns`,
        fields: Object.fromEntries(list.map((c) => [c.name, { type: type(c), resolve: byResponseKey }])),
      });
    const fields: GraphQLFieldConfigMap<Record<string, unknown>, EngineContext> = {
      count: {
        type: new GraphQLNonNull(GraphQLInt),
        args: {
          ...(selectColumns.has(table.name) ? { columns: { type: new GraphQLList(new GraphQLNonNull(selectColumns.get(table.name)!)) } } : {}),
          distinct: { type: GraphQLBoolean },
        },
        resolve: byResponseKey,
      },
    };
    if (numeric.length) {
      for (const op of NUMERIC_AGGREGATES) fields[op] = { type: opFields(op, numeric, (c) => (op === 'sum' ? scalar(c.pgType) : GraphQLFloat)), resolve: byResponseKey };
    }
    if (ordered.length) for (const op of ['max', 'min']) fields[op] = { type: opFields(op, ordered, (c) => scalar(c.pgType)), resolve: byResponseKey };
    const fieldsType = new GraphQLObjectType({ name: `${table.name}_aggregate_fields`, description: `aggregate fields of "${table.name}"`, fields });
    t = new GraphQLObjectType({
      name: `${table.name}_aggregate`,
      description: `aggregated selection of "${table.name}"`,
      fields: {
        aggregate: { type: fieldsType, resolve: byResponseKey },
        nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(objectTypes.get(table.name)!))), resolve: byResponseKey },
      },
    });
    aggregateTypes.set(table.name, t);
    return t;
  };

  for (const table of tables) {
    objectTypes.set(
      table.name,
      new GraphQLObjectType({
        name: table.name,
        description: `columns and relationships of "${table.name}"`,
        fields: () => {
          const fields: GraphQLFieldConfigMap<Record<string, unknown>, EngineContext> = {};
          for (const c of visibleColumns(table)) {
            const t: GraphQLOutputType = c.notNull ? new GraphQLNonNull(scalar(c.pgType)) : scalar(c.pgType);
            fields[c.name] = { type: t, resolve: byResponseKey, extensions: { column: c } satisfies FieldExtensions };
          }
          for (const r of relationshipsOf(table)) {
            const target = objectTypes.get(r.target)!;
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
              if (aggregatable(byName.get(r.target)!)) {
                fields[`${r.name}_aggregate`] = {
                  type: new GraphQLNonNull(aggregateType(byName.get(r.target)!)),
                  description: 'An aggregate relationship',
                  args: listArgs(r.target),
                  resolve: byResponseKey,
                  extensions: { aggregateOf: r } satisfies FieldExtensions,
                };
              }
            }
          }
          if (Object.keys(fields).length === 0) fields._no_columns = { type: GraphQLBoolean, description: 'the role may see no column of this table', resolve: () => null };
          return fields;
        },
      }),
    );
  }

  const root = (kind: RootKind, table: TableInfo, config: Omit<GraphQLFieldConfig<unknown, EngineContext>, 'resolve' | 'extensions'>): GraphQLFieldConfig<unknown, EngineContext> => ({
    ...config,
    extensions: { root: { kind, table } } satisfies FieldExtensions,
    resolve: (_src, args, ctx, info) => resolveRoot(ctx, kind, table, args, info),
  });
  const pkArgs = (table: TableInfo): GraphQLFieldConfigArgumentMap | undefined => {
    if (!table.primaryKey.length) return undefined;
    const args: GraphQLFieldConfigArgumentMap = {};
    for (const k of table.primaryKey) args[k] = { type: new GraphQLNonNull(scalar(table.columns.find((c) => c.name === k)!.pgType)) };
    return args;
  };

  const queryFields: GraphQLFieldConfigMap<unknown, EngineContext> = {};
  const streamFields: GraphQLFieldConfigMap<unknown, EngineContext> = {};
  for (const table of tables) {
    const type = objectTypes.get(table.name)!;
    const list = new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type)));
    queryFields[table.name] = root('list', table, { type: list, description: `fetch data from the table: "${table.name}"`, args: listArgs(table.name) });
    if (aggregatable(table)) {
      queryFields[`${table.name}_aggregate`] = root('aggregate', table, {
        type: new GraphQLNonNull(aggregateType(table)),
        description: `fetch aggregated fields from the table: "${table.name}"`,
        args: listArgs(table.name),
      });
    }
    const pk = pkArgs(table);
    const sel = permsOf.get(table.name)!.select!;
    if (pk && table.primaryKey.every((k) => sel.columns.has(k))) {
      queryFields[`${table.name}_by_pk`] = root('by_pk', table, { type, description: `fetch data from the table: "${table.name}" using primary key columns`, args: pk });
    }
    const cols = visibleColumns(table);
    if (cols.length) {
      const cursorValue = new GraphQLInputObjectType({
        name: `${table.name}_stream_cursor_value_input`,
        description: 'Initial value of the column from where the streaming should start',
        fields: Object.fromEntries(cols.map((c) => [c.name, { type: scalar(c.pgType) }])),
      });
      const cursorInput = new GraphQLInputObjectType({
        name: `${table.name}_stream_cursor_input`,
        description: `Streaming cursor of the table "${table.name}"`,
        fields: {
          initial_value: { type: new GraphQLNonNull(cursorValue), description: 'Stream column input with initial value' },
          ordering: { type: cursorOrdering, description: 'cursor ordering' },
        },
      });
      streamFields[`${table.name}_stream`] = root('stream', table, {
        type: list,
        description: `fetch data from the table in a streaming manner: "${table.name}"`,
        args: {
          batch_size: { type: new GraphQLNonNull(GraphQLInt), description: 'maximum number of rows returned in a single batch' },
          cursor: { type: new GraphQLNonNull(new GraphQLList(cursorInput)), description: 'cursor to stream the results returned by the query' },
          where: { type: boolExps.get(table.name)!, description: 'filter the rows returned' },
        },
      });
    }
  }

  const mutationFields = buildMutationFields();
  function buildMutationFields(): GraphQLFieldConfigMap<unknown, EngineContext> {
    const fields: GraphQLFieldConfigMap<unknown, EngineContext> = {};
    for (const table of catalog.tables) {
      const p = permsOf.get(table.name)!;
      if (!p.insert && !p.update && !p.delete) continue;
      const type = objectTypes.get(table.name);
      const responseType = new GraphQLObjectType({
        name: `${table.name}_mutation_response`,
        description: `response of any mutation on the table "${table.name}"`,
        fields: {
          affected_rows: { type: new GraphQLNonNull(GraphQLInt), description: 'number of rows affected by the mutation', resolve: byResponseKey },
          ...(type ? { returning: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type))), description: 'data from the rows affected by the mutation', resolve: byResponseKey } } : {}),
        },
      });
      const inputOf = (name: string, description: string, cols: ColumnInfo[]) =>
        new GraphQLInputObjectType({ name, description, fields: Object.fromEntries(cols.map((c) => [c.name, { type: scalar(c.pgType) }])) });
      const updateCols = p.update ? table.columns.filter((c) => p.update!.columns.has(c.name)) : [];
      const boolExp = boolExps.get(table.name) ?? filterOnlyBoolExp(table);
      if (p.insert) {
        const insertCols = table.columns.filter((c) => p.insert!.columns.has(c.name));
        const insertInput = inputOf(`${table.name}_insert_input`, `input type for inserting data into table "${table.name}"`, insertCols);
        let onConflict: GraphQLInputObjectType | undefined;
        if (p.update && table.uniqueConstraints.length) {
          onConflict = new GraphQLInputObjectType({
            name: `${table.name}_on_conflict`,
            description: `on_conflict condition type for table "${table.name}"`,
            fields: {
              constraint: {
                type: new GraphQLNonNull(
                  new GraphQLEnumType({ name: `${table.name}_constraint`, description: `unique or primary key constraints on table "${table.name}"`, values: enumValues(table.uniqueConstraints.map((u) => u.name), 'unique or primary key constraint') }),
                ),
              },
              update_columns: {
                type: new GraphQLNonNull(
                  new GraphQLList(
                    new GraphQLNonNull(
                      new GraphQLEnumType({
                        name: `${table.name}_update_column`,
                        description: `update columns of table "${table.name}"`,
                        values: updateCols.length ? enumValues(updateCols.map((c) => c.name), 'column name') : { _PLACEHOLDER: { value: '_PLACEHOLDER', description: 'placeholder (do not use)' } },
                      }),
                    ),
                  ),
                ),
                defaultValue: [],
              },
              where: { type: boolExp },
            },
          });
        }
        fields[`insert_${table.name}`] = root('insert', table, {
          type: responseType,
          description: `insert data into the table: "${table.name}"`,
          args: {
            objects: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(insertInput))), description: 'the rows to be inserted' },
            ...(onConflict ? { on_conflict: { type: onConflict, description: 'upsert condition' } } : {}),
          },
        });
        if (type) {
          fields[`insert_${table.name}_one`] = root('insert_one', table, {
            type,
            description: `insert a single row into the table: "${table.name}"`,
            args: {
              object: { type: new GraphQLNonNull(insertInput), description: 'the row to be inserted' },
              ...(onConflict ? { on_conflict: { type: onConflict, description: 'upsert condition' } } : {}),
            },
          });
        }
      }
      if (p.update && updateCols.length) {
        const setInput = inputOf(`${table.name}_set_input`, `input type for updating data in table "${table.name}"`, updateCols);
        const numeric = updateCols.filter((c) => NUMERIC_TYPES.has(c.pgType));
        const incInput = numeric.length ? inputOf(`${table.name}_inc_input`, 'input type for incrementing numeric columns in table', numeric) : undefined;
        const changeArgs: GraphQLFieldConfigArgumentMap = {
          ...(incInput ? { _inc: { type: incInput, description: 'increments the numeric columns with given value of the filtered values' } } : {}),
          _set: { type: setInput, description: 'sets the columns of the filtered rows to the given values' },
        };
        fields[`update_${table.name}`] = root('update', table, {
          type: responseType,
          description: `update data of the table: "${table.name}"`,
          args: { ...changeArgs, where: { type: new GraphQLNonNull(boolExp), description: 'filter the rows which have to be updated' } },
        });
        const pk = table.primaryKey;
        if (type && pk.length && pk.every((k) => p.select?.columns.has(k))) {
          const pkInput = new GraphQLInputObjectType({
            name: `${table.name}_pk_columns_input`,
            description: `primary key columns input for table: ${table.name}`,
            fields: Object.fromEntries(pk.map((k) => [k, { type: new GraphQLNonNull(scalar(table.columns.find((c) => c.name === k)!.pgType)) }])),
          });
          fields[`update_${table.name}_by_pk`] = root('update_by_pk', table, {
            type,
            description: `update single row of the table: "${table.name}"`,
            args: { ...changeArgs, pk_columns: { type: new GraphQLNonNull(pkInput) } },
          });
        }
        const updates = new GraphQLInputObjectType({
          name: `${table.name}_updates`,
          fields: { ...(changeArgs as GraphQLInputFieldConfigMap), where: { type: new GraphQLNonNull(boolExp), description: 'filter the rows which have to be updated' } },
        });
        fields[`update_${table.name}_many`] = root('update_many', table, {
          type: new GraphQLList(responseType),
          description: `update multiples rows of table: "${table.name}"`,
          args: { updates: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(updates))), description: 'updates to execute, in order' } },
        });
      }
      if (p.delete) {
        fields[`delete_${table.name}`] = root('delete', table, {
          type: responseType,
          description: `delete data from the table: "${table.name}"`,
          args: { where: { type: new GraphQLNonNull(boolExp), description: 'filter the rows which have to be deleted' } },
        });
        const pk = pkArgs(table);
        if (type && pk && table.primaryKey.every((k) => p.select?.columns.has(k))) {
          fields[`delete_${table.name}_by_pk`] = root('delete_by_pk', table, { type, description: `delete single row from the table: "${table.name}"`, args: pk });
        }
      }
    }
    return fields;
  }
  /** A role that may change a table it may not select still filters by its permission (an empty bool_exp). */
  function filterOnlyBoolExp(table: TableInfo): GraphQLInputObjectType {
    const exp: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${table.name}_bool_exp`,
      fields: () => ({ _and: { type: new GraphQLList(new GraphQLNonNull(exp)) }, _not: { type: exp }, _or: { type: new GraphQLList(new GraphQLNonNull(exp)) } }),
    });
    return exp;
  }

  if (Object.keys(queryFields).length === 0) {
    queryFields._no_tables = { type: GraphQLBoolean, description: 'this role may read no table', resolve: () => null };
  }
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'query_root', fields: queryFields }),
    mutation: Object.keys(mutationFields).length ? new GraphQLObjectType({ name: 'mutation_root', fields: mutationFields }) : undefined,
    subscription: new GraphQLObjectType({ name: 'subscription_root', fields: { ...queryFields, ...streamFields } }),
  });
}

export const NUMERIC_AGGREGATES = ['avg', 'stddev', 'stddev_pop', 'stddev_samp', 'sum', 'var_pop', 'var_samp', 'variance'] as const;


import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getNamedType,
  GraphQLObjectType,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { Database } from '../../db/index.ts';
import type { TableInfo } from './catalog.ts';
import type { FieldExtensions } from './schema.ts';

/**
 * Compiles one root field of a GraphQL request into ONE SQL statement that builds the whole JSON answer in the
 * database (as Hasura does): no resolver per row, no N+1 queries, every value a bound parameter.
 */
export interface EngineContext {
  db: Database;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Collects bound parameters and hands out table aliases while a statement is built. */
class SqlBuilder {
  readonly params: unknown[] = [];
  #alias = 0;
  param(value: unknown, pgType: string): string {
    this.params.push(pgType === 'jsonb' || pgType === 'json' ? JSON.stringify(value) : value);
    return `$${this.params.length}::${quoteIdent(pgType)}`;
  }
  paramArray(values: unknown[], pgType: string): string {
    const v = pgType === 'jsonb' || pgType === 'json' ? values.map((x) => JSON.stringify(x)) : values;
    this.params.push(v);
    return `$${this.params.length}::${quoteIdent(pgType)}[]`;
  }
  alias(): string {
    return `_t${this.#alias++}`;
  }
}

interface Compiler {
  info: GraphQLResolveInfo;
  b: SqlBuilder;
  tables: Map<string, TableInfo>;
}

const TABLE = (name: string) => `public.${quoteIdent(name)}`;

function tableOf(c: Compiler, name: string): TableInfo {
  const t = c.tables.get(name);
  if (!t) throw new Error(`unknown table ${name}`);
  return t;
}

function joinCondition(mapping: [string, string][], parent: string, child: string): string {
  return mapping.map(([p, ch]) => `${child}.${quoteIdent(ch)} = ${parent}.${quoteIdent(p)}`).join(' AND ');
}

const TEXT_OPS: Record<string, string> = {
  _like: 'LIKE',
  _nlike: 'NOT LIKE',
  _ilike: 'ILIKE',
  _nilike: 'NOT ILIKE',
  _similar: 'SIMILAR TO',
  _nsimilar: 'NOT SIMILAR TO',
  _regex: '~',
  _iregex: '~*',
  _nregex: '!~',
  _niregex: '!~*',
};
const CMP_OPS: Record<string, string> = { _eq: '=', _neq: '<>', _gt: '>', _gte: '>=', _lt: '<', _lte: '<=' };

function comparisonSql(c: Compiler, column: string, pgType: string, exp: Record<string, unknown>): string[] {
  const parts: string[] = [];
  for (const [op, value] of Object.entries(exp)) {
    if (value === undefined || value === null) continue; // a null operand does not filter (Hasura's behaviour)
    if (op in CMP_OPS) parts.push(`${column} ${CMP_OPS[op]} ${c.b.param(value, pgType)}`);
    else if (op === '_in') parts.push(`${column} = ANY(${c.b.paramArray(value as unknown[], pgType)})`);
    else if (op === '_nin') parts.push(`NOT (${column} = ANY(${c.b.paramArray(value as unknown[], pgType)}))`);
    else if (op === '_is_null') parts.push(value ? `${column} IS NULL` : `${column} IS NOT NULL`);
    else if (op in TEXT_OPS) parts.push(`${column} ${TEXT_OPS[op]} ${c.b.param(value, 'text')}`);
    else if (op === '_contains') parts.push(`${column} @> ${c.b.param(value, 'jsonb')}`);
    else if (op === '_contained_in') parts.push(`${column} <@ ${c.b.param(value, 'jsonb')}`);
    else if (op === '_has_key') parts.push(`${column} ? ${c.b.param(value, 'text')}`);
    else if (op === '_has_keys_any') parts.push(`${column} ?| ${c.b.paramArray(value as unknown[], 'text')}`);
    else if (op === '_has_keys_all') parts.push(`${column} ?& ${c.b.paramArray(value as unknown[], 'text')}`);
    else throw new Error(`unsupported operator ${op}`);
  }
  return parts;
}

/** Compiles a `X_bool_exp` value to a SQL condition on the row aliased `alias`. */
export function whereSql(c: Compiler, table: TableInfo, alias: string, where: Record<string, unknown> | undefined | null): string {
  if (!where) return 'TRUE';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (key === '_and') {
      const list = value as Record<string, unknown>[];
      parts.push(list.length ? `(${list.map((w) => whereSql(c, table, alias, w)).join(' AND ')})` : 'TRUE');
    } else if (key === '_or') {
      const list = value as Record<string, unknown>[];
      parts.push(list.length ? `(${list.map((w) => whereSql(c, table, alias, w)).join(' OR ')})` : 'FALSE');
    } else if (key === '_not') {
      parts.push(`NOT (${whereSql(c, table, alias, value as Record<string, unknown>)})`);
    } else {
      const column = table.columns.find((col) => col.name === key);
      if (column) {
        parts.push(...comparisonSql(c, `${alias}.${quoteIdent(column.name)}`, column.pgType, value as Record<string, unknown>));
        continue;
      }
      const rel = table.relationships.find((r) => r.name === key);
      if (!rel) throw new Error(`unknown field ${key} in ${table.name}_bool_exp`);
      const target = tableOf(c, rel.target);
      const child = c.b.alias();
      parts.push(
        `EXISTS (SELECT 1 FROM ${TABLE(target.name)} ${child} WHERE ${joinCondition(rel.mapping, alias, child)} AND ${whereSql(c, target, child, value as Record<string, unknown>)})`,
      );
    }
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

function orderBySql(c: Compiler, table: TableInfo, alias: string, orderBy: Record<string, unknown>[] | Record<string, unknown> | undefined): string[] {
  if (!orderBy) return [];
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  const out: string[] = [];
  for (const item of list) {
    for (const [key, value] of Object.entries(item)) {
      if (value === undefined || value === null) continue;
      const column = table.columns.find((col) => col.name === key);
      if (column) {
        out.push(`${alias}.${quoteIdent(column.name)} ${value as string}`);
        continue;
      }
      const rel = table.relationships.find((r) => r.name === key && r.kind === 'object');
      if (!rel) throw new Error(`unknown field ${key} in ${table.name}_order_by`);
      const target = tableOf(c, rel.target);
      const child = c.b.alias();
      for (const inner of orderBySql(c, target, child, value as Record<string, unknown>)) {
        const [expr, ...dir] = splitDirection(inner);
        out.push(`(SELECT ${expr} FROM ${TABLE(target.name)} ${child} WHERE ${joinCondition(rel.mapping, alias, child)} LIMIT 1) ${dir.join(' ')}`);
      }
    }
  }
  return out;
}

function splitDirection(orderItem: string): string[] {
  const m = /^(.*) (ASC|DESC) NULLS (FIRST|LAST)$/.exec(orderItem);
  return m ? [m[1]!, m[2]!, 'NULLS', m[3]!] : [orderItem];
}

/** The fields selected on an object, fragments flattened and @skip/@include applied, grouped by response key. */
function collectFields(c: Compiler, type: GraphQLObjectType, selectionSet: SelectionSetNode | undefined, out = new Map<string, FieldNode[]>()) {
  if (!selectionSet) return out;
  for (const sel of selectionSet.selections) {
    const skip = getDirectiveValues(GraphQLSkipDirective, sel, c.info.variableValues);
    if (skip?.if === true) continue;
    const include = getDirectiveValues(GraphQLIncludeDirective, sel, c.info.variableValues);
    if (include?.if === false) continue;
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      out.set(key, [...(out.get(key) ?? []), sel]);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (!sel.typeCondition || sel.typeCondition.name.value === type.name) collectFields(c, type, sel.selectionSet, out);
    } else {
      const frag = c.info.fragments[sel.name.value];
      if (frag && frag.typeCondition.name.value === type.name) collectFields(c, type, frag.selectionSet, out);
    }
  }
  return out;
}

function mergedSelectionSet(nodes: FieldNode[]): SelectionSetNode | undefined {
  const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => !!s);
  if (sets.length <= 1) return sets[0];
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((s) => s.selections) };
}

/** A SQL expression building the JSON object of one row (aliased `alias`) for the selected fields. */
function objectSql(c: Compiler, type: GraphQLObjectType, alias: string, nodes: FieldNode[]): string {
  const fields = collectFields(c, type, mergedSelectionSet(nodes));
  const pairs: string[] = [];
  for (const [key, fieldNodes] of fields) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') {
      pairs.push(`'${key}', ${c.b.param(type.name, 'text')}`);
      continue;
    }
    const def = type.getFields()[name];
    if (!def) continue;
    const ext = def.extensions as FieldExtensions;
    if (ext.column) {
      pairs.push(`'${key}', ${alias}.${quoteIdent(ext.column.name)}`);
    } else if (ext.relationship) {
      const rel = ext.relationship;
      const target = tableOf(c, rel.target);
      const targetType = getNamedType(def.type) as GraphQLObjectType;
      if (rel.kind === 'object') {
        const child = c.b.alias();
        pairs.push(
          `'${key}', (SELECT ${objectSql(c, targetType, child, fieldNodes)} FROM ${TABLE(target.name)} ${child} WHERE ${joinCondition(rel.mapping, alias, child)} LIMIT 1)`,
        );
      } else {
        const args = getArgumentValues(def, fieldNodes[0]!, c.info.variableValues);
        pairs.push(`'${key}', ${listSql(c, targetType, target, args, fieldNodes, (child) => joinCondition(rel.mapping, alias, child))}`);
      }
    }
  }
  if (pairs.length === 0) return `'{}'::json`;
  // json_build_object takes at most 100 arguments: build wide objects in chunks and merge them.
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) chunks.push(`json_build_object(${pairs.slice(i, i + 50).join(', ')})`);
  return chunks.length === 1 ? chunks[0]! : `(${chunks.map((ch) => `${ch}::jsonb`).join(' || ')})::json`;
}

interface ListArgs {
  where?: Record<string, unknown>;
  order_by?: Record<string, unknown>[] | Record<string, unknown>;
  limit?: number;
  offset?: number;
  distinct_on?: string[];
}

/** A SQL expression giving the JSON array of the rows selected by `args` (and the join to the parent row). */
function listSql(
  c: Compiler,
  type: GraphQLObjectType,
  table: TableInfo,
  args: ListArgs,
  nodes: FieldNode[],
  join?: (child: string) => string,
): string {
  const t = c.b.alias();
  const conditions = [join ? join(t) : 'TRUE', whereSql(c, table, t, args.where)];
  const distinct = args.distinct_on?.length ? args.distinct_on.map((col) => `${t}.${quoteIdent(col)}`) : [];
  const order = [...distinct.map((d) => `${d} ASC`), ...orderBySql(c, table, t, args.order_by)];
  const orderClause = order.length ? ` ORDER BY ${order.join(', ')}` : '';
  if (args.limit !== undefined && args.limit !== null && args.limit < 0) throw new Error('"limit" must be a non-negative integer');
  if (args.offset !== undefined && args.offset !== null && args.offset < 0) throw new Error('"offset" must be a non-negative integer');
  const limit = args.limit !== undefined && args.limit !== null ? ` LIMIT ${c.b.param(args.limit, 'int8')}` : '';
  const offset = args.offset ? ` OFFSET ${c.b.param(args.offset, 'int8')}` : '';
  const s = c.b.alias();
  const inner =
    `SELECT ${distinct.length ? `DISTINCT ON (${distinct.join(', ')}) ` : ''}${objectSql(c, type, t, nodes)} AS r` +
    ` FROM ${TABLE(table.name)} ${t} WHERE ${conditions.join(' AND ')}${orderClause}${limit}${offset}`;
  // Number the rows in the subquery's order so json_agg keeps it.
  return `(SELECT coalesce(json_agg(${s}.r ORDER BY ${s}.n), '[]'::json) FROM (SELECT _q.r, row_number() OVER () AS n FROM (${inner}) _q) ${s})`;
}

function compilerFor(info: GraphQLResolveInfo): Compiler {
  const tables = new Map<string, TableInfo>();
  for (const type of Object.values(info.schema.getTypeMap())) {
    const table = (type.extensions as { table?: TableInfo } | undefined)?.table;
    if (table) tables.set(table.name, table);
  }
  return { info, b: new SqlBuilder(), tables };
}

export async function resolveList(ctx: EngineContext, table: TableInfo, args: ListArgs, info: GraphQLResolveInfo): Promise<unknown> {
  const c = compilerFor(info);
  const type = getNamedType(info.returnType) as GraphQLObjectType;
  const sql = `SELECT ${listSql(c, type, table, args, [...info.fieldNodes])} AS data`;
  const { rows } = await ctx.db.query<{ data: unknown }>(sql, c.b.params);
  return rows[0]?.data ?? [];
}

export async function resolveByPk(ctx: EngineContext, table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  const c = compilerFor(info);
  const type = getNamedType(info.returnType) as GraphQLObjectType;
  const t = c.b.alias();
  const cond = table.primaryKey
    .map((k) => `${t}.${quoteIdent(k)} = ${c.b.param(args[k], table.columns.find((col) => col.name === k)!.pgType)}`)
    .join(' AND ');
  const sql = `SELECT ${objectSql(c, type, t, [...info.fieldNodes])} AS data FROM ${TABLE(table.name)} ${t} WHERE ${cond}`;
  const { rows } = await ctx.db.query<{ data: unknown }>(sql, c.b.params);
  return rows[0]?.data ?? null;
}

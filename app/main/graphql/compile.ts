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
import type { Queryable } from '../../db/index.ts';
import type { TableInfo } from './catalog.ts';
import { DatabaseError } from '../../db/index.ts';
import { databaseError, HasuraError } from './errors.ts';
import type { BoolExp, RolePermissions, SelectPermission } from './permissions.ts';
import { OperationCache } from './operation-cache.ts';
import { scalarName, type FieldExtensions } from './schema.ts';

/**
 * Compiles one root field of a GraphQL request into ONE SQL statement that builds the whole JSON answer in the
 * database (as Hasura does): no resolver per row, no N+1 queries, every value a bound parameter. The role's
 * permissions are compiled into the same statement: row filters, column sets, row limits, insert/update checks.
 */
export interface EngineContext {
  db: Queryable;
  perms: RolePermissions;
  session: Readonly<Record<string, string>>;
  tables: ReadonlyMap<string, TableInfo>;
  /** Runs one compiled statement and gives its one value, JSON as text (the engine adds the role's protection: cost check, statement timeout). */
  run(sql: string, params: unknown[]): Promise<string | null | undefined>;
  /** Tables the request read, for live queries. */
  read: Set<string>;
  /** Tables the request changed, for change notifications. */
  written: Set<string>;
  /** A streaming subscription's cursor, kept between runs, per response key. */
  cursors?: Map<string, unknown>;
  /**
   * Answer each root field as the JSON text the database built, not parsed: the HTTP path splices it into the
   * response as it is, so a large answer is never parsed and serialised again in JavaScript.
   */
  raw?: boolean;
}

export type RootKind = 'list' | 'by_pk' | 'aggregate' | 'stream' | 'insert' | 'insert_one' | 'update' | 'update_by_pk' | 'update_many' | 'delete' | 'delete_by_pk';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Collects bound parameters, table aliases and the tables read while a statement is built. */
class SqlBuilder {
  readonly params: unknown[] = [];
  readonly read = new Set<string>();
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
  table(name: string): string {
    this.read.add(name);
    return `public.${quoteIdent(name)}`;
  }
}

interface Compiler {
  info: GraphQLResolveInfo;
  ctx: EngineContext;
  b: SqlBuilder;
}

function tableOf(c: Compiler, name: string): TableInfo {
  const t = c.ctx.tables.get(name);
  if (!t) throw new HasuraError('not-found', `no table "${name}"`);
  return t;
}

/** The role's select permission of a table; undefined for admin (no filter, no limit). */
function selectPerm(c: Compiler, table: TableInfo): SelectPermission | undefined {
  if (c.ctx.perms.admin) return undefined;
  const p = c.ctx.perms.tables?.get(table.name)?.select;
  if (!p) throw new HasuraError('permission-error', `no select permission on "${table.name}"`);
  return p;
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

/** Every comparison operator a boolean expression may use (permissions are checked against this list). */
export const COMPARISON_OPERATORS: ReadonlySet<string> = new Set([
  ...Object.keys(CMP_OPS),
  '_in',
  '_nin',
  '_is_null',
  ...Object.keys(TEXT_OPS),
  '_contains',
  '_contained_in',
  '_has_key',
  '_has_keys_any',
  '_has_keys_all',
]);

const SESSION_VARIABLE = /^x-hasura-/i;

/** A value of a permission: a string naming a session variable is replaced by the request's value. */
function sessionValue(c: Compiler, value: unknown): unknown {
  if (typeof value !== 'string' || !SESSION_VARIABLE.test(value)) return value;
  const name = value.toLowerCase();
  const v = c.ctx.session[name];
  if (v === undefined) throw new HasuraError('not-found', `missing session variable: "${name}"`, '$');
  return v;
}

/** A session variable given to `_in`/`_nin`: a PostgreSQL array literal `{1,2}` or a JSON array. */
function sessionList(c: Compiler, value: unknown): unknown[] {
  const v = sessionValue(c, value);
  if (Array.isArray(v)) return v.map((x) => sessionValue(c, x));
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('[')) return JSON.parse(s) as unknown[];
    if (s.startsWith('{') && s.endsWith('}')) return s.slice(1, -1).split(',').map((x) => x.trim().replace(/^"(.*)"$/, '$1')).filter((x) => x.length);
  }
  throw new HasuraError('validation-failed', 'expected a list for _in/_nin');
}

type Mode = 'user' | 'permission';

function scalarOf(pgType: string, op: string): string {
  if (op === '_is_null') return 'Boolean';
  if (op in TEXT_OPS || op === '_has_key' || op === '_has_keys_any' || op === '_has_keys_all') return 'String';
  return scalarName(pgType);
}

function comparisonSql(c: Compiler, column: string, pgType: string, exp: Record<string, unknown>, mode: Mode, path: string): string[] {
  const parts: string[] = [];
  const val = (v: unknown) => (mode === 'permission' ? sessionValue(c, v) : v);
  for (const [op, value] of Object.entries(exp)) {
    if (value === undefined) continue;
    // Hasura v2 refuses a null operand rather than dropping the condition: `delete_x(where: {id: {_eq: $id}})`
    // with a null $id must not delete every row.
    if (value === null) throw new HasuraError('validation-failed', `unexpected null value for type '${scalarOf(pgType, op)}'`, `${path}.${op}`);
    if (op in CMP_OPS) parts.push(`${column} ${CMP_OPS[op]} ${c.b.param(val(value), pgType)}`);
    else if (op === '_in' || op === '_nin') {
      const list = mode === 'permission' ? sessionList(c, value) : (value as unknown[]);
      const sql = `${column} = ANY(${c.b.paramArray(list, pgType)})`;
      parts.push(op === '_in' ? sql : `NOT (${sql})`);
    } else if (op === '_is_null') parts.push(val(value) === true || val(value) === 'true' ? `${column} IS NULL` : `${column} IS NOT NULL`);
    else if (op in TEXT_OPS) parts.push(`${column} ${TEXT_OPS[op]} ${c.b.param(val(value), 'text')}`);
    else if (op === '_contains') parts.push(`${column} @> ${c.b.param(val(value), 'jsonb')}`);
    else if (op === '_contained_in') parts.push(`${column} <@ ${c.b.param(val(value), 'jsonb')}`);
    else if (op === '_has_key') parts.push(`${column} ? ${c.b.param(val(value), 'text')}`);
    else if (op === '_has_keys_any') parts.push(`${column} ?| ${c.b.paramArray(value as unknown[], 'text')}`);
    else if (op === '_has_keys_all') parts.push(`${column} ?& ${c.b.paramArray(value as unknown[], 'text')}`);
    else throw new HasuraError('validation-failed', `unsupported operator ${op}`);
  }
  return parts;
}

/**
 * Compiles a boolean expression to a SQL condition on the row aliased `alias`. A user's expression that goes
 * through a relationship sees only the related rows the role may select; a permission's own expression is
 * evaluated on all rows and may name session variables.
 */
export function whereSql(c: Compiler, table: TableInfo, alias: string, where: BoolExp | undefined | null, mode: Mode = 'user', path = '@.args.where'): string {
  if (!where) return 'TRUE';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (key === '_and') {
      const list = value as BoolExp[];
      parts.push(list.length ? `(${list.map((w, i) => whereSql(c, table, alias, w, mode, `${path}._and[${i}]`)).join(' AND ')})` : 'TRUE');
    } else if (key === '_or') {
      const list = value as BoolExp[];
      parts.push(list.length ? `(${list.map((w, i) => whereSql(c, table, alias, w, mode, `${path}._or[${i}]`)).join(' OR ')})` : 'FALSE');
    } else if (key === '_not') {
      parts.push(`NOT (${whereSql(c, table, alias, value as BoolExp, mode, `${path}._not`)})`);
    } else if (key === '_exists' && mode === 'permission') {
      const { _table, _where } = value as { _table: string | { name: string }; _where?: BoolExp };
      const target = tableOf(c, typeof _table === 'string' ? _table : _table.name);
      const child = c.b.alias();
      parts.push(`EXISTS (SELECT 1 FROM ${c.b.table(target.name)} ${child} WHERE ${whereSql(c, target, child, _where, mode)})`);
    } else {
      const column = table.columns.find((col) => col.name === key);
      if (column) {
        parts.push(...comparisonSql(c, `${alias}.${quoteIdent(column.name)}`, column.pgType, value as Record<string, unknown>, mode, `${path}.${key}`));
        continue;
      }
      const rel = table.relationships.find((r) => r.name === key);
      if (!rel) throw new HasuraError('validation-failed', `field '${key}' not found in type: '${table.name}_bool_exp'`);
      const target = tableOf(c, rel.target);
      const child = c.b.alias();
      const perm = mode === 'user' ? permissionFilter(c, target, child) : 'TRUE';
      parts.push(
        `EXISTS (SELECT 1 FROM ${c.b.table(target.name)} ${child} WHERE ${joinCondition(rel.mapping, alias, child)} AND ${perm} AND ${whereSql(c, target, child, value as BoolExp, mode, `${path}.${key}`)})`,
      );
    }
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/** The role's select filter on rows of `table` aliased `alias`. */
function permissionFilter(c: Compiler, table: TableInfo, alias: string): string {
  const p = selectPerm(c, table);
  return p ? whereSql(c, table, alias, p.filter, 'permission') : 'TRUE';
}

function effectiveLimit(c: Compiler, table: TableInfo, limit: number | null | undefined): number | undefined {
  if (limit !== undefined && limit !== null && limit < 0) throw new HasuraError('validation-failed', `unexpected negative value for "limit"`, '@.args.limit');
  const cap = selectPerm(c, table)?.limit;
  if (cap === undefined) return limit ?? undefined;
  return limit === undefined || limit === null ? cap : Math.min(limit, cap);
}

function splitDirection(orderItem: string): [string, string] {
  const m = /^(.*) ((?:ASC|DESC) NULLS (?:FIRST|LAST))$/s.exec(orderItem);
  return m ? [m[1]!, m[2]!] : [orderItem, ''];
}

function orderBySql(c: Compiler, table: TableInfo, alias: string, orderBy: BoolExp[] | BoolExp | undefined | null): string[] {
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
      const objectRel = table.relationships.find((r) => r.name === key && r.kind === 'object');
      if (objectRel) {
        const target = tableOf(c, objectRel.target);
        // Sibling subqueries may share one alias: each ordering item reads the related row on its own.
        const child = c.b.alias();
        for (const inner of orderBySql(c, target, child, value as BoolExp)) {
          const [expr, dir] = splitDirection(inner);
          out.push(
            `(SELECT ${expr} FROM ${c.b.table(target.name)} ${child} WHERE ${joinCondition(objectRel.mapping, alias, child)} AND ${permissionFilter(c, target, child)} LIMIT 1) ${dir}`,
          );
        }
        continue;
      }
      const arrayRel = key.endsWith('_aggregate') ? table.relationships.find((r) => r.kind === 'array' && `${r.name}_aggregate` === key) : undefined;
      if (!arrayRel) throw new HasuraError('validation-failed', `field '${key}' not found in type: '${table.name}_order_by'`);
      const target = tableOf(c, arrayRel.target);
      for (const [fn, spec] of Object.entries(value as Record<string, unknown>)) {
        if (spec === undefined || spec === null) continue;
        const child = c.b.alias();
        const from = `FROM ${c.b.table(target.name)} ${child} WHERE ${joinCondition(arrayRel.mapping, alias, child)} AND ${permissionFilter(c, target, child)}`;
        if (fn === 'count') out.push(`(SELECT count(*) ${from}) ${spec as string}`);
        else {
          for (const [col, dir] of Object.entries(spec as Record<string, string>)) {
            if (dir) out.push(`(SELECT ${aggregateFunction(fn)}(${child}.${quoteIdent(col)}) ${from}) ${dir}`);
          }
        }
      }
    }
  }
  return out;
}

function aggregateFunction(op: string): string {
  const fns: Record<string, string> = {
    avg: 'avg',
    max: 'max',
    min: 'min',
    sum: 'sum',
    stddev: 'stddev_samp',
    stddev_samp: 'stddev_samp',
    stddev_pop: 'stddev_pop',
    variance: 'var_samp',
    var_samp: 'var_samp',
    var_pop: 'var_pop',
  };
  const fn = fns[op];
  if (!fn) throw new HasuraError('validation-failed', `unknown aggregate ${op}`);
  return fn;
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

function mergedSelectionSet(nodes: readonly FieldNode[]): SelectionSetNode | undefined {
  const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => !!s);
  if (sets.length <= 1) return sets[0];
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((s) => s.selections) };
}

function literal(key: string): string {
  // Response keys are GraphQL names ([_A-Za-z][_0-9A-Za-z]*): safe inside a SQL string literal.
  return `'${key}'`;
}

/** json_build_object takes at most 100 arguments: wide objects are built in chunks and merged. */
function jsonObject(pairs: string[]): string {
  if (pairs.length === 0) return `'{}'::json`;
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) chunks.push(`json_build_object(${pairs.slice(i, i + 50).join(', ')})`);
  return chunks.length === 1 ? chunks[0]! : `(${chunks.map((ch) => `${ch}::jsonb`).join(' || ')})::json`;
}

/** A SQL expression building the JSON object of one row (aliased `alias`) for the selected fields. */
function objectSql(c: Compiler, type: GraphQLObjectType, alias: string, nodes: readonly FieldNode[]): string {
  const fields = collectFields(c, type, mergedSelectionSet(nodes));
  const pairs: string[] = [];
  for (const [key, fieldNodes] of fields) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') {
      pairs.push(literal(key), c.b.param(type.name, 'text'));
      continue;
    }
    const def = type.getFields()[name];
    if (!def) continue;
    const ext = def.extensions as FieldExtensions;
    if (ext.column) {
      pairs.push(literal(key), `${alias}.${quoteIdent(ext.column.name)}`);
    } else if (ext.relationship) {
      const rel = ext.relationship;
      const target = tableOf(c, rel.target);
      const targetType = getNamedType(def.type) as GraphQLObjectType;
      if (rel.kind === 'object') {
        const child = c.b.alias();
        pairs.push(
          literal(key),
          `(SELECT ${objectSql(c, targetType, child, fieldNodes)} FROM ${c.b.table(target.name)} ${child} WHERE ${joinCondition(rel.mapping, alias, child)} AND ${permissionFilter(c, target, child)} LIMIT 1)`,
        );
      } else {
        const args = getArgumentValues(def, fieldNodes[0]!, c.info.variableValues) as ListArgs;
        pairs.push(literal(key), listSql(c, targetType, target, args, fieldNodes, (child) => joinCondition(rel.mapping, alias, child)));
      }
    } else if (ext.aggregateOf) {
      const rel = ext.aggregateOf;
      const args = getArgumentValues(def, fieldNodes[0]!, c.info.variableValues) as ListArgs;
      pairs.push(literal(key), aggregateSql(c, getNamedType(def.type) as GraphQLObjectType, tableOf(c, rel.target), args, fieldNodes, (child) => joinCondition(rel.mapping, alias, child)));
    } else {
      pairs.push(literal(key), 'NULL');
    }
  }
  return jsonObject(pairs);
}

interface ListArgs {
  where?: BoolExp | null;
  order_by?: BoolExp[] | BoolExp | null;
  limit?: number | null;
  offset?: number | null;
  distinct_on?: string[] | null;
}

/** `SELECT alias.* FROM table alias WHERE … ORDER BY … LIMIT … OFFSET …`: the rows a list selects. */
function rowsSql(c: Compiler, table: TableInfo, t: string, args: ListArgs, join?: (child: string) => string, extra: string[] = []): string {
  const conditions = [join ? join(t) : 'TRUE', permissionFilter(c, table, t), whereSql(c, table, t, args.where), ...extra];
  const distinct = args.distinct_on?.length ? args.distinct_on.map((col) => `${t}.${quoteIdent(col)}`) : [];
  const userOrder = orderBySql(c, table, t, args.order_by);
  // DISTINCT ON needs its columns first in ORDER BY: Hasura refuses an order_by that starts otherwise, and
  // orders by the distinct columns itself when there is no order_by.
  if (distinct.length && userOrder.length) {
    const leading = new Set(userOrder.slice(0, distinct.length).map((o) => splitDirection(o)[0]));
    if (userOrder.length < distinct.length || !distinct.every((d) => leading.has(d))) {
      throw new HasuraError('validation-failed', '"distinct_on" columns must match initial "order_by" columns', '@.args');
    }
  }
  const order = userOrder.length ? userOrder : distinct.map((d) => `${d} ASC`);
  const limit = effectiveLimit(c, table, args.limit);
  if (args.offset !== undefined && args.offset !== null && args.offset < 0) throw new HasuraError('validation-failed', 'unexpected negative value for "offset"', '@.args.offset');
  return (
    `SELECT ${distinct.length ? `DISTINCT ON (${distinct.join(', ')}) ` : ''}${t}.* FROM ${c.b.table(table.name)} ${t}` +
    ` WHERE ${conditions.join(' AND ')}` +
    (order.length ? ` ORDER BY ${order.join(', ')}` : '') +
    (limit !== undefined ? ` LIMIT ${c.b.param(limit, 'int8')}` : '') +
    (args.offset ? ` OFFSET ${c.b.param(args.offset, 'int8')}` : '')
  );
}

/** Numbers the rows of a subquery in its order, so json_agg can keep that order. */
function numbered(rows: string): string {
  return `(SELECT _q.*, row_number() OVER () AS _ys_n FROM (${rows}) _q)`;
}

/** A SQL expression giving the JSON array of the rows selected by `args` (and the join to the parent row). */
function listSql(c: Compiler, type: GraphQLObjectType, table: TableInfo, args: ListArgs, nodes: readonly FieldNode[], join?: (child: string) => string): string {
  const s = c.b.alias();
  const rows = rowsSql(c, table, c.b.alias(), args, join);
  return `(SELECT coalesce(json_agg(${objectSql(c, type, s, nodes)} ORDER BY ${s}._ys_n), '[]'::json) FROM ${numbered(rows)} ${s})`;
}

/** `X_aggregate { aggregate { count sum {…} … } nodes {…} }` over the rows selected by `args`. */
function aggregateSql(c: Compiler, type: GraphQLObjectType, table: TableInfo, args: ListArgs, nodes: readonly FieldNode[], join?: (child: string) => string): string {
  const s = c.b.alias();
  const rows = rowsSql(c, table, c.b.alias(), args, join);
  const pairs: string[] = [];
  let listsNodes = false;
  for (const [key, fieldNodes] of collectFields(c, type, mergedSelectionSet(nodes))) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') pairs.push(literal(key), c.b.param(type.name, 'text'));
    else if (name === 'nodes') {
      listsNodes = true;
      const nodeType = getNamedType(type.getFields().nodes!.type) as GraphQLObjectType;
      pairs.push(literal(key), `coalesce(json_agg(${objectSql(c, nodeType, s, fieldNodes)} ORDER BY ${s}._ys_n), '[]'::json)`);
    } else if (name === 'aggregate') {
      const fieldsType = getNamedType(type.getFields().aggregate!.type) as GraphQLObjectType;
      pairs.push(literal(key), aggregateFieldsSql(c, fieldsType, s, fieldNodes));
    }
  }
  // Only `nodes` keeps the rows' order; without it the rows need no numbering, and PostgreSQL can then fold the
  // subquery into the aggregate (the window function kept it a separate step). No gain showed above the
  // machine's noise in the benchmark's one-animal aggregate; larger ones read more rows through the window.
  return `(SELECT ${jsonObject(pairs)} FROM ${listsNodes ? numbered(rows) : `(${rows})`} ${s})`;
}

function aggregateFieldsSql(c: Compiler, type: GraphQLObjectType, s: string, nodes: readonly FieldNode[]): string {
  const pairs: string[] = [];
  for (const [key, fieldNodes] of collectFields(c, type, mergedSelectionSet(nodes))) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') {
      pairs.push(literal(key), c.b.param(type.name, 'text'));
    } else if (name === 'count') {
      const def = type.getFields().count!;
      const args = getArgumentValues(def, fieldNodes[0]!, c.info.variableValues) as { columns?: string[] | null; distinct?: boolean | null };
      const cols = (args.columns ?? []).map((col) => `${s}.${quoteIdent(col)}`);
      const distinct = args.distinct ? 'DISTINCT ' : '';
      if (cols.length === 0) pairs.push(literal(key), distinct ? `count(DISTINCT ${s}.*)` : 'count(*)');
      else if (cols.length === 1) pairs.push(literal(key), `count(${distinct}${cols[0]})`);
      // Several columns: rows where none of them is NULL (PostgreSQL's count of a row value counts all rows).
      else pairs.push(literal(key), `count(${distinct}(${cols.join(', ')})) FILTER (WHERE ${cols.map((x) => `${x} IS NOT NULL`).join(' AND ')})`);
    } else {
      const fn = aggregateFunction(name);
      const opType = getNamedType(type.getFields()[name]!.type) as GraphQLObjectType;
      const inner: string[] = [];
      for (const [k, colNodes] of collectFields(c, opType, mergedSelectionSet(fieldNodes))) {
        const col = colNodes[0]!.name.value;
        if (col === '__typename') inner.push(literal(k), c.b.param(opType.name, 'text'));
        else inner.push(literal(k), `${fn}(${s}.${quoteIdent(col)})`);
      }
      pairs.push(literal(key), jsonObject(inner));
    }
  }
  return jsonObject(pairs);
}

/** The statement's one output column: JSON, or its text when the request wants raw JSON. */
function dataColumn(c: Compiler, expr: string): string {
  return c.ctx.raw ? `(${expr})::text AS data` : `${expr} AS data`;
}

async function runJson(c: Compiler, sql: string): Promise<unknown> {
  for (const t of c.b.read) c.ctx.read.add(t);
  const text = await c.ctx.run(sql, c.b.params);
  if (text === undefined || text === null) return null;
  return c.ctx.raw ? text : JSON.parse(text);
}

function newCompiler(ctx: EngineContext, info: GraphQLResolveInfo): Compiler {
  return { ctx, info, b: new SqlBuilder() };
}

function returnType(info: GraphQLResolveInfo): GraphQLObjectType {
  return getNamedType(info.returnType) as GraphQLObjectType;
}

/** The resolver of every root field: compiles it to one statement and runs it. */
export async function resolveRoot(ctx: EngineContext, kind: RootKind, table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  try {
    return await compileAndRun(ctx, kind, table, args, info);
  } catch (err) {
    // Hasura points an insert's database error at the objects it was given.
    if (err instanceof DatabaseError) throw databaseError(err, kind === 'insert' ? '@.args.objects' : kind === 'insert_one' ? '@.args.object' : undefined);
    throw err;
  }
}

/** A compiled read statement: its text, its bound values and the tables it reads. */
interface Plan {
  sql: string;
  params: unknown[];
  read: string[];
}

/**
 * Compiled reads, kept per role's schema (a new schema after DDL or a permission change starts afresh) and per
 * operation (documents are parsed once per query text), keyed by the root field, the session variables and
 * the variables' values: a dashboard sends the same few requests again and again, and compiling the aggregate
 * of the GraphQL benchmark took ~0.2 ms of a 2.5 ms request on our 2-core machines. Only the statement is
 * kept, never a result: every request still runs it. Hasura keeps query plans the same way.
 */
const plans = new OperationCache<Plan>();

/** The key of a compiled read among its operation's; undefined for a value JSON cannot write (compiled each time). */
function planKey(ctx: EngineContext, info: GraphQLResolveInfo): string | undefined {
  try {
    return JSON.stringify([info.path.key, ctx.raw === true, ctx.session, info.variableValues]);
  } catch {
    return undefined;
  }
}

function compileRead(ctx: EngineContext, kind: 'list' | 'aggregate' | 'by_pk', table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Plan {
  const c = newCompiler(ctx, info);
  let sql: string;
  if (kind === 'list') sql = `SELECT ${dataColumn(c, listSql(c, returnType(info), table, args, info.fieldNodes))}`;
  else if (kind === 'aggregate') {
    if (!ctx.perms.admin && !selectPerm(c, table)?.allowAggregations) throw new HasuraError('permission-error', `aggregations are not allowed on "${table.name}"`);
    sql = `SELECT ${dataColumn(c, aggregateSql(c, returnType(info), table, args, info.fieldNodes))}`;
  } else {
    const t = c.b.alias();
    const cond = pkCondition(c, table, t, args);
    sql = `SELECT ${dataColumn(c, objectSql(c, returnType(info), t, info.fieldNodes))} FROM ${c.b.table(table.name)} ${t} WHERE ${cond} AND ${permissionFilter(c, table, t)}`;
  }
  return { sql, params: c.b.params, read: [...c.b.read] };
}

async function runRead(ctx: EngineContext, kind: 'list' | 'aggregate' | 'by_pk', table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  const key = planKey(ctx, info);
  let plan = key === undefined ? undefined : plans.get(info.schema, info.operation, key);
  if (!plan) {
    plan = compileRead(ctx, kind, table, args, info);
    if (key !== undefined) plans.set(info.schema, info.operation, key, plan);
  }
  for (const t of plan.read) ctx.read.add(t);
  const text = await ctx.run(plan.sql, plan.params);
  if (text === undefined || text === null) return kind === 'list' ? (ctx.raw ? '[]' : []) : null;
  return ctx.raw ? text : JSON.parse(text);
}

async function compileAndRun(ctx: EngineContext, kind: RootKind, table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  if (kind === 'list' || kind === 'aggregate' || kind === 'by_pk') return runRead(ctx, kind, table, args, info);
  const c = newCompiler(ctx, info);
  switch (kind) {
    case 'stream':
      return streamBatch(c, table, args, info);
    case 'insert':
    case 'insert_one':
      return insert(c, kind, table, args, info);
    case 'update':
    case 'update_by_pk':
      return update(c, kind, table, args, info);
    case 'update_many': {
      const out: unknown[] = [];
      for (const u of args.updates as Record<string, unknown>[]) out.push(await update(newCompiler(ctx, info), 'update', table, u, info));
      return ctx.raw ? `[${out.join(',')}]` : out;
    }
    case 'delete':
    case 'delete_by_pk':
      return remove(c, kind, table, args, info);
  }
}

function pkCondition(c: Compiler, table: TableInfo, t: string, values: Record<string, unknown>): string {
  return table.primaryKey.map((k) => `${t}.${quoteIdent(k)} = ${c.b.param(values[k], columnType(table, k))}`).join(' AND ');
}

function columnType(table: TableInfo, column: string): string {
  const col = table.columns.find((c) => c.name === column);
  if (!col) throw new HasuraError('validation-failed', `no column "${column}" in table "${table.name}"`);
  return col.pgType;
}

/**
 * `X_stream(batch_size, cursor, where)`: the next rows after the cursor, in cursor order. The cursor moves to the
 * last row sent; it is kept per subscription between runs (Hasura's streaming subscriptions do the same).
 */
async function streamBatch(c: Compiler, table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  if (c.ctx.raw) throw new HasuraError('validation-failed', 'streaming fields are subscriptions');
  const cursors = (args.cursor as ({ initial_value: Record<string, unknown>; ordering?: 'ASC' | 'DESC' } | null)[]).filter((x) => x);
  if (cursors.length !== 1) throw new HasuraError('validation-failed', 'one streaming cursor is expected', '@.args.cursor');
  const entries = Object.entries(cursors[0]!.initial_value).filter(([, v]) => v !== undefined);
  if (entries.length !== 1) throw new HasuraError('validation-failed', 'the cursor takes exactly one column', '@.args.cursor.initial_value');
  const [column, initial] = entries[0]!;
  const desc = cursors[0]!.ordering === 'DESC';
  const batch = args.batch_size as number;
  if (!Number.isInteger(batch) || batch < 1) throw new HasuraError('validation-failed', 'batch_size must be a positive integer', '@.args.batch_size');
  const key = info.path.key as string;
  const cursor = c.ctx.cursors?.has(key) ? c.ctx.cursors.get(key) : initial;
  const t = c.b.alias();
  const col = `${t}.${quoteIdent(column)}`;
  const type = columnType(table, column);
  const extra = cursor === null || cursor === undefined ? [] : [`${col} ${desc ? '<' : '>'} ${c.b.param(cursor, type)}`];
  const rows = rowsSql(c, table, t, { where: args.where as BoolExp, limit: batch, order_by: [{ [column]: desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST' }] }, undefined, extra);
  const s = c.b.alias();
  const sql =
    `SELECT json_build_object('rows', coalesce(json_agg(${objectSql(c, returnType(info), s, info.fieldNodes)} ORDER BY ${s}._ys_n), '[]'::json),` +
    ` 'cursor', (array_agg(to_json(${s}.${quoteIdent(column)}) ORDER BY ${s}._ys_n DESC))[1]) AS data FROM ${numbered(rows)} ${s}`;
  const result = (await runJson(c, sql)) as { rows: unknown[]; cursor: unknown };
  if (result.rows.length && c.ctx.cursors) c.ctx.cursors.set(key, result.cursor);
  return result.rows;
}

/** The role's presets (`set`), session variables replaced. */
function presetValues(c: Compiler, set: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(set ?? {})) out[k] = sessionValue(c, v);
  return out;
}

/**
 * Ends a mutation's statement: the role's `check` is evaluated on every row the mutation wrote (RETURNING),
 * and a failing row makes the whole statement fail; otherwise the answer is built from those rows.
 */
function mutationAnswer(c: Compiler, kind: RootKind, mutation: string, info: GraphQLResolveInfo): string {
  const r = c.b.alias();
  const one = kind.endsWith('_one') || kind.endsWith('_by_pk');
  let answer: string;
  if (one) {
    answer = `(SELECT ${objectSql(c, returnType(info), r, info.fieldNodes)} FROM _m ${r} LIMIT 1)`;
  } else {
    const type = returnType(info);
    const pairs: string[] = [];
    for (const [key, fieldNodes] of collectFields(c, type, mergedSelectionSet(info.fieldNodes))) {
      const name = fieldNodes[0]!.name.value;
      if (name === '__typename') pairs.push(literal(key), c.b.param(type.name, 'text'));
      else if (name === 'affected_rows') pairs.push(literal(key), '(SELECT count(*) FROM _m)');
      else if (name === 'returning') {
        const rowType = getNamedType(type.getFields().returning!.type) as GraphQLObjectType;
        pairs.push(literal(key), `(SELECT coalesce(json_agg(${objectSql(c, rowType, r, fieldNodes)}), '[]'::json) FROM _m ${r})`);
      }
    }
    answer = jsonObject(pairs);
  }
  const failed = c.b.param('check constraint of an insert/update permission has failed', 'text');
  return `WITH _m AS (${mutation}) SELECT ${dataColumn(c, `CASE WHEN EXISTS (SELECT 1 FROM _m WHERE NOT coalesce(_m._ys_check, false)) THEN office.permission_check_failed(${failed}) ELSE ${answer} END`)}`;
}

async function runMutation(c: Compiler, table: TableInfo, sql: string): Promise<unknown> {
  c.ctx.written.add(table.name);
  return runJson(c, sql);
}

async function insert(c: Compiler, kind: RootKind, table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  const perm = c.ctx.perms.admin ? undefined : c.ctx.perms.tables?.get(table.name)?.insert;
  if (!c.ctx.perms.admin && !perm) throw new HasuraError('permission-error', `no insert permission on "${table.name}"`);
  const objects = kind === 'insert_one' ? [args.object as Record<string, unknown>] : (args.objects as Record<string, unknown>[]);
  if (objects.length === 0 && kind === 'insert') return { affected_rows: 0, returning: [] };
  const presets = presetValues(c, perm?.set);
  const rows = objects.map((o) => ({ ...o, ...presets }));
  const columns = [...new Set(rows.flatMap((o) => Object.keys(o)))];
  const t = '_t';
  const values = rows.map((o) => `(${columns.map((col) => (col in o ? c.b.param(o[col], columnType(table, col)) : 'DEFAULT')).join(', ')})`);
  let sql = columns.length
    ? `INSERT INTO ${c.b.table(table.name)} AS ${t} (${columns.map(quoteIdent).join(', ')}) VALUES ${values.join(', ')}`
    : `INSERT INTO ${c.b.table(table.name)} AS ${t} DEFAULT VALUES`;
  if (!columns.length && rows.length > 1) throw new HasuraError('validation-failed', 'several rows without any column cannot be inserted in one request');
  const onConflict = args.on_conflict as { constraint: string; update_columns: string[]; where?: BoolExp | null } | undefined | null;
  if (onConflict) {
    const updatePerm = c.ctx.perms.admin ? undefined : c.ctx.perms.tables?.get(table.name)?.update;
    if (onConflict.update_columns.length === 0) sql += ` ON CONFLICT ON CONSTRAINT ${quoteIdent(onConflict.constraint)} DO NOTHING`;
    else {
      const sets = onConflict.update_columns.map((col) => `${quoteIdent(col)} = EXCLUDED.${quoteIdent(col)}`);
      const conds = [whereSql(c, table, t, onConflict.where), updatePerm ? whereSql(c, table, t, updatePerm.filter, 'permission') : 'TRUE'];
      sql += ` ON CONFLICT ON CONSTRAINT ${quoteIdent(onConflict.constraint)} DO UPDATE SET ${sets.join(', ')} WHERE ${conds.join(' AND ')}`;
    }
  }
  const check = perm ? whereSql(c, table, t, perm.check, 'permission') : 'TRUE';
  sql += ` RETURNING ${t}.*, (${check}) AS _ys_check`;
  return runMutation(c, table, mutationAnswer(c, kind, sql, info));
}

async function update(c: Compiler, kind: RootKind, table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  const perm = c.ctx.perms.admin ? undefined : c.ctx.perms.tables?.get(table.name)?.update;
  if (!c.ctx.perms.admin && !perm) throw new HasuraError('permission-error', `no update permission on "${table.name}"`);
  const t = '_t';
  const set = { ...((args._set as Record<string, unknown> | null) ?? {}), ...presetValues(c, perm?.set) };
  const inc = (args._inc as Record<string, unknown> | null) ?? {};
  const assignments = [
    ...Object.entries(set).map(([col, v]) => `${quoteIdent(col)} = ${c.b.param(v, columnType(table, col))}`),
    ...Object.entries(inc).map(([col, v]) => `${quoteIdent(col)} = ${t}.${quoteIdent(col)} + ${c.b.param(v, columnType(table, col))}`),
  ];
  if (assignments.length === 0) throw new HasuraError('validation-failed', 'at least any one of _set, _inc is expected', '@.args');
  const where = kind === 'update_by_pk' ? pkCondition(c, table, t, args.pk_columns as Record<string, unknown>) : whereSql(c, table, t, args.where as BoolExp);
  const filter = perm ? whereSql(c, table, t, perm.filter, 'permission') : 'TRUE';
  const check = perm?.check ? whereSql(c, table, t, perm.check, 'permission') : 'TRUE';
  const sql = `UPDATE ${c.b.table(table.name)} AS ${t} SET ${assignments.join(', ')} WHERE ${where} AND ${filter} RETURNING ${t}.*, (${check}) AS _ys_check`;
  return runMutation(c, table, mutationAnswer(c, kind, sql, info));
}

async function remove(c: Compiler, kind: RootKind, table: TableInfo, args: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown> {
  const perm = c.ctx.perms.admin ? undefined : c.ctx.perms.tables?.get(table.name)?.delete;
  if (!c.ctx.perms.admin && !perm) throw new HasuraError('permission-error', `no delete permission on "${table.name}"`);
  const t = '_t';
  const where = kind === 'delete_by_pk' ? pkCondition(c, table, t, args) : whereSql(c, table, t, args.where as BoolExp);
  const filter = perm ? whereSql(c, table, t, perm.filter, 'permission') : 'TRUE';
  const sql = `DELETE FROM ${c.b.table(table.name)} AS ${t} WHERE ${where} AND ${filter} RETURNING ${t}.*, TRUE AS _ys_check`;
  return runMutation(c, table, mutationAnswer(c, kind, sql, info));
}

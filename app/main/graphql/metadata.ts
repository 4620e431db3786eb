// Hasura's metadata API (POST /v1/metadata) for what this office keeps as metadata: permissions per role and
// table (office.graphql_permissions) and each role's protection limits (office.graphql_roles). Admin only.
// The core here turns a request into a status and a body; app/main/office/api-server.ts is the HTTP adapter.
import type { Database, Queryable } from '../../db/index.ts';
import { readCatalog, type TableInfo } from './catalog.ts';
import { accessDenied, HasuraApiError, isPlainObject, jsonTypeName, pathKey } from './hasura-error.ts';
import { COMPARISON_OPERATORS } from './compile.ts';
import { isAdminRole } from './types.ts';

export type PermissionAction = 'select' | 'insert' | 'update' | 'delete';
const ACTIONS: readonly PermissionAction[] = ['select', 'insert', 'update', 'delete'];

/** The role names office.graphql_permissions and office.graphql_roles accept (their CHECK constraint). */
const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/**
 * The keys each permission may hold, and which are required (as Hasura parses them). Hasura keys this office
 * does not implement (query_root_fields, computed fields, backend_only inserts) are refused rather than stored
 * and ignored: a restriction that silently does nothing would grant more than the admin meant.
 */
const PERMISSION_KEYS: Record<PermissionAction, { required: string[]; optional: string[] }> = {
  select: { required: ['columns', 'filter'], optional: ['limit', 'allow_aggregations', 'computed_fields'] },
  insert: { required: ['check'], optional: ['columns', 'set', 'backend_only'] },
  update: { required: ['columns', 'filter'], optional: ['check', 'set', 'backend_only'] },
  delete: { required: ['filter'], optional: ['backend_only'] },
};

const ROLE_LIMIT_KEYS = ['max_depth', 'max_aliases', 'max_cost', 'statement_timeout_ms', 'introspection'] as const;

export type Operation =
  | { kind: 'create'; action: PermissionAction; table: string; role: string; permission: Record<string, unknown>; comment: string | null; path: string }
  | { kind: 'drop'; action: PermissionAction; table: string; role: string; path: string }
  | { kind: 'comment'; action: PermissionAction; table: string; role: string; comment: string | null; path: string }
  | { kind: 'role_limits'; role: string; limits: RoleLimitsRow; path: string }
  | { kind: 'export'; path: string }
  | { kind: 'bulk'; items: Operation[]; path: string };

export interface RoleLimitsRow {
  max_depth: number | null;
  max_aliases: number | null;
  max_cost: number | null;
  statement_timeout_ms: number | null;
  introspection: boolean;
}

const parseFailed = (message: string, path: string) => new HasuraApiError(400, 'parse-failed', message, path);
const validationFailed = (message: string, path: string) => new HasuraApiError(400, 'validation-failed', message, path);
const notExists = (message: string, path: string) => new HasuraApiError(400, 'not-exists', message, path);
const expected = (type: string, value: unknown, path: string) => parseFailed(`expected ${type}, but encountered ${jsonTypeName(value)}`, path);

function required(args: Record<string, unknown>, key: string, path: string): unknown {
  if (args[key] === undefined) throw parseFailed(`key ${JSON.stringify(key)} not found`, path);
  return args[key];
}

function parseSource(args: Record<string, unknown>, path: string): void {
  if (args.source !== undefined && args.source !== 'default') {
    throw notExists(`source with name ${JSON.stringify(String(args.source))} does not exist`, pathKey(path, 'source'));
  }
}

/** Hasura's TableName: "animals" or {"schema": "public", "name": "animals"}. Only `public` is served. */
function parseTable(args: Record<string, unknown>, path: string): string {
  const at = pathKey(path, 'table');
  const value = required(args, 'table', path);
  if (typeof value === 'string') return value;
  if (!isPlainObject(value)) throw expected('String or Object', value, at);
  if (typeof value.name !== 'string') throw value.name === undefined ? parseFailed('key "name" not found', at) : expected('String', value.name, pathKey(at, 'name'));
  const schema = value.schema ?? 'public';
  if (typeof schema !== 'string') throw expected('String', schema, pathKey(at, 'schema'));
  if (schema !== 'public') throw notExists(`table "${schema}.${value.name}" does not exist in source: default (only the public schema is served)`, at);
  return value.name;
}

function parseRole(args: Record<string, unknown>, path: string): string {
  const at = pathKey(path, 'role');
  const role = required(args, 'role', path);
  if (typeof role !== 'string') throw expected('String', role, at);
  if (isAdminRole(role)) throw validationFailed(`the admin role has every permission and no limits: it cannot be given permissions or limits`, at);
  if (!ROLE_NAME.test(role)) throw validationFailed(`invalid role name ${JSON.stringify(role)}: a letter, then up to 62 letters, digits, "_" or "-"`, at);
  return role;
}

function parseComment(args: Record<string, unknown>, path: string): string | null {
  const comment = args.comment ?? null;
  if (comment !== null && typeof comment !== 'string') throw expected('String', comment, pathKey(path, 'comment'));
  return comment;
}

function parseAction(value: unknown, path: string): PermissionAction {
  if (typeof value !== 'string') throw expected('String', value, path);
  if (!(ACTIONS as readonly string[]).includes(value)) throw parseFailed(`unknown permission type ${JSON.stringify(value)}: one of select, insert, update, delete`, path);
  return value as PermissionAction;
}

function parseRoleLimits(args: Record<string, unknown>, path: string): RoleLimitsRow {
  for (const key of Object.keys(args)) {
    if (key !== 'role' && key !== 'source' && !(ROLE_LIMIT_KEYS as readonly string[]).includes(key)) {
      throw validationFailed(`unknown key ${JSON.stringify(key)}: role limits are ${ROLE_LIMIT_KEYS.join(', ')}`, pathKey(path, key));
    }
  }
  const int = (key: string, min: number): number | null => {
    const v = args[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number') throw expected('Number', v, pathKey(path, key));
    if (!Number.isInteger(v) || v < min || v > 2_147_483_647) throw validationFailed(`${key} must be a whole number from ${min} to 2147483647`, pathKey(path, key));
    return v;
  };
  const cost = args.max_cost;
  if (cost !== undefined && cost !== null && typeof cost !== 'number') throw expected('Number', cost, pathKey(path, 'max_cost'));
  if (typeof cost === 'number' && !(cost > 0 && Number.isFinite(cost))) throw validationFailed('max_cost must be a positive number', pathKey(path, 'max_cost'));
  const introspection = args.introspection ?? true;
  if (typeof introspection !== 'boolean') throw expected('Boolean', introspection, pathKey(path, 'introspection'));
  return {
    max_depth: int('max_depth', 1),
    max_aliases: int('max_aliases', 0),
    max_cost: typeof cost === 'number' ? cost : null,
    statement_timeout_ms: int('statement_timeout_ms', 1),
    introspection,
  };
}

const PERMISSION_TYPE = /^(?:pg_)?(create|drop)_(select|insert|update|delete)_permission$/;

function parseOperation(query: unknown, path: string): Operation {
  if (!isPlainObject(query)) throw expected('Object', query, path);
  const type = query.type;
  if (typeof type !== 'string') throw type === undefined ? parseFailed('key "type" not found', path) : expected('String', type, pathKey(path, 'type'));
  const argsPath = pathKey(path, 'args');
  if (type === 'bulk') {
    if (!Array.isArray(query.args)) throw expected('Array', query.args, argsPath);
    return { kind: 'bulk', items: query.args.map((q: unknown, i) => parseOperation(q, pathKey(argsPath, i))), path };
  }
  const args = query.args ?? {};
  if (!isPlainObject(args)) throw expected('Object', args, argsPath);
  if (type === 'export_metadata') return { kind: 'export', path };
  parseSource(args, argsPath);
  const m = PERMISSION_TYPE.exec(type);
  if (m) {
    const action = m[2] as PermissionAction;
    const table = parseTable(args, argsPath);
    const role = parseRole(args, argsPath);
    if (m[1] === 'drop') return { kind: 'drop', action, table, role, path: argsPath };
    const permission = required(args, 'permission', argsPath);
    if (!isPlainObject(permission)) throw expected('Object', permission, pathKey(argsPath, 'permission'));
    return { kind: 'create', action, table, role, permission, comment: parseComment(args, argsPath), path: argsPath };
  }
  if (type === 'pg_set_permission_comment' || type === 'set_permission_comment') {
    const action = parseAction(required(args, 'type', argsPath), pathKey(argsPath, 'type'));
    return { kind: 'comment', action, table: parseTable(args, argsPath), role: parseRole(args, argsPath), comment: parseComment(args, argsPath), path: argsPath };
  }
  if (type === 'pg_set_role_limits') return { kind: 'role_limits', role: parseRole(args, argsPath), limits: parseRoleLimits(args, argsPath), path: argsPath };
  throw parseFailed(
    `unknown metadata request type ${JSON.stringify(type)}: this office supports pg_create_*_permission, pg_drop_*_permission, ` +
      'pg_set_permission_comment, pg_set_role_limits, export_metadata and bulk',
    pathKey(path, 'type'),
  );
}

const OPERATORS = COMPARISON_OPERATORS;

/**
 * Checks a boolean expression against the catalog and the grammar the engine compiles: every key is _and/_or (a
 * list of expressions), _not (an expression), _exists ({"_table", "_where"}), a column (an object of comparison
 * operators such as {"_eq": "X-Hasura-User-Id"}), or a relationship (an expression on the related table).
 */
function checkBoolExp(exp: unknown, table: TableInfo, tables: ReadonlyMap<string, TableInfo>, path: string): void {
  if (!isPlainObject(exp)) throw validationFailed(`expected a boolean expression (a JSON object), but encountered ${jsonTypeName(exp)}`, path);
  for (const [key, value] of Object.entries(exp)) {
    const at = pathKey(path, key);
    if (key === '_and' || key === '_or') {
      if (!Array.isArray(value)) throw validationFailed(`${key} takes a list of boolean expressions, but encountered ${jsonTypeName(value)}`, at);
      value.forEach((e, i) => checkBoolExp(e, table, tables, pathKey(at, i)));
    } else if (key === '_not') {
      checkBoolExp(value, table, tables, at);
    } else if (key === '_exists') {
      if (!isPlainObject(value)) throw validationFailed('_exists takes {"_table": …, "_where": …}', at);
      const name = isPlainObject(value._table) && (value._table.schema ?? 'public') === 'public' ? value._table.name : value._table;
      const target = typeof name === 'string' ? tables.get(name) : undefined;
      if (!target) throw notExists(`table ${JSON.stringify(typeof name === 'string' ? name : value._table)} does not exist in source: default`, pathKey(at, '_table'));
      if (value._where !== undefined) checkBoolExp(value._where, target, tables, pathKey(at, '_where'));
    } else if (table.columns.some((c) => c.name === key)) {
      if (!isPlainObject(value)) throw validationFailed(`expected an object of comparison operators such as {"_eq": …}, but encountered ${jsonTypeName(value)}`, at);
      for (const op of Object.keys(value)) if (!OPERATORS.has(op)) throw validationFailed(`unknown operator ${JSON.stringify(op)}`, pathKey(at, op));
    } else {
      const rel = table.relationships.find((r) => r.name === key);
      if (!rel) throw notExists(`no column or relationship ${JSON.stringify(key)} in table "${table.name}"`, at);
      checkBoolExp(value, tables.get(rel.target)!, tables, at);
    }
  }
}

function checkColumns(value: unknown, table: TableInfo, path: string): void {
  if (value === '*') return;
  if (!Array.isArray(value)) throw expected('"*" or an Array of column names', value, path);
  value.forEach((c: unknown, i) => {
    if (typeof c !== 'string') throw expected('String', c, pathKey(path, i));
    if (!table.columns.some((col) => col.name === c)) throw notExists(`column ${JSON.stringify(c)} does not exist in table "${table.name}"`, pathKey(path, i));
  });
}

/** Validates a permission object at the boundary, against the table it is for. */
export function checkPermission(action: PermissionAction, permission: Record<string, unknown>, table: TableInfo, tables: ReadonlyMap<string, TableInfo>, path: string): void {
  const { required: must, optional } = PERMISSION_KEYS[action];
  for (const key of must) if (permission[key] === undefined) throw parseFailed(`key ${JSON.stringify(key)} not found`, path);
  for (const key of Object.keys(permission)) {
    if (!must.includes(key) && !optional.includes(key)) throw validationFailed(`${JSON.stringify(key)} is not supported in a ${action} permission by this office`, pathKey(path, key));
  }
  const p = permission;
  if (p.columns !== undefined) checkColumns(p.columns, table, pathKey(path, 'columns'));
  if (p.filter !== undefined) checkBoolExp(p.filter, table, tables, pathKey(path, 'filter'));
  if (p.check !== undefined && p.check !== null) checkBoolExp(p.check, table, tables, pathKey(path, 'check'));
  if (p.set !== undefined && p.set !== null) {
    if (!isPlainObject(p.set)) throw validationFailed(`set must be an object of column presets, but encountered ${jsonTypeName(p.set)}`, pathKey(path, 'set'));
    for (const c of Object.keys(p.set)) {
      if (!table.columns.some((col) => col.name === c)) throw notExists(`column ${JSON.stringify(c)} does not exist in table "${table.name}"`, pathKey(pathKey(path, 'set'), c));
    }
  }
  if (p.limit !== undefined && p.limit !== null && !(typeof p.limit === 'number' && Number.isInteger(p.limit) && p.limit >= 0)) {
    throw validationFailed('limit must be a whole number, 0 or more', pathKey(path, 'limit'));
  }
  if (p.allow_aggregations !== undefined && typeof p.allow_aggregations !== 'boolean') throw expected('Boolean', p.allow_aggregations, pathKey(path, 'allow_aggregations'));
  if (p.computed_fields !== undefined && !(Array.isArray(p.computed_fields) && p.computed_fields.length === 0)) {
    throw validationFailed('this office has no computed fields', pathKey(path, 'computed_fields'));
  }
  if (p.backend_only !== undefined && p.backend_only !== false) throw validationFailed('backend_only permissions are not supported by this office', pathKey(path, 'backend_only'));
}

interface PermissionRow {
  role: string;
  table_name: string;
  action: PermissionAction;
  permission: Record<string, unknown>;
  comment: string | null;
}

/** The metadata in Hasura's export shape (version 3), plus this office's role limits. */
export async function exportMetadata(db: Queryable): Promise<Record<string, unknown>> {
  const catalog = await readCatalog(db);
  const { rows: permissions } = await db.query<PermissionRow>(
    'SELECT role, table_name, action, permission, comment FROM office.graphql_permissions ORDER BY table_name, action, role',
  );
  const { rows: roles } = await db.query<RoleLimitsRow & { role: string }>(
    'SELECT role, max_depth, max_aliases, max_cost, statement_timeout_ms, introspection FROM office.graphql_roles ORDER BY role',
  );
  // Every table of `public` is served, so every one is listed; a permission left on a table dropped since is
  // listed too (it is still stored, and ignored until such a table exists again).
  const names = [...new Set([...catalog.tables.map((t) => t.name), ...permissions.map((p) => p.table_name)])].sort();
  const tables = names.map((name) => {
    const entry: Record<string, unknown> = { table: { schema: 'public', name } };
    for (const action of ACTIONS) {
      const list = permissions
        .filter((p) => p.table_name === name && p.action === action)
        .map((p) => ({ role: p.role, permission: p.permission, ...(p.comment === null ? {} : { comment: p.comment }) }));
      if (list.length) entry[`${action}_permissions`] = list;
    }
    return entry;
  });
  const noIntrospection = roles.filter((r) => !r.introspection).map((r) => r.role);
  return {
    version: 3,
    sources: [{ name: 'default', kind: 'postgres', tables }],
    ...(noIntrospection.length ? { graphql_schema_introspection: { disabled_for_roles: noIntrospection } } : {}),
    // Not Hasura's: the protection limits of each role (pg_set_role_limits); null means the default.
    role_limits: roles,
  };
}

const SUCCESS = { message: 'success' } as const;

const changes = (op: Operation): boolean => (op.kind === 'bulk' ? op.items.some(changes) : op.kind !== 'export');

const permissionName = (action: string, table: string, role: string) => `${action} permission on "${table}" for role "${role}"`;

/** Carries out one request (a bulk: each of its requests in turn) and gives its answer. */
async function apply(tx: Queryable, op: Operation, tables: () => Promise<Map<string, TableInfo>>): Promise<unknown> {
  switch (op.kind) {
    case 'bulk': {
      const answers: unknown[] = [];
      for (const item of op.items) answers.push(await apply(tx, item, tables));
      return answers;
    }
    case 'export':
      return exportMetadata(tx);
    case 'create': {
      const all = await tables();
      const table = all.get(op.table);
      if (!table) throw notExists(`table ${JSON.stringify(op.table)} does not exist in source: default`, pathKey(op.path, 'table'));
      checkPermission(op.action, op.permission, table, all, pathKey(op.path, 'permission'));
      const { rows } = await tx.query(
        `INSERT INTO office.graphql_permissions (role, table_name, action, permission, comment) VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (role, table_name, action) DO NOTHING RETURNING role`,
        [op.role, op.table, op.action, JSON.stringify(op.permission), op.comment],
      );
      if (!rows.length) throw new HasuraApiError(400, 'already-exists', `${op.action} permission already defined on table "${op.table}" with role "${op.role}"`, op.path);
      return SUCCESS;
    }
    case 'drop':
    case 'comment': {
      // No check of the table first: a permission left on a table dropped since can still be dropped.
      const { rows } =
        op.kind === 'drop'
          ? await tx.query('DELETE FROM office.graphql_permissions WHERE role = $1 AND table_name = $2 AND action = $3 RETURNING role', [op.role, op.table, op.action])
          : await tx.query('UPDATE office.graphql_permissions SET comment = $4, updated_at = now() WHERE role = $1 AND table_name = $2 AND action = $3 RETURNING role', [
              op.role,
              op.table,
              op.action,
              op.comment,
            ]);
      if (rows.length) return SUCCESS;
      if (!(await tables()).has(op.table)) throw notExists(`table ${JSON.stringify(op.table)} does not exist in source: default`, pathKey(op.path, 'table'));
      throw notExists(`${permissionName(op.action, op.table, op.role)} does not exist`, op.path);
    }
    case 'role_limits': {
      const l = op.limits;
      await tx.query(
        `INSERT INTO office.graphql_roles (role, max_depth, max_aliases, max_cost, statement_timeout_ms, introspection) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (role) DO UPDATE SET max_depth = EXCLUDED.max_depth, max_aliases = EXCLUDED.max_aliases, max_cost = EXCLUDED.max_cost,
           statement_timeout_ms = EXCLUDED.statement_timeout_ms, introspection = EXCLUDED.introspection`,
        [op.role, l.max_depth, l.max_aliases, l.max_cost, l.statement_timeout_ms, l.introspection],
      );
      return SUCCESS;
    }
  }
}

export interface MetadataApiDeps {
  db: Database;
  /** Re-reads the catalog and the permissions (GraphqlEngine.rebuild). */
  rebuild(): Promise<void>;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Runs a metadata request (a bulk is all or nothing: one transaction) and gives its answer: `{"message":
 * "success"}` for a change, the metadata for export_metadata, a list for a bulk. The engine is rebuilt after a
 * change committed, before the answer goes out.
 */
export async function runMetadata(deps: MetadataApiDeps, op: Operation): Promise<unknown> {
  let catalog: Map<string, TableInfo> | undefined;
  const answer = await deps.db.transaction(async (tx) =>
    apply(tx, op, async () => (catalog ??= new Map((await readCatalog(tx)).tables.map((t) => [t.name, t])))),
  );
  if (changes(op)) {
    await deps.rebuild().catch((err: unknown) => deps.warn('the GraphQL schema could not be rebuilt after a metadata change', { err: err as Error }));
  }
  return answer;
}

/** The whole /v1/metadata exchange, HTTP aside: who asks (role), what they sent, and what to answer. */
export async function handleMetadataQuery(deps: MetadataApiDeps, role: string, body: unknown): Promise<{ status: number; body: unknown }> {
  try {
    if (!isAdminRole(role)) throw accessDenied();
    return { status: 200, body: await runMetadata(deps, parseOperation(body, '$')) };
  } catch (err) {
    if (err instanceof HasuraApiError) return { status: err.status, body: err.body() };
    throw err;
  }
}

import type { Queryable } from '../../db/index.ts';
import type { Catalog, TableInfo } from './catalog.ts';
import { ADMIN_ROLE } from './types.ts';

/** A Hasura boolean expression as stored in a permission (values may name session variables). */
export type BoolExp = Record<string, unknown>;

export interface SelectPermission {
  columns: ReadonlySet<string>;
  filter: BoolExp;
  limit?: number;
  allowAggregations: boolean;
}
export interface InsertPermission {
  columns: ReadonlySet<string>;
  check: BoolExp;
  set: Record<string, unknown>;
}
export interface UpdatePermission {
  columns: ReadonlySet<string>;
  filter: BoolExp;
  check?: BoolExp;
  set: Record<string, unknown>;
}
export interface DeletePermission {
  filter: BoolExp;
}
export interface TablePermissions {
  select?: SelectPermission;
  insert?: InsertPermission;
  update?: UpdatePermission;
  delete?: DeletePermission;
}

/** Checked before a request runs (see protection.ts). */
export interface RoleLimits {
  maxDepth?: number;
  maxAliases?: number;
  maxCost?: number;
  statementTimeoutMs?: number;
  introspection: boolean;
}

/** What one role may do; `admin` may do everything and is not limited. */
export interface RolePermissions {
  role: string;
  admin: boolean;
  /** undefined for admin (every table, every column, no filter). */
  tables?: ReadonlyMap<string, TablePermissions>;
  limits: RoleLimits;
}

export const DEFAULT_LIMITS: Required<Omit<RoleLimits, 'introspection'>> = {
  maxDepth: 10,
  maxAliases: 50,
  // PostgreSQL planner cost units (EXPLAIN's total cost) of one root field's statement.
  maxCost: 5_000_000,
  statementTimeoutMs: 10_000,
};

export const ADMIN_PERMISSIONS: RolePermissions = { role: ADMIN_ROLE, admin: true, limits: { introspection: true } };

export class MetadataError extends Error {
  override name = 'MetadataError';
}

function columnSet(table: TableInfo, value: unknown, where: string): Set<string> {
  if (value === '*') return new Set(table.columns.map((c) => c.name));
  if (!Array.isArray(value)) throw new MetadataError(`${where}: columns must be "*" or a list of column names`);
  const names = new Set(table.columns.map((c) => c.name));
  for (const c of value) if (typeof c !== 'string' || !names.has(c)) throw new MetadataError(`${where}: no column "${String(c)}" in table "${table.name}"`);
  return new Set(value as string[]);
}

function boolExp(value: unknown, where: string): BoolExp {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new MetadataError(`${where} must be an object (a boolean expression)`);
  return value as BoolExp;
}

function presets(table: TableInfo, value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new MetadataError(`${where}: set must be an object of column presets`);
  for (const c of Object.keys(value)) if (!table.columns.some((col) => col.name === c)) throw new MetadataError(`${where}: no column "${c}" in table "${table.name}"`);
  return value as Record<string, unknown>;
}

/** Validates one stored permission object against the catalog and gives its normalised form. */
export function parsePermission(table: TableInfo, action: string, p: Record<string, unknown>, where = `${table.name}.${action}`): TablePermissions {
  switch (action) {
    case 'select': {
      const limit = p.limit;
      if (limit !== undefined && limit !== null && (!Number.isInteger(limit) || (limit as number) < 0)) throw new MetadataError(`${where}: limit must be a non-negative integer`);
      return {
        select: {
          columns: columnSet(table, p.columns ?? [], where),
          filter: boolExp(p.filter, `${where}: filter`),
          limit: (limit as number | null | undefined) ?? undefined,
          allowAggregations: p.allow_aggregations === true,
        },
      };
    }
    case 'insert':
      return { insert: { columns: columnSet(table, p.columns ?? [], where), check: boolExp(p.check, `${where}: check`), set: presets(table, p.set, where) } };
    case 'update':
      return {
        update: {
          columns: columnSet(table, p.columns ?? [], where),
          filter: boolExp(p.filter, `${where}: filter`),
          check: p.check === undefined || p.check === null ? undefined : boolExp(p.check, `${where}: check`),
          set: presets(table, p.set, where),
        },
      };
    case 'delete':
      return { delete: { filter: boolExp(p.filter, `${where}: filter`) } };
    default:
      throw new MetadataError(`${where}: unknown action ${action}`);
  }
}

/**
 * Reads every role's permissions and limits (office.graphql_permissions, office.graphql_roles). A permission that
 * names a table or column the catalog no longer has is skipped with a warning rather than stopping the office.
 */
export async function loadPermissions(db: Queryable, catalog: Catalog, warn: (message: string) => void = () => {}): Promise<Map<string, RolePermissions>> {
  const { rows } = await db.query<{ role: string; table_name: string; action: string; permission: Record<string, unknown> }>(
    'SELECT role, table_name, action, permission FROM office.graphql_permissions ORDER BY role, table_name, action',
  );
  const { rows: limits } = await db.query<{ role: string; max_depth: number | null; max_aliases: number | null; max_cost: number | null; statement_timeout_ms: number | null; introspection: boolean }>(
    'SELECT role, max_depth, max_aliases, max_cost, statement_timeout_ms, introspection FROM office.graphql_roles',
  );
  const tables = new Map(catalog.tables.map((t) => [t.name, t]));
  const roles = new Map<string, RolePermissions>();
  const roleOf = (role: string) => {
    let r = roles.get(role);
    if (!r) roles.set(role, (r = { role, admin: false, tables: new Map(), limits: { introspection: true } }));
    return r;
  };
  for (const l of limits) {
    roleOf(l.role).limits = {
      maxDepth: l.max_depth ?? undefined,
      maxAliases: l.max_aliases ?? undefined,
      maxCost: l.max_cost ?? undefined,
      statementTimeoutMs: l.statement_timeout_ms ?? undefined,
      introspection: l.introspection,
    };
  }
  for (const row of rows) {
    const table = tables.get(row.table_name);
    if (!table) {
      warn(`permission of role ${row.role} on missing table ${row.table_name} ignored`);
      continue;
    }
    try {
      const parsed = parsePermission(table, row.action, row.permission);
      const perms = roleOf(row.role).tables as Map<string, TablePermissions>;
      perms.set(table.name, { ...perms.get(table.name), ...parsed });
    } catch (err) {
      warn(`permission ignored: ${(err as Error).message}`);
    }
  }
  return roles;
}

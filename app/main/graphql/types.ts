import type { DocumentNode, ExecutionResult } from 'graphql';

/**
 * Who a GraphQL request runs as: a role and Hasura's session variables (`x-hasura-user-id`, …; keys
 * lower-case). Permissions (office.graphql_permissions) are applied per request from these.
 */
export interface SessionContext {
  role: string;
  session: Readonly<Record<string, string>>;
}

export const ADMIN_ROLE = 'admin';
export const ADMIN: SessionContext = Object.freeze({ role: ADMIN_ROLE, session: Object.freeze({ 'x-hasura-role': ADMIN_ROLE }) });

/**
 * The session of a request from its headers, as Hasura reads them when a request is already trusted as admin:
 * `x-hasura-role` picks the role, every other `x-hasura-*` header is a session variable. The API port is bound
 * to loopback and every caller there is the farm office itself; remote access with JWTs is issue 5's work.
 */
export function sessionFromHeaders(headers: Record<string, string | string[] | undefined>): SessionContext {
  const session: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!key.startsWith('x-hasura-') || key === 'x-hasura-admin-secret' || value === undefined) continue;
    session[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const role = session['x-hasura-role'] ?? ADMIN_ROLE;
  session['x-hasura-role'] = role;
  return { role, session };
}

/** One GraphQL operation to run. */
export interface OperationRequest {
  query: string | DocumentNode;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  context: SessionContext;
}

/** Tells listeners which tables of the `public` schema changed (ingest, mutations, run_sql). */
export interface ChangeFeed {
  onChange(listener: (tables: ReadonlySet<string>) => void): () => void;
}

/** What the live-query hub needs to keep one subscription current. */
export interface LiveQuerySpec {
  /**
   * Live queries with the same key (role, session variables, document, variables) share one run and one
   * result; undefined when the subscription has its own state (a streaming cursor).
   */
  shareKey?: string;
  /** The tables whose change may change the result. */
  tables: ReadonlySet<string>;
  /** Runs the query; undefined means there is nothing to send this time (a stream without new rows). */
  run(): Promise<ExecutionResult | undefined>;
  /** true: send a result only when it differs from the last one sent (live queries); false: send every result (streams). */
  onlyChanges: boolean;
}

export type { ExecutionResult };

/** The farm's owner: the engine treats the role exactly as `admin` (issue 5). */
export const OWNER_ROLE = 'owner';

/** Roles with every permission and no limits. */
export function isAdminRole(role: string): boolean {
  return role === ADMIN_ROLE || role === OWNER_ROLE;
}

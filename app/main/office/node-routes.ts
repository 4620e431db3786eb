// Provisioning, rotating and revoking nodes from the dashboard. A node's token is made here, by the office,
// because GraphQL cannot generate one (and never sees token hashes): the same functions the CLI calls.
import type http from 'node:http';
import type { Database } from '../../db/index.ts';
import { NodeInputError, provisionNode, revokeNode, rotateNodeToken } from '../../ingest-server/node-registry.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { ADMIN_ROLE, OWNER_ROLE } from '../graphql/types.ts';
import { HttpError, readJsonObject, sendHttpError, sendJson } from './json-route.ts';

/** Who may make, rotate and revoke node tokens (the manager's role description includes nodes). */
const NODE_MANAGER_ROLES: readonly string[] = [ADMIN_ROLE, OWNER_ROLE, 'manager'];

export interface NodeRouteOptions {
  db: Database;
  auth: AuthService;
  /** Where nodes post (the ingest listener's URL as it is bound). */
  ingestUrl: string | undefined;
  onChange: (what: string) => void;
}

const RouteError = HttpError;
const send = sendJson;
const readBody = (req: http.IncomingMessage) => readJsonObject(req);

/** The session's role, or 401 (no or a bad token) as the /auth routes answer it. */
async function roleOf(auth: AuthService, req: http.IncomingMessage): Promise<string> {
  try {
    return (await auth.authenticate(req.headers)).role;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') throw err;
    throw new RouteError(code === 'access-denied' ? 403 : 401, code, (err as Error).message);
  }
}

async function requireNodeManager(auth: AuthService, req: http.IncomingMessage): Promise<void> {
  const role = await roleOf(auth, req);
  if (!NODE_MANAGER_ROLES.includes(role)) throw new RouteError(403, 'access-denied', 'only the owner or a manager may provision, rotate or revoke nodes');
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new RouteError(400, 'invalid-input', `"${key}" must be a string`);
  return v;
}

/** Handles /office/*; false when the path is not one of them. */
export async function handleNodeRoute(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, options: NodeRouteOptions): Promise<boolean> {
  if (!pathname.startsWith('/office/')) return false;
  const method = req.method ?? 'GET';
  const route = `${method} ${pathname.replace(/^\/office\/nodes\/\d+\//, '/office/nodes/:id/')}`;
  const id = /^\/office\/nodes\/(\d+)\//.exec(pathname)?.[1];
  try {
    switch (route) {
      case 'GET /office/info': {
        await roleOf(options.auth, req);
        send(res, 200, { ingest_url: options.ingestUrl ?? null });
        return true;
      }
      case 'POST /office/nodes': {
        await requireNodeManager(options.auth, req);
        const body = await readBody(req);
        const created = await provisionNode(options.db, {
          name: typeof body.name === 'string' ? body.name : '',
          kind: typeof body.kind === 'string' ? body.kind : '',
          animal: optionalString(body, 'animal'),
          metric: optionalString(body, 'metric'),
          pen: optionalString(body, 'pen'),
        });
        options.onChange('nodes');
        if (body.pen) options.onChange('groups');
        send(res, 201, created);
        return true;
      }
      case 'POST /office/nodes/:id/rotate': {
        await requireNodeManager(options.auth, req);
        await readBody(req);
        const rotated = await rotateNodeToken(options.db, id!);
        options.onChange('nodes');
        send(res, 200, rotated);
        return true;
      }
      case 'POST /office/nodes/:id/revoke': {
        await requireNodeManager(options.auth, req);
        await readBody(req);
        const revoked = await revokeNode(options.db, id!);
        options.onChange('nodes');
        send(res, 200, revoked);
        return true;
      }
      default:
        send(res, 404, { error: `no route ${method} ${pathname}`, code: 'not-found' });
        return true;
    }
  } catch (err) {
    if (sendHttpError(res, err)) return true;
    if (err instanceof NodeInputError) {
      send(res, /^no node /.test(err.message) ? 404 : 400, { error: err.message.replace(/ \(--\w+\)/, ''), code: /^no node /.test(err.message) ? 'not-found' : 'invalid-input' });
      return true;
    }
    throw err;
  }
}

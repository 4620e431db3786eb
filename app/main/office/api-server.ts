import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../db/index.ts';
import { runCommand, type CommandResult } from '../cli/commands.ts';
import type { GraphqlEngine } from '../graphql/engine.ts';
import { accessDenied } from '../graphql/hasura-error.ts';
import { handleMetadataQuery } from '../graphql/metadata.ts';
import { handleSchemaQuery } from '../graphql/run-sql.ts';
import { isAdminRole, type SessionContext } from '../graphql/types.ts';
import { handleAuthRoute } from '../auth/auth-routes.ts';
import { handleNodeRoute } from './node-routes.ts';
import { handleReportRoute } from '../reports/report-routes.ts';
import type { ReportScheduler } from '../reports/scheduler.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { attachGraphqlWs, headersOf } from '../graphql/ws-server.ts';
import type { Logger } from '../log.ts';
import { secretsEqual } from '../security/secrets.ts';
import { createStaticHandler } from './static-files.ts';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  db: Database;
  /** Served over HTTP and, with subscriptions, over WebSocket (graphql-ws) on /v1/graphql. */
  graphql: GraphqlEngine;
  rendererDir: string;
  /** The secret the local CLI presents to run commands inside this office (and scripts as x-hasura-admin-secret). */
  controlKey: string;
  /** Accounts and tokens: who each request to GraphQL, /v2/query and /v1/metadata is (issue 5). */
  auth: AuthService;
  dataDir: string;
  version: string;
  log: Logger;
  /** Told when data changed outside GraphQL mutations (`'schema'`: anything may have changed, even tables). */
  onChange: (what: string) => void;
  /** Where nodes post, for the dashboard's provisioning instructions (GET /office/info). */
  ingestUrl?: string;
  /** Scheduled reports (issue 7): /office/report-schedules. */
  scheduler: ReportScheduler;
}

const MAX_CONTROL_BODY = 32 * 1024 * 1024;
/** A run_sql body may carry a whole SQL file (a farm's own tables and data). */
const MAX_ADMIN_API_BODY = 32 * 1024 * 1024;

export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

async function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('malformed JSON'), { status: 400 });
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** The API port: GraphQL for the renderer, the local CLI's control route, and the renderer's files. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const serveStatic = createStaticHandler(options.rendererDir);

  // Hasura's admin APIs: /v2/query (run_sql) and /v1/metadata (permissions, role limits). The cores answer with
  // Hasura-shaped bodies; here only HTTP: method, role, JSON.
  const adminApiDeps = {
    db: options.db,
    rebuild: () => options.graphql.rebuild(),
    onChange: options.onChange,
    warn: (msg: string, fields?: Record<string, unknown>) => options.log.warn(msg, fields),
  };
  async function adminApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    handle: (role: string, body: unknown) => Promise<{ status: number; body: unknown }>,
  ): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, { error: 'use POST', code: 'method-not-allowed', path: '$' });
      return;
    }
    let session: SessionContext;
    try {
      session = await options.auth.authenticate(req.headers);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string') throw err;
      sendJson(res, code === 'access-denied' ? 403 : 401, { error: (err as Error).message, code, path: '$' });
      return;
    }
    const { role } = session;
    if (!isAdminRole(role)) {
      const denied = accessDenied();
      sendJson(res, denied.status, denied.body());
      return;
    }
    let body: unknown;
    try {
      body = await readJson(req, MAX_ADMIN_API_BODY);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      sendJson(res, status, { error: (err as Error).message, code: status === 413 ? 'request-too-large' : 'invalid-json', path: '$' });
      return;
    }
    const answer = await handle(role, body);
    sendJson(res, answer.status, answer.body);
  }

  async function control(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Only the local CLI, holding the key from the data dir's secrets folder, may run commands here.
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!isLoopback(req.socket.remoteAddress) || !auth || !secretsEqual(auth, options.controlKey)) {
      sendJson(res, 401, { error: 'the control route takes the local control key' });
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'use POST' });
      return;
    }
    const body = (await readJson(req, MAX_CONTROL_BODY)) as { argv?: unknown; files?: unknown };
    if (!Array.isArray(body.argv) || !body.argv.every((a) => typeof a === 'string')) {
      sendJson(res, 400, { error: 'argv must be an array of strings' });
      return;
    }
    const files = (body.files && typeof body.files === 'object' ? body.files : {}) as Record<string, string>;
    // A command that may have changed the schema (`sql`) says 'schema': the GraphQL schema is rebuilt before the
    // CLI gets its answer, so what it created is in the API at once; then the rest of the office hears it.
    let rebuilt: Promise<void> | undefined;
    const result: CommandResult = await runCommand(
      {
        db: options.db,
        auth: options.auth,
        dataDir: options.dataDir,
        inOffice: true,
        readFile: async (path) => {
          if (typeof files[path] !== 'string') throw Object.assign(new Error(`no such file: ${path}`), { code: 'ENOENT', path });
          return files[path];
        },
        onChange: (what) => {
          if (what !== 'schema') return options.onChange(what);
          rebuilt = options.graphql
            .rebuild()
            .catch((err: unknown) => options.log.warn('the GraphQL schema could not be rebuilt after a CLI command', { err: err as Error }))
            .then(() => options.onChange(what));
        },
      },
      body.argv as string[],
    );
    await rebuilt;
    options.auth.invalidate(); // a command may have changed users
    sendJson(res, 200, result);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://office');
    try {
      if (url.pathname === '/v1/graphql') return await options.graphql.handle(req, res);
      if (url.pathname === '/internal/cli') return await control(req, res);
      if (await handleAuthRoute(req, res, url.pathname, { auth: options.auth, controlKey: options.controlKey, isLoopback, tls: false })) return;
      if (await handleReportRoute(req, res, url, { db: options.db, auth: options.auth, scheduler: options.scheduler, log: options.log })) return;
      if (await handleNodeRoute(req, res, url.pathname, { db: options.db, auth: options.auth, ingestUrl: options.ingestUrl, onChange: options.onChange })) return;
      if (url.pathname === '/v2/query') return await adminApi(req, res, (role, body) => handleSchemaQuery(adminApiDeps, role, body));
      if (url.pathname === '/v1/metadata') return await adminApi(req, res, (role, body) => handleMetadataQuery(adminApiDeps, role, body));
      if (url.pathname === '/v1/health') {
        let database = 'ok';
        await options.db.query('SELECT 1').catch(() => (database = 'unavailable'));
        return sendJson(res, database === 'ok' ? 200 : 503, { status: database === 'ok' ? 'ok' : 'degraded', version: options.version, database });
      }
      await serveStatic(req, res, url.pathname);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status && status < 500) return sendJson(res, status, { error: (err as Error).message });
      options.log.error('api request failed', { err: err as Error, path: url.pathname });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  const ws = attachGraphqlWs(server, {
    path: '/v1/graphql',
    engine: options.graphql,
    // The same credentials as over HTTP, from the upgrade request or connection_init's `headers`.
    contextFor: (request, connectionParams) => options.auth.authenticate(headersOf(request, connectionParams)),
    log: options.log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      await ws.close(); // open sockets would keep server.close() waiting
      await new Promise<void>((resolve) => {
        // A page whose socket just closed polls over HTTP instead, on a kept-alive connection: one that was busy
        // when the idle ones were closed would stay open, answering a poll every few seconds, and close() would
        // wait for ever. Such a connection is idle again between polls, so it is swept then.
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

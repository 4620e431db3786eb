import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../db/index.ts';
import { runCommand, type CommandResult } from '../cli/commands.ts';
import type { GraphqlEngine } from '../graphql/engine.ts';
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
  graphql: GraphqlEngine;
  rendererDir: string;
  /** The secret the local CLI presents to run commands inside this office. */
  controlKey: string;
  version: string;
  log: Logger;
  onChange: (what: string) => void;
}

const MAX_CONTROL_BODY = 32 * 1024 * 1024;

function isLoopback(address: string | undefined): boolean {
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
    const result: CommandResult = await runCommand(
      {
        db: options.db,
        readFile: async (path) => {
          if (typeof files[path] !== 'string') throw Object.assign(new Error(`no such file: ${path}`), { code: 'ENOENT', path });
          return files[path];
        },
        onChange: options.onChange,
      },
      body.argv as string[],
    );
    sendJson(res, 200, result);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://office');
    try {
      if (url.pathname === '/v1/graphql') return await options.graphql.handle(req, res);
      if (url.pathname === '/internal/cli') return await control(req, res);
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

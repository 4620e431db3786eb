import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES } from '../shared/node-protocol.ts';
import type { Logger } from '../main/log.ts';
import type { IngestRequest, IngestResponse } from './handler.ts';

export interface IngestServer {
  url: string;
  close(): Promise<void>;
}

/** Reads a request body up to `limit` bytes; resolves undefined when the body is larger (the caller answers 413). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headersOf(req: http.IncomingMessage): Record<string, string | undefined> {
  // Node joins repeated request headers with ", " itself, except set-cookie (an array), which nodes do not send.
  if (req.headers['set-cookie'] === undefined) return req.headers as Record<string, string | undefined>;
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** A request target of plain characters, without dot segments or a fragment: URL would give it back unchanged. */
const PLAIN_TARGET = /^(?![^?]*\/\.)\/[A-Za-z0-9._~\/-]*(?:\?[A-Za-z0-9._~\/%=&+-]*)?$/;

/**
 * The path and query of a request target. A plain target (every node's) is split as it is: `new URL()` cost
 * ~9 µs per request in the single-reading benchmark; anything else goes through URL, which normalises it. The
 * target is a path (origin form), so `//x/y` is the path `//x/y`, not the host x; one URL cannot read gives its
 * text as the path (no route matches it: 404), not an error.
 */
export function targetOf(raw: string): { path: string; query: URLSearchParams } {
  if (PLAIN_TARGET.test(raw)) {
    const q = raw.indexOf('?');
    return q < 0 ? { path: raw, query: new URLSearchParams() } : { path: raw.slice(0, q), query: new URLSearchParams(raw.slice(q)) };
  }
  try {
    const url = new URL(raw.startsWith('/') ? `http://ingest${raw}` : raw);
    return { path: url.pathname, query: url.searchParams };
  } catch {
    return { path: raw, query: new URLSearchParams() };
  }
}

/** The thin adapter from Node's http to the ingest core. */
export async function startIngestServer(
  handle: (req: IngestRequest) => Promise<IngestResponse>,
  options: { host: string; port: number; log: Logger },
): Promise<IngestServer> {
  const server = http.createServer(async (req, res) => {
    const send = ([body, init]: IngestResponse) => {
      res.writeHead(init.status, init.headers);
      res.end(body ?? undefined);
    };
    try {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) {
        send([JSON.stringify({ error: `the body is larger than ${MAX_BODY_BYTES} bytes` }), { status: 413, headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close' } }]);
        req.resume();
        return;
      }
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === undefined) {
        send([JSON.stringify({ error: `the body is larger than ${MAX_BODY_BYTES} bytes` }), { status: 413, headers: { 'content-type': 'application/json; charset=utf-8' } }]);
        return;
      }
      const { path, query } = targetOf(req.url ?? '/');
      send(await handle({ method: req.method ?? 'GET', path, query, headers: headersOf(req), body, remoteAddress: req.socket.remoteAddress }));
    } catch (err) {
      options.log.error('ingest adapter failed', { err: err as Error });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = options.host;
  return {
    // The address as configured (0.0.0.0 means every interface), with the port actually bound.
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Stop accepting, let in-flight requests finish, then drop idle keep-alive sockets.
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

import type { Database } from '../db/index.ts';
import type { Logger } from '../main/log.ts';
import type { ErrorResponse, ReadingsResponse } from '../shared/node-protocol.ts';
import { ingestBatch, type IngestOutcome } from './ingest-batch.ts';
import { authenticateNode, type NodeRecord } from './node-registry.ts';
import { BodyError, parseJsonReadings, parseReadingItem, type ParsedReading } from './parse-readings.ts';

/** A request as the pure core sees it: no sockets, so it is tested without a server. */
export interface IngestRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
  remoteAddress: string | undefined;
}

export interface ResponseInit {
  status: number;
  headers: Record<string, string>;
}

/** graphql-http's shape: the core answers with a body and an init, the adapter writes them. */
export type IngestResponse = [body: string | null, init: ResponseInit];

export interface IngestHandlerOptions {
  db: Database;
  log: Logger;
  version: string;
  /** Told after each stored batch (analytics, live updates). */
  onIngest?: (event: { node: NodeRecord; outcome: IngestOutcome }) => void;
  now?: () => Date;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): IngestResponse {
  return [JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } }];
}

function error(status: number, message: string, at?: string, headers?: Record<string, string>): IngestResponse {
  const body: ErrorResponse = at ? { error: message, at } : { error: message };
  return json(status, body, headers);
}

function bearer(headers: Record<string, string | undefined>): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return m?.[1];
}

export function createIngestHandler(options: IngestHandlerOptions): (req: IngestRequest) => Promise<IngestResponse> {
  const now = options.now ?? (() => new Date());

  async function postReadings(req: IngestRequest): Promise<IngestResponse> {
    const token = bearer(req.headers);
    const unauthorized = { 'www-authenticate': 'Bearer realm="yoctosehns-ingest"' };
    if (!token) return error(401, 'missing node token: send Authorization: Bearer <token>', undefined, unauthorized);
    const node = await authenticateNode(options.db, token);
    if (!node) return error(401, 'unknown or revoked node token', undefined, unauthorized);

    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return error(415, `unsupported content type "${type || '(none)'}": send application/json`);
    }
    const receivedAt = now();
    let items: ParsedReading[];
    try {
      const raw = parseJsonReadings(req.body);
      items = raw.map((item, index) => {
        const parsed = parseReadingItem(item, index);
        if (typeof parsed === 'string') throw new BodyError(parsed, 400, `/readings/${index}`);
        return parsed;
      });
    } catch (err) {
      if (err instanceof BodyError) return error(err.status, err.message, err.at);
      throw err;
    }
    if (items.length === 0) return json(200, { accepted: 0, duplicates: 0, quarantined: [] } satisfies ReadingsResponse);
    let outcome: IngestOutcome;
    try {
      outcome = await ingestBatch(options.db, node, items, { receivedAt, ip: req.remoteAddress });
    } catch (err) {
      if (err instanceof BodyError) return error(err.status, err.message, err.at);
      throw err;
    }
    options.onIngest?.({ node, outcome });
    const body: ReadingsResponse = { accepted: outcome.accepted, duplicates: outcome.duplicates, quarantined: [] };
    return json(200, body);
  }

  return async function handle(req: IngestRequest): Promise<IngestResponse> {
    try {
      if (req.path === '/v1/readings') {
        if (req.method !== 'POST') return error(405, 'use POST', undefined, { allow: 'POST' });
        return await postReadings(req);
      }
      if (req.path === '/v1/health') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return error(405, 'use GET', undefined, { allow: 'GET' });
        let database = 'ok';
        try {
          await options.db.query('SELECT 1');
        } catch {
          database = 'unavailable';
        }
        return json(database === 'ok' ? 200 : 503, { status: database === 'ok' ? 'ok' : 'degraded', version: options.version, database });
      }
      if (req.path === '/v1/time') return json(200, { now: now().getTime() });
      return error(404, `no route ${req.path}`);
    } catch (err) {
      // An unexpected failure: logged with its detail, answered bare (the node must retry, and learns nothing internal).
      options.log.error('ingest request failed', { err: err as Error, path: req.path });
      return [null, { status: 500, headers: {} }];
    }
  };
}

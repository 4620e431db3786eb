import { createHash } from 'node:crypto';
import type { Database } from '../db/index.ts';
import type { Logger } from '../main/log.ts';
import { MAX_READINGS_PER_REQUEST, type ErrorResponse, type ReadingsResponse } from '../shared/node-protocol.ts';
import { farmosItems, thingsboardTelemetryItems } from './compat.ts';
import type { IngestWriter } from './ingest-writer.ts';
import type { NodeAuth } from './node-auth.ts';
import type { NodeRecord } from './node-registry.ts';
import { parseNodeStatus, type NodeStatus } from './node-status.ts';
import { mediaType, parseBody, parseJson } from './parse-body.ts';
import { BodyError } from './parse-readings.ts';
import type { RateLimiter } from './rate-limit.ts';

/** A request as the pure core sees it: no sockets, so it is tested without a server. */
export interface IngestRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
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
  auth: NodeAuth;
  writer: IngestWriter;
  limiter: RateLimiter;
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
  return /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
}

/** How a route reads its request: who sent it, what it carries, and how to answer. */
interface Submission {
  node: NodeRecord;
  items: unknown[];
  status: NodeStatus | undefined;
  /** Turns the stored outcome into this route's answer (ThingsBoard and farmOS answer with an empty body). */
  answer: (result: ReadingsResponse) => IngestResponse;
}

const ROUTES = {
  readings: /^\/v1\/readings$/,
  tbTelemetry: /^\/api\/v1\/([^/]+)\/telemetry$/,
  tbAttributes: /^\/api\/v1\/([^/]+)\/attributes$/,
  farmosStream: /^\/api\/data_stream\/([^/]+)\/data$/,
  farmosListener: /^\/farm\/sensor\/listener\/([^/]+)$/,
};

/** Keys a node may send with Idempotency-Key: printable, at most 200 characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function createIngestHandler(options: IngestHandlerOptions): (req: IngestRequest) => Promise<IngestResponse> {
  const now = options.now ?? (() => new Date());
  /** Requests with an Idempotency-Key still being written: a concurrent retry waits for the first. */
  const inFlight = new Map<string, Promise<{ bodySha256: string; response: IngestResponse }>>();

  function requireJson(req: IngestRequest): unknown {
    const type = mediaType(req.headers['content-type']);
    if (type !== 'application/json') throw new BodyError(`unsupported content type "${type || '(none)'}": send application/json`, 415);
    return parseJson(req.body.toString('utf8'));
  }

  function itemsOrThrow(items: unknown[] | string): unknown[] {
    if (typeof items === 'string') throw new BodyError(items, 400);
    if (items.length > MAX_READINGS_PER_REQUEST) throw new BodyError(`at most ${MAX_READINGS_PER_REQUEST} readings per request; this one has ${items.length}`, 413);
    return items;
  }

  /** Authenticates the request for its route and reads what it carries; undefined = not this route. */
  async function submission(req: IngestRequest, route: keyof typeof ROUTES, m: RegExpExecArray): Promise<Submission | IngestResponse> {
    if (route === 'readings') {
      const node = await options.auth.authenticate(bearer(req.headers));
      if (!node) return error(401, bearer(req.headers) ? 'unknown or revoked node token' : 'missing node token: send Authorization: Bearer <token>', undefined, { 'www-authenticate': 'Bearer realm="yoctosehns-ingest"' });
      const body = parseBody(req.headers['content-type'], req.body);
      return { node, items: body.items, status: parseNodeStatus(body.status, req.headers), answer: (r) => json(200, r) };
    }
    if (route === 'tbTelemetry' || route === 'tbAttributes') {
      // ThingsBoard's device API: the access token is in the path; 401 for a wrong one, 400 for a bad body.
      const node = await options.auth.authenticate(decodeURIComponent(m[1]!));
      if (!node) return [null, { status: 401, headers: {} }];
      const doc = requireJson(req);
      if (route === 'tbAttributes') {
        if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new BodyError('attributes must be a JSON object', 400);
        return { node, items: [], status: parseNodeStatus(doc as Record<string, unknown>, req.headers), answer: () => [null, { status: 200, headers: {} }] };
      }
      return { node, items: itemsOrThrow(thingsboardTelemetryItems(doc)), status: parseNodeStatus(undefined, req.headers), answer: () => [null, { status: 200, headers: {} }] };
    }
    // farmOS: {id}/{public_key} is the node's id and private_key its token; a mismatch is 403 as in farmOS.
    const node = await options.auth.authenticate(req.query.get('private_key') ?? undefined);
    if (!node || String(node.id) !== decodeURIComponent(m[1]!)) return error(403, 'the private key does not match this sensor');
    const doc = requireJson(req);
    const status = route === 'farmosStream' ? 201 : 200;
    return { node, items: itemsOrThrow(farmosItems(doc, node.metric_key)), status: parseNodeStatus(undefined, req.headers), answer: () => [null, { status, headers: {} }] };
  }

  async function post(req: IngestRequest, route: keyof typeof ROUTES, m: RegExpExecArray, started: number): Promise<{ response: IngestResponse; node?: NodeRecord }> {
    const receivedAt = now();
    let sub: Submission | IngestResponse;
    try {
      sub = await submission(req, route, m);
    } catch (err) {
      if (err instanceof BodyError) return { response: error(err.status, err.message, err.at) };
      throw err;
    }
    if (Array.isArray(sub)) return { response: sub };
    const { node } = sub;
    const wait = options.limiter.take(node.id);
    if (wait > 0) return { node, response: error(429, `too many requests from node "${node.name}": retry in ${wait} s`, undefined, { 'retry-after': String(wait) }) };

    const key = req.headers['idempotency-key'];
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) return { node, response: error(400, 'Idempotency-Key must be 1–200 printable characters') };
    const bodySha256 = key ? createHash('sha256').update(req.path).update('\0').update(req.body).digest('hex') : '';
    const write = async (): Promise<IngestResponse> => {
      const result = await options.writer.submit({
        node,
        route,
        ip: req.remoteAddress,
        receivedAt,
        items: sub.items,
        status: sub.status,
        idempotency: key ? { key, bodySha256 } : undefined,
        started,
      });
      return sub.answer(result);
    };
    if (!key) return { node, response: await write() };

    // The in-flight entry is set before anything is awaited, so a concurrent retry always finds it.
    const slot = `${node.id}\0${key}`;
    let running = inFlight.get(slot);
    if (!running) {
      running = (async () => {
        const { rows } = await options.db.query<{ body_sha256: string; response: string }>(
          'SELECT body_sha256, response FROM office.idempotency_keys WHERE node_id = $1 AND key = $2',
          [node.id, key],
        );
        if (rows[0]) return { bodySha256: rows[0].body_sha256, response: sub.answer(JSON.parse(rows[0].response) as ReadingsResponse) };
        return { bodySha256, response: await write() };
      })();
      inFlight.set(slot, running);
      void running.finally(() => inFlight.delete(slot)).catch(() => undefined);
    }
    const earlier = await running;
    if (earlier.bodySha256 !== bodySha256) return { node, response: error(422, 'this Idempotency-Key was used with a different body') };
    return { node, response: earlier.response };
  }

  return async function handle(req: IngestRequest): Promise<IngestResponse> {
    const started = performance.now();
    const route = (Object.keys(ROUTES) as (keyof typeof ROUTES)[]).find((r) => ROUTES[r].test(req.path));
    try {
      if (route) {
        if (req.method !== 'POST') return error(405, 'use POST', undefined, { allow: 'POST' });
        const { response, node } = await post(req, route, ROUTES[route].exec(req.path)!, started);
        if (response[1].status !== 200 && response[1].status !== 201) {
          options.writer.logRequest({
            ts: new Date(),
            nodeId: node?.id ?? null,
            ip: req.remoteAddress,
            route,
            status: response[1].status,
            durationMs: performance.now() - started,
            error: response[0] ? (JSON.parse(response[0]) as ErrorResponse).error?.slice(0, 500) : undefined,
          });
        }
        return response;
      }
      if (req.path === '/v1/health') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return error(405, 'use GET', undefined, { allow: 'GET' });
        const database = await options.db.query('SELECT 1').then(
          () => 'ok',
          () => 'unavailable',
        );
        return json(database === 'ok' ? 200 : 503, { status: database === 'ok' ? 'ok' : 'degraded', version: options.version, database });
      }
      if (req.path === '/v1/time') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return error(405, 'use GET', undefined, { allow: 'GET' });
        return json(200, { now: now().getTime() });
      }
      return error(404, `no route ${req.path}`);
    } catch (err) {
      // An unexpected failure: logged with its detail, answered bare (the node retries, and learns nothing internal).
      options.log.error('ingest request failed', { err: err as Error, path: req.path });
      return [null, { status: 500, headers: {} }];
    }
  };
}

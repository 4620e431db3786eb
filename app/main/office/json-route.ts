// What the office's small JSON routes (/auth/*, /office/*) share: reading a bounded JSON object body,
// answering JSON that is never cached, and an error that carries its HTTP status and code.
import type http from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Sent as Retry-After (seconds) with a 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The request's JSON object body ({} when empty); 413 beyond `limit` bytes, 400 when it is not an object. */
export async function readJsonObject(req: http.IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'request-too-large', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'malformed JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid-json', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
}

/** Answers an HttpError as `{error, code}` with its status; false for any other error (the caller rethrows). */
export function sendHttpError(res: http.ServerResponse, err: unknown, headers: Record<string, string | string[]> = {}): boolean {
  if (!(err instanceof HttpError)) return false;
  sendJson(res, err.status, { error: err.message, code: err.code }, { ...headers, ...(err.retryAfterSeconds ? { 'retry-after': String(err.retryAfterSeconds) } : {}) });
  return true;
}

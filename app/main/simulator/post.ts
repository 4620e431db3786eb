import { randomUUID } from 'node:crypto';
import type { ReadingsResponse } from '../../shared/node-protocol.ts';
import type { Reading } from './model.ts';

/** The office answered a node's request with a refusal that resending will not fix (400, 401, 413, …). */
export class OfficeRefusedError extends Error {
  override name = 'OfficeRefusedError';
  constructor(
    readonly node: string,
    readonly status: number,
    readonly body: string,
  ) {
    let detail = body.trim();
    try {
      const parsed = JSON.parse(body) as { error?: string; at?: string };
      if (parsed.error) detail = parsed.error + (parsed.at ? ` (at ${parsed.at})` : '');
    } catch {
      // not JSON: show it as it is
    }
    const hint =
      status === 401
        ? ' (is the office listening at --ingest the one running on --data-dir?)'
        : '';
    super(`the office refused the readings of node "${node}": HTTP ${status}: ${detail || '(no body)'}${hint}`);
  }
}

/** The office could not be reached, or kept answering 5xx/429, through every attempt. */
export class OfficeUnreachableError extends Error {
  override name = 'OfficeUnreachableError';
}

export class AbortedError extends Error {
  override name = 'AbortedError';
}

/** Resolves after `ms`, or early (rejecting with AbortedError) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface PostOptions {
  /** Stops waiting between attempts (a request already sent is let finish). */
  signal?: AbortSignal;
  /** Attempts before giving up with OfficeUnreachableError. */
  attempts?: number;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (reason: string, attempt: number, waitMs: number) => void;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/**
 * Posts one node's readings as the node protocol says. Retries with exponential backoff on network errors,
 * 5xx and 429 (honouring Retry-After); throws OfficeRefusedError on any other non-200 answer.
 */
export async function postReadings(
  ingestUrl: string,
  node: { name: string; token: string },
  readings: readonly Reading[],
  { signal, attempts = 8, onRetry, timeoutMs = 60_000 }: PostOptions = {},
): Promise<ReadingsResponse> {
  // Epoch milliseconds: compact, and exactly the aligned time stamps the model produced.
  const body = JSON.stringify({ readings: readings.map((r) => ({ metric: r.metric, ts: r.ts, value: r.value })) });
  const url = `${ingestUrl.replace(/\/+$/, '')}/v1/readings`;
  // One key for every attempt of this batch: an office that keeps Idempotency-Key answers replays the first.
  const key = randomUUID();
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryAfter: number | undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${node.token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (res.status === 200) return JSON.parse(text) as ReadingsResponse;
      if (res.status < 500 && res.status !== 429) throw new OfficeRefusedError(node.name, res.status, text);
      reason = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      const header = Number(res.headers.get('retry-after'));
      if (Number.isFinite(header) && header > 0) retryAfter = Math.min(header * 1000, 60_000);
    } catch (err) {
      if (err instanceof OfficeRefusedError) throw err;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      reason = e.cause?.code ?? e.cause?.message ?? e.message;
    }
    if (attempt >= attempts) throw new OfficeUnreachableError(`cannot deliver the readings of node "${node.name}" to ${url} after ${attempts} attempts: ${reason}`);
    const wait = retryAfter ?? Math.min(15_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
    onRetry?.(reason, attempt, wait);
    await sleep(wait, signal);
  }
}

/** Runs `work` on each job with at most `concurrency` at once; the first error stops taking new jobs and is thrown. */
export async function runPool<T>(jobs: Iterable<T>, concurrency: number, work: (job: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const iterator = jobs[Symbol.iterator]();
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && !signal?.aborted) {
      const next = iterator.next();
      if (next.done) return;
      try {
        await work(next.value);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure) throw failure.err;
}

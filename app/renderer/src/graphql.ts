// The renderer's only channel to the office: GraphQL over HTTP on the page's own origin.
// Every request also feeds the connection status shown in the header, so any page that asks
// the office something keeps that badge honest without extra health checks.

export const GRAPHQL_PATH = '/v1/graphql';

/** A request gives up after this long: a hung office must turn the badge to Offline, not leave it stale. */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface GraphqlErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphqlResponse<TData> {
  data?: TData | null;
  errors?: GraphqlErrorEntry[];
}

/** The office answered, but with GraphQL errors instead of data. */
export class GraphqlError extends Error {
  constructor(readonly errors: GraphqlErrorEntry[]) {
    super(errors.map((e) => e.message).join('; ') || 'the office answered with an error');
    this.name = 'GraphqlError';
  }
}

/** The office could not be reached, or answered something that is not GraphQL. */
export class OfficeUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OfficeUnreachableError';
  }
}

export interface ConnectionStatus {
  /** `unknown` until the first request finishes. */
  state: 'unknown' | 'connected' | 'offline';
  /** Epoch ms of the last request that succeeded. */
  lastSuccessAt?: number;
  /** Why the last request failed (only while offline). */
  error?: string;
}

let status: ConnectionStatus = { state: 'unknown' };
const listeners = new Set<() => void>();

function setStatus(next: ConnectionStatus): void {
  status = next;
  for (const listener of listeners) listener();
}

/** For `useSyncExternalStore`: the snapshot only changes identity when the status is replaced. */
export function getConnectionStatus(): ConnectionStatus {
  return status;
}

export function subscribeConnectionStatus(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/**
 * Runs one GraphQL operation and returns its `data`. Throws GraphqlError when the office answered with
 * errors and no data, OfficeUnreachableError when it could not be asked; an abort by the caller is
 * rethrown as is and leaves the connection status alone (leaving a page is not a failure).
 */
export async function graphqlRequest<TData, TVariables extends Record<string, unknown> = Record<string, never>>(
  query: string,
  variables?: TVariables,
  options: RequestOptions = {},
): Promise<TData> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const data = await send<TData>(query, variables, signal);
    setStatus({ state: 'connected', lastSuccessAt: Date.now() });
    return data;
  } catch (err) {
    if (options.signal?.aborted) throw err;
    const failure =
      timeout.aborted && !(err instanceof GraphqlError)
        ? new OfficeUnreachableError(`the office did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`, { cause: err })
        : err;
    setStatus({ state: 'offline', lastSuccessAt: status.lastSuccessAt, error: errorMessage(failure) });
    throw failure;
  }
}

async function send<TData>(query: string, variables: unknown, signal: AbortSignal): Promise<TData> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new OfficeUnreachableError('cannot reach the office', { cause: err });
  }
  let body: GraphqlResponse<TData>;
  try {
    body = (await response.json()) as GraphqlResponse<TData>;
  } catch (err) {
    if (signal.aborted) throw err;
    // A proxy's error page or a half-started office: not a GraphQL answer at all.
    throw new OfficeUnreachableError(`the office answered HTTP ${response.status} without GraphQL`, { cause: err });
  }
  if (body.data != null) return body.data;
  if (body.errors?.length) throw new GraphqlError(body.errors);
  throw new OfficeUnreachableError(`the office answered HTTP ${response.status} without data`);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

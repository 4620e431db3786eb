// The renderer's only channel to the office: GraphQL on the page's own origin, over HTTP for requests and
// over a WebSocket (graphql-ws) for live queries the office pushes. Every answer also feeds the connection
// status shown in the header, so any page that asks the office something keeps that badge honest without
// extra health checks. Each request carries the session's access token; one the office refuses is renewed
// once and the request tried again, and when that fails too the session ends and the page asks to sign in.
import { createClient, type Client } from 'graphql-ws';
import { session, SESSION_ENDED } from './auth/session.ts';

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
  /** The office's live-query socket is open: pages are pushed changes instead of polling. */
  live: boolean;
}

let status: ConnectionStatus = { state: 'unknown', live: false };
let liveOpen = false;
const listeners = new Set<() => void>();

function setStatus(next: Omit<ConnectionStatus, 'live'>): void {
  status = { ...next, live: liveOpen };
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

/** Hasura's codes for a request whose token is missing, unreadable, expired or revoked. */
const AUTH_ERROR_CODES = new Set(['invalid-headers', 'invalid-jwt', 'jwt-expired', 'jwt-invalid-claims']);

/** The office refused the request's credentials (not its rights: a role that may not see a table gets other codes). */
export function isAuthError(err: unknown): boolean {
  return err instanceof GraphqlError && err.errors.some((e) => AUTH_ERROR_CODES.has(String(e.extensions?.code ?? '')));
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
    const data = await sendSignedIn<TData>(query, variables, signal);
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

/** Sends with the session's token; a refused token is renewed once and the request sent again. */
async function sendSignedIn<TData>(query: string, variables: unknown, signal: AbortSignal): Promise<TData> {
  try {
    return await send<TData>(query, variables, signal, await session.accessToken());
  } catch (err) {
    if (!isAuthError(err) || signal.aborted) throw err;
    const renewed = await session.refresh();
    if (renewed) {
      try {
        return await send<TData>(query, variables, signal, renewed);
      } catch (again) {
        if (!isAuthError(again)) throw again;
      }
    }
    // Renewed and refused again: the page goes to the login form. Not renewed: a refusal has signed the
    // session out already; the office being away leaves it to retry later.
    if (renewed !== null && session.getState().status === 'signed-in') session.signOut(SESSION_ENDED);
    throw err;
  }
}

async function send<TData>(query: string, variables: unknown, signal: AbortSignal, token: string | null): Promise<TData> {
  let response: Response;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers,
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
  // Hasura's non-GraphQL error shape, which an auth failure before the engine may use.
  const plain = body as { error?: unknown; code?: unknown };
  if (typeof plain.code === 'string') throw new GraphqlError([{ message: String(plain.error ?? plain.code), extensions: { code: plain.code } }]);
  throw new OfficeUnreachableError(`the office answered HTTP ${response.status} without data`);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The socket pings the office this often; a pong missing for PONG_TIMEOUT_MS closes it (a dead link may never say so). */
const KEEPALIVE_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

let liveClient: Client | undefined;

function liveUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${GRAPHQL_PATH}`;
}

function createLiveClient(): Client {
  let socket: WebSocket | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  return createClient({
    url: liveUrl,
    // Asked at each connect, so a socket opened after a renewal carries the new token.
    connectionParams: async () => {
      const token = await session.accessToken();
      return token ? { headers: { Authorization: `Bearer ${token}` } } : {};
    },
    // No reconnecting here: a live query whose socket fails falls back to polling over HTTP, which tells when
    // the office is back (and then the page subscribes again).
    retryAttempts: 0,
    keepAlive: KEEPALIVE_MS,
    on: {
      connected: (s) => {
        socket = s as WebSocket;
        liveOpen = true;
        setStatus({ state: 'connected', lastSuccessAt: Date.now() });
      },
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'Request Timeout');
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: () => {
        clearTimeout(pongTimer);
        // Whether the office is still there is for the fallback's next request to tell, not a closed socket.
        liveOpen = false;
        setStatus(status);
      },
    },
  });
}

export interface LiveSink<TData> {
  /** Each result the office pushes: at once, then whenever it changes. */
  next(result: GraphqlResponse<TData>): void;
  /** The live query ended (socket closed, refused or failed): it will send nothing more. */
  error(err: Error): void;
}

/**
 * Subscribes to `subscription` over the shared WebSocket (opened on first use, closed after the last
 * unsubscribe). Returns the unsubscribe function; after it, the sink hears nothing more.
 */
export function subscribeLive<TData>(subscription: string, sink: LiveSink<TData>): () => void {
  liveClient ??= createLiveClient();
  let ended = false;
  const end = (err: Error) => {
    if (ended) return;
    ended = true;
    sink.error(err);
  };
  const unsubscribe = liveClient.subscribe<TData>(
    { query: subscription },
    {
      next: (result) => {
        if (ended) return;
        setStatus({ state: 'connected', lastSuccessAt: Date.now() });
        sink.next(result as GraphqlResponse<TData>);
      },
      error: (err) => end(liveError(err)),
      // A live query never ends by itself: the office is stopping, or dropped it.
      complete: () => end(new OfficeUnreachableError('the office ended the live query')),
    },
  );
  return () => {
    ended = true;
    unsubscribe();
  };
}

// A socket belongs to whoever opened it: signing out, or in as someone else, closes it (the next live query
// opens a new one with the new token).
let liveUser: string | number | undefined;
session.subscribe(() => {
  const state = session.getState();
  const user = state.status === 'signed-in' ? state.user.id : undefined;
  if (user === liveUser) return;
  liveUser = user;
  void liveClient?.dispose();
  liveClient = undefined;
});

/** graphql-ws reports a closed socket as its CloseEvent, a refused operation as GraphQL errors. */
function liveError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (Array.isArray(err)) return new GraphqlError(err as GraphqlErrorEntry[]);
  if (typeof CloseEvent !== 'undefined' && err instanceof CloseEvent) {
    return new OfficeUnreachableError(`the live connection closed (${err.code}${err.reason ? `: ${err.reason}` : ''})`);
  }
  return new OfficeUnreachableError('the live connection failed');
}

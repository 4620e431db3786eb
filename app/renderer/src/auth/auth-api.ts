// The office's /auth endpoints, as the contract with the server gives them. Owner-only calls carry the
// session's access token and, when the office refuses it, renew it once and try again.
import { desktopApi } from '../../../shared/desktop-api.ts';
import { formatWait, parseRetryAfter, type Role } from './auth-model.ts';
import { session, SESSION_ENDED, SessionRejectedError, type TokenGrant } from './session.ts';

export const AUTH_TIMEOUT_MS = 10_000;

/** The office answered an /auth call with an error (or could not be asked: `status` 0). */
export class AuthApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    /** Seconds, from Retry-After (a lockout). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'AuthApiError';
  }
}

export interface AuthStatus {
  setup_required: boolean;
  remote_access: boolean;
  /** What the next start does (config.json); absent where it cannot be set from here. */
  remote_access_next_start?: boolean;
}

export interface LoginAnswer extends TokenGrant {
  token_type: 'Bearer';
  refresh_token?: string;
}

export interface UserRecord {
  id: string | number;
  name: string;
  role: string;
  group_ids: number[] | string | null;
  /** The contract's flag; an office may instead say since when (`disabled_at`). */
  disabled?: boolean;
  disabled_at?: string | null;
  created_at: string;
}

export function isDisabled(user: UserRecord): boolean {
  return user.disabled === true || (user.disabled === undefined && user.disabled_at != null);
}

/** A user's groups as numbers, whether the office sends an array or PostgreSQL's `{1,2}` text. */
export function groupIdsOf(user: UserRecord): number[] {
  const raw = user.group_ids;
  if (Array.isArray(raw)) return raw.map(Number).filter(Number.isFinite);
  if (typeof raw === 'string') return raw.replace(/[{}\s]/g, '').split(',').filter(Boolean).map(Number).filter(Number.isFinite);
  return [];
}

export interface AuditEntry {
  ts: string;
  event: string;
  user: string | null;
  address: string | null;
  detail: unknown;
}

export interface ApiTokenRecord {
  id: string | number;
  name: string;
  role: string;
  created_at?: string;
  expires_at?: string | null;
  last_used_at?: string | null;
  revoked_at?: string | null;
  [field: string]: unknown;
}

export interface CreatedApiToken extends ApiTokenRecord {
  /** Shown once: the office keeps only its hash. */
  token: string;
}

interface CallOptions {
  method?: string;
  body?: unknown;
  /** Send the session's access token (owner-only calls, sign out everywhere). */
  auth?: boolean;
}

async function send(path: string, options: CallOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: AbortSignal.timeout(AUTH_TIMEOUT_MS),
    });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new AuthApiError(timedOut ? `the office did not answer within ${AUTH_TIMEOUT_MS / 1000} s` : 'cannot reach the office', 0);
  }
}

async function failure(response: Response): Promise<AuthApiError> {
  let error: string | undefined;
  let code: string | undefined;
  try {
    const body = (await response.json()) as { error?: unknown; code?: unknown; message?: unknown };
    if (typeof body.error === 'string') error = body.error;
    else if (typeof body.message === 'string') error = body.message;
    if (typeof body.code === 'string') code = body.code;
  } catch {
    // Not JSON: the status says enough.
  }
  const retryAfterS = parseRetryAfter(response.headers.get('retry-after'));
  return new AuthApiError(error ?? `the office answered HTTP ${response.status}`, response.status, code, retryAfterS);
}

async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  let token = options.auth ? await session.accessToken() : null;
  let response = await send(path, options, token);
  if (options.auth && response.status === 401) {
    // The token may have just ended or been invalidated (a role change): renew once, then give up.
    token = await session.refresh();
    if (token) response = await send(path, options, token);
    if (!token || response.status === 401) {
      if (session.getState().status === 'signed-in') session.signOut(SESSION_ENDED);
      throw await failure(response);
    }
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new AuthApiError(`the office answered HTTP ${response.status} without JSON`, response.status);
  }
}

/** The words a person should read for `err`, in the context of signing in. */
export function authErrorMessage(err: unknown): string {
  if (err instanceof AuthApiError) {
    if (err.status === 0) return `Cannot reach the office (${err.message}). Check that it is running and try again.`;
    if (err.code === 'invalid-credentials') return 'Wrong name or password.';
    if (err.status === 429) {
      return err.retryAfterS !== undefined
        ? `Too many failed attempts. Sign-in is locked; try again in ${formatWait(err.retryAfterS)}.`
        : 'Too many failed attempts. Sign-in is locked for a while; try again later.';
    }
    if (err.status === 403) return `Only the owner may do this (${err.message}).`;
    return err.message.charAt(0).toUpperCase() + err.message.slice(1) + (/[.!?]$/.test(err.message) ? '' : '.');
  }
  return err instanceof Error ? err.message : String(err);
}

export const getAuthStatus = () => call<AuthStatus>('/auth/status');

export const login = (name: string, password: string) => call<LoginAnswer>('/auth/login', { method: 'POST', body: { name, password } });

export const setupOwner = (name: string, password: string) => call<LoginAnswer>('/auth/setup', { method: 'POST', body: { name, password } });

/** The part of the Web Locks API used here (typed by hand: the unit tests type-check without the DOM). */
interface WebLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** Renews with the HttpOnly refresh cookie; a refusal becomes SessionRejectedError (sign in again). */
export async function refreshWithCookie(): Promise<TokenGrant> {
  const run = async () => {
    try {
      return await call<LoginAnswer>('/auth/refresh', { method: 'POST' });
    } catch (err) {
      if (err instanceof AuthApiError && (err.status === 401 || err.status === 403)) throw new SessionRejectedError(err.message);
      throw err;
    }
  };
  // Two tabs renewing at once would present the same rotating refresh token twice (the second looks like
  // a stolen token being replayed); the Web Locks API lets one tab renew at a time.
  const locks = (globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks;
  return locks ? locks.request('yoctosehns-auth-refresh', run) : run();
}

/** The desktop shell's local token, when the page runs in the Electron window; undefined in a browser. */
export function localTokenSource(): (() => Promise<TokenGrant>) | undefined {
  const getLocalToken = desktopApi()?.getLocalToken;
  if (!getLocalToken) return undefined;
  return async () => {
    try {
      return await getLocalToken();
    } catch (err) {
      // The shell could not mint one: the office is restarting, most likely. Try again later.
      throw new AuthApiError(err instanceof Error ? err.message : String(err), 0);
    }
  };
}

export async function logout(everywhere = false): Promise<void> {
  await call<void>('/auth/logout', { method: 'POST', body: everywhere ? { everywhere: true } : {}, auth: everywhere });
}

/**
 * The contract answers lists bare (`[…]`) and records as themselves; an answer wrapped in one named field
 * (`{"users": […]}`) is read the same, so the page works with either form of the office.
 */
export function unwrap<T>(body: unknown, key: string, isBare: (value: unknown) => boolean): T {
  if (isBare(body)) return body as T;
  if (body && typeof body === 'object' && key in body) {
    const inner = (body as Record<string, unknown>)[key];
    if (isBare(inner)) return inner as T;
  }
  throw new AuthApiError(`the office's answer has no ${key}`, 200);
}

const isList = (value: unknown) => Array.isArray(value);
const isRecord = (value: unknown) => !!value && typeof value === 'object' && !Array.isArray(value) && 'id' in value;
const isCreatedToken = (value: unknown) => isRecord(value) && typeof (value as { token?: unknown }).token === 'string';

/** Owner only: remote access from the next start of the office (the API's address cannot change while it runs). */
export const setRemoteAccess = (enabled: boolean) =>
  call<{ remote_access: boolean; remote_access_next_start: boolean }>('/auth/remote-access', { method: 'PUT', body: { enabled }, auth: true });

export const listUsers = async () => unwrap<UserRecord[]>(await call('/auth/users', { auth: true }), 'users', isList);

export const addUser = async (user: { name: string; password: string; role: Role; group_ids?: number[] }) =>
  unwrap<UserRecord>(await call('/auth/users', { method: 'POST', body: user, auth: true }), 'user', isRecord);

export const updateUser = async (id: string | number, change: { role?: Role; password?: string; disabled?: boolean; group_ids?: number[] }) =>
  unwrap<UserRecord>(await call(`/auth/users/${encodeURIComponent(String(id))}`, { method: 'PATCH', body: change, auth: true }), 'user', isRecord);

export const listAudit = async (limit = 100) => unwrap<AuditEntry[]>(await call(`/auth/audit?limit=${limit}`, { auth: true }), 'events', isList);

export const listApiTokens = async () => unwrap<ApiTokenRecord[]>(await call('/auth/api-tokens', { auth: true }), 'tokens', isList);

export const createApiToken = async (token: { name: string; role: Role; expires_in_days: number }) =>
  unwrap<CreatedApiToken>(await call('/auth/api-tokens', { method: 'POST', body: token, auth: true }), 'token', isCreatedToken);

export const revokeApiToken = (id: string | number) =>
  call<void>(`/auth/api-tokens/${encodeURIComponent(String(id))}`, { method: 'DELETE', auth: true });

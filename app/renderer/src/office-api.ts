// The office's /office routes: what GraphQL cannot do (make a node's token). Signed in like the owner's /auth calls.
import { AUTH_TIMEOUT_MS, AuthApiError } from './auth/auth-api.ts';
import { session, SESSION_ENDED } from './auth/session.ts';

export interface NodeToken {
  id: number;
  name: string;
  /** Shown once: the office keeps only its hash. */
  token: string;
}

async function send(path: string, method: string, body: unknown, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(AUTH_TIMEOUT_MS) });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new AuthApiError(timedOut ? `the office did not answer within ${AUTH_TIMEOUT_MS / 1000} s` : 'cannot reach the office', 0);
  }
}

async function call<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  let response = await send(path, method, body, await session.accessToken());
  if (response.status === 401) {
    // The token may have just ended: renew once, then give up.
    const renewed = await session.refresh();
    if (renewed) response = await send(path, method, body, renewed);
    if (!renewed || response.status === 401) {
      if (session.getState().status === 'signed-in') session.signOut(SESSION_ENDED);
    }
  }
  let parsed: { error?: unknown; code?: unknown } | undefined;
  try {
    parsed = (await response.json()) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const message = typeof parsed?.error === 'string' ? parsed.error : `the office answered HTTP ${response.status}`;
    throw new AuthApiError(message, response.status, typeof parsed?.code === 'string' ? parsed.code : undefined);
  }
  if (parsed === undefined) throw new AuthApiError(`the office answered HTTP ${response.status} without JSON`, response.status);
  return parsed as T;
}

export const getOfficeInfo = () => call<{ ingest_url: string | null }>('/office/info');

export const provisionNode = (node: { name: string; kind: string; animal?: string; pen?: string; metric?: string }) => call<NodeToken>('/office/nodes', 'POST', node);

export const rotateNode = (id: number) => call<NodeToken>(`/office/nodes/${id}/rotate`, 'POST', {});

export const revokeNode = (id: number) => call<{ id: number; name: string }>(`/office/nodes/${id}/revoke`, 'POST', {});

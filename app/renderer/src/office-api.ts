// The office's /office routes: what GraphQL cannot do (make a node's token, a file to download, a schedule that writes to a folder). Signed in like the owner's /auth calls.
import { AUTH_TIMEOUT_MS, AuthApiError } from './auth/auth-api.ts';
import { session, SESSION_ENDED } from './auth/session.ts';
import type { Schedule, ScheduleBody } from './reports-model.ts';

export interface NodeToken {
  id: number;
  name: string;
  /** Shown once: the office keeps only its hash. */
  token: string;
}

async function send(path: string, method: string, body: unknown, token: string | null, timeoutMs = AUTH_TIMEOUT_MS): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new AuthApiError(timedOut ? `the office did not answer within ${Math.round(timeoutMs / 1000)} s` : 'cannot reach the office', 0);
  }
}

async function call<T>(path: string, method = 'GET', body?: unknown, timeoutMs?: number): Promise<T> {
  let response = await send(path, method, body, await session.accessToken(), timeoutMs);
  if (response.status === 401) {
    // The token may have just ended: renew once, then give up.
    const renewed = await session.refresh();
    if (renewed) response = await send(path, method, body, renewed, timeoutMs);
    if (!renewed || response.status === 401) {
      if (session.getState().status === 'signed-in') session.signOut(SESSION_ENDED);
    }
  }
  if (response.status === 204) return undefined as T;
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

/**
 * A GET of a file the office makes (an export, a report), signed in, with the caller's signal (Cancel) and no
 * time limit of its own: a year of readings takes a while. The answer is returned as it is, its body unread,
 * so the caller can read it chunk by chunk; a refused token is renewed once.
 */
export async function fetchOfficeFile(path: string, signal: AbortSignal): Promise<Response> {
  const get = (token: string | null) => fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
  let response = await get(await session.accessToken());
  if (response.status === 401) {
    const renewed = await session.refresh();
    if (renewed) response = await get(renewed);
    if (!renewed || response.status === 401) {
      if (session.getState().status === 'signed-in') session.signOut(SESSION_ENDED);
    }
  }
  return response;
}

export const listReportSchedules = () => call<{ schedules: Schedule[] }>('/office/report-schedules');

export const createReportSchedule = (body: ScheduleBody) => call<Schedule>('/office/report-schedules', 'POST', body);

export const updateReportSchedule = (id: number, body: ScheduleBody) => call<Schedule>(`/office/report-schedules/${id}`, 'PUT', body);

export const deleteReportSchedule = (id: number) => call<void>(`/office/report-schedules/${id}`, 'DELETE');

/** Runs a schedule now and answers when the run has ended (so a long export gets long enough to finish). */
export const runReportSchedule = (id: number) => call<Schedule>(`/office/report-schedules/${id}/run`, 'POST', {}, RUN_TIMEOUT_MS);

/** How long "Run now" waits for the run to end before it says the office did not answer. */
export const RUN_TIMEOUT_MS = 10 * 60_000;

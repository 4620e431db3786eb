// What the tray shows about the office: nodes online and open alerts, read through the office's own GraphQL
// endpoint (the same API the renderer uses). The counting is a pure function over the response JSON.

/** A node counts as online when it posted within this many minutes. */
export const ONLINE_WINDOW_MINUTES = 15;

export const STATUS_QUERY = '{ nodes { last_seen_at } alerts(where: { status: { _eq: "open" } }) { id } }';

export type OfficeStatus =
  | { state: 'ok'; nodesOnline: number; nodesTotal: number; openAlerts: number }
  | { state: 'unavailable'; reason: string };

/** Counts nodes seen within the window and open alerts from a GraphQL response body. */
export function officeStatusFromResponse(body: unknown, now: Date, windowMinutes = ONLINE_WINDOW_MINUTES): OfficeStatus {
  const b = body as { data?: { nodes?: unknown; alerts?: unknown }; errors?: { message?: string }[] } | null;
  if (!b || typeof b !== 'object') return { state: 'unavailable', reason: 'the office answered with no data' };
  if (Array.isArray(b.errors) && b.errors.length) return { state: 'unavailable', reason: b.errors[0]?.message ?? 'GraphQL error' };
  const nodes = b.data?.nodes;
  const alerts = b.data?.alerts;
  if (!Array.isArray(nodes) || !Array.isArray(alerts)) return { state: 'unavailable', reason: 'the office answered with no data' };
  const since = now.getTime() - windowMinutes * 60_000;
  let nodesOnline = 0;
  for (const node of nodes) {
    const seen = (node as { last_seen_at?: unknown } | null)?.last_seen_at;
    if (typeof seen !== 'string') continue;
    const t = Date.parse(seen);
    // A clock a little ahead on the node side still counts as seen now.
    if (Number.isFinite(t) && t >= since) nodesOnline++;
  }
  return { state: 'ok', nodesOnline, nodesTotal: nodes.length, openAlerts: alerts.length };
}

/** Asks the office for its status; never throws (the tray just says the office is unavailable). */
export async function fetchOfficeStatus(
  apiUrl: string,
  options: { fetch?: typeof fetch; now?: () => Date; timeoutMs?: number; token?: string | null; adminSecret?: string } = {},
): Promise<OfficeStatus> {
  const doFetch = options.fetch ?? fetch;
  try {
    const res = await doFetch(new URL('/v1/graphql', apiUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.adminSecret ? { 'x-hasura-admin-secret': options.adminSecret } : {}),
      },
      body: JSON.stringify({ query: STATUS_QUERY }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    const body: unknown = await res.json().catch(() => null);
    return officeStatusFromResponse(body, (options.now ?? (() => new Date()))());
  } catch (err) {
    return { state: 'unavailable', reason: (err as Error).message };
  }
}

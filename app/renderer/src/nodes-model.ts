// The nodes page's data shaping (issue 6, item 4): the ok / late / silent rule, the curl example shown with a
// new token. Free of React and the DOM so it can be tested in Node.
import { formatFixed } from './farm-format.ts';

export const NODE_KINDS = ['collar', 'bolus', 'ear_tag', 'leg_tag', 'scale', 'water_meter', 'climate', 'gateway'] as const;

const MINUTE = 60_000;
/** A node is late after 3× its usual interval, but never later than this (and this when its interval is unknown). */
export const LATE_AFTER_MAX_MS = 15 * MINUTE;
/** A node is silent after this long without a request, whatever its interval. */
export const SILENT_AFTER_MS = 60 * MINUTE;
/** How many recent requests the page asks per node to learn its usual interval. */
export const INTERVAL_SAMPLE = 8;

const NODE_FIELDS = {
  farm_settings: /* GraphQL */ `farm_settings { name time_zone locale units }`,
  nodes: /* GraphQL */ `nodes(order_by: {id: asc}) {
      id name kind created_at revoked_at last_seen_at last_ip battery_percent battery_volts rssi firmware
      accepted_count duplicate_count quarantined_count
      animal { id tag official_id name }
      group { id name }
      metric { key name }
      node_requests(order_by: {ts: desc}, limit: ${INTERVAL_SAMPLE}) { ts }
    }`,
};

export const NODES_QUERY = `query Nodes {\n  ${Object.values(NODE_FIELDS).join('\n  ')}\n}`;
export const NODES_SUBSCRIPTIONS: readonly string[] = Object.entries(NODE_FIELDS).map(([name, field]) => `subscription Nodes_${name} {\n  ${field}\n}`);

export const NODE_DETAIL_QUERY = /* GraphQL */ `query NodeDetail($id: Int!) {
  node_requests(where: {node_id: {_eq: $id}}, order_by: {ts: desc}, limit: 50) { id ts ip route status accepted duplicates quarantined duration_ms error }
  quarantined_readings(where: {node_id: {_eq: $id}}, order_by: {received_at: desc}, limit: 50) { id received_at route item_index item reason }
}`;

export interface NodeRow {
  id: number;
  name: string;
  kind: string;
  created_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  last_ip: string | null;
  battery_percent: number | null;
  battery_volts: number | null;
  rssi: number | null;
  firmware: string | null;
  accepted_count: number | string;
  duplicate_count: number | string;
  quarantined_count: number | string;
  animal: { id: number; tag: string | null; official_id: string | null; name: string | null } | null;
  group: { id: number; name: string } | null;
  metric: { key: string; name: string } | null;
  node_requests: { ts: string }[];
}

export interface NodesData {
  farm_settings: { name: string; time_zone: string; locale: string; units: string }[];
  nodes: NodeRow[];
}

export interface NodeRequestRow {
  id: number | string;
  ts: string;
  ip: string | null;
  route: string;
  status: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  duration_ms: number;
  error: string | null;
}

export interface QuarantinedRow {
  id: number | string;
  received_at: string;
  route: string;
  item_index: number;
  item: unknown;
  reason: string;
}

export interface NodeDetailData {
  node_requests: NodeRequestRow[];
  quarantined_readings: QuarantinedRow[];
}

export type NodeHealth = 'ok' | 'late' | 'silent' | 'never' | 'revoked';

export const HEALTH_LABELS: Record<NodeHealth, { label: string; color: string }> = {
  ok: { label: 'OK', color: 'green' },
  late: { label: 'Late', color: 'yellow' },
  silent: { label: 'Silent', color: 'red' },
  never: { label: 'Never seen', color: 'gray' },
  revoked: { label: 'Revoked', color: 'dark' },
};

/** The median gap between consecutive request times (any order), or undefined with fewer than two. */
export function usualIntervalMs(times: readonly string[]): number | undefined {
  const ms = times.map((t) => Date.parse(t)).filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < ms.length; i++) if (ms[i]! > ms[i - 1]!) gaps.push(ms[i]! - ms[i - 1]!);
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  return gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/** After how long without a request a node counts as late: 3× its usual interval, at most 15 minutes. */
export function lateAfterMs(usualMs: number | undefined): number {
  return usualMs === undefined ? LATE_AFTER_MAX_MS : Math.min(3 * usualMs, LATE_AFTER_MAX_MS);
}

/**
 * ok / late / silent from when the node was last seen: late after 3× its usual interval (or 15 min, whichever
 * comes first), silent after 1 h. A node that never posted is "never"; a revoked one "revoked".
 */
export function nodeHealth(node: { last_seen_at: string | null; revoked_at?: string | null }, usualMs: number | undefined, now: number): NodeHealth {
  if (node.revoked_at) return 'revoked';
  if (!node.last_seen_at) return 'never';
  const since = now - Date.parse(node.last_seen_at);
  if (Number.isNaN(since)) return 'never';
  if (since >= SILENT_AFTER_MS) return 'silent';
  if (since >= lateAfterMs(usualMs)) return 'late';
  return 'ok';
}

/** What the node is fitted to or stands in. */
export function nodeAssignment(node: Pick<NodeRow, 'animal' | 'group'>): string {
  if (node.animal) {
    const id = node.animal.tag ?? node.animal.official_id ?? `#${node.animal.id}`;
    return node.animal.name ? `${id} (${node.animal.name})` : id;
  }
  if (node.group) return `Pen: ${node.group.name}`;
  return '—';
}

/** Charge and voltage, in the farm's locale ("3,71 V" on a German farm). */
export function formatBattery(node: Pick<NodeRow, 'battery_percent' | 'battery_volts'>, locale?: string): string {
  const parts: string[] = [];
  if (node.battery_percent != null) parts.push(`${Math.round(node.battery_percent)} %`);
  if (node.battery_volts != null) parts.push(`${formatFixed(node.battery_volts, 2, locale)} V`);
  return parts.length ? parts.join(' · ') : '—';
}

export function formatSignal(rssi: number | null): string {
  return rssi == null ? '—' : `${Math.round(rssi)} dBm`;
}

/**
 * Where a node posts, as seen from the browser: the office's ingest listener is often bound to every address
 * (0.0.0.0) or to loopback; the host the page was opened on is then the one a node on the LAN can reach.
 */
export function ingestBaseUrl(ingestUrl: string | null | undefined, pageHostname: string): string {
  const fallback = `http://${pageHostname}:8470`;
  if (!ingestUrl) return fallback;
  let url: URL;
  try {
    url = new URL(ingestUrl);
  } catch {
    return fallback;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const unspecified = host === '0.0.0.0' || host === '::';
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  const pageIsLoopback = pageHostname === 'localhost' || pageHostname === '::1' || pageHostname.startsWith('127.') || pageHostname === '[::1]';
  if (unspecified || (loopback && !pageIsLoopback)) url.hostname = pageHostname;
  return url.origin;
}

/** A ready-to-use curl command for a new node (docs/node-protocol.md's first example). */
export function curlExample(baseUrl: string, token: string, metric = 'temperature', now = new Date()): string {
  const ts = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const value = metric === 'temperature' ? 38.7 : 1;
  return (
    `curl -X POST ${baseUrl}/v1/readings -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\\n` +
    `  -d '{"readings":[{"metric":"${metric}","ts":"${ts}","value":${value}}]}'`
  );
}

export function kindLabel(kind: string): string {
  const s = kind.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

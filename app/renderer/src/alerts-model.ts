// The action list's data shaping (issue 6, item 3), free of React and the DOM so it can be tested in Node.
import { formatReadingValue } from './herd-model.ts';
import { displayUnit } from './settings-model.ts';

/** How many resolved alerts the history shows (newest first). */
export const HISTORY_LIMIT = 100;

const ALERT_FIELDS = `id category cause severity status reason details onset raised_at acknowledged_at resolved_at note
      animal { id tag official_id name }
      node { id name kind }
      group { id name }`;

const ALERTS_FIELDS = {
  farm_settings: /* GraphQL */ `farm_settings { name time_zone locale units }`,
  open_alerts: /* GraphQL */ `open_alerts: alerts(where: {status: {_neq: "resolved"}}, order_by: [{severity: desc}, {raised_at: asc}]) {
      ${ALERT_FIELDS}
    }`,
  resolved_alerts: /* GraphQL */ `resolved_alerts: alerts(where: {status: {_eq: "resolved"}}, order_by: {resolved_at: desc_nulls_last}, limit: ${HISTORY_LIMIT}) {
      ${ALERT_FIELDS}
    }`,
};

export const ALERTS_QUERY = `query Alerts {\n  ${Object.values(ALERTS_FIELDS).join('\n  ')}\n}`;
/** One root field per subscription (GraphQL's rule); their data merged is ALERTS_QUERY's. */
export const ALERTS_SUBSCRIPTIONS: readonly string[] = Object.entries(ALERTS_FIELDS).map(([name, field]) => `subscription Alerts_${name} {\n  ${field}\n}`);

export const ACKNOWLEDGE_ALERT = /* GraphQL */ `mutation AcknowledgeAlert($id: Int!, $at: timestamptz!, $note: String) {
  update_alerts_by_pk(pk_columns: {id: $id}, _set: {status: "acknowledged", acknowledged_at: $at, note: $note}) { id status }
}`;

export const RESOLVE_ALERT = /* GraphQL */ `mutation ResolveAlert($id: Int!, $at: timestamptz!, $note: String) {
  update_alerts_by_pk(pk_columns: {id: $id}, _set: {status: "resolved", resolved_at: $at, note: $note}) { id status }
}`;

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface AlertRow {
  id: number;
  /** ICAR ADE category: Behaviour, Health, Reproduction, … */
  category: string;
  /** ICAR ADE cause: Activity, AnimalTemperature, Parturition, … */
  cause: string;
  /** 1 … 3; 3 is the most urgent. */
  severity: number;
  status: AlertStatus;
  reason: string;
  details: Record<string, unknown> | null;
  onset: string;
  raised_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  note: string | null;
  animal: { id: number; tag: string | null; official_id: string | null; name: string | null } | null;
  node: { id: number; name: string; kind: string } | null;
  group: { id: number; name: string } | null;
}

export interface AlertsData {
  farm_settings: { name: string; time_zone: string; locale: string; units: string }[];
  open_alerts: AlertRow[];
  resolved_alerts: AlertRow[];
}

export const SEVERITY_LABELS: Record<number, { label: string; color: string }> = {
  3: { label: 'Urgent', color: 'red' },
  2: { label: 'Warning', color: 'orange' },
  1: { label: 'Notice', color: 'blue' },
};

export function severityOf(severity: number): { label: string; color: string } {
  return SEVERITY_LABELS[severity] ?? { label: `Severity ${severity}`, color: 'gray' };
}

/**
 * Most urgent first: higher severity, then the alert that has waited longest (raised first); ties by id so
 * the order never jumps when the list is pushed again.
 */
export function byUrgency(a: AlertRow, b: AlertRow): number {
  return b.severity - a.severity || Date.parse(a.raised_at) - Date.parse(b.raised_at) || a.id - b.id;
}

export interface AlertFilter {
  /** 'active' is open and acknowledged together. */
  status: 'active' | 'open' | 'acknowledged';
  /** An ICAR category, or '' for all. */
  category: string;
}

export function filterAlerts(alerts: readonly AlertRow[], { status, category }: AlertFilter): AlertRow[] {
  return alerts.filter((a) => (status === 'active' ? a.status !== 'resolved' : a.status === status) && (!category || a.category === category)).sort(byUrgency);
}

/** The categories present, for the filter (sorted, each once). */
export function categoriesOf(alerts: readonly AlertRow[]): string[] {
  return [...new Set(alerts.map((a) => a.category))].sort((a, b) => a.localeCompare(b));
}

/** "AnimalTemperature" → "Animal temperature": ICAR's identifiers in words. */
export function words(identifier: string): string {
  const spaced = identifier
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** What the alert is about: the animal (tag and name), else the node, else the pen or group. */
export function alertSubject(alert: Pick<AlertRow, 'animal' | 'node' | 'group'>): { kind: 'animal' | 'node' | 'group' | 'farm'; label: string } {
  if (alert.animal) {
    const id = alert.animal.tag ?? alert.animal.official_id ?? `#${alert.animal.id}`;
    return { kind: 'animal', label: alert.animal.name ? `${id} (${alert.animal.name})` : id };
  }
  if (alert.node) return { kind: 'node', label: `Node ${alert.node.name}` };
  if (alert.group) return { kind: 'group', label: alert.group.name };
  return { kind: 'farm', label: 'Whole farm' };
}

/** A number in the reader's locale: at most 2 decimals, no trailing zeros. */
export function formatNumber(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 }).format(value);
}

/**
 * Which temperatures in `details` are levels and which are differences. The office names a temperature with a
 * `_c` suffix and stores it in °C (temperature_c, baseline_c, rise_c, drop_c, threshold_c). A rise or drop is a
 * difference: in °F it scales by 1.8 but is not shifted by 32. A threshold is of the kind it was compared with
 * (a rise or drop when the details carry one; a level otherwise, as for a fever judged without a baseline).
 */
export function temperatureKind(key: string, details: Readonly<Record<string, unknown>>): 'level' | 'difference' | undefined {
  if (!key.endsWith('_c')) return undefined;
  const name = key.slice(0, -2);
  if (/(^|_)(rise|drop)$/.test(name)) return 'difference';
  if (name === 'threshold' && Object.keys(details).some((k) => /(^|_)(rise|drop)_c$/.test(k))) return 'difference';
  return 'level';
}

/**
 * The numbers behind the alert, from `details`, as label and value ("Baseline ratio: 2.8"). Temperatures (°C in
 * `details`) are shown in the farm's units with their unit ("Temperature: 104.2 °F"). Nested objects are
 * flattened one level ("Baseline mean"); arrays are joined; in the order the office sends (jsonb's own, not the rule's).
 */
export function detailEntries(details: unknown, units: string, locale?: string): { label: string; value: string }[] {
  if (!details || typeof details !== 'object' || Array.isArray(details)) return [];
  const record = details as Record<string, unknown>;
  const out: { label: string; value: string }[] = [];
  const show = (v: unknown): string | undefined => {
    if (typeof v === 'number') return Number.isFinite(v) ? formatNumber(v, locale) : String(v);
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (Array.isArray(v)) return v.map((x) => show(x) ?? JSON.stringify(x)).join(', ');
    return undefined;
  };
  const temperature = displayUnit('°C', units);
  for (const [key, value] of Object.entries(record)) {
    if (value === null || value === undefined) continue;
    const kind = temperatureKind(key, record);
    if (kind && typeof value === 'number' && Number.isFinite(value)) {
      const shown = kind === 'level' ? temperature.convert(value) : value * temperature.scale;
      out.push({ label: words(key.slice(0, -2)), value: `${formatReadingValue(shown, temperature.unit, locale)} ${temperature.unit}` });
      continue;
    }
    const shown = show(value);
    if (shown !== undefined) {
      out.push({ label: words(key), value: shown });
    } else if (typeof value === 'object') {
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) {
        const s = v === null || v === undefined ? undefined : (show(v) ?? JSON.stringify(v));
        if (s !== undefined) out.push({ label: `${words(key)} ${words(inner).toLowerCase()}`, value: s });
      }
    }
  }
  return out;
}

/** Which actions a role has on an alert (the office's permissions decide; this only hides buttons that would fail). */
export function alertActions(role: string, alert: Pick<AlertRow, 'status'>): { acknowledge: boolean; resolve: boolean } {
  const writes = role === 'owner' || role === 'manager' || role === 'vet' || role === 'admin';
  return {
    acknowledge: alert.status === 'open' && (writes || role === 'worker'),
    resolve: alert.status !== 'resolved' && writes,
  };
}

/** "3 open, 1 acknowledged". */
export function alertCountLabel(alerts: readonly AlertRow[]): string {
  const open = alerts.filter((a) => a.status === 'open').length;
  const acknowledged = alerts.filter((a) => a.status === 'acknowledged').length;
  if (open + acknowledged === 0) return 'No open alerts';
  return [open && `${open} open`, acknowledged && `${acknowledged} acknowledged`].filter(Boolean).join(', ');
}

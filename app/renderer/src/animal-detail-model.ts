// The animal detail page's data shaping, kept free of React, ECharts and the DOM so it can be unit-tested in
// Node: the page's queries, range → where clause, the baseline band, marker lists and the farm's clock.
import { displayUnit } from './settings-model.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The small, live part of the page: the animal, its alerts and events, and what the charts need to label. */
function detailFields(animalId: number): Record<string, string> {
  return {
    farm_settings: /* GraphQL */ `farm_settings { time_zone locale units }`,
    metrics: /* GraphQL */ `metrics(order_by: {id: asc}) { id key name unit }`,
    animals_by_pk: /* GraphQL */ `animals_by_pk(id: ${animalId}) {
      id tag official_id name sex birth_date breed status unconfirmed due_date
      group { id name }
    }`,
    alerts: /* GraphQL */ `alerts(where: {animal_id: {_eq: ${animalId}}}, order_by: {onset: desc}, limit: 500) {
      id category cause severity status reason onset raised_at
    }`,
    events: /* GraphQL */ `events(where: {animal_id: {_eq: ${animalId}}}, order_by: {ts: desc}, limit: 500) {
      id kind ts note created_at
    }`,
  };
}

/** The live part as one query (the HTTP fallback) and as one subscription per root field. */
export function detailLiveQuery(animalId: number): { query: string; subscriptions: string[] } {
  if (!Number.isSafeInteger(animalId)) throw new Error(`not an animal id: ${animalId}`);
  const fields = detailFields(animalId);
  return {
    query: `query AnimalDetail {\n  ${Object.values(fields).join('\n  ')}\n}`,
    subscriptions: Object.entries(fields).map(([name, field]) => `subscription AnimalDetail_${name} {\n  ${field}\n}`),
  };
}

/**
 * The readings are asked once per range (and again now and then), not subscribed to: 90 days are ~13,000 rows
 * per metric, too many to re-run on every reading the farm's nodes post. The order follows the primary key.
 */
export const READINGS_QUERY = /* GraphQL */ `
  query AnimalReadings($where: readings_bool_exp!) {
    readings(where: $where, order_by: [{metric_id: asc}, {ts: asc}]) { metric_id ts value }
  }
`;

export const INSERT_EVENT_MUTATION = /* GraphQL */ `
  mutation AddEvent($object: events_insert_input!) {
    insert_events_one(object: $object) { id kind ts note }
  }
`;

export interface DetailMetric {
  id: number;
  key: string;
  name: string;
  unit: string;
}

export interface DetailAnimal {
  id: number;
  tag: string | null;
  official_id: string | null;
  name: string | null;
  sex: 'female' | 'male' | string;
  /** YYYY-MM-DD, a calendar date (no zone). */
  birth_date: string | null;
  breed: string | null;
  status: string;
  unconfirmed: boolean;
  due_date: string | null;
  group: { id: number; name: string } | null;
}

export interface DetailAlert {
  id: number;
  category: string;
  cause: string;
  severity: number;
  status: string;
  reason: string;
  onset: string;
  raised_at: string;
}

export type EventKind = 'insemination' | 'treatment' | 'calving' | 'note';
export const EVENT_KINDS: readonly EventKind[] = ['insemination', 'treatment', 'calving', 'note'];
export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  insemination: 'Insemination',
  treatment: 'Treatment',
  calving: 'Calving',
  note: 'Note',
};

export interface DetailEvent {
  id: number;
  kind: EventKind | string;
  ts: string;
  note: string | null;
  created_at: string;
}

export interface DetailData {
  farm_settings: { time_zone: string; locale: string; units: string }[];
  metrics: DetailMetric[];
  animals_by_pk: DetailAnimal | null;
  alerts: DetailAlert[];
  events: DetailEvent[];
}

export interface ReadingRow {
  metric_id: number;
  ts: string;
  value: number;
}

// ---------------------------------------------------------------------------------------------------------
// Routes

/** The route's parameter ("42" of `#/animal/42`) → 42; anything else → undefined. */
export function animalIdFromParam(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,9}$/.test(raw)) return undefined;
  const id = Number(raw);
  return id > 0 ? id : undefined;
}

export function animalHref(id: number): string {
  return `#/animal/${id}`;
}

// ---------------------------------------------------------------------------------------------------------
// The farm's clock (Intl only: the viewer's own zone never enters)

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone if Intl knows it, else UTC: an unknown zone in settings must not break the page. */
export function safeTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function wallParts(ms: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(timeZone, format);
  }
  const out: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, mo: out.month!, d: out.day!, h: out.hour! % 24, mi: out.minute!, s: out.second! };
}

/** How far the farm's clock is ahead of UTC at `ms` (e.g. +3,600,000 for Berlin in winter). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = wallParts(ms, timeZone);
  const wallAsUtc = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
  return wallAsUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time on the farm means: "2026-03-29", "02:30" in Europe/Berlin. A time the clocks
 * skip (spring forward) maps to the instant just after the gap; an ambiguous one (fall back) to the first.
 */
export function farmWallToUtc(date: string, time: string, timeZone: string): number | undefined {
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const tm = /^(\d{2}):(\d{2})$/.exec(time);
  if (!dm || !tm) return undefined;
  const wall = Date.UTC(Number(dm[1]), Number(dm[2]) - 1, Number(dm[3]), Number(tm[1]), Number(tm[2]));
  // Date.UTC rolls "2026-13-01" or "25:00" over; a date that does not exist is refused instead.
  const check = new Date(wall);
  if (Number.isNaN(wall) || check.getUTCMonth() + 1 !== Number(dm[2]) || check.getUTCDate() !== Number(dm[3]) || Number(tm[1]) > 23 || Number(tm[2]) > 59) return undefined;
  // The offsets a day before and after cover any change of the clocks in between (DST moves by at most a few hours).
  const candidates = [wall - zoneOffsetMs(wall - DAY, timeZone), wall - zoneOffsetMs(wall + DAY, timeZone)];
  const valid = candidates.filter((c) => c + zoneOffsetMs(c, timeZone) === wall);
  // Skipped wall time: the offset before the gap lands just after it.
  return valid.length ? Math.min(...valid) : candidates[0];
}

/** The farm's calendar date and time at `ms`, as date and time inputs want them ("2026-11-28", "08:05"). */
export function utcToFarmWall(ms: number, timeZone: string): { date: string; time: string } {
  const p = wallParts(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return { date: `${p.y}-${two(p.mo)}-${two(p.d)}`, time: `${two(p.h)}:${two(p.mi)}` };
}

const displayFormats = new Map<string, Intl.DateTimeFormat>();

function displayFormat(kind: 'datetime' | 'time' | 'date' | 'full', timeZone: string, locale?: string): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}|${locale ?? ''}`;
  let format = displayFormats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'datetime'
        ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : kind === 'time'
          ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
          : kind === 'date'
            ? { day: 'numeric', month: 'short' }
            : { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' };
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: safeTimeZone(timeZone) });
    displayFormats.set(key, format);
  }
  return format;
}

/** "28 Nov 2026, 08:05" on the farm's clock. */
export function formatFarmDateTime(ms: number | string, timeZone: string, locale?: string): string {
  const t = typeof ms === 'string' ? Date.parse(ms) : ms;
  if (Number.isNaN(t)) return String(ms);
  return displayFormat('full', timeZone, locale).format(t);
}

/**
 * The time axis's label for a tick, on the farm's clock: hours and minutes when the visible span is under two
 * days (the date where the farm's day begins), the date otherwise.
 */
export function axisLabel(ms: number, spanMs: number, timeZone: string, locale?: string): string {
  if (spanMs > 2 * DAY) return displayFormat('date', timeZone, locale).format(ms);
  const { h, mi } = wallParts(ms, timeZone);
  return h === 0 && mi === 0 ? displayFormat('date', timeZone, locale).format(ms) : displayFormat('time', timeZone, locale).format(ms);
}

/** The tooltip's heading for a point: "28 Nov, 08:05". */
export function pointLabel(ms: number, timeZone: string, locale?: string): string {
  return displayFormat('datetime', timeZone, locale).format(ms);
}

// ---------------------------------------------------------------------------------------------------------
// Ranges

export type RangeKey = '24h' | '7d' | '30d' | '90d' | 'custom';
export const RANGE_OPTIONS: readonly { value: RangeKey; label: string }[] = [
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 d' },
  { value: '30d', label: '30 d' },
  { value: '90d', label: '90 d' },
  { value: 'custom', label: 'Custom' },
];
const RANGE_MS: Record<Exclude<RangeKey, 'custom'>, number> = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY };

/** The baseline needs this much history before the first point shown, so the readings are asked from earlier. */
export const BASELINE_WINDOW_MS = 7 * DAY;
/** The longest custom range: beyond it a chart of 10-minute readings stops being readable (and fast). */
export const MAX_CUSTOM_DAYS = 366;

export interface TimeRange {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

export type RangeResult = { ok: true; range: TimeRange } | { ok: false; error: string };

/**
 * The time range a choice means. Relative ranges end now; a custom range runs from the first date's start to
 * the end of the second date, both on the farm's calendar.
 */
export function resolveRange(key: RangeKey, now: number, timeZone: string, custom?: { from: string; to: string }): RangeResult {
  if (key !== 'custom') return { ok: true, range: { from: now - RANGE_MS[key], to: now } };
  if (!custom?.from || !custom.to) return { ok: false, error: 'Choose both a start and an end date.' };
  const from = farmWallToUtc(custom.from, '00:00', timeZone);
  const endDay = farmWallToUtc(custom.to, '00:00', timeZone);
  if (from === undefined || endDay === undefined) return { ok: false, error: 'A date is not valid; use the calendar or type YYYY-MM-DD.' };
  // The end of the "to" day is the next day's midnight, found on the farm's calendar (a day may have 23 or 25 hours).
  const next = utcToFarmWall(endDay + 26 * HOUR, timeZone).date;
  const to = farmWallToUtc(next, '00:00', timeZone)!;
  if (to <= from) return { ok: false, error: 'The end date is before the start date.' };
  if (to - from > MAX_CUSTOM_DAYS * DAY + 2 * HOUR) return { ok: false, error: `Choose at most ${MAX_CUSTOM_DAYS} days.` };
  return { ok: true, range: { from, to } };
}

/** The readings' where clause for a range: the shown range plus the baseline's week of history before it. */
export function readingsWhere(animalId: number, range: TimeRange): Record<string, unknown> {
  return {
    animal_id: { _eq: animalId },
    ts: { _gte: new Date(range.from - BASELINE_WINDOW_MS).toISOString(), _lt: new Date(range.to).toISOString() },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Series and the baseline band

export interface MetricSeries {
  metric: DetailMetric;
  /** [epoch ms, value], oldest first, including the history before the range (for the baseline). */
  points: [number, number][];
}

/** Readings grouped per metric, in the metrics' order; metrics without a reading are left out. */
export function seriesByMetric(rows: readonly ReadingRow[], metrics: readonly DetailMetric[]): MetricSeries[] {
  const byId = new Map<number, [number, number][]>();
  for (const row of rows) {
    let list = byId.get(row.metric_id);
    if (!list) byId.set(row.metric_id, (list = []));
    list.push([Date.parse(row.ts), row.value]);
  }
  const out: MetricSeries[] = [];
  for (const metric of metrics) {
    const points = byId.get(metric.id);
    if (!points?.length) continue;
    // The query orders by time; sorting again is cheap insurance for rows merged from elsewhere.
    if (!isSorted(points)) points.sort((a, b) => a[0] - b[0]);
    out.push({ metric, points });
  }
  return out;
}

/**
 * The series as the farm reads them: temperatures in °F on an imperial farm (metric and label), other metrics
 * as stored. Converted before the baseline is computed: median and MAD follow a linear change of unit, so the
 * band comes out the same as converting it afterwards, and the chart, axis and tooltip need no unit logic.
 */
export function seriesInUnits(series: readonly MetricSeries[], units: string): MetricSeries[] {
  return series.map((s) => {
    const shown = displayUnit(s.metric.unit, units);
    if (shown.unit === s.metric.unit) return s;
    return { metric: { ...s.metric, unit: shown.unit }, points: s.points.map(([t, v]) => [t, shown.convert(v)]) };
  });
}

function isSorted(points: readonly [number, number][]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i]![0] < points[i - 1]![0]) return false;
  return true;
}

/** Points within [from, to). */
export function pointsInRange(points: readonly [number, number][], range: TimeRange): [number, number][] {
  const start = lowerBound(points, range.from);
  const end = lowerBound(points, range.to);
  return points.slice(start, end);
}

function lowerBound(points: readonly [number, number][], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface BaselinePoint {
  t: number;
  median: number;
  low: number;
  high: number;
}

export interface BaselineOptions {
  windowMs?: number;
  /** How wide the band is, in MADs either side of the median. */
  k?: number;
  /** Fewer readings than this in the window: no band there (a new animal has no baseline yet). */
  minPoints?: number;
  /** The band is evaluated every `stepMs`; finer steps cost time and change nothing visible. */
  stepMs?: number;
}

/**
 * The animal's own baseline: at each step, the median of its readings in the preceding window (7 days) ± k·MAD
 * (median absolute deviation, 1.5 by default). Computed in the browser from the loaded readings for now;
 * issue 9 ("Statistics and alerts that find the cow to check") will store baselines in the office, and this
 * band should then be read from there instead.
 *
 * The window slides over a sorted array kept up to date by binary insertion and removal, so 90 days of
 * 10-minute readings (~14,000 points, ~1,000 per window) take a few tens of milliseconds.
 */
export function rollingBaseline(points: readonly [number, number][], range: TimeRange, options: BaselineOptions = {}): BaselinePoint[] {
  const windowMs = options.windowMs ?? BASELINE_WINDOW_MS;
  const k = options.k ?? 1.5;
  const minPoints = options.minPoints ?? 12;
  const stepMs = options.stepMs ?? Math.max(HOUR, Math.ceil((range.to - range.from) / 720 / HOUR) * HOUR);
  const out: BaselinePoint[] = [];
  if (points.length === 0) return out;
  const window: number[] = [];
  let head = 0; // next point to enter
  let tail = 0; // oldest point still inside
  const deviations: number[] = [];
  const firstT = Math.max(range.from, points[0]![0]);
  // Steps aligned to whole multiples of stepMs, so the band does not shift when the range moves by a minute.
  for (let t = Math.ceil(firstT / stepMs) * stepMs; t < range.to + stepMs; t += stepMs) {
    const at = Math.min(t, range.to);
    while (head < points.length && points[head]![0] <= at) insertSorted(window, points[head++]![1]);
    while (tail < head && points[tail]![0] <= at - windowMs) removeSorted(window, points[tail++]![1]);
    if (window.length < minPoints) continue;
    const m = median(window);
    deviations.length = 0;
    for (const v of window) deviations.push(Math.abs(v - m));
    deviations.sort((a, b) => a - b);
    const mad = median(deviations);
    out.push({ t: at, median: m, low: m - k * mad, high: m + k * mad });
    if (at === range.to) break;
  }
  return out;
}

function insertSorted(list: number[], v: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, v);
}

function removeSorted(list: number[], v: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] === v) list.splice(lo, 1);
}

// ---------------------------------------------------------------------------------------------------------
// Markers

export interface Marker {
  kind: 'alert' | 'event';
  id: number;
  /** Epoch ms. */
  t: number;
  /** Short text on the chart. */
  label: string;
  /** The whole story, for the list and the tooltip. */
  detail: string;
}

/** Alerts (at their onset) and events within the range, oldest first. */
export function markersInRange(alerts: readonly DetailAlert[], events: readonly DetailEvent[], range: TimeRange): Marker[] {
  const out: Marker[] = [];
  for (const a of alerts) {
    const t = Date.parse(a.onset);
    if (t >= range.from && t < range.to) out.push({ kind: 'alert', id: a.id, t, label: `⚠ ${a.cause}`, detail: a.reason });
  }
  for (const e of events) {
    const t = Date.parse(e.ts);
    if (t >= range.from && t < range.to) {
      const kind = EVENT_KIND_LABELS[e.kind as EventKind] ?? e.kind;
      out.push({ kind: 'event', id: e.id, t, label: kind, detail: e.note ? `${kind}: ${e.note}` : kind });
    }
  }
  return out.sort((a, b) => a.t - b.t || (a.kind === b.kind ? a.id - b.id : a.kind === 'alert' ? -1 : 1));
}

export interface HistoryEntry {
  key: string;
  kind: 'alert' | 'event';
  t: number;
  title: string;
  text: string;
  status?: string;
}

/** Everything that happened to the animal, newest first: the list under the charts (not limited to the range). */
export function historyEntries(alerts: readonly DetailAlert[], events: readonly DetailEvent[]): HistoryEntry[] {
  const out: HistoryEntry[] = [
    ...alerts.map((a) => ({ key: `alert-${a.id}`, kind: 'alert' as const, t: Date.parse(a.onset), title: `Alert: ${a.category} · ${a.cause}`, text: a.reason, status: a.status })),
    ...events.map((e) => ({
      key: `event-${e.id}`,
      kind: 'event' as const,
      t: Date.parse(e.ts),
      title: EVENT_KIND_LABELS[e.kind as EventKind] ?? e.kind,
      text: e.note ?? '',
    })),
  ];
  return out.sort((a, b) => b.t - a.t || a.key.localeCompare(b.key));
}

// ---------------------------------------------------------------------------------------------------------
// Identity

/** "4 years 3 months", "7 months", "12 days" old on `today` (the farm's date); undefined without a birth date. */
export function formatAnimalAge(birthDate: string | null, today: string): string | undefined {
  const b = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate ?? '');
  const t = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!b || !t) return undefined;
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  const [ty, tm, td] = [Number(t[1]), Number(t[2]), Number(t[3])];
  let months = (ty - by) * 12 + (tm - bm);
  if (td < bd) months--;
  if (months < 0) return 'not born yet';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (months === 0) {
    const days = Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(by, bm - 1, bd)) / DAY);
    return plural(days, 'day');
  }
  const years = Math.floor(months / 12);
  const rest = months % 12;
  if (years === 0) return plural(rest, 'month');
  return rest ? `${plural(years, 'year')} ${plural(rest, 'month')}` : plural(years, 'year');
}

export function animalTitle(animal: Pick<DetailAnimal, 'tag' | 'official_id' | 'name'>): string {
  const label = animal.tag ?? animal.official_id ?? '';
  return animal.name ? `${label} · ${animal.name}` : label;
}

// ---------------------------------------------------------------------------------------------------------
// Adding events

/** The kinds of event a role may add (as the office's permissions allow; the office checks again). */
export function eventKindsFor(role: string): EventKind[] {
  if (role === 'owner' || role === 'manager') return [...EVENT_KINDS];
  if (role === 'vet') return ['treatment', 'note'];
  if (role === 'worker') return ['note'];
  return [];
}

export interface EventForm {
  kind: EventKind;
  date: string;
  time: string;
  note: string;
}

export const NOTE_MAX_LENGTH = 2000;

export type EventInputResult = { ok: true; object: Record<string, unknown> } | { ok: false; error: string };

/**
 * The insert's object from the form, or what is wrong with it in words. A worker's insert permission presets
 * the kind ("note") and may not name the column, so it is left out for that role.
 */
export function eventInput(animalId: number, form: EventForm, role: string, timeZone: string, now: number): EventInputResult {
  if (!eventKindsFor(role).includes(form.kind)) return { ok: false, error: `Your role may not add a ${EVENT_KIND_LABELS[form.kind].toLowerCase()}.` };
  const ts = farmWallToUtc(form.date, form.time, timeZone);
  if (ts === undefined) return { ok: false, error: 'Give the date and time it happened.' };
  // A few minutes ahead is a clock running fast; more is a typo.
  if (ts > now + 5 * MINUTE) return { ok: false, error: 'The time is in the future.' };
  const note = form.note.trim();
  if (form.kind === 'note' && !note) return { ok: false, error: 'Write the note.' };
  if (note.length > NOTE_MAX_LENGTH) return { ok: false, error: `The note is too long (${note.length} characters; at most ${NOTE_MAX_LENGTH}).` };
  const object: Record<string, unknown> = { animal_id: animalId, ts: new Date(ts).toISOString(), note: note || null };
  if (role !== 'worker') object.kind = form.kind;
  return { ok: true, object };
}

/** An error the office answered to insert_events_one, in words for the farmer. */
export function eventErrorInWords(errors: readonly { message: string; extensions?: Record<string, unknown> }[]): string {
  const code = String(errors[0]?.extensions?.code ?? '');
  const message = errors.map((e) => e.message).join('; ');
  switch (code) {
    case 'permission-error':
      return 'The office refused: your role may not add this kind of event for this animal.';
    case 'constraint-violation':
      return /foreign key|animal/i.test(message) ? 'This animal no longer exists.' : `The office refused the event: ${message}`;
    case 'validation-failed':
      return /not found in type|insert_events_one/.test(message)
        ? 'Your role may not add events (or not this kind).'
        : `The office could not take the event: ${message}`;
    case 'data-exception':
      return `A value was not accepted: ${message}`;
    default:
      return message ? `Could not save the event: ${message}` : 'Could not save the event.';
  }
}

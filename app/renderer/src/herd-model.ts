// The herd page's data shaping, kept free of React and the DOM so it can be unit-tested in Node.
import { displayUnit, type DisplayUnit } from './settings-model.ts';

/** The herd page's root fields: asked together over HTTP, or each as one live subscription (Hasura allows one root field per subscription). */
const HERD_FIELDS = {
  farm_settings: /* GraphQL */ `farm_settings { name time_zone locale units }`,
  metrics: /* GraphQL */ `metrics(order_by: {id: asc}) { id key name unit }`,
  animals: /* GraphQL */ `animals(order_by: {tag: asc}) {
      id tag official_id name status unconfirmed
      group { id name }
      latest_readings { metric_id ts value received_at }
      alerts(where: {status: {_eq: "open"}}) { id cause }
    }`,
};

export const HERD_QUERY = `query Herd {\n  ${Object.values(HERD_FIELDS).join('\n  ')}\n}`;

/** The same data, pushed by the office whenever it changes: the subscriptions' data merged is HERD_QUERY's. */
export const HERD_SUBSCRIPTIONS: readonly string[] = Object.entries(HERD_FIELDS).map(([name, field]) => `subscription Herd_${name} {\n  ${field}\n}`);

export interface FarmSettings {
  name: string;
  /** IANA zone, e.g. Europe/Berlin: reading times are shown in the farm's clock, not the viewer's. */
  time_zone: string;
  /** BCP 47 tag, e.g. de-DE: numbers and dates are written the farm's way, not the viewer's browser's. */
  locale: string;
  units: 'metric' | 'imperial';
}

export interface Metric {
  id: number;
  key: string;
  name: string;
  unit: string;
}

export interface LatestReading {
  metric_id: number;
  /** ISO 8601 with offset: when the node measured it. */
  ts: string;
  value: number;
  /** ISO 8601 with offset: when the office stored it. */
  received_at: string;
}

export type AnimalStatus = 'active' | 'dry' | 'sold' | 'dead';

export interface Animal {
  id: number;
  tag: string | null;
  official_id: string | null;
  name: string | null;
  status: AnimalStatus;
  /** Created by a node's reading for an ID the office did not know: someone should confirm or merge it. */
  unconfirmed: boolean;
  group: { id: number; name: string } | null;
  latest_readings: LatestReading[];
  /** The animal's open alerts (acknowledged and resolved ones no longer flag the row). */
  alerts: OpenAlert[];
}

export interface OpenAlert {
  id: number;
  /** ICAR ADE cause, e.g. Activity, AnimalTemperature. */
  cause: string;
}

export interface HerdData {
  farm_settings: FarmSettings[];
  metrics: Metric[];
  animals: Animal[];
}

/** The label the farmer reads in the barn; the schema guarantees one of the two. */
export function animalLabel(animal: Pick<Animal, 'tag' | 'official_id'>): string {
  return animal.tag ?? animal.official_id ?? '';
}

/**
 * Nothing to show yet: the herd page explains how to get data in instead of an empty table.
 * Every reading belongs to an animal (an unknown ID creates an unconfirmed one), so no animals means no readings.
 */
export function isEmptyFarm(animals: readonly Animal[]): boolean {
  return animals.length === 0;
}

/** Animals were imported but no node has reported yet: worth a hint, not a blank column area. */
export function hasNoReadings(animals: readonly Animal[]): boolean {
  return animals.every((a) => a.latest_readings.length === 0);
}

/** A metric column: the metric and how its stored values are shown under the farm's units (°F on an imperial farm). */
export interface MetricColumn extends Metric {
  shown: DisplayUnit;
}

/**
 * The metrics that get a column: those with at least one latest reading anywhere in the herd, in the
 * metrics' own order. Judged on the whole herd, not the filtered rows, so columns do not jump while typing.
 */
export function metricColumns(metrics: readonly Metric[], animals: readonly Animal[], units: string): MetricColumn[] {
  const seen = new Set<number>();
  for (const animal of animals) for (const reading of animal.latest_readings) seen.add(reading.metric_id);
  return metrics.filter((m) => seen.has(m.id)).map((m) => ({ ...m, shown: displayUnit(m.unit, units) }));
}

/** The herd table's column widths (px): the wide layout's, and the compact one's for a tablet held upright. */
export const HERD_WIDTHS = { tag: 120, name: 140, group: 130, status: 280, sparkline: 120, metric: 120, compactTag: 132, compactStatus: 150, compactMetric: 88 } as const;
/** Below this box width the table turns compact (an 820 px tablet upright leaves it about 590 px). */
export const COMPACT_BELOW_PX = 900;

export interface HerdLayout {
  /** Name and group go under the tag, the trend sparkline goes, the status column narrows. */
  compact: boolean;
  /** The metric columns shown: all in the wide layout; in the compact one, as many as fit, in the metrics' order. */
  columns: MetricColumn[];
  /** Metrics left out for want of width (each animal's page shows them all). */
  hidden: MetricColumn[];
}

/**
 * How the herd table fits a box `width` px wide. Wide enough for every column, or on a desktop (where a long
 * row of metrics may scroll sideways), the full table; narrower, the compact one, which needs no sideways
 * scrolling to show tag, status and the first metrics. 0 means not measured yet: the full table.
 */
export function herdLayout(width: number, columns: readonly MetricColumn[], sparkline: boolean): HerdLayout {
  const w = HERD_WIDTHS;
  const full = w.tag + w.name + w.group + w.status + (sparkline ? w.sparkline : 0) + columns.length * w.metric;
  if (width <= 0 || width >= full || width >= COMPACT_BELOW_PX) return { compact: false, columns: [...columns], hidden: [] };
  const fit = Math.max(1, Math.floor((width - w.compactTag - w.compactStatus) / w.compactMetric));
  return { compact: true, columns: columns.slice(0, fit), hidden: columns.slice(fit) };
}

export function readingsByMetric(animal: Animal): Map<number, LatestReading> {
  return new Map(animal.latest_readings.map((r) => [r.metric_id, r]));
}

/** Official IDs are written with and without spaces (276 0001 2345 6789); search must not care. */
function compact(text: string): string {
  return text.toLowerCase().replace(/[\s\-_.]+/g, '');
}

/** Case- and spacing-insensitive substring search over tag, name and official ID. */
export function filterAnimals<A extends Pick<Animal, 'tag' | 'name' | 'official_id'>>(animals: readonly A[], search: string): A[] {
  const needle = compact(search);
  if (!needle) return [...animals];
  return animals.filter((a) => [a.tag, a.name, a.official_id].some((field) => field != null && compact(field).includes(needle)));
}

/**
 * Decimals per unit: a tenth of a degree matters for fever, a tenth of a step does not. Values are float4
 * in the database, so without rounding 38.7 could show as 38.70000076.
 */
const DECIMALS_BY_UNIT: Record<string, number> = {
  '°C': 1,
  '°F': 1,
  'steps/h': 0,
  'min/h': 0,
  kg: 0,
  L: 1,
  '%': 0,
};

const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatReadingValue(value: number, unit: string, locale?: string): string {
  const decimals = DECIMALS_BY_UNIT[unit];
  const cacheKey = `${locale ?? ''}|${decimals ?? 'auto'}`;
  let format = numberFormats.get(cacheKey);
  if (!format) {
    format = new Intl.NumberFormat(
      locale,
      decimals === undefined
        ? { maximumFractionDigits: 2 }
        : { minimumFractionDigits: decimals, maximumFractionDigits: decimals },
    );
    numberFormats.set(cacheKey, format);
  }
  return format.format(value);
}

/** A stored value (°C for temperatures) as the farm reads it, e.g. "101.8" on an imperial farm. */
export function formatShownValue(value: number, shown: DisplayUnit, locale?: string): string {
  return formatReadingValue(shown.convert(value), shown.unit, locale);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 min ago", coarse on purpose: the exact time is in the cell's title. */
export function formatAge(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'unknown time';
  const age = now - then;
  // A few minutes ahead is this computer's clock lagging the office's; more than that deserves a word.
  if (age < -5 * MINUTE) return 'in the future';
  if (age < MINUTE) return 'just now';
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min ago`;
  if (age < DAY) return `${Math.floor(age / HOUR)} h ago`;
  const days = Math.floor(age / DAY);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function farmDateFormat(timeZone: string, withTime: boolean, locale?: string): Intl.DateTimeFormat {
  const cacheKey = `${locale ?? ''}|${timeZone}|${withTime}`;
  let format = dateFormats.get(cacheKey);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = withTime ? { dateStyle: 'medium', timeStyle: 'long' } : { dateStyle: 'medium' };
    try {
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    } catch {
      // An unknown zone in farm settings must not break the page; UTC with its name shown is unambiguous.
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    }
    dateFormats.set(cacheKey, format);
  }
  return format;
}

/** A time stamp (ISO 8601 or epoch ms) on the farm's clock, with the zone's name, e.g. "28 Nov 2026, 08:00:00 CET". */
export function formatFarmTime(at: string | number, timeZone: string, locale?: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return farmDateFormat(timeZone, true, locale).format(date);
}

/** The day a time stamp falls on, on the farm's calendar, e.g. "28 Nov 2026". */
export function formatFarmDate(iso: string, timeZone: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return farmDateFormat(timeZone, false, locale).format(date);
}

/** The reading cell's tooltip: when it was measured and when the office got it, on the farm's clock. */
export function readingTitle(reading: Pick<LatestReading, 'ts' | 'received_at'>, timeZone: string, locale?: string): string {
  return `Measured ${formatFarmTime(reading.ts, timeZone, locale)}\nReceived ${formatFarmTime(reading.received_at, timeZone, locale)}`;
}

export function countLabel(shown: number, total: number): string {
  const noun = (n: number) => (n === 1 ? 'animal' : 'animals');
  return shown === total ? `${total} ${noun(total)}` : `${shown} of ${total} ${noun(total)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Status badges, filters and sorting of the herd table.

/** What a row can be flagged with, in the order the badges show and the status column sorts (most urgent first). */
export const HERD_BADGES = ['fever', 'health', 'in-heat', 'calving', 'no-data', 'unconfirmed'] as const;
export type HerdBadge = (typeof HERD_BADGES)[number];

export const HERD_BADGE_LABELS: Record<HerdBadge, string> = {
  fever: 'Fever',
  health: 'Health suspicion',
  'in-heat': 'In heat',
  calving: 'Calving soon',
  'no-data': 'No data',
  unconfirmed: 'Unconfirmed',
};

/** ICAR ADE alert causes that put a badge on the row; other causes show on the action list only. */
export const BADGE_BY_ALERT_CAUSE: Readonly<Record<string, HerdBadge>> = {
  Activity: 'in-heat',
  LowerRumination: 'health',
  AnimalTemperature: 'fever',
  Parturition: 'calving',
};

/** A collar or bolus silent this long is worth a look, whatever its last values said. */
export const NO_DATA_AFTER_MS = 24 * HOUR;

/** The badges of one animal at `now`, most urgent first, each once. */
export function animalBadges(animal: Pick<Animal, 'alerts' | 'latest_readings' | 'unconfirmed'>, now: number): HerdBadge[] {
  const found = new Set<HerdBadge>();
  for (const alert of animal.alerts ?? []) {
    const badge = BADGE_BY_ALERT_CAUSE[alert.cause];
    if (badge) found.add(badge);
  }
  let newest = -Infinity;
  for (const r of animal.latest_readings) {
    const t = Date.parse(r.ts);
    if (t > newest) newest = t;
  }
  if (now - newest > NO_DATA_AFTER_MS) found.add('no-data');
  if (animal.unconfirmed) found.add('unconfirmed');
  return HERD_BADGES.filter((b) => found.has(b));
}

/** One table row: the animal with what the table needs precomputed once per data change, not per render. */
export interface HerdRow {
  animal: Animal;
  label: string;
  badges: HerdBadge[];
  readings: Map<number, LatestReading>;
  /** compact(tag | name | official ID): searched without re-normalising 2,500 animals per key stroke. */
  searchText: string;
}

export function herdRows(animals: readonly Animal[], now: number): HerdRow[] {
  return animals.map((animal) => ({
    animal,
    label: animalLabel(animal),
    badges: animalBadges(animal, now),
    readings: readingsByMetric(animal),
    searchText: [animal.tag, animal.name, animal.official_id].filter((f) => f != null).map((f) => compact(f!)).join('\n'),
  }));
}

/** `all`, `none` (animals in no group) or a group's id. */
export type GroupFilter = 'all' | 'none' | number;
export type BadgeFilter = 'all' | 'flagged' | HerdBadge;

export interface HerdFilter {
  search: string;
  group: GroupFilter;
  badge: BadgeFilter;
}

export function filterHerd(rows: readonly HerdRow[], { search, group, badge }: HerdFilter): HerdRow[] {
  const needle = compact(search);
  return rows.filter(
    (row) =>
      (!needle || row.searchText.includes(needle)) &&
      (group === 'all' || (group === 'none' ? row.animal.group == null : row.animal.group?.id === group)) &&
      (badge === 'all' || (badge === 'flagged' ? row.badges.length > 0 : row.badges.includes(badge))),
  );
}

/** The groups seen in the herd, by name, for the group filter. */
export function herdGroups(animals: readonly Animal[]): { id: number; name: string }[] {
  const byId = new Map<number, string>();
  for (const a of animals) if (a.group) byId.set(a.group.id, a.group.name);
  return [...byId].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

/** A column to sort by: `metric:<id>` sorts by that metric's latest value. */
export type SortKey = 'tag' | 'name' | 'group' | 'status' | `metric:${number}`;
export interface HerdSort {
  key: SortKey;
  direction: 'asc' | 'desc';
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Most urgent badge first counts as "smallest", so status ascending puts the cows to check on top. */
function statusRank(badges: readonly HerdBadge[]): number {
  return badges.length ? HERD_BADGES.indexOf(badges[0]!) : HERD_BADGES.length;
}

function sortValue(row: HerdRow, key: SortKey): string | number | null {
  switch (key) {
    case 'tag':
      return row.label;
    case 'name':
      return row.animal.name;
    case 'group':
      return row.animal.group?.name ?? null;
    case 'status':
      return statusRank(row.badges) * 1000 + (HERD_BADGES.length - row.badges.length);
    default:
      return row.readings.get(Number(key.slice('metric:'.length)))?.value ?? null;
  }
}

/**
 * A sorted copy. Missing values (no name, no group, no reading) go last in either direction — a farmer sorting
 * by temperature wants the hottest cows, not the ones without a bolus. Ties keep the tag order.
 */
export function sortHerd(rows: readonly HerdRow[], { key, direction }: HerdSort): HerdRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  const keyed = rows.map((row) => ({ row, value: sortValue(row, key) }));
  keyed.sort((a, b) => {
    if (a.value == null || b.value == null) {
      if (a.value == null && b.value == null) return collator.compare(a.row.label, b.row.label);
      return a.value == null ? 1 : -1;
    }
    const c = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : collator.compare(String(a.value), String(b.value));
    return c !== 0 ? sign * c : collator.compare(a.row.label, b.row.label);
  });
  return keyed.map((k) => k.row);
}

/** Clicking the sorted column flips it; another column starts ascending (metrics descending: highest first). */
export function nextSort(current: HerdSort, key: SortKey): HerdSort {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: key.startsWith('metric:') ? 'desc' : 'asc' };
}

// ---------------------------------------------------------------------------------------------------------
// Trend sparklines: the last 24 h of one metric per animal, fetched only for the rows on screen.

export const SPARKLINE_HOURS = 24;

export const SPARKLINE_QUERY = /* GraphQL */ `query HerdSparklines($ids: [Int!]!, $metric: smallint!, $since: timestamptz!) {
  readings(where: {animal_id: {_in: $ids}, metric_id: {_eq: $metric}, ts: {_gte: $since}}, order_by: [{animal_id: asc}, {ts: asc}]) { animal_id ts value }
}`;

export interface SparklineReading {
  animal_id: number;
  ts: string;
  value: number;
}

/** Readings of many animals grouped per animal, each series down-sampled to hourly means in time order. */
export function sparklineSeries(readings: readonly SparklineReading[], bucketMs = HOUR): Map<number, [number, number][]> {
  const sums = new Map<number, Map<number, [number, number]>>();
  for (const r of readings) {
    const t = Date.parse(r.ts);
    if (Number.isNaN(t)) continue;
    const bucket = Math.floor(t / bucketMs) * bucketMs;
    let buckets = sums.get(r.animal_id);
    if (!buckets) sums.set(r.animal_id, (buckets = new Map()));
    const b = buckets.get(bucket);
    if (b) {
      b[0] += r.value;
      b[1] += 1;
    } else buckets.set(bucket, [r.value, 1]);
  }
  const out = new Map<number, [number, number][]>();
  for (const [id, buckets] of sums) {
    out.set(
      id,
      [...buckets].sort((a, b) => a[0] - b[0]).map(([t, [sum, n]]) => [t, sum / n]),
    );
  }
  return out;
}

/**
 * The SVG polyline `points` of a series over [from, to] in a width × height box (y grows downwards; a flat series
 * sits in the middle). Empty for fewer than two points: one dot is not a trend.
 */
export function sparklinePoints(series: readonly (readonly [number, number])[], from: number, to: number, width: number, height: number, pad = 2): string {
  if (series.length < 2 || to <= from) return '';
  let min = Infinity;
  let max = -Infinity;
  for (const [, v] of series) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  const innerH = height - 2 * pad;
  const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
  return series
    .map(([t, v]) => {
      const x = ((Math.min(Math.max(t, from), to) - from) / (to - from)) * width;
      const y = span === 0 ? height / 2 : pad + innerH - ((v - min) / span) * innerH;
      return `${fmt(x)},${fmt(y)}`;
    })
    .join(' ');
}

/**
 * The sparkline's name for screen readers and its hover tooltip: what it shows and between which values it
 * moves, in the farm's units ("Body temperature, last 24 h: 101.1–102.4 °F").
 */
export function sparklineLabel(name: string, series: readonly (readonly [number, number])[], shown: DisplayUnit, locale?: string): string {
  const what = `${name}, last ${SPARKLINE_HOURS} h`;
  if (series.length === 0) return what;
  let min = Infinity;
  let max = -Infinity;
  for (const [, v] of series) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const low = formatShownValue(min, shown, locale);
  const high = formatShownValue(max, shown, locale);
  return `${what}: ${low === high ? low : `${low}–${high}`} ${shown.unit}`;
}

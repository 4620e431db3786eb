// The herd page's data shaping, kept free of React and the DOM so it can be unit-tested in Node.

/** The herd page's root fields: asked together over HTTP, or each as one live subscription (Hasura allows one root field per subscription). */
const HERD_FIELDS = {
  farm_settings: /* GraphQL */ `farm_settings { name time_zone units }`,
  metrics: /* GraphQL */ `metrics(order_by: {id: asc}) { id key name unit }`,
  animals: /* GraphQL */ `animals(order_by: {tag: asc}) {
      id tag official_id name status unconfirmed
      group { id name }
      latest_readings { metric_id ts value received_at }
    }`,
};

export const HERD_QUERY = `query Herd {\n  ${Object.values(HERD_FIELDS).join('\n  ')}\n}`;

/** The same data, pushed by the office whenever it changes: the subscriptions' data merged is HERD_QUERY's. */
export const HERD_SUBSCRIPTIONS: readonly string[] = Object.entries(HERD_FIELDS).map(([name, field]) => `subscription Herd_${name} {\n  ${field}\n}`);

export interface FarmSettings {
  name: string;
  /** IANA zone, e.g. Europe/Berlin: reading times are shown in the farm's clock, not the viewer's. */
  time_zone: string;
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

/**
 * The metrics that get a column: those with at least one latest reading anywhere in the herd, in the
 * metrics' own order. Judged on the whole herd, not the filtered rows, so columns do not jump while typing.
 */
export function metricColumns(metrics: readonly Metric[], animals: readonly Animal[]): Metric[] {
  const seen = new Set<number>();
  for (const animal of animals) for (const reading of animal.latest_readings) seen.add(reading.metric_id);
  return metrics.filter((m) => seen.has(m.id));
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

function farmDateFormat(timeZone: string, locale?: string): Intl.DateTimeFormat {
  const cacheKey = `${locale ?? ''}|${timeZone}`;
  let format = dateFormats.get(cacheKey);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'long' };
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

/** A time stamp on the farm's clock, with the zone's name, e.g. "28 Nov 2026, 08:00:00 CET". */
export function formatFarmTime(iso: string, timeZone: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return farmDateFormat(timeZone, locale).format(date);
}

/** The reading cell's tooltip: when it was measured and when the office got it, on the farm's clock. */
export function readingTitle(reading: Pick<LatestReading, 'ts' | 'received_at'>, timeZone: string, locale?: string): string {
  return `Measured ${formatFarmTime(reading.ts, timeZone, locale)}\nReceived ${formatFarmTime(reading.received_at, timeZone, locale)}`;
}

export function countLabel(shown: number, total: number): string {
  const noun = (n: number) => (n === 1 ? 'animal' : 'animals');
  return shown === total ? `${total} ${noun(total)}` : `${shown} of ${total} ${noun(total)}`;
}

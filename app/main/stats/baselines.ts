// Baselines: what is normal for one cow, per metric and local hour of day (for metrics with a daily rhythm),
// as a robust centre (median) and spread (median absolute deviation) over a rolling window of days. Median
// and MAD ignore the odd fever day or broken reading that a mean and standard deviation would follow.
//
// A baseline for local day D is built from days D-windowDays … D-1 only: the day being judged never judges
// itself, and the result depends on the data alone, not on when it arrived.
import type { Queryable } from '../../db/index.ts';
import { DAY, type FarmClock } from './farm-clock.ts';

export interface Baseline {
  median: number;
  /** Median absolute deviation (unscaled; ×1.4826 estimates a standard deviation for normal data). */
  mad: number;
  /** Distinct local days that contributed. */
  days: number;
}

export interface BaselineParams {
  /** Days looked back (the rolling window). */
  windowDays: number;
  /** Fewer days with data than this at an hour of day: no baseline, so no alert that needs one. */
  minDays: number;
}

/** One value of a cow's signal for the local hour starting at `hour` (epoch ms). */
export interface SignalPoint {
  hour: number;
  value: number;
}

/** Hour-of-day key for metrics without a daily rhythm: all hours of a day pooled. */
export const ALL_HOURS = -1;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the median of no values is undefined');
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function robustStats(values: readonly number[]): { median: number; mad: number } {
  const m = median(values);
  return { median: m, mad: median(values.map((v) => Math.abs(v - m))) };
}

interface DayValue {
  hourOfDay: number;
  value: number;
}

/** The points grouped by local day, each with its hour-of-day key. */
function byLocalDay(points: readonly SignalPoint[], clock: FarmClock, byHourOfDay: boolean): Map<number, DayValue[]> {
  const days = new Map<number, DayValue[]>();
  for (const p of points) {
    const day = clock.day(p.hour);
    let list = days.get(day);
    if (!list) days.set(day, (list = []));
    list.push({ hourOfDay: byHourOfDay ? clock.hourOfDay(p.hour) : ALL_HOURS, value: p.value });
  }
  return days;
}

/** The baselines that apply on local day `day`, keyed by hour of day (or ALL_HOURS). */
export function baselinesForDay(days: ReadonlyMap<number, readonly DayValue[]>, day: number, params: BaselineParams): Map<number, Baseline> {
  const values = new Map<number, number[]>();
  const dayCount = new Map<number, Set<number>>();
  for (let d = day - params.windowDays; d < day; d++) {
    for (const { hourOfDay, value } of days.get(d) ?? []) {
      let list = values.get(hourOfDay);
      if (!list) {
        values.set(hourOfDay, (list = []));
        dayCount.set(hourOfDay, new Set());
      }
      list.push(value);
      dayCount.get(hourOfDay)!.add(d);
    }
  }
  const out = new Map<number, Baseline>();
  for (const [hourOfDay, list] of values) {
    const n = dayCount.get(hourOfDay)!.size;
    if (n >= params.minDays) out.set(hourOfDay, { ...robustStats(list), days: n });
  }
  return out;
}

/** The baseline that applies to each hour of a cow's signal: a function of the hour (cached per local day). */
export type BaselineLookup = (hour: number) => Baseline | undefined;

export function baselineLookup(points: readonly SignalPoint[], clock: FarmClock, params: BaselineParams, byHourOfDay: boolean): BaselineLookup {
  const days = byLocalDay(points, clock, byHourOfDay);
  const cache = new Map<number, Map<number, Baseline>>();
  return (hour) => {
    const day = clock.day(hour);
    let forDay = cache.get(day);
    if (!forDay) cache.set(day, (forDay = baselinesForDay(days, day, params)));
    return forDay.get(byHourOfDay ? clock.hourOfDay(hour) : ALL_HOURS);
  };
}

/** A stored baseline row: what the rules hold the cow's newest data against. */
export interface BaselineRow extends Baseline {
  metricId: number;
  hourOfDay: number;
}

/** The baselines that apply on the local day of the newest point (what the rules use for her newest data). */
export function currentBaselines(points: readonly SignalPoint[], clock: FarmClock, params: BaselineParams, byHourOfDay: boolean, metricId: number): BaselineRow[] {
  const last = points.at(-1);
  if (!last) return [];
  const forDay = baselinesForDay(byLocalDay(points, clock, byHourOfDay), clock.day(last.hour), params);
  return [...forDay].sort((a, b) => a[0] - b[0]).map(([hourOfDay, b]) => ({ metricId, hourOfDay, ...b }));
}

// ---------------------------------------------------------------------------------------------------------
// The database side

/** One hour of readings_hourly (or pen_readings_hourly); `hour` is the local hour's start as epoch ms. */
export interface HourlyPoint {
  hour: number;
  n: number;
  mean: number;
  min: number;
  max: number;
}

/** Each animal's hourly series per metric since `from` (all of it when `from` is undefined), oldest first. */
export async function loadHourlySeries(
  db: Queryable,
  table: 'readings_hourly' | 'pen_readings_hourly',
  ids: readonly number[],
  metricIds: readonly number[],
  from: Date | undefined,
): Promise<Map<number, Map<number, HourlyPoint[]>>> {
  const key = table === 'readings_hourly' ? 'animal_id' : 'group_id';
  const { rows } = await db.query<{ id: number; metric_id: number; hour: Date; n: number; mean: number; min: number; max: number }>(
    `SELECT ${key} AS id, metric_id, hour, n, mean, min, max FROM ${table}
      WHERE ${key} = ANY($1::int[]) AND metric_id = ANY($2::smallint[]) AND ($3::timestamptz IS NULL OR hour >= $3)
      ORDER BY ${key}, metric_id, hour`,
    [ids, metricIds, from ?? null],
  );
  const out = new Map<number, Map<number, HourlyPoint[]>>();
  for (const r of rows) {
    let metrics = out.get(r.id);
    if (!metrics) out.set(r.id, (metrics = new Map()));
    let list = metrics.get(r.metric_id);
    if (!list) metrics.set(r.metric_id, (list = []));
    list.push({ hour: new Date(r.hour).getTime(), n: Number(r.n), mean: Number(r.mean), min: Number(r.min), max: Number(r.max) });
  }
  return out;
}

/** How one metric's baseline is built: the signal a rule judges, over that rule's window. */
export interface BaselineSpec {
  metricId: number;
  byHourOfDay: boolean;
  params: BaselineParams;
  signal(points: readonly HourlyPoint[]): SignalPoint[];
}

/**
 * Recomputes and stores the current baselines of the given animals (replacing their rows), from the last
 * windowDays of readings_hourly before each one's newest day (two days more are loaded, for the day in progress
 * and the farm's offset from UTC). Returns the number of rows written.
 */
export async function storeBaselines(db: Queryable, animalIds: readonly number[], specs: readonly BaselineSpec[], clock: FarmClock): Promise<number> {
  if (animalIds.length === 0 || specs.length === 0) return 0;
  const { rows: newest } = await db.query<{ animal_id: number; metric_id: number; hour: Date }>(
    `SELECT animal_id, metric_id, max(hour) AS hour FROM readings_hourly
      WHERE animal_id = ANY($1::int[]) AND metric_id = ANY($2::smallint[]) GROUP BY animal_id, metric_id`,
    [animalIds, specs.map((s) => s.metricId)],
  );
  const out: (BaselineRow & { animalId: number })[] = [];
  for (const spec of specs) {
    const last = newest.filter((r) => r.metric_id === spec.metricId);
    if (last.length === 0) continue;
    const earliest = Math.min(...last.map((r) => new Date(r.hour).getTime())) - (spec.params.windowDays + 2) * DAY;
    const series = await loadHourlySeries(db, 'readings_hourly', last.map((r) => r.animal_id), [spec.metricId], new Date(earliest));
    for (const [animalId, metrics] of series) {
      const rows = currentBaselines(spec.signal(metrics.get(spec.metricId) ?? []), clock, spec.params, spec.byHourOfDay, spec.metricId);
      for (const r of rows) out.push({ animalId, ...r });
    }
  }
  await db.query('DELETE FROM baselines WHERE animal_id = ANY($1::int[]) AND metric_id = ANY($2::smallint[])', [animalIds, specs.map((s) => s.metricId)]);
  if (out.length) {
    await db.query(
      `INSERT INTO baselines (animal_id, metric_id, hour_of_day, median, mad, days)
       SELECT * FROM unnest($1::int[], $2::smallint[], $3::smallint[], $4::float8[], $5::float8[], $6::smallint[])`,
      [out.map((r) => r.animalId), out.map((r) => r.metricId), out.map((r) => r.hourOfDay), out.map((r) => r.median), out.map((r) => r.mad), out.map((r) => r.days)],
    );
  }
  return out.length;
}

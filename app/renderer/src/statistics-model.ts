// The statistics page's data shaping (issue 6, item 5), free of React, ECharts and the DOM so it can be tested
// in Node: periods as the farm's calendar days, the queries on the rollup tables, and the series each chart
// draws (daily and weekly trends, group box plots, a histogram of the animals' daily means, alerts per day).
//
// Every day here is a farm-local calendar date ("2026-11-28"), as the rollups store them: the arithmetic is on
// dates, never on instants, so a 23- or 25-hour day of a clock change is still one day.
import { farmWallToUtc, utcToFarmWall } from './animal-detail-model.ts';
import { words } from './alerts-model.ts';
import type { DisplayUnit } from './settings-model.ts';

// ---------------------------------------------------------------------------------------------------------
// Calendar days

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-11-28" → its UTC midnight, only as a number to count days with; undefined for a date that does not exist. */
function dayNumber(day: string): number | undefined {
  const m = ISO_DAY.exec(day);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const check = new Date(t);
  return check.getUTCMonth() + 1 === Number(m[2]) && check.getUTCDate() === Number(m[3]) ? t : undefined;
}

function dayString(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

export function isDay(value: string): boolean {
  return dayNumber(value) !== undefined;
}

/** The date `n` days after `day` (before, for negative `n`). */
export function addDays(day: string, n: number): string {
  const t = dayNumber(day);
  if (t === undefined) throw new Error(`not a date: ${day}`);
  return dayString(t + n * DAY_MS);
}

/** How many days from `from` to `to`, both included (0 when `to` is before `from`). */
export function dayCount(from: string, to: string): number {
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (a === undefined || b === undefined) throw new Error(`not a date: ${a === undefined ? from : to}`);
  return Math.max(0, Math.round((b - a) / DAY_MS) + 1);
}

// ---------------------------------------------------------------------------------------------------------
// Periods

/** A run of farm-local days, both ends included. */
export interface Period {
  from: string;
  to: string;
}

export type PeriodKey = '7d' | '30d' | '90d' | '1y' | 'custom';
export const PERIOD_OPTIONS: readonly { value: PeriodKey; label: string }[] = [
  { value: '7d', label: '7 d' },
  { value: '30d', label: '30 d' },
  { value: '90d', label: '90 d' },
  { value: '1y', label: '1 year' },
  { value: 'custom', label: 'Custom' },
];
const PRESET_DAYS: Record<Exclude<PeriodKey, 'custom'>, number> = { '7d': 7, '30d': 30, '90d': 90, '1y': 365 };

/** The longest custom period: a year and a leap day, so "1 Jan to 31 Dec" always fits. */
export const MAX_PERIOD_DAYS = 366;

export type PeriodResult = { ok: true; period: Period } | { ok: false; error: string };

/**
 * The days a choice means. A preset ends today (so far: the rollups of today grow as readings arrive) and
 * counts today among its days; a custom period is the two dates as given.
 */
export function resolvePeriod(key: PeriodKey, today: string, custom?: { from: string; to: string }): PeriodResult {
  if (key !== 'custom') return { ok: true, period: { from: addDays(today, 1 - PRESET_DAYS[key]), to: today } };
  if (!custom?.from || !custom.to) return { ok: false, error: 'Choose both a start and an end date.' };
  if (!isDay(custom.from) || !isDay(custom.to)) return { ok: false, error: 'A date is not valid; use the calendar or type YYYY-MM-DD.' };
  const days = dayCount(custom.from, custom.to);
  if (days === 0) return { ok: false, error: 'The end date is before the start date.' };
  if (days > MAX_PERIOD_DAYS) return { ok: false, error: `Choose at most ${MAX_PERIOD_DAYS} days (this is ${days}).` };
  return { ok: true, period: { from: custom.from, to: custom.to } };
}

/** Every day of the period, in order: the charts' x axis, so a day without rows is a gap and not skipped. */
export function periodDays(period: Period): string[] {
  const out: string[] = [];
  for (let day = period.from, n = dayCount(period.from, period.to); out.length < n; day = addDays(day, 1)) out.push(day);
  return out;
}

/** The instants the period spans on the farm's clock: from its first midnight to the midnight after its last day. */
export function periodInstants(period: Period, timeZone: string): { from: string; to: string } {
  const from = farmWallToUtc(period.from, '00:00', timeZone);
  const to = farmWallToUtc(addDays(period.to, 1), '00:00', timeZone);
  if (from === undefined || to === undefined) throw new Error(`not a period: ${period.from} to ${period.to}`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Today's date on the farm's clock. */
export function farmToday(now: number, timeZone: string): string {
  return utcToFarmWall(now, timeZone).date;
}

// ---------------------------------------------------------------------------------------------------------
// Queries

/** What the page needs before it can ask for figures: the farm's clock and units, the metrics, the groups. */
export const STATISTICS_META_QUERY = /* GraphQL */ `query StatisticsMeta {
  farm_settings { time_zone units }
  metrics(order_by: {id: asc}) { id key name unit }
  groups(order_by: {name: asc}) { id name }
}`;

const DAILY_FIELDS = 'day animals n mean min max q1 median q3';

/**
 * One metric over one period, from the rollups: the herd's and each group's days, which metrics have any data
 * in the period (for the metric picker), and the period's alerts (cause and time only: they are counted here).
 */
export const STATISTICS_QUERY = /* GraphQL */ `query Statistics($metric: smallint!, $from: date!, $to: date!, $fromTs: timestamptz!, $toTs: timestamptz!) {
  metrics_with_data: herd_readings_daily(where: {day: {_gte: $from, _lte: $to}}, distinct_on: metric_id, order_by: {metric_id: asc}) { metric_id }
  herd: herd_readings_daily(where: {metric_id: {_eq: $metric}, day: {_gte: $from, _lte: $to}}, order_by: {day: asc}) { ${DAILY_FIELDS} }
  groups: group_readings_daily(where: {metric_id: {_eq: $metric}, day: {_gte: $from, _lte: $to}}, order_by: [{group_id: asc}, {day: asc}]) { group_id ${DAILY_FIELDS} }
  alerts(where: {raised_at: {_gte: $fromTs, _lt: $toTs}}, order_by: {raised_at: asc}) { cause raised_at }
}`;

/** Each animal's mean of one metric on one day: the histogram's values. */
export const DAILY_MEANS_QUERY = /* GraphQL */ `query DailyMeans($metric: smallint!, $day: date!) {
  readings_daily(where: {metric_id: {_eq: $metric}, day: {_eq: $day}}) { mean }
}`;

export function statisticsVariables(period: Period, metricId: number, timeZone: string): Record<string, unknown> {
  const { from, to } = periodInstants(period, timeZone);
  return { metric: metricId, from: period.from, to: period.to, fromTs: from, toTs: to };
}

export interface StatsMetric {
  id: number;
  key: string;
  name: string;
  unit: string;
}

export interface StatisticsMeta {
  farm_settings: { time_zone: string; units: string }[];
  metrics: StatsMetric[];
  groups: { id: number; name: string }[];
}

/** A day of the herd's or a group's rollup. min and max are of the readings; q1, median, q3 of the animals' daily means. */
export interface DailyRow {
  day: string;
  animals: number;
  n: number;
  mean: number;
  min: number;
  max: number;
  q1: number;
  median: number;
  q3: number;
}

export interface GroupDailyRow extends DailyRow {
  group_id: number;
}

export interface AlertPoint {
  cause: string;
  raised_at: string;
}

export interface StatisticsData {
  metrics_with_data: { metric_id: number }[];
  herd: DailyRow[];
  groups: GroupDailyRow[];
  alerts: AlertPoint[];
}

/** The metric to show: the one chosen if it has data in the period, else the first that has (temperature first). */
export function pickMetric(metrics: readonly StatsMetric[], withData: readonly number[], chosen: number | undefined): StatsMetric | undefined {
  const has = new Set(withData);
  const current = metrics.find((m) => m.id === chosen);
  if (current && (has.size === 0 || has.has(current.id))) return current;
  return metrics.find((m) => has.has(m.id) && m.key === 'temperature') ?? metrics.find((m) => has.has(m.id)) ?? current ?? metrics[0];
}

// ---------------------------------------------------------------------------------------------------------
// Series

export type Gap = number | null;

/** The herd's days on the period's axis: the daily mean and its two bands; null where a day has no row. */
export interface DailyTrend {
  days: string[];
  mean: Gap[];
  q1: Gap[];
  q3: Gap[];
  min: Gap[];
  max: Gap[];
  /** Days that have a row. */
  daysWithData: number;
}

export function dailyTrend(rows: readonly DailyRow[], days: readonly string[], unit: DisplayUnit): DailyTrend {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const pick = (field: 'mean' | 'q1' | 'q3' | 'min' | 'max') =>
    days.map((d) => {
      const row = byDay.get(d);
      return row ? unit.convert(row[field]) : null;
    });
  return { days: [...days], mean: pick('mean'), q1: pick('q1'), q3: pick('q3'), min: pick('min'), max: pick('max'), daysWithData: days.filter((d) => byDay.has(d)).length };
}

/** An ISO 8601 week: Monday to Sunday, numbered in the year its Thursday falls in. */
export interface IsoWeek {
  /** "2026-W48". */
  key: string;
  year: number;
  week: number;
  /** Its Monday. */
  monday: string;
}

export function isoWeek(day: string): IsoWeek {
  const t = dayNumber(day);
  if (t === undefined) throw new Error(`not a date: ${day}`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = t - weekday * DAY_MS;
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, year, week, monday: dayString(monday) };
}

export interface WeeklyTrend {
  weeks: (IsoWeek & { /** Days of the week inside the period (the first and last week may be partial). */ days: number })[];
  /** The herd first, then each group with data; one value per week, null for a week without rows. */
  series: { name: string; values: Gap[] }[];
}

/**
 * Weekly means of the daily rollups, weighted by each day's number of readings: the mean of all the week's
 * readings, so a day with a broken collar does not count as much as a full one.
 */
export function weeklyTrend(
  herd: readonly DailyRow[],
  groups: readonly GroupDailyRow[],
  groupNames: ReadonlyMap<number, string>,
  days: readonly string[],
  unit: DisplayUnit,
): WeeklyTrend {
  const weeks: WeeklyTrend['weeks'] = [];
  const weekIndex = new Map<string, number>();
  for (const day of days) {
    const w = isoWeek(day);
    const at = weekIndex.get(w.key);
    if (at === undefined) {
      weekIndex.set(w.key, weeks.length);
      weeks.push({ ...w, days: 1 });
    } else weeks[at]!.days++;
  }
  const weekly = (rows: readonly DailyRow[]): Gap[] => {
    const sum = new Array<number>(weeks.length).fill(0);
    const count = new Array<number>(weeks.length).fill(0);
    for (const r of rows) {
      const i = weekIndex.get(isoWeek(r.day).key);
      if (i === undefined || r.n <= 0) continue;
      sum[i]! += r.mean * r.n;
      count[i]! += r.n;
    }
    return sum.map((s, i) => (count[i] ? unit.convert(s / count[i]!) : null));
  };
  return { weeks, series: [{ name: 'Whole herd', values: weekly(herd) }, ...namedGroups(groups, groupNames).map((g) => ({ name: g.name, values: weekly(g.rows) }))] };
}

/**
 * The rows of each group, by the group's name: every chart lists the groups in the same order, and so in the
 * same colours. A group the page has no name for (deleted since) is still shown, by its number.
 */
function namedGroups(rows: readonly GroupDailyRow[], groupNames: ReadonlyMap<number, string>): { name: string; rows: GroupDailyRow[] }[] {
  const byId = new Map<number, GroupDailyRow[]>();
  for (const r of rows) {
    let list = byId.get(r.group_id);
    if (!list) byId.set(r.group_id, (list = []));
    list.push(r);
  }
  return [...byId].map(([id, list]) => ({ name: groupNames.get(id) ?? `Group ${id}`, rows: list })).sort((a, b) => a.name.localeCompare(b.name));
}

/** One box of the group comparison: whiskers at the lowest and highest reading, the box from the animals' daily means. */
export interface Box {
  name: string;
  /** [min, q1, median, q3, max], ECharts' boxplot order. */
  values: [number, number, number, number, number];
  /** Animals on a typical day (the median of the days' counts). */
  animals: number;
  /** Days the box is made of. */
  days: number;
}

export type BoxMode = { kind: 'period' } | { kind: 'day'; day: string };

/**
 * The whole herd and each group as a box. For one day, that day's rollup as it is. For the period, a typical
 * day: the median across days of each day's q1, median and q3 (the median keeps their order, and one odd day
 * does not move it), with whiskers at the period's lowest and highest reading. A group without rows is left out.
 */
export function groupBoxes(
  herd: readonly DailyRow[],
  groups: readonly GroupDailyRow[],
  groupNames: ReadonlyMap<number, string>,
  mode: BoxMode,
  unit: DisplayUnit,
): Box[] {
  const box = (name: string, rows: readonly DailyRow[]): Box | undefined => {
    const chosen = mode.kind === 'day' ? rows.filter((r) => r.day === mode.day) : rows;
    if (chosen.length === 0) return undefined;
    const values: Box['values'] = [
      Math.min(...chosen.map((r) => r.min)),
      median(chosen.map((r) => r.q1)),
      median(chosen.map((r) => r.median)),
      median(chosen.map((r) => r.q3)),
      Math.max(...chosen.map((r) => r.max)),
    ].map((v) => unit.convert(v)) as Box['values'];
    return { name, values, animals: median(chosen.map((r) => r.animals)), days: chosen.length };
  };
  const out: Box[] = [];
  const herdBox = box('Whole herd', herd);
  if (herdBox) out.push(herdBox);
  for (const g of namedGroups(groups, groupNames)) {
    const b = box(g.name, g.rows);
    if (b) out.push(b);
  }
  return out;
}

/** The days with a herd row, newest first: the days a distribution can be shown for. */
export function daysWithData(herd: readonly DailyRow[]): string[] {
  return herd.map((r) => r.day).sort().reverse();
}

// ---------------------------------------------------------------------------------------------------------
// Distribution

function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** The p-quantile of sorted values, interpolating between neighbours (R's type 7, as PostgreSQL's percentile_cont). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `step`: bin edges a person can read (38.2, 38.4, … not 38.17). */
export function niceStep(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) throw new Error(`not a step: ${step}`);
  const power = 10 ** Math.floor(Math.log10(step));
  // The tolerance keeps 0.30000000000000004 from becoming 0.5.
  const mantissa = [1, 2, 2.5, 5, 10].find((m) => m * power >= step * (1 - 1e-9))!;
  return mantissa * power;
}

export interface HistogramBin {
  /** Inclusive. */
  from: number;
  /** Exclusive. */
  to: number;
  count: number;
}

export interface Histogram {
  bins: HistogramBin[];
  width: number;
  /** How many values. */
  n: number;
}

export const MIN_BINS = 5;
export const MAX_BINS = 30;

/**
 * Values in equal bins. The width follows Freedman–Diaconis (2 × IQR / n^⅓, robust to a few sick animals far
 * out), kept between MIN_BINS and MAX_BINS bins across the range (a handful of animals still shows a shape; a
 * big herd does not turn into a comb), then rounded up to a nice step with edges on its multiples. When more
 * than half the values are equal (IQR 0), Sturges' rule stands in. All values equal: one bin.
 */
export function histogram(values: readonly number[]): Histogram {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  if (n === 0) return { bins: [], width: 0, n: 0 };
  const sorted = [...finite].sort((a, b) => a - b);
  const low = sorted[0]!;
  const high = sorted[n - 1]!;
  const range = high - low;
  if (range === 0) return { bins: [{ from: low, to: low, count: n }], width: 0, n };
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const wanted = iqr > 0 ? Math.ceil(range / ((2 * iqr) / Math.cbrt(n))) : Math.ceil(Math.log2(n)) + 1;
  const count = Math.min(MAX_BINS, Math.max(MIN_BINS, wanted));
  const width = niceStep(range / count);
  // Edges on multiples of the width; the small tolerance keeps 38.4 / 0.2 = 191.99999… in bin 192.
  const start = Math.floor(low / width + 1e-9) * width;
  const index = (v: number) => Math.floor((v - start) / width + 1e-9);
  const bins: HistogramBin[] = [];
  for (let i = 0; i <= index(high); i++) bins.push({ from: roundTo(start + i * width, width), to: roundTo(start + (i + 1) * width, width), count: 0 });
  for (const v of sorted) bins[index(v)]!.count++;
  return { bins, width, n };
}

/** An edge without float noise (38.400000000000006 → 38.4), to the width's own decimals. */
function roundTo(value: number, width: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(width)) + 2);
  return Number(value.toFixed(decimals));
}

// ---------------------------------------------------------------------------------------------------------
// Alerts

export interface AlertsByCause {
  days: string[];
  /** Most frequent cause first; one count per day. A day without alerts counts 0: none were raised. */
  series: { cause: string; label: string; counts: number[]; total: number }[];
  total: number;
}

/** The period's alerts per cause and farm-local day (the day the rule raised it, on the farm's clock). */
export function alertsByCause(alerts: readonly AlertPoint[], days: readonly string[], timeZone: string): AlertsByCause {
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const byCause = new Map<string, number[]>();
  let total = 0;
  for (const a of alerts) {
    const t = Date.parse(a.raised_at);
    if (Number.isNaN(t)) continue;
    const i = dayIndex.get(utcToFarmWall(t, timeZone).date);
    if (i === undefined) continue;
    let counts = byCause.get(a.cause);
    if (!counts) byCause.set(a.cause, (counts = new Array<number>(days.length).fill(0)));
    counts[i]!++;
    total++;
  }
  const series = [...byCause].map(([cause, counts]) => ({ cause, label: words(cause), counts, total: counts.reduce((s, c) => s + c, 0) }));
  series.sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  return { days: [...days], series, total };
}

// ---------------------------------------------------------------------------------------------------------
// Summary

export interface PeriodSummary {
  /** The mean of all the period's readings (days weighted by their readings); undefined without data. */
  mean?: number;
  /** The lowest and highest daily mean. */
  lowestDay?: { day: string; mean: number };
  highestDay?: { day: string; mean: number };
  daysWithData: number;
  days: number;
  /** The most animals with readings on one day. */
  animals: number;
}

export function periodSummary(herd: readonly DailyRow[], days: number, unit: DisplayUnit): PeriodSummary {
  let sum = 0;
  let n = 0;
  let lowest: DailyRow | undefined;
  let highest: DailyRow | undefined;
  for (const r of herd) {
    sum += r.mean * r.n;
    n += r.n;
    if (!lowest || r.mean < lowest.mean) lowest = r;
    if (!highest || r.mean > highest.mean) highest = r;
  }
  return {
    mean: n > 0 ? unit.convert(sum / n) : undefined,
    lowestDay: lowest && { day: lowest.day, mean: unit.convert(lowest.mean) },
    highestDay: highest && { day: highest.day, mean: unit.convert(highest.mean) },
    daysWithData: herd.length,
    days,
    animals: Math.max(0, ...herd.map((r) => r.animals)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Words

const tickFormats = new Map<string, Intl.NumberFormat>();

/**
 * A value axis's tick label: ECharts picks round ticks (101.2, 101.4 …; 38.65, 38.7 …; 38.602, 38.604 … for weekly
 * means that barely move), shown with the decimals they have, up to three, in the reader's locale. A metric's own
 * rounding would print 38.65 and 38.7 both as 38.7, and a "no decimals from 100 on" rule 101.2 and 101.4 both as 101.
 */
export function formatAxisTick(value: number, locale?: string): string {
  let format = tickFormats.get(locale ?? '');
  if (!format) tickFormats.set(locale ?? '', (format = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 })));
  return format.format(value);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A calendar day in the farm's locale ("28 Nov", "28 Nov 2026", "Sat, 28 Nov 2026"). The day is already the farm's, so it is
 * formatted at its UTC midnight in UTC: the viewer's zone cannot shift it to the day before.
 */
export function formatDay(day: string, style: 'short' | 'date' | 'long' = 'short', locale?: string): string {
  const t = dayNumber(day);
  if (t === undefined) return day;
  const key = `${style}|${locale ?? ''}`;
  let format = dayFormats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      style === 'short' ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric', ...(style === 'long' && { weekday: 'short' }) };
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    dayFormats.set(key, format);
  }
  return format.format(t);
}

/** "Week 48 (23–29 Nov)": the weekly chart's label; the days are the week's own, not only those in the period. */
export function formatWeek(week: IsoWeek, locale?: string): string {
  return `Week ${week.week} (${formatDay(week.monday, 'short', locale)} – ${formatDay(addDays(week.monday, 6), 'short', locale)})`;
}

/** "1 Nov 2026 – 28 Nov 2026 (28 days)". */
export function formatPeriod(period: Period, locale?: string): string {
  const days = dayCount(period.from, period.to);
  const range = days === 1 ? formatDay(period.from, 'long', locale) : `${formatDay(period.from, 'long', locale)} – ${formatDay(period.to, 'long', locale)}`;
  return `${range} (${days} ${days === 1 ? 'day' : 'days'})`;
}

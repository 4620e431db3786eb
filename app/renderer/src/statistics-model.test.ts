import { assert, test } from '../../../scripts/test-api.ts';
import { displayUnit } from './settings-model.ts';
import {
  addDays,
  alertsByCause,
  dailyTrend,
  dayCount,
  daysWithData,
  formatAxisTick,
  formatDay,
  formatPeriod,
  formatWeek,
  groupBoxes,
  histogram,
  isoWeek,
  MAX_BINS,
  niceStep,
  periodDays,
  periodInstants,
  periodSummary,
  pickMetric,
  quantile,
  resolvePeriod,
  statisticsVariables,
  weeklyTrend,
  type DailyRow,
  type GroupDailyRow,
} from './statistics-model.ts';

const celsius = displayUnit('°C', 'metric');
const fahrenheit = displayUnit('°C', 'imperial');

function row(day: string, mean: number, extra: Partial<DailyRow> = {}): DailyRow {
  return { day, animals: 10, n: 1440, mean, min: mean - 1, max: mean + 1, q1: mean - 0.2, median: mean, q3: mean + 0.2, ...extra };
}

test('calendar days: across months, leap years and the turn of the year', () => {
  assert.equal(addDays('2026-11-28', 1), '2026-11-29');
  assert.equal(addDays('2026-11-30', 1), '2026-12-01');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.equal(addDays('2027-01-01', -1), '2026-12-31');
  assert.equal(dayCount('2026-11-01', '2026-11-28'), 28);
  assert.equal(dayCount('2026-11-28', '2026-11-28'), 1);
  assert.equal(dayCount('2026-11-28', '2026-11-01'), 0);
  assert.throws(() => addDays('2026-02-30', 1), /not a date/);
});

test('presets end today and count today among their days', () => {
  assert.deepEqual(resolvePeriod('7d', '2026-11-28'), { ok: true, period: { from: '2026-11-22', to: '2026-11-28' } });
  assert.deepEqual(resolvePeriod('30d', '2026-11-28'), { ok: true, period: { from: '2026-10-30', to: '2026-11-28' } });
  assert.deepEqual(resolvePeriod('90d', '2026-11-28'), { ok: true, period: { from: '2026-08-31', to: '2026-11-28' } });
  assert.deepEqual(resolvePeriod('1y', '2026-11-28'), { ok: true, period: { from: '2025-11-29', to: '2026-11-28' } });
  for (const key of ['7d', '30d', '90d', '1y'] as const) {
    const r = resolvePeriod(key, '2026-03-29');
    assert.ok(r.ok);
    assert.equal(periodDays(r.period).length, { '7d': 7, '30d': 30, '90d': 90, '1y': 365 }[key]);
  }
});

test('a custom period is checked, in words', () => {
  assert.deepEqual(resolvePeriod('custom', '2026-11-28', { from: '2026-11-05', to: '2026-11-05' }), { ok: true, period: { from: '2026-11-05', to: '2026-11-05' } });
  assert.deepEqual(resolvePeriod('custom', '2026-11-28', { from: '', to: '2026-11-05' }), { ok: false, error: 'Choose both a start and an end date.' });
  assert.deepEqual(resolvePeriod('custom', '2026-11-28', { from: '2026-02-30', to: '2026-03-05' }), { ok: false, error: 'A date is not valid; use the calendar or type YYYY-MM-DD.' });
  assert.deepEqual(resolvePeriod('custom', '2026-11-28', { from: '2026-11-10', to: '2026-11-01' }), { ok: false, error: 'The end date is before the start date.' });
  assert.ok(resolvePeriod('custom', '2026-11-28', { from: '2028-01-01', to: '2028-12-31' }).ok, 'a leap year fits');
  assert.deepEqual(resolvePeriod('custom', '2026-11-28', { from: '2025-01-01', to: '2026-01-02' }), { ok: false, error: 'Choose at most 366 days (this is 367).' });
});

test('a period spans the farm-local midnights, 23 or 25 hours a day across a clock change', () => {
  assert.deepEqual(periodInstants({ from: '2026-10-25', to: '2026-10-25' }, 'Europe/Berlin'), { from: '2026-10-24T22:00:00.000Z', to: '2026-10-25T23:00:00.000Z' });
  assert.deepEqual(periodInstants({ from: '2026-03-29', to: '2026-03-29' }, 'Europe/Berlin'), { from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' });
  assert.deepEqual(statisticsVariables({ from: '2026-11-01', to: '2026-11-28' }, 1, 'UTC'), {
    metric: 1,
    from: '2026-11-01',
    to: '2026-11-28',
    fromTs: '2026-11-01T00:00:00.000Z',
    toTs: '2026-11-29T00:00:00.000Z',
  });
});

test('the metric shown: the chosen one while it has data, else temperature, else the first with data', () => {
  const metrics = [
    { id: 1, key: 'temperature', name: 'Body temperature', unit: '°C' },
    { id: 2, key: 'activity', name: 'Activity', unit: 'steps/h' },
    { id: 3, key: 'rumination', name: 'Rumination', unit: 'min/h' },
  ];
  assert.equal(pickMetric(metrics, [1, 2], 2)?.id, 2);
  assert.equal(pickMetric(metrics, [1, 2], 3)?.id, 1);
  assert.equal(pickMetric(metrics, [2, 3], undefined)?.id, 2);
  assert.equal(pickMetric(metrics, [], 3)?.id, 3, 'no data at all: the choice stays (the page says there is nothing)');
  assert.equal(pickMetric(metrics, [], undefined)?.id, 1);
  assert.equal(pickMetric([], [], undefined), undefined);
});

test('the daily trend keeps days without rows as gaps, not zeros, and converts units', () => {
  const days = periodDays({ from: '2026-11-01', to: '2026-11-04' });
  const trend = dailyTrend([row('2026-11-01', 38.5), row('2026-11-03', 39)], days, celsius);
  assert.deepEqual(trend.mean, [38.5, null, 39, null]);
  assert.deepEqual(trend.q1, [38.3, null, 38.8, null]);
  assert.deepEqual(trend.max, [39.5, null, 40, null]);
  assert.equal(trend.daysWithData, 2);
  const f = dailyTrend([row('2026-11-01', 38.5)], ['2026-11-01'], fahrenheit);
  assert.ok(Math.abs(f.mean[0]! - 101.3) < 1e-9);
  assert.deepEqual(dailyTrend([], days, celsius).mean, [null, null, null, null]);
});

test('ISO weeks: Monday to Sunday, numbered by their Thursday', () => {
  assert.deepEqual(isoWeek('2026-11-28'), { key: '2026-W48', year: 2026, week: 48, monday: '2026-11-23' });
  assert.equal(isoWeek('2026-11-23').key, '2026-W48', 'Monday');
  assert.equal(isoWeek('2026-11-29').key, '2026-W48', 'Sunday');
  assert.equal(isoWeek('2026-11-30').key, '2026-W49');
  assert.equal(isoWeek('2027-01-01').key, '2026-W53', '2026 has 53 weeks (it begins on a Thursday)');
  assert.equal(isoWeek('2025-12-29').key, '2026-W01', 'a December Monday in next year\'s first week');
  assert.equal(formatWeek(isoWeek('2026-11-28'), 'en-GB'), 'Week 48 (23 Nov – 29 Nov)');
});

test('weekly means weigh days by their readings; partial weeks and weeks without rows', () => {
  const days = periodDays({ from: '2026-11-20', to: '2026-12-09' }); // Fri of W47 … Wed of W50
  const herd = [row('2026-11-23', 38, { n: 100 }), row('2026-11-24', 39, { n: 300 }), row('2026-11-20', 40)];
  const groups: GroupDailyRow[] = [{ ...row('2026-11-23', 38.2), group_id: 7 }, { ...row('2026-12-08', 38.4), group_id: 9 }];
  const trend = weeklyTrend(herd, groups, new Map([[7, 'Dry cows'], [9, 'Barn A']]), days, celsius);
  assert.deepEqual(trend.weeks.map((w) => [w.key, w.days]), [['2026-W47', 3], ['2026-W48', 7], ['2026-W49', 7], ['2026-W50', 3]]);
  assert.deepEqual(trend.series.map((s) => s.name), ['Whole herd', 'Barn A', 'Dry cows'], 'the herd, then the groups by name');
  assert.deepEqual(trend.series[0]!.values, [40, 38.75, null, null]);
  assert.deepEqual(trend.series[1]!.values, [null, null, null, 38.4]);
  assert.deepEqual(trend.series[2]!.values, [null, 38.2, null, null]);
  // A group the page has no name for (deleted since) still shows.
  assert.equal(weeklyTrend([], groups, new Map(), days, celsius).series[1]!.name, 'Group 7');
});

test('group boxes: one day as stored, the period as a typical day with its extremes', () => {
  const herd = [row('2026-11-01', 38.5), row('2026-11-02', 38.7), row('2026-11-03', 38.6, { min: 36, max: 41.2 })];
  const groups: GroupDailyRow[] = [
    { ...row('2026-11-01', 38.4, { animals: 4 }), group_id: 2 },
    { ...row('2026-11-02', 38.8, { animals: 6 }), group_id: 2 },
    { ...row('2026-11-02', 38.9), group_id: 1 },
  ];
  const names = new Map([[1, 'Heifers'], [2, 'Barn A']]);
  const period = groupBoxes(herd, groups, names, { kind: 'period' }, celsius);
  assert.deepEqual(period.map((b) => b.name), ['Whole herd', 'Barn A', 'Heifers'], 'the herd first, then groups by name');
  assert.deepEqual(period[0]!.values.map((v) => Math.round(v * 100) / 100), [36, 38.4, 38.6, 38.8, 41.2]);
  assert.equal(period[0]!.days, 3);
  assert.equal(period[1]!.animals, 5);
  const day = groupBoxes(herd, groups, names, { kind: 'day', day: '2026-11-01' }, celsius);
  assert.deepEqual(day.map((b) => b.name), ['Whole herd', 'Barn A'], 'Heifers have no row that day');
  assert.deepEqual(day[1]!.values.map((v) => Math.round(v * 100) / 100), [37.4, 38.2, 38.4, 38.6, 39.4]);
  assert.deepEqual(groupBoxes([], [], names, { kind: 'period' }, celsius), []);
  const f = groupBoxes([row('2026-11-01', 0, { min: -10, max: 10, q1: 0, median: 0, q3: 0 })], [], names, { kind: 'period' }, fahrenheit);
  assert.deepEqual(f[0]!.values, [14, 32, 32, 32, 50]);
  assert.deepEqual(daysWithData(herd), ['2026-11-03', '2026-11-02', '2026-11-01']);
});

test('quantiles interpolate as PostgreSQL\'s percentile_cont', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(quantile([7], 0.75), 7);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('nice steps', () => {
  assert.equal(niceStep(0.17), 0.2);
  assert.equal(niceStep(0.3), 0.5);
  assert.equal(niceStep(0.1 + 0.2), 0.5);
  assert.equal(niceStep(0.2), 0.2);
  assert.equal(niceStep(23), 25);
  assert.equal(niceStep(60), 100);
  assert.throws(() => niceStep(0));
});

test('histogram: Freedman–Diaconis bins on nice edges, every value counted once', () => {
  // 200 animals' daily temperatures, spread like a herd's (deterministic).
  const values = Array.from({ length: 200 }, (_, i) => 38.6 + 0.4 * Math.sin(i * 1.7) + (i % 7) * 0.02);
  const h = histogram(values);
  assert.equal(h.n, 200);
  assert.equal(h.bins.reduce((s, b) => s + b.count, 0), 200);
  assert.ok(h.bins.length >= 5 && h.bins.length <= MAX_BINS + 1, `${h.bins.length} bins`);
  assert.ok([0.01, 0.02, 0.025, 0.05, 0.1, 0.2].includes(h.width), `nice width ${h.width}`);
  assert.ok(h.bins[0]!.from <= Math.min(...values) && h.bins.at(-1)!.to > Math.max(...values));
  for (let i = 1; i < h.bins.length; i++) assert.equal(h.bins[i]!.from, h.bins[i - 1]!.to, 'bins touch');
  assert.equal(String(h.bins[1]!.from).length <= 6, true, `edges without float noise: ${h.bins[1]!.from}`);
});

test('histogram: few values, equal values, an IQR of 0, nothing', () => {
  assert.deepEqual(histogram([]), { bins: [], width: 0, n: 0 });
  assert.deepEqual(histogram([38.5, 38.5, 38.5]), { bins: [{ from: 38.5, to: 38.5, count: 3 }], width: 0, n: 3 });
  const few = histogram([38.1, 38.9]);
  assert.ok(few.bins.length >= 5, 'at least five bins, even for two animals');
  assert.equal(few.bins.reduce((s, b) => s + b.count, 0), 2);
  // Most values equal, one outlier: IQR 0 falls back to Sturges instead of dividing by zero.
  const flat = histogram([...Array<number>(50).fill(400), 2400]);
  assert.equal(flat.bins.reduce((s, b) => s + b.count, 0), 51);
  assert.equal(flat.bins[0]!.count, 50);
  assert.equal(flat.bins.at(-1)!.count, 1);
  // A value exactly on an edge goes to the bin that starts there.
  const edge = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(edge.bins.reduce((s, b) => s + b.count, 0), 11);
  assert.ok(edge.bins.every((b) => b.count >= 1));
  assert.deepEqual(histogram([1, Number.NaN, 2, 3, 4, 5]).n, 5, 'a NaN is not a value');
});

test('alerts per cause and farm-local day, the most frequent cause first', () => {
  const days = periodDays({ from: '2026-11-01', to: '2026-11-03' });
  const alerts = [
    { cause: 'AnimalTemperature', raised_at: '2026-11-01T10:00:00+00:00' },
    // 23:30 UTC on the 1st is half past midnight on the 2nd in Berlin.
    { cause: 'Activity', raised_at: '2026-11-01T23:30:00+00:00' },
    { cause: 'Activity', raised_at: '2026-11-03T08:00:00+00:00' },
    { cause: 'Activity', raised_at: '2026-11-05T08:00:00+00:00' },
  ];
  const byCause = alertsByCause(alerts, days, 'Europe/Berlin');
  assert.deepEqual(
    byCause.series.map((s) => [s.label, s.counts, s.total]),
    [['Activity', [0, 1, 1], 2], ['Animal temperature', [1, 0, 0], 1]],
  );
  assert.equal(byCause.total, 3, 'an alert outside the period is not counted');
  assert.deepEqual(alertsByCause(alerts, days, 'UTC').series[0]!.counts, [1, 0, 1]);
  assert.deepEqual(alertsByCause([], days, 'UTC'), { days, series: [], total: 0 });
});

test('the period in figures', () => {
  const herd = [row('2026-11-01', 38, { n: 100, animals: 9 }), row('2026-11-02', 39, { n: 300, animals: 12 })];
  assert.deepEqual(periodSummary(herd, 7, celsius), {
    mean: 38.75,
    lowestDay: { day: '2026-11-01', mean: 38 },
    highestDay: { day: '2026-11-02', mean: 39 },
    daysWithData: 2,
    days: 7,
    animals: 12,
  });
  assert.deepEqual(periodSummary([], 7, celsius), { mean: undefined, lowestDay: undefined, highestDay: undefined, daysWithData: 0, days: 7, animals: 0 });
});

test('days in words, in the reader\'s locale and never shifted by the viewer\'s zone', () => {
  assert.equal(formatDay('2026-11-28', 'short', 'en-GB'), '28 Nov');
  assert.equal(formatDay('2026-11-28', 'long', 'en-GB'), 'Sat, 28 Nov 2026');
  assert.equal(formatDay('2026-11-28', 'short', 'de-DE'), '28. Nov.');
  assert.equal(formatDay('not a day'), 'not a day');
  assert.equal(formatPeriod({ from: '2026-11-22', to: '2026-11-28' }, 'en-GB'), 'Sun, 22 Nov 2026 – Sat, 28 Nov 2026 (7 days)');
  assert.equal(formatPeriod({ from: '2026-11-28', to: '2026-11-28' }, 'en-GB'), 'Sat, 28 Nov 2026 (1 day)');
});

test('axis ticks keep the decimals they have: °F ticks above 100 stay apart', () => {
  assert.deepEqual([100.8, 101, 101.2, 101.4].map((v) => formatAxisTick(v, 'en-US')), ['100.8', '101', '101.2', '101.4']);
  assert.deepEqual([38.65, 38.7].map((v) => formatAxisTick(v, 'de-DE')), ['38,65', '38,7']);
  // ECharts' float steps (0.1 + 0.2) do not show as 0.30000000000000004.
  assert.deepEqual([101.302, 0.1 + 0.2].map((v) => formatAxisTick(v, 'en-US')), ['101.302', '0.3']);
  assert.equal(formatAxisTick(12_500, 'en-US'), '12,500');
});

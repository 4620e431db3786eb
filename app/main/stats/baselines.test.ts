import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_HOURS, baselineLookup, currentBaselines, median, robustStats } from './baselines.ts';
import { DAY, HOUR, dayOfDate, farmClock } from './farm-clock.ts';

const utc = farmClock('UTC');
const day0 = Date.parse('2026-05-01T00:00:00Z');
/** `days` days of hourly points valued by `f(day, hourOfDay)`. */
const points = (days: number, f: (day: number, h: number) => number) =>
  Array.from({ length: days * 24 }, (_, i) => ({ hour: day0 + i * HOUR, value: f(Math.floor(i / 24), i % 24) }));

test('median and MAD shrug off outliers that would drag a mean', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.deepEqual(robustStats([10, 10, 11, 9, 10, 500]), { median: 10, mad: 0.5 });
  assert.throws(() => median([]), /no values/);
});

test('a baseline is her value at the same local hour over the preceding days, not the day being judged', () => {
  const series = points(12, (d, h) => (d === 11 ? 999 : 100 + h));
  const lookup = baselineLookup(series, utc, { windowDays: 7, minDays: 5 }, true);
  assert.deepEqual(lookup(day0 + 11 * DAY + 5 * HOUR), { median: 105, mad: 0, days: 7 });
  // A fever day in the window moves the median not at all.
  const withOutlier = points(12, (d, h) => (d === 8 ? 150 : 100 + h));
  assert.equal(baselineLookup(withOutlier, utc, { windowDays: 7, minDays: 5 }, true)(day0 + 11 * DAY + 3 * HOUR)!.median, 103);
});

test('no baseline before enough days of history', () => {
  const series = points(5, () => 100);
  const lookup = baselineLookup(series, utc, { windowDays: 7, minDays: 5 }, true);
  assert.equal(lookup(day0 + 4 * DAY), undefined, 'four days behind day 4');
  assert.equal(lookup(day0 + 5 * DAY)!.days, 5);
});

test('a metric without a daily rhythm pools all hours of the day', () => {
  const series = points(6, (_, h) => (h % 2 ? 600 : 610));
  const [row] = currentBaselines(series, utc, { windowDays: 10, minDays: 5 }, false, 6);
  assert.deepEqual(row, { metricId: 6, hourOfDay: ALL_HOURS, median: 605, mad: 5, days: 5 });
});

test('local hours across DST: the two 02:00 hours of a fall-back day are both hour 2; the spring-forward day has no 02:00', () => {
  const berlin = farmClock('Europe/Berlin');
  assert.equal(berlin.hourOfDay(Date.parse('2026-10-25T00:00:00Z')), 2);
  assert.equal(berlin.hourOfDay(Date.parse('2026-10-25T01:00:00Z')), 2);
  assert.equal(berlin.hourOfDay(Date.parse('2026-03-29T01:00:00Z')), 3);
  assert.equal(berlin.day(Date.parse('2026-03-28T23:30:00Z')), dayOfDate('2026-03-29'));
  const kolkata = farmClock('Asia/Kolkata');
  assert.equal(kolkata.hourOfDay(Date.parse('2026-05-01T00:30:00Z')), 6, 'a +05:30 zone starts its hours at :30 UTC');
  assert.equal(kolkata.hourOfDay(Date.parse('2026-05-01T00:29:00Z')), 5);
  assert.throws(() => farmClock('Mars/Olympus'), /"Mars\/Olympus" is not a known IANA time zone/);
});

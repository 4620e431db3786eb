import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR, farmClock } from '../farm-clock.ts';
import { at, craftSeries, ruminationRhythm } from '../testing/crafted-series.ts';
import { HEALTH, evaluateHealth } from './health.ts';
import { defaultsOf } from './parameters.ts';

const p = defaultsOf(HEALTH.parameters);
const START = '2026-05-01T00:00:00Z';
const SICK = at('2026-05-12T06:00:00Z');
const ctx = { clock: farmClock('UTC'), from: at(START) };
/** Eleven normal days, then rumination (and eating) at a fraction of normal for `hours` hours. */
const sick = (fraction: number, hours = 24, eatingFraction = 1) => ({
  rumination: craftSeries(START, 13 * 24, (h) => ruminationRhythm(h.hourOfDay) * (h.t >= SICK && h.t < SICK + hours * HOUR ? fraction : 1)),
  eating: craftSeries(START, 13 * 24, (h) => 15 * (h.t >= SICK && h.t < SICK + hours * HOUR ? eatingFraction : 1)),
});

test('rumination 35 % below her baseline for a day raises a health alert; 25 % below does not', () => {
  assert.deepEqual(evaluateHealth(sick(0.75), ctx, p).conditions, []);
  const [c] = evaluateHealth(sick(0.65), ctx, p).conditions;
  // The 6-h sum is 30 % down after six low hours; six such hours later it is raised.
  assert.equal(c!.onset, SICK + 5 * HOUR);
  assert.equal(c!.raisedAt, SICK + 11 * HOUR);
  assert.equal(c!.cause, 'LowerRumination');
  assert.equal(c!.severity, 2);
  assert.match(c!.reason, /^rumination 35 % below her 10-day baseline for 20 h; eating as usual$/);
  assert.equal(c!.clearedAt, SICK + 24 * HOUR + HOUR, 'clear once the 6-h sum is back within 30 %');
});

test('eating down as well makes it urgent and is in the reason', () => {
  const [c] = evaluateHealth(sick(0.65, 24, 0.5), ctx, p).conditions;
  assert.equal(c!.severity, 3);
  assert.match(c!.reason, /; eating 50 % below$/);
  assert.equal(c!.details.eating_percent_below, 50);
});

test("a heat's rumination dip (20 % for half a day) is no health alert", () => {
  assert.deepEqual(evaluateHealth(sick(0.8, 12), ctx, p).conditions, []);
});

test('a new animal without history raises nothing', () => {
  const short = { rumination: craftSeries(START, 4 * 24, (h) => (h.i > 48 ? 5 : ruminationRhythm(h.hourOfDay))) };
  assert.deepEqual(evaluateHealth(short, ctx, p).conditions, []);
});

test('a DST change day: the spring-forward night, a missing 02:00, raises nothing', () => {
  const berlin = farmClock('Europe/Berlin');
  const series = { rumination: craftSeries('2026-03-18T23:00:00Z', 14 * 24, (h) => ruminationRhythm(h.hourOfDay), berlin) };
  assert.deepEqual(evaluateHealth(series, { clock: berlin, from: at('2026-03-18T23:00:00Z') }, p).conditions, []);
});

test('gaps: hours without data inside the drop neither end nor restart it', () => {
  const { rumination, eating } = sick(0.5, 30);
  const holes = rumination.filter((q) => q.hour < SICK + 14 * HOUR || q.hour >= SICK + 16 * HOUR);
  const [c, ...more] = evaluateHealth({ rumination: holes, eating }, ctx, p).conditions;
  assert.equal(more.length, 0);
  assert.equal(c!.onset, evaluateHealth(sick(0.5, 30), ctx, p).conditions[0]!.onset);
});

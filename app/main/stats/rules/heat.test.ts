import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR, farmClock } from '../farm-clock.ts';
import { activityRhythm, at, craftSeries, type HourInfo } from '../testing/crafted-series.ts';
import { HEAT, evaluateHeat } from './heat.ts';
import { defaultsOf } from './parameters.ts';

const p = defaultsOf(HEAT.parameters);
const utc = farmClock('UTC');
const START = '2026-05-01T00:00:00Z';
const HEAT_START = at('2026-05-11T08:00:00Z');
/** Ten normal days, then 8 h of heat from 08:00 on day 11 at `factor` times her usual activity. */
const withHeat = (factor: number, hole?: (h: HourInfo) => boolean) =>
  craftSeries(START, 12 * 24, (h) => (hole?.(h) ? undefined : activityRhythm(h.hourOfDay) * (h.t >= HEAT_START && h.t < HEAT_START + 8 * HOUR ? factor : 1)));
const ctx = { clock: utc, from: at(START) };

test('activity 2.1× her baseline for hours raises a heat alert; 1.9× does not', () => {
  assert.deepEqual(evaluateHeat({ activity: withHeat(1.9) }, ctx, p).conditions, []);
  const [heat, ...more] = evaluateHeat({ activity: withHeat(2.1) }, ctx, p).conditions;
  assert.equal(more.length, 0);
  // The 2-h smoothed ratio reaches 2.1 in the heat's second hour; sustained for two hours it is raised.
  assert.equal(heat!.onset, HEAT_START + HOUR);
  assert.equal(heat!.raisedAt, HEAT_START + 3 * HOUR);
  assert.equal(heat!.cause, 'Activity');
  assert.equal(heat!.category, 'Behaviour');
  assert.equal(heat!.reason, 'activity 2.1× her 7-day baseline for 7 h');
  assert.deepEqual(heat!.details, { ratio: 2.1, activity_steps_per_h: 315, baseline_steps_per_h: 150, baseline_days: 7, hours: 7, threshold: 2 });
  assert.equal(heat!.clearedAt, HEAT_START + 8 * HOUR, 'over when the smoothed ratio fell back');
});

test('a new animal without five days of history raises nothing, however active', () => {
  const series = craftSeries(START, 4 * 24 + 16, (h) => activityRhythm(h.hourOfDay) * (h.i >= 4 * 24 + 8 ? 4 : 1));
  assert.deepEqual(evaluateHeat({ activity: series }, ctx, p).conditions, []);
  assert.deepEqual(evaluateHeat({}, ctx, p).conditions, [], 'no collar at all');
});

test('gaps: two missing hours inside the heat are bridged; four missing hours break the rising run', () => {
  const twoMissing = withHeat(3, (h) => h.t === HEAT_START + 2 * HOUR || h.t === HEAT_START + 3 * HOUR);
  assert.equal(evaluateHeat({ activity: twoMissing }, ctx, p).conditions.length, 1);
  // Data only in the heat's 2nd hour, then 4 h missing, then its last two hours: no run of two before the gap.
  const broken = withHeat(3, (h) => h.t === HEAT_START || (h.t >= HEAT_START + 2 * HOUR && h.t < HEAT_START + 6 * HOUR));
  const [late] = evaluateHeat({ activity: broken }, ctx, p).conditions;
  assert.equal(late!.onset, HEAT_START + 6 * HOUR, 'the run restarts after the gap');
});

test('a DST change day: her milking walk keeps its local hour, so it is not mistaken for heat', () => {
  const berlin = farmClock('Europe/Berlin');
  // Ten days up to and past the spring-forward night of 2026-03-29: the farm milks at 05:00 local all along.
  const series = craftSeries('2026-03-20T00:00:00Z', 12 * 24, (h) => activityRhythm(h.hourOfDay), berlin);
  const from = at('2026-03-20T00:00:00Z');
  assert.deepEqual(evaluateHeat({ activity: series }, { clock: berlin, from }, p).conditions, []);
  // Even hour by hour, unsmoothed, nothing: each local hour is held against the same local hour.
  const touchy = { ...p, smoothingHours: 1, sustainHours: 1 };
  assert.deepEqual(evaluateHeat({ activity: series }, { clock: berlin, from }, touchy).conditions, []);
  // Held against UTC hours, the walk an hour earlier after the change is a 5× "rise".
  const [wrong] = evaluateHeat({ activity: series }, { clock: utc, from }, touchy).conditions;
  assert.equal(wrong!.onset, at('2026-03-29T03:00:00Z'));
});

test('back-filled hours: evaluating from a later point sees the same episode with the same times', () => {
  const series = withHeat(2.5);
  const all = evaluateHeat({ activity: series }, ctx, p).conditions;
  const fromLater = evaluateHeat({ activity: series }, { clock: utc, from: HEAT_START - 48 * HOUR }, p).conditions;
  assert.deepEqual(fromLater, all);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR, dayOfDate, farmClock } from '../farm-clock.ts';
import { at, craftSeries, temperatureRhythm, type HourInfo } from '../testing/crafted-series.ts';
import { CALVING, evaluateCalving, expectedCalving } from './calving.ts';
import { defaultsOf } from './parameters.ts';

const p = defaultsOf(CALVING.parameters);
const START = '2026-05-01T00:00:00Z';
const DROP = at('2026-05-08T04:00:00Z');
const ctx = (due: string, calvedDay?: number) => ({ clock: farmClock('UTC'), from: at(START), calving: { expectedDay: dayOfDate(due), ...(calvedDay ? { calvedDay } : {}) } });
/** Her rhythm; from DROP on `drop` °C lower (progesterone falls before calving); `dip` lowers whole hourly maxima. */
const bolus = (drop: number, dip?: (h: HourInfo) => number) =>
  craftSeries(START, 9 * 24, (h) => {
    const max = temperatureRhythm(h.hourOfDay) - (h.t >= DROP ? drop : 0) - (dip?.(h) ?? 0);
    return { n: 60, max, mean: max - 0.5, min: max - 4 };
  });

test('a 0.4 °C drop against the day before, near her due date, means calving soon; 0.25 °C does not', () => {
  assert.deepEqual(evaluateCalving({ temperature: bolus(0.25) }, ctx('2026-05-09'), p).conditions, []);
  const [c, ...more] = evaluateCalving({ temperature: bolus(0.4) }, ctx('2026-05-09'), p).conditions;
  assert.equal(more.length, 0);
  // The 3-h dip-bridging level and the 4-h median each lag: the full drop shows from its fifth hour, and four
  // hours of it raise the alert.
  assert.equal(c!.onset, DROP + 4 * HOUR);
  assert.equal(c!.raisedAt, DROP + 8 * HOUR);
  assert.equal(c!.cause, 'Parturition');
  assert.equal(c!.reason, 'body temperature 0.4 °C lower than 24 h before, for 23 h, 1 d before her expected calving date (2026-05-09)');
  assert.equal(c!.details.expected_calving, '2026-05-09');
  // A day on, the comparison is with the lowered day: the drop is no longer new and the alert clears.
  assert.equal(c!.clearedAt, DROP + 27 * HOUR);
});

test('far from her due date, or with no expected calving at all, a drop is no calving alert', () => {
  assert.deepEqual(evaluateCalving({ temperature: bolus(0.5) }, ctx('2026-06-15'), p).conditions, []);
  assert.deepEqual(evaluateCalving({ temperature: bolus(0.5) }, { clock: farmClock('UTC'), from: at(START) }, p).conditions, []);
});

test('drinking dips, even one lasting a whole hour, do not fake a drop', () => {
  const dip = (h: HourInfo) => (h.day % 2 === 0 && (h.hourOfDay === 7 || h.hourOfDay === 19) ? 5 : 0);
  assert.deepEqual(evaluateCalving({ temperature: bolus(0, dip) }, ctx('2026-05-09'), p).conditions, []);
});

test('after her recorded calving nothing is expected any more', () => {
  assert.deepEqual(evaluateCalving({ temperature: bolus(0.5) }, ctx('2026-05-09', dayOfDate('2026-05-07')), p).conditions, []);
  assert.equal(evaluateCalving({ temperature: bolus(0.5) }, ctx('2026-05-09', dayOfDate('2026-05-08')), p).conditions.length, 1, 'the day of the calving still counts');
});

test('the expected calving date: recorded due date, else last insemination + 283 d; the calving of this pregnancy', () => {
  const d = dayOfDate('2025-06-01');
  assert.deepEqual(expectedCalving('2026-03-10', [{ kind: 'insemination', day: d }], 283), { expectedDay: dayOfDate('2026-03-10') });
  assert.deepEqual(expectedCalving(null, [{ kind: 'insemination', day: d - 21 }, { kind: 'insemination', day: d }], 283), { expectedDay: d + 283 });
  assert.deepEqual(
    expectedCalving(null, [{ kind: 'calving', day: d - 300 }, { kind: 'insemination', day: d }, { kind: 'calving', day: d + 280 }], 283),
    { expectedDay: d + 283, calvedDay: d + 280 },
    'an earlier lactation\'s calving is not this one',
  );
  assert.equal(expectedCalving(null, [{ kind: 'calving', day: d }], 283), undefined);
});

test('a DST change day near her due date: comparing with 24 h earlier across the fall-back night fakes no drop', () => {
  const berlin = farmClock('Europe/Berlin');
  const series = craftSeries('2026-10-15T00:00:00Z', 14 * 24, (h) => ({ n: 60, max: temperatureRhythm(h.hourOfDay), mean: 38.5, min: 35 }), berlin);
  const c = { clock: berlin, from: at('2026-10-15T00:00:00Z'), calving: { expectedDay: dayOfDate('2026-10-26') } };
  assert.deepEqual(evaluateCalving({ temperature: series }, c, p).conditions, []);
});

test('a new animal: a close-up cow bought two days ago is watched on the drop alone; gaps break a run', () => {
  const young = bolus(0.5).filter((q) => q.hour >= DROP - 48 * HOUR);
  assert.equal(evaluateCalving({ temperature: young }, ctx('2026-05-09'), p).conditions.length, 1);
  const holes = bolus(0.5).filter((q) => q.hour < DROP + 6 * HOUR || q.hour >= DROP + 10 * HOUR);
  const [c] = evaluateCalving({ temperature: holes }, ctx('2026-05-09'), p).conditions;
  assert.equal(c!.onset, DROP + 10 * HOUR, 'four hours missing: the run starts again after them');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR, farmClock } from '../farm-clock.ts';
import { at, craftSeries, temperatureRhythm, type HourInfo } from '../testing/crafted-series.ts';
import { FEVER, evaluateFever } from './fever.ts';
import { defaultsOf } from './parameters.ts';

const p = defaultsOf(FEVER.parameters);
const START = '2026-05-01T00:00:00Z';
const ONSET = at('2026-05-12T10:00:00Z');
const ctx = { clock: farmClock('UTC'), from: at(START) };
/** A bolus: hourly max at her rhythm plus `rise` during the fever; the mean and min pulled down by `dip` (drinking). */
const bolus = (rise: number, opts: { hours?: number; dip?: (h: HourInfo) => number; days?: number } = {}) =>
  craftSeries(START, (opts.days ?? 13) * 24, (h) => {
    const fever = h.t >= ONSET && h.t < ONSET + (opts.hours ?? 24) * HOUR ? rise : 0;
    const max = temperatureRhythm(h.hourOfDay) + fever - (opts.dip?.(h) ?? 0);
    return { n: 60, max, mean: max - 0.8, min: max - 5 }; // a drink every hour: the mean and min are useless
  });

test('0.9 °C above her 10-day baseline for hours is a fever; 0.7 °C is not', () => {
  assert.deepEqual(evaluateFever({ temperature: bolus(0.7) }, ctx, p).conditions, []);
  const [c] = evaluateFever({ temperature: bolus(0.9) }, ctx, p).conditions;
  assert.equal(c!.onset, ONSET);
  assert.equal(c!.raisedAt, ONSET + 2 * HOUR);
  assert.equal(c!.cause, 'AnimalTemperature');
  assert.equal(c!.severity, 2);
  assert.match(c!.reason, /^body temperature 40\.2 °C, 0\.9 °C above her 10-day baseline, for 25 h$/);
  assert.equal(c!.details.rise_c, 0.9);
  // The warmest of the last two hourly maxima carries the fever one hour past its end.
  assert.equal(c!.clearedAt, ONSET + 25 * HOUR);
  assert.equal(evaluateFever({ temperature: bolus(1.6) }, ctx, p).conditions[0]!.severity, 3);
});

test('a drinking dip that spans a whole hour neither breaks the fever nor resolves it', () => {
  const dip = (h: HourInfo) => (h.t === ONSET + 3 * HOUR || h.t === ONSET + 9 * HOUR ? 4 : 0);
  const [c, ...more] = evaluateFever({ temperature: bolus(1.0, { dip }) }, ctx, p).conditions;
  assert.equal(more.length, 0);
  assert.equal(c!.onset, ONSET);
});

test('drinking dips on healthy days raise nothing (their baseline and their level both ignore them)', () => {
  const dip = (h: HourInfo) => (h.hourOfDay === 6 || h.hourOfDay === 17 ? 6 : 0);
  assert.deepEqual(evaluateFever({ temperature: bolus(0, { dip }) }, ctx, p).conditions, []);
});

test('a new animal: no baseline yet, so the absolute 39.5 °C threshold applies, and only it', () => {
  const young = (level: number) => ({ temperature: craftSeries(START, 30, (h) => (h.i >= 20 ? level : 38.8)) });
  assert.deepEqual(evaluateFever(young(39.4), ctx, p).conditions, []);
  const [c] = evaluateFever(young(39.7), ctx, p).conditions;
  assert.equal(c!.onset, at(START) + 20 * HOUR);
  assert.equal(c!.reason, 'body temperature 39.7 °C, above 39.5 °C, for 10 h (no baseline of hers yet)');
});

test('a cow whose normal afternoon peak is above 39.5 °C is not febrile once she has a baseline', () => {
  const warm = craftSeries(START, 13 * 24, (h) => 39.4 + 0.3 * Math.cos((2 * Math.PI * (h.hourOfDay - 17)) / 24));
  const found = evaluateFever({ temperature: warm }, ctx, p).conditions;
  assert.ok(found.every((c) => c.clearedAt! < at('2026-05-07T00:00:00Z')), 'only while she had no baseline');
});

test('a DST change day: her rhythm follows the farm clock through the fall-back night; a fever starting in it is timed right', () => {
  const berlin = farmClock('Europe/Berlin');
  const onset = at('2026-10-25T00:00:00Z'); // the first of the two 02:00 hours
  const series = (rise: number) =>
    craftSeries('2026-10-14T22:00:00Z', 13 * 24, (h) => {
      const max = temperatureRhythm(h.hourOfDay) + (h.t >= onset && h.t < onset + 24 * HOUR ? rise : 0);
      return { n: 60, max, mean: max - 0.6, min: max - 4 };
    }, berlin);
  const c = { clock: berlin, from: at('2026-10-14T22:00:00Z') };
  assert.deepEqual(evaluateFever({ temperature: series(0) }, c, p).conditions, []);
  const [fever] = evaluateFever({ temperature: series(1.0) }, c, p).conditions;
  assert.equal(fever!.onset, onset);
  assert.equal(fever!.raisedAt, onset + 2 * HOUR);
});

test('gaps: three hours without data inside a fever keep it one episode; silence does not resolve it', () => {
  const holes = bolus(1.0).filter((q) => q.hour < ONSET + 5 * HOUR || q.hour >= ONSET + 8 * HOUR);
  assert.equal(evaluateFever({ temperature: holes }, ctx, p).conditions.length, 1);
  const stops = bolus(1.0).filter((q) => q.hour < ONSET + 5 * HOUR);
  assert.equal(evaluateFever({ temperature: stops }, ctx, p).conditions[0]!.clearedAt, undefined);
});

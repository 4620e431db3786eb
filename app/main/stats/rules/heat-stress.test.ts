import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR } from '../farm-clock.ts';
import { at, craftSeries } from '../testing/crafted-series.ts';
import { HEAT_STRESS, evaluateHeatStress, thi } from './heat-stress.ts';
import { defaultsOf } from './parameters.ts';

const p = defaultsOf(HEAT_STRESS.parameters);
const START = '2026-07-01T00:00:00Z';
/** A summer day: barn temperature `peak` °C from 11:00 to 17:00, 18 °C otherwise; humidity 60 %. */
const barn = (peak: number, humidity = 60) => ({
  ambientTemperature: craftSeries(START, 24, (h) => (h.hourOfDay >= 11 && h.hourOfDay < 17 ? peak : 18)),
  humidity: craftSeries(START, 24, () => humidity),
});

test('THI by the NRC (1971) formula', () => {
  assert.equal(Math.round(thi(25, 50) * 1000) / 1000, 71.775);
  assert.equal(Math.round(thi(20, 60) * 100) / 100, 65.8);
});

test('THI just above 68 for hours raises heat stress for the pen; just below does not', () => {
  // 21.5 °C at 60 % is THI 67.9; 22 °C is 68.6.
  assert.deepEqual(evaluateHeatStress(barn(21.5), at(START), p).conditions, []);
  const [c] = evaluateHeatStress(barn(22), at(START), p).conditions;
  assert.equal(c!.onset, at(START) + 11 * HOUR);
  assert.equal(c!.raisedAt, at(START) + 13 * HOUR);
  assert.equal(c!.clearedAt, at(START) + 17 * HOUR);
  assert.equal(c!.severity, 1);
  assert.equal(c!.reason, 'THI 68.6 (barn 22 °C, 60 % humidity) for 6 h; heat stress from THI 68');
  assert.equal(c!.cause, 'EnvironmentTemperature');
  assert.equal(c!.category, 'Environment');
});

test('the grades: moderate from THI 72, severe from 80', () => {
  assert.equal(evaluateHeatStress(barn(26), at(START), p).conditions[0]!.severity, 2);
  assert.equal(evaluateHeatStress(barn(31), at(START), p).conditions[0]!.severity, 3);
});

test('hours with only one of the two climate readings are no data, not a cool hour', () => {
  const onlyTemperature = { ambientTemperature: barn(30).ambientTemperature, humidity: craftSeries(START, 14, () => 60) };
  const [c] = evaluateHeatStress(onlyTemperature, at(START), p).conditions;
  assert.equal(c!.clearedAt, undefined, 'humidity stopped at 14:00: still open');
});

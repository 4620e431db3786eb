import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINUTE } from '../farm-clock.ts';
import { LOW_BATTERY, SILENT_NODE, batteryState, evaluateSilentNode, silentAfter, silentGaps, usualInterval } from './node-health.ts';
import { defaultsOf } from './parameters.ts';

const silentP = defaultsOf(SILENT_NODE.parameters);
const batteryP = defaultsOf(LOW_BATTERY.parameters);
const t0 = Date.parse('2026-05-01T12:00:00Z');
const every = (minutes: number, count: number) => Array.from({ length: count }, (_, i) => t0 - i * minutes * MINUTE);

test('the usual interval is the median gap between recent posts; a retry burst does not shorten it', () => {
  assert.equal(usualInterval(every(10, 5)), 10 * MINUTE);
  assert.equal(usualInterval([...every(10, 5), t0 - 10 * MINUTE + 2000]), 10 * MINUTE);
  assert.equal(usualInterval([t0]), undefined);
});

test('silent after max(3 × its interval, 15 min)', () => {
  assert.equal(silentAfter(10 * MINUTE, silentP), 30 * MINUTE);
  assert.equal(silentAfter(1 * MINUTE, silentP), 15 * MINUTE);
  assert.equal(silentAfter(undefined, silentP), 15 * MINUTE);
});

test('a node every 10 min is fine at 29 min of silence, silent at 30; onset is its last post', () => {
  const node = { lastSeenAt: t0, postTimes: every(10, 20) };
  assert.equal(evaluateSilentNode(node, t0 + 29 * MINUTE, silentP), undefined);
  const c = evaluateSilentNode(node, t0 + 30 * MINUTE, silentP)!;
  assert.equal(c.onset, t0);
  assert.equal(c.raisedAt, t0 + 30 * MINUTE);
  assert.equal(c.cause, 'Offline');
  assert.equal(c.reason, 'no post for 30 min; it usually posts every 10 min');
  assert.equal(evaluateSilentNode(node, t0 + 5 * 60 * MINUTE, silentP)!.reason, 'no post for 5 h; it usually posts every 10 min');
});

test('low battery below 20 %, ok again only above 30 % (no flapping at the threshold)', () => {
  assert.deepEqual(batteryState({ percent: 19, volts: 3.41 }, batteryP), {
    state: 'low',
    reason: 'battery at 19 %, 3.41 V; below 20 %',
    details: { battery_percent: 19, battery_volts: 3.41, threshold_percent: 20 },
  });
  assert.equal(batteryState({ percent: 20, volts: null }, batteryP).state, 'between');
  assert.equal(batteryState({ percent: 31, volts: null }, batteryP).state, 'ok');
  assert.equal(batteryState({ percent: null, volts: 2.1 }, batteryP).state, 'unknown', 'volts are not judged unless configured');
  assert.equal(batteryState({ percent: null, volts: 2.1 }, { ...batteryP, voltsBelow: 2.5 }).state, 'low');
});

test('silentGaps: a gap past max(3 × the usual reading interval, 15 min) from its last reading to the next', () => {
  const readings = [...every(10, 20).reverse(), t0 + 2 * 60 * MINUTE, t0 + 2 * 60 * MINUTE + 10 * MINUTE];
  const [gap, ...rest] = silentGaps(readings, silentP);
  assert.deepEqual(rest, []);
  assert.equal(gap!.onset, t0);
  assert.equal(gap!.raisedAt, t0 + 30 * MINUTE);
  assert.equal(gap!.clearedAt, t0 + 2 * 60 * MINUTE);
  assert.equal(gap!.reason, 'no reading for 2 h; it usually sends one every 10 min');
  assert.deepEqual(silentGaps(readings, silentP, { from: t0 + 2 * 60 * MINUTE }), [], 'gaps that ended by `from` are not looked at again');
  assert.deepEqual(silentGaps([...every(10, 20).reverse(), t0 + 29 * MINUTE], silentP), [], 'just below the threshold');
  // Still silent at `until` (the office clock): an open condition from the last reading.
  assert.equal(silentGaps(every(10, 20).reverse(), silentP, { until: t0 + 29 * MINUTE }).length, 0);
  const [open] = silentGaps(every(10, 20).reverse(), silentP, { until: t0 + 30 * MINUTE });
  assert.deepEqual([open!.onset, open!.raisedAt, open!.clearedAt], [t0, t0 + 30 * MINUTE, undefined]);
  // A node sending every minute is silent only after 15 min.
  assert.equal(silentGaps([...every(1, 20).reverse(), t0 + 14 * MINUTE], silentP).length, 0);
  assert.equal(silentGaps([...every(1, 20).reverse(), t0 + 15 * MINUTE], silentP)[0]!.raisedAt, t0 + 15 * MINUTE);
});

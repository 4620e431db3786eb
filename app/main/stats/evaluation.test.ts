import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroundTruthLine } from '../simulator/model.ts';
import { rulesFor, poolScores, scoreRule, type ScoredAlert } from './evaluation.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 9, 1);
const at = (h: number) => new Date(T0 + h * H).toISOString();
const rule = (kind: string) => rulesFor(10 * 60_000).find((r) => r.kind === kind)!;
const options = { from: T0, to: T0 + 10 * 24 * H, cows: 10 };

const truth: GroundTruthLine[] = [
  { kind: 'heat', animal: 'A1', onset: at(24), end: at(36), details: {} },
  { kind: 'heat', animal: 'A2', onset: at(48), end: at(60), details: {} },
  { kind: 'heat', animal: 'A3', onset: at(100), end: at(110), details: {} },
  { kind: 'calving', animal: 'C1', onset: at(30), end: at(84), details: { calving_at: at(60) } },
  { kind: 'calving', animal: 'C2', onset: at(130), end: at(184), details: { calving_at: at(160) } },
];

test('heat: an alert inside the event window detects it; one for another cow or far off is false', () => {
  const alerts: ScoredAlert[] = [
    { cause: 'Activity', animal: 'A1', onset: T0 + 25 * H, raisedAt: T0 + 28 * H },
    { cause: 'Activity', animal: 'A1', onset: T0 + 25 * H, raisedAt: T0 + 30 * H }, // a second alert of the same heat
    { cause: 'Activity', animal: 'A2', onset: T0 + 80 * H, raisedAt: T0 + 80 * H }, // 20 h after the end: false
    { cause: 'Activity', animal: 'B9', onset: T0 + 50 * H, raisedAt: T0 + 50 * H }, // a cow without a heat: false
    { cause: 'AnimalTemperature', animal: 'A3', onset: T0 + 101 * H, raisedAt: T0 + 101 * H }, // another rule
  ];
  const s = scoreRule(rule('heat'), truth, alerts, options);
  assert.equal(s.events, 3);
  assert.equal(s.detected, 1);
  assert.equal(s.alerts, 4);
  assert.equal(s.falseAlerts, 2);
  assert.equal(s.precision, 0.5);
  assert.equal(s.medianDelayH, 4);
  // 2 false alerts in 10 cows × 10 days.
  assert.equal(s.falsePer100CowDays, 2);
});

test('calving counts only with at least 6 h of warning before the birth', () => {
  const alerts: ScoredAlert[] = [
    { cause: 'Parturition', animal: 'C1', onset: T0 + 40 * H, raisedAt: T0 + 50 * H }, // 10 h before: detected
    { cause: 'Parturition', animal: 'C2', onset: T0 + 150 * H, raisedAt: T0 + 157 * H }, // 3 h before: too late
  ];
  const s = scoreRule(rule('calving'), truth, alerts, options);
  assert.equal(s.events, 2);
  assert.equal(s.detected, 1);
  assert.equal(s.falseAlerts, 0, 'a late alert is still a true one');
});

test('events before the warm-up are not counted; runs pool their counts and delays', () => {
  const late = { ...options, from: T0 + 40 * H };
  const a = scoreRule(rule('heat'), truth, [{ cause: 'Activity', animal: 'A2', onset: T0 + 50 * H, raisedAt: T0 + 51 * H }], late);
  assert.equal(a.events, 2);
  assert.equal(a.sensitivity, 0.5);
  const b = scoreRule(rule('heat'), truth, [{ cause: 'Activity', animal: 'A3', onset: T0 + 100 * H, raisedAt: T0 + 106 * H }], late);
  const pooled = poolScores('heat', [a, b], 200);
  assert.equal(pooled.events, 4);
  assert.equal(pooled.detected, 2);
  assert.deepEqual(pooled.delaysH, [3, 6]);
  assert.equal(pooled.medianDelayH, 3);
});

test('a silent node counts as found only within twice its threshold', () => {
  const silent: GroundTruthLine[] = [
    { kind: 'silent_node', animal: 'A1', node: 'collar-1', onset: at(10), end: at(20), details: {} },
    { kind: 'silent_node', animal: 'A2', node: 'collar-2', onset: at(30), details: {} },
  ];
  const alerts: ScoredAlert[] = [
    { cause: 'Offline', node: 'collar-1', onset: T0 + 10 * H, raisedAt: T0 + 10.9 * H }, // 54 min: within 60
    { cause: 'Offline', node: 'collar-2', onset: T0 + 30 * H, raisedAt: T0 + 31.5 * H }, // 90 min: too late
  ];
  const s = scoreRule(rule('silent_node'), silent, alerts, options);
  assert.equal(s.detected, 1);
  assert.equal(s.falseAlerts, 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR } from './farm-clock.ts';
import { canonicalJson, reconcile, type StoredAlert } from './reconcile.ts';
import type { Condition } from './rules/types.ts';

const h = (i: number) => Date.parse('2026-05-01T00:00:00Z') + i * HOUR;
const condition = (onset: number, extra: Partial<Condition> = {}): Condition => ({
  cause: 'Activity',
  category: 'Behaviour',
  severity: 2,
  onset,
  raisedAt: onset + 2 * HOUR,
  reason: 'activity 2.5× her 7-day baseline for 3 h',
  details: { ratio: 2.5, hours: 3 },
  ...extra,
});
const stored = (id: number, onset: number, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  id,
  status: 'open',
  onset,
  resolvedAt: null,
  severity: 2,
  reason: 'activity 2.5× her 7-day baseline for 3 h',
  details: { hours: 3, ratio: 2.5 },
  ...extra,
});

test('a new episode is inserted; the same episode again changes nothing (jsonb key order is no change)', () => {
  assert.deepEqual(reconcile([], { conditions: [condition(h(10))] }), [{ kind: 'insert', condition: condition(h(10)) }]);
  assert.deepEqual(reconcile([stored(1, h(10))], { conditions: [condition(h(10))] }), []);
  assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
});

test('an open alert gets new numbers, keeps its onset even when a shorter window sees a later one', () => {
  const later = condition(h(12), { reason: 'activity 3.1× her 7-day baseline for 6 h', details: { ratio: 3.1, hours: 6 } });
  assert.deepEqual(reconcile([stored(1, h(10))], { conditions: [later] }), [{ kind: 'update', id: 1, condition: later }]);
});

test('a cleared episode resolves its alert at the data time it cleared; already over when first seen, it is inserted resolved', () => {
  const cleared = condition(h(10), { clearedAt: h(20), clearedReason: 'activity back below 2× her baseline' });
  assert.deepEqual(reconcile([stored(1, h(10))], { conditions: [cleared] }), [
    { kind: 'resolve', id: 1, at: h(20), note: 'resolved automatically: activity back below 2× her baseline', condition: cleared },
  ]);
  assert.deepEqual(reconcile([], { conditions: [cleared] }), [{ kind: 'insert', condition: cleared }]);
  assert.deepEqual(reconcile([stored(1, h(10), { status: 'resolved', resolvedAt: h(20) })], { conditions: [cleared] }), [], 'idempotent');
  const earlier = { ...cleared, onset: h(8) };
  assert.deepEqual(reconcile([stored(1, h(10), { status: 'resolved', resolvedAt: h(20) })], { conditions: [earlier] }), [{ kind: 'update', id: 1, condition: earlier }], 'late data showing an earlier start corrects it');
});

test('an acknowledged alert is still the open one; one resolved by hand is not raised again for the same episode', () => {
  assert.deepEqual(reconcile([stored(1, h(10), { status: 'acknowledged' })], { conditions: [condition(h(10))] }), []);
  assert.deepEqual(reconcile([stored(1, h(10), { status: 'resolved', resolvedAt: h(11) })], { conditions: [condition(h(10))] }), []);
  const next = condition(h(30));
  assert.deepEqual(reconcile([stored(1, h(10), { status: 'resolved', resolvedAt: h(20) })], { conditions: [next] }), [{ kind: 'insert', condition: next }]);
});

test('an open alert the rule no longer finds is resolved once the data has been clear long enough', () => {
  assert.deepEqual(reconcile([stored(1, h(10))], { conditions: [], clearFrom: h(5) }), [
    { kind: 'resolve', id: 1, at: h(10), note: 'resolved automatically: the condition is no longer found in the data' },
  ]);
  assert.deepEqual(reconcile([stored(1, h(10))], { conditions: [] }), [], 'not clear long enough: left open');
});

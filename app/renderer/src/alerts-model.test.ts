import { assert, test } from '../../../scripts/test-api.ts';
import { ALERTS_SUBSCRIPTIONS, alertActions, alertCountLabel, alertSubject, categoriesOf, detailEntries, filterAlerts, temperatureKind, words, type AlertRow } from './alerts-model.ts';

function alert(over: Partial<AlertRow>): AlertRow {
  return {
    id: 1, category: 'Health', cause: 'AnimalTemperature', severity: 2, status: 'open', reason: 'fever', details: {},
    onset: '2026-11-28T06:00:00+00:00', raised_at: '2026-11-28T07:00:00+00:00', acknowledged_at: null, resolved_at: null, note: null,
    animal: { id: 1, tag: 'DE01', official_id: null, name: 'Berta' }, node: null, group: null, ...over,
  };
}

test('most urgent first: severity, then the one raised first, then id', () => {
  const list = [
    alert({ id: 1, severity: 1, raised_at: '2026-11-28T01:00:00Z' }),
    alert({ id: 2, severity: 3, raised_at: '2026-11-28T05:00:00Z' }),
    alert({ id: 3, severity: 3, raised_at: '2026-11-28T04:00:00Z' }),
    alert({ id: 4, severity: 2, raised_at: '2026-11-28T04:00:00Z', status: 'acknowledged' }),
    alert({ id: 5, severity: 3, raised_at: '2026-11-28T04:00:00Z' }),
  ];
  assert.deepEqual(filterAlerts(list, { status: 'active', category: '' }).map((a) => a.id), [3, 5, 2, 4, 1]);
});

test('filters by status and category', () => {
  const list = [
    alert({ id: 1, category: 'Health' }),
    alert({ id: 2, category: 'Reproduction', cause: 'Activity' }),
    alert({ id: 3, category: 'Health', status: 'acknowledged' }),
    alert({ id: 4, category: 'Health', status: 'resolved' }),
  ];
  assert.deepEqual(filterAlerts(list, { status: 'open', category: '' }).map((a) => a.id), [1, 2]);
  assert.deepEqual(filterAlerts(list, { status: 'acknowledged', category: '' }).map((a) => a.id), [3]);
  assert.deepEqual(filterAlerts(list, { status: 'active', category: 'Health' }).map((a) => a.id), [1, 3]);
  assert.deepEqual(categoriesOf(list), ['Health', 'Reproduction']);
});

test('ICAR identifiers in words', () => {
  assert.equal(words('AnimalTemperature'), 'Animal temperature');
  assert.equal(words('LowerRumination'), 'Lower rumination');
  assert.equal(words('baseline_ratio'), 'Baseline ratio');
  assert.equal(words('durationH'), 'Duration h');
});

test('the subject: animal, else node, else group', () => {
  assert.deepEqual(alertSubject(alert({})), { kind: 'animal', label: 'DE01 (Berta)' });
  assert.deepEqual(alertSubject(alert({ animal: { id: 7, tag: null, official_id: '276000123456789', name: null } })), { kind: 'animal', label: '276000123456789' });
  assert.deepEqual(alertSubject(alert({ animal: null, node: { id: 2, name: 'collar-7', kind: 'collar' } })), { kind: 'node', label: 'Node collar-7' });
  assert.deepEqual(alertSubject(alert({ animal: null, group: { id: 1, name: 'Barn A' } })), { kind: 'group', label: 'Barn A' });
});

test('the numbers from details, labelled', () => {
  assert.deepEqual(detailEntries({ ratio: 2.8123, baseline: { mean: 412.4, days: 7 }, hours: 6, metric: 'activity', flags: [1, 2], skip: null }, 'metric', 'en-US'), [
    { label: 'Ratio', value: '2.81' },
    { label: 'Baseline mean', value: '412' },
    { label: 'Baseline days', value: '7' },
    { label: 'Hours', value: '6' },
    { label: 'Metric', value: 'activity' },
    { label: 'Flags', value: '1, 2' },
  ]);
  assert.deepEqual(detailEntries(null, 'metric'), []);
  assert.deepEqual(detailEntries([1, 2], 'metric'), []);
});

test('temperatures in details follow the farm’s units: levels converted, rises and drops scaled', () => {
  // A fever against her baseline: the threshold is a rise.
  const fever = { temperature_c: 40.1, baseline_c: 38.6, rise_c: 1.5, hours: 5, threshold_c: 0.8 };
  assert.deepEqual(detailEntries(fever, 'metric', 'en-US'), [
    { label: 'Temperature', value: '40.1 °C' },
    { label: 'Baseline', value: '38.6 °C' },
    { label: 'Rise', value: '1.5 °C' },
    { label: 'Hours', value: '5' },
    { label: 'Threshold', value: '0.8 °C' },
  ]);
  assert.deepEqual(detailEntries(fever, 'imperial', 'en-US'), [
    { label: 'Temperature', value: '104.2 °F' },
    { label: 'Baseline', value: '101.5 °F' },
    { label: 'Rise', value: '2.7 °F' },
    { label: 'Hours', value: '5' },
    { label: 'Threshold', value: '1.4 °F' },
  ]);
  // Without a baseline the threshold is a level; a calving's drop is a difference.
  assert.deepEqual(detailEntries({ temperature_c: 39.8, threshold_c: 39.5 }, 'imperial', 'en-US').map((e) => e.value), ['103.6 °F', '103.1 °F']);
  assert.equal(temperatureKind('temperature_24h_before_c', { drop_c: 0.4 }), 'level');
  assert.equal(temperatureKind('threshold_c', { drop_c: 0.4 }), 'difference');
  assert.equal(temperatureKind('drop_c', {}), 'difference');
  assert.equal(temperatureKind('threshold_percent', {}), undefined);
});

test('who may do what (the worker acknowledges, only others resolve, the viewer neither)', () => {
  assert.deepEqual(alertActions('worker', { status: 'open' }), { acknowledge: true, resolve: false });
  assert.deepEqual(alertActions('worker', { status: 'acknowledged' }), { acknowledge: false, resolve: false });
  assert.deepEqual(alertActions('manager', { status: 'acknowledged' }), { acknowledge: false, resolve: true });
  assert.deepEqual(alertActions('viewer', { status: 'open' }), { acknowledge: false, resolve: false });
  assert.deepEqual(alertActions('owner', { status: 'resolved' }), { acknowledge: false, resolve: false });
});

test('count label and one root field per subscription', () => {
  assert.equal(alertCountLabel([]), 'No open alerts');
  assert.equal(alertCountLabel([alert({}), alert({ id: 2 }), alert({ id: 3, status: 'acknowledged' })]), '2 open, 1 acknowledged');
  assert.equal(ALERTS_SUBSCRIPTIONS.length, 3);
  for (const s of ALERTS_SUBSCRIPTIONS) assert.match(s, /^subscription Alerts_\w+ \{/);
});

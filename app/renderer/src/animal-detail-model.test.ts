import { assert, test } from '../../../scripts/test-api.ts';
import {
  animalHref,
  animalIdFromParam,
  axisLabel,
  DAY,
  detailLiveQuery,
  eventErrorInWords,
  eventInput,
  eventKindsFor,
  farmWallToUtc,
  formatAnimalAge,
  formatFarmDateTime,
  historyEntries,
  HOUR,
  markersInRange,
  MINUTE,
  pointsInRange,
  readingsWhere,
  resolveRange,
  rollingBaseline,
  safeTimeZone,
  seriesByMetric,
  seriesInUnits,
  utcToFarmWall,
  zoneOffsetMs,
  type DetailAlert,
  type DetailEvent,
} from './animal-detail-model.ts';

const NOW = Date.parse('2026-11-28T10:00:00Z');

test('animalIdFromParam reads #/animal/<id> and refuses anything else', () => {
  assert.equal(animalIdFromParam('42'), 42);
  assert.equal(animalIdFromParam(''), undefined);
  assert.equal(animalIdFromParam('x1'), undefined);
  assert.equal(animalIdFromParam('0'), undefined);
  assert.equal(animalIdFromParam('1e3'), undefined);
  assert.equal(animalHref(7), '#/animal/7');
});

test('detailLiveQuery has one subscription per root field and only a safe integer id', () => {
  const live = detailLiveQuery(5);
  assert.equal(live.subscriptions.length, 5);
  assert.match(live.query, /animals_by_pk\(id: 5\)/);
  assert.throws(() => detailLiveQuery(Number.NaN));
});

test('zone offsets and farm wall time come from Intl, not the machine’s zone', () => {
  assert.equal(zoneOffsetMs(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Berlin'), HOUR);
  assert.equal(zoneOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'Europe/Berlin'), 2 * HOUR);
  assert.equal(zoneOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York'), -4 * HOUR);
  assert.equal(farmWallToUtc('2026-11-28', '08:05', 'Europe/Berlin'), Date.parse('2026-11-28T07:05:00Z'));
  assert.equal(farmWallToUtc('2026-07-01', '00:00', 'Asia/Kolkata'), Date.parse('2026-06-30T18:30:00Z'));
  // The autumn hour that happens twice: the first one; the spring hour that never happens: just after the gap.
  assert.equal(farmWallToUtc('2026-10-25', '02:30', 'Europe/Berlin'), Date.parse('2026-10-25T00:30:00Z'));
  assert.equal(farmWallToUtc('2026-03-29', '02:30', 'Europe/Berlin'), Date.parse('2026-03-29T01:30:00Z'));
  assert.equal(farmWallToUtc('2026-13-01', '00:00', 'UTC'), undefined);
  assert.equal(farmWallToUtc('yesterday', '00:00', 'UTC'), undefined);
  assert.deepEqual(utcToFarmWall(Date.parse('2026-11-28T23:30:00Z'), 'Europe/Berlin'), { date: '2026-11-29', time: '00:30' });
  assert.equal(safeTimeZone('Mars/Olympus'), 'UTC');
  assert.equal(safeTimeZone('Europe/Berlin'), 'Europe/Berlin');
});

test('labels are on the farm’s clock', () => {
  const t = Date.parse('2026-11-28T07:05:00Z');
  assert.equal(axisLabel(t, DAY, 'Europe/Berlin', 'en-GB'), '08:05');
  assert.equal(axisLabel(t, DAY, 'America/New_York', 'en-GB'), '02:05');
  assert.equal(axisLabel(t, 30 * DAY, 'Europe/Berlin', 'en-GB'), '28 Nov');
  // Midnight on the farm shows the date even in a short span.
  assert.equal(axisLabel(Date.parse('2026-11-27T23:00:00Z'), DAY, 'Europe/Berlin', 'en-GB'), '28 Nov');
  assert.match(formatFarmDateTime(t, 'Europe/Berlin', 'en-GB'), /28 Nov 2026, 08:05/);
});

test('resolveRange: relative ranges end now; custom ranges cover whole farm days', () => {
  assert.deepEqual(resolveRange('24h', NOW, 'UTC'), { ok: true, range: { from: NOW - DAY, to: NOW } });
  assert.deepEqual(resolveRange('90d', NOW, 'UTC'), { ok: true, range: { from: NOW - 90 * DAY, to: NOW } });
  assert.deepEqual(resolveRange('custom', NOW, 'Europe/Berlin', { from: '2026-11-01', to: '2026-11-02' }), {
    ok: true,
    range: { from: Date.parse('2026-10-31T23:00:00Z'), to: Date.parse('2026-11-02T23:00:00Z') },
  });
  // A day of 25 hours (the clocks go back) is whole too.
  const autumn = resolveRange('custom', NOW, 'Europe/Berlin', { from: '2026-10-25', to: '2026-10-25' });
  assert.ok(autumn.ok && autumn.range.to - autumn.range.from === 25 * HOUR);
  assert.deepEqual(resolveRange('custom', NOW, 'UTC', { from: '2026-11-05', to: '2026-11-01' }), { ok: false, error: 'The end date is before the start date.' });
  assert.equal(resolveRange('custom', NOW, 'UTC', { from: '', to: '2026-11-01' }).ok, false);
  assert.equal(resolveRange('custom', NOW, 'UTC', { from: '2020-01-01', to: '2026-11-01' }).ok, false);
});

test('readingsWhere asks the animal’s readings from a week before the range, for the baseline', () => {
  const where = readingsWhere(7, { from: NOW - DAY, to: NOW });
  assert.deepEqual(where, {
    animal_id: { _eq: 7 },
    ts: { _gte: new Date(NOW - 8 * DAY).toISOString(), _lt: new Date(NOW).toISOString() },
  });
});

const METRICS = [
  { id: 1, key: 'temperature', name: 'Body temperature', unit: '°C' },
  { id: 2, key: 'activity', name: 'Activity', unit: 'steps/h' },
  { id: 3, key: 'rumination', name: 'Rumination', unit: 'min/h' },
];

test('seriesByMetric groups readings per metric in the metrics’ order and leaves out metrics without any', () => {
  const rows = [
    { metric_id: 2, ts: '2026-11-28T08:00:00Z', value: 500 },
    { metric_id: 1, ts: '2026-11-28T08:10:00Z', value: 38.8 },
    { metric_id: 1, ts: '2026-11-28T08:00:00Z', value: 38.7 },
  ];
  const series = seriesByMetric(rows, METRICS);
  assert.deepEqual(series.map((s) => s.metric.key), ['temperature', 'activity']);
  assert.deepEqual(series[0]!.points, [
    [Date.parse('2026-11-28T08:00:00Z'), 38.7],
    [Date.parse('2026-11-28T08:10:00Z'), 38.8],
  ]);
  const range = { from: Date.parse('2026-11-28T08:05:00Z'), to: Date.parse('2026-11-28T09:00:00Z') };
  assert.deepEqual(pointsInRange(series[0]!.points, range), [[Date.parse('2026-11-28T08:10:00Z'), 38.8]]);
});

test('rollingBaseline is the 7-day median ± 1.5 MAD of the readings before each step', () => {
  // Every 10 minutes for 10 days: values 38.0, 38.5, 39.0 repeating → median 38.5, MAD 0.5.
  const start = Date.parse('2026-11-01T00:00:00Z');
  const points: [number, number][] = [];
  for (let i = 0; i < 10 * 144; i++) points.push([start + i * 10 * MINUTE, 38 + (i % 3) * 0.5]);
  const range = { from: start + 8 * DAY, to: start + 10 * DAY };
  const band = rollingBaseline(points, range);
  assert.ok(band.length >= 47 && band.length <= 49, `hourly steps over 2 days, got ${band.length}`);
  for (const b of band) {
    assert.equal(b.median, 38.5);
    assert.equal(b.low, 38.5 - 0.75);
    assert.equal(b.high, 38.5 + 0.75);
  }
  assert.ok(band[0]!.t >= range.from && band.at(-1)!.t <= range.to);
});

test('rollingBaseline follows a level change only as the week slides, and needs enough readings', () => {
  const start = Date.parse('2026-11-01T00:00:00Z');
  const points: [number, number][] = [];
  for (let h = 0; h < 20 * 24; h++) points.push([start + h * HOUR, h < 10 * 24 ? 100 : 200]);
  const band = rollingBaseline(points, { from: start, to: start + 20 * DAY });
  const at = (day: number) => band.find((b) => b.t === start + day * DAY)!;
  assert.equal(at(9).median, 100);
  assert.equal(at(12).median, 100, 'two days of 200 within a week of 100 do not move the median');
  assert.equal(at(19).median, 200);
  assert.ok(band[0]!.t >= start + 11 * HOUR, 'no band before 12 readings are in the window');
  assert.deepEqual(rollingBaseline([], { from: start, to: start + DAY }), []);
});

test('rollingBaseline over 90 days of 10-minute readings is fast', () => {
  const to = NOW;
  const from = to - 90 * DAY;
  const points: [number, number][] = [];
  for (let t = from - 7 * DAY; t < to; t += 10 * MINUTE) points.push([t, 38.5 + Math.sin(t / HOUR) * 0.3 + (Math.random() - 0.5) * 0.2]);
  const started = performance.now();
  const band = rollingBaseline(points, { from, to });
  const took = performance.now() - started;
  assert.ok(band.length > 600, `${band.length} band points`);
  assert.ok(took < 500, `took ${took.toFixed(0)} ms`);
});

const ALERTS: DetailAlert[] = [
  { id: 1, category: 'Health', cause: 'AnimalTemperature', severity: 3, status: 'open', reason: 'temperature 40.1 °C for 2 h', onset: '2026-11-28T06:00:00Z', raised_at: '2026-11-28T08:00:00Z' },
  { id: 2, category: 'Behaviour', cause: 'Activity', severity: 2, status: 'resolved', reason: 'old', onset: '2026-10-01T06:00:00Z', raised_at: '2026-10-01T08:00:00Z' },
];
const EVENTS: DetailEvent[] = [
  { id: 9, kind: 'note', ts: '2026-11-28T07:00:00Z', note: 'limping left hind', created_at: '2026-11-28T07:01:00Z' },
  { id: 8, kind: 'insemination', ts: '2026-11-27T07:00:00Z', note: null, created_at: '2026-11-27T07:01:00Z' },
];

test('markersInRange lists alerts at their onset and events at their time, oldest first, within the range', () => {
  const markers = markersInRange(ALERTS, EVENTS, { from: NOW - DAY, to: NOW });
  assert.deepEqual(
    markers.map((m) => [m.kind, m.id, m.label, m.detail]),
    [
      ['alert', 1, '⚠ AnimalTemperature', 'temperature 40.1 °C for 2 h'],
      ['event', 9, 'Note', 'Note: limping left hind'],
    ],
  );
  assert.equal(markersInRange(ALERTS, EVENTS, { from: NOW - 90 * DAY, to: NOW }).length, 4);
});

test('historyEntries: everything, newest first', () => {
  assert.deepEqual(
    historyEntries(ALERTS, EVENTS).map((h) => h.key),
    ['event-9', 'alert-1', 'event-8', 'alert-2'],
  );
});

test('formatAnimalAge counts whole months on the farm’s calendar', () => {
  assert.equal(formatAnimalAge('2022-08-15', '2026-11-28'), '4 years 3 months');
  assert.equal(formatAnimalAge('2022-11-28', '2026-11-28'), '4 years');
  assert.equal(formatAnimalAge('2026-04-29', '2026-11-28'), '6 months');
  assert.equal(formatAnimalAge('2026-11-16', '2026-11-28'), '12 days');
  assert.equal(formatAnimalAge('2026-10-28', '2026-11-28'), '1 month');
  assert.equal(formatAnimalAge(null, '2026-11-28'), undefined);
  assert.equal(formatAnimalAge('2027-01-01', '2026-11-28'), 'not born yet');
});

test('eventKindsFor follows the office’s insert permissions', () => {
  assert.deepEqual(eventKindsFor('owner'), ['insemination', 'treatment', 'calving', 'note']);
  assert.deepEqual(eventKindsFor('vet'), ['treatment', 'note']);
  assert.deepEqual(eventKindsFor('worker'), ['note']);
  assert.deepEqual(eventKindsFor('viewer'), []);
});

test('eventInput builds the insert on the farm’s clock and says in words what is missing', () => {
  const form = { kind: 'note' as const, date: '2026-11-28', time: '08:30', note: '  limping  ' };
  assert.deepEqual(eventInput(3, form, 'owner', 'Europe/Berlin', NOW), {
    ok: true,
    object: { animal_id: 3, ts: '2026-11-28T07:30:00.000Z', note: 'limping', kind: 'note' },
  });
  const worker = eventInput(3, form, 'worker', 'Europe/Berlin', NOW);
  assert.ok(worker.ok && !('kind' in worker.object), 'a worker may not name the kind: the office presets it');
  assert.deepEqual(eventInput(3, { ...form, note: ' ' }, 'owner', 'UTC', NOW), { ok: false, error: 'Write the note.' });
  assert.deepEqual(eventInput(3, { ...form, date: '' }, 'owner', 'UTC', NOW), { ok: false, error: 'Give the date and time it happened.' });
  assert.deepEqual(eventInput(3, { ...form, date: '2026-12-01' }, 'owner', 'UTC', NOW), { ok: false, error: 'The time is in the future.' });
  assert.deepEqual(eventInput(3, { ...form, kind: 'calving' }, 'vet', 'UTC', NOW), { ok: false, error: 'Your role may not add a calving.' });
  const calving = eventInput(3, { ...form, kind: 'calving', note: '' }, 'manager', 'UTC', NOW);
  assert.ok(calving.ok && calving.object.note === null && calving.object.kind === 'calving');
});

test('eventErrorInWords turns the office’s codes into words', () => {
  assert.match(eventErrorInWords([{ message: 'check constraint of an insert permission has failed', extensions: { code: 'permission-error' } }]), /your role may not/);
  assert.match(eventErrorInWords([{ message: 'Foreign key violation. insert or update on table "events"', extensions: { code: 'constraint-violation' } }]), /no longer exists/);
  assert.match(eventErrorInWords([{ message: "field 'insert_events_one' not found in type: 'mutation_root'", extensions: { code: 'validation-failed' } }]), /may not add events/);
  assert.equal(eventErrorInWords([]), 'Could not save the event.');
});

test('seriesInUnits: an imperial farm charts temperatures in °F, and the baseline band follows', () => {
  const start = Date.parse('2026-11-01T00:00:00Z');
  const rows = [];
  for (let i = 0; i < 3 * 144; i++) {
    rows.push({ metric_id: 1, ts: new Date(start + i * 10 * MINUTE).toISOString(), value: 38 + (i % 3) * 0.5 });
    rows.push({ metric_id: 2, ts: new Date(start + i * 10 * MINUTE).toISOString(), value: 500 });
  }
  const stored = seriesByMetric(rows, METRICS);
  const [temperature, activity] = seriesInUnits(stored, 'imperial');
  assert.equal(temperature!.metric.unit, '°F');
  assert.equal(temperature!.metric.key, 'temperature');
  assert.deepEqual(temperature!.points.slice(0, 3).map(([, v]) => Math.round(v * 10) / 10), [100.4, 101.3, 102.2]);
  assert.equal(activity, stored[1], 'other metrics are passed through untouched');
  assert.equal(stored[0]!.metric.unit, '°C', 'the stored series is left alone');
  assert.deepEqual(seriesInUnits(stored, 'metric'), stored);

  // Median and MAD follow the change of unit: the band in °F is the °C band converted (38.5 ± 0.75 °C).
  const range = { from: start + 2 * DAY, to: start + 3 * DAY };
  const band = rollingBaseline(temperature!.points, range, { windowMs: DAY })[0]!;
  assert.ok(Math.abs(band.median - 101.3) < 1e-9, `${band.median}`);
  assert.ok(Math.abs(band.low - (37.75 * 1.8 + 32)) < 1e-9 && Math.abs(band.high - (39.25 * 1.8 + 32)) < 1e-9, `${band.low}–${band.high}`);
});

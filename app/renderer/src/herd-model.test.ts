import { assert, test } from '../../../scripts/test-api.ts';
import {
  animalLabel,
  countLabel,
  filterAnimals,
  formatAge,
  formatFarmDate,
  formatFarmTime,
  formatReadingValue,
  formatShownValue,
  hasNoReadings,
  isEmptyFarm,
  metricColumns,
  readingsByMetric,
  readingTitle,
  animalBadges,
  filterHerd,
  herdGroups,
  herdLayout,
  HERD_WIDTHS,
  herdRows,
  nextSort,
  sortHerd,
  sparklineLabel,
  sparklinePoints,
  sparklineSeries,
  HERD_QUERY,
  type Animal,
  type Metric,
} from './herd-model.ts';
import { displayUnit } from './settings-model.ts';

const METRICS: Metric[] = [
  { id: 1, key: 'temperature', name: 'Body temperature', unit: '°C' },
  { id: 2, key: 'activity', name: 'Activity', unit: 'steps/h' },
  { id: 3, key: 'rumination', name: 'Rumination', unit: 'min/h' },
  { id: 6, key: 'weight', name: 'Body weight', unit: 'kg' },
];

function animal(overrides: Partial<Animal>): Animal {
  return {
    id: 1,
    tag: null,
    official_id: null,
    name: null,
    status: 'active',
    unconfirmed: false,
    group: null,
    latest_readings: [],
    alerts: [],
    ...overrides,
  };
}

const reading = (metric_id: number, value: number, ts = '2026-11-28T07:00:00+00:00') => ({
  metric_id,
  value,
  ts,
  received_at: '2026-11-28T07:00:02+00:00',
});

test('metricColumns keeps only metrics read somewhere in the herd, in metric order', () => {
  const herd = [
    animal({ id: 1, latest_readings: [reading(3, 30)] }),
    animal({ id: 2, latest_readings: [reading(1, 38.7), reading(3, 28)] }),
    animal({ id: 3 }),
  ];
  assert.deepEqual(
    metricColumns(METRICS, herd, 'metric').map((m) => m.key),
    ['temperature', 'rumination'],
  );
  assert.deepEqual(metricColumns(METRICS, [], 'metric'), []);
  assert.deepEqual(metricColumns(METRICS, [animal({})], 'metric'), []);
});

test('metricColumns: an imperial farm reads temperatures in °F, other metrics as stored', () => {
  const herd = [animal({ latest_readings: [reading(1, 38.7), reading(3, 28)] })];
  const [temperature, rumination] = metricColumns(METRICS, herd, 'imperial');
  assert.equal(temperature!.shown.unit, '°F');
  assert.equal(formatShownValue(38.7, temperature!.shown, 'en-US'), '101.7');
  assert.equal(rumination!.shown.unit, 'min/h');
  assert.equal(formatShownValue(28.4, rumination!.shown, 'en-US'), '28');
  assert.equal(metricColumns(METRICS, herd, 'metric')[0]!.shown.unit, '°C');
  assert.equal(formatShownValue(38.7, metricColumns(METRICS, herd, 'metric')[0]!.shown, 'de-DE'), '38,7');
});

test('readingsByMetric indexes an animal’s latest readings by metric id', () => {
  const map = readingsByMetric(animal({ latest_readings: [reading(1, 38.7), reading(2, 420)] }));
  assert.equal(map.get(1)?.value, 38.7);
  assert.equal(map.get(2)?.value, 420);
  assert.equal(map.get(3), undefined);
});

test('animalLabel prefers the visual tag, falls back to the official ID', () => {
  assert.equal(animalLabel({ tag: '101', official_id: 'DE0100' }), '101');
  assert.equal(animalLabel({ tag: null, official_id: '276000123456789' }), '276000123456789');
});

test('isEmptyFarm and hasNoReadings', () => {
  assert.equal(isEmptyFarm([]), true);
  assert.equal(isEmptyFarm([animal({})]), false);
  assert.equal(hasNoReadings([animal({})]), true);
  assert.equal(hasNoReadings([animal({}), animal({ id: 2, latest_readings: [reading(1, 38.7)] })]), false);
});

test('filterAnimals matches tag, name and official ID, ignoring case and spacing', () => {
  const herd = [
    animal({ id: 1, tag: '101', name: 'Berta', official_id: 'DE 0100 1234 5678' }),
    animal({ id: 2, tag: '102', name: 'Clara' }),
    animal({ id: 3, official_id: '276000123456789' }),
  ];
  const ids = (search: string) => filterAnimals(herd, search).map((a) => a.id);
  assert.deepEqual(ids(''), [1, 2, 3]);
  assert.deepEqual(ids('   '), [1, 2, 3]);
  assert.deepEqual(ids('10'), [1, 2]);
  assert.deepEqual(ids('berta'), [1]);
  assert.deepEqual(ids('CLA'), [2]);
  assert.deepEqual(ids('de01001234'), [1]);
  assert.deepEqual(ids('276 000'), [3]);
  assert.deepEqual(ids('nobody'), []);
});

test('filterAnimals returns a new array and leaves the input alone', () => {
  const herd = [animal({ tag: '1' })];
  const result = filterAnimals(herd, '');
  assert.notEqual(result, herd);
  assert.deepEqual(result, herd);
});

test('formatReadingValue rounds per unit and hides float4 noise', () => {
  assert.equal(formatReadingValue(38.70000076293945, '°C', 'en-US'), '38.7');
  assert.equal(formatReadingValue(39, '°C', 'en-US'), '39.0');
  assert.equal(formatReadingValue(420.4, 'steps/h', 'en-US'), '420');
  assert.equal(formatReadingValue(1234, 'steps/h', 'en-US'), '1,234');
  assert.equal(formatReadingValue(31.6, 'min/h', 'en-US'), '32');
  assert.equal(formatReadingValue(612.3, 'kg', 'en-US'), '612');
  // An unknown unit keeps up to two decimals rather than guessing.
  assert.equal(formatReadingValue(1.23456, 'ppm', 'en-US'), '1.23');
  assert.equal(formatReadingValue(7, 'ppm', 'en-US'), '7');
  assert.equal(formatReadingValue(38.7, '°C', 'de-DE'), '38,7');
});

test('formatAge is coarse and says when a time stamp is ahead of this clock', () => {
  const now = Date.parse('2026-11-28T08:00:00Z');
  assert.equal(formatAge('2026-11-28T08:00:00+00:00', now), 'just now');
  assert.equal(formatAge('2026-11-28T07:59:01Z', now), 'just now');
  assert.equal(formatAge('2026-11-28T07:59:00Z', now), '1 min ago');
  assert.equal(formatAge('2026-11-28T07:57:00Z', now), '3 min ago');
  assert.equal(formatAge('2026-11-28T09:00:00+02:00', now), '1 h ago');
  assert.equal(formatAge('2026-11-27T09:00:00Z', now), '23 h ago');
  assert.equal(formatAge('2026-11-27T08:00:00Z', now), '1 day ago');
  assert.equal(formatAge('2026-11-20T08:00:00Z', now), '8 days ago');
  // A slightly fast office clock is normal; far ahead is worth saying.
  assert.equal(formatAge('2026-11-28T08:02:00Z', now), 'just now');
  assert.equal(formatAge('2026-11-28T09:00:00Z', now), 'in the future');
  assert.equal(formatAge('not a date', now), 'unknown time');
});

test('formatFarmTime shows the farm’s clock, not the viewer’s', () => {
  const iso = '2026-11-28T07:00:00+00:00';
  assert.match(formatFarmTime(iso, 'Europe/Berlin', 'en-GB'), /28 Nov 2026, 08:00:00 (CET|GMT\+1)/);
  assert.match(formatFarmTime(iso, 'America/Chicago', 'en-GB'), /28 Nov 2026, 01:00:00 (CST|GMT-6)/);
  assert.match(formatFarmTime(iso, 'UTC', 'en-GB'), /28 Nov 2026, 07:00:00 UTC/);
  assert.equal(formatFarmTime(Date.parse(iso), 'UTC', 'en-GB'), formatFarmTime(iso, 'UTC', 'en-GB'));
  // Summer time is the zone's business, not a fixed offset.
  assert.match(formatFarmTime('2026-07-01T07:00:00Z', 'Europe/Berlin', 'en-GB'), /1 Jul 2026, 09:00:00 (CEST|GMT\+2)/);
});

test('formatFarmDate gives the day on the farm’s calendar', () => {
  // 23:30 UTC is already the next day in Berlin, still the same day in Chicago.
  assert.equal(formatFarmDate('2026-11-28T23:30:00Z', 'Europe/Berlin', 'en-GB'), '29 Nov 2026');
  assert.equal(formatFarmDate('2026-11-28T23:30:00Z', 'America/Chicago', 'en-GB'), '28 Nov 2026');
  assert.equal(formatFarmDate('2026-11-28T23:30:00Z', 'Mars/Olympus_Mons', 'en-GB'), '28 Nov 2026');
  assert.equal(formatFarmDate('garbage', 'UTC'), 'garbage');
});

test('formatFarmTime falls back to UTC for an unknown zone and passes bad input through', () => {
  assert.match(formatFarmTime('2026-11-28T07:00:00Z', 'Mars/Olympus_Mons', 'en-GB'), /07:00:00 UTC/);
  assert.equal(formatFarmTime('garbage', 'UTC', 'en-GB'), 'garbage');
});

test('readingTitle gives measured and received times in the farm zone', () => {
  const title = readingTitle(
    { ts: '2026-11-28T07:00:00+00:00', received_at: '2026-11-28T07:00:02.5+00:00' },
    'Europe/Berlin',
    'en-GB',
  );
  assert.match(title, /^Measured 28 Nov 2026, 08:00:00 (CET|GMT\+1)\nReceived 28 Nov 2026, 08:00:02 (CET|GMT\+1)$/);
});

test('countLabel', () => {
  assert.equal(countLabel(0, 0), '0 animals');
  assert.equal(countLabel(1, 1), '1 animal');
  assert.equal(countLabel(12, 12), '12 animals');
  assert.equal(countLabel(3, 12), '3 of 12 animals');
});

const NOW = Date.parse('2026-11-28T08:00:00Z');

test('HERD_QUERY asks for each animal’s open alerts', () => {
  assert.match(HERD_QUERY, /alerts\(where: \{status: \{_eq: "open"\}\}\) \{ id cause \}/);
});

test('animalBadges maps ICAR ADE causes of open alerts, and flags silence and unconfirmed animals', () => {
  const fresh = [reading(1, 38.7, '2026-11-28T07:00:00Z')];
  const badges = (overrides: Partial<Animal>) => animalBadges(animal({ latest_readings: fresh, ...overrides }), NOW);
  assert.deepEqual(badges({}), []);
  assert.deepEqual(badges({ alerts: [{ id: 1, cause: 'Activity' }] }), ['in-heat']);
  assert.deepEqual(badges({ alerts: [{ id: 1, cause: 'LowerRumination' }] }), ['health']);
  assert.deepEqual(badges({ alerts: [{ id: 1, cause: 'Parturition' }] }), ['calving']);
  // Most urgent first, each once, unknown causes ignored.
  assert.deepEqual(
    badges({ alerts: [{ id: 1, cause: 'Activity' }, { id: 2, cause: 'AnimalTemperature' }, { id: 3, cause: 'AnimalTemperature' }, { id: 4, cause: 'BatteryLow' }] }),
    ['fever', 'in-heat'],
  );
  assert.deepEqual(badges({ unconfirmed: true }), ['unconfirmed']);
  // No reading in the last 24 h, or none at all.
  assert.deepEqual(badges({ latest_readings: [reading(1, 38.7, '2026-11-27T08:00:00Z')] }), []);
  assert.deepEqual(badges({ latest_readings: [reading(1, 38.7, '2026-11-27T07:59:59Z')] }), ['no-data']);
  assert.deepEqual(badges({ latest_readings: [reading(1, 38.7, '2026-11-20T00:00:00Z'), reading(2, 400, '2026-11-28T07:30:00Z')] }), []);
  assert.deepEqual(badges({ latest_readings: [], unconfirmed: true }), ['no-data', 'unconfirmed']);
});

const HERD: Animal[] = [
  animal({ id: 1, tag: '10', name: 'Berta', group: { id: 1, name: 'Dry cows' }, latest_readings: [reading(1, 38.6), reading(2, 500)] }),
  animal({ id: 2, tag: '9', name: 'Clara', group: { id: 2, name: 'Group 10' }, latest_readings: [reading(1, 39.8)], alerts: [{ id: 1, cause: 'AnimalTemperature' }] }),
  animal({ id: 3, tag: '100', name: null, group: null, latest_readings: [reading(2, 900)], alerts: [{ id: 2, cause: 'Activity' }] }),
  animal({ id: 4, official_id: 'DE 0100 1234', name: 'Alma', group: { id: 2, name: 'Group 10' }, unconfirmed: true, latest_readings: [reading(1, 38.9, '2026-11-25T00:00:00Z')] }),
];
const ids = (rows: { animal: Animal }[]) => rows.map((r) => r.animal.id);

test('filterHerd combines search, group and status', () => {
  const rows = herdRows(HERD, NOW);
  const all = { search: '', group: 'all', badge: 'all' } as const;
  assert.deepEqual(ids(filterHerd(rows, all)), [1, 2, 3, 4]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, search: 'BER' })), [1]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, search: 'de01001234' })), [4]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, search: '10' })), [1, 3, 4]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, group: 2 })), [2, 4]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, group: 'none' })), [3]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, badge: 'fever' })), [2]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, badge: 'no-data' })), [4]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, badge: 'flagged' })), [2, 3, 4]);
  assert.deepEqual(ids(filterHerd(rows, { search: 'a', group: 2, badge: 'unconfirmed' })), [4]);
  assert.deepEqual(ids(filterHerd(rows, { ...all, group: 99 })), []);
});

test('herdGroups lists the groups in use, in natural order', () => {
  assert.deepEqual(herdGroups(HERD), [
    { id: 1, name: 'Dry cows' },
    { id: 2, name: 'Group 10' },
  ]);
});

test('sortHerd: natural tag order, missing values last either way, metric by value', () => {
  const rows = herdRows(HERD, NOW);
  assert.deepEqual(ids(sortHerd(rows, { key: 'tag', direction: 'asc' })), [2, 1, 3, 4]);
  assert.deepEqual(ids(sortHerd(rows, { key: 'tag', direction: 'desc' })), [4, 3, 1, 2]);
  assert.deepEqual(ids(sortHerd(rows, { key: 'name', direction: 'asc' })), [4, 1, 2, 3]);
  assert.deepEqual(ids(sortHerd(rows, { key: 'name', direction: 'desc' })), [2, 1, 4, 3]);
  assert.deepEqual(ids(sortHerd(rows, { key: 'group', direction: 'asc' })), [1, 2, 4, 3]);
  assert.deepEqual(ids(sortHerd(rows, { key: 'metric:1', direction: 'desc' })), [2, 4, 1, 3]);
  assert.deepEqual(ids(sortHerd(rows, { key: 'metric:2', direction: 'asc' })), [1, 3, 2, 4]);
  // Status ascending: most urgent first (fever, then in heat, then no data), unflagged last.
  assert.deepEqual(ids(sortHerd(rows, { key: 'status', direction: 'asc' })), [2, 3, 4, 1]);
  assert.notEqual(sortHerd(rows, { key: 'tag', direction: 'asc' }), rows);
});

test('nextSort flips the current column and starts metrics highest first', () => {
  assert.deepEqual(nextSort({ key: 'tag', direction: 'asc' }, 'tag'), { key: 'tag', direction: 'desc' });
  assert.deepEqual(nextSort({ key: 'tag', direction: 'desc' }, 'name'), { key: 'name', direction: 'asc' });
  assert.deepEqual(nextSort({ key: 'tag', direction: 'asc' }, 'metric:3'), { key: 'metric:3', direction: 'desc' });
});

test('sparklineSeries groups per animal and averages per hour, in time order', () => {
  const series = sparklineSeries([
    { animal_id: 1, ts: '2026-11-28T06:10:00Z', value: 10 },
    { animal_id: 2, ts: '2026-11-28T06:00:00Z', value: 5 },
    { animal_id: 1, ts: '2026-11-28T05:59:00Z', value: 1 },
    { animal_id: 1, ts: '2026-11-28T06:50:00Z', value: 20 },
  ]);
  assert.deepEqual(series.get(1), [
    [Date.parse('2026-11-28T05:00:00Z'), 1],
    [Date.parse('2026-11-28T06:00:00Z'), 15],
  ]);
  assert.deepEqual(series.get(2), [[Date.parse('2026-11-28T06:00:00Z'), 5]]);
  assert.equal(series.get(3), undefined);
});

test('sparklineLabel names the metric and the values the line moves between, in the farm’s units', () => {
  const series: [number, number][] = [
    [0, 38.5],
    [1, 39.5],
    [2, 38.9],
  ];
  assert.equal(sparklineLabel('Body temperature', series, displayUnit('°C', 'metric'), 'en-US'), 'Body temperature, last 24 h: 38.5–39.5 °C');
  assert.equal(sparklineLabel('Body temperature', series, displayUnit('°C', 'imperial'), 'en-US'), 'Body temperature, last 24 h: 101.3–103.1 °F');
  assert.equal(sparklineLabel('Activity', [[0, 400.2], [1, 399.9]], displayUnit('steps/h', 'imperial'), 'en-US'), 'Activity, last 24 h: 400 steps/h');
  assert.equal(sparklineLabel('Activity', [], displayUnit('steps/h', 'metric')), 'Activity, last 24 h');
});

test('sparklinePoints scales into the box, y downwards, flat series in the middle', () => {
  assert.equal(sparklinePoints([[0, 1], [50, 3], [100, 2]], 0, 100, 100, 20, 0), '0,20 50,0 100,10');
  assert.equal(sparklinePoints([[0, 7], [100, 7]], 0, 100, 80, 20), '0,10 80,10');
  assert.equal(sparklinePoints([[0, 7]], 0, 100, 80, 20), '');
  assert.equal(sparklinePoints([], 0, 100, 80, 20), '');
});

test('the herd table on a tablet held upright: compact, no sideways scrolling, as many metrics as fit', () => {
  const metric = (id: number, key: string) => ({ id, key, name: key, unit: '°C', shown: displayUnit('°C', 'metric') });
  const two = [metric(1, 'temperature'), metric(2, 'activity')];
  const five = [...two, metric(3, 'rumination'), metric(4, 'weight'), metric(5, 'milk')];
  // Not measured yet, a desktop, or wide enough for every column: the full table.
  assert.deepEqual(herdLayout(0, two, true), { compact: false, columns: two, hidden: [] });
  assert.equal(herdLayout(1048, five, true).compact, false, 'a desktop keeps every column (a long row scrolls sideways)');
  assert.equal(herdLayout(880, two.slice(0, 1), false).compact, false, 'wide enough for the full table: 790 px');
  // An 820 px tablet upright leaves the table about 588 px: compact, the trend gone, both metrics shown.
  const tablet = herdLayout(588, two, true);
  assert.deepEqual(tablet, { compact: true, columns: two, hidden: [] });
  const w = HERD_WIDTHS;
  assert.ok(w.compactTag + w.compactStatus + tablet.columns.length * w.compactMetric <= 588);
  // More metrics than fit: the first ones, in the metrics' order; the rest named as hidden.
  const many = herdLayout(588, five, true);
  assert.deepEqual(many.columns.map((m) => m.key), ['temperature', 'activity', 'rumination']);
  assert.deepEqual(many.hidden.map((m) => m.key), ['weight', 'milk']);
  assert.ok(w.compactTag + w.compactStatus + many.columns.length * w.compactMetric <= 588);
  // A phone: still the tag, the status and one metric.
  assert.deepEqual(herdLayout(300, five, false).columns.map((m) => m.key), ['temperature']);
});

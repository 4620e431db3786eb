import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../../db/index.ts';
import { openTestDatabase } from '../../db/testing/snapshot.ts';
import { createGraphqlEngine } from '../graphql/engine.ts';
import type { Logger } from '../log.ts';
import { AlertEngine, RULES } from './alert-engine.ts';
import type { HourlyPoint } from './baselines.ts';
import { HOUR, MINUTE } from './farm-clock.ts';
import { defaultsOf } from './rules/parameters.ts';
import { activityRhythm, at, craftSeries, temperatureRhythm } from './testing/crafted-series.ts';

let db: Database;
let cleanup: () => Promise<void>;
const warnings: string[] = [];
const log: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };

before(async () => {
  ({ db, cleanup } = await openTestDatabase());
  await db.exec(`INSERT INTO groups (id, name, kind) VALUES (1, 'Lactating A', 'group'), (2, 'Barn 1', 'pen'), (3, 'Barn 2', 'pen');
    INSERT INTO animals (id, tag, group_id) SELECT i, 'DE0' || i, 1 FROM generate_series(1, 9) i;`);
});
after(() => cleanup());

const START = '2026-05-01T00:00:00Z';
const FEVER_ONSET = at('2026-05-12T10:00:00Z');
/** Fourteen days of a bolus: her rhythm, a 1.2 °C fever for 30 h from FEVER_ONSET, a drink most hours. */
const feverSeries = craftSeries(START, 14 * 24, (h) => {
  const fever = h.t >= FEVER_ONSET && h.t < FEVER_ONSET + 30 * HOUR ? 1.2 : 0;
  const max = temperatureRhythm(h.hourOfDay) + fever;
  return { n: 60, max, mean: max - 0.6, min: max - 4 };
});

async function insertHourly(animalId: number, metricId: number, points: readonly HourlyPoint[]): Promise<void> {
  await db.query(
    `INSERT INTO readings_hourly (animal_id, metric_id, hour, n, mean, min, max)
     SELECT $1, $2, h, n, mean, min, max FROM unnest($3::timestamptz[], $4::int[], $5::float8[], $6::real[], $7::real[]) AS u(h, n, mean, min, max)
     ON CONFLICT (animal_id, metric_id, hour) DO UPDATE SET n = excluded.n, mean = excluded.mean, min = excluded.min, max = excluded.max`,
    [animalId, metricId, points.map((p) => new Date(p.hour).toISOString()), points.map((p) => p.n), points.map((p) => p.mean), points.map((p) => p.min), points.map((p) => p.max)],
  );
}

/** An animal's alerts as the dashboard reads them, without ids and office-clock times. */
async function alertsOf(column: 'animal_id' | 'node_id' | 'group_id', id: number) {
  const { rows } = await db.query<{ cause: string; category: string; severity: number; status: string; reason: string; details: unknown; onset: Date; raised_at: Date; resolved_at: Date | null; note: string | null }>(
    `SELECT cause, category, severity, status, reason, details, onset, raised_at, resolved_at, note FROM alerts WHERE ${column} = $1 ORDER BY onset, cause`,
    [id],
  );
  return rows.map((r) => ({ ...r, onset: iso(r.onset), raised_at: iso(r.raised_at), resolved_at: r.resolved_at ? iso(r.resolved_at) : null }));
}
const iso = (v: unknown) => new Date(v as string).toISOString();

test('alert_rules holds every rule with the defaults and description the code declares', async () => {
  const { rows } = await db.query<{ key: string; enabled: boolean; parameters: unknown; description: string }>('SELECT * FROM alert_rules ORDER BY key');
  assert.deepEqual(
    rows.map((r) => ({ key: r.key, enabled: r.enabled, parameters: r.parameters, description: r.description })),
    [...RULES].sort((a, b) => a.key.localeCompare(b.key)).map((r) => ({ key: r.key, enabled: true, parameters: defaultsOf(r.parameters), description: r.description })),
  );
});

test('a fever replayed all at once, or lived through hour by hour, gives the same alert; re-running changes nothing', async () => {
  const engine = new AlertEngine(db, { log });
  // Cow 1: the whole history arrives at once (a 13-day replay).
  await insertHourly(1, 1, feverSeries);
  assert.deepEqual(await engine.evaluate({ animalIds: [1] }), { raised: 1, resolved: 1 });
  // Cow 2: ten days, then one hour after another as a live bolus would post them.
  const liveFrom = at('2026-05-11T00:00:00Z');
  await insertHourly(2, 1, feverSeries.filter((p) => p.hour < liveFrom));
  await engine.evaluate({ animalIds: [2] });
  for (const p of feverSeries.filter((q) => q.hour >= liveFrom)) {
    await insertHourly(2, 1, [p]);
    await engine.evaluate({ animalIds: [2], from: new Date(p.hour) });
  }
  const [fever] = await alertsOf('animal_id', 1);
  assert.deepEqual(await alertsOf('animal_id', 2), [fever]);
  assert.deepEqual(fever, {
    cause: 'AnimalTemperature',
    category: 'Health',
    severity: 2,
    status: 'resolved',
    reason: 'body temperature 40.5 °C, 1.2 °C above her 10-day baseline, for 32 h',
    details: { hours: 32, rise_c: 1.2, baseline_c: 39.3, threshold_c: 0.8, baseline_days: 10, temperature_c: 40.5 },
    onset: new Date(FEVER_ONSET).toISOString(),
    raised_at: new Date(FEVER_ONSET + 2 * HOUR).toISOString(),
    resolved_at: new Date(FEVER_ONSET + 32 * HOUR).toISOString(),
    note: 'resolved automatically: body temperature back within 0.8 °C of her baseline',
  });
  assert.deepEqual(await engine.evaluate({}), { raised: 0, resolved: 0 }, 'idempotent over all the data');
  assert.deepEqual(await engine.evaluate({ animalIds: [1, 2], from: new Date(FEVER_ONSET + 5 * HOUR) }), { raised: 0, resolved: 0 }, 'and over a window cutting the episode');
  assert.equal((await alertsOf('animal_id', 1)).length, 1);
});

test('back-filled readings arriving late move the alert to the data times they describe', async () => {
  const engine = new AlertEngine(db, { log });
  const gapFrom = at('2026-05-12T00:00:00Z');
  const gapTo = at('2026-05-13T12:00:00Z');
  await insertHourly(3, 1, feverSeries.filter((p) => p.hour < gapFrom || p.hour >= gapTo));
  await engine.evaluate({ animalIds: [3] });
  const [partial] = await alertsOf('animal_id', 3);
  assert.equal(partial!.onset, new Date(gapTo).toISOString(), 'only the end of the fever was known');
  assert.equal(partial!.status, 'resolved');
  await insertHourly(3, 1, feverSeries.filter((p) => p.hour >= gapFrom && p.hour < gapTo)); // a node flushes its buffer
  assert.deepEqual(await engine.evaluate({ animalIds: [3], from: new Date(gapFrom) }), { raised: 0, resolved: 0 });
  assert.deepEqual(await alertsOf('animal_id', 3), await alertsOf('animal_id', 1));
});

test('an acknowledged alert is still the open one; it resolves by itself when the fever has cleared', async () => {
  const engine = new AlertEngine(db, { log });
  await insertHourly(4, 1, feverSeries.filter((p) => p.hour < FEVER_ONSET + 10 * HOUR));
  assert.deepEqual(await engine.evaluate({ animalIds: [4] }), { raised: 1, resolved: 0 });
  await db.query(`UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), note = 'vet called' WHERE animal_id = 4`);
  await insertHourly(4, 1, feverSeries.filter((p) => p.hour >= FEVER_ONSET + 10 * HOUR && p.hour < FEVER_ONSET + 20 * HOUR));
  assert.deepEqual(await engine.evaluate({ animalIds: [4], from: new Date(FEVER_ONSET + 10 * HOUR) }), { raised: 0, resolved: 0 });
  const [ongoing] = await alertsOf('animal_id', 4);
  assert.equal(ongoing!.status, 'acknowledged');
  // 20 h of fever in the data; the newest hour is still filling up and not judged yet.
  assert.equal(ongoing!.reason, 'body temperature 40.5 °C, 1.2 °C above her 10-day baseline, for 19 h', 'its numbers follow the data');
  await insertHourly(4, 1, feverSeries.filter((p) => p.hour >= FEVER_ONSET + 20 * HOUR));
  assert.deepEqual(await engine.evaluate({ animalIds: [4], from: new Date(FEVER_ONSET + 20 * HOUR) }), { raised: 0, resolved: 1 });
  const [done] = await alertsOf('animal_id', 4);
  assert.equal(done!.status, 'resolved');
  assert.equal(done!.resolved_at, new Date(FEVER_ONSET + 32 * HOUR).toISOString());
  assert.equal(done!.note, 'vet called\nresolved automatically: body temperature back within 0.8 °C of her baseline');
});

test('one open alert per animal and cause, node and cause, pen and cause: the database refuses a second', async () => {
  await db.query(`INSERT INTO alerts (animal_id, category, cause, reason, onset, raised_at) VALUES (9, 'Behaviour', 'Activity', 'by hand', now(), now())`);
  await assert.rejects(
    db.query(`INSERT INTO alerts (animal_id, category, cause, status, reason, onset, raised_at) VALUES (9, 'Behaviour', 'Activity', 'acknowledged', 'again', now(), now())`),
    /alerts_one_open_per_animal/,
  );
  await db.query(`INSERT INTO alerts (animal_id, category, cause, status, reason, onset, raised_at) VALUES (9, 'Behaviour', 'Activity', 'resolved', 'old', now(), now())`);
  await db.query(`INSERT INTO alerts (group_id, category, cause, reason, onset, raised_at) VALUES (3, 'Environment', 'EnvironmentTemperature', 'by hand', now(), now())`);
  await assert.rejects(
    db.query(`INSERT INTO alerts (group_id, category, cause, reason, onset, raised_at) VALUES (3, 'Environment', 'EnvironmentTemperature', 'again', now(), now())`),
    /alerts_one_open_per_group/,
  );
  await db.query(`DELETE FROM alerts WHERE animal_id = 9 OR group_id = 3`);
});

test('a bad parameter falls back to its default with a warning in words; a switched-off rule raises nothing', async () => {
  const engine = new AlertEngine(db, { log });
  await insertHourly(5, 2, craftSeries(START, 12 * 24, (h) => activityRhythm(h.hourOfDay) * (h.i >= 11 * 24 + 8 && h.i < 11 * 24 + 16 ? 3 : 1)));
  await db.query(`UPDATE alert_rules SET enabled = false WHERE key = 'heat'`);
  assert.deepEqual(await engine.evaluate({ animalIds: [5] }), { raised: 0, resolved: 0 });
  await db.query(`UPDATE alert_rules SET enabled = true, parameters = parameters || '{"ratio": "lots"}' WHERE key = 'heat'`);
  warnings.length = 0;
  assert.deepEqual(await engine.evaluate({ animalIds: [5] }), { raised: 1, resolved: 1 });
  assert.deepEqual(warnings, ['alert rule "heat": parameter "ratio" (activity at least this many times her baseline) must be a number; got "lots"; using the default 2']);
  const [heat] = await alertsOf('animal_id', 5);
  assert.equal(heat!.cause, 'Activity');
  assert.match(heat!.reason as string, /^activity 3× her 7-day baseline for 7 h$/);
  await db.query(`UPDATE alert_rules SET parameters = parameters - 'ratio' WHERE key = 'heat'`);
});

test('the baselines table holds what her rules hold her against, per local hour', async () => {
  const { rows } = await db.query<{ metric_id: number; hour_of_day: number; median: number; days: number }>(
    'SELECT metric_id, hour_of_day, median, days FROM baselines WHERE animal_id = 1 ORDER BY metric_id, hour_of_day',
  );
  assert.equal(rows.length, 24);
  assert.deepEqual(rows[17], { metric_id: 1, hour_of_day: 17, median: 39.3, days: 10 });
});

test('heat stress: THI above 68 for hours raises an alert for the pen, resolved when the barn cools', async () => {
  const engine = new AlertEngine(db, { log });
  const hot = (h: { hourOfDay: number }) => (h.hourOfDay >= 11 && h.hourOfDay < 17 ? 28 : 18);
  const rows = [...craftSeries(START, 24, hot).map((p) => [8, p] as const), ...craftSeries(START, 24, () => 65).map((p) => [9, p] as const)];
  await db.query(
    `INSERT INTO pen_readings_hourly (group_id, metric_id, hour, n, mean, min, max)
     SELECT 2, m, h, 6, v, v, v FROM unnest($1::smallint[], $2::timestamptz[], $3::float8[]) AS u(m, h, v)`,
    [rows.map(([m]) => m), rows.map(([, p]) => new Date(p.hour).toISOString()), rows.map(([, p]) => p.mean)],
  );
  assert.deepEqual(await engine.evaluate({ groupIds: [2] }), { raised: 1, resolved: 1 });
  const [stress] = await alertsOf('group_id', 2);
  assert.equal(stress!.cause, 'EnvironmentTemperature');
  assert.equal(stress!.severity, 2);
  assert.equal(stress!.reason, 'THI 77.7 (barn 28 °C, 65 % humidity) for 6 h; heat stress from THI 68');
  assert.equal(stress!.onset, '2026-05-01T11:00:00.000Z');
});

test('silent node and low battery, on the office clock; the silence resolves at the first post after it', async () => {
  const engine = new AlertEngine(db, { log });
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO nodes (name, kind, animal_id, token_hash, last_seen_at, battery_percent, status_at)
     VALUES ('collar-6', 'collar', 6, 'x', $1, 18, $1) RETURNING id`,
    ['2026-05-01T12:00:00Z'],
  );
  const node = rows[0]!.id;
  await db.query(
    `INSERT INTO node_requests (ts, node_id, route, status, duration_ms)
     SELECT '2026-05-01T12:00:00Z'::timestamptz - i * interval '10 minutes', $1, '/v1/readings', 200, 1 FROM generate_series(0, 20) i`,
    [node],
  );
  const t = (minutes: number) => new Date(at('2026-05-01T12:00:00Z') + minutes * MINUTE);
  assert.deepEqual(await engine.checkNodes(t(29)), { raised: 1, resolved: 0 }, 'low battery only');
  assert.deepEqual(await engine.checkNodes(t(31)), { raised: 1, resolved: 0 }, 'now silent too');
  assert.deepEqual(await engine.checkNodes(t(45)), { raised: 0, resolved: 0 }, 'no duplicates');
  let alerts = await alertsOf('node_id', node);
  assert.deepEqual(alerts.map((a) => [a.cause, a.category, a.status, a.onset, a.raised_at]), [
    ['LowBattery', 'Other', 'open', '2026-05-01T12:00:00.000Z', '2026-05-01T12:00:00.000Z'],
    ['Offline', 'Other', 'open', '2026-05-01T12:00:00.000Z', '2026-05-01T12:30:00.000Z'],
  ]);
  assert.equal(alerts[1]!.reason, 'no post for 45 min; it usually posts every 10 min');
  // The node comes back at 13:05 with a fresh battery.
  await db.query(`INSERT INTO node_requests (ts, node_id, route, status, duration_ms) VALUES ('2026-05-01T13:05:00Z', $1, '/v1/readings', 200, 1)`, [node]);
  await db.query(`UPDATE nodes SET last_seen_at = '2026-05-01T13:05:00Z', status_at = '2026-05-01T13:05:00Z', battery_percent = 97 WHERE id = $1`, [node]);
  assert.deepEqual(await engine.checkNodes(t(66)), { raised: 0, resolved: 2 });
  alerts = await alertsOf('node_id', node);
  assert.deepEqual(alerts.map((a) => [a.cause, a.status, a.resolved_at, a.note]), [
    ['LowBattery', 'resolved', '2026-05-01T13:05:00.000Z', 'resolved automatically: battery at 97 %'],
    ['Offline', 'resolved', '2026-05-01T13:05:00.000Z', 'resolved automatically: the node posted again at 2026-05-01T13:05:00.000Z'],
  ]);
});

test('every role reads the rules and baselines (the vet only her groups\' animals); only the manager changes rules', async () => {
  const graphql = await createGraphqlEngine(db);
  try {
    const run = (role: string, query: string, session: Record<string, string> = {}) =>
      graphql.execute({ query, context: { role, session: { 'x-hasura-role': role, 'x-hasura-all-groups': '1', 'x-hasura-group-ids': '{}', ...session } } });
    for (const role of ['manager', 'vet', 'worker', 'viewer']) {
      const res = await run(role, '{ alert_rules(order_by: {key: asc}) { key enabled parameters } baselines_aggregate { aggregate { count } } }');
      assert.equal(res.errors, undefined, role);
      assert.equal((res.data!.alert_rules as unknown[]).length, RULES.length);
    }
    const vet = await run('vet', '{ baselines(limit: 1) { animal_id } }', { 'x-hasura-all-groups': '0', 'x-hasura-group-ids': '{2}' });
    assert.deepEqual(JSON.parse(JSON.stringify(vet.data)), { baselines: [] }, 'the vet of another group sees none of group 1');
    const update = `mutation { update_alert_rules_by_pk(pk_columns: {key: "fever"}, _set: {parameters: {riseC: 1}}) { key parameters } }`;
    assert.ok((await run('worker', update)).errors, 'a worker may not');
    const res = await run('manager', update);
    assert.equal(res.errors, undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(res.data)), { update_alert_rules_by_pk: { key: 'fever', parameters: { riseC: 1 } } });
  } finally {
    graphql.close();
  }
});

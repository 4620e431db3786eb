// The node protocol against a real office (PGlite on disk, HTTP on loopback): every route, format, limit
// and error of docs/node-protocol.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestOffice, type TestOffice } from '../main/testing/test-office.ts';
import { runCommand } from '../main/cli/commands.ts';

let office: TestOffice;
let bolus: { id: number; token: string };
const NOW = () => new Date(Date.now() - 60_000).toISOString();

before(async () => {
  office = await startTestOffice({ rateLimitPerSecond: 1000, rateLimitBurst: 100_000 });
  await office.db.exec(`INSERT INTO animals (tag, name) VALUES ('201', 'Alma')`);
  bolus = await office.addNode('bolus-201', 'bolus', ['--animal', '201']);
});
after(() => office.close());

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await office.db.query<T>(sql, params)).rows;
const count = async (table = 'readings') => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
const raw = (path: string, init: RequestInit) => fetch(`${office.ingestUrl}${path}`, init);

test('JSON object, bare array, NDJSON and CSV bodies are stored; epoch seconds and milliseconds are told apart', async () => {
  const t = Date.parse('2026-03-01T10:00:00Z');
  const obj = await office.post(bolus.token, { readings: [{ animal: '201', metric: 'temperature', ts: '2026-03-01T10:00:00Z', value: 38.6 }] });
  assert.deepEqual(obj.body, { accepted: 1, duplicates: 0, quarantined: [] });
  const arr = await office.post(bolus.token, [{ metric: 'temp', ts: t / 1000 + 600, value: 38.7 }]); // the node's animal; seconds
  assert.deepEqual(arr.body, { accepted: 1, duplicates: 0, quarantined: [] });
  const nd = await raw('/v1/readings', {
    method: 'POST',
    headers: { authorization: `Bearer ${bolus.token}`, 'content-type': 'application/x-ndjson' },
    body: `{"metric":"temperature","ts":${t + 1_200_000},"value":38.8}\n\n{"animal":"201","metric":"rumination","ts":"2026-03-01T11:00:00+01:00","value":31}\n`,
  });
  assert.deepEqual(await nd.json(), { accepted: 2, duplicates: 0, quarantined: [] });
  const csv = await raw('/v1/readings', {
    method: 'POST',
    headers: { authorization: `Bearer ${bolus.token}`, 'content-type': 'text/csv' },
    body: 'animal,metric,ts,value\n201,temperature,2026-03-01T10:30:00Z,38.9\n,activity,2026-03-01T10:30:00Z,410\n"201",rumination,1772361000000,29\n',
  });
  assert.deepEqual(await csv.json(), { accepted: 3, duplicates: 0, quarantined: [] });
  const rows = await q<{ metric: string; ts: Date; value: number }>(
    `SELECT m.key AS metric, r.ts, r.value FROM readings r JOIN metrics m ON m.id = r.metric_id JOIN animals a ON a.id = r.animal_id
      WHERE a.tag = '201' AND r.ts BETWEEN '2026-03-01T09:00Z' AND '2026-03-01T11:00Z' ORDER BY m.key, r.ts`,
  );
  assert.deepEqual(
    rows.map((r) => `${r.metric} ${r.ts.toISOString()} ${r.value}`),
    [
      'activity 2026-03-01T10:30:00.000Z 410',
      'rumination 2026-03-01T10:00:00.000Z 31',
      'rumination 2026-03-01T10:30:00.000Z 29',
      'temperature 2026-03-01T10:00:00.000Z 38.6',
      'temperature 2026-03-01T10:10:00.000Z 38.7',
      'temperature 2026-03-01T10:20:00.000Z 38.8',
      'temperature 2026-03-01T10:30:00.000Z 38.9',
    ],
  );
});

test('refused requests store nothing and say why', async () => {
  const before = await count();
  const good = { animal: '201', metric: 'temperature', ts: NOW(), value: 38.5 };
  const expectStatus = async (res: Promise<{ status: number; body: any }>, status: number, error?: RegExp, at?: string) => {
    const r = await res;
    assert.equal(r.status, status, JSON.stringify(r.body));
    if (error) assert.match(r.body.error, error);
    if (at) assert.equal(r.body.at, at);
    return r;
  };
  await expectStatus(office.post(undefined, { readings: [good] }), 401, /missing node token/);
  await expectStatus(office.post('ysn_wrong', { readings: [good] }), 401, /unknown or revoked/);
  const malformed = await expectStatus(office.post(bolus.token, '{"readings":[{"animal":"201",'), 400, /malformed JSON/);
  assert.match(malformed.body.at, /^byte \d+$/);
  await expectStatus(office.post(bolus.token, { readings: 'no' }), 400, /must be \{"readings"/);
  await expectStatus(office.post(bolus.token, { readings: [good], status: 'flat' }), 400, /"status" must be an object/);
  await expectStatus(office.post(bolus.token, 'animal,metric\n', { 'content-type': 'text/plain' }), 415, /unsupported content type/);
  await expectStatus(office.post(bolus.token, 'animal,metric,ts,value\n201,temperature,x\n', { 'content-type': 'text/csv' }), 400, /malformed CSV/);
  await expectStatus(office.post(bolus.token, 'cow,metric,value\n201,temperature,38\n', { 'content-type': 'text/csv' }), 400, /header must name/, 'line 1');
  await expectStatus(office.post(bolus.token, `${JSON.stringify(good)}\n{"metric":`, { 'content-type': 'application/x-ndjson' }), 400, /on line 2/);
  await expectStatus(office.post(bolus.token, { readings: Array.from({ length: 5001 }, () => good) }), 413, /at most 5000/);
  await expectStatus(office.post(bolus.token, { readings: [good], pad: 'x'.repeat(1024 * 1024) }), 413, /larger than 1048576 bytes/);
  const get = await raw('/v1/readings', { headers: { authorization: `Bearer ${bolus.token}` } });
  assert.equal(get.status, 405);
  assert.equal((await raw('/v2/nothing', { method: 'POST' })).status, 404);
  // A target URL cannot read (sent as it is: fetch would normalise it) is a route that does not exist, not a 500.
  const { request } = await import('node:http');
  const odd = await new Promise<number>((resolve, reject) => {
    const u = new URL(office.ingestUrl);
    request({ host: u.hostname, port: u.port, path: '//.%2F', method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(odd, 404);
  assert.equal(await count(), before, 'nothing of a refused request is stored');
});

test('items that cannot be readings are quarantined with the raw item and a reason; the rest of the batch is stored', async () => {
  const items = [
    { animal: '201', metric: 'temperature', ts: '2026-04-01T00:00:00Z', value: 38.4 },
    { animal: '201', metric: 'colour', ts: '2026-04-01T00:00:00Z', value: 1 },
    { animal: '201', metric: 'temperature', ts: '2026-04-01T00:10:00Z', value: 80 },
    { animal: '201', metric: 'temperature', ts: new Date(Date.now() + 3_600_000).toISOString(), value: 38.5 },
    { animal: '201', metric: 'temperature', ts: '2020-01-01T00:00:00Z', value: 38.5 },
    { animal: '201', metric: 'temperature', value: 'hot' },
    'just a string',
    { animal: '201', metric: 'temperature', ts: '2026-04-01 00:20', value: 38.5 },
    { animal: '201', metric: 'activity', ts: '2026-04-01T00:20:00Z', value: 300 },
  ];
  const res = await office.post(bolus.token, { readings: items });
  assert.equal(res.status, 200);
  assert.equal(res.body.accepted, 2);
  assert.equal(res.body.duplicates, 0);
  assert.deepEqual(res.body.quarantined.map((x: { index: number }) => x.index), [1, 2, 3, 4, 5, 6, 7]);
  const reasons = res.body.quarantined.map((x: { reason: string }) => x.reason);
  assert.match(reasons[0], /unknown metric "colour"/);
  assert.match(reasons[1], /outside its plausible range 30–45/);
  assert.match(reasons[2], /ahead of the office clock/);
  assert.match(reasons[3], /older than the retention window of 730 days/);
  assert.match(reasons[4], /value must be a finite number/);
  assert.match(reasons[5], /must be an object/);
  assert.match(reasons[6], /ISO 8601 with an offset/);
  const kept = await q<{ item: unknown; reason: string; item_index: number; route: string }>(
    `SELECT item, reason, item_index, route FROM quarantined_readings WHERE node_id = $1 AND item_index IN (1, 6) ORDER BY id DESC LIMIT 2`,
    [bolus.id],
  );
  assert.deepEqual(kept.map((k) => [k.item_index, k.item, k.route]).sort(), [[1, items[1], 'readings'], [6, 'just a string', 'readings']]);
});

test('an unknown animal ID creates an unconfirmed placeholder; an EID becomes the official ID', async () => {
  const res = await office.post(bolus.token, [
    { animal: '276000123456789', metric: 'temperature', ts: NOW(), value: 39.1 },
    { animal: 'NEW-7', metric: 'temperature', ts: NOW(), value: 39.0 },
  ]);
  assert.equal(res.body.accepted, 2);
  const rows = await q(`SELECT official_id, tag, unconfirmed FROM animals WHERE official_id = '276000123456789' OR tag = 'NEW-7' ORDER BY id`);
  assert.deepEqual(rows, [
    { official_id: '276000123456789', tag: null, unconfirmed: true },
    { official_id: null, tag: 'NEW-7', unconfirmed: true },
  ]);
});

test('a node in a pen stores pen readings; a node fitted to nothing must name the animal', async () => {
  const climate = await office.addNode('climate-barn', 'climate', ['--pen', 'Barn 1']);
  const res = await office.post(climate.token, [
    { metric: 'ambient_temperature', ts: '2026-04-02T12:00:00Z', value: 24.5 },
    { metric: 'rh', ts: '2026-04-02T12:00:00Z', value: 71 },
  ]);
  assert.deepEqual(res.body, { accepted: 2, duplicates: 0, quarantined: [] });
  assert.deepEqual(await q(`SELECT g.name, g.kind, count(*)::int AS n FROM pen_readings p JOIN groups g ON g.id = p.group_id GROUP BY g.name, g.kind`), [
    { name: 'Barn 1', kind: 'pen', n: 2 },
  ]);
  const loose = await office.addNode('loose', 'ear_tag');
  const r2 = await office.post(loose.token, [{ metric: 'temperature', value: 38.5 }]);
  assert.match(r2.body.quarantined[0].reason, /fitted to no animal or pen/);
});

test('node status from the body and from X-Node-* headers; per-node counters', async () => {
  const collar = await office.addNode('collar-status', 'collar', ['--animal', '201']);
  const ts = NOW();
  await office.post(collar.token, { readings: [{ metric: 'activity', ts, value: 200 }], status: { battery: 3.61, rssi: -71, firmware: '1.4.2' } });
  let [n] = await q<any>('SELECT battery_volts, battery_percent, rssi, firmware, accepted_count, last_ip FROM nodes WHERE id = $1', [collar.id]);
  assert.deepEqual({ ...n, battery_volts: Number(n.battery_volts.toFixed(2)) }, { battery_volts: 3.61, battery_percent: null, rssi: -71, firmware: '1.4.2', accepted_count: 1, last_ip: '127.0.0.1' });
  await office.post(collar.token, [{ metric: 'activity', ts, value: 200 }], { 'x-node-battery': '87%', 'x-node-rssi': '-65', 'x-node-firmware': '1.5.0' });
  [n] = await q<any>('SELECT battery_percent, rssi, firmware, accepted_count, duplicate_count FROM nodes WHERE id = $1', [collar.id]);
  assert.deepEqual(n, { battery_percent: 87, rssi: -65, firmware: '1.5.0', accepted_count: 1, duplicate_count: 1 });
});

test('resending stores nothing twice; Idempotency-Key replays the answer, or refuses another body with 422', async () => {
  const body = { readings: [{ animal: '201', metric: 'temperature', ts: '2026-04-03T08:00:00Z', value: 38.3 }, { animal: '201', metric: 'temperature', ts: '2026-04-03T08:00:00Z', value: 38.3 }] };
  const first = await office.post(bolus.token, body);
  assert.deepEqual(first.body, { accepted: 1, duplicates: 1, quarantined: [] }, 'the same reading twice in one batch is one duplicate');
  const again = await office.post(bolus.token, body);
  assert.deepEqual(again.body, { accepted: 0, duplicates: 2, quarantined: [] });

  const keyed = { readings: [{ animal: '201', metric: 'temperature', ts: '2026-04-03T09:00:00Z', value: 38.2 }] };
  const headers = { 'idempotency-key': 'batch-0001' };
  const [a, b] = await Promise.all([office.post(bolus.token, keyed, headers), office.post(bolus.token, keyed, headers)]);
  assert.deepEqual(a.body, { accepted: 1, duplicates: 0, quarantined: [] });
  assert.deepEqual(b.body, a.body, 'a concurrent retry with the same key gets the same answer');
  const later = await office.post(bolus.token, keyed, headers);
  assert.deepEqual(later.body, a.body, 'a later retry gets the stored answer, not "duplicates: 1"');
  const other = await office.post(bolus.token, { readings: [{ ...keyed.readings[0], value: 40 }] }, headers);
  assert.equal(other.status, 422);
  assert.equal((await q(`SELECT value FROM readings WHERE ts = '2026-04-03T09:00:00Z'`)).length, 1);
});

test('group commit: concurrent single-reading posts are written in fewer transactions than requests', async () => {
  const before = { ...office.ingestStats };
  const base = Date.parse('2026-04-04T00:00:00Z');
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => office.post(bolus.token, [{ metric: 'activity', ts: base + i * 60_000, value: i }])),
  );
  assert.ok(results.every((r) => r.status === 200 && r.body.accepted === 1));
  const requests = office.ingestStats.requests - before.requests;
  const flushes = office.ingestStats.flushes - before.flushes;
  assert.equal(requests, 200);
  assert.ok(flushes < requests / 2, `200 requests took ${flushes} transactions`);
});

test('health and time answer without a token', async () => {
  const health = (await (await raw('/v1/health', {})).json()) as Record<string, string>;
  assert.deepEqual({ status: health.status, database: health.database }, { status: 'ok', database: 'ok' });
  assert.match(health.version!, /^\d+\.\d+\.\d+/);
  const time = (await (await raw('/v1/time', {})).json()) as { now: number };
  assert.ok(Math.abs(time.now - Date.now()) < 5000);
});

test('ThingsBoard device API: telemetry in its three shapes, attributes as node status, its status codes', async () => {
  const tb = await office.addNode('tb-collar', 'collar', ['--animal', '201']);
  const post = (path: string, body: string) => raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  // The bodies exactly as ThingsBoard's HTTP API documentation shows them (keys mapped to metrics by alias).
  const flat = await post(`/api/v1/${tb.token}/telemetry`, '{"temperature":38.9,"activity":73}');
  assert.equal(flat.status, 200);
  assert.equal(await flat.text(), '');
  assert.equal((await post(`/api/v1/${tb.token}/telemetry`, '{"ts":1775000000512,"values":{"temperature":38.4,"activity":42}}')).status, 200);
  assert.equal((await post(`/api/v1/${tb.token}/telemetry`, '[{"ts":1775000060000,"values":{"temperature":38.5}},{"ts":1775000120000,"values":{"temperature":38.6}}]')).status, 200);
  assert.equal((await post(`/api/v1/${tb.token}/attributes`, '{"firmware_version":"2.0.1","battery":91,"rssi":-60,"location":"barn"}')).status, 200);
  assert.equal((await post('/api/v1/wrong-token/telemetry', '{"temperature":1}')).status, 401);
  assert.equal((await post(`/api/v1/${tb.token}/telemetry`, '{"temperature":')).status, 400);
  const [n] = await q<any>('SELECT accepted_count, firmware, battery_percent, rssi FROM nodes WHERE id = $1', [tb.id]);
  assert.deepEqual(n, { accepted_count: 6, firmware: '2.0.1', battery_percent: 91, rssi: -60 });
  assert.ok((await q(`SELECT 1 FROM readings WHERE node_id = $1 AND ts = to_timestamp(1775000000.512)`, [tb.id])).length === 2);
});

test('farmOS data stream and legacy sensor listener bodies; "value" is the node\'s metric; a wrong key is 403', async () => {
  const sensor = await office.addNode('farmos-bolus', 'bolus', ['--animal', '201', '--metric', 'temperature']);
  const post = (path: string, body: string) => raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const stream = await post(`/api/data_stream/${sensor.id}/data?private_key=${sensor.token}`, '{"timestamp":1775100000,"value":38.7}');
  assert.equal(stream.status, 201);
  const listener = await post(`/farm/sensor/listener/${sensor.id}?private_key=${sensor.token}`, '[{"timestamp":1775100600,"value":38.8,"rumination":30},{"value":38.9}]');
  assert.equal(listener.status, 200);
  assert.equal((await post(`/farm/sensor/listener/${sensor.id}?private_key=wrong`, '{"value":1}')).status, 403);
  assert.equal((await post(`/farm/sensor/listener/${sensor.id + 1}?private_key=${sensor.token}`, '{"value":1}')).status, 403);
  const rows = await q<{ key: string; value: number }>(`SELECT m.key, r.value FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE r.node_id = $1 ORDER BY r.ts, m.key`, [sensor.id]);
  assert.deepEqual(rows.map((r) => `${r.key}=${r.value}`), ['temperature=38.7', 'rumination=30', 'temperature=38.8', 'temperature=38.9']);
});

test('the request log records accepted and refused requests; rotate and revoke stop old tokens', async () => {
  const node = await office.addNode('rotating', 'collar', ['--animal', '201']);
  await office.post(node.token, [{ metric: 'activity', ts: NOW(), value: 1 }]);
  const ctx = { db: office.db, readFile: async () => '', onChange: (w: string) => office.events.emit('change', w) };
  const rotated = await runCommand(ctx, ['node', 'rotate', 'rotating', '--json']);
  const { token } = JSON.parse(rotated.stdout);
  assert.equal((await office.post(node.token, [{ metric: 'activity', value: 1 }])).status, 401, 'the old token stops at once');
  assert.equal((await office.post(token, [{ metric: 'activity', ts: NOW(), value: 2 }])).status, 200);
  await runCommand(ctx, ['node', 'revoke', String(node.id)]);
  assert.equal((await office.post(token, [{ metric: 'activity', value: 3 }])).status, 401);
  await new Promise((r) => setTimeout(r, 1200)); // refused requests are logged within a second
  const log = await runCommand(ctx, ['node', 'log', 'rotating', '--json']);
  const entries = JSON.parse(log.stdout) as { status: number; accepted: number; route: string; duration_ms: number; ip: string }[];
  assert.deepEqual(entries.map((e) => [e.status, e.accepted]).reverse(), [[200, 1], [200, 1]]);
  assert.ok(entries.every((e) => e.route === 'readings' && e.ip === '127.0.0.1' && e.duration_ms >= 0));
  const refused = await q<{ n: number }>(`SELECT count(*)::int AS n FROM node_requests WHERE status = 401 AND node_id IS NULL`);
  assert.ok(refused[0]!.n >= 2);
});

test('the journal holds acknowledged readings until a durable checkpoint covers them', async () => {
  const dir = join(office.dataDir, 'journal');
  await office.post(bolus.token, [{ metric: 'activity', ts: '2026-04-05T00:00:00Z', value: 5 }]);
  const text = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  assert.ok(text.includes(String(Date.parse('2026-04-05T00:00:00Z'))), 'the reading is in the journal');
  await office.maintain();
  assert.deepEqual(readdirSync(dir), [], 'covered segments are dropped after the checkpoint');
  await office.post(bolus.token, [{ metric: 'activity', ts: '2026-04-05T00:10:00Z', value: 6 }]);
  assert.equal(readdirSync(dir).length, 1, 'a new segment takes the next batches');
});

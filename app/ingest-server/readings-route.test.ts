import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOffice, type TestOffice } from '../main/testing/test-office.ts';

let office: TestOffice;
let token: string;
before(async () => {
  office = await startTestOffice();
  token = (await office.addNode('bolus-1', 'bolus')).token;
});
after(() => office.close());

const count = async (sql = 'SELECT count(*)::int AS n FROM readings') => (await office.db.query<{ n: number }>(sql)).rows[0]!.n;

test('a batch is stored and answered with counts; a resent batch is all duplicates', async () => {
  await office.db.query(`INSERT INTO animals (tag, name) VALUES ('201', 'Alma')`);
  const body = {
    readings: [
      { animal: '201', metric: 'temperature', ts: '2026-01-05T06:00:00Z', value: 38.7 },
      { animal: '201', metric: 'temp', ts: '2026-01-05T06:10:00+01:00', value: 38.8 },
      { animal: '201', metric: 'activity', ts: 1767592800, value: 400 }, // epoch seconds
      { animal: '201', metric: 'activity', ts: 1767593400000, value: 450 }, // epoch milliseconds
    ],
  };
  const first = await office.post(token, body);
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, { accepted: 4, duplicates: 0, quarantined: [] });
  const again = await office.post(token, body);
  assert.deepEqual(again.body, { accepted: 0, duplicates: 4, quarantined: [] });
  const { rows } = await office.db.query<{ ts: Date; value: number }>(
    `SELECT r.ts, r.value FROM readings r JOIN animals a ON a.id = r.animal_id JOIN metrics m ON m.id = r.metric_id
      WHERE a.tag = '201' AND m.key = 'activity' ORDER BY r.ts`,
  );
  assert.deepEqual(rows.map((r) => r.ts.toISOString()), ['2026-01-05T06:00:00.000Z', '2026-01-05T06:10:00.000Z']);
  const temps = await office.db.query<{ ts: Date }>(
    `SELECT ts FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE m.key = 'temperature' ORDER BY ts`,
  );
  assert.deepEqual(temps.rows.map((r) => r.ts.toISOString()), ['2026-01-05T05:10:00.000Z', '2026-01-05T06:00:00.000Z']);
});

test('an unknown animal ID creates an unconfirmed placeholder and keeps the reading', async () => {
  const res = await office.post(token, [{ animal: '276000123456789', metric: 'temperature', ts: '2026-01-05T07:00:00Z', value: 39.1 }]);
  assert.equal(res.status, 200);
  assert.equal(res.body.accepted, 1);
  const { rows } = await office.db.query<{ official_id: string; unconfirmed: boolean }>(
    `SELECT official_id, unconfirmed FROM animals WHERE official_id = '276000123456789'`,
  );
  assert.deepEqual(rows, [{ official_id: '276000123456789', unconfirmed: true }]);
});

test('refused requests store nothing: wrong token 401, malformed body 400 with position, bad item 400', async () => {
  const before = await count();
  const good = { animal: '201', metric: 'temperature', ts: '2026-01-06T06:00:00Z', value: 38.5 };
  const noToken = await office.post(undefined, { readings: [good] });
  assert.equal(noToken.status, 401);
  const wrong = await office.post('ysn_wrong', { readings: [good] });
  assert.equal(wrong.status, 401);
  const malformed = await office.post(token, '{"readings":[{"animal":"201",');
  assert.equal(malformed.status, 400);
  assert.match(malformed.body.error, /malformed JSON/);
  assert.ok(malformed.body.at, 'the position of the fault is given');
  const badValue = await office.post(token, { readings: [good, { animal: '201', metric: 'temperature', value: 'hot' }] });
  assert.equal(badValue.status, 400);
  assert.equal(badValue.body.at, '/readings/1');
  const unknownMetric = await office.post(token, { readings: [good, { animal: '201', metric: 'colour', value: 1 }] });
  assert.equal(unknownMetric.status, 400);
  assert.equal(unknownMetric.body.at, '/readings/1/metric');
  const implausible = await office.post(token, { readings: [good, { animal: '201', metric: 'temperature', value: 80 }] });
  assert.equal(implausible.status, 400);
  assert.match(implausible.body.error, /plausible range/);
  const notJson = await office.post(token, 'animal,metric\n', { 'content-type': 'text/plain' });
  assert.equal(notJson.status, 415);
  const tooMany = await office.post(token, { readings: Array.from({ length: 5001 }, () => good) });
  assert.equal(tooMany.status, 413);
  assert.equal(await count(), before, 'nothing of a refused request is stored');
});

test('the newest reading per animal and metric is kept for the herd page, and older back-fill does not replace it', async () => {
  await office.post(token, [{ animal: '301', metric: 'temperature', ts: '2026-01-07T10:00:00Z', value: 38.9 }]);
  await office.post(token, [{ animal: '301', metric: 'temperature', ts: '2026-01-07T08:00:00Z', value: 38.1 }]);
  const { rows } = await office.db.query<{ value: number; ts: Date }>(
    `SELECT l.value, l.ts FROM latest_readings l JOIN animals a ON a.id = l.animal_id WHERE a.tag = '301'`,
  );
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.value, 38.9);
});

test('health and time routes answer without a token', async () => {
  const health = (await (await fetch(`${office.ingestUrl}/v1/health`)).json()) as { status: string; database: string };
  assert.equal(health.status, 'ok');
  assert.equal(health.database, 'ok');
  const time = (await (await fetch(`${office.ingestUrl}/v1/time`)).json()) as { now: number };
  assert.ok(Math.abs(time.now - Date.now()) < 5000);
});

// Silent nodes on data time: gaps in a node's own readings raise the alert the office-clock check raises for
// the same silence, whether the readings arrive at once (a replay, a flushed buffer) or hour by hour.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../../db/index.ts';
import { openTestDatabase } from '../../db/testing/snapshot.ts';
import type { Logger } from '../log.ts';
import { AlertEngine } from './alert-engine.ts';
import { HOUR, MINUTE } from './farm-clock.ts';

let db: Database;
let cleanup: () => Promise<void>;
const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const ACTIVITY = 2;

before(async () => {
  ({ db, cleanup } = await openTestDatabase());
  await db.exec(`INSERT INTO groups (id, name, kind) VALUES (1, 'Lactating A', 'group');
    INSERT INTO animals (id, tag, group_id) SELECT i, 'DE0' || i, 1 FROM generate_series(1, 9) i;`);
});
after(() => cleanup());

const T0 = Date.parse('2026-05-01T00:00:00Z');
const GAP_FROM = Date.parse('2026-05-01T12:00:00Z');
/** Every 10 min for two days, but none between GAP_FROM and GAP_FROM + `gapMinutes`. */
const withGap = (gapMinutes: number) => {
  const out: number[] = [];
  for (let t = T0; t < T0 + 48 * HOUR; t += 10 * MINUTE) if (t <= GAP_FROM || t >= GAP_FROM + gapMinutes * MINUTE) out.push(t);
  if (!out.includes(GAP_FROM + gapMinutes * MINUTE)) out.push(GAP_FROM + gapMinutes * MINUTE);
  return out.sort((a, b) => a - b);
};

async function addNode(animalId: number): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO nodes (name, kind, animal_id, token_hash) VALUES ($1, 'collar', $2, $1) RETURNING id`,
    [`collar-${animalId}`, animalId],
  );
  return rows[0]!.id;
}

/** Readings as the ingest path stores them (readings and latest_readings); the node's posts on the office clock. */
async function post(node: number, animalId: number, times: readonly number[], postedAt?: number): Promise<void> {
  if (times.length === 0) return;
  await db.query(
    `INSERT INTO readings (ts, animal_id, node_id, value, metric_id) SELECT t, $2, $1, 100, $3 FROM unnest($4::timestamptz[]) t`,
    [node, animalId, ACTIVITY, times.map((t) => new Date(t).toISOString())],
  );
  const last = new Date(Math.max(...times)).toISOString();
  await db.query(
    `INSERT INTO latest_readings (animal_id, metric_id, node_id, ts, value, received_at) VALUES ($1, $2, $3, $4, 100, now())
     ON CONFLICT (animal_id, metric_id) DO UPDATE SET ts = excluded.ts, node_id = excluded.node_id WHERE latest_readings.ts < excluded.ts`,
    [animalId, ACTIVITY, node, last],
  );
  if (postedAt !== undefined) {
    await db.query(`INSERT INTO node_requests (ts, node_id, route, status, duration_ms) VALUES ($2, $1, '/v1/readings', 200, 1)`, [node, new Date(postedAt).toISOString()]);
    await db.query(`UPDATE nodes SET last_seen_at = $2 WHERE id = $1`, [node, new Date(postedAt).toISOString()]);
  }
}

async function silences(node: number) {
  const { rows } = await db.query<{ cause: string; severity: number; status: string; reason: string; details: unknown; onset: Date; raised_at: Date; resolved_at: Date | null; note: string | null }>(
    `SELECT cause, severity, status, reason, details, onset, raised_at, resolved_at, note FROM alerts WHERE node_id = $1 ORDER BY onset`,
    [node],
  );
  return rows.map((r) => ({ ...r, onset: iso(r.onset), raised_at: iso(r.raised_at), resolved_at: r.resolved_at ? iso(r.resolved_at) : null }));
}
const iso = (v: Date | number) => new Date(v).toISOString();

let replayed: Awaited<ReturnType<typeof silences>>;

test('a gap in the past, replayed at once: onset its last reading, raised at onset + threshold, resolved at the next', async () => {
  const engine = new AlertEngine(db, { log });
  const node = await addNode(1);
  await post(node, 1, withGap(5 * 60));
  assert.deepEqual(await engine.evaluate({ animalIds: [1] }), { raised: 1, resolved: 1 });
  replayed = await silences(node);
  assert.deepEqual(replayed, [
    {
      cause: 'Offline',
      severity: 2,
      status: 'resolved',
      reason: 'no reading for 5 h; it usually sends one every 10 min',
      details: {
        last_reading: iso(GAP_FROM),
        readings_resumed: iso(GAP_FROM + 5 * HOUR),
        silent_minutes: 300,
        usual_interval_minutes: 10,
        threshold_minutes: 30,
      },
      onset: iso(GAP_FROM),
      raised_at: iso(GAP_FROM + 30 * MINUTE),
      resolved_at: iso(GAP_FROM + 5 * HOUR),
      note: `resolved automatically: the node's readings resumed at ${iso(GAP_FROM + 5 * HOUR)}`,
    },
  ]);
  assert.deepEqual(await engine.evaluate({ animalIds: [1] }), { raised: 0, resolved: 0 }, 'idempotent');
  assert.deepEqual(await engine.evaluate({ animalIds: [1], from: new Date(GAP_FROM + 5 * HOUR) }), { raised: 0, resolved: 0 }, 'and over a later window');
  assert.deepEqual(await engine.checkNodes(new Date(T0 + 48 * HOUR)), { raised: 0, resolved: 0 }, 'the office-clock check neither');
  assert.equal((await silences(node)).length, 1);
});

test('a gap just below the threshold raises nothing; one at the threshold does', async () => {
  const engine = new AlertEngine(db, { log });
  const below = await addNode(2);
  await post(below, 2, withGap(29));
  const at = await addNode(3);
  await post(at, 3, withGap(30));
  assert.deepEqual(await engine.evaluate({ animalIds: [2, 3] }), { raised: 1, resolved: 1 });
  assert.deepEqual(await silences(below), []);
  assert.deepEqual((await silences(at)).map((a) => [a.onset, a.raised_at, a.resolved_at]), [[iso(GAP_FROM), iso(GAP_FROM + 30 * MINUTE), iso(GAP_FROM + 30 * MINUTE)]]);
});

test('the same readings posted hour by hour give identical alert rows', async () => {
  const engine = new AlertEngine(db, { log });
  const node = await addNode(4);
  const times = withGap(5 * 60);
  for (let h = T0; h < T0 + 48 * HOUR; h += HOUR) {
    const batch = times.filter((t) => t >= h && t < h + HOUR);
    await post(node, 4, batch, h + HOUR);
    await engine.evaluate({ animalIds: [4], from: new Date(h) });
    await engine.checkNodes(new Date(h + HOUR + 1000));
  }
  assert.deepEqual(await silences(node), replayed);
});

test('a node silent at the end of its data: the live check raises it, the data path agrees, no duplicate', async () => {
  const engine = new AlertEngine(db, { log });
  const node = await addNode(5);
  const times = withGap(5 * 60);
  // Live: a reading posted every 10 min until 12:00, then nothing.
  for (const t of times.filter((x) => x <= GAP_FROM)) await post(node, 5, [t], t);
  await engine.evaluate({ animalIds: [5] });
  assert.deepEqual(await engine.checkNodes(new Date(GAP_FROM + 29 * MINUTE)), { raised: 0, resolved: 0 });
  assert.deepEqual(await engine.checkNodes(new Date(GAP_FROM + 45 * MINUTE)), { raised: 1, resolved: 0 });
  assert.deepEqual(await engine.evaluate({ animalIds: [5], from: new Date(GAP_FROM) }), { raised: 0, resolved: 0 }, 'the data path leaves it be');
  assert.deepEqual(await engine.checkNodes(new Date(GAP_FROM + 3 * HOUR)), { raised: 0, resolved: 0 }, 'no duplicate');
  const [open] = await silences(node);
  assert.deepEqual([open!.status, open!.onset, open!.raised_at, open!.reason], ['open', iso(GAP_FROM), iso(GAP_FROM + 30 * MINUTE), 'no reading for 3 h; it usually sends one every 10 min']);
  // The node comes back at 17:00 and delivers the rest; the data path resolves it as the replay did.
  await post(node, 5, times.filter((t) => t > GAP_FROM), T0 + 48 * HOUR);
  assert.deepEqual(await engine.evaluate({ animalIds: [5], from: new Date(GAP_FROM + 5 * HOUR) }), { raised: 0, resolved: 1 });
  assert.deepEqual(await engine.checkNodes(new Date(T0 + 48 * HOUR)), { raised: 0, resolved: 0 });
  assert.deepEqual(await silences(node), replayed);
});

test('the live check resolves it the same way when it sees the readings first', async () => {
  const engine = new AlertEngine(db, { log });
  const node = await addNode(6);
  const times = withGap(5 * 60);
  await post(node, 6, times.filter((t) => t <= GAP_FROM), GAP_FROM);
  assert.deepEqual(await engine.checkNodes(new Date(GAP_FROM + HOUR)), { raised: 1, resolved: 0 });
  await post(node, 6, times.filter((t) => t > GAP_FROM), T0 + 48 * HOUR);
  assert.deepEqual(await engine.checkNodes(new Date(T0 + 48 * HOUR)), { raised: 0, resolved: 1 });
  assert.deepEqual(await engine.evaluate({ animalIds: [6] }), { raised: 0, resolved: 0 });
  assert.deepEqual(await silences(node), replayed);
});

test('a node delivering old readings (a replay, a flushed buffer) is not silent while it posts', async () => {
  const engine = new AlertEngine(db, { log });
  const node = await addNode(7);
  const now = T0 + 10 * 24 * HOUR;
  // Day one arrives in batches a few seconds apart, ten days late on the office clock.
  const times = withGap(5 * 60).filter((t) => t < GAP_FROM - HOUR);
  for (let i = 0; i < 6; i++) await post(node, 7, times.filter((_, k) => k % 6 === i), now - (6 - i) * 5000);
  await engine.checkNodes(new Date(now));
  assert.deepEqual(await silences(node), []);
  // Once it has stopped posting (three of its posting intervals) its last reading's silence is raised.
  await engine.checkNodes(new Date(now + 15_000));
  assert.deepEqual((await silences(node)).map((a) => [a.status, a.onset, a.raised_at]), [['open', iso(times.at(-1)!), iso(times.at(-1)! + 30 * MINUTE)]]);
});

// The writer's two ways of storing readings — COPY for batches of new readings, INSERT … ON CONFLICT once a
// duplicate turns up — must leave the same rows and give the nodes the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Queryable } from '../db/index.ts';
import { openTestDatabase } from '../db/testing/snapshot.ts';
import { createLogger } from '../main/log.ts';
import { IngestWriter, type IngestJob } from './ingest-writer.ts';
import type { NodeRecord } from './node-registry.ts';

/** The same database, but its transactions cannot COPY (as with a PostgreSQL server). */
function withoutCopy(db: Database): Database {
  const hide = (tx: Queryable): Queryable => ({ query: tx.query.bind(tx), queryText: tx.queryText.bind(tx), exec: tx.exec.bind(tx), execResults: tx.execResults.bind(tx) });
  return Object.assign(Object.create(db) as Database, { transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(hide(tx))) });
}

/** A seeded random generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function nodes(db: Database): Promise<NodeRecord[]> {
  await db.exec(`INSERT INTO nodes (name, kind, token_hash) SELECT 'n' || g, 'gateway', md5(g::text) FROM generate_series(1, 3) g`);
  const { rows } = await db.query<{ id: number }>('SELECT id FROM nodes ORDER BY id');
  return rows.map((r) => ({ id: r.id, name: `n${r.id}`, kind: 'gateway', animal_id: null, group_id: null, metric_id: null }));
}

/** Rounds of concurrent batches; every eighth re-sends part of an earlier batch; some repeat an item within a batch. */
function rounds(seed: number, list: NodeRecord[]): IngestJob[][] {
  const random = rng(seed);
  const keyed = rng(seed + 1); // its own sequence: which jobs carry an Idempotency-Key leaves the readings as they were
  const base = Date.UTC(2026, 10, 20);
  const sent: IngestJob[] = [];
  const out: IngestJob[][] = [];
  for (let round = 0; round < 40; round++) {
    const jobs = list.map((node): IngestJob => {
      const resend = round % 8 === 7 ? sent[Math.floor(random() * sent.length)] : undefined;
      const items: unknown[] = resend && resend.node.id === node.id ? resend.items.filter(() => random() < 0.6) : [];
      const fresh = 1 + Math.floor(random() * 60);
      for (let i = 0; i < fresh; i++) {
        items.push({ animal: `T${Math.floor(random() * 12)}`, metric: ['temperature', 'activity', 'rumination'][Math.floor(random() * 3)], ts: base + Math.floor(random() * 500) * 60_000, value: 38 + Math.round(random() * 100) / 100 });
      }
      if (random() < 0.2) items.push(items[0]);
      const idempotency = keyed() < 0.3 ? { key: `k${round}-${node.id}`, bodySha256: `sha-${round}-${node.id}` } : undefined;
      return { node, route: '/v1/readings', ip: '127.0.0.1', receivedAt: new Date(base + 86_400_000), items, started: 0, idempotency };
    });
    sent.push(...jobs);
    out.push(jobs);
  }
  return out;
}

async function run(db: Database, seed: number): Promise<{ answers: unknown[]; readings: unknown[]; latest: unknown[]; counters: unknown[]; copies: number }> {
  const list = await nodes(db);
  const writer = new IngestWriter(db, { log: createLogger('test', 'error'), retentionDays: 730, futureToleranceMs: 300_000 });
  const answers: unknown[] = [];
  for (const jobs of rounds(seed, list)) answers.push(await Promise.all(jobs.map((j) => writer.submit({ ...j, receivedAt: new Date(Date.UTC(2026, 10, 21)) }))));
  await writer.close();
  const { rows: readings } = await db.query('SELECT a.tag, metric_id, ts, node_id, value FROM readings JOIN animals a ON a.id = animal_id ORDER BY 1, 2, 3, 4');
  const { rows: latest } = await db.query('SELECT a.tag, metric_id, ts, node_id, value FROM latest_readings JOIN animals a ON a.id = animal_id ORDER BY 1, 2');
  // What follows the readings in a flush (sent behind a COPY on the assumption that all is new, and sent again
  // with the counts when the COPY met a duplicate): the nodes' counters, the request log, the idempotency keys.
  const { rows: counters } = await db.query(
    `SELECT n.id, n.accepted_count, n.duplicate_count,
            (SELECT json_agg(json_build_array(r.accepted, r.duplicates) ORDER BY r.id) FROM node_requests r WHERE r.node_id = n.id) AS log,
            (SELECT json_agg(json_build_array(k.key, k.response) ORDER BY k.key) FROM office.idempotency_keys k WHERE k.node_id = n.id) AS keys
       FROM nodes n ORDER BY n.id`,
  );
  return { answers, readings, latest, counters, copies: writer.stats.copies };
}

test('COPY and INSERT … ON CONFLICT store the same readings and give the same answers, duplicates included', async () => {
  const a = await openTestDatabase();
  const b = await openTestDatabase();
  try {
    const copied = await run(a.db, 7);
    const inserted = await run(withoutCopy(b.db), 7);
    assert.ok(copied.copies > 5 && copied.copies < 40, `both ways were taken (${copied.copies} of 40 flushes by COPY)`);
    assert.equal(inserted.copies, 0);
    assert.ok(copied.readings.length > 1000, `enough readings to compare (${copied.readings.length})`);
    const duplicates = (inserted.answers.flat() as { duplicates: number }[]).reduce((n, r) => n + r.duplicates, 0);
    assert.ok(duplicates > 100, `re-sent readings are reported as duplicates (${duplicates})`);
    assert.deepEqual(copied.answers, inserted.answers);
    assert.deepEqual(copied.readings, inserted.readings);
    assert.deepEqual(copied.latest, inserted.latest);
    assert.deepEqual(copied.counters, inserted.counters, 'node counters, request log and idempotency keys');
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test('node counters and the request log: deferred while nodes keep posting, complete when they pause, at once for a lone post', async () => {
  const { db, cleanup } = await openTestDatabase();
  try {
    const list = await nodes(db);
    // Nodes keep posting: every transaction the writer opens sees ten more requests arrive while it runs (sent
    // from inside it, so on any machine, however loaded), and holds the database 20 ms longer. The counters
    // may wait a minute, so only the first flush and the last (idle) one write them.
    const answers: Promise<unknown>[] = [];
    let sent = 0;
    const feed = (n: number) => {
      for (let k = 0; k < n && sent < 300; k++, sent++) answers.push(writer.submit(job(list[sent % 3]!, sent, sent)));
    };
    const slow = Object.assign(Object.create(db) as Database, {
      transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
        db.transaction(async (tx) => {
          feed(10);
          const result = await fn(tx);
          await new Promise((r) => setTimeout(r, 20));
          return result;
        }),
    });
    const writer = new IngestWriter(slow, { log: createLogger('test', 'error'), retentionDays: 730, futureToleranceMs: 300_000, nodeUpkeepMs: 60_000 });
    const counts = async () =>
      (await db.query<{ id: number; accepted_count: number; status_at: Date | null; battery_percent: number | null; logged: number }>(
        `SELECT n.id, n.accepted_count::int, n.status_at, n.battery_percent, (SELECT count(*)::int FROM node_requests r WHERE r.node_id = n.id) AS logged FROM nodes n ORDER BY n.id`,
      )).rows;
    const job = (node: NodeRecord, i: number, battery?: number): IngestJob => ({
      node,
      route: '/v1/readings',
      ip: '127.0.0.1',
      receivedAt: new Date(),
      items: [{ animal: `B${node.id}`, metric: 'temperature', ts: Date.now() - 3_600_000 + i * 1000, value: 38.5 }],
      started: performance.now(),
      ...(battery === undefined ? {} : { status: { batteryPercent: battery } }),
    });
    // A burst: the first two requests start it, and the rest arrive while flushes run.
    feed(2);
    while (sent < 300) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(answers);
    const { flushes, upkeeps } = writer.stats;
    assert.ok(flushes >= 6, `the burst took several flushes (${flushes})`);
    assert.ok(upkeeps <= flushes / 2, `the counters were written ${upkeeps} times in ${flushes} flushes`);
    // Answered, and the writer idle: everything deferred has been written.
    await new Promise((r) => setTimeout(r, 50));
    const after = await counts();
    assert.deepEqual(after.map((n) => [n.accepted_count, n.logged]), [[100, 100], [100, 100], [100, 100]], 'each node: 100 readings, 100 requests logged, counted once');
    // The newest battery report of each node won (requests i = 297, 298, 299 were the last of each node).
    assert.deepEqual(after.map((n) => n.battery_percent), [297, 298, 299]);

    // A lone post: its counters are there as soon as it is answered.
    await writer.submit(job(list[0]!, 1000));
    assert.equal((await counts())[0]!.accepted_count, 101);
    assert.equal((await counts())[0]!.logged, 101);
    await writer.close();
  } finally {
    await cleanup();
  }
});

test('latest_readings under a backlog: large flushes with more waiting leave it for later; it is complete before exclusive work, after a deleted cow, and when the writer rests', async () => {
  const { db, cleanup } = await openTestDatabase();
  try {
    const [node] = await nodes(db);
    const base = Date.now() - 3_600_000;
    /** latest_readings rows that differ from the newest reading of their series in readings (both directions). */
    const behind = async (q: Queryable = db) =>
      (
        await q.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT DISTINCT ON (animal_id, metric_id) animal_id, metric_id, ts, value FROM readings ORDER BY animal_id, metric_id, ts DESC) r
             FULL JOIN latest_readings l USING (animal_id, metric_id) WHERE l.ts IS DISTINCT FROM r.ts OR l.value IS DISTINCT FROM r.value`,
        )
      ).rows[0]!.n;
    // A gateway flushing its buffer: each request 20 readings (5 cows, 4 time steps); every transaction the writer
    // opens sees three more arrive, so each flush finds more waiting.
    const answers: Promise<unknown>[] = [];
    let sent = 0;
    const job = (i: number): IngestJob => ({
      node: node!,
      route: '/v1/readings',
      ip: '127.0.0.1',
      receivedAt: new Date(),
      started: performance.now(),
      items: Array.from({ length: 20 }, (_, k) => ({ animal: `L${k % 5}`, metric: 'temperature', ts: base + (i * 4 + Math.floor(k / 5)) * 1000, value: 38 + ((i * 20 + k) % 17) / 10 })),
    });
    const feed = (n: number) => {
      for (let k = 0; k < n && sent < 60; k++, sent++) answers.push(writer.submit(job(sent)));
    };
    let transactions = 0;
    let atExclusive: Promise<number> | undefined;
    const slow = Object.assign(Object.create(db) as Database, {
      transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
        transactions++;
        // A cow deleted between two flushes, while her newest readings may wait for latest_readings.
        if (transactions === 6) await db.exec(`DELETE FROM animals WHERE tag = 'L3'`);
        // A checkpoint asked for mid-burst: latest_readings must be complete by the time it runs.
        if (transactions === 9) atExclusive = writer.runExclusive(() => behind());
        return db.transaction(async (tx) => {
          feed(3);
          return fn(tx);
        });
      },
    });
    let told = 0;
    const writer = new IngestWriter(slow, { log: createLogger('test', 'error'), retentionDays: 730, futureToleranceMs: 300_000, latestBulkReadings: 20, onLatest: () => told++ });
    feed(1);
    while (sent < 60) await new Promise((r) => setTimeout(r, 5));
    const results = (await Promise.all(answers)) as { accepted: number }[];
    await writer.close();
    assert.equal(results.reduce((n, r) => n + r.accepted, 0), 1200, 'every reading stored');
    assert.ok(writer.stats.latestDeferred >= 3, `flushes of the backlog left latest_readings for later (${writer.stats.latestDeferred} of ${writer.stats.flushes})`);
    assert.ok(writer.stats.latestCatchUps >= 1, 'and it was written later');
    assert.equal(await atExclusive, 0, 'latest_readings was complete when the exclusive work ran');
    assert.equal(await behind(), 0, 'latest_readings holds each series\' newest reading once the writer rests');
    assert.equal((await db.query(`SELECT 1 FROM latest_readings l LEFT JOIN animals a ON a.id = l.animal_id WHERE a.id IS NULL`)).rows.length, 0);
    assert.ok(told >= 1, 'a write of latest_readings outside a flush (before the exclusive work, at rest) is told, for the live queries on it');
  } finally {
    await cleanup();
  }
});

test('latest_readings under a backlog: small flushes in between keep leaving it for later; it is complete when the writer rests', async () => {
  const { db, cleanup } = await openTestDatabase();
  try {
    const [node] = await nodes(db);
    const base = Date.now() - 3_600_000;
    // A gateway flushing its buffer in requests of 20 readings, and between them, as a listener that takes at
    // most so many readings per flush sees it, requests of 2: every transaction sees one more arrive.
    const answers: Promise<unknown>[] = [];
    let sent = 0;
    const job = (i: number, size: number): IngestJob => ({
      node: node!,
      route: '/v1/readings',
      ip: '127.0.0.1',
      receivedAt: new Date(),
      started: performance.now(),
      items: Array.from({ length: size }, (_, k) => ({ animal: `B${k % 5}`, metric: 'temperature', ts: base + (i * 20 + k) * 1000, value: 38 + k / 10 })),
    });
    const feed = () => {
      if (sent < 12) answers.push(writer.submit(job(sent, sent % 2 ? 2 : 20)));
      sent++;
    };
    const busy = Object.assign(Object.create(db) as Database, {
      transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
        db.transaction(async (tx) => {
          feed();
          return fn(tx);
        }),
    });
    const writer = new IngestWriter(busy, { log: createLogger('test', 'error'), retentionDays: 730, futureToleranceMs: 300_000, latestBulkReadings: 20 });
    feed();
    while (sent < 12) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(answers);
    const during = { ...writer.stats };
    await writer.close();
    assert.equal(during.flushes, 12, 'one request per flush');
    // The first two write latest_readings (the writer had rested; then a small flush with nothing kept back). From
    // the first large flush after a flush on, every flush, large or small, leaves it for later.
    assert.equal(during.latestDeferred, 10, `flushes that left latest_readings for later (${during.latestDeferred} of ${during.flushes})`);
    assert.equal(during.latestCatchUps, 0, 'no flush of the backlog wrote what the others left');
    assert.equal(writer.stats.latestCatchUps, 1, 'written once, when the writer rested');
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT ON (animal_id, metric_id) animal_id, metric_id, ts FROM readings ORDER BY animal_id, metric_id, ts DESC) r
         FULL JOIN latest_readings l USING (animal_id, metric_id) WHERE l.ts IS DISTINCT FROM r.ts`,
    );
    assert.equal(rows[0]!.n, 0, "latest_readings holds each series' newest reading");
  } finally {
    await cleanup();
  }
});

test('the request log written by COPY holds exactly what the INSERT writes: quotes, commas, empty text and NULLs', async () => {
  const entries = [
    { ts: new Date('2026-11-20T10:00:00.123Z'), nodeId: null, ip: undefined, route: '/v1/readings', status: 401, durationMs: 0.456, error: 'missing or wrong token' },
    { ts: new Date('2026-11-20T10:00:01Z'), nodeId: null, ip: '::ffff:192.168.1.20', route: '/api/v1/"tok,en"/telemetry', status: 400, durationMs: 12.3456, error: 'body: "a, b"\nline 2 — ünïcödé 🐄' },
    { ts: new Date('2026-11-20T10:00:02Z'), nodeId: null, ip: '', route: '', status: 415, durationMs: 1, error: '' },
    { ts: new Date('2026-11-20T10:00:03Z'), nodeId: null, ip: '10.0.0.7', route: '/v1/readings', status: 200, durationMs: 3, accepted: 5, duplicates: 2, quarantined: 1 },
  ];
  const logged: unknown[] = [];
  for (const copy of [true, false]) {
    const { db, cleanup } = await openTestDatabase();
    try {
      const [node] = await nodes(db);
      const writer = new IngestWriter(copy ? db : withoutCopy(db), { log: createLogger('test', 'error'), retentionDays: 730, futureToleranceMs: 300_000 });
      for (const e of entries) writer.logRequest({ ...e, nodeId: e.status === 200 ? node!.id : null });
      await writer.close();
      const { rows } = await db.query('SELECT ts, node_id, ip, route, status, accepted, duplicates, quarantined, duration_ms, error FROM node_requests ORDER BY ts');
      logged.push(rows);
    } finally {
      await cleanup();
    }
  }
  assert.equal((logged[0] as unknown[]).length, entries.length);
  assert.deepEqual(logged[0], logged[1]);
  const rows = logged[0] as { ip: string | null; route: string; error: string | null }[];
  assert.equal(rows[0]!.ip, null, 'no address is NULL');
  assert.equal(rows[1]!.route, '/api/v1/"tok,en"/telemetry');
  assert.equal(rows[1]!.error, 'body: "a, b"?line 2 — ünïcödé 🐄');
  assert.deepEqual([rows[2]!.ip, rows[2]!.route, rows[2]!.error], ['', '', ''], 'empty text stays empty text, not NULL');
  assert.equal(rows[3]!.error, null);
});

test('IDs looked up once are reused, and a change to the animals in between is noticed: the flush is written again with a fresh lookup', async () => {
  const { db, cleanup } = await openTestDatabase();
  try {
    const [node] = await nodes(db);
    const stored: number[][] = [];
    const writer = new IngestWriter(db, {
      log: createLogger('test', 'error'),
      retentionDays: 730,
      futureToleranceMs: 300_000,
      onStored: ({ animalIds }) => stored.push([...animalIds].sort((a, b) => a - b)),
    });
    const idsOf = async (...tags: string[]) =>
      (await db.query<{ id: number }>('SELECT id FROM animals WHERE tag = ANY($1) ORDER BY id', [tags])).rows.map((r) => r.id);
    const base = Date.now() - 3_600_000;
    let minute = 0;
    const post = (...animals: string[]) =>
      writer.submit({ node: node!, route: '/v1/readings', ip: '127.0.0.1', receivedAt: new Date(), started: 0, items: animals.map((animal) => ({ animal, metric: 'temperature', ts: base + ++minute * 60_000, value: 38.6 })) });
    const readingsOf = async () =>
      (await db.query<{ id: number; tag: string; n: number }>('SELECT a.id, a.tag, count(r.ts)::int AS n FROM animals a LEFT JOIN readings r ON r.animal_id = a.id GROUP BY a.id ORDER BY a.id')).rows.map((r) => [r.tag, r.n]);

    assert.deepEqual(await post('C1', 'C2'), { accepted: 2, duplicates: 0, quarantined: [] });
    assert.deepEqual(await post('C1', 'C2'), { accepted: 2, duplicates: 0, quarantined: [] });
    assert.equal(writer.stats.staleAnimalKeys, 0, 'nothing changed: the IDs looked up first were used');

    // The farmer re-tags: cow C1 becomes C1-old and a new cow gets tag C1. Her readings must not go to the old cow.
    await db.exec(`UPDATE animals SET tag = 'C1-old' WHERE tag = 'C1'`);
    await db.exec(`INSERT INTO animals (tag) VALUES ('C1')`);
    assert.deepEqual(await post('C1', 'C2'), { accepted: 2, duplicates: 0, quarantined: [] });
    assert.equal(writer.stats.staleAnimalKeys, 1, 'the change was noticed and the flush written again');
    assert.deepEqual(await readingsOf(), [['C1-old', 2], ['C2', 3], ['C1', 1]]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(stored.at(-1), await idsOf('C1', 'C2'), 'the change event names the animals written, not the old C1 of the first attempt');

    // A deleted cow: her next reading makes a new placeholder, not a reading of a row that is gone.
    await db.exec(`DELETE FROM animals WHERE tag = 'C2'`);
    assert.deepEqual(await post('C2'), { accepted: 1, duplicates: 0, quarantined: [] });
    assert.equal(writer.stats.staleAnimalKeys, 2);
    assert.deepEqual(await readingsOf(), [['C1-old', 2], ['C1', 1], ['C2', 1]]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(stored.at(-1), await idsOf('C2'), 'the deleted cow is not named');

    // Other changes to animals (a name, a group) keep the IDs looked up.
    await db.exec(`UPDATE animals SET name = 'Berta' WHERE tag = 'C1'`);
    assert.deepEqual(await post('C1', 'C2'), { accepted: 2, duplicates: 0, quarantined: [] });
    assert.equal(writer.stats.staleAnimalKeys, 2);
    assert.deepEqual(await readingsOf(), [['C1-old', 2], ['C1', 2], ['C2', 2]]);
    await writer.close();
  } finally {
    await cleanup();
  }
});

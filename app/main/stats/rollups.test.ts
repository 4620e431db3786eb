// Rollups against a direct aggregate of the raw readings, on random data across DST changes, a half-hour
// zone, back-filled days, writes outside the ingest path and a real office.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../db/index.ts';
import { openTestDatabase } from '../../db/testing/snapshot.ts';
import { silentLogger } from '../log.ts';
import { startTestOffice } from '../testing/test-office.ts';
import { ROLLUP_TABLES, RollupService, withoutRollupTriggers, type StoredReading } from './rollups.ts';

interface Reading extends StoredReading {
  nodeId: number;
  value: number;
}

/** A small deterministic generator (mulberry32): a failing case can be run again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Farm {
  db: Database;
  animals: number[];
  pen: number;
  cleanup(): Promise<void>;
}

/** Two groups of two animals, two animals in no group, and a pen. */
async function openFarm(timeZone: string): Promise<Farm> {
  const { db, cleanup } = await openTestDatabase();
  await db.query('UPDATE farm_settings SET time_zone = $1', [timeZone]);
  const { rows: groups } = await db.query<{ id: number }>(`INSERT INTO groups (name, kind) VALUES ('A', 'group'), ('B', 'group'), ('Barn', 'pen') RETURNING id`);
  const [a, b, pen] = groups.map((g) => g.id);
  const { rows: animals } = await db.query<{ id: number }>(
    `INSERT INTO animals (tag, group_id) SELECT 'T' || i, (ARRAY[$1, $1, $2, $2, NULL, NULL]::int4[])[i] FROM generate_series(1, 6) i RETURNING id`,
    [a, b],
  );
  return { db, animals: animals.map((r) => r.id), pen: pen!, cleanup };
}

/**
 * Random readings of three metrics between `from` and `to`: time stamps on the minute and, more often than
 * chance, on local hour boundaries; some from a second node at the same instant; a pen's climate readings.
 */
function randomReadings(farm: Farm, rnd: () => number, from: string, to: string, count: number): Reading[] {
  const start = Date.parse(from);
  const span = Date.parse(to) - start;
  const out: Reading[] = [];
  for (let i = 0; i < count; i++) {
    let ts = start + Math.floor((rnd() * span) / 60_000) * 60_000;
    if (rnd() < 0.1) ts -= ts % 1_800_000; // on a UTC half hour: a local hour's edge in Kolkata or Berlin
    const metricId = 1 + Math.floor(rnd() * 3);
    const value = Math.fround(metricId === 1 ? 37 + rnd() * 3 : rnd() * 60);
    const nodeId = rnd() < 0.1 ? 2 : 1;
    if (rnd() < 0.1) out.push({ animalId: null, groupId: farm.pen, metricId: 8, ts, nodeId, value: Math.fround(rnd() * 30) });
    else out.push({ animalId: farm.animals[Math.floor(rnd() * farm.animals.length)]!, groupId: null, metricId, ts, nodeId, value });
  }
  return out;
}

/** Stores readings as the ingest writer does (triggers off) and marks them; duplicates are skipped. */
async function ingest(db: Database, rollups: RollupService, rows: Reading[]): Promise<void> {
  const animal = rows.filter((r) => r.animalId !== null);
  const pen = rows.filter((r) => r.groupId !== null);
  await withoutRollupTriggers(db).transaction(async (tx) => {
    await tx.query(
      `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
       SELECT to_timestamp(ms / 1000.0), a, n, v, m FROM unnest($1::float8[], $2::int4[], $3::int4[], $4::float4[], $5::int2[]) AS u(ms, a, n, v, m)
       ON CONFLICT DO NOTHING`,
      [animal.map((r) => r.ts), animal.map((r) => r.animalId), animal.map((r) => r.nodeId), animal.map((r) => r.value), animal.map((r) => r.metricId)],
    );
    await tx.query(
      `INSERT INTO pen_readings (ts, group_id, node_id, value, metric_id)
       SELECT to_timestamp(ms / 1000.0), g, n, v, m FROM unnest($1::float8[], $2::int4[], $3::int4[], $4::float4[], $5::int2[]) AS u(ms, g, n, v, m)
       ON CONFLICT DO NOTHING`,
      [pen.map((r) => r.ts), pen.map((r) => r.groupId), pen.map((r) => r.nodeId), pen.map((r) => r.value), pen.map((r) => r.metricId)],
    );
  });
  rollups.markDirty(rows);
}

const STATS = `count(*)::int AS n, avg(value) AS mean, min(value) AS min, max(value) AS max, stddev_samp(value) AS stddev`;
/** A group's or the herd's day: the readings' statistics, and the quartiles of the animals' daily means. */
function boxSql(keys: string, where: string): string {
  return `WITH r AS (SELECT a.group_id, r.animal_id, r.metric_id, (r.ts AT TIME ZONE $1)::date AS day, r.value
                     FROM readings r JOIN animals a ON a.id = r.animal_id ${where}),
          animal_days AS (SELECT ${keys}, animal_id, avg(value) AS mean FROM r GROUP BY ${keys}, animal_id),
          q AS (SELECT ${keys}, percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY mean) AS q FROM animal_days GROUP BY ${keys})
     SELECT ${keys}, count(DISTINCT animal_id)::int AS animals, ${STATS}, q.q FROM r JOIN q USING (${keys}) GROUP BY ${keys}, q.q`;
}

/** What each rollup table must hold, aggregated straight from the raw readings (the farm's zone as $1). */
const EXPECTED: Record<(typeof ROLLUP_TABLES)[number], { keys: string; sql: string }> = {
  readings_hourly: {
    keys: 'animal_id, metric_id, hour',
    sql: `SELECT animal_id, metric_id, office.local_hour(ts, $1) AS hour, ${STATS} FROM readings GROUP BY 1, 2, 3`,
  },
  readings_daily: {
    keys: 'animal_id, metric_id, day',
    sql: `SELECT animal_id, metric_id, (ts AT TIME ZONE $1)::date AS day, ${STATS} FROM readings GROUP BY 1, 2, 3`,
  },
  group_readings_daily: {
    keys: 'group_id, metric_id, day',
    sql: boxSql('group_id, metric_id, day', 'WHERE a.group_id IS NOT NULL'),
  },
  herd_readings_daily: {
    keys: 'metric_id, day',
    sql: boxSql('metric_id, day', ''),
  },
  pen_readings_hourly: {
    keys: 'group_id, metric_id, hour',
    sql: `SELECT group_id, metric_id, office.local_hour(ts, $1) AS hour, ${STATS} FROM pen_readings GROUP BY 1, 2, 3`,
  },
};

type Line = Record<string, unknown>;
const keyOf = (row: Line, keys: string) => keys.split(', ').map((k) => (row[k] instanceof Date ? (row[k] as Date).toISOString() : String(row[k]))).join(' ');

async function tableRows(db: Database, table: keyof typeof EXPECTED): Promise<Map<string, Line>> {
  const { keys } = EXPECTED[table];
  const { rows } = await db.query<Line>(`SELECT * FROM ${table} ORDER BY ${keys}`);
  return new Map(rows.map((r) => [keyOf(r, keys), r]));
}

function close(actual: unknown, expected: unknown, tolerance: number, what: string): void {
  if (expected === null || actual === null) return assert.equal(actual, expected, what);
  const [a, e] = [Number(actual), Number(expected)];
  assert.ok(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)), `${what}: ${a} ≠ ${e}`);
}

/** Every rollup row equals the direct aggregate: counts, min and max exactly, means and deviations closely. */
async function assertMatchesRaw(db: Database): Promise<void> {
  const { rows: tz } = await db.query<{ time_zone: string }>('SELECT time_zone FROM farm_settings');
  for (const table of ROLLUP_TABLES) {
    const { keys, sql } = EXPECTED[table];
    const { rows } = await db.query<Line>(sql, [tz[0]!.time_zone]);
    const actual = await tableRows(db, table);
    assert.deepEqual([...actual.keys()].sort(), rows.map((r) => keyOf(r, keys)).sort(), `${table}: the same buckets`);
    for (const e of rows) {
      const k = keyOf(e, keys);
      const a = actual.get(k)!;
      for (const c of ['n', 'min', 'max', 'animals']) if (c in e) assert.equal(a[c], e[c], `${table} ${k} ${c}`);
      close(a.mean, e.mean, 1e-9, `${table} ${k} mean`);
      close(a.stddev, e.stddev, 1e-9, `${table} ${k} stddev`);
      if (e.q) {
        const [q1, median, q3] = e.q as number[];
        close(a.q1, q1, 1e-9, `${table} ${k} q1`);
        close(a.median, median, 1e-9, `${table} ${k} median`);
        close(a.q3, q3, 1e-9, `${table} ${k} q3`);
      }
    }
  }
}

async function snapshot(db: Database): Promise<Record<string, Map<string, Line>>> {
  return Object.fromEntries(await Promise.all(ROLLUP_TABLES.map(async (t) => [t, await tableRows(db, t)] as const)));
}

/** Rows of `before` and `after` whose keys `keep` accepts are equal, within a rounding error for doubles. */
function assertSameRows(before: Record<string, Map<string, Line>>, after: Record<string, Map<string, Line>>, keep: (table: string, row: Line) => boolean = () => true): void {
  for (const table of ROLLUP_TABLES) {
    const pick = (m: Map<string, Line>) => [...m].filter(([, r]) => keep(table, r));
    const [b, a] = [pick(before[table]!), pick(after[table]!)];
    assert.deepEqual(a.map(([k]) => k), b.map(([k]) => k), `${table}: the same buckets`);
    a.forEach(([k, row], i) => {
      for (const [c, v] of Object.entries(row)) {
        if (typeof v === 'number' && !Number.isInteger(v)) close(v, b[i]![1][c], 1e-12, `${table} ${k} ${c}`);
        else assert.deepEqual(v, b[i]![1][c], `${table} ${k} ${c}`);
      }
    });
  }
}

test('random readings across both DST changes in Berlin: every rollup equals the direct aggregate; a back-filled day changes only its own buckets', async () => {
  const farm = await openFarm('Europe/Berlin');
  const rollups = new RollupService(farm.db, { log: silentLogger });
  try {
    const rnd = random(1);
    await ingest(farm.db, rollups, randomReadings(farm, rnd, '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z', 1500));
    await ingest(farm.db, rollups, randomReadings(farm, rnd, '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z', 1500));
    const first = await rollups.refresh();
    assert.ok(first.hours > 0 && first.days > 0);
    await assertMatchesRaw(farm.db);
    const { rows: days } = await farm.db.query<{ hours: number }>(`SELECT count(DISTINCT hour)::int AS hours FROM readings_hourly WHERE (hour AT TIME ZONE 'Europe/Berlin')::date = '2026-10-25'`);
    assert.equal(days[0]!.hours, 25, 'the fall-back day has 25 local hours');

    // A node flushes old data: two weeks before the fall-back day, after that day's readings.
    const before = await snapshot(farm.db);
    const backfill = randomReadings(farm, rnd, '2026-10-10T22:00:00Z', '2026-10-11T22:00:00Z', 300); // 11 October, Berlin time
    await ingest(farm.db, rollups, backfill);
    await rollups.flush();
    await assertMatchesRaw(farm.db);
    const after = await snapshot(farm.db);
    const inOldDay = (row: Line) => {
      const at = (row.hour ?? row.day) as Date;
      return row.hour ? at >= new Date('2026-10-10T22:00:00Z') && at < new Date('2026-10-11T22:00:00Z') : at.toISOString().startsWith('2026-10-11');
    };
    assertSameRows(before, after, (_, row) => !inOldDay(row));
    for (const table of ROLLUP_TABLES) assert.ok([...after[table]!.values()].some(inOldDay), `${table} has the back-filled day`);
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
});

test('many small batches, duplicates included, give the same tables as a rebuild', async () => {
  const farm = await openFarm('Europe/Berlin');
  const rollups = new RollupService(farm.db, { log: silentLogger });
  try {
    const rnd = random(2);
    const all = randomReadings(farm, rnd, '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z', 3000);
    for (let i = 0; i < all.length; i += 150) {
      const batch = all.slice(i, i + 150);
      await ingest(farm.db, rollups, [...batch, ...all.slice(0, 20)]); // a node resending what it sent first
      if (i % 600 === 0) await rollups.refresh();
    }
    await rollups.flush();
    await assertMatchesRaw(farm.db);
    const incremental = await snapshot(farm.db);
    const progress: number[] = [];
    await rollups.rebuildAll((done, total) => progress.push(done / total));
    assert.equal(progress.at(-1), 1);
    assertSameRows(incremental, await snapshot(farm.db));
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
});

test('a refresh of more marked slots than one transaction takes runs in parts, and statements waiting meanwhile run between them', async () => {
  const farm = await openFarm('Europe/Berlin');
  const parts: number[] = [];
  let probe: Promise<number> | undefined;
  let flushed = false;
  const rollups = new RollupService(farm.db, {
    log: silentLogger,
    onRefreshed: (scope) => {
      parts.push(scope.animalIds.length);
      // Queued as a node's flush would be, while the refresh has parts left.
      probe ??= farm.db.query('SELECT 1').then(() => (flushed ? 0 : parts.length));
    },
  });
  try {
    // A reading in every 15-minute slot of 14 days for 6 animals and 3 metrics: 24,192 marked slots.
    const start = Date.parse('2026-10-19T00:00:00Z');
    const rows: Reading[] = [];
    for (const animalId of farm.animals) {
      for (let metricId = 1; metricId <= 3; metricId++) {
        for (let slot = 0; slot < 14 * 96; slot++) rows.push({ animalId, groupId: null, metricId, ts: start + slot * 900_000 + 60_000 * (slot % 7), nodeId: 1, value: Math.fround(37 + ((slot * 7 + animalId) % 30) / 10) });
      }
    }
    await ingest(farm.db, rollups, rows);
    await rollups.flush();
    flushed = true;
    assert.ok(parts.length >= 2, `the refresh ran in ${parts.length} part(s)`);
    assert.ok(((await probe) ?? 0) >= 1, 'a statement queued during the refresh ran before the refresh ended');
    await assertMatchesRaw(farm.db);
    const { rows: hours } = await farm.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings_hourly');
    assert.equal(hours[0]!.n, 6 * 3 * 14 * 24, 'every hour of every series (336 hours: the fall-back day has 25 local hours, the span 336 either way)');
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
});

test('a stop notes what it has no time to recompute; the next start recomputes it exactly, a part at a time', async () => {
  const farm = await openFarm('Europe/Berlin');
  const stopping = new RollupService(farm.db, { log: silentLogger });
  let refreshes = 0;
  const next = new RollupService(farm.db, { log: silentLogger, slotsPerTransaction: 500, onRefreshed: () => refreshes++ });
  try {
    const rnd = random(5);
    const rows = randomReadings(farm, rnd, '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z', 4000);
    await ingest(farm.db, stopping, rows);
    // Recomputed first: what was there before the backlog is kept, and must stay right.
    await stopping.flush();
    const backlog = randomReadings(farm, rnd, '2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z', 3000);
    await ingest(farm.db, stopping, backlog);
    const before = await snapshot(farm.db);
    // No time left (a stop's budget spent): the marks are noted in the database, nothing is recomputed.
    const stop = await stopping.flush({ withinMs: 0 });
    await stopping.close();
    assert.ok(stop.noted > 1000, `the backlog's slots were noted (${stop.noted})`);
    assert.equal(stop.hours, 0);
    assertSameRows(before, await snapshot(farm.db));
    const { rows: notes } = await farm.db.query<{ n: number }>('SELECT count(*)::int AS n FROM office.rollup_dirty');
    assert.equal(notes[0]!.n, stop.noted, 'every noted slot is in office.rollup_dirty');

    // The next start: its first refresh takes them all, 500 notes per part (one transaction each).
    const first = await next.refresh();
    assert.equal(first.moreNotes, false);
    assert.ok(refreshes >= Math.ceil(stop.noted / 500), `recomputed in parts (${refreshes} parts for ${stop.noted} notes)`);
    const { rows: left } = await farm.db.query<{ n: number }>('SELECT count(*)::int AS n FROM office.rollup_dirty');
    assert.equal(left[0]!.n, 0, 'every note consumed');
    await assertMatchesRaw(farm.db);
  } finally {
    await next.close();
    await farm.cleanup();
  }
});

for (const way of ['flush', 'finishBy'] as const) {
  test(`a stop also ends a refresh already running (${way}): its parts left are noted, and recomputed exactly later`, async () => {
    const farm = await openFarm('Europe/Berlin');
    let stopping: Promise<unknown> | undefined;
    let parts = 0;
    const rollups = new RollupService(farm.db, {
      log: silentLogger,
      slotsPerTransaction: 200,
      // The stop comes while the backlog's refresh is at its first part.
      onRefreshed: () => {
        parts++;
        stopping ??= way === 'flush' ? rollups.flush({ withinMs: 0 }) : Promise.resolve(rollups.finishBy(0));
      },
    });
    try {
      // Two days of a reading per 15-minute slot, 6 animals × 3 metrics: 18 series of 192 slots, a part each.
      const start = Date.parse('2026-10-24T00:00:00Z');
      const rows: Reading[] = [];
      for (const animalId of farm.animals) {
        for (let metricId = 1; metricId <= 3; metricId++) {
          for (let slot = 0; slot < 2 * 96; slot++) rows.push({ animalId, groupId: null, metricId, ts: start + slot * 900_000, nodeId: 1, value: Math.fround(37 + ((slot + animalId) % 30) / 10) });
        }
      }
      await ingest(farm.db, rollups, rows);
      // The running one: a scheduled refresh, or (with finishBy, as on stop) the maintenance's flush with no deadline.
      const running = way === 'flush' ? await rollups.refresh() : await rollups.flush();
      await stopping;
      assert.equal(parts, 1, 'the running refresh ended after the part it was at');
      assert.equal(running.noted, rows.length - 192, 'the parts it had left were noted');
      assert.equal(running.moreNotes, true);
      await rollups.close();
      const later = new RollupService(farm.db, { log: silentLogger });
      await later.flush();
      await later.close();
      await assertMatchesRaw(farm.db);
    } finally {
      await farm.cleanup();
    }
  });
}

test('writes outside the ingest path (plain SQL insert, update, delete, truncate) reach the rollups through the triggers', async () => {
  const farm = await openFarm('Europe/Berlin');
  const rollups = new RollupService(farm.db, { log: silentLogger });
  const db = farm.db;
  try {
    await ingest(db, rollups, randomReadings(farm, random(3), '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z', 1000));
    await rollups.flush();
    const [a1, a2] = farm.animals;
    await db.query(`INSERT INTO readings (ts, animal_id, node_id, value, metric_id) VALUES ('2026-10-25 00:59:59+00', $1, 9, 41.5, 1), ('2026-11-02 12:00+00', $2, 9, 38, 1)`, [a1, a2]);
    await db.query(`INSERT INTO pen_readings (ts, group_id, node_id, value, metric_id) VALUES ('2026-10-25 01:30+00', $1, 9, 12.5, 8)`, [farm.pen]);
    const noted = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM office.rollup_dirty');
    assert.ok(noted.rows[0]!.n >= 3, 'the triggers noted the slots');
    await rollups.flush();
    await assertMatchesRaw(db);

    // Moved across a day boundary, then one animal's readings of a day deleted, then a metric's values changed.
    await db.query(`UPDATE readings SET ts = ts + interval '20 hours' WHERE animal_id = $1 AND metric_id = 2`, [a1]);
    await db.query(`DELETE FROM readings WHERE animal_id = $1 AND ts < '2026-10-25 12:00+00'`, [a2]);
    await db.query(`UPDATE readings SET value = value + 1 WHERE metric_id = 3`);
    await db.query(`DELETE FROM pen_readings WHERE ts < '2026-10-25 12:00+00'`);
    await rollups.flush();
    await assertMatchesRaw(db);
    assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM office.rollup_dirty')).rows[0]!.n, 0, 'notes are consumed');

    await db.exec('TRUNCATE readings, pen_readings');
    for (const table of ROLLUP_TABLES) assert.equal((await tableRows(db, table)).size, 0, `${table} emptied by TRUNCATE`);
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
});

test('a time-zone change rebuilds every rollup on the new local midnight (Asia/Kolkata, a half-hour offset)', async () => {
  const farm = await openFarm('Europe/Berlin');
  const rollups = new RollupService(farm.db, { log: silentLogger });
  try {
    const rnd = random(4);
    await ingest(farm.db, rollups, randomReadings(farm, rnd, '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', 2000));
    await rollups.flush();
    await farm.db.query(`UPDATE farm_settings SET time_zone = 'Asia/Kolkata'`);
    rollups.invalidateTimeZone();
    await rollups.flush();
    await assertMatchesRaw(farm.db);
    const { rows } = await farm.db.query<{ minute: number }>(`SELECT DISTINCT extract(minute FROM hour AT TIME ZONE 'UTC')::int AS minute FROM readings_hourly`);
    assert.deepEqual(rows.map((r) => r.minute), [30], 'Kolkata hours begin at half past the UTC hour');
    const { rows: state } = await farm.db.query<{ time_zone: string }>('SELECT time_zone FROM office.rollup_state');
    assert.equal(state[0]!.time_zone, 'Asia/Kolkata');

    // And incremental refreshes keep to the new zone.
    await ingest(farm.db, rollups, randomReadings(farm, rnd, '2026-03-29T18:00:00Z', '2026-03-29T20:00:00Z', 300));
    await rollups.flush();
    await assertMatchesRaw(farm.db);
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
});

test('while nodes post, a refresh in parts leaves the database to them between its parts, and still ends exact', async () => {
  const farm = await openFarm('Europe/Berlin');
  let posting = true;
  const rollups = new RollupService(farm.db, { log: silentLogger, busy: () => posting, slotsPerTransaction: 40 });
  try {
    await ingest(farm.db, rollups, randomReadings(farm, random(11), '2026-03-20T00:00:00Z', '2026-03-27T00:00:00Z', 600));
    // What the nodes' flushes would be: statements that arrive while the refresh runs.
    let between = 0;
    let done = false;
    const refreshed = rollups.flush().finally(() => (done = true));
    while (!done) {
      await farm.db.query('SELECT 1');
      between++;
    }
    await refreshed;
    const parts = rollups.stats.pauses + 1;
    assert.ok(parts >= 5, `600 readings over a week mark more than 40 slots ${parts} times`);
    // Back to back, the lock is FIFO: one statement between two parts. Paused, many.
    assert.ok(between > 3 * parts, `${between} statements ran during ${parts} parts`);
    await assertMatchesRaw(farm.db);

    // Nobody posting: no pauses.
    posting = false;
    const before = rollups.stats.pauses;
    await ingest(farm.db, rollups, randomReadings(farm, random(12), '2026-03-20T00:00:00Z', '2026-03-27T00:00:00Z', 600));
    await rollups.flush();
    assert.equal(rollups.stats.pauses, before);
    await assertMatchesRaw(farm.db);
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
});

test('a database with neither readings nor rollups takes the farm\'s zone without a rebuild; one with readings keeps its rebuild', async () => {
  const zone = async (db: Database) => (await db.query<{ time_zone: string | null }>('SELECT time_zone FROM office.rollup_state')).rows[0]!.time_zone;
  const farm = await openFarm('Europe/Berlin');
  const rollups = new RollupService(farm.db, { log: silentLogger });
  try {
    assert.notEqual(await zone(farm.db), 'Europe/Berlin', 'a new database has no zone for its rollups yet');
    assert.equal(await rollups.adoptZoneIfEmpty(), true);
    assert.equal(await zone(farm.db), 'Europe/Berlin');
    await ingest(farm.db, rollups, randomReadings(farm, random(7), '2026-03-27T00:00:00Z', '2026-03-29T00:00:00Z', 300));
    await rollups.flush();
    await assertMatchesRaw(farm.db);

    // With readings stored, a zone change is a rebuild, never an adoption.
    await farm.db.query(`UPDATE farm_settings SET time_zone = 'Asia/Kolkata'`);
    assert.equal(await rollups.adoptZoneIfEmpty(), false);
    assert.equal(await zone(farm.db), 'Europe/Berlin');
    rollups.invalidateTimeZone();
    await rollups.flush();
    assert.equal(await zone(farm.db), 'Asia/Kolkata');
    await assertMatchesRaw(farm.db);

    // Rollup rows left without their readings are not "empty" either: the rebuild clears them.
    await withoutRollupTriggers(farm.db).transaction((tx) => tx.exec('DELETE FROM readings; DELETE FROM pen_readings'));
    await farm.db.query(`UPDATE farm_settings SET time_zone = 'Europe/Berlin'`);
    assert.equal(await rollups.adoptZoneIfEmpty(), false);
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
  // A new office starts with its rollups in the farm's zone: no rebuild waits for its first readings.
  const office = await startTestOffice();
  try {
    const { rows } = await office.db.query<{ farm: string; built: string | null }>('SELECT f.time_zone AS farm, s.time_zone AS built FROM farm_settings f, office.rollup_state s');
    assert.equal(rows[0]!.built, rows[0]!.farm);
  } finally {
    await office.close();
  }
});

test('readings stored during a rebuild, before their animal\'s chunk, on a day of their own, reach the group and herd days', async () => {
  // Seen in CI: the first readings of a new office arrived while its start-up rebuild ran; the rebuilt hours
  // already held them, their own refresh found nothing changed, and the herd's day never came.
  const farm = await openFarm('Europe/Berlin');
  const rollups = new RollupService(farm.db, { log: silentLogger });
  try {
    const rnd = random(5);
    // More animals than one rebuild chunk (100): the last one's chunk is rebuilt after the first.
    const { rows } = await farm.db.query<{ id: number }>(`INSERT INTO animals (tag) SELECT 'X' || i FROM generate_series(1, 150) i RETURNING id`);
    const late = rows.at(-1)!.id;
    await ingest(farm.db, rollups, randomReadings(farm, rnd, '2026-05-04T00:00:00Z', '2026-05-06T00:00:00Z', 500));
    await rollups.flush();

    await farm.db.query(`UPDATE farm_settings SET time_zone = 'Asia/Kolkata'`);
    let stored: Promise<void> | undefined;
    await rollups.rebuildAll((done) => {
      // After the first chunk, before the late animal's: queued ahead of the rebuild's next transaction.
      if (done === 1) stored = ingest(farm.db, rollups, [{ animalId: late, groupId: null, metricId: 1, ts: Date.parse('2026-05-20T08:00:00Z'), nodeId: 1, value: 38.5 }]);
    });
    assert.ok(stored, 'the reading was stored while the rebuild ran');
    await stored;
    await rollups.flush();
    const { rows: herd } = await farm.db.query<{ n: number }>(`SELECT n FROM herd_readings_daily WHERE day = '2026-05-20'`);
    assert.deepEqual(herd, [{ n: 1 }], "the new day's herd row");
    await assertMatchesRaw(farm.db);
  } finally {
    await rollups.close();
    await farm.cleanup();
  }
});

test('a real office: readings posted to the ingest port reach the rollups, readable through GraphQL', async () => {
  const office = await startTestOffice({ rateLimitPerSecond: 1000, rateLimitBurst: 100_000 });
  try {
    await office.db.exec(`INSERT INTO animals (tag) VALUES ('301')`);
    const node = await office.addNode('bolus-301', 'bolus', ['--animal', '301']);
    const t = Date.now() - 3_600_000;
    const res = await office.post(node.token, { readings: [0, 1, 2, 3].map((i) => ({ metric: 'temperature', ts: t + i * 60_000, value: 38 + i / 10 })) });
    assert.equal(res.body.accepted, 4);
    await office.rollups.flush();
    const rollupQuery = async () => {
      const response = await office.graphql(`{ readings_hourly { n mean min max } readings_daily { n } herd_readings_daily { animals n median } }`);
      assert.ok(response.data && !response.errors, `GraphQL answered ${JSON.stringify(response)}`);
      return response.data;
    };
    // The herd's day is there right after flush(), even when the readings came during the office's start-up
    // rebuild (a loaded CI machine once showed that race: see 'readings stored during a rebuild').
    const data = await rollupQuery();
    const hourly = data.readings_hourly as { n: number; mean: number }[];
    assert.equal(hourly.reduce((s, h) => s + h.n, 0), 4);
    assert.equal(data.readings_daily.reduce((s: number, d: { n: number }) => s + d.n, 0), 4);
    assert.equal(data.herd_readings_daily[0].animals, 1);
    await assertMatchesRaw(office.db);

    // A GraphQL mutation goes through the trigger, and the office refreshes on its own.
    const { rows } = await office.db.query<{ id: number }>(`SELECT id FROM animals WHERE tag = '301'`);
    const insert = await office.graphql(`mutation ($r: [readings_insert_input!]!) { insert_readings(objects: $r) { affected_rows } }`, {
      r: [{ ts: new Date(t + 600_000).toISOString(), animal_id: rows[0]!.id, node_id: node.id, value: 39, metric_id: 1 }],
    });
    assert.equal(insert.data?.insert_readings?.affected_rows, 1, JSON.stringify(insert));
    // The groups' and the herd's days follow within GROUP_INTERVAL_MS (10 s) of the last full refresh.
    for (let i = 0; i < 150; i++) {
      const answer = await office.graphql(`{ herd_readings_daily_aggregate { aggregate { sum { n } } } }`);
      assert.ok(answer.data && !answer.errors, `GraphQL answered ${JSON.stringify(answer)}`);
      const now = answer.data;
      if (now.herd_readings_daily_aggregate.aggregate.sum.n === 5) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await assertMatchesRaw(office.db);
  } finally {
    await office.close();
  }
});

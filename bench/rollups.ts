// Rollup upkeep on a herd-sized database: 2,500 cows × 7 metrics × one day at 10-minute steps (~2.5M
// readings, made with generate_series), rebuilt once, then the refresh after (a) one new 10-minute round
// for the whole herd (the current day's refresh: every cow and metric, one hour dirty) and (b) one node's
// batch of 1,000 readings spread over the past day (a back-fill). Median of 5 each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openDatabase, type Database } from '../app/db/index.ts';
import { silentLogger } from '../app/main/log.ts';
import { RollupService, withoutRollupTriggers, type StoredReading } from '../app/main/stats/rollups.ts';

const STEP_MS = 600_000;
const METRICS = [1, 2, 3, 4, 5, 6, 7];
const TIME_ZONE = 'Europe/Berlin';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { cows: { type: 'string', default: '2500' }, steps: { type: 'string', default: '144' } } });
  const cows = Number(values.cows);
  const steps = Number(values.steps);
  // The day ends at 20:00 local time: the "current day" already has 20 hours when the new rounds come.
  const end = Date.parse('2026-06-10T18:00:00Z');
  const dir = mkdtempSync(join(tmpdir(), 'ys-bench-rollups-'));
  try {
    const db = await openDatabase({ dataDir: dir });
    await migrate(db);
    await db.query('UPDATE farm_settings SET time_zone = $1', [TIME_ZONE]);
    let t0 = performance.now();
    await seed(db, cows, steps, end);
    const seeded = performance.now() - t0;
    const { rows: count } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
    console.log(`readings               ${count[0]!.n.toLocaleString('en')}  (${cows} cows × ${METRICS.length} metrics × ${steps} steps; ${(seeded / 1000).toFixed(1)} s to insert)`);

    const rollups = new RollupService(db, { log: silentLogger });
    t0 = performance.now();
    await rollups.rebuildAll();
    const { rows: sizes } = await db.query<{ hourly: number; daily: number }>(
      'SELECT (SELECT count(*)::int FROM readings_hourly) AS hourly, (SELECT count(*)::int FROM readings_daily) AS daily',
    );
    console.log(`rebuildAll             ${((performance.now() - t0) / 1000).toFixed(1)} s  (${sizes[0]!.hourly.toLocaleString('en')} hourly, ${sizes[0]!.daily.toLocaleString('en')} daily rows)`);
    await db.exec('VACUUM ANALYZE');
    await db.checkpoint();

    // (a) Rounds at end, end+10 min, …: the first opens the hour (not measured), the next five update it.
    // Measured as the office schedules them under steady ingest: groups and herd at most every 10 s (left out
    // here), then a refresh that does only those.
    const herd = await measure(db, rollups, 5, (i) => herdRound(cows, end + i * STEP_MS), () => herdRound(cows, end), 'due');
    const groups = await timed(() => rollups.refresh());
    console.log(`refresh, herd round    median ${herd.median.toFixed(1)} ms  (${herd.hours.toLocaleString('en')} hourly buckets, ${herd.days.toLocaleString('en')} days; runs ${herd.runs.map((ms) => ms.toFixed(0)).join(', ')} ms); groups and herd days then ${groups.toFixed(0)} ms`);

    // (b) One collar's 1,000 readings of the past day (a node flushing what it could not send), a new cow each time.
    const due = await measure(db, rollups, 5, (i) => backfill(1 + i * 7, end), () => backfill(cows, end), 'due');
    console.log(`refresh, one node 1000 median ${due.median.toFixed(1)} ms  (${due.hours.toLocaleString('en')} hourly buckets, ${due.days.toLocaleString('en')} days; runs ${due.runs.map((ms) => ms.toFixed(0)).join(', ')} ms) as scheduled: groups and herd every 10 s`);
    const node = await measure(db, rollups, 5, (i) => backfill(1 + i * 7 + 3, end), () => backfill(cows - 1, end), 'now');
    console.log(`refresh, one node 1000 median ${node.median.toFixed(1)} ms  (${node.hours.toLocaleString('en')} hourly buckets, ${node.days.toLocaleString('en')} days; runs ${node.runs.map((ms) => ms.toFixed(0)).join(', ')} ms) with the groups' and herd's days at once (flush)`);
    await rollups.close();
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Reading = StoredReading & { nodeId: number; value: number };

async function seed(db: Database, cows: number, steps: number, end: number): Promise<void> {
  await db.query(`INSERT INTO groups (name) SELECT 'Group ' || g FROM generate_series(1, 10) g`);
  await db.query(
    `INSERT INTO animals (tag, group_id) SELECT 'C' || a, g.id FROM generate_series(1, $1) a
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM groups) g ON g.k = a % 10`,
    [cows],
  );
  for (const metric of METRICS) {
    await withoutRollupTriggers(db).transaction((tx) =>
      tx.query(
        `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
         SELECT to_timestamp(($1::float8 - s * $2::float8) / 1000.0), a, a, 30 + random() * 10, $3::int2
           FROM generate_series(1, $4::int4) a, generate_series(1, $5::int4) s ORDER BY a, s DESC`,
        [end, STEP_MS, metric, cows, steps],
      ),
    );
  }
}

function herdRound(cows: number, ts: number): Reading[] {
  const out: Reading[] = [];
  for (let a = 1; a <= cows; a++) for (const m of METRICS) out.push({ animalId: a, groupId: null, metricId: m, ts, nodeId: a, value: 30 + Math.random() * 10 });
  return out;
}

/** 1,000 readings of one cow, 7 metrics at 10-minute steps back from `end`, from a second node. */
function backfill(cow: number, end: number): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; out.length < 1000; i++) for (const m of METRICS) if (out.length < 1000) out.push({ animalId: cow, groupId: null, metricId: m, ts: end - (i + 1) * STEP_MS + 60_000, nodeId: 100_000, value: 35 });
  return out;
}

async function store(db: Database, rows: Reading[]): Promise<void> {
  await withoutRollupTriggers(db).transaction((tx) =>
    tx.query(
      `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
       SELECT to_timestamp(ms / 1000.0), a, n, v, m FROM unnest($1::float8[], $2::int4[], $3::int4[], $4::float4[], $5::int2[]) AS u(ms, a, n, v, m)
       ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.ts), rows.map((r) => r.animalId), rows.map((r) => r.nodeId), rows.map((r) => r.value), rows.map((r) => r.metricId)],
    ),
  );
}

/** Stores a batch, marks it, and times the refresh alone; a warm-up batch first. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(db: Database, rollups: RollupService, runs: number, batch: (i: number) => Reading[], warmUp: () => Reading[], groups: 'now' | 'due') {
  const warm = warmUp();
  await store(db, warm);
  rollups.markDirty(warm);
  await rollups.refresh();
  const times: number[] = [];
  let last = { hours: 0, days: 0 };
  for (let i = 1; i <= runs; i++) {
    const rows = batch(i);
    await store(db, rows);
    rollups.markDirty(rows);
    const r = await rollups.refresh({ groups });
    times.push(r.ms);
    last = r;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, runs: times, ...last };
}

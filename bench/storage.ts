// Bytes per stored reading: inserts N readings (default 1,000,000) as the ingest path stores them, then
// measures the readings table with its indexes, and the whole data dir on disk.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '../app/db/index.ts';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { readings: { type: 'string', default: '1000000' }, cows: { type: 'string', default: '500' } } });
  const total = Number(values.readings);
  const cows = Number(values.cows);
  const dir = mkdtempSync(join(tmpdir(), 'ys-bench-storage-'));
  try {
    const db = await openDatabase({ dataDir: dir });
    await migrate(db);
    await db.exec(`INSERT INTO animals (tag) SELECT 'C' || g FROM generate_series(1, ${cows}) g;
      INSERT INTO nodes (name, kind, animal_id, token_hash) SELECT 'n' || id, 'collar', id, md5(id::text) FROM animals;`);
    const metrics = [1, 2, 3];
    const perCowPerMetric = Math.ceil(total / cows / metrics.length);
    const start = Date.parse('2026-01-01T00:00:00Z');
    const batch = 5000;
    let inserted = 0;
    const t0 = performance.now();
    let ts: string[] = [], animal: number[] = [], node: number[] = [], value: number[] = [], metric: number[] = [];
    const flush = async () => {
      await db.query(
        `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
         SELECT * FROM unnest($1::timestamptz[], $2::int4[], $3::int4[], $4::float4[], $5::int2[]) ON CONFLICT DO NOTHING`,
        [ts, animal, node, value, metric],
      );
      inserted += ts.length;
      ts = []; animal = []; node = []; value = []; metric = [];
    };
    outer: for (let i = 0; i < perCowPerMetric; i++) {
      const t = new Date(start + i * 600_000).toISOString();
      for (let c = 1; c <= cows; c++) {
        for (const m of metrics) {
          ts.push(t); animal.push(c); node.push(c); metric.push(m);
          value.push(m === 1 ? 38.5 + Math.random() : m === 2 ? Math.round(Math.random() * 2000) : Math.round(Math.random() * 60));
          if (ts.length === batch) await flush();
          if (inserted + ts.length >= total) break outer;
        }
      }
    }
    if (ts.length) await flush();
    const seconds = (performance.now() - t0) / 1000;
    await db.exec('VACUUM ANALYZE readings');
    await db.checkpoint();
    const { rows } = await db.query<{ n: number; heap: number; indexes: number; total: number }>(
      `SELECT count(*)::int AS n, pg_relation_size('readings')::float8 AS heap, pg_indexes_size('readings')::float8 AS indexes,
              pg_total_relation_size('readings')::float8 AS total FROM readings`,
    );
    const r = rows[0]!;
    await db.close();
    const du = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
    const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
    console.log(`readings stored        ${r.n.toLocaleString('en')}  (${cows} cows × 3 metrics, 10-min interval)`);
    console.log(`insert rate            ${Math.round(r.n / seconds).toLocaleString('en')} readings/s (5,000-row unnest batches through the worker)`);
    console.log(`heap                   ${mib(r.heap)}  = ${(r.heap / r.n).toFixed(1)} bytes/reading`);
    console.log(`indexes (primary key)  ${mib(r.indexes)}  = ${(r.indexes / r.n).toFixed(1)} bytes/reading`);
    console.log(`table + indexes        ${mib(r.total)}  = ${(r.total / r.n).toFixed(1)} bytes/reading`);
    console.log(`whole data dir         ${mib(du)}  (includes the ~40 MiB of a new database and WAL)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npm run bench -- export [--readings N] [--data-dir DIR] [--xlsx-rows N]`: exports N readings (default 10
// million) from PGlite as CSV, and about --xlsx-rows of them as XLSX (default 1.2 million: past Excel's sheet size,
// so a second sheet is written), and prints rows/s, the process's peak memory above its level just before the
// export, and the ratio to a baseline measured in the same run: PostgreSQL's own COPY of the same rows to a blob
// (the rate the database can hand rows out at, before any formatting). Exits 1 when the memory bound is exceeded.
//
// The database is seeded once per data dir (--data-dir keeps it for the next run: seeding 10M rows takes minutes).
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openDatabase, type Database } from '../app/db/index.ts';
import { resolveExport } from '../app/main/reports/export-options.ts';
import { EXPORT_MEMORY_BOUND_MIB, writeExport } from '../app/main/reports/exporter.ts';


const MiB = 1024 * 1024;
const ANIMALS = 1000;

async function seed(db: Database, readings: number): Promise<void> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM readings');
  if (Number(rows[0]!.n) >= readings) return;
  process.stdout.write(`seeding ${readings.toLocaleString('en-US')} readings (${ANIMALS} animals × 2 metrics, every 10 minutes)…\n`);
  await db.exec(`
    INSERT INTO groups (id, name) VALUES (1, 'Barn A'), (2, 'Barn B') ON CONFLICT DO NOTHING;
    INSERT INTO animals (id, tag, official_id, name, group_id)
      SELECT i, (1000 + i)::text, 'DE 01 ' || lpad(i::text, 9, '0'), 'Cow ' || i, 1 + i % 2 FROM generate_series(1, ${ANIMALS}) i ON CONFLICT DO NOTHING;
    INSERT INTO nodes (id, name, kind, token_hash) VALUES (1, 'collar bench', 'collar', 'bench') ON CONFLICT DO NOTHING;
  `);
  const perSeries = Math.ceil(readings / (ANIMALS * 2));
  const chunk = 50; // animals per statement
  const started = Date.now();
  for (let a = 1; a <= ANIMALS; a += chunk) {
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('yoctosehns.rollups', 'off', true)`);
      // In primary-key order, so the index grows at its right edge.
      await tx.query(
        `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
         SELECT '2025-01-01T00:00:00Z'::timestamptz + i * interval '10 minutes', a, 1, CASE m WHEN 1 THEN 38 + (i % 19) / 10.0 ELSE (i * 37) % 600 END, m
         FROM generate_series($1::int, $2::int) a, generate_series(1, 2) m, generate_series(0, $3::int - 1) i`,
        [a, Math.min(ANIMALS, a + chunk - 1), perSeries],
      );
    });
    const done = Math.min(ANIMALS, a + chunk - 1) * 2 * perSeries;
    process.stdout.write(`  ${done.toLocaleString('en-US')} readings (${Math.round(done / ((Date.now() - started) / 1000)).toLocaleString('en-US')}/s)\n`);
  }
  await db.checkpoint();
}

interface Measured {
  rows: number;
  seconds: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  bytes: number;
}

async function measure(run: () => Promise<{ rows: number; bytes: number }>): Promise<Measured> {
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const t = performance.now();
  try {
    const { rows, bytes } = await run();
    return { rows, bytes, seconds: (performance.now() - t) / 1000, peakRssMiB: (peakRss - base.rss) / MiB, peakHeapMiB: peakHeap / MiB };
  } finally {
    clearInterval(timer);
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { readings: { type: 'string' }, 'data-dir': { type: 'string' }, 'xlsx-rows': { type: 'string' } } });
  const readings = Number(values.readings ?? 10_000_000);
  const xlsxRows = Number(values['xlsx-rows'] ?? 1_200_000);
  const dataDir = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'ys-bench-export-'));
  const keep = values['data-dir'] !== undefined;
  const out = mkdtempSync(join(tmpdir(), 'ys-bench-export-out-'));
  const db = await openDatabase({ dataDir });
  try {
    await migrate(db);
    await seed(db, readings);
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM readings');
    const total = Number(rows[0]!.n);

    // Baseline: PostgreSQL's COPY of the same rows, in the same pages, with no formatting of ours.
    const baseline = await measure(async () => {
      let n = 0;
      let bytes = 0;
      let cursor = '(0, 0, \'-infinity\'::timestamptz, 0)';
      for (;;) {
        const text = await db.transaction((tx) =>
          tx.copyTo!(`COPY (SELECT animal_id, metric_id, node_id, value, ts::text FROM readings WHERE (animal_id, metric_id, ts, node_id) > ${cursor} ORDER BY animal_id, metric_id, ts, node_id LIMIT 20000) TO '/dev/blob' WITH (FORMAT csv)`),
        );
        const lines = text.split('\n');
        lines.pop();
        n += lines.length;
        bytes += text.length;
        if (lines.length < 20000) break;
        const last = lines.at(-1)!.split(',');
        cursor = `(${last[0]}, ${last[1]}, '${last[4]}'::timestamptz, ${last[2]})`;
      }
      return { rows: n, bytes };
    });

    const csvFile = join(out, 'readings.csv');
    const csv = await measure(async () => {
      const x = await resolveExport(db, { subject: 'readings', format: 'csv' });
      let last = Date.now();
      const result = await writeExport(db, x, createWriteStream(csvFile), {
        onProgress: (p) => {
          if (Date.now() - last < 10_000) return;
          last = Date.now();
          process.stdout.write(`  csv: ${p.rows.toLocaleString('en-US')} of about ${p.estimatedRows?.toLocaleString('en-US')} rows\n`);
        },
      });
      return { rows: result.rows, bytes: statSync(csvFile).size };
    });
    rmSync(csvFile);

    // XLSX of the first animals' readings, about xlsxRows of them.
    const perAnimal = total / ANIMALS;
    const animals = Array.from({ length: Math.max(1, Math.ceil(xlsxRows / perAnimal)) }, (_, i) => String(1001 + i));
    const xlsxFile = join(out, 'readings.xlsx');
    const xlsx = await measure(async () => {
      const x = await resolveExport(db, { subject: 'readings', format: 'xlsx', animals });
      const result = await writeExport(db, x, createWriteStream(xlsxFile));
      return { rows: result.rows, bytes: statSync(xlsxFile).size };
    });
    rmSync(xlsxFile);

    const line = (name: string, m: Measured) =>
      `${name.padEnd(22)} ${m.rows.toLocaleString('en-US').padStart(12)} rows  ${m.seconds.toFixed(1).padStart(7)} s  ${Math.round(m.rows / m.seconds).toLocaleString('en-US').padStart(9)} rows/s  ` +
      `${(m.bytes / MiB).toFixed(0).padStart(6)} MiB out  peak RSS +${m.peakRssMiB.toFixed(0)} MiB  peak heap ${m.peakHeapMiB.toFixed(0)} MiB`;
    process.stdout.write(`\nexport of ${total.toLocaleString('en-US')} readings from PGlite (${dataDir})\n`);
    process.stdout.write(line('baseline: COPY only', baseline) + '\n');
    process.stdout.write(line('CSV export', csv) + '\n');
    process.stdout.write(line('XLSX export', xlsx) + '\n');
    process.stdout.write(`CSV rate / COPY rate: ${(csv.rows / csv.seconds / (baseline.rows / baseline.seconds)).toFixed(2)}\n`);
    const worst = Math.max(csv.peakRssMiB, xlsx.peakRssMiB);
    process.stdout.write(`memory bound: +${EXPORT_MEMORY_BOUND_MIB} MiB resident; worst export +${worst.toFixed(0)} MiB: ${worst <= EXPORT_MEMORY_BOUND_MIB ? 'within' : 'EXCEEDED'}\n`);
    if (csv.rows !== total) throw new Error(`the CSV export wrote ${csv.rows} rows of ${total}`);
    if (worst > EXPORT_MEMORY_BOUND_MIB) process.exitCode = 1;
  } finally {
    await db.close();
    rmSync(out, { recursive: true, force: true });
    if (!keep && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

// A large export stays under a fixed memory bound: a million readings from PGlite on disk to a CSV file, the
// process's resident memory sampled throughout. The same bound holds at 10 million in `npm run bench -- export`
// (seeding 10M rows takes minutes, too long for every test run); the figures are in docs/reports.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase } from '../../db/testing/snapshot.ts';
import { resolveExport } from './export-options.ts';
import { EXPORT_MEMORY_BOUND_MIB, writeExport } from './exporter.ts';

const ROWS = 1_000_000;
const ANIMALS = 100;

test(`an export of ${ROWS.toLocaleString('en-US')} readings adds less than ${EXPORT_MEMORY_BOUND_MIB} MiB to the process, and loses no row`, { timeout: 600_000 }, async () => {
  const { db, cleanup } = await openTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'ys-export-mem-'));
  try {
    await db.exec(`
      INSERT INTO animals (id, tag) SELECT i, (1000 + i)::text FROM generate_series(1, ${ANIMALS}) i;
      INSERT INTO nodes (id, name, kind, token_hash) VALUES (1, 'collar', 'collar', 'x');
    `);
    for (let a = 1; a <= ANIMALS; a += 20) {
      await db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('yoctosehns.rollups', 'off', true)`);
        await tx.query(
          `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
           SELECT '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 minute', a, 1, 38 + (i % 19) / 10.0, 1
           FROM generate_series($1::int, $2::int) a, generate_series(0, $3::int - 1) i`,
          [a, a + 19, ROWS / ANIMALS],
        );
      });
    }
    const file = join(dir, 'readings.csv');
    const x = await resolveExport(db, { subject: 'readings', format: 'csv', utc: true });
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    let result;
    try {
      result = await writeExport(db, x, createWriteStream(file));
    } finally {
      clearInterval(sample);
    }
    const addedMiB = (peak - base) / 1024 / 1024;
    const sizeMiB = statSync(file).size / 1024 / 1024;
    console.log(`exported ${result.rows} rows (${sizeMiB.toFixed(0)} MiB of CSV); resident memory grew by at most ${addedMiB.toFixed(0)} MiB`);
    assert.equal(result.rows, ROWS);
    assert.ok(addedMiB < EXPORT_MEMORY_BOUND_MIB, `the export added ${addedMiB.toFixed(0)} MiB (bound ${EXPORT_MEMORY_BOUND_MIB} MiB)`);
    // The file holds every row once, in key order: the last line is the last animal's last minute.
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\r\n');
    assert.equal(lines.length - 2, ROWS);
    assert.equal(lines[1]!.slice(0, 26), '2026-01-01T00:00:00Z,1001,');
    const lastTs = new Date(Date.parse('2026-01-01T00:00:00Z') + (ROWS / ANIMALS - 1) * 60_000).toISOString().replace('.000Z', 'Z');
    assert.equal(lines.at(-2)!.slice(0, lastTs.length + 5), `${lastTs},${1000 + ANIMALS}`);
  } finally {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

// An export from the CLI with no office running reads the rollups from the database itself: statistics the
// office did not recompute before it stopped (noted in office.rollup_dirty) are recomputed first.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { runCli } from './support/processes.ts';

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-cli-export-');
const env = { YOCTOSEHNS_INIT_SNAPSHOT: snapshot, YOCTOSEHNS_DISCOVERY: 'false' };
after(cleanup);

test('an offline daily export recomputes the noted statistics first, and says so', async () => {
  const sql = async (text: string) => {
    const r = await runCli(['sql', text, '--data-dir', dataDir], env);
    assert.equal(r.code, 0, r.stderr);
  };
  assert.equal((await runCli(['node', 'add', '--name', 'bolus-1', '--kind', 'bolus', '--json', '--data-dir', dataDir], env)).code, 0);
  await sql(`INSERT INTO animals (tag) VALUES ('C1')`);
  // Written with no office running: the triggers note the buckets, nobody recomputes them yet.
  await sql(
    `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
     SELECT TIMESTAMPTZ '2026-03-10T06:00:00Z' + g * interval '1 hour', (SELECT id FROM animals WHERE tag = 'C1'), (SELECT id FROM nodes LIMIT 1),
            38 + g / 10.0, (SELECT id FROM metrics WHERE key = 'temperature')
       FROM generate_series(0, 4) g`,
  );
  const out = join(dataDir, 'daily.csv');
  const r = await runCli(['export', 'readings', '--format', 'csv', '--out', out, '--from', '2026-03-10', '--to', '2026-03-11', '--resolution', 'daily', '--utc', '--data-dir', dataDir], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /bringing the statistics up to date first: \d+ noted buckets/);
  const lines = readFileSync(out, 'utf8').trim().split('\r\n');
  assert.equal(lines.length, 2, `a header and the cow's day: ${lines.join(' | ')}`);
  assert.match(lines[1]!, /C1/);
  assert.match(lines[1]!, /,38\.2,/, 'the day mean of 38.0 … 38.4');

  // Nothing left to recompute: the next export goes straight to the file.
  const again = await runCli(['export', 'readings', '--format', 'csv', '--out', out, '--from', '2026-03-10', '--to', '2026-03-11', '--resolution', 'daily', '--utc', '--data-dir', dataDir], env);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /bringing the statistics/);
});

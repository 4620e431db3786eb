// The simulator against a real office: it provisions its nodes through the office, posts over HTTP,
// writes its ground truth, and a second run on the same data dir reuses its nodes and posts nothing twice.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestOffice } from '../testing/test-office.ts';
import { runSimulation } from './run-simulation.ts';
import { EVENT_KINDS } from './model.ts';

const office = await startTestOffice();
after(() => office.close());
const HOUR = 3_600_000;

test('a simulated herd arrives in the office with its ground truth, and a second run adds nothing twice', async () => {
  const eventsFile = join(office.dataDir, 'truth.jsonl');
  const options = {
    dataDir: office.dataDir,
    ingestUrl: office.ingestUrl,
    cows: 4,
    seed: 7,
    intervalMs: 10 * 60_000,
    backfillMs: 48 * HOUR,
    durationMs: 0,
    inject: EVENT_KINDS,
    eventsFile,
    log: () => {},
  };
  const first = await runSimulation(options);
  assert.equal(first.cows, 4);
  const { rows } = await office.db.query<{ tag: string; key: string; n: number }>(
    `SELECT a.tag, m.key, count(*)::int AS n FROM readings r JOIN animals a ON a.id = r.animal_id JOIN metrics m ON m.id = r.metric_id
      GROUP BY a.tag, m.key ORDER BY a.tag, m.key`,
  );
  assert.equal(new Set(rows.map((r) => r.tag)).size, 4, 'every cow has readings');
  assert.deepEqual([...new Set(rows.map((r) => r.key))].sort(), ['activity', 'rumination', 'temperature']);
  // 48 h at 10 minutes is 288 readings per metric; a node made silent posts fewer.
  assert.ok(rows.every((r) => r.n > 0 && r.n <= 289), JSON.stringify(rows));
  const nodes = await office.db.query<{ n: number }>('SELECT count(*)::int AS n FROM nodes');
  assert.equal(nodes.rows[0]!.n, 8, 'a collar and a bolus per cow');
  const truth = readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  for (const e of truth) {
    assert.ok(['heat', 'fever', 'calving', 'silent_node'].includes(e.kind));
    assert.ok(!Number.isNaN(Date.parse(e.onset)));
  }
  // A cow whose calving the data shows has the due date a farm records (the calving rule watches near it).
  const calvings = truth.filter((t) => t.kind === 'calving');
  assert.ok(calvings.length > 0, 'the two days show a calving (the herd has dry cows)');
  for (const e of calvings) {
    const { rows: cow } = await office.db.query<{ due: string }>(`SELECT to_char(due_date, 'YYYY-MM-DD') AS due FROM animals WHERE tag = $1`, [e.animal]);
    assert.equal(cow[0]?.due, e.details.due_date, `${e.animal}'s due date`);
  }
  const quarantined = await office.db.query<{ n: number }>('SELECT count(*)::int AS n FROM quarantined_readings');
  assert.equal(quarantined.rows[0]!.n, 0, 'the simulator sends only plausible readings');

  const before = (await office.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings')).rows[0]!.n;
  const second = await runSimulation(options);
  assert.equal(second.nodes.provisioned, 0, 'its nodes are reused');
  const afterCount = (await office.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings')).rows[0]!.n;
  assert.ok(afterCount - before <= 8 * 3, 'at most the readings of the minutes that passed are new');
});

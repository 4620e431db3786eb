// Durability of acknowledged readings: the office killed with SIGKILL at random moments under sustained
// ingest, and a simulated power cut (the data dir rolled back to an earlier copy, the journal kept).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { openDatabase } from '../app/db/index.ts';
import { RollupService } from '../app/main/stats/rollups.ts';
import { silentLogger } from '../app/main/log.ts';
import { runCli, startServe, type ServeProcess } from './support/processes.ts';

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-durable-');
const env = { YOCTOSEHNS_INIT_SNAPSHOT: snapshot, YOCTOSEHNS_DISCOVERY: 'false' };
after(cleanup);

const added = await runCli(['node', 'add', '--name', 'gateway-1', '--kind', 'gateway', '--json', '--data-dir', dataDir], env);
const { token, id: nodeId } = JSON.parse(added.stdout) as { token: string; id: number };
const BASE = Date.now() - 30 * 86_400_000;
let counter = 0;

/** Readings the office acknowledged with 200, as "tag@ms" keys. */
const acked = new Set<string>();

/** Posts batches from `workers` concurrent nodes until stopped; records what was acknowledged. */
function sustainedIngest(office: ServeProcess, workers = 6) {
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const batch = Array.from({ length: 50 }, () => {
        const n = counter++;
        return { animal: `T${n % 20}`, metric: 'activity', ts: BASE + n * 1000, value: n % 1000 };
      });
      try {
        const res = await fetch(`${office.ingest}/v1/readings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ readings: batch }),
        });
        if (res.status === 200) {
          const body = (await res.json()) as { accepted: number; duplicates: number };
          assert.equal(body.accepted + body.duplicates, batch.length);
          for (const r of batch) acked.add(`${r.animal}@${r.ts}`);
        }
      } catch {
        return; // the office is gone: what was not answered was not acknowledged
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function storedKeys(): Promise<Set<string>> {
  const db = await openDatabase({ dataDir });
  try {
    const { rows } = await db.query<{ tag: string; ms: number }>(
      `SELECT a.tag, (extract(epoch FROM r.ts) * 1000)::float8 AS ms FROM readings r JOIN animals a ON a.id = r.animal_id WHERE r.node_id = $1`,
      [nodeId],
    );
    return new Set(rows.map((r) => `${r.tag}@${Math.round(r.ms)}`));
  } finally {
    await db.close();
  }
}

function missing(stored: Set<string>): string[] {
  return [...acked].filter((k) => !stored.has(k));
}

test('kill -9 at random moments under sustained ingest loses no acknowledged reading, and the database opens', async () => {
  for (let round = 0; round < 5; round++) {
    const office = await startServe(dataDir, env);
    const load = sustainedIngest(office);
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500));
    await office.kill9();
    await load.stop();
  }
  assert.ok(acked.size > 1000, `only ${acked.size} readings were acknowledged`);
  const office = await startServe(dataDir, env); // replays the journal
  assert.equal(await office.stop(), 0);
  assert.deepEqual(missing(await storedKeys()), []);
  assert.deepEqual(readdirSync(join(dataDir, 'journal')), [], 'a clean stop leaves the journal empty');
});

test('power cut: the data dir rolled back to an earlier copy, the journal kept — no acknowledged reading is missing', async () => {
  const backup = `${dataDir}-copy`;
  rmSync(backup, { recursive: true, force: true });
  cpSync(join(dataDir, 'pgdata'), backup, { recursive: true }); // the state the disk held before the cut
  const before = acked.size;
  const office = await startServe(dataDir, env);
  const load = sustainedIngest(office, 4);
  await new Promise((r) => setTimeout(r, 1500));
  await load.stop();
  assert.ok(acked.size > before + 200, 'readings were acknowledged after the copy');
  await office.kill9();
  // Everything PGlite wrote since the copy is lost, as after a power cut with unsynced writes.
  rmSync(join(dataDir, 'pgdata'), { recursive: true, force: true });
  cpSync(backup, join(dataDir, 'pgdata'), { recursive: true });
  rmSync(backup, { recursive: true, force: true });
  assert.ok(missing(await storedKeys()).length > 0, 'the rolled-back database lacks the newest readings');
  const restarted = await startServe(dataDir, env);
  assert.equal(await restarted.stop(), 0);
  assert.deepEqual(missing(await storedKeys()), [], 'the journal restored every acknowledged reading');

  // The replayed readings' statistics: the start noted them in the database, the office recomputed what it had
  // time for, and what is still noted is recomputed here. Then every reading is counted in the hourly rollups.
  const db = await openDatabase({ dataDir });
  try {
    const rollups = new RollupService(db, { log: silentLogger });
    await rollups.flush();
    await rollups.close();
    const { rows } = await db.query<{ raw: number; hourly: number; notes: number }>(
      `SELECT (SELECT count(*)::int FROM readings) AS raw, (SELECT coalesce(sum(n), 0)::int FROM readings_hourly) AS hourly,
              (SELECT count(*)::int FROM office.rollup_dirty) AS notes`,
    );
    assert.deepEqual(rows[0], { raw: rows[0]!.raw, hourly: rows[0]!.raw, notes: 0 }, 'the hourly rollups count every stored reading');
  } finally {
    await db.close();
  }
});

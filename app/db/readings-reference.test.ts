// Migration 0012 replaced readings.animal_id's FOREIGN KEY with statement-level triggers (COPY ran at half speed
// with it). Each guarantee the foreign key gave is checked here against the triggers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase } from './testing/snapshot.ts';

test('readings.animal_id: inserts, COPY and updates naming a missing animal fail as with a foreign key; delete, truncate and a changed id behave as before', async () => {
  const { db, cleanup } = await openTestDatabase();
  try {
    await db.exec(`
      INSERT INTO animals (tag) VALUES ('A'), ('B');
      INSERT INTO nodes (name, kind, token_hash) VALUES ('n', 'collar', 'x');`);
    const [a, b] = (await db.query<{ id: number }>('SELECT id FROM animals ORDER BY id')).rows.map((r) => r.id) as [number, number];
    const node = (await db.query<{ id: number }>('SELECT id FROM nodes')).rows[0]!.id;
    const count = async (where = 'TRUE') => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE ${where}`)).rows[0]!.n;
    const fk = { code: '23503' };
    await db.exec(`INSERT INTO readings (ts, animal_id, node_id, value, metric_id) VALUES
      ('2026-11-01T00:00:00Z', ${a}, ${node}, 38.5, 1), ('2026-11-01T00:15:00Z', ${a}, ${node}, 38.6, 1), ('2026-11-01T00:00:00Z', ${b}, ${node}, 39.0, 1)`);

    // A missing animal among good ones: the whole statement fails, nothing of it is stored.
    await assert.rejects(
      db.query(`INSERT INTO readings (ts, animal_id, node_id, value, metric_id) VALUES ('2026-11-01T01:00:00Z', $1, $2, 38, 1), ('2026-11-01T01:00:00Z', 999999, $2, 38, 1)`, [a, node]),
      (err: { code?: string; message: string }) => err.code === fk.code && /readings_animal_id_fkey/.test(err.message),
    );
    await assert.rejects(
      db.transaction((tx) => tx.copyFrom!(`COPY readings (ts, animal_id, node_id, value, metric_id) FROM '/dev/blob' WITH (FORMAT csv)`, `2026-11-01T02:00:00Z,${a},${node},38,1\n2026-11-01T02:00:00Z,424242,${node},38,1\n`)),
      (err: { code?: string }) => err.code === fk.code,
    );
    await assert.rejects(db.query(`UPDATE readings SET animal_id = 999999 WHERE animal_id = $1`, [b]), (err: { code?: string }) => err.code === fk.code);
    assert.equal(await count(), 3, 'nothing of the refused statements was stored or changed');

    // An animal's id cannot change while it has readings; without readings it can.
    await assert.rejects(db.query(`UPDATE animals SET id = 777777 WHERE id = $1`, [a]), (err: { code?: string }) => err.code === fk.code);
    await db.exec(`INSERT INTO animals (tag) VALUES ('C')`);
    await db.exec(`UPDATE animals SET id = 888888 WHERE tag = 'C'`);
    await db.exec(`UPDATE animals SET name = 'Berta' WHERE id = ${a}`);

    // Deleting an animal deletes her readings, and only hers.
    await db.exec(`DELETE FROM animals WHERE id = ${a}`);
    assert.equal(await count(`animal_id = ${a}`), 0);
    assert.equal(await count(`animal_id = ${b}`), 1);

    // TRUNCATE animals CASCADE empties readings too, also when the same command names readings itself.
    const some = `INSERT INTO animals (id, tag) VALUES (${b + 10}, 'D') ON CONFLICT DO NOTHING;
      INSERT INTO readings (ts, animal_id, node_id, value, metric_id) VALUES ('2026-11-02T00:00:00Z', ${b + 10}, ${node}, 38, 1) ON CONFLICT DO NOTHING`;
    await db.exec('TRUNCATE animals CASCADE');
    assert.equal(await count(), 0);
    await db.exec(some);
    assert.equal(await count(), 1);
    await db.exec('TRUNCATE groups, animals, readings RESTART IDENTITY CASCADE');
    assert.equal(await count(), 0);
  } finally {
    await cleanup();
  }
});

// Migration 0013: the animals a statement names are locked (FOR KEY SHARE) only on a PostgreSQL server, where
// another session could delete one of them before the readings commit. PGlite is one session.
test('on PGlite, inserting readings leaves the animals unlocked (one session: a lock protects nothing)', async () => {
  const { db, cleanup } = await openTestDatabase();
  try {
    await db.exec(`INSERT INTO animals (tag) VALUES ('A'); INSERT INTO nodes (name, kind, token_hash) VALUES ('n', 'collar', 'x')`);
    await db.transaction(async (tx) => {
      await tx.exec(`INSERT INTO readings (ts, animal_id, node_id, value, metric_id) SELECT '2026-11-01T00:00:00Z', a.id, n.id, 38.5, 1 FROM animals a, nodes n`);
      // A row lock taken by this transaction would show as its xmax.
      const { rows } = await tx.query<{ xmax: string }>(`SELECT xmax::text FROM animals WHERE tag = 'A'`);
      assert.equal(rows[0]!.xmax, '0');
    });
    // The check itself still runs.
    await assert.rejects(
      db.query(`INSERT INTO readings (ts, animal_id, node_id, value, metric_id) VALUES ('2026-11-01T00:00:00Z', 999999, 1, 38, 1)`),
      (err: { code?: string }) => err.code === '23503',
    );
  } finally {
    await cleanup();
  }
});

const serverUrl = process.env.YOCTOSEHNS_TEST_DATABASE_URL;
test(
  'on a PostgreSQL server, an animal named by uncommitted readings cannot be deleted until they commit (then her readings go with her)',
  { skip: serverUrl ? false : 'no PostgreSQL server: set YOCTOSEHNS_TEST_DATABASE_URL (npm test starts one when the postgresql package is installed)' },
  async () => {
    const { default: pg } = await import('pg');
    const { randomBytes } = await import('node:crypto');
    const { openPostgres } = await import('./postgres-client.ts');
    const { migrate } = await import('./migrate.ts');
    const name = `ys_refs_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const db = await openPostgres(url.toString());
    const writer = new pg.Client({ connectionString: url.toString() });
    const deleter = new pg.Client({ connectionString: url.toString() });
    try {
      await migrate(db);
      await db.exec(`INSERT INTO animals (tag) VALUES ('A'); INSERT INTO nodes (name, kind, token_hash) VALUES ('n', 'collar', 'x')`);
      await writer.connect();
      await deleter.connect();
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO readings (ts, animal_id, node_id, value, metric_id) SELECT '2026-11-01T00:00:00Z', a.id, n.id, 38.5, 1 FROM animals a, nodes n`);
      await deleter.query(`SET lock_timeout = '300ms'`);
      await assert.rejects(deleter.query(`DELETE FROM animals WHERE tag = 'A'`), (err: { code?: string }) => err.code === '55P03', 'the delete waits for the readings');
      await writer.query('COMMIT');
      await deleter.query(`DELETE FROM animals WHERE tag = 'A'`);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
      assert.equal(rows[0]!.n, 0);
    } finally {
      await writer.end().catch(() => undefined);
      await deleter.end().catch(() => undefined);
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  },
);

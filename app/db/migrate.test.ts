import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMigrations, migrate, MigrationHistoryError, type Migration } from './migrate.ts';
import { openTestDatabase } from './testing/snapshot.ts';
import { DatabaseError } from './types.ts';

test('migrations are numbered without gaps and the snapshot has them all recorded', async () => {
  const files = await loadMigrations();
  assert.deepEqual(files.map((m) => m.id), files.map((_, i) => i + 1));
  const t = await openTestDatabase();
  try {
    const { rows } = await t.db.query<{ id: number; checksum: string }>('SELECT id, checksum FROM office.schema_migrations ORDER BY id');
    assert.deepEqual(rows.map((r) => r.checksum), files.map((m) => m.checksum));
    assert.deepEqual((await migrate(t.db)).applied, [], 'nothing is applied twice');
  } finally {
    await t.cleanup();
  }
});

test('start refuses a database whose history does not match the files', async () => {
  const t = await openTestDatabase();
  try {
    const files = await loadMigrations();
    const edited: Migration[] = files.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
    await assert.rejects(migrate(t.db, edited), MigrationHistoryError);
    await assert.rejects(migrate(t.db, []), /does not have/);
  } finally {
    await t.cleanup();
  }
});

test('a failing migration is rolled back whole and not recorded', async () => {
  const t = await openTestDatabase();
  try {
    const files = await loadMigrations();
    const bad: Migration = { id: files.length + 1, name: 'bad', checksum: 'x', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;' };
    await assert.rejects(migrate(t.db, [...files, bad]), (err: unknown) => err instanceof DatabaseError && /no_such_table/.test(err.message));
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'`);
    assert.equal(rows[0]!.n, 0);
    const recorded = await t.db.query('SELECT id FROM office.schema_migrations');
    assert.equal(recorded.rows.length, files.length);
  } finally {
    await t.cleanup();
  }
});

test('errors carry the statement and its parameters; a failed transaction leaves nothing', async () => {
  const t = await openTestDatabase();
  try {
    await assert.rejects(t.db.query('SELECT * FROM animals WHERE id = $1 AND nope', [7]), (err: unknown) => {
      assert.ok(err instanceof DatabaseError);
      assert.match(err.query, /WHERE id = \$1/);
      assert.deepEqual(err.params, [7]);
      assert.equal(err.code, '42703');
      return true;
    });
    await assert.rejects(
      t.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO groups (name) VALUES ('kept?')`);
        throw new Error('boom');
      }),
      /boom/,
    );
    const { rows } = await t.db.query(`SELECT * FROM groups WHERE name = 'kept?'`);
    assert.equal(rows.length, 0);
    // The connection is usable after a rollback.
    assert.equal((await t.db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
  } finally {
    await t.cleanup();
  }
});

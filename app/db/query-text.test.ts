// queryText: a statement prepared once for its text and then only bound and run. The same answers as query()
// on both backends, through errors, DDL under a prepared statement, transactions and more statements than the
// session keeps. The server half runs where YOCTOSEHNS_TEST_DATABASE_URL names a scratch database.
import assert from 'node:assert/strict';
import { testOnBothBackends } from './testing/both-backends.ts';
import type { Database } from './types.ts';

async function check(db: Database): Promise<void> {
  const table = `ys_query_text_${process.pid}`;
  await db.exec(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (id int PRIMARY KEY, name text, at timestamptz, tags text[], doc jsonb)`);
  try {
    const insert = `INSERT INTO ${table} (id, name, at, tags, doc) VALUES ($1, $2, $3, $4, $5) RETURNING id`;
    // Values of several types go through the statement's parameter types, as with query().
    for (let id = 1; id <= 20; id++) {
      assert.deepEqual(await db.queryText(insert, [id, `cow ${id}`, new Date(Date.UTC(2026, 2, id, 6)), ['a', `b ${id}`], { n: id }]), [[String(id)]]);
    }
    const select = `SELECT name, at, tags, doc::text, $2::text AS echo FROM ${table} WHERE id = $1`;
    assert.deepEqual(await db.queryText(select, [7, 'x']), [['cow 7', '2026-03-07 06:00:00+00', '{a,"b 7"}', '{"n": 7}', 'x']]);
    assert.deepEqual(await db.queryText(select, [8, null]), [['cow 8', '2026-03-08 06:00:00+00', '{a,"b 8"}', '{"n": 8}', null]]);
    assert.deepEqual(await db.queryText(select, [99, 'x']), []);

    // A failing execution (a duplicate key) names the statement, and the next one runs.
    await assert.rejects(db.queryText(insert, [1, 'again', null, null, null]), (err: Error & { code?: string; query?: string }) => err.code === '23505' && err.query === insert);
    assert.deepEqual(await db.queryText(select, [1, 'y']), [['cow 1', '2026-03-01 06:00:00+00', '{a,"b 1"}', '{"n": 1}', 'y']]);
    // A statement that does not parse is not kept.
    await assert.rejects(db.queryText(`SELEC 1`, []), (err: Error & { code?: string }) => err.code === '42601');
    await assert.rejects(db.queryText(`SELEC 1`, []), (err: Error & { code?: string }) => err.code === '42601');

    // DDL under a prepared statement: PostgreSQL re-plans it; a dropped column is an error, then the statement
    // is prepared again and works once the column is back.
    const count = `SELECT count(*) FROM ${table} WHERE name LIKE $1`;
    assert.deepEqual(await db.queryText(count, ['cow 1%']), [['11']]);
    await db.exec(`ALTER TABLE ${table} ADD COLUMN extra int`);
    assert.deepEqual(await db.queryText(count, ['cow 1%']), [['11']]);
    await db.exec(`ALTER TABLE ${table} RENAME COLUMN name TO label`);
    await assert.rejects(db.queryText(count, ['cow 1%']), (err: Error & { code?: string }) => err.code === '42703');
    await db.exec(`ALTER TABLE ${table} RENAME COLUMN label TO name`);
    assert.deepEqual(await db.queryText(count, ['cow 1%']), [['11']]);

    // In a transaction: a rolled-back insert through a prepared statement is gone.
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.queryText(insert, [100, 'temporary', null, null, null]);
        assert.deepEqual(await tx.queryText(select, [100, 'in']), [['temporary', null, null, null, 'in']]);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await db.queryText(select, [100, 'out']), []);

    // More statements than a session keeps (256): the oldest are closed and prepared again when used.
    for (let k = 0; k < 300; k++) assert.deepEqual(await db.queryText(`SELECT $1::int + ${k}`, [1]), [[String(1 + k)]]);
    for (let k = 0; k < 300; k += 37) assert.deepEqual(await db.queryText(`SELECT $1::int + ${k}`, [2]), [[String(2 + k)]]);
    assert.deepEqual(await db.queryText(select, [3, 'z']), [['cow 3', '2026-03-03 06:00:00+00', '{a,"b 3"}', '{"n": 3}', 'z']]);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${table}`);
  }
}

testOnBothBackends('queryText gives the same answers', check);

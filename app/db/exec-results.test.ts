// execResults gives the same answer from PGlite and from a PostgreSQL server: one result per statement, values
// as PostgreSQL's text. The server half runs where YOCTOSEHNS_TEST_DATABASE_URL names a scratch database.
import assert from 'node:assert/strict';
import { testOnBothBackends } from './testing/both-backends.ts';
import type { Database, TextResult } from './types.ts';

const SQL = `
  CREATE TEMP TABLE ys_exec_results (id int PRIMARY KEY, n numeric, ts timestamptz, doc jsonb, tags text[], ok boolean, big bigint, raw bytea);
  INSERT INTO ys_exec_results VALUES (1, 1.50, '2026-03-01T06:30:00Z', '{"b": [1, 2], "a": null}', '{a,"b c"}', true, 9007199254740993, '\\x00ff'),
                                     (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  UPDATE ys_exec_results SET ok = false WHERE id = 2;
  SELECT * FROM ys_exec_results ORDER BY id;
  SELECT 1 AS x, 2 AS x;
  DROP TABLE ys_exec_results`;

const EXPECTED: TextResult[] = [
  { command: 'CREATE', fields: [], rows: [], rowCount: undefined },
  { command: 'INSERT', fields: [], rows: [], rowCount: 2 },
  { command: 'UPDATE', fields: [], rows: [], rowCount: 1 },
  {
    command: 'SELECT',
    fields: ['id', 'n', 'ts', 'doc', 'tags', 'ok', 'big', 'raw'],
    rows: [
      ['1', '1.50', '2026-03-01 06:30:00+00', '{"a": null, "b": [1, 2]}', '{a,"b c"}', 't', '9007199254740993', '\\x00ff'],
      ['2', null, null, null, null, 'f', null, null],
    ],
    rowCount: 2,
  },
  { command: 'SELECT', fields: ['x', 'x'], rows: [['1', '2']], rowCount: 1 },
  { command: 'DROP', fields: [], rows: [], rowCount: undefined },
];

async function check(db: Database): Promise<void> {
  assert.deepEqual(await db.execResults(SQL), EXPECTED);
  // Inside a transaction too, and an error names the statement.
  await assert.rejects(
    db.transaction((tx) => tx.execResults('SELECT 1; SELECT * FROM ys_nowhere')),
    (err: Error & { code?: string; query?: string }) => err.code === '42P01' && err.query === 'SELECT 1; SELECT * FROM ys_nowhere',
  );
  const [empty] = await db.execResults('-- nothing');
  assert.deepEqual(empty?.fields, []);
}

testOnBothBackends('execResults gives the same answer', check);

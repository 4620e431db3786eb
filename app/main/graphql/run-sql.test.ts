import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';
import { mayChangeSchema, statementHeads } from './run-sql.ts';

let office: TestOffice;
before(async () => {
  office = await startTestOffice();
});
after(() => office.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${office.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...office.adminHeaders, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
const runSql = (sql: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  post('/v2/query', { type: 'run_sql', args: { source: 'default', sql, ...extra } }, headers);

test('run_sql: rows come back as TuplesOk, column names first, every value as PostgreSQL text, NULL as null', async () => {
  const res = await runSql(
    `SELECT 1 AS int, 1.50::numeric AS num, true AS bool, NULL::text AS nothing, '2026-01-01T00:00:00Z'::timestamptz AS ts,
            '{"a": 1}'::jsonb AS doc, ARRAY[1,2] AS arr, 'x''y' AS quoted, 10000000000::bigint AS big`,
  );
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    result_type: 'TuplesOk',
    result: [
      ['int', 'num', 'bool', 'nothing', 'ts', 'doc', 'arr', 'quoted', 'big'],
      ['1', '1.50', 't', null, '2026-01-01 00:00:00+00', '{"a": 1}', '{1,2}', "x'y", '10000000000'],
    ],
  });
  // A query without rows still returns tuples: only the header.
  assert.deepEqual((await runSql('SELECT id, tag FROM animals WHERE false')).body, { result_type: 'TuplesOk', result: [['id', 'tag']] });
});

test('run_sql: a statement without rows is CommandOk; with several statements the last one answers', async () => {
  assert.deepEqual((await runSql("INSERT INTO groups (name) VALUES ('Calves')")).body, { result_type: 'CommandOk', result: null });
  assert.deepEqual((await runSql("INSERT INTO groups (name) VALUES ('Heifers'); SELECT name FROM groups WHERE name IN ('Calves', 'Heifers') ORDER BY name")).body, {
    result_type: 'TuplesOk',
    result: [['name'], ['Calves'], ['Heifers']],
  });
  assert.deepEqual((await runSql("SELECT 1; UPDATE groups SET name = 'Calves 2026' WHERE name = 'Calves'")).body, { result_type: 'CommandOk', result: null });
  // INSERT … RETURNING returns rows.
  assert.deepEqual((await runSql("INSERT INTO groups (name) VALUES ('Bulls') RETURNING name")).body, { result_type: 'TuplesOk', result: [['name'], ['Bulls']] });
});

test('run_sql: an error rolls back every statement of the request and answers as Hasura does', async () => {
  const res = await runSql("INSERT INTO groups (name) VALUES ('Ghost'); CREATE TABLE ghost_table (id int); SELECT * FROM no_such_table");
  assert.equal(res.status, 400);
  assert.deepEqual(res.body, {
    error: 'query execution failed',
    code: 'postgres-error',
    path: '$.args',
    internal: {
      arguments: [],
      error: { description: null, exec_status: 'FatalError', hint: null, message: 'relation "no_such_table" does not exist', status_code: '42P01' },
      prepared: false,
      statement: "INSERT INTO groups (name) VALUES ('Ghost'); CREATE TABLE ghost_table (id int); SELECT * FROM no_such_table",
    },
  });
  const left = await runSql("SELECT (SELECT count(*) FROM groups WHERE name = 'Ghost') AS groups, to_regclass('public.ghost_table') IS NULL AS no_table");
  assert.deepEqual(left.body.result, [['groups', 'no_table'], ['0', 't']]);

  // The error's detail goes in `description`.
  const dup = await runSql("INSERT INTO groups (name) VALUES ('Dup'), ('Dup')");
  assert.equal(dup.body.internal.error.status_code, '23505');
  assert.match(dup.body.internal.error.description, /Key \(name\)=\(Dup\) already exists/);
});

test('bulk: every run_sql in one transaction, one answer each; a failure anywhere leaves nothing behind', async () => {
  const ok = await post('/v2/query', {
    type: 'bulk',
    args: [
      { type: 'run_sql', args: { sql: "INSERT INTO groups (name) VALUES ('Bulk A')" } },
      { type: 'run_sql', args: { sql: "SELECT name FROM groups WHERE name = 'Bulk A'", read_only: true } },
    ],
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, [
    { result_type: 'CommandOk', result: null },
    { result_type: 'TuplesOk', result: [['name'], ['Bulk A']] },
  ]);
  const failed = await post('/v2/query', {
    type: 'bulk',
    args: [
      { type: 'run_sql', args: { sql: "INSERT INTO groups (name) VALUES ('Bulk B')" } },
      { type: 'run_sql', args: { sql: 'SELECT 1/0' } },
    ],
  });
  assert.equal(failed.status, 400);
  assert.equal(failed.body.code, 'postgres-error');
  assert.equal(failed.body.path, '$.args[1].args');
  assert.equal(failed.body.internal.error.message, 'division by zero');
  assert.deepEqual((await runSql("SELECT count(*) FROM groups WHERE name = 'Bulk B'")).body.result, [['count'], ['0']]);
});

test('read_only: reads work, writes are refused, and read-write mode cannot be switched back on', async () => {
  assert.deepEqual((await runSql('SELECT 2 AS two', { read_only: true })).body, { result_type: 'TuplesOk', result: [['two'], ['2']] });
  const write = await runSql("INSERT INTO groups (name) VALUES ('RO')", { read_only: true });
  assert.equal(write.status, 400);
  assert.equal(write.body.internal.error.message, 'cannot execute INSERT in a read-only transaction');
  const sneaky = await runSql("SET LOCAL transaction_read_only = off; INSERT INTO groups (name) VALUES ('RO')", { read_only: true });
  assert.equal(sneaky.status, 400);
  assert.deepEqual((await runSql("SELECT count(*) FROM groups WHERE name = 'RO'")).body.result, [['count'], ['0']]);
  // After a read-only request the next one may write again.
  assert.equal((await runSql("INSERT INTO groups (name) VALUES ('RW'); DELETE FROM groups WHERE name = 'RW'")).status, 200);
});

test('transaction control inside run_sql is refused (it would commit part of the request)', async () => {
  for (const sql of ["INSERT INTO groups (name) VALUES ('T1'); COMMIT; SELECT 1/0", 'BEGIN; SELECT 1; END', 'savepoint a', 'ROLLBACK', 'commit prepared \'x\'']) {
    const res = await runSql(sql);
    assert.equal(res.status, 400, sql);
    assert.equal(res.body.code, 'validation-failed', sql);
    assert.equal(res.body.path, '$.args');
  }
  assert.deepEqual((await runSql("SELECT count(*) FROM groups WHERE name = 'T1'")).body.result, [['count'], ['0']]);
  // BEGIN inside a function body or a string is no transaction control.
  const fn = await runSql(`CREATE FUNCTION ys_one() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
    CREATE FUNCTION ys_two() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 2 END; END;
    SELECT ys_one() + ys_two() AS three, 'BEGIN; COMMIT' AS text`);
  assert.deepEqual(fn.body, { result_type: 'TuplesOk', result: [['three', 'text'], ['3', 'BEGIN; COMMIT']] });
});

test('only the admin role may run SQL: another x-hasura-role gets access-denied', async () => {
  const res = await runSql('SELECT 1', {}, { 'x-hasura-role': 'vet' });
  assert.equal(res.status, 403);
  assert.deepEqual(res.body, { error: 'restricted access : admin only', code: 'access-denied', path: '$.args' });
  // Explicitly admin is fine (and no header means the trusted loopback caller, admin).
  assert.equal((await runSql('SELECT 1', {}, { 'x-hasura-role': 'admin' })).status, 200);
});

test('malformed requests get Hasura-shaped 4xx answers', async () => {
  assert.deepEqual(await post('/v2/query', '{not json'), { status: 400, body: { error: 'malformed JSON', code: 'invalid-json', path: '$' } });
  assert.equal((await post('/v2/query', { type: 'run_sql', args: {} })).body.code, 'parse-failed');
  assert.deepEqual((await post('/v2/query', { type: 'run_sql', args: { sql: 1 } })).body, { error: 'expected String, but encountered Number', code: 'parse-failed', path: '$.args.sql' });
  assert.equal((await post('/v2/query', { type: 'drop_everything', args: {} })).body.path, '$.type');
  assert.equal((await post('/v2/query', { type: 'run_sql', args: { sql: 'SELECT 1', source: 'other' } })).body.code, 'not-exists');
  const get = await fetch(`${office.apiUrl}/v2/query`, { headers: office.adminHeaders });
  assert.equal(get.status, 405);
});

test('a table created with run_sql is in the GraphQL API at the very next request', async () => {
  const res = await runSql(`CREATE TABLE public.paddocks (id serial PRIMARY KEY, name text NOT NULL, area_ha numeric);
    INSERT INTO paddocks (name, area_ha) VALUES ('North', 4.5), ('River', 2)`);
  assert.equal(res.status, 200);
  const q = await office.graphql('{ paddocks(order_by: {name: asc}) { id name } }');
  assert.equal(q.errors, undefined, JSON.stringify(q.errors));
  assert.deepEqual(q.data, { paddocks: [{ id: 1, name: 'North' }, { id: 2, name: 'River' }] });
});

test('CREATE TABLE AS and SELECT INTO (reported as SELECT by PostgreSQL) also rebuild the schema', async () => {
  assert.equal((await runSql("CREATE TABLE barns AS SELECT 1 AS id, 'Main barn'::text AS name; SELECT * INTO sheds FROM barns")).status, 200);
  const q = await office.graphql('{ barns { name } sheds { id } }');
  assert.equal(q.errors, undefined, JSON.stringify(q.errors));
  assert.deepEqual(q.data, { barns: [{ name: 'Main barn' }], sheds: [{ id: 1 }] });
});

test('run_sql tells the office that data may have changed (schema), not when read-only', async () => {
  const heard: string[] = [];
  const listener = (what: string) => heard.push(what);
  office.events.on('change', listener);
  try {
    await runSql('SELECT 1', { read_only: true });
    assert.deepEqual(heard, []);
    await runSql("UPDATE farm_settings SET name = 'Hof Sonnental' WHERE id = 1");
    assert.deepEqual(heard, ['schema']);
  } finally {
    office.events.off('change', listener);
  }
});

test('mayChangeSchema: plain DML does not, anything else does (conservatively)', () => {
  const select = { command: 'SELECT', fields: ['x'], rows: [], rowCount: 0 };
  assert.equal(mayChangeSchema("INSERT INTO groups (name) VALUES ('x'); WITH a AS (SELECT 1) SELECT * FROM a", [select]), false);
  assert.equal(mayChangeSchema('(SELECT 1) UNION (SELECT 2)', [select]), false);
  assert.equal(mayChangeSchema('CREATE TABLE t AS SELECT 1', [select]), true);
  assert.equal(mayChangeSchema('select 1 into t', [select]), true);
  assert.equal(mayChangeSchema("comment on column readings.node_id is 'references nodes(id)'", [{ command: 'COMMENT', fields: [], rows: [], rowCount: undefined }]), true);
  assert.equal(mayChangeSchema("UPDATE office.graphql_permissions SET permission = '{}'", []), true);
});

test('statementHeads splits statements as PostgreSQL does', () => {
  const firsts = (sql: string) => statementHeads(sql).map((h) => h[0]);
  assert.deepEqual(firsts(''), []);
  assert.deepEqual(statementHeads('select x; ; -- only a comment\n'), [['SELECT', 'X']]);
  assert.deepEqual(firsts("select ';' ; begin"), ['SELECT', 'BEGIN']);
  assert.deepEqual(firsts("select E'\\'; commit'; rollback"), ['SELECT', 'ROLLBACK']);
  assert.deepEqual(firsts('select "a;b" from t; /* begin; /* nested */ commit; */ end'), ['SELECT', 'END']);
  assert.deepEqual(firsts('do $$ begin; end $$; do $x$ commit; $x$; select $1'), ['DO', 'DO', 'SELECT']);
  assert.deepEqual(statementHeads('create procedure p() language sql begin atomic insert into t values (1); select case when true then 1 end; end; commit'), [
    ['CREATE', 'PROCEDURE'],
    ['COMMIT'],
  ]);
  assert.deepEqual(statementHeads("(select 1); prepare transaction 'x'"), [['(', 'SELECT'], ['PREPARE', 'TRANSACTION']]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLLUP_TABLES } from '../stats/rollups.ts';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDataDir } from '../../db/testing/snapshot.ts';
import { startTestOffice } from '../testing/test-office.ts';
import { runCliCommand } from './client.ts';
import { formatSqlResult } from './commands.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('sql prints the last statement as psql does: an aligned table and a row count, or the command', () => {
  assert.equal(
    formatSqlResult({ command: 'SELECT', rowCount: 2, fields: ['id', 'name'], rows: [['1', 'North'], ['12', null]] }),
    ' id | name\n----+-------\n 1  | North\n 12 |\n(2 rows)\n',
  );
  assert.equal(formatSqlResult({ command: 'SELECT', rowCount: 0, fields: ['x'], rows: [] }), ' x\n---\n(0 rows)\n');
  assert.equal(formatSqlResult({ command: 'INSERT', rowCount: 3, fields: [], rows: [] }), 'INSERT 3\n');
  assert.equal(formatSqlResult({ command: 'CREATE', rowCount: undefined, fields: [], rows: [] }), 'CREATE\n');
});

test('sql without a running office: runs on the database opened by the CLI, all or nothing', async () => {
  const { dataDir, snapshot, cleanup } = await tempDataDir('ys-cli-sql-');
  const flags = { 'data-dir': dataDir, 'init-snapshot': snapshot };
  try {
    const created = await runCliCommand(['sql', "CREATE TABLE paddocks (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO paddocks (name) VALUES ('North'), ('River')"], flags);
    assert.deepEqual(created, { code: 0, stdout: 'INSERT 2\n', stderr: '' });

    const listed = await runCliCommand(['sql', 'SELECT id, name FROM paddocks ORDER BY id'], flags);
    assert.equal(listed.code, 0);
    assert.equal(listed.stdout, ' id | name\n----+-------\n 1  | North\n 2  | River\n(2 rows)\n');

    const json = await runCliCommand(['sql', '--json', 'SELECT name FROM paddocks ORDER BY id'], flags);
    assert.deepEqual(JSON.parse(json.stdout), { result_type: 'TuplesOk', result: [['name'], ['North'], ['River']] });

    const failed = await runCliCommand(['sql', "INSERT INTO paddocks (name) VALUES ('Ghost'); INSERT INTO paddocks (name) VALUES (NULL)"], flags);
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /^ERROR: {2}null value in column "name" of relation "paddocks" violates not-null constraint\nDETAIL: {2}Failing row contains/);
    const count = await runCliCommand(['sql', "SELECT count(*) FROM paddocks WHERE name = 'Ghost'"], flags);
    assert.match(count.stdout, /^ count\n-------\n 0\n\(1 row\)\n$/);

    const file = join(dataDir, 'more.sql');
    writeFileSync(file, "-- a farm's own script\nINSERT INTO paddocks (name) VALUES ('Hill');\nSELECT count(*) AS paddocks FROM paddocks;\n");
    const fromFile = await runCliCommand(['sql', '--file', file, '--json'], flags);
    assert.deepEqual(JSON.parse(fromFile.stdout), { result_type: 'TuplesOk', result: [['paddocks'], ['3']] });

    assert.equal((await runCliCommand(['sql'], flags)).code, 2, 'no SQL is a usage error');
    assert.equal((await runCliCommand(['sql', '--file', join(dataDir, 'missing.sql')], flags)).code, 1);
  } finally {
    cleanup();
  }
});

test('sql with a running office: runs inside it, and what it creates is in the GraphQL API at once', async () => {
  const office = await startTestOffice();
  const heard: string[] = [];
  office.events.on('change', (what) => heard.push(what));
  try {
    const flags = { 'data-dir': office.dataDir };
    const file = join(office.dataDir, 'paddocks.sql');
    writeFileSync(file, "CREATE TABLE paddocks (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO paddocks (name) VALUES ('North');\n");
    const created = await runCliCommand(['sql', `--file=${file}`], flags);
    assert.deepEqual(created, { code: 0, stdout: 'INSERT 1\n', stderr: '' });
    // The command tells the office 'schema'; the rollups may then say that their tables were refreshed (they
    // refresh on their own clock, so whether that falls inside this window depends on the machine's speed).
    assert.deepEqual(heard.filter((what) => !(ROLLUP_TABLES as readonly string[]).includes(what)), ['schema']);

    const q = await office.graphql('{ paddocks { id name } }');
    assert.equal(q.errors, undefined, JSON.stringify(q.errors));
    assert.deepEqual(q.data, { paddocks: [{ id: 1, name: 'North' }] });

    const failed = await runCliCommand(['sql', 'SELECT * FROM nowhere'], flags);
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr, 'ERROR:  relation "nowhere" does not exist\n');
  } finally {
    await office.close();
  }
});

test('the yoctosehns process: exit code 1 and the error on stderr for bad SQL, the rows on stdout otherwise', async () => {
  const { dataDir, snapshot, cleanup } = await tempDataDir('ys-cli-sql-proc-');
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', 'app/main/cli/main.ts', ...args, '--data-dir', dataDir], {
        cwd: ROOT,
        env: { ...process.env, YOCTOSEHNS_INIT_SNAPSHOT: snapshot },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d) => (stdout += d));
      proc.stderr.on('data', (d) => (stderr += d));
      proc.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  try {
    const bad = await run(['sql', 'SELEKT 1']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^ERROR: {2}syntax error at or near "SELEKT"\n$/);
    const good = await run(['sql', "SELECT name FROM farm_settings"]);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, '  name\n---------\n My farm\n(1 row)\n');
  } finally {
    cleanup();
  }
});

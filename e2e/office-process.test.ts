import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { runCli, startServe } from './support/processes.ts';

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-proc-');
const env = { YOCTOSEHNS_INIT_SNAPSHOT: snapshot };
after(cleanup);

test('serve prints exactly one ready line, a second serve on the data dir is refused, and after kill -9 a new serve takes over', async () => {
  const first = await startServe(dataDir, env);
  assert.match(first.stdout(), /^ready api=http:\/\/127\.0\.0\.1:\d+ ingest=http:\/\/127\.0\.0\.1:\d+\n$/);
  assert.equal(((await (await fetch(`${first.api}/v1/health`)).json()) as { status: string }).status, 'ok');

  const { token } = JSON.parse((await runCli(['node', 'add', '--name', 'bolus-7', '--kind', 'bolus', '--json', '--data-dir', dataDir], env)).stdout);
  const post = await fetch(`${first.ingest}/v1/readings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings: [{ animal: 'K7', metric: 'temperature', ts: '2026-02-01T12:00:00Z', value: 38.8 }] }),
  });
  assert.equal(post.status, 200);

  const second = await startServe(dataDir, env).then(
    () => assert.fail('a second office started on the same data dir'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, new RegExp(`in use by another Yoctosehns office \\(pid ${first.proc.pid}`));

  await first.kill9();
  const third = await startServe(dataDir, env);
  const res = (await (
    await fetch(`${third.api}/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': readFileSync(join(dataDir, 'secrets', 'control.key'), 'utf8').trim() },
      body: JSON.stringify({ query: '{ readings { value animal { tag unconfirmed } } }' }),
    })
  ).json()) as { data: { readings: unknown[] } };
  assert.deepEqual(res.data.readings, [{ value: 38.8, animal: { tag: 'K7', unconfirmed: true } }], 'an acknowledged reading survives kill -9');
  assert.equal(await third.stop(), 0, 'SIGTERM stops cleanly');
  assert.equal(existsSync(join(dataDir, 'office.lock')), false, 'the lock is released on stop');
  assert.equal(existsSync(join(dataDir, 'office.json')), false);
});

test('the CLI works with and without a running office, and never opens the database twice', async () => {
  const csv = join(dataDir, 'herd.csv');
  writeFileSync(csv, 'tag,name,sex,birth_date,group\nA1,Anna,female,2021-03-04,Barn A\nA2,Bella,f,2020-01-02,Barn A\n');
  const offline = await runCli(['animal', 'import', csv, '--data-dir', dataDir], env);
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stdout, /2 animal\(s\) imported/);

  const office = await startServe(dataDir, env);
  try {
    const bad = join(dataDir, 'bad.csv');
    writeFileSync(bad, 'tag,name,birth_date\nA3,Cora,2020-13-01\nA1,Dup,\n,NoTag,\nA4,Dora,2019-05-05\n');
    const refused = await runCli(['animal', 'import', bad, '--data-dir', dataDir], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /3 row\(s\) have errors; nothing was imported/);
    assert.match(refused.stderr, /line 2: birth_date must be a date/);
    assert.match(refused.stderr, /line 3: an animal with tag or official ID "A1" already exists/);
    assert.match(refused.stderr, /line 4: an animal needs a tag or an official ID/);

    const added = await runCli(['node', 'add', '--name', 'collar-A1', '--kind', 'collar', '--animal', 'A1', '--json', '--data-dir', dataDir], env);
    assert.equal(added.code, 0, added.stderr);
    const node = JSON.parse(added.stdout);
    assert.deepEqual(Object.keys(node).sort(), ['id', 'name', 'token']);
    assert.match(node.token, /^ysn_[A-Za-z0-9_-]{32}$/);

    const list = await runCli(['animal', 'list', '--json', '--data-dir', dataDir], env);
    assert.deepEqual(JSON.parse(list.stdout).map((a: { tag: string }) => a.tag), ['A1', 'A2', 'K7']);
    const nodes = await runCli(['node', 'list', '--data-dir', dataDir], env);
    assert.match(nodes.stdout, /collar-A1\s+collar\s+A1/);
    assert.doesNotMatch(nodes.stdout, /ysn_/, 'tokens are never listed');

    const wrongKind = await runCli(['node', 'add', '--name', 'x', '--kind', 'toaster', '--data-dir', dataDir], env);
    assert.equal(wrongKind.code, 1);
    assert.match(wrongKind.stderr, /unknown node kind "toaster"/);
  } finally {
    assert.equal(await office.stop(), 0);
  }
  // Without an office again: the lock was released, the CLI opens the database itself.
  const afterStop = await runCli(['node', 'list', '--json', '--data-dir', dataDir], env);
  assert.equal(afterStop.code, 0, afterStop.stderr);
  assert.equal(JSON.parse(afterStop.stdout).length, 2);
});

test('bad configuration is refused at start with one clear line', async () => {
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ port: 'eighty' }));
  try {
    const err = await startServe(dataDir, env).then(
      () => assert.fail('started with a bad config'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(err.code, 2);
    assert.match(err.stderr, /config\.json: port must be a port number/);
  } finally {
    writeFileSync(join(dataDir, 'config.json'), '{}');
  }
});

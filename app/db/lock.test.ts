import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, readLock } from './lock.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ys-lock-'));

test('a second opener is refused with the holder named, and the lock is free after release', () => {
  const d = dir();
  const first = acquireDataDirLock(d, 'host');
  assert.throws(() => acquireDataDirLock(d, 'host'), (err: unknown) => {
    assert.ok(err instanceof DataDirLockedError);
    assert.match(err.message, new RegExp(`pid ${process.pid}`));
    return true;
  });
  first.release();
  const again = acquireDataDirLock(d, 'host');
  again.release();
  rmSync(d, { recursive: true });
});

test('a lock left by a process that no longer runs is taken over', async () => {
  const d = dir();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  const pid = child.pid!;
  writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid, startTime: null, hostname: 'x', acquiredAt: new Date().toISOString() }));
  assert.throws(() => acquireDataDirLock(d, 'host'), DataDirLockedError, 'a live holder keeps the lock');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const lock = acquireDataDirLock(d, 'host');
  assert.equal(readLock(d)?.pid, process.pid);
  lock.release();
  rmSync(d, { recursive: true });
});

test('a lock whose pid was reused by another program (start time differs) is stale', () => {
  const d = dir();
  // Our own pid, but a start time that is not ours: the recorded office is gone and the pid reused.
  writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: process.pid, startTime: '1', hostname: 'x', acquiredAt: 'then' }));
  const lock = acquireDataDirLock(d, 'host');
  assert.notEqual(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')).acquiredAt, 'then');
  lock.release();
  rmSync(d, { recursive: true });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileLogger, formatLogLine, redact } from './file-log.ts';

test('credential-looking fields and bearer tokens are masked', () => {
  assert.deepEqual(redact({ token: 'abc', nested: { apiKey: 'k', jwtSecret: 's', password: 'p' }, name: 'collar-1', empty: '' }), {
    token: '***',
    nested: { apiKey: '***', jwtSecret: '***', password: '***' },
    name: 'collar-1',
    empty: '',
  });
  assert.equal(redact('header Authorization: Bearer eyJhbGciOi.abc.def'), 'header Authorization: Bearer ***');
  const line = JSON.parse(formatLogLine('info', 'hello', { authorization: 'Bearer x', count: 3 }, new Date(0)));
  assert.deepEqual(line, { time: '1970-01-01T00:00:00.000Z', level: 'info', name: 'desktop', msg: 'hello', authorization: '***', count: 3 });
});

test('the log is written to its folder and rotated by size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ys-log-'));
  try {
    const log = createFileLogger(join(dir, 'logs'), { maxBytes: 200 });
    for (let i = 0; i < 10; i++) log.info('office ready', { api: 'http://127.0.0.1:8471', i });
    log.office('{"level":"info","msg":"database migrated"}');
    const files = readdirSync(join(dir, 'logs')).sort();
    assert.deepEqual(files, ['desktop.log', 'desktop.log.1', 'office.log']);
    assert.match(readFileSync(join(dir, 'logs', 'office.log'), 'utf8'), /database migrated"}\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

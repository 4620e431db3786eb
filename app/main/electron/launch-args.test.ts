import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFICE_FLAG_OPTIONS } from '../config/config.ts';
import { officeArgsFrom } from './launch-args.ts';

const known = Object.keys(OFFICE_FLAG_OPTIONS);

test('the office gets its own flags and nothing else from the app’s command line', () => {
  const argv = ['dist/electron/main.cjs', '--inspect=0', '--remote-debugging-port=0', '--no-sandbox', '--hidden', '--data-dir', '/tmp/farm', '--port=0', '--ingest-host', '127.0.0.1'];
  assert.deepEqual(officeArgsFrom(argv, known), ['--data-dir', '/tmp/farm', '--port', '0', '--ingest-host', '127.0.0.1']);
});

test('a known flag without a value is dropped rather than swallowing the next flag', () => {
  assert.deepEqual(officeArgsFrom(['--data-dir', '--port', '8471'], known), ['--port', '8471']);
  assert.deepEqual(officeArgsFrom([], known), []);
});

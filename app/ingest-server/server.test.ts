// The ingest listener splits a plain request target itself instead of through `new URL()` (see targetOf): it must
// give exactly what URL gives, for every target a node (or anything else) can send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { targetOf } from './server.ts';

const viaUrl = (raw: string) => {
  const url = new URL(`http://ingest${raw}`);
  return { path: url.pathname, query: [...url.searchParams.entries()] };
};
const split = (raw: string) => {
  const { path, query } = targetOf(raw);
  return { path, query: [...query.entries()] };
};

test('targetOf gives the path and query URL gives, for routes as nodes send them and for random targets', () => {
  for (const raw of [
    '/v1/readings',
    '/v1/health',
    '/api/v1/ys_node_AbC-12_x~/telemetry',
    '/api/data_stream/17/data?private_key=k-1_2.3~',
    '/farm/sensor/listener/5?private_key=a%20b&x=1&x=2&empty=&flag',
    '/v1/../v1/readings',
    '/v1/./readings',
    '/api/v1/"tok,en"/telemetry',
    '/a/b?c=d#frag',
    '/',
    '/?',
    '//evil/v1/readings',
    '//.%2F',
  ]) {
    assert.deepEqual(split(raw), viaUrl(raw), raw);
  }
  const chars = fc.constantFrom(...'abcXYZ019-._~/?#%&=+" \\ü🐄'.split(''), '%20', '%2F', '..', '/.', '/..');
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 30 }), (parts) => {
      const raw = '/' + parts.join('');
      assert.deepEqual(split(raw), viaUrl(raw));
    }),
    { numRuns: 5000 },
  );
});

import { assert, test } from '../../../scripts/test-api.ts';
import { curlExample, formatBattery, ingestBaseUrl, lateAfterMs, nodeAssignment, nodeHealth, NODES_SUBSCRIPTIONS, usualIntervalMs } from './nodes-model.ts';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const ago = (min: number) => new Date(NOW - min * 60_000).toISOString();

test('the usual interval is the median gap between requests', () => {
  assert.equal(usualIntervalMs([]), undefined);
  assert.equal(usualIntervalMs([ago(1)]), undefined);
  assert.equal(usualIntervalMs([ago(0), ago(1), ago(2), ago(10)]), 60_000, 'one long outage does not move it');
  assert.equal(usualIntervalMs([ago(0), ago(2), ago(3), ago(5)]), 120_000);
  assert.equal(usualIntervalMs([ago(0), ago(0)]), undefined, 'equal times give no gap');
});

test('late after 3× the usual interval, at most 15 min; 15 min when unknown', () => {
  assert.equal(lateAfterMs(60_000), 180_000);
  assert.equal(lateAfterMs(10 * 60_000), 15 * 60_000);
  assert.equal(lateAfterMs(undefined), 15 * 60_000);
});

test('ok / late / silent', () => {
  const minute = 60_000;
  assert.equal(nodeHealth({ last_seen_at: ago(2) }, minute, NOW), 'ok');
  assert.equal(nodeHealth({ last_seen_at: ago(3) }, minute, NOW), 'late', 'exactly 3× the interval');
  assert.equal(nodeHealth({ last_seen_at: ago(14) }, undefined, NOW), 'ok');
  assert.equal(nodeHealth({ last_seen_at: ago(15) }, undefined, NOW), 'late');
  assert.equal(nodeHealth({ last_seen_at: ago(20) }, 30 * minute, NOW), 'late', 'a slow node is late at 15 min still');
  assert.equal(nodeHealth({ last_seen_at: ago(59) }, undefined, NOW), 'late');
  assert.equal(nodeHealth({ last_seen_at: ago(60) }, minute, NOW), 'silent');
  assert.equal(nodeHealth({ last_seen_at: null }, undefined, NOW), 'never');
  assert.equal(nodeHealth({ last_seen_at: ago(1), revoked_at: ago(0) }, minute, NOW), 'revoked');
  assert.equal(nodeHealth({ last_seen_at: new Date(NOW + 60_000).toISOString() }, minute, NOW), 'ok', 'a clock a little ahead is ok');
});

test('assignment, battery', () => {
  assert.equal(nodeAssignment({ animal: { id: 1, tag: 'DE01', official_id: null, name: 'Berta' }, group: null }), 'DE01 (Berta)');
  assert.equal(nodeAssignment({ animal: null, group: { id: 1, name: 'Barn A' } }), 'Pen: Barn A');
  assert.equal(nodeAssignment({ animal: null, group: null }), '—');
  assert.equal(formatBattery({ battery_percent: 87.4, battery_volts: 3.612 }), '87 % · 3.61 V');
  assert.equal(formatBattery({ battery_percent: null, battery_volts: null }), '—');
});

test('the ingest URL as a node on the LAN reaches it', () => {
  assert.equal(ingestBaseUrl('http://0.0.0.0:8470', '192.168.1.5'), 'http://192.168.1.5:8470');
  assert.equal(ingestBaseUrl('http://[::]:8470', 'office.local'), 'http://office.local:8470');
  assert.equal(ingestBaseUrl('http://127.0.0.1:8471', '127.0.0.1'), 'http://127.0.0.1:8471');
  assert.equal(ingestBaseUrl('http://127.0.0.1:8471', '192.168.1.5'), 'http://192.168.1.5:8471');
  assert.equal(ingestBaseUrl('http://192.168.1.9:8470', '127.0.0.1'), 'http://192.168.1.9:8470');
  assert.equal(ingestBaseUrl(null, 'farm'), 'http://farm:8470');
});

test('the curl example follows docs/node-protocol.md', () => {
  assert.equal(
    curlExample('http://192.168.1.5:8470', 'ysn_abc', 'temperature', new Date('2026-11-28T12:00:00.456Z')),
    `curl -X POST http://192.168.1.5:8470/v1/readings -H "Authorization: Bearer ysn_abc" -H 'Content-Type: application/json' \\\n` +
      `  -d '{"readings":[{"metric":"temperature","ts":"2026-11-28T12:00:00Z","value":38.7}]}'`,
  );
  assert.equal(NODES_SUBSCRIPTIONS.length, 2);
});

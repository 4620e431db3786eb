import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestOffice } from '../main/testing/test-office.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// mDNS is multicast: the test runs in a network namespace of its own (only a loopback interface), so its
// announcements cannot reach any real network. That needs root (unshare) and iproute2.
const canIsolate = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0 && spawnSync('ip', ['-V']).status === 0;

test(
  'the ingest listener is advertised over mDNS as _yoctosehns._tcp and the socket is released on stop',
  { skip: canIsolate ? false : 'needs root with unshare and iproute2 to isolate multicast in a network namespace' },
  () => {
    const script = `ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "${process.execPath}" --import tsx e2e/support/discovery-check.ts`;
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.ok(seen.found, 'the advertisement was seen');
    assert.equal(seen.found.type, 'yoctosehns');
    assert.equal(seen.found.protocol, 'tcp');
    assert.equal(seen.found.port, seen.port);
    assert.equal(seen.found.txt.path, '/v1/readings');
    assert.match(seen.found.txt.version, /^\d+\.\d+\.\d+/);
    assert.equal(seen.after, seen.before, 'no mDNS socket is left open after stop');
  },
);

test('discovery switched off opens no mDNS socket', async () => {
  const udp = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWRAP').length;
  const before = udp();
  const office = await startTestOffice({ discovery: false });
  assert.equal(udp(), before);
  await office.close();
});

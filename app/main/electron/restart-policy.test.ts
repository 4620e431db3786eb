import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRestart, DEFAULT_RESTART_POLICY, type OfficeExit } from './restart-policy.ts';

const min = 60_000;
const crash = (at: number, extra: Partial<OfficeExit> = {}): OfficeExit => ({ at, code: 1, ...extra });

test('a crash after a long run restarts at once-ish, with a notice', () => {
  const d = decideRestart([crash(0), crash(3 * 24 * 60 * min)]);
  assert.equal(d.action, 'restart');
  assert.equal(d.action === 'restart' && d.delayMs, DEFAULT_RESTART_POLICY.baseDelayMs);
  assert.match(d.action === 'restart' ? d.notice : '', /restarted/);
});

test('quick failures back off exponentially, capped', () => {
  const exits: OfficeExit[] = [];
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    exits.push(crash(i * 10_000));
    const d = decideRestart(exits);
    assert.equal(d.action, 'restart');
    if (d.action === 'restart') delays.push(d.delayMs);
  }
  assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000]);
  const capped = decideRestart([crash(0), crash(1), crash(2), crash(3), crash(4)], { ...DEFAULT_RESTART_POLICY, maxQuickFailures: 10, maxDelayMs: 5_000 });
  assert.equal(capped.action === 'restart' && capped.delayMs, 5_000);
});

test('after N quick failures it gives up and says why', () => {
  const exits = [0, 1, 2, 3, 4, 5].map((i) => crash(i * 20_000, { message: 'disk full' }));
  const d = decideRestart(exits);
  assert.equal(d.action, 'give-up');
  assert.match(d.action === 'give-up' ? d.message : '', /6 times within 5 minutes.*disk full.*not being received/);
});

test('failures a restart cannot cure give up at once', () => {
  const d = decideRestart([crash(0, { permanent: true, message: 'the data dir is in use by another office (pid 42)' })]);
  assert.deepEqual(d, { action: 'give-up', message: 'The office cannot start: the data dir is in use by another office (pid 42)' });
});

test('old failures fall out of the window', () => {
  const exits = [0, 1, 2, 3, 4].map((i) => crash(i * 1_000)).concat(crash(10 * min));
  const d = decideRestart(exits);
  assert.equal(d.action === 'restart' && d.attempt, 1);
  assert.throws(() => decideRestart([]));
});

import { assert, test } from '../../../../scripts/test-api.ts';
import {
  auditDetailText,
  canOpen,
  formatWait,
  PAGE_ACCESS,
  pagesFor,
  parseRetryAfter,
  passwordProblem,
  passwordStrength,
  PASSWORD_MIN_LENGTH,
  refreshDelayMs,
  roleLabel,
  ROLES,
  startPageFor,
} from './auth-model.ts';

test('the route table: every role sees the herd, only the owner the account pages', () => {
  const paths = (role: string) => pagesFor(role).map((p) => p.path);
  assert.deepEqual(paths('owner'), ['herd', 'animal', 'alerts', 'statistics', 'reports', 'nodes', 'animals', 'users', 'api-tokens', 'security-log', 'settings']);
  assert.deepEqual(paths('manager'), ['herd', 'animal', 'alerts', 'statistics', 'reports', 'nodes', 'animals', 'settings']);
  assert.deepEqual(paths('vet'), ['herd', 'animal', 'alerts', 'statistics', 'reports', 'nodes']);
  for (const role of ['worker', 'viewer']) assert.deepEqual(paths(role), ['herd', 'animal', 'alerts', 'statistics'], role);
  assert.deepEqual(paths('stranger'), [], 'a role the renderer does not know opens nothing');
  assert.equal(canOpen('users', 'owner'), true);
  assert.equal(canOpen('users', 'manager'), false);
  assert.equal(canOpen('security-log', 'vet'), false);
  assert.equal(canOpen('herd', 'viewer'), true);
  assert.equal(canOpen('statistics', 'viewer'), true, 'every role that reads readings reads their statistics');
  assert.equal(canOpen('nowhere', 'owner'), false);
  assert.equal(startPageFor('worker')?.path, 'herd');
  assert.equal(startPageFor('stranger'), undefined);
});

test('the route table names each page once and only known roles', () => {
  const paths = PAGE_ACCESS.map((p) => p.path);
  assert.equal(new Set(paths).size, paths.length);
  for (const page of PAGE_ACCESS) {
    assert.ok(page.roles.length > 0, page.path);
    for (const role of page.roles) assert.ok(ROLES.includes(role), `${page.path}: ${role}`);
    assert.ok(page.roles.includes('owner'), `the owner may open ${page.path}`);
  }
});

test('roleLabel names known roles and shows others as they are', () => {
  assert.equal(roleLabel('vet'), 'Vet');
  assert.equal(roleLabel('auditor'), 'auditor');
});

test('passwords shorter than the minimum are refused, in words', () => {
  assert.equal(PASSWORD_MIN_LENGTH, 12);
  assert.match(passwordProblem('short') ?? '', /at least 12 characters/);
  assert.equal(passwordProblem('a'.repeat(11) + 'b'.repeat(0)) !== undefined, true);
  assert.equal(passwordProblem('correct horse battery'), undefined);
  assert.match(passwordProblem('correct horse battery', 'correct horse batterx') ?? '', /not the same/);
  assert.equal(passwordProblem('correct horse battery', 'correct horse battery'), undefined);
  // Characters, not UTF-16 units: 12 emoji are 12 characters.
  assert.equal(passwordProblem('🐄'.repeat(11)) !== undefined, true);
});

test('passwordStrength grows with length and variety and punishes repetition', () => {
  assert.equal(passwordStrength('').score, 0);
  assert.match(passwordStrength('abc').hint, /9 more/);
  assert.equal(passwordStrength('aaaaaaaaaaaaaaaa').score, 1, 'one letter repeated');
  assert.equal(passwordStrength('abcdefghijkl').score, 1);
  assert.ok(passwordStrength('cow pasture milking').score >= 2);
  assert.equal(passwordStrength('Cow pasture milking 2026!').score, 4);
  assert.ok(passwordStrength('Cow pasture milking 2026!').score > passwordStrength('cowpasturemi').score);
});

test('refreshDelayMs renews a minute early, a quarter early for short tokens, never at once', () => {
  assert.equal(refreshDelayMs(900), 840_000);
  assert.equal(refreshDelayMs(60), 45_000);
  assert.equal(refreshDelayMs(0), 1_000);
  assert.equal(refreshDelayMs(-5), 1_000);
});

test('parseRetryAfter reads seconds and HTTP dates', () => {
  const now = Date.parse('2026-11-28T10:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120);
  assert.equal(parseRetryAfter(' 5 ', now), 5);
  assert.equal(parseRetryAfter('Sat, 28 Nov 2026 10:01:30 GMT', now), 90);
  assert.equal(parseRetryAfter('Sat, 28 Nov 2026 09:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('formatWait rounds up to a unit a person reads', () => {
  assert.equal(formatWait(1), '1 second');
  assert.equal(formatWait(0.2), '1 second');
  assert.equal(formatWait(45), '45 seconds');
  assert.equal(formatWait(60), '1 minute');
  assert.equal(formatWait(61), '2 minutes');
  assert.equal(formatWait(900), '15 minutes');
  assert.equal(formatWait(7200), '2 hours');
});

test('a security log entry’s detail in words, every field kept', () => {
  assert.equal(auditDetailText({ jti: '6b2e5ac1', via: 'refresh', family: 'f1' }), 'Token ID: 6b2e5ac1 · Via: refresh · Family: f1');
  assert.equal(auditDetailText({ via: 'setup', role: 'owner', user_id: 3, skipped: null, groups: [1, 2] }), 'Via: setup · Role: owner · User ID: 3 · Groups: [1,2]');
  assert.equal(auditDetailText({}), '');
  assert.equal(auditDetailText(null), '');
  assert.equal(auditDetailText('locked for 15 min'), 'locked for 15 min');
  assert.equal(auditDetailText(42), '42');
});

import { assert, test } from '../../../../scripts/test-api.ts';
import { createSession, EXPIRY_MARGIN_MS, RETRY_REFRESH_MS, SESSION_ENDED, SessionRejectedError, type SessionDeps, type TokenGrant } from './session.ts';

/** A clock and timers the test moves by hand. */
function fakeTime(start = 1_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const deps: SessionDeps = {
    now: () => now,
    setTimer(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer(id) {
      timers.delete(id as number);
    },
  };
  return {
    deps,
    timers,
    /** Moves the clock on, firing the timers that come due in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    pendingDelays: () => [...timers.values()].map((t) => t.at - now),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const user = { id: 1, name: 'Anna', role: 'owner' };
const grant = (access_token: string, expires_in = 900): TokenGrant => ({ access_token, expires_in, user });

test('signIn keeps the token in memory and schedules a renewal a minute before it ends', async () => {
  const time = fakeTime();
  const session = createSession(time.deps);
  let renewals = 0;
  session.signIn(grant('t1'), 'password', async () => grant(`t${++renewals + 1}`));
  assert.equal(session.getState().status, 'signed-in');
  assert.equal(await session.accessToken(), 't1');
  assert.deepEqual(time.pendingDelays(), [840_000]);

  time.advance(839_999);
  await flush();
  assert.equal(renewals, 0);
  time.advance(1);
  await flush();
  assert.equal(renewals, 1);
  assert.equal(await session.accessToken(), 't2');
  assert.deepEqual(time.pendingDelays(), [840_000], 'the next renewal is scheduled from the new token');
});

test('a token about to end is renewed before use; concurrent callers share one renewal', async () => {
  const time = fakeTime();
  const session = createSession(time.deps);
  let renewals = 0;
  let release!: () => void;
  session.signIn(grant('old', 60), 'password', () => {
    renewals++;
    return new Promise((resolve) => (release = () => resolve(grant('new', 60))));
  });
  // A background tab whose timer was throttled: the clock is past the renewal point, the timer has not fired.
  time.timers.clear();
  time.advance(60_000 - EXPIRY_MARGIN_MS + 1);
  const a = session.accessToken();
  const b = session.accessToken();
  const c = session.refresh();
  await flush();
  assert.equal(renewals, 1);
  release();
  assert.deepEqual(await Promise.all([a, b, c]), ['new', 'new', 'new']);
});

test('a refused renewal signs out with a reason; the token is gone', async () => {
  const time = fakeTime();
  const session = createSession(time.deps);
  const seen: string[] = [];
  session.subscribe(() => seen.push(session.getState().status));
  session.signIn(grant('t1'), 'password', async () => {
    throw new SessionRejectedError('invalid refresh token');
  });
  assert.equal(await session.refresh(), null);
  assert.deepEqual(session.getState(), { status: 'signed-out', reason: SESSION_ENDED });
  assert.equal(await session.accessToken(), null);
  assert.deepEqual(time.pendingDelays(), [], 'nothing left scheduled');
  assert.deepEqual(seen, ['signed-in', 'signed-out']);
});

test('a renewal that fails because the office is away keeps the session and tries again later', async () => {
  const time = fakeTime();
  const session = createSession(time.deps);
  let fail = true;
  let calls = 0;
  session.signIn(grant('t1'), 'password', async () => {
    calls++;
    if (fail) throw new TypeError('Failed to fetch');
    return grant('t2');
  });
  time.advance(840_000);
  await flush();
  assert.equal(calls, 1);
  assert.equal(session.getState().status, 'signed-in');
  assert.equal(await session.accessToken(), 't1', 'still good for a minute');
  assert.deepEqual(time.pendingDelays(), [RETRY_REFRESH_MS]);
  fail = false;
  time.advance(RETRY_REFRESH_MS);
  await flush();
  assert.equal(calls, 2);
  assert.equal(await session.accessToken(), 't2');
});

test('a renewal finishing after sign-out does not sign the page back in', async () => {
  const time = fakeTime();
  const session = createSession(time.deps);
  let release!: () => void;
  session.signIn(grant('t1'), 'password', () => new Promise((resolve) => (release = () => resolve(grant('late')))));
  const pending = session.refresh();
  await flush();
  session.signOut();
  release();
  assert.equal(await pending, null);
  assert.deepEqual(session.getState(), { status: 'signed-out' });
  assert.equal(await session.accessToken(), null);
});

test('a renewal that throws at once still lets the next one run', async () => {
  const time = fakeTime();
  const session = createSession(time.deps);
  let calls = 0;
  session.signIn(grant('t1'), 'desktop', () => {
    calls++;
    if (calls === 1) throw new Error('shell not ready');
    return Promise.resolve(grant('t2'));
  });
  assert.equal(await session.refresh(), null);
  assert.equal(await session.refresh(), 't2');
  const state = session.getState();
  assert.equal(state.status === 'signed-in' && state.source, 'desktop');
});

test('the state says who is signed in and until when; signIn replaces a role that changed', async () => {
  const time = fakeTime(5_000);
  const session = createSession(time.deps);
  assert.deepEqual(session.getState(), { status: 'starting' });
  session.signIn(grant('t1', 900), 'password', async () => ({ access_token: 't2', expires_in: 900, user: { ...user, role: 'manager' } }));
  assert.deepEqual(session.getState(), { status: 'signed-in', user, expiresAt: 5_000 + 900_000, source: 'password' });
  await session.refresh();
  const state = session.getState();
  assert.equal(state.status === 'signed-in' && state.user.role, 'manager');
});

test('accessToken and refresh answer null before anyone signed in', async () => {
  const session = createSession(fakeTime().deps);
  assert.equal(await session.accessToken(), null);
  assert.equal(await session.refresh(), null);
  session.setState({ status: 'setup' });
  assert.equal(await session.accessToken(), null);
});

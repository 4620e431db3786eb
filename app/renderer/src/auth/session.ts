// Who is signed in, and the access token that proves it. The token lives in this module's memory only
// (never localStorage: a script injected into the page could read that for as long as it stays there);
// a reload renews it from the HttpOnly refresh cookie the page cannot read, or, in the desktop window,
// from the shell. A refresh runs a minute before the token ends, and on demand when the office refuses it.
import { refreshDelayMs } from './auth-model.ts';

export interface SessionUser {
  id: string | number;
  name: string;
  role: string;
  allowed_roles?: string[];
}

/** What /auth/login, /auth/setup, /auth/refresh and the desktop shell answer. */
export interface TokenGrant {
  access_token: string;
  /** Seconds. */
  expires_in: number;
  user: SessionUser;
}

export type SessionSource = 'password' | 'desktop';

export type SessionState =
  | { status: 'starting' }
  /** The office could not tell whether anyone may sign in (it is unreachable or answered nonsense). */
  | { status: 'unreachable'; error: string }
  /** No user exists yet: the first-run screen creates the owner. */
  | { status: 'setup' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; user: SessionUser; expiresAt: number; source: SessionSource };

/** A renewal the office refused (the refresh token is revoked, expired or reused): sign in again. */
export class SessionRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionRejectedError';
  }
}

export interface SessionDeps {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

const REAL_DEPS: SessionDeps = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/** After a renewal failed for a reason other than a refusal (the office is away), try again this much later. */
export const RETRY_REFRESH_MS = 15_000;
/** A token this close to its end is renewed before use rather than sent and refused. */
export const EXPIRY_MARGIN_MS = 5_000;

export const SESSION_ENDED = 'Your session has ended. Sign in again.';

export interface Session {
  getState(): SessionState;
  subscribe(listener: () => void): () => void;
  /** Sets the first state the page learned from the office (starting, unreachable, setup, signed-out). */
  setState(state: Exclude<SessionState, { status: 'signed-in' }>): void;
  /** Keeps `grant` and renews it with `renew` before it ends. */
  signIn(grant: TokenGrant, source: SessionSource, renew: () => Promise<TokenGrant>): void;
  /** A token good for at least a few more seconds, renewing it first if need be; null when signed out or the office is away. */
  accessToken(): Promise<string | null>;
  /**
   * Renews the token now (one renewal at a time: callers arriving during one share it). Null when it
   * could not: after a refusal the session is signed out, after another failure it tries again later.
   */
  refresh(): Promise<string | null>;
  /** Forgets the token; the page shows the login form, with `reason` when the office ended the session. */
  signOut(reason?: string): void;
}

export function createSession(deps: SessionDeps = REAL_DEPS): Session {
  let state: SessionState = { status: 'starting' };
  let token: string | null = null;
  let renewFn: (() => Promise<TokenGrant>) | null = null;
  let timer: unknown;
  let inFlight: Promise<string | null> | null = null;
  /** Bumped on every sign-in and sign-out, so a renewal that finishes after either is ignored. */
  let generation = 0;
  const listeners = new Set<() => void>();

  function emit(next: SessionState): void {
    state = next;
    for (const listener of [...listeners]) listener();
  }

  function cancelTimer(): void {
    if (timer !== undefined) deps.clearTimer(timer);
    timer = undefined;
  }

  function schedule(ms: number): void {
    cancelTimer();
    timer = deps.setTimer(() => {
      timer = undefined;
      void session.refresh();
    }, ms);
  }

  function keep(grant: TokenGrant, source: SessionSource): void {
    token = grant.access_token;
    emit({ status: 'signed-in', user: grant.user, expiresAt: deps.now() + grant.expires_in * 1000, source });
    schedule(refreshDelayMs(grant.expires_in));
  }

  const session: Session = {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setState(next) {
      generation++;
      cancelTimer();
      token = null;
      renewFn = null;
      inFlight = null;
      emit(next);
    },
    signIn(grant, source, renew) {
      generation++;
      inFlight = null;
      renewFn = renew;
      keep(grant, source);
    },
    async accessToken() {
      if (state.status !== 'signed-in') return null;
      if (token && state.expiresAt - deps.now() > EXPIRY_MARGIN_MS) return token;
      return session.refresh();
    },
    refresh() {
      if (state.status !== 'signed-in' || !renewFn) return Promise.resolve(null);
      if (inFlight) return inFlight;
      const mine = generation;
      const source = state.source;
      const renew = renewFn;
      cancelTimer();
      const attempt = (async () => {
        try {
          // Deferred, so `inFlight` is set before the renewal can finish (even one that throws at once).
          const grant = await Promise.resolve().then(renew);
          if (mine !== generation) return null;
          keep(grant, source);
          return grant.access_token;
        } catch (err) {
          if (mine !== generation) return null;
          if (err instanceof SessionRejectedError) {
            session.signOut(SESSION_ENDED);
            return null;
          }
          // The office is away: keep what we have (it may still be good) and try again shortly.
          schedule(RETRY_REFRESH_MS);
          return null;
        } finally {
          if (mine === generation) inFlight = null;
        }
      })();
      inFlight = attempt;
      return attempt;
    },
    signOut(reason) {
      session.setState(reason ? { status: 'signed-out', reason } : { status: 'signed-out' });
    },
  };
  return session;
}

/** The page's one session. */
export const session = createSession();

// Starting, opening and ending the page's session against the office (the rules of the token itself are
// in session.ts).
import { useSyncExternalStore } from 'react';
import { authErrorMessage, getAuthStatus, localTokenSource, login, logout, refreshWithCookie, setupOwner } from './auth-api.ts';
import { session, type SessionState } from './session.ts';

// Not the token, only a note that this browser signed in before: a first visit then does not ask the office
// to renew a refresh cookie it cannot have (a 401 Chromium would log as an error for nothing).
const HINT_KEY = 'yoctosehns.signed-in';

function setHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // Storage off (a private window): every visit just asks the office.
  }
}

function hasHint(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return true;
  }
}

session.subscribe(() => {
  const { status } = session.getState();
  if (status === 'signed-out' || status === 'setup') setHint(false);
});

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState);
}

let starting: Promise<void> | undefined;

/**
 * Finds out who this page is: the first-run screen, the desktop's local user, a still-valid refresh cookie,
 * or the login page. One run at a time (React's StrictMode mounts twice in development, and a second
 * renewal racing the first would present a refresh token the first had just rotated).
 */
export function startSession(): Promise<void> {
  starting ??= findSession().finally(() => (starting = undefined));
  return starting;
}

async function findSession(): Promise<void> {
  session.setState({ status: 'starting' });
  let setupRequired: boolean;
  try {
    setupRequired = (await getAuthStatus()).setup_required;
  } catch (err) {
    session.setState({ status: 'unreachable', error: err instanceof Error ? err.message : String(err) });
    return;
  }
  if (setupRequired) {
    session.setState({ status: 'setup' });
    return;
  }
  const local = localTokenSource();
  if (local) {
    try {
      session.signIn(await local(), 'desktop', local);
      return;
    } catch {
      // The shell could not mint a token: fall back to the login page rather than show nothing.
    }
  }
  if (hasHint()) {
    try {
      session.signIn(await refreshWithCookie(), 'password', refreshWithCookie);
      return;
    } catch {
      // The cookie is gone, expired or revoked: sign in again.
    }
  }
  session.setState({ status: 'signed-out' });
}

export async function signInWithPassword(name: string, password: string): Promise<void> {
  const answer = await login(name, password);
  session.signIn(answer, 'password', refreshWithCookie);
  setHint(true);
}

/** Creates the owner on a new office and signs in as them (in the desktop window, as the local user). */
export async function createOwner(name: string, password: string): Promise<void> {
  const answer = await setupOwner(name, password);
  const local = localTokenSource();
  if (local) {
    try {
      session.signIn(await local(), 'desktop', local);
      return;
    } catch {
      // Keep the setup answer's token instead.
    }
  }
  session.signIn(answer, 'password', refreshWithCookie);
  setHint(true);
}

/** Ends this page's session (and, with `everywhere`, every session of this user); the page shows the login form. */
export async function signOut(everywhere = false): Promise<void> {
  try {
    await logout(everywhere);
    session.signOut();
  } catch (err) {
    const why = authErrorMessage(err);
    session.signOut(
      everywhere
        ? `Signed out on this device only: the office could not sign you out everywhere (${why}) Sign in and try again.`
        : `Signed out on this device. The office could not be told (${why}), so your refresh token stays valid until it expires.`,
    );
  }
}

// Accounts for the browser tests: the owner made through the office's API, signing in through the page.
import type { Page } from 'playwright-core';
import { readSecret } from '../../app/main/security/secrets.ts';

export const OWNER = { name: 'anna', password: 'green pastures 2026' };

/** Creates the owner on a new office (POST /auth/setup) and returns its access token. */
export async function setupOwner(api: string, owner = OWNER): Promise<string> {
  const res = await fetch(`${api}/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(owner),
  });
  if (res.status !== 200) throw new Error(`POST /auth/setup answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Fills the login page and waits until the app shows who is signed in. */
export async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.getByTestId('login-form').waitFor({ timeout: 15_000 });
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor({ timeout: 15_000 });
}

/** Signs out through the user menu and waits for the login page. */
export async function signOut(page: Page, everywhere = false): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId(everywhere ? 'sign-out-everywhere' : 'sign-out').click();
  await page.getByTestId('login-form').waitFor({ timeout: 15_000 });
}

/** Runs GraphQL as admin with the data dir's control key (Hasura's admin secret): test setup and checks. */
/** Runs SQL as admin through Hasura's run_sql (`/v2/query`); a refusal fails the test with the office's answer. */
export async function adminRunSql(api: string, dataDir: string, sql: string): Promise<{ result?: string[][] }> {
  const res = await fetch(`${api}/v2/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': readSecret(dataDir, 'control.key')! },
    body: JSON.stringify({ type: 'run_sql', args: { sql } }),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`run_sql answered ${res.status}: ${body}`);
  return JSON.parse(body) as { result?: string[][] };
}

export async function adminGraphql(api: string, dataDir: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${api}/v1/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': readSecret(dataDir, 'control.key')! },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

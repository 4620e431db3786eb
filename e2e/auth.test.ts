// Accounts in a real Chromium against `serve`: the first-run screen on a new office, signing in and out,
// silent renewal, the owner's pages (users, API tokens, security log), and navigation by role.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { signIn, signOut } from './support/auth.ts';
import { openBrowser } from './support/browser.ts';
import { startServe } from './support/processes.ts';

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-e2e-auth-');
const office = await startServe(dataDir, { YOCTOSEHNS_INIT_SNAPSHOT: snapshot });
const browser = await openBrowser();
after(async () => {
  await browser.close();
  await office.stop();
  cleanup();
});

const OWNER = { name: 'anna', password: 'green pastures 2026' };
const VET = { name: 'vera', password: 'calving season 2026', newPassword: 'second opinion 2027' };

async function graphql(token: string, query: string): Promise<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(`${office.api}/v1/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as never;
}

async function navPaths(): Promise<string[]> {
  const links = browser.page.getByTestId('navbar').locator('a');
  return (await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))).map((h) => h.replace(/^#\//, ''));
}

test('a new office asks for the owner account first', async () => {
  const { page } = browser;
  await page.goto(office.api);
  await page.getByTestId('setup-form').waitFor({ timeout: 15_000 });
  await browser.screenshot('first-run');

  await page.getByTestId('setup-name').fill(OWNER.name);
  await page.getByTestId('setup-password').fill('too short');
  assert.equal(await page.getByTestId('password-strength').getAttribute('data-score'), '0');
  await page.getByTestId('setup-password-repeat').fill('too short');
  await page.getByTestId('setup-submit').click();
  assert.match(await page.getByTestId('setup-error').innerText(), /at least 12 characters/);

  await page.getByTestId('setup-password').fill(OWNER.password);
  await page.getByTestId('setup-password-repeat').fill(`${OWNER.password}!`);
  await page.getByTestId('setup-submit').click();
  assert.match(await page.getByTestId('setup-error').innerText(), /not the same/);

  await page.getByTestId('setup-password-repeat').fill(OWNER.password);
  await page.getByTestId('setup-submit').click();
  await page.getByTestId('empty-farm').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('user-name').innerText(), OWNER.name);
  assert.equal(await page.getByTestId('user-role').textContent(), 'Owner');
  assert.deepEqual(await navPaths(), ['herd', 'animal', 'alerts', 'statistics', 'reports', 'nodes', 'animals', 'users', 'api-tokens', 'security-log', 'settings']);

  const status = (await (await fetch(`${office.api}/auth/status`)).json()) as { setup_required: boolean };
  assert.equal(status.setup_required, false);
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('a reload keeps the owner signed in through the refresh cookie, not a stored token', async () => {
  const { page } = browser;
  await page.reload();
  await page.getByTestId('user-menu').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('login-form').count(), 0);
  const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie');
  assert.doesNotMatch(stored, /eyJ/, 'no JWT in web storage or readable cookies');
});

test('GraphQL needs a token; a refused one is renewed once and the request tried again', async () => {
  const { page } = browser;
  const anonymous = await fetch(`${office.api}/v1/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ animals { id } }' }),
  });
  const body = (await anonymous.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  assert.ok(!body.data, 'no data without a token');

  // The office refuses the next GraphQL request as if the token had expired.
  let refused = 0;
  let refreshes = 0;
  page.on('request', (req) => {
    if (req.url().endsWith('/auth/refresh')) refreshes++;
  });
  await page.route('**/v1/graphql', async (route) => {
    if (refused++ === 0) {
      await route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ errors: [{ message: 'Could not verify JWT: JWTExpired', extensions: { path: '$', code: 'invalid-jwt' } }] }),
      });
    } else {
      await route.fallback();
    }
  });
  // Leaving the live socket aside: a reload's first request over HTTP is the farm name in the header.
  await page.reload();
  await page.getByTestId('farm-name').waitFor({ timeout: 15_000 });
  await page.unroute('**/v1/graphql');
  assert.ok(refused >= 2, 'the request was sent again');
  assert.ok(refreshes >= 2, 'one renewal on load, one after the refusal');
  assert.equal(await page.getByTestId('login-form').count(), 0, 'still signed in');
});

test('the owner adds a vet, changes the role and resets the password', async () => {
  const { page } = browser;
  await page.getByTestId('nav-users').click();
  await page.getByTestId('users-table').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator(`[data-testid="user-row"][data-name="${OWNER.name}"]`).getAttribute('data-role'), 'owner');

  await page.getByTestId('user-add').click();
  await page.getByTestId('user-add-name').fill(VET.name);
  await page.getByTestId('user-add-role').click();
  await page.getByRole('option', { name: /^Vet/ }).click();
  await page.getByTestId('user-add-password').fill('short');
  await page.getByTestId('user-add-submit').click();
  assert.match(await page.getByTestId('user-add-error').innerText(), /at least 12 characters/);
  await page.getByTestId('user-add-password').fill(VET.password);
  await page.getByTestId('user-add-submit').click();
  const row = page.locator(`[data-testid="user-row"][data-name="${VET.name}"]`);
  await row.waitFor({ timeout: 15_000 });
  assert.equal(await row.getAttribute('data-role'), 'vet');

  await row.getByTestId('user-role-select').click();
  await page.getByRole('option', { name: 'Worker', exact: true }).click();
  await page.locator(`[data-testid="user-row"][data-name="${VET.name}"][data-role="worker"]`).waitFor({ timeout: 15_000 });

  await row.getByTestId('user-reset-password').click();
  await page.getByTestId('user-reset-new-password').fill(VET.newPassword);
  await page.getByTestId('user-reset-submit').click();
  await page.getByTestId('user-reset-done').waitFor({ timeout: 15_000 });
  await page.keyboard.press('Escape');
  await page.getByTestId('user-reset-done').waitFor({ state: 'detached', timeout: 15_000 });
  await browser.screenshot('users');
});

test('API tokens: shown once with a copy button, usable, then revoked', async () => {
  const { page } = browser;
  await page.getByTestId('nav-api-tokens').click();
  await page.getByTestId('api-token-create').waitFor({ timeout: 15_000 });
  await page.getByTestId('api-token-create').click();
  await page.getByTestId('api-token-name').fill('milk export');
  await page.getByTestId('api-token-submit').click();
  await page.getByTestId('api-token-created').waitFor({ timeout: 15_000 });
  const token = (await page.getByTestId('api-token-value').innerText()).trim();
  assert.ok(token.length >= 20, `a token: ${token}`);
  await page.getByTestId('api-token-copy').waitFor();
  await browser.screenshot('api-token-created');

  const asViewer = await graphql(token, '{ farm_settings { name } }');
  assert.ok(asViewer.data, `the token works: ${JSON.stringify(asViewer)}`);

  await page.getByTestId('api-token-done').click();
  const row = page.locator('[data-testid="api-token-row"][data-name="milk export"]');
  await row.waitFor({ timeout: 15_000 });
  assert.equal(await row.getAttribute('data-state'), 'active');
  assert.doesNotMatch(await page.getByTestId('api-tokens-table').innerText(), new RegExp(token.slice(0, 12)), 'the list never shows the token');
  await row.getByTestId('api-token-revoke').click();
  await page.getByTestId('api-token-revoke-confirm').click();
  await page.locator('[data-testid="api-token-row"][data-name="milk export"][data-state="revoked"]').waitFor({ timeout: 15_000 });
  const revoked = await graphql(token, '{ farm_settings { name } }');
  assert.ok(!revoked.data, 'a revoked token is refused');
});

test('the security log shows what happened', async () => {
  const { page } = browser;
  await page.getByTestId('nav-security-log').click();
  await page.getByTestId('security-log-table').waitFor({ timeout: 15_000 });
  const events = await page.getByTestId('security-log-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event')));
  for (const event of ['user_created', 'login_ok', 'role_changed', 'api_token_issued', 'api_token_revoked']) {
    assert.ok(events.includes(event), `${event} in ${events.join(', ')}`);
  }
  await browser.screenshot('security-log');
});

test('sign out, a wrong password in words, and a worker sees only what a worker may use', async () => {
  const { page } = browser;
  await signOut(page);
  await page.getByTestId('login-name').fill(VET.name);
  await page.getByTestId('login-password').fill(VET.password); // the old one: the owner reset it
  await page.getByTestId('login-submit').click();
  assert.equal(await page.getByTestId('login-error').innerText(), 'Wrong name or password.');
  await browser.screenshot('login-wrong-password');

  await signIn(page, VET.name, VET.newPassword);
  assert.equal(await page.getByTestId('user-role').textContent(), 'Worker');
  assert.deepEqual(await navPaths(), ['herd', 'animal', 'alerts', 'statistics']);
  // The page the owner left open is not for a worker: it says so instead of showing it.
  await page.getByTestId('page-forbidden').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('security-log-table').count(), 0);
  await page.getByTestId('nav-herd').click();
  await page.getByTestId('empty-farm').waitFor({ timeout: 15_000 });
  await page.goto(`${office.api}/#/users`);
  await page.getByTestId('page-forbidden').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('users-table').count(), 0);

  // A reload after signing out must not sign anyone back in.
  await signOut(page);
  await page.reload();
  await page.getByTestId('login-form').waitFor({ timeout: 15_000 });
});

test('"sign out everywhere" ends the other tabs’ sessions too', async () => {
  const { page } = browser;
  await signIn(page, OWNER.name, OWNER.password);
  const other = await browser.context.newPage();
  try {
    await other.goto(office.api);
    await other.getByTestId('user-menu').waitFor({ timeout: 15_000 });
    await signOut(page, true);
    // The other tab keeps its access token until it ends, but cannot renew it.
    const refreshed = await other.evaluate(async () => (await fetch('/auth/refresh', { method: 'POST' })).status);
    assert.equal(refreshed, 401);
  } finally {
    await other.close();
  }
});

test('too many wrong passwords lock sign-in, and the page says how long to wait', async () => {
  const { page } = browser;
  await page.getByTestId('login-form').waitFor({ timeout: 15_000 });
  let locked: Response | undefined;
  for (let i = 0; i < 10 && !locked; i++) {
    const res = await fetch(`${office.api}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: VET.name, password: `wrong password ${i}` }),
    });
    if (res.status === 429) locked = res;
  }
  assert.ok(locked, 'the office locks the account');
  assert.match(locked.headers.get('retry-after') ?? '', /^\d+$/);

  // The office's backoff starts at a second, too short to watch; the page is shown a longer one.
  await page.route('**/auth/login', (route) =>
    route.fulfill({ status: 429, headers: { 'retry-after': '125' }, contentType: 'application/json', body: JSON.stringify({ error: 'too many attempts', code: 'locked' }) }),
  );
  try {
    await page.getByTestId('login-name').fill(VET.name);
    await page.getByTestId('login-password').fill(VET.newPassword);
    await page.getByTestId('login-submit').click();
    const error = page.getByTestId('login-error');
    await error.waitFor({ timeout: 15_000 });
    assert.equal(await error.innerText(), 'Too many failed attempts. Sign-in is locked; try again in 3 minutes.');
    assert.equal(await error.getAttribute('data-locked'), 'true');
    assert.equal(await page.getByTestId('login-submit').isDisabled(), true);
    await browser.screenshot('login-locked');
  } finally {
    await page.unroute('**/auth/login');
  }
  browser.errors.length = 0; // the refused sign-ins are logged by Chromium as failed requests
});

// The walking skeleton end to end: serve on a new data dir, provision a node with the CLI, post readings
// over HTTP, and see them on the Herd page in a real Chromium, signed in as the farm's owner.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { OWNER, setupOwner, signIn } from './support/auth.ts';
import { openBrowser } from './support/browser.ts';
import { runCli, startServe } from './support/processes.ts';
import { readSecret } from '../app/main/security/secrets.ts';

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-e2e-');
const env = { YOCTOSEHNS_INIT_SNAPSHOT: snapshot };
const office = await startServe(dataDir, env);
await setupOwner(office.api);
const browser = await openBrowser();
after(async () => {
  await browser.close();
  await office.stop();
  cleanup();
});

test('a new farm shows how to add a node', async () => {
  const { page } = browser;
  await page.goto(office.api);
  await signIn(page, OWNER.name, OWNER.password);
  await page.getByTestId('empty-farm').waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('empty-farm').innerText(), /node add/);
  assert.equal(await page.getByTestId('connection-status').innerText(), 'Connected');
  await browser.screenshot('empty-farm');
});

let token: string;
async function postReadings(body: unknown): Promise<Response> {
  return fetch(`${office.ingest}/v1/readings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

test('a reading posted by a node appears on the Herd page', async () => {
  const { page } = browser;
  const added = await runCli(['node', 'add', '--name', 'bolus-DE01', '--kind', 'bolus', '--json', '--data-dir', dataDir], env);
  assert.equal(added.code, 0, added.stderr);
  ({ token } = JSON.parse(added.stdout));
  const ts = new Date(Date.now() - 2 * 60_000).toISOString();
  const res = await postReadings({
    readings: [
      { animal: 'DE01', metric: 'temperature', ts, value: 38.7 },
      { animal: 'DE01', metric: 'activity', ts, value: 512 },
      { animal: 'DE02', metric: 'temperature', ts, value: 39.6 },
    ],
  });
  assert.deepEqual(await res.json(), { accepted: 3, duplicates: 0, quarantined: [] });

  // The page refreshes by itself (the office pushes the change over the live subscription): no reload.
  const row = page.locator('[data-testid="herd-row"][data-tag="DE01"]');
  await row.waitFor({ timeout: 20_000 });
  assert.match(await row.getByTestId('reading-temperature').innerText(), /38\.7/);
  assert.match(await row.getByTestId('reading-activity').innerText(), /512/);
  assert.equal(await row.getByTestId('unconfirmed').textContent(), 'Unconfirmed', 'an animal first seen by a node is flagged unconfirmed');
  assert.match(await row.getByTestId('reading-temperature').innerText(), /min ago|minutes? ago/);
  assert.equal(await page.locator('[data-testid="herd-row"]').count(), 2);
  assert.equal(await page.getByTestId('connection-status').getAttribute('data-live'), 'true', 'changes came over the live socket');
  await browser.screenshot('herd');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('without a working socket the page polls over HTTP instead', async () => {
  const page = await browser.context.newPage();
  try {
    // A proxy that drops WebSockets, as some do.
    await page.routeWebSocket(/\/v1\/graphql/, (ws) => ws.close({ code: 1011, reason: 'refused by the test' }));
    // The same browser: the refresh cookie signs this tab in without the login page (the token itself is per page).
    await page.goto(office.api);
    await page.locator('[data-testid="herd-row"][data-tag="DE01"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('login-form').count(), 0);
    const badge = page.getByTestId('connection-status');
    assert.equal(await badge.innerText(), 'Connected');
    assert.equal(await badge.getAttribute('data-live'), 'false');
    // The last success is on the farm's clock (UTC here), named, like every time on the dashboard.
    assert.match((await badge.getAttribute('title')) ?? '', /Last success: .*\bUTC\b/);

    const ts = new Date(Date.now() - 60_000).toISOString();
    assert.equal((await postReadings({ readings: [{ animal: 'DE03', metric: 'temperature', ts, value: 38.4 }] })).status, 200);
    await page.locator('[data-testid="herd-row"][data-tag="DE03"]').waitFor({ timeout: 20_000 });
  } finally {
    await page.close();
  }
});

test('open alerts show as badges; the herd filters by status and group and sorts by a metric', async () => {
  const { page } = browser;
  const sql = `INSERT INTO groups (name) VALUES ('Heifers');
    UPDATE animals SET group_id = (SELECT id FROM groups WHERE name = 'Heifers') WHERE tag = 'DE02';
    INSERT INTO alerts (animal_id, category, cause, reason, onset, raised_at)
      SELECT id, 'Health', 'AnimalTemperature', 'e2e', now(), now() FROM animals WHERE tag = 'DE02'`;
  const res = await fetch(`${office.api}/v2/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': readSecret(dataDir, 'control.key')! },
    body: JSON.stringify({ type: 'run_sql', args: { sql } }),
  });
  assert.equal(res.status, 200, await res.text());
  const de02 = page.locator('[data-testid="herd-row"][data-tag="DE02"]');
  await de02.getByTestId('badge-fever').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-testid="herd-row"][data-tag="DE01"] [data-testid="badge-fever"]').count(), 0);

  const tags = () => page.locator('[data-testid="herd-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')));
  // Highest temperature first: DE02 (39.6) before DE01 (38.7); DE03 has a temperature too (38.4).
  await page.getByTestId('sort-metric:1').click();
  assert.deepEqual(await tags(), ['DE02', 'DE01', 'DE03']);
  await page.getByTestId('sort-metric:1').click();
  assert.deepEqual(await tags(), ['DE03', 'DE01', 'DE02']);

  await page.getByTestId('herd-status-filter').click();
  await page.getByRole('option', { name: 'Fever' }).click();
  await page.getByTestId('herd-count').filter({ hasText: '1 of 3 animals' }).waitFor({ timeout: 5_000 });
  assert.deepEqual(await tags(), ['DE02']);
  await page.getByTestId('herd-status-filter').click();
  await page.getByRole('option', { name: 'Any status' }).click();

  await page.getByTestId('herd-group-filter').click();
  await page.getByRole('option', { name: 'No group' }).click();
  await page.getByTestId('herd-count').filter({ hasText: '2 of 3 animals' }).waitFor({ timeout: 5_000 });
  assert.deepEqual((await tags()).sort(), ['DE01', 'DE03']);
  await page.getByTestId('herd-group-filter').click();
  await page.getByRole('option', { name: 'All groups' }).click();
  await page.getByTestId('herd-count').filter({ hasText: /^3 animals$/ }).waitFor({ timeout: 5_000 });
  // One activity reading so far: too few for a line, and said so rather than left blank.
  await page.locator('[data-testid="herd-row"][data-tag="DE01"] [data-testid="sparkline-empty"]').waitFor({ timeout: 10_000 });
  await browser.screenshot('herd-filtered');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('the page says so when the office goes away', async () => {
  const { page } = browser;
  await office.stop();
  await page.getByTestId('connection-status').filter({ hasText: 'Offline' }).waitFor({ timeout: 20_000 });
  await browser.screenshot('offline');
  browser.errors.length = 0; // the failed requests themselves are logged by Chromium as errors
});

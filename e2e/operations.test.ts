// Issue 6, items 3, 4 and 7 end to end: provision a node from the Nodes page and see it post; acknowledge and
// resolve an alert on the action list; change the farm's name in Settings. Chromium against `serve`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { OWNER, setupOwner, signIn, signOut, adminGraphql as adminGraphqlAs } from './support/auth.ts';
import { openBrowser } from './support/browser.ts';
import { startServe } from './support/processes.ts';

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-e2e-ops-');
const env = { YOCTOSEHNS_INIT_SNAPSHOT: snapshot };
const office = await startServe(dataDir, env);
const ownerToken = await setupOwner(office.api);
const browser = await openBrowser();
after(async () => {
  await browser.close();
  await office.stop();
  cleanup();
});

const adminGraphql = (query: string, variables?: Record<string, unknown>) => adminGraphqlAs(office.api, dataDir, query, variables);

/** Waits until `locator` matches `n` elements (a filter re-renders the list at once, but not synchronously). */
async function untilCount(locator: Locator, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await locator.count()) !== n) {
    if (Date.now() > deadline) assert.fail(`expected ${n} elements, found ${await locator.count()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('provision a node from the Nodes page: the token is shown once with a curl command, and the node posts', async () => {
  const { page } = browser;
  await page.goto(office.api);
  await signIn(page, OWNER.name, OWNER.password);
  await adminGraphql(`mutation { insert_animals_one(object: {tag: "DE01", name: "Berta"}) { id } }`);
  await page.getByTestId('nav-nodes').click();
  await page.getByTestId('nodes-empty').waitFor({ timeout: 15_000 });

  await page.getByTestId('node-add').click();
  await page.getByTestId('node-name').fill('collar-12');
  await page.getByTestId('node-where').fill('DE01');
  await page.getByTestId('node-add-submit').click();
  const token = (await page.getByTestId('node-token').innerText({ timeout: 15_000 })).trim();
  assert.match(token, /^ysn_/);
  const curl = await page.getByTestId('node-curl').innerText({ timeout: 15_000 });
  assert.ok(curl.includes(`${office.ingest}/v1/readings`), curl);
  assert.ok(curl.includes(`Bearer ${token}`));
  await browser.screenshot('node-token');
  await page.getByTestId('node-token-done').click();

  const row = page.locator('[data-testid="node-row"][data-node-name="collar-12"]');
  await row.waitFor({ timeout: 15_000 });
  assert.match(await row.innerText(), /DE01 \(Berta\)/);
  assert.equal(await row.getByTestId('node-health').textContent(), 'Never seen');

  // The command as shown, minus the shell: the node's first post makes it OK and fills in its status, live.
  const res = await fetch(`${office.ingest}/v1/readings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings: [{ metric: 'temperature', ts: new Date(Date.now() - 60_000).toISOString(), value: 38.7 }], status: { battery: 3.61, rssi: -71, firmware: '1.4.2' } }),
  });
  assert.equal(res.status, 200, await res.text());
  await row.getByTestId('node-health').filter({ hasText: 'OK' }).waitFor({ timeout: 20_000 });
  assert.match(await row.innerText(), /3\.61 V/);
  assert.match(await row.innerText(), /-71 dBm/);
  assert.match(await row.innerText(), /1\.4\.2/);
  assert.match(await row.getByTestId('node-last-seen').innerText(), /just now|min ago/);

  await row.getByTestId('node-open').click();
  await page.getByTestId('node-requests').waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('node-requests').innerText(), /200/);
  await browser.screenshot('nodes-drawer');
  await page.keyboard.press('Escape');
  await page.getByTestId('node-detail').waitFor({ state: 'detached' });
  await browser.screenshot('nodes');
});

test('rotate and revoke from the Nodes page', async () => {
  const { page } = browser;
  const row = page.locator('[data-testid="node-row"][data-node-name="collar-12"]');
  await row.getByTestId('node-rotate').click();
  await page.getByTestId('node-confirm').click();
  const token = (await page.getByTestId('node-token').innerText({ timeout: 15_000 })).trim();
  assert.match(token, /^ysn_/);
  await page.getByTestId('node-token-done').click();
  await row.getByTestId('node-revoke').click();
  await page.getByTestId('node-confirm').click();
  await row.getByTestId('node-health').filter({ hasText: 'Revoked' }).waitFor({ timeout: 15_000 });
  const res = await fetch(`${office.ingest}/v1/readings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings: [{ metric: 'temperature', ts: new Date().toISOString(), value: 38.7 }] }),
  });
  assert.equal(res.status, 401, 'a revoked node is refused');
});

test('an alert appears on the action list by itself, with its reason and numbers; acknowledge, then resolve with a note', async () => {
  const { page } = browser;
  await page.getByTestId('nav-alerts').click();
  await page.getByTestId('alerts-empty').waitFor({ timeout: 15_000 });
  const now = new Date().toISOString();
  const { insert_alerts } = await adminGraphql(
    `mutation ($now: timestamptz!) { insert_alerts(objects: [
      {animal_id: 1, category: "Reproduction", cause: "Activity", severity: 2, reason: "activity 2.8× her 7-day baseline for 6 h",
       details: {ratio: 2.8, baseline_days: 7, hours: 6}, onset: $now, raised_at: $now},
      {animal_id: 1, category: "Health", cause: "AnimalTemperature", severity: 3, reason: "body temperature 40.1 °C for 3 h",
       details: {temperature: 40.1, hours: 3}, onset: $now, raised_at: $now}
    ]) { returning { id } } }`,
    { now },
  );
  const [heatId, feverId] = insert_alerts.returning.map((r: { id: number }) => r.id);
  const rows = page.getByTestId('alert-row');
  await rows.first().waitFor({ timeout: 20_000 });
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.first().getAttribute('data-alert-id'), String(feverId), 'the urgent one first');
  const heat = page.locator(`[data-testid="alert-row"][data-alert-id="${heatId}"]`);
  assert.match(await heat.getByTestId('alert-reason').innerText(), /2\.8× her 7-day baseline for 6 h/);
  const numbers = await heat.getByTestId('alert-numbers').innerText();
  for (const part of ['Ratio: 2.8', 'Baseline days: 7', 'Hours: 6']) assert.ok(numbers.includes(part), numbers); // jsonb keeps its own key order
  assert.match(await heat.getByTestId('alert-subject').innerText(), /DE01 \(Berta\)/);
  await browser.screenshot('alerts');

  await page.getByTestId('alerts-category-filter').click();
  await page.getByRole('option', { name: 'Health' }).click();
  await untilCount(rows, 1);
  assert.equal(await rows.first().getAttribute('data-alert-id'), String(feverId));
  await page.getByTestId('alerts-category-filter').click();
  await page.getByRole('option', { name: 'Health' }).click(); // choosing it again clears the filter
  await untilCount(rows, 2);

  await heat.getByTestId('alert-acknowledge').click();
  await page.getByTestId('alert-note-input').fill('Anna checks her at milking');
  await page.getByTestId('alert-action-submit').click();
  await page.locator(`[data-testid="alert-row"][data-alert-id="${heatId}"][data-status="acknowledged"]`).waitFor({ timeout: 15_000 });
  assert.match(await heat.getByTestId('alert-note').innerText(), /Anna checks her at milking/);
  const stored = await adminGraphql(`query ($id: Int!) { alerts_by_pk(id: $id) { status note acknowledged_at } }`, { id: heatId });
  assert.equal(stored.alerts_by_pk.status, 'acknowledged');
  assert.ok(stored.alerts_by_pk.acknowledged_at);

  await heat.getByTestId('alert-resolve').click();
  await page.getByTestId('alert-note-input').fill('inseminated');
  await page.getByTestId('alert-action-submit').click();
  await heat.waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByTestId('alerts-view').getByText('Resolved').click();
  await page.getByTestId('alerts-history-row').first().waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('alerts-history').innerText(), /inseminated/);
  await browser.screenshot('alerts-history');
});

test('change the farm name, units and locale in Settings', async () => {
  const { page } = browser;
  await page.getByTestId('nav-settings').click();
  const name = page.getByTestId('settings-name');
  await name.waitFor({ timeout: 15_000 });
  assert.equal(await name.inputValue(), 'My farm');
  assert.equal(await page.getByTestId('settings-save').isDisabled(), true, 'nothing to save yet');
  await name.fill('');
  assert.equal(await page.getByTestId('settings-save').isDisabled(), true, 'an empty name cannot be saved');
  await name.fill('Hof Sonnenwiese');
  await page.getByTestId('settings-units').click();
  await page.getByRole('option', { name: '°F (imperial)' }).click();
  // The locale: a sample shows how the choice writes numbers and dates before it is saved.
  const sample = page.getByTestId('settings-locale-sample');
  assert.equal((await sample.innerText()).trim(), 'For example 1,234.5 · 31/12/2026, 18:30', 'en-GB until the farm chooses');
  await page.getByTestId('settings-locale').click();
  await page.getByRole('option', { name: 'Deutsch (Deutschland) · German' }).click();
  assert.equal((await sample.innerText()).trim(), 'For example 1.234,5 · 31.12.2026, 18:30');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('settings-saved').waitFor({ timeout: 15_000 });
  const { farm_settings } = await adminGraphql(`{ farm_settings { name units time_zone locale } }`);
  assert.deepEqual(farm_settings, [{ name: 'Hof Sonnenwiese', units: 'imperial', time_zone: 'UTC', locale: 'de-DE' }]);
  await browser.screenshot('settings');
  // Every page follows at once, whatever the browser's own locale: the node's battery with a decimal comma.
  await page.getByTestId('nav-nodes').click();
  const node = page.locator('[data-testid="node-row"][data-node-name="collar-12"]');
  for (const deadline = Date.now() + 15_000; !/3,61 V/.test(await node.innerText().catch(() => '')); ) {
    if (Date.now() > deadline) assert.match(await node.innerText(), /3,61 V/);
    await page.waitForTimeout(100);
  }
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-name').waitFor({ timeout: 15_000 });
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('tune an alert rule in Settings, in the farm’s °F: checked in words, saved in °C, still there after a reload', async () => {
  const { page } = browser;
  const fever = page.locator('[data-testid="alert-rule"][data-rule="fever"]');
  const absolute = fever.locator('input[data-testid="alert-rule-parameter"][data-parameter="absoluteC"]');
  await absolute.waitFor({ timeout: 15_000 });
  assert.equal(await absolute.inputValue(), '103,1', 'the default 39.5 °C, on an imperial farm, with the de-DE decimal comma');
  assert.match(await fever.innerText(), /Absolute threshold while she has no baseline \(°F\)/);
  assert.equal(await fever.getByTestId('alert-rule-save').isDisabled(), true, 'nothing to save yet');

  await absolute.fill('90');
  await fever.getByTestId('alert-rule-save').click();
  assert.match(await fever.innerText(), /From 101,3 to 107,6 °F\./);
  await absolute.fill('104,0');
  await fever.getByTestId('alert-rule-save').click();
  await fever.getByTestId('alert-rule-saved').waitFor({ timeout: 15_000 });
  const stored = async () => (await adminGraphql(`{ alert_rules_by_pk(key: "fever") { enabled parameters } }`)).alert_rules_by_pk;
  const saved = await stored();
  assert.equal(saved.parameters.absoluteC, 40);
  assert.equal(saved.parameters.riseC, 0.8, 'an untouched difference keeps its exact °C value');

  await page.reload();
  await absolute.waitFor({ timeout: 15_000 });
  assert.equal(await absolute.inputValue(), '104', 'still there after a reload');
  await browser.screenshot('settings-alert-rules');

  await fever.getByTestId('alert-rule-defaults').click();
  assert.equal(await absolute.inputValue(), '103,1');
  await fever.getByTestId('alert-rule-save').click();
  await fever.getByTestId('alert-rule-saved').waitFor({ timeout: 15_000 });
  assert.equal((await stored()).parameters.absoluteC, 39.5);
  assert.deepEqual(browser.errors, [], 'no console errors');
});

async function waitForText(locator: Locator, pattern: RegExp): Promise<void> {
  for (const deadline = Date.now() + 15_000; !pattern.test((await locator.innerText()).trim()); ) {
    if (Date.now() > deadline) assert.match((await locator.innerText()).trim(), pattern);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the owner switches remote access on for the next start in Settings: the page says what runs now and what comes', async () => {
  const { page } = browser;
  const card = page.getByTestId('remote-access');
  const state = card.getByTestId('remote-access-state');
  await state.waitFor({ timeout: 15_000 });
  assert.equal((await state.innerText()).trim(), 'Now: off.');
  await card.getByTestId('remote-access-switch').click();
  await waitForText(state, /From the next start of the office: on \(restart it to apply\)\./);
  assert.equal(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')).remoteAccess, true);
  await browser.screenshot('settings-remote-access');
  await card.getByTestId('remote-access-switch').click();
  await waitForText(state, /^Now: off\.$/);
  assert.equal(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')).remoteAccess, false);
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('a worker acknowledges an alert but may not resolve it, and has no Nodes or Settings page', async () => {
  const { page } = browser;
  const worker = { name: 'ben', password: 'milking at five 2026' };
  const added = await fetch(`${office.api}/auth/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
    body: JSON.stringify({ ...worker, role: 'worker' }),
  });
  assert.equal(added.status, 201, await added.text());
  const now = new Date().toISOString();
  const { insert_alerts_one } = await adminGraphql(
    `mutation ($now: timestamptz!) { insert_alerts_one(object: {animal_id: 1, category: "Health", cause: "LowerRumination",
      reason: "rumination 40% below her baseline for 8 h", details: {drop_percent: 40, hours: 8}, onset: $now, raised_at: $now}) { id } }`,
    { now },
  );
  await signOut(page);
  await signIn(page, worker.name, worker.password);
  assert.equal(await page.getByTestId('nav-nodes').count(), 0);
  assert.equal(await page.getByTestId('nav-settings').count(), 0);
  await page.goto(`${office.api}/#/settings`);
  await page.getByTestId('page-forbidden').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('alert-rules').count(), 0, 'no alert rules for a worker');
  await page.getByTestId('nav-alerts').click();
  const row = page.locator(`[data-testid="alert-row"][data-alert-id="${insert_alerts_one.id}"]`);
  await row.waitFor({ timeout: 20_000 });
  assert.equal(await row.getByTestId('alert-resolve').count(), 0);
  await row.getByTestId('alert-acknowledge').click();
  await page.getByTestId('alert-note-input').fill('seen, watching her');
  await page.getByTestId('alert-action-submit').click();
  await page.locator(`[data-testid="alert-row"][data-alert-id="${insert_alerts_one.id}"][data-status="acknowledged"]`).waitFor({ timeout: 15_000 });
  assert.equal(await row.getByTestId('alert-acknowledge').count(), 0);
  await browser.screenshot('alerts-worker');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

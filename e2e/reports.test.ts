// The Reports page end to end (issue 7, items 3 and 4): serve on a new data dir with a small herd and three days
// of readings; as the owner preview an animals export, download it as CSV (the file's header row is the
// preview's), preview the herd report's PDF, schedule a report to a temp folder and run it (status OK, the file
// there and named on the page), see a failed run reported with its reason, and the office's refusal of a
// folder that does not exist shown in the form. A vet may export but does not see the schedules.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { OWNER, setupOwner, signIn, signOut, adminRunSql } from './support/auth.ts';
import { openBrowser } from './support/browser.ts';
import { startServe } from './support/processes.ts';

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-e2e-reports-');
const office = await startServe(dataDir, { YOCTOSEHNS_INIT_SNAPSHOT: snapshot });
const ownerToken = await setupOwner(office.api);
const browser = await openBrowser();
const outDir = mkdtempSync(join(tmpdir(), 'ys-e2e-reports-out-'));
const goneDir = mkdtempSync(join(tmpdir(), 'ys-e2e-reports-gone-'));
after(async () => {
  await browser.close();
  await office.stop();
  cleanup();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(goneDir, { recursive: true, force: true });
});

await adminRunSql(
  office.api,
  dataDir,
  `
  UPDATE farm_settings SET time_zone = 'Europe/Berlin';
  INSERT INTO groups (name) VALUES ('Barn A'), ('Heifers');
  INSERT INTO animals (tag, official_id, name, group_id)
    SELECT 'C' || lpad(i::text, 2, '0'), '2760001234' || lpad(i::text, 5, '0'), CASE WHEN i = 1 THEN 'Berta' END,
           (SELECT id FROM groups WHERE name = CASE WHEN i <= 4 THEN 'Barn A' ELSE 'Heifers' END)
    FROM generate_series(1, 6) i;
  INSERT INTO nodes (name, kind, token_hash) VALUES ('collar-e2e', 'collar', 'e2e-not-a-real-hash');
  INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
    SELECT g, a.id, n.id, 38.5 + 0.3 * sin(extract(epoch FROM g) / 3600.0), 1
    FROM generate_series(date_trunc('hour', now()) - interval '3 days', now(), interval '30 minutes') g, animals a, nodes n;
`,
);

const ANIMALS = 6;

/** Picks an option of a Mantine Select by its label. */
async function choose(testId: string, option: string): Promise<void> {
  await browser.page.getByTestId(testId).click();
  await browser.page.getByRole('option', { name: option, exact: true }).click();
}

/** The fields of one CSV line (quotes as RFC 4180 writes them). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(field), (field = '');
    else field += c;
  }
  out.push(field);
  return out;
}

let previewColumns: string[] = [];

test('the owner opens Reports from the navbar and previews an animals export', async () => {
  const { page } = browser;
  await page.goto(office.api);
  await signIn(page, OWNER.name, OWNER.password);
  await page.getByTestId('nav-reports').click();
  await page.getByTestId('reports-page').waitFor({ timeout: 20_000 });
  assert.equal(new URL(page.url()).hash, '#/reports');
  await page.getByTestId('schedules-section').waitFor({ timeout: 15_000 });

  await choose('reports-subject', 'Animals');
  // The animals list has no period: the presets give way to a word why.
  await page.getByTestId('reports-period-hint').waitFor();
  assert.equal(await page.getByTestId('reports-metrics').isDisabled(), true, 'no metrics in an animals export');
  await page.getByTestId('reports-preview').click();
  await page.getByTestId('reports-preview-table').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('reports-preview-row').count(), ANIMALS);
  assert.match(await page.getByTestId('reports-preview-caption').innerText(), new RegExp(`^${ANIMALS} rows; all are shown\\.$`));
  previewColumns = await page.getByTestId('reports-preview-table').locator('thead th').allInnerTexts();
  assert.ok(previewColumns.some((c) => /tag/i.test(c)), `a tag column among ${previewColumns.join(', ')}`);
  assert.match(await page.getByTestId('reports-preview-table').innerText(), /C01/);
  await browser.screenshot('reports-preview-export');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('download the CSV: a file named by the office, its header row the preview’s columns', async () => {
  const { page } = browser;
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('reports-download').click()]);
  assert.match(download.suggestedFilename(), /^yoctosehns_animals.*\.csv$/);
  const text = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  assert.deepEqual(csvFields(lines[0]!), previewColumns, 'the header row');
  assert.equal(lines.length, 1 + ANIMALS);
  await page.getByTestId('reports-task-done').waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('reports-task-done').innerText(), new RegExp(`Downloaded ${download.suggestedFilename().replace(/[.]/g, '\\.')} \\([\\d.]+ k?B · ${ANIMALS} rows\\)`));
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('the herd report previews as a PDF in the page', async () => {
  const { page } = browser;
  await page.getByTestId('reports-mode').getByText('PDF report', { exact: true }).click();
  await page.getByTestId('reports-period').getByText('Last 7 days', { exact: true }).click();
  assert.match(await page.getByTestId('reports-summary').innerText(), /^Herd health summary, PDF, .* \(7 days\)$/);
  await page.getByTestId('reports-preview').click();
  const frame = page.getByTestId('reports-pdf');
  await frame.waitFor({ timeout: 60_000 });
  assert.equal(await frame.getAttribute('data-header').then((h) => h?.slice(0, 5)), '%PDF-');
  assert.ok(Number(await frame.getAttribute('data-bytes')) > 1000, 'a PDF with something in it');
  assert.match((await frame.getAttribute('src')) ?? '', /^blob:/);
  await page.waitForTimeout(2500); // Chromium's PDF viewer draws the first page
  await browser.screenshot('reports-preview-pdf');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

async function addSchedule(name: string, folder: string): Promise<void> {
  const { page } = browser;
  await page.getByTestId('schedule-add').click();
  await page.getByTestId('schedule-name').waitFor();
  await page.getByTestId('schedule-name').fill(name);
  await page.getByTestId('schedule-frequency').getByText('Weekly', { exact: true }).click();
  await choose('schedule-weekday', 'Monday');
  await page.getByTestId('schedule-folder').fill(folder);
  await page.getByTestId('schedule-keep').fill('3');
  assert.equal(await page.getByTestId('schedule-preview-text').innerText(), 'Weekly on Monday at 06:00, keeps 3 files');
  await page.getByTestId('schedule-save').click();
}

const row = (name: string) => browser.page.locator(`[data-testid="schedule-row"][data-schedule-name="${name}"]`);

test('a scheduled report to a folder: added, run now, its file there and named on the page', async () => {
  const { page } = browser;
  await addSchedule('Weekly herd', outDir);
  await page.getByTestId('schedule-modal').waitFor({ state: 'detached', timeout: 15_000 });
  await row('Weekly herd').waitFor({ timeout: 10_000 });
  assert.equal(await row('Weekly herd').getByTestId('schedule-when').innerText(), 'Weekly on Monday at 06:00, keeps 3 files');
  assert.equal(await row('Weekly herd').getByTestId('schedule-status').textContent(), 'Not run yet');

  await row('Weekly herd').getByTestId('schedule-run').click();
  await page.locator('[data-testid="schedule-row"][data-schedule-name="Weekly herd"][data-status="ok"]').waitFor({ timeout: 60_000 });
  const files = readdirSync(outDir);
  assert.equal(files.length, 1, `one file in the folder: ${files.join(', ')}`);
  assert.match(files[0]!, /\.pdf$/);
  assert.equal(readFileSync(join(outDir, files[0]!)).subarray(0, 5).toString(), '%PDF-');
  const lastRun = await row('Weekly herd').getByTestId('schedule-last-run').innerText();
  assert.ok(lastRun.includes(files[0]!), `the page names the file: ${lastRun}`);
  assert.equal(await row('Weekly herd').getByTestId('schedule-status').textContent(), 'OK');
  await browser.screenshot('reports-schedule-ok');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('a run that fails is reported with its reason, not silent', async () => {
  const { page } = browser;
  await addSchedule('To a stick', goneDir);
  await row('To a stick').waitFor({ timeout: 15_000 });
  rmSync(goneDir, { recursive: true, force: true }); // the stick was pulled out
  await row('To a stick').getByTestId('schedule-run').click();
  await page.locator('[data-testid="schedule-row"][data-schedule-name="To a stick"][data-status="failed"]').waitFor({ timeout: 60_000 });
  const text = await row('To a stick').getByTestId('schedule-last-run').innerText();
  assert.match(text, /^Last run failed .*: .+/);
  assert.ok(text.includes(goneDir) || /exist|no such|ENOENT/i.test(text), `the reason names the folder: ${text}`);
  assert.ok(await row('To a stick').getByTestId('schedule-last-run').isVisible());
  await browser.screenshot('reports-schedule-failed');

  // Deleted after a confirmation.
  await row('To a stick').getByTestId('schedule-delete').click();
  await page.getByTestId('schedule-delete-confirm').click();
  await row('To a stick').waitFor({ state: 'detached', timeout: 10_000 });
  assert.deepEqual(browser.errors, [], 'no console errors: a failed run is an answer, not a refused request');
});

test('a folder that does not exist: the form shows the office’s words and stays open', async () => {
  const { page } = browser;
  const missing = join(tmpdir(), 'ys-e2e-no-such-folder', 'reports');
  assert.equal(existsSync(missing), false);
  await addSchedule('Nowhere', missing);
  await page.getByTestId('schedule-form-error').waitFor({ timeout: 15_000 });
  const error = await page.getByTestId('schedule-form-error').innerText();
  assert.ok(error.includes(missing), `the office's words name the folder: ${error}`);
  assert.ok(await page.getByRole('dialog').isVisible(), 'the form stays open to fix the folder');
  await browser.screenshot('reports-schedule-bad-folder');
  await page.keyboard.press('Escape');
  await page.getByTestId('schedule-modal').waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal(await row('Nowhere').count(), 0);
  // The refused POST is logged by Chromium as a failed request; nothing else may be.
  assert.deepEqual(
    browser.errors.filter((e) => !/status of 400/.test(e)),
    [],
    'no console errors but the refused request',
  );
  browser.errors.length = 0;
});

test('a vet may export and report, but does not see where the farm’s files go', async () => {
  const { page } = browser;
  const res = await fetch(`${office.api}/auth/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
    body: JSON.stringify({ name: 'vera', password: 'a long vet password 1', role: 'vet' }),
  });
  assert.ok(res.status === 200 || res.status === 201, `POST /auth/users: ${res.status} ${await res.text()}`);
  await signOut(page);
  await signIn(page, 'vera', 'a long vet password 1');
  await page.getByTestId('nav-reports').click();
  await page.getByTestId('reports-page').waitFor({ timeout: 20_000 });
  await page.getByTestId('reports-download').waitFor();
  assert.equal(await page.getByTestId('schedules-section').count(), 0);
  assert.deepEqual(browser.errors, [], 'no console errors');
});

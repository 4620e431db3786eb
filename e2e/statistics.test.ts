// The statistics page end to end: serve on a new data dir with five weeks of daily rollups (two groups, two
// metrics, one day missing) and alerts of three causes; open the page, see each chart drawn with the right
// number of points, switch period, metric and box mode, see empty and single-day periods, and °F on an
// imperial farm.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { readSecret } from '../app/main/security/secrets.ts';
import { OWNER, setupOwner, signIn, adminRunSql } from './support/auth.ts';
import { openBrowser } from './support/browser.ts';
import { startServe } from './support/processes.ts';
import { DAILY_MEANS_QUERY, STATISTICS_META_QUERY, STATISTICS_QUERY } from '../app/renderer/src/statistics-model.ts';

// Functions passed to page.evaluate run in Chromium; the office's tsconfig has no DOM types, so name what they use.
interface PageElement {
  width: number;
  height: number;
  getAttribute(name: string): string | null;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: { querySelector(selector: string): PageElement | null; documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-e2e-stats-');
const office = await startServe(dataDir, { YOCTOSEHNS_INIT_SNAPSHOT: snapshot });
await setupOwner(office.api);
const browser = await openBrowser();
after(async () => {
  await browser.close();
  await office.stop();
  cleanup();
});

const runSql = (sql: string) => adminRunSql(office.api, dataDir, sql);

async function sqlValue(sql: string): Promise<string> {
  return (await runSql(sql)).result![1]![0]!;
}

// The farm's today, and the day 10 days before it that has no figures at all (a gap, not a zero).
const TODAY = "(now() AT TIME ZONE 'Europe/Berlin')::date";
await runSql(`
  UPDATE farm_settings SET time_zone = 'Europe/Berlin';
  -- The rollups below are written as the office would have built them for this zone: it must not rebuild them.
  UPDATE office.rollup_state SET time_zone = 'Europe/Berlin';
  INSERT INTO groups (name) VALUES ('Barn A'), ('Heifers');
  INSERT INTO animals (tag, group_id)
    SELECT 'C' || lpad(i::text, 2, '0'), (SELECT id FROM groups WHERE name = CASE WHEN i <= 8 THEN 'Barn A' ELSE 'Heifers' END)
    FROM generate_series(1, 12) i;
  -- Each animal's daily means of temperature (1) and activity (2) for 35 days, Heifers a little higher.
  INSERT INTO readings_daily (animal_id, metric_id, day, n, mean, min, max, stddev)
    SELECT a.id, m.id, d::date, 144, v, v - 1.5 * m.spread, v + 1.5 * m.spread, m.spread / 2
    FROM animals a
    JOIN groups g ON g.id = a.group_id
    CROSS JOIN (VALUES (1, 38.6, 0.3), (2, 450.0, 80.0)) m(id, base, spread)
    CROSS JOIN generate_series(${TODAY} - 34, ${TODAY}, interval '1 day') d
    CROSS JOIN LATERAL (SELECT m.base + m.spread * (0.5 * sin(extract(epoch FROM d) / 86400 * 0.4 + a.id) + 0.2 * (a.id % 5 - 2)
                               + CASE WHEN g.name = 'Heifers' THEN 0.4 ELSE 0 END) AS v) x
    WHERE d::date <> ${TODAY} - 10;
  INSERT INTO group_readings_daily (group_id, metric_id, day, animals, n, mean, min, max, stddev, q1, median, q3)
    SELECT a.group_id, r.metric_id, r.day, count(*), sum(r.n), avg(r.mean), min(r.min), max(r.max), stddev(r.mean),
           percentile_cont(0.25) WITHIN GROUP (ORDER BY r.mean), percentile_cont(0.5) WITHIN GROUP (ORDER BY r.mean),
           percentile_cont(0.75) WITHIN GROUP (ORDER BY r.mean)
    FROM readings_daily r JOIN animals a ON a.id = r.animal_id GROUP BY 1, 2, 3;
  INSERT INTO herd_readings_daily (metric_id, day, animals, n, mean, min, max, stddev, q1, median, q3)
    SELECT metric_id, day, count(*), sum(n), avg(mean), min(min), max(max), stddev(mean),
           percentile_cont(0.25) WITHIN GROUP (ORDER BY mean), percentile_cont(0.5) WITHIN GROUP (ORDER BY mean),
           percentile_cont(0.75) WITHIN GROUP (ORDER BY mean)
    FROM readings_daily GROUP BY 1, 2;
  -- 18 alerts over the last four weeks, three causes in turn; resolved, as an animal has one open alert per cause.
  INSERT INTO alerts (animal_id, category, cause, status, reason, onset, raised_at, resolved_at)
    SELECT (SELECT min(id) FROM animals) + i % 12, c.category, c.cause, 'resolved', 'e2e', now() - i * interval '37 hours', now() - i * interval '37 hours',
           now() - i * interval '37 hours' + interval '1 hour'
    FROM generate_series(0, 17) i
    JOIN (VALUES (0, 'Health', 'AnimalTemperature'), (1, 'Behaviour', 'Activity'), (2, 'Reproduction', 'Parturition')) c(k, category, cause) ON c.k = i % 3;
`);
const today = await sqlValue(`SELECT ${TODAY}::text`);
const gapDay = await sqlValue(`SELECT (${TODAY} - 10)::text`);
const alertsIn30Days = Number(await sqlValue(`SELECT count(*) FROM alerts WHERE (raised_at AT TIME ZONE 'Europe/Berlin')::date > ${TODAY} - 30`));

const chart = (name: string) => browser.page.locator(`[data-testid="stats-chart"][data-chart="${name}"]`);
const points = async (name: string) => Number(await chart(name).getAttribute('data-points'));

/** Waits until the chart shows `expected` points (the figures of the newest request have arrived). */
async function waitForPoints(name: string, expected: number): Promise<void> {
  await browser.page
    .waitForFunction(
      ([n, want]) => document.querySelector(`[data-testid="stats-chart"][data-chart="${n}"]`)?.getAttribute('data-points') === String(want),
      [name, expected] as const,
      { timeout: 15_000 },
    )
    .catch(async (err: Error) => assert.fail(`${name}: ${await points(name).catch(() => 'no chart')} points, not ${expected}: ${err.message}\nconsole: ${browser.errors.join('\n')}`));
}

/** Pixels of the chart's canvas that are not blank: more than axes and labels alone would draw. */
async function paintedPixels(name: string): Promise<number> {
  return browser.page.evaluate((n) => {
    const canvas = document.querySelector(`[data-testid="stats-chart"][data-chart="${n}"] canvas`);
    if (!canvas) return -1;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  }, name);
}

async function choosePeriod(label: string): Promise<void> {
  await browser.page.getByTestId('period-picker').getByText(label, { exact: true }).click();
}

test('the navbar opens the statistics page, which draws every chart from the rollups', async () => {
  const { page } = browser;
  await page.goto(office.api);
  await signIn(page, OWNER.name, OWNER.password);
  await page.getByTestId('nav-statistics').click();
  await page.getByTestId('stats-figures').waitFor({ timeout: 20_000 });
  assert.equal(new URL(page.url()).hash, '#/statistics');
  assert.equal(await page.getByTestId('stats-figures').getAttribute('data-metric'), 'temperature', 'temperature first');

  // 30 days (the default) of which one has no figures.
  await waitForPoints('daily-trend', 29);
  assert.match(await page.getByTestId('summary-days').innerText(), /29 of 30 · up to 12 animals/);
  assert.match(await page.getByTestId('summary-mean').innerText(), /^38[.,]\d °C$/m);
  await waitForPoints('group-boxes', 3); // the whole herd, Barn A, Heifers
  await waitForPoints('histogram', 12); // one daily mean per animal, on the last day
  await waitForPoints('alerts-by-cause', alertsIn30Days);
  assert.ok((await points('weekly-trend')) >= 3 * 5, 'five or six weeks of the herd and two groups');
  for (const name of ['daily-trend', 'weekly-trend', 'group-boxes', 'histogram', 'alerts-by-cause']) {
    const painted = await paintedPixels(name);
    assert.ok(painted > 2000, `${name} drew its data (${painted} painted pixels)`);
    assert.ok(((await chart(name).getAttribute('aria-label')) ?? '').length > 20, `${name} says what it shows`);
  }

  // The numbers behind the daily chart: the missing day is a dash, not a zero.
  const table = page.getByTestId('stats-table').first();
  await table.locator('summary').click();
  const gapRow = table.locator('tr', { hasText: await page.evaluate((d) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', weekday: 'short' }), gapDay) });
  assert.match(await gapRow.innerText(), /—/);
  await table.locator('summary').click();
  await browser.screenshot('statistics');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('the period and the metric can be switched', async () => {
  const { page } = browser;
  await choosePeriod('7 d');
  await waitForPoints('daily-trend', 7);
  assert.match(await page.getByTestId('stats-period').innerText(), /\(7 days\)/);

  await page.getByTestId('metric-picker').click();
  await page.getByRole('option', { name: 'Activity (steps/h)' }).click();
  await page.locator('[data-testid="stats-figures"][data-metric="activity"]').waitFor({ timeout: 15_000 });
  await waitForPoints('daily-trend', 7);
  assert.match(await page.getByTestId('summary-mean').innerText(), /^\d{3} steps\/h$/m);

  // The boxes of the last day instead of a typical one.
  await page.getByTestId('box-mode').getByText('Last day', { exact: true }).click();
  await waitForPoints('group-boxes', 3);
  assert.ok((await paintedPixels('group-boxes')) > 2000);

  await choosePeriod('90 d');
  await waitForPoints('daily-trend', 34); // 35 days of rollups, less the missing one
  await waitForPoints('alerts-by-cause', 18);
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('a custom period: checked in words, one day, and a day without figures', async () => {
  const { page } = browser;
  await choosePeriod('Custom');
  await page.getByTestId('period-from').fill(today);
  await page.getByTestId('period-to').fill(gapDay);
  assert.equal(await page.getByTestId('period-error').innerText(), 'The end date is before the start date.');

  await page.getByTestId('period-from').fill(today);
  await page.getByTestId('period-to').fill(today);
  await waitForPoints('daily-trend', 1);
  await waitForPoints('histogram', 12);

  await page.getByTestId('period-from').fill(gapDay);
  await page.getByTestId('period-to').fill(gapDay);
  await page.getByTestId('stats-empty').waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('stats-empty').innerText(), /has none for this metric in this period\. It has none for any other metric either\./);
  assert.equal(await chart('daily-trend').count(), 0);
  await browser.screenshot('statistics-empty');
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('on a tablet in dark mode, by keyboard', async () => {
  const { page } = browser;
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await choosePeriod('30 d');
  await waitForPoints('daily-trend', 29);
  // The period picker is a radio group: the arrow keys move the choice.
  await page.getByTestId('period-picker').locator('input:checked').focus();
  await page.keyboard.press('ArrowLeft');
  await waitForPoints('daily-trend', 7);
  // The numbers behind a chart open from the keyboard.
  const summary = page.getByTestId('stats-table').first().locator('summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.getByTestId('stats-table').first().getAttribute('open'), '');
  await page.keyboard.press('Enter');

  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing wider than the tablet');
  const [first, second] = await Promise.all(['daily-trend', 'weekly-trend'].map((n) => chart(n).boundingBox()));
  assert.ok(first && second && second.y > first.y + first.height, 'one chart per row on a tablet');
  assert.ok((await paintedPixels('daily-trend')) > 2000);
  await browser.screenshot('statistics-tablet-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('an imperial farm reads temperatures in °F', async () => {
  const { page } = browser;
  await runSql("UPDATE farm_settings SET units = 'imperial'");
  await page.reload();
  await page.getByTestId('stats-figures').waitFor({ timeout: 20_000 });
  await waitForPoints('daily-trend', 29);
  assert.match(await page.getByTestId('summary-mean').innerText(), /^10[01][.,]\d °F$/m);
  assert.equal(await page.getByTestId('metric-picker').inputValue(), 'Body temperature (°F)');
  await runSql("UPDATE farm_settings SET units = 'metric'");
  assert.deepEqual(browser.errors, [], 'no console errors');
});

test('every role that may open the page may run its queries', async () => {
  const variables = { metric: 1, from: gapDay, to: today, fromTs: '2026-01-01T00:00:00Z', toTs: '2100-01-01T00:00:00Z' };
  // A vet with assigned groups sees their rows; these session variables are what the office puts in a vet's token.
  const sessions: Record<string, Record<string, string>> = {
    manager: {},
    vet: { 'x-hasura-group-ids': '{}', 'x-hasura-all-groups': '1' },
    worker: {},
    viewer: {},
  };
  for (const [role, session] of Object.entries(sessions)) {
    for (const [query, vars] of [[STATISTICS_META_QUERY, {}], [STATISTICS_QUERY, variables], [DAILY_MEANS_QUERY, { metric: 1, day: today }]] as const) {
      const res = await fetch(`${office.api}/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': readSecret(dataDir, 'control.key')!, 'x-hasura-role': role, ...session },
        body: JSON.stringify({ query, variables: vars }),
      });
      const body = (await res.json()) as { data?: Record<string, unknown[]>; errors?: unknown };
      assert.equal(body.errors, undefined, `${role}: ${JSON.stringify(body.errors)}`);
      assert.ok(Object.values(body.data!).some((rows) => rows.length > 0), `${role} gets rows`);
    }
  }
});

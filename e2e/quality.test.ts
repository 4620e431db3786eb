// Issue 6, item 8 end to end: every page, as the owner, on a tablet (820 × 1180) in dark mode, against `serve`
// with a small farm's data. Each page fits the screen's width (wide tables scroll in their own box; the herd table
// turns compact and needs no sideways scrolling at all), logs no
// console error, shows its heading, and can be worked by keyboard: Tab from the top reaches the skip link, the
// navbar and then a control of the page, whose focus is visible; a modal opened with Enter closes with Esc.
// One screenshot per page under test-output/screenshots (quality-<page>.png) is there to be looked at.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { PAGE_ACCESS } from '../app/renderer/src/auth/auth-model.ts';
import { OWNER, setupOwner, signIn, adminRunSql } from './support/auth.ts';
import { openBrowser } from './support/browser.ts';
import { startServe } from './support/processes.ts';

// Functions passed to page.evaluate run in Chromium; the office's tsconfig has no DOM types, so name what they use.
interface Style {
  outlineStyle: string;
  outlineWidth: string;
  outlineColor: string;
  boxShadow: string;
  borderColor: string;
  backgroundColor: string;
}
interface El {
  tagName: string;
  textContent: string | null;
  closest(selector: string): El | null;
  parentElement: El | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; width: number };
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  blur(): void;
  focus(): void;
}
declare const document: {
  scrollingElement: { scrollWidth: number; clientWidth: number };
  activeElement: El | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
};
declare function getComputedStyle(el: El): Style;

const TABLET = { width: 820, height: 1180 };

const { dataDir, snapshot, cleanup } = await tempDataDir('ys-e2e-quality-');
const office = await startServe(dataDir, { YOCTOSEHNS_INIT_SNAPSHOT: snapshot });
await setupOwner(office.api);
const browser = await openBrowser();
after(async () => {
  await browser.close();
  await office.stop();
  cleanup();
});

const runSql = (sql: string) => adminRunSql(office.api, dataDir, sql);

// A small imperial farm in Germany (figures with a decimal comma): 12 cows in two groups, a week of temperature and activity every 30 minutes with their
// daily rollups, open and resolved alerts (one with the numbers behind it), an event and a node.
await runSql(`
  UPDATE farm_settings SET name = 'Hof Sonnenwiese', time_zone = 'Europe/Berlin', locale = 'de-DE', units = 'imperial';
  -- The rollups below are written as the office would have built them for this zone: it must not rebuild them.
  UPDATE office.rollup_state SET time_zone = 'Europe/Berlin';
  INSERT INTO groups (name) VALUES ('Barn A'), ('Heifers');
  INSERT INTO animals (tag, name, official_id, group_id)
    SELECT 'C' || lpad(i::text, 2, '0'), CASE WHEN i % 3 = 0 THEN NULL ELSE 'Cow ' || i END, '27600012345' || lpad(i::text, 4, '0'),
           (SELECT id FROM groups WHERE name = CASE WHEN i <= 8 THEN 'Barn A' ELSE 'Heifers' END)
    FROM generate_series(1, 12) i;
  INSERT INTO nodes (name, kind, token_hash) VALUES ('collar-barn-a', 'collar', 'e2e-not-a-real-hash');
  INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
    SELECT g, a.id, n.id, CASE m WHEN 1 THEN 38.5 + 0.3 * sin(extract(epoch FROM g) / 3600.0 + a.id) ELSE 400 + 150 * sin(extract(epoch FROM g) / 7200.0 + a.id) END, m
    FROM generate_series(date_trunc('minute', now()) - interval '8 days', now(), interval '30 minutes') g, animals a, nodes n, (VALUES (1), (2)) metric(m);
  INSERT INTO latest_readings (animal_id, metric_id, node_id, ts, value, received_at)
    SELECT DISTINCT ON (animal_id, metric_id) animal_id, metric_id, node_id, ts, value, ts FROM readings ORDER BY animal_id, metric_id, ts DESC;
  INSERT INTO readings_daily (animal_id, metric_id, day, n, mean, min, max, stddev)
    SELECT animal_id, metric_id, (ts AT TIME ZONE 'Europe/Berlin')::date, count(*), avg(value), min(value), max(value), stddev(value)
    FROM readings GROUP BY 1, 2, 3;
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
  INSERT INTO alerts (animal_id, category, cause, severity, reason, details, onset, raised_at)
    SELECT id, 'Health', 'AnimalTemperature', 3, 'body temperature 40.1 °C, 1.5 °C above her 10-day baseline, for 5 h',
           '{"temperature_c": 40.1, "baseline_c": 38.6, "rise_c": 1.5, "hours": 5, "threshold_c": 0.8}', now() - interval '6 hours', now() - interval '4 hours'
    FROM animals WHERE tag = 'C01';
  INSERT INTO alerts (animal_id, category, cause, reason, details, onset, raised_at)
    SELECT id, 'Behaviour', 'Activity', 'activity 2.8× her 7-day baseline for 6 h', '{"ratio": 2.8, "hours": 6}', now() - interval '8 hours', now() - interval '6 hours'
    FROM animals WHERE tag = 'C02';
  INSERT INTO alerts (animal_id, category, cause, status, reason, onset, raised_at, resolved_at, note)
    SELECT id, 'Health', 'LowerRumination', 'resolved', 'rumination 38 % below her 10-day baseline for 8 h', now() - interval '3 days', now() - interval '3 days', now() - interval '2 days', 'Vet checked her: fine'
    FROM animals WHERE tag = 'C03';
  INSERT INTO events (animal_id, kind, ts, note) SELECT id, 'insemination', now() - interval '3 days', 'sire Bravo' FROM animals WHERE tag = 'C01';
`);
const firstCow = (await runSql("SELECT id FROM animals WHERE tag = 'C01'")).result![1]![0]!;

/** Where each page is opened: the animal page shows a cow (its bare route only says to pick one). */
const pages = PAGE_ACCESS.map((p) => ({ ...p, hash: p.path === 'animal' ? `#/animal/${firstCow}` : `#/${p.path}` }));

/** Opens a page afresh (a reload, so focus starts at the top) and waits until it has loaded what it shows. */
async function openPage(hash: string): Promise<void> {
  const { page } = browser;
  await page.goto(`${office.api}/${hash}`);
  await page.reload();
  await page.locator('main h2').first().waitFor({ timeout: 20_000 });
  // Every loading state of the dashboard carries a test id ending in "loading"; a moment more lets charts draw.
  await page.waitForFunction(() => [...document.querySelectorAll('main [data-testid$="loading"]')].length === 0, undefined, { timeout: 20_000 });
  await page.waitForTimeout(300);
}

/** The elements that stick out past the page's right edge while their parent does not, to name in a failure. */
function overflowingElements(): Promise<string[]> {
  return browser.page.evaluate(() => {
    const width = document.scrollingElement.clientWidth + 1;
    const out: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.right <= width) continue;
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > width) continue;
      const testId = el.getAttribute('data-testid');
      out.push(`${el.tagName.toLowerCase()}${testId ? `[data-testid=${testId}]` : ''} ends at ${Math.round(rect.right)} px`);
      if (out.length >= 8) break;
    }
    return out;
  });
}

interface Focused {
  testId: string | null;
  tag: string;
  text: string;
  inMain: boolean;
}

function focused(): Promise<Focused | null> {
  return browser.page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el.tagName === 'BODY') return null;
    return {
      testId: el.getAttribute('data-testid'),
      tag: el.tagName.toLowerCase(),
      text: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40),
      inMain: el.closest('main') !== null,
    };
  });
}

/** Long enough for Mantine's transitions (a border colour fades in over ~100 ms) to have ended. */
const SETTLE_MS = 250;

/** How the element marked as the probe looks: what could show that it has the focus. */
function look(): Promise<Record<string, string>> {
  return browser.page.evaluate(() => {
    const s = getComputedStyle(document.querySelector('[data-focus-probe]')!);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}` : 'none';
    return { outline, boxShadow: s.boxShadow, borderColor: s.borderColor, background: s.backgroundColor };
  });
}

/**
 * Whether the focused element looks different for having the keyboard's focus: an outline, a shadow, a border
 * or a background that goes when it loses the focus (Mantine's inputs show it by their border, buttons by an
 * outline). It has the focus again afterwards.
 */
async function focusIsVisible(): Promise<{ visible: boolean; why: string }> {
  const { page } = browser;
  await page.waitForTimeout(SETTLE_MS);
  await page.evaluate(() => document.activeElement!.setAttribute('data-focus-probe', ''));
  const withFocus = await look();
  await page.evaluate(() => document.activeElement!.blur());
  await page.waitForTimeout(SETTLE_MS);
  const without = await look();
  await page.evaluate(() => {
    const el = document.querySelector('[data-focus-probe]')!;
    el.removeAttribute('data-focus-probe');
    el.focus();
  });
  const changed = Object.keys(withFocus).filter((k) => withFocus[k] !== without[k]);
  return { visible: changed.length > 0, why: changed.map((k) => `${k}: ${without[k]} → ${withFocus[k]}`).join('; ') || `looks the same: ${JSON.stringify(withFocus)}` };
}

test('sign in as the owner on a tablet in dark mode', async () => {
  const { page } = browser;
  await page.setViewportSize(TABLET);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(office.api);
  await signIn(page, OWNER.name, OWNER.password);
});

for (const p of pages) {
  test(`${p.label}: fits the tablet's width, no console error, heading shown, keyboard reaches navbar and page with visible focus`, async () => {
    const { page } = browser;
    browser.errors.length = 0;
    await openPage(p.hash);
    assert.equal(await page.locator('html').getAttribute('data-mantine-color-scheme'), 'dark');

    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement.scrollWidth, clientWidth: document.scrollingElement.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `the page is ${scrollWidth} px wide on a ${clientWidth} px screen: ${(await overflowingElements()).join(', ')}`);

    const heading = page.locator('main h2').first();
    assert.ok(await heading.isVisible(), 'the page has a visible main heading');
    assert.notEqual((await heading.innerText()).trim(), '');
    const box = (await heading.boundingBox())!;
    assert.ok(box.y >= 56 && box.y + box.height <= TABLET.height, `the heading is on screen below the header (y = ${box.y})`);

    // Tab from the top: first the skip link (shown once it has the focus), then through the header to the
    // navbar's first link, then on into the page.
    await page.keyboard.press('Tab');
    assert.equal((await focused())?.testId, 'skip-to-page', 'the first Tab reaches the skip link');
    const seen: Focused[] = [];
    let inPage: Focused | undefined;
    for (let i = 0; i < 40 && !inPage; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (!f) continue;
      seen.push(f);
      if (f.inMain) inPage = f;
      else if (f.testId === `nav-${pages[0]!.path}`) {
        const ring = await focusIsVisible();
        assert.ok(ring.visible, `the navbar link shows its focus (${ring.why})`);
      }
    }
    const trail = seen.map((f) => f.testId ?? `${f.tag} "${f.text}"`).join(' → ');
    assert.ok(seen.some((f) => f.testId === `nav-${pages[0]!.path}`), `Tab reaches the navbar's first link: ${trail}`);
    assert.ok(inPage, `Tab reaches a control of the page: ${trail}`);
    const ring = await focusIsVisible();
    assert.ok(ring.visible, `${inPage.testId ?? inPage.tag} "${inPage.text}" shows its focus: ${ring.why}`);

    await browser.screenshot(`quality-${p.path}`);
    assert.deepEqual(browser.errors, [], 'no console errors');
  });
}

test('the herd table fits the tablet upright: tag, status and readings without sideways scrolling, in a box that ends on screen', async () => {
  const { page } = browser;
  await openPage('#/herd');
  const scroll = page.getByTestId('herd-scroll');
  const box = (await scroll.boundingBox())!;
  assert.ok(box.y + box.height <= TABLET.height, `the box ends at ${box.y + box.height} px of ${TABLET.height}`);
  assert.equal(await page.getByTestId('herd-table').getAttribute('data-layout'), 'compact');
  const { scrollWidth, clientWidth } = await scroll.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  assert.ok(scrollWidth <= clientWidth, `at 820 px the table is ${scrollWidth} px wide in a ${clientWidth} px box: no sideways scrolling`);
  // The first row's tag, status and both readings lie inside the box, and the name and group went under the tag.
  const row = page.locator('[data-testid="herd-row"][data-tag="C01"]');
  for (const id of ['animal-link', 'animal-status', 'reading-temperature', 'reading-activity']) {
    const cell = (await row.getByTestId(id).boundingBox())!;
    assert.ok(cell.x >= box.x && cell.x + cell.width <= box.x + box.width + 0.5, `${id} spans ${cell.x}–${cell.x + cell.width} px, the box ${box.x}–${box.x + box.width}`);
  }
  assert.equal(await row.getByTestId('herd-row-subtitle').innerText(), 'Cow 1 · Barn A');
  assert.match(await row.getByTestId('reading-temperature').getByTestId('reading-value').innerText(), /^\d{2,3},\d$/, "°F with the farm's decimal comma");
  assert.equal(await row.getByTestId('sparkline-cell').count(), 0, 'no trend column on a tablet upright');
  assert.equal(await page.getByTestId('herd-trend-metric').count(), 0, 'nor a trend to choose');
  await browser.screenshot('quality-herd-tablet');

  // Turned sideways (1180 × 820) there is room for the wide table with its name, group and trend columns.
  await page.setViewportSize({ width: TABLET.height, height: TABLET.width });
  await page.locator('[data-testid="herd-table"][data-layout="wide"]').waitFor({ timeout: 5_000 });
  await row.getByTestId('sparkline-cell').waitFor({ timeout: 5_000 });
  await page.setViewportSize(TABLET);
  await page.locator('[data-testid="herd-table"][data-layout="compact"]').waitFor({ timeout: 5_000 });
});

test('the skip link takes the keyboard past the header and the navbar to the page', async () => {
  const { page } = browser;
  await openPage('#/herd');
  const skip = page.getByTestId('skip-to-page');
  assert.ok((await skip.boundingBox())!.y < 0, 'out of sight until the keyboard reaches it');
  await page.keyboard.press('Tab');
  assert.equal((await focused())?.testId, 'skip-to-page');
  await page.waitForTimeout(SETTLE_MS);
  assert.ok((await skip.boundingBox())!.y >= 0, 'on screen once it has the focus');
  await browser.screenshot('quality-skip-link');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const f = await focused();
  assert.ok(f?.inMain, `the next Tab is in the page: ${JSON.stringify(f)}`);
  assert.equal(f.testId, 'herd-search');
});

// Two kinds of modal: one mounted while open (the Nodes page's), one kept mounted and opened (the Users page's).
for (const { hash, opener } of [
  { hash: '#/nodes', opener: 'node-add' },
  { hash: '#/users', opener: 'user-add' },
]) {
  test(`by keyboard alone (${hash}): Enter opens a modal, Esc closes it and gives the focus back`, async () => {
    const { page } = browser;
    browser.errors.length = 0;
    await openPage(hash);
    await page.getByTestId(opener).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ timeout: 5_000 });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await page
      .waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, opener, { timeout: 5_000 })
      .catch(async () => assert.fail(`focus returns to the button that opened the modal, not ${JSON.stringify(await focused())}`));
    assert.deepEqual(browser.errors, [], 'no console errors');
  });
}

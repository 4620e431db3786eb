// `npm run bench -- ui [--runs 5]`: the dashboard in Debian's Chromium against `serve` on a fresh data dir.
// - herd: 2,500 animals with latest values of 6 metrics, 24 h of hourly activity and some open alerts: time from
//   the herd's GraphQL answer arriving in the page (`herd-data` mark, set when the live subscriptions' data is
//   complete, after JSON parsing) to the rows being rendered (`herd-rendered`, a frame after React committed
//   them). Goal ≤ 1 s. Also: page load to rows, and re-sorting the whole herd by a metric.
// - chart: a 90-day ECharts line of one metric at 10-minute resolution (12,960 points) on a bare page the bench
//   builds itself: setOption → ECharts' `finished` event. Goal ≤ 500 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { readSecret } from '../app/main/security/secrets.ts';
import { OWNER, setupOwner, signIn } from '../e2e/support/auth.ts';
import { openBrowser } from '../e2e/support/browser.ts';
import { startServe } from '../e2e/support/processes.ts';

const ANIMALS = 2_500;
const HERD_GOAL_MS = 1_000;
const CHART_GOAL_MS = 500;
const CHART_POINTS = 90 * 24 * 6;

/** The herd: 8 groups; latest values of metrics 1–6; hourly activity for 24 h; about 1 in 10 animals flagged. */
const FIXTURE = `
  INSERT INTO groups (name) SELECT 'Group ' || g FROM generate_series(1, 8) g;
  INSERT INTO animals (tag, official_id, name, group_id, unconfirmed)
    SELECT lpad(i::text, 4, '0'), 'DE 0100 ' || lpad(i::text, 6, '0'), 'Cow ' || i, 1 + i % 8, i % 97 = 0 FROM generate_series(1, ${ANIMALS}) i;
  INSERT INTO nodes (name, kind, token_hash) VALUES ('bench', 'gateway', 'bench-not-a-token');
  INSERT INTO latest_readings (animal_id, metric_id, node_id, ts, value, received_at)
    SELECT a.id, m, n.id,
           CASE WHEN a.id % 50 = 0 THEN now() - interval '2 days' ELSE now() - random() * interval '30 minutes' END,
           CASE m WHEN 1 THEN 38 + random() * 2 WHEN 2 THEN 200 + random() * 600 WHEN 6 THEN 500 + random() * 200 ELSE random() * 60 END,
           now()
      FROM animals a, generate_series(1, 6) m, (SELECT id FROM nodes WHERE name = 'bench') n;
  INSERT INTO readings (animal_id, metric_id, ts, node_id, value)
    SELECT a.id, 2, date_trunc('hour', now()) - h * interval '1 hour', n.id, 200 + random() * 600
      FROM animals a, generate_series(0, 23) h, (SELECT id FROM nodes WHERE name = 'bench') n;
  INSERT INTO alerts (animal_id, category, cause, reason, onset, raised_at)
    SELECT a.id, c.category, c.cause, 'bench', now() - interval '3 hours', now() - interval '2 hours'
      FROM animals a JOIN (VALUES (20, 'Reproduction', 'Activity'), (29, 'Health', 'LowerRumination'),
                                  (37, 'Health', 'AnimalTemperature'), (41, 'Reproduction', 'Parturition')) c(every, category, cause)
        ON a.id % c.every = 0;
  ANALYZE;
`;

/** The bits of the DOM the in-page code below touches (the bench is compiled without the DOM library). */
interface PageDom {
  document: { querySelector(selector: string): { click(): void } | null; getElementById(id: string): unknown };
  echarts?: { init(el: unknown): { setOption(o: object): void; on(e: string, f: () => void): void; dispose(): void } };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const verdict = (ms: number, goal: number) => (ms <= goal ? 'ok' : 'OVER GOAL');

interface HerdTiming {
  dataToRows: number;
  loadToRows: number;
}

/** Reads the page's marks: the first herd answer and the first rendered rows after it. */
async function herdTiming(page: Page): Promise<HerdTiming> {
  await page.waitForFunction(() => performance.getEntriesByName('herd-rendered').length > 0, undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const data = performance.getEntriesByName('herd-data')[0]!;
    const rendered = performance.getEntriesByName('herd-rendered').find((m) => m.startTime >= data.startTime)!;
    return { dataToRows: rendered.startTime - data.startTime, loadToRows: rendered.startTime };
  });
}

/** Clicks a sort header in the page and times it to the next rendered rows. */
async function sortTiming(page: Page, testId: string): Promise<number> {
  return page.evaluate(async (id) => {
    const before = performance.getEntriesByName('herd-rendered').length;
    const t = performance.now();
    (globalThis as unknown as PageDom).document.querySelector(`[data-testid="${id}"]`)!.click();
    while (performance.getEntriesByName('herd-rendered').length === before) await new Promise((r) => setTimeout(r, 5));
    return performance.getEntriesByName('herd-rendered')[before]!.startTime - t;
  }, testId);
}

async function chartBench(page: Page, runs: number): Promise<number[] | string> {
  let echartsPath: string;
  try {
    echartsPath = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  } catch {
    return 'echarts is not installed: chart benchmark skipped';
  }
  await page.setContent('<!doctype html><html><body style="margin:0"><div id="chart" style="width:1200px;height:400px"></div></body></html>');
  await page.addScriptTag({ path: echartsPath });
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    times.push(
      await page.evaluate(async (points) => {
        const { document, echarts } = globalThis as unknown as PageDom;
        const end = Date.now();
        const data: [number, number][] = [];
        for (let i = 0; i < points; i++) data.push([end - (points - i) * 600_000, 38.5 + Math.sin(i / 72) * 0.4 + Math.random() * 0.2]);
        const el = document.getElementById('chart');
        const t = performance.now();
        const chart = echarts!.init(el);
        const finished = new Promise<void>((resolve) => chart.on('finished', resolve));
        chart.setOption({
          animation: false,
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'time' },
          yAxis: { type: 'value', scale: true },
          dataZoom: [{ type: 'inside' }, { type: 'slider' }],
          series: [{ type: 'line', data, showSymbol: false, sampling: 'lttb' }],
        });
        await finished;
        const ms = performance.now() - t;
        chart.dispose();
        return ms;
      }, CHART_POINTS),
    );
  }
  return times;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '5' } } });
  const runs = Math.max(1, Number(values.runs));
  const dataDir = mkdtempSync(join(tmpdir(), 'ys-bench-ui-'));
  const office = await startServe(dataDir);
  const browser = await openBrowser();
  try {
    await setupOwner(office.api);
    const admin = { 'x-hasura-admin-secret': readSecret(dataDir, 'control.key')! };
    const res = await fetch(`${office.api}/v2/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body: JSON.stringify({ type: 'run_sql', args: { sql: FIXTURE } }),
    });
    if (res.status !== 200) throw new Error(`run_sql answered ${res.status}: ${await res.text()}`);

    const { page } = browser;
    await page.goto(office.api);
    await signIn(page, OWNER.name, OWNER.password);
    await page.locator('[data-testid="herd-row"]').first().waitFor({ timeout: 60_000 });
    const rowsInDom = await page.locator('[data-testid="herd-row"]').count();
    const count = await page.getByTestId('herd-count').innerText();

    // Each run a fresh document (the refresh cookie signs it in), so the marks start from zero.
    const herd: HerdTiming[] = [];
    const sorts: number[] = [];
    for (let run = 0; run < runs; run++) {
      await page.reload();
      herd.push(await herdTiming(page));
      sorts.push(await sortTiming(page, 'sort-metric:1'));
    }
    await page.locator('[data-testid="sparkline"]').first().waitFor({ timeout: 20_000 });
    await browser.screenshot('bench-herd');

    const chartPage = await browser.context.newPage();
    const chart = await chartBench(chartPage, runs);
    await chartPage.close();

    const dataToRows = median(herd.map((h) => h.dataToRows));
    console.log(`ui: Chromium (headless, ${process.env.YOCTOSEHNS_CHROMIUM ?? '/usr/bin/chromium'}), ${runs} runs each, medians`);
    console.log(`  herd of ${count}: ${rowsInDom} rows in the DOM (virtualised)`);
    console.log(`  herd: GraphQL answer → rows rendered       ${dataToRows.toFixed(0)} ms (goal ≤ ${HERD_GOAL_MS} ms: ${verdict(dataToRows, HERD_GOAL_MS)}); runs ${herd.map((h) => h.dataToRows.toFixed(0)).join(', ')}`);
    console.log(`  herd: page load → rows rendered            ${median(herd.map((h) => h.loadToRows)).toFixed(0)} ms (includes sign-in by refresh cookie and the socket)`);
    console.log(`  herd: re-sort 2,500 rows by temperature    ${median(sorts).toFixed(0)} ms; runs ${sorts.map((s) => s.toFixed(0)).join(', ')}`);
    if (typeof chart === 'string') console.log(`  chart: ${chart}`);
    else {
      const c = median(chart);
      console.log(`  chart: 90 days at 10 min (${CHART_POINTS.toLocaleString('en')} points), ECharts setOption → finished   ${c.toFixed(0)} ms (goal ≤ ${CHART_GOAL_MS} ms: ${verdict(c, CHART_GOAL_MS)}); runs ${chart.map((x) => x.toFixed(0)).join(', ')}`);
      console.log('  (bare page built by the bench, canvas renderer, no animation, LTTB sampling; not the animal-detail page itself)');
    }
    if (browser.errors.length) console.log(`  console errors: ${browser.errors.join(' | ')}`);
  } finally {
    await browser.close();
    await office.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

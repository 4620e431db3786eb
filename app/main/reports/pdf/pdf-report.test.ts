// The PDF reports against a real migrated database: each report is written to a file, parsed back with
// pdftotext (poppler-utils) and its first page rendered to PNG (test-output/reports/) for a look.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Database } from '../../../db/index.ts';
import { openTestDatabase } from '../../../db/testing/snapshot.ts';
import { silentLogger } from '../../log.ts';
import { RollupService } from '../../stats/rollups.ts';
import { renderReportPdf, ReportInputError, type ReportInput } from './index.ts';
import { uptimeOf } from './uptime.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const OUT = join(ROOT, 'test-output', 'reports');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let db: Database;
let cleanup: () => Promise<void>;
const ids: Record<string, number> = {};

// The herd's period: 2 to 9 March 2026 on the farm's clock (Berlin, CET = UTC+1).
const FROM = new Date('2026-03-01T23:00:00Z');
const TO = new Date('2026-03-08T23:00:00Z');
const FEVER_ONSET = '2026-03-05T08:30:00Z'; // 09:30 in Berlin
// The nodes' period lies in the office's request log (kept 30 days): three whole days ending yesterday.
const NODES_FROM = Math.floor(Date.now() / DAY) * DAY - 4 * DAY;
const NODES_TO = NODES_FROM + 3 * DAY;

/** Body temperature of animal i (0..3) on day d (0..6): constant within the day, so daily means are known. */
const temperature = (i: number, d: number) => 38.4 + 0.2 * i + 0.05 * d;

function requirePoppler(): void {
  for (const tool of ['pdftotext', 'pdftoppm']) {
    const r = spawnSync(tool, ['-v'], { encoding: 'utf8' });
    if (r.error) assert.fail(`${tool} is not installed: these tests parse the PDFs back with poppler-utils (apt-get install poppler-utils); ${r.error.message}`);
  }
}

before(async () => {
  requirePoppler();
  mkdirSync(OUT, { recursive: true });
  ({ db, cleanup } = await openTestDatabase());
  await db.query(`UPDATE farm_settings SET name = 'Hof Müller', time_zone = 'Europe/Berlin', units = 'metric'`);
  const { rows: groups } = await db.query<{ id: number }>(`INSERT INTO groups (name) VALUES ('Milking A'), ('Dry B') RETURNING id`);
  ids.groupA = groups[0]!.id;
  ids.groupB = groups[1]!.id;
  const { rows: animals } = await db.query<{ id: number }>(
    `INSERT INTO animals (official_id, tag, name, group_id, birth_date, breed, due_date) VALUES
       ('DE 0123456781', '101', 'Berta', $1, '2021-04-10', 'Holstein', '2026-04-01'),
       ('DE 0123456782', '102', 'Liesl', $1, '2020-02-01', 'Fleckvieh', NULL),
       ('DE 0123456783', '201', 'Gräfin', $2, '2019-09-15', 'Braunvieh', NULL),
       ('DE 0123456784', '202', NULL, $2, NULL, NULL, '2026-03-20')
     RETURNING id`,
    [ids.groupA, ids.groupB],
  );
  animals.forEach((a, i) => (ids[`a${i}`] = a.id));

  // Every 30 minutes through the period: body temperature (constant per animal and day) and rumination.
  const ts: number[] = [];
  const animal: number[] = [];
  const metric: number[] = [];
  const value: number[] = [];
  for (let t = FROM.getTime(); t < TO.getTime(); t += 30 * 60_000) {
    const d = Math.floor((t - FROM.getTime()) / DAY);
    animals.forEach((a, i) => {
      ts.push(t, t);
      animal.push(a.id, a.id);
      metric.push(1, 3);
      value.push(temperature(i, d), 25 + 5 * Math.sin(t / (3 * HOUR)) + i);
    });
  }
  await db.query(
    `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
     SELECT to_timestamp(ms / 1000.0), a, 1, v, m FROM unnest($1::float8[], $2::int4[], $3::float4[], $4::int2[]) AS u(ms, a, v, m)`,
    [ts, animal, value, metric],
  );
  const rollups = new RollupService(db, { log: silentLogger });
  await rollups.rebuildAll();
  await rollups.close();

  await db.query(
    `INSERT INTO alerts (animal_id, node_id, group_id, category, cause, severity, status, reason, onset, raised_at, resolved_at) VALUES
       ($1, NULL, NULL, 'Health', 'AnimalTemperature', 3, 'open', 'body temperature 40.1 °C, 1.4 °C above her baseline', $5, '2026-03-05T10:30:00Z', NULL),
       ($2, NULL, NULL, 'Behaviour', 'Activity', 2, 'resolved', 'activity 2.6 times her baseline for 5 h', '2026-03-03T09:00:00Z', '2026-03-03T12:00:00Z', '2026-03-03T20:00:00Z'),
       ($2, NULL, NULL, 'Behaviour', 'Activity', 2, 'resolved', 'activity 2.3 times her baseline for 3 h', '2026-03-07T06:00:00Z', '2026-03-07T08:00:00Z', '2026-03-07T15:00:00Z'),
       ($3, NULL, NULL, 'Health', 'LowerRumination', 2, 'acknowledged', 'rumination 38 % below her baseline for 7 h', '2026-03-06T01:00:00Z', '2026-03-06T07:00:00Z', NULL),
       ($4, NULL, NULL, 'Health', 'Parturition', 2, 'open', 'body temperature dropped 0.4 °C near her due date', '2026-02-25T03:00:00Z', '2026-02-25T07:00:00Z', NULL),
       ($3, NULL, NULL, 'Behaviour', 'Activity', 2, 'open', 'after the period', '2026-03-10T03:00:00Z', '2026-03-10T05:00:00Z', NULL),
       (NULL, NULL, $6, 'Environment', 'EnvironmentTemperature', 2, 'resolved', 'THI 74 for 3 h', '2026-03-04T11:00:00Z', '2026-03-04T13:00:00Z', '2026-03-04T18:00:00Z')`,
    [ids.a0, ids.a1, ids.a2, ids.a3, FEVER_ONSET, ids.groupB],
  );
  await db.query(
    `INSERT INTO events (animal_id, kind, ts, note, details) VALUES
       ($1, 'insemination', '2026-03-03T07:15:00Z', 'AI, sire Goldwin', '{"straw": "DE 123"}'),
       ($1, 'treatment', '2026-03-05T11:00:00Z', 'Metacam 15 ml', '{"drug": "meloxicam", "withdrawal_days": 5}')`,
    [ids.a0],
  );

  // Nodes: a collar on Berta (a 3 h gap), a climate sensor in Dry B's pen (always there), a gateway that went silent.
  const created = new Date(NODES_FROM - 10 * DAY);
  const { rows: nodes } = await db.query<{ id: number }>(
    `INSERT INTO nodes (name, kind, animal_id, group_id, token_hash, created_at, last_seen_at, battery_percent, battery_volts, status_at, firmware) VALUES
       ('Collar 7', 'collar', $1, NULL, 'h1', $3, $4, 15, 3.41, $4, '1.4.2'),
       ('Climate B', 'climate', NULL, $2, 'h2', $3, $5, 87, NULL, $5, '2.0.0'),
       ('Gateway', 'gateway', NULL, NULL, 'h3', $3, $6, NULL, NULL, NULL, NULL)
     RETURNING id`,
    [ids.a0, ids.groupB, created, new Date(NODES_TO + HOUR), new Date(NODES_TO + HOUR), new Date(NODES_FROM + 60 * HOUR)],
  );
  nodes.forEach((n, i) => (ids[['collar', 'climate', 'gateway'][i]!] = n.id));
  const reqTs: number[] = [];
  const reqNode: number[] = [];
  const post = (node: number, t: number) => (reqTs.push(t), reqNode.push(node));
  for (let t = NODES_FROM - HOUR; t <= NODES_TO + HOUR; t += 5 * 60_000) {
    if (t <= NODES_FROM + 24 * HOUR || t >= NODES_FROM + 27 * HOUR) post(ids.collar!, t);
    if (t <= NODES_FROM + 60 * HOUR) post(ids.gateway!, t);
  }
  for (let t = NODES_FROM - HOUR; t <= NODES_TO + HOUR; t += 10 * 60_000) post(ids.climate!, t);
  await db.query(
    `INSERT INTO node_requests (ts, node_id, route, status, accepted, duration_ms)
     SELECT to_timestamp(ms / 1000.0), n, '/ingest/v1/readings', 200, 2, 3.5 FROM unnest($1::float8[], $2::int4[]) AS u(ms, n)`,
    [reqTs, reqNode],
  );
  await db.query(
    `INSERT INTO alerts (node_id, category, cause, severity, status, reason, details, onset, raised_at, resolved_at) VALUES
       ($1, 'Other', 'LowBattery', 1, 'open', 'battery at 18 %; below 20 %', '{"battery_percent": 18, "threshold_percent": 20}', $2, $2, NULL),
       ($3, 'Other', 'Offline', 2, 'resolved', 'no post for 25 min', '{}', '2026-03-05T02:00:00Z', '2026-03-05T02:15:00Z', '2026-03-05T02:25:00Z')`,
    [ids.collar, new Date(NODES_FROM + 30 * HOUR), ids.gateway],
  );
});

after(async () => {
  await cleanup?.();
});

/** Writes the report to test-output/reports/NAME.pdf, renders page 1 to NAME-1.png; returns the text and pages. */
async function render(name: string, input: ReportInput): Promise<{ text: string; pages: number; file: string }> {
  const file = join(OUT, `${name}.pdf`);
  const stages: string[] = [];
  const { pages } = await renderReportPdf(db, input, createWriteStream(file), (s) => stages.push(s));
  assert.deepEqual(stages, ['reading data', 'drawing', 'writing', 'done']);
  assert.ok(statSync(file).size > 2000, `${file} is a real PDF`);
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(text.status, 0, `pdftotext ${file}: ${text.stderr}`);
  const png = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(OUT, name)], { encoding: 'utf8' });
  assert.equal(png.status, 0, `pdftoppm ${file}: ${png.stderr}`);
  const image = join(OUT, `${name}-${pages >= 10 ? '01' : '1'}.png`);
  assert.ok(statSync(image).size > 15_000, `${image} has a page drawn on it`);
  return { text: text.stdout, pages, file };
}

const herdInput = (over: Partial<ReportInput> = {}): ReportInput => ({ subject: 'herd', from: FROM, to: TO, groupIds: null, timeZone: 'Europe/Berlin', ...over });

test('herd report: alerts by type count what the database holds, attention lists the animals, daily means appear, times on the farm clock', async () => {
  const { text, pages } = await render('herd', herdInput());
  assert.ok(pages >= 2, `pages: ${pages}`);
  assert.match(text, /Herd health summary/);
  assert.match(text, /Hof Müller/);
  assert.match(text, /2026-03-02 00:00 to 2026-03-09 00:00/);
  assert.match(text, new RegExp(`page 1 of ${pages}`));
  assert.match(text, new RegExp(`page ${pages} of ${pages}`));

  // Alerts by type: each cause's "Raised" and "Open now" figures are the database's.
  const { rows: counts } = await db.query<{ cause: string; raised: number; open: number }>(
    `SELECT cause, count(*)::int AS raised, count(*) FILTER (WHERE status <> 'resolved')::int AS open FROM alerts
      WHERE raised_at >= $1 AND raised_at < $2 GROUP BY cause`,
    [FROM, TO],
  );
  assert.equal(counts.length, 5);
  for (const c of counts) {
    const line = text.split('\n').find((l) => new RegExp(`\\s${c.cause}\\s`).test(l));
    assert.ok(line, `a table line for ${c.cause}`);
    const numbers = line.trim().split(/\s+/).slice(-3).map(Number);
    assert.equal(numbers[0], c.raised, `${c.cause} raised: ${line}`);
    assert.equal(numbers[2], c.open, `${c.cause} open: ${line}`);
  }
  const total = text.split('\n').find((l) => /^\s*Total\s/.test(l));
  assert.equal(Number(total?.trim().split(/\s+/)[1]), counts.reduce((s, c) => s + c.raised, 0));

  // Animals needing attention: with tag, official ID, name and group; the one raised after the period is not there.
  for (const s of ['101', 'DE 0123456781', 'Berta', 'DE 0123456782', 'Liesl', 'DE 0123456783', 'Gräfin', 'DE 0123456784', 'Milking A', 'Dry B']) {
    assert.ok(text.includes(s), `${s} in the herd report`);
  }
  assert.doesNotMatch(text, /after the period/);
  assert.match(text, /dropped 0\.4 °C/, 'an alert raised before the period and still open is listed');
  // The fever's onset, 08:30 UTC, is 09:30 on the farm's clock.
  assert.match(text, /2026-03-05 09:30/);
  assert.doesNotMatch(text, /2026-03-05 08:30/);

  // Trends: the herd's and the groups' daily mean body temperature of 4 March (day 2 of the period).
  const { rows: herd } = await db.query<{ mean: number }>(`SELECT mean FROM herd_readings_daily WHERE metric_id = 1 AND day = '2026-03-04'`);
  const expected = [0, 1, 2, 3].reduce((s, i) => s + Math.fround(temperature(i, 2)), 0) / 4;
  assert.ok(Math.abs(herd[0]!.mean - expected) < 1e-6);
  const day = text.split('\n').find((l) => l.trim().startsWith('2026-03-04 '));
  assert.ok(day, 'a daily table line for 4 March');
  assert.deepEqual(day.trim().split(/\s+/).slice(1), [expected.toFixed(2), ((temperature(2, 2) + temperature(3, 2)) / 2).toFixed(2), ((temperature(0, 2) + temperature(1, 2)) / 2).toFixed(2)]);
  assert.match(text, /Body temperature \(°C\)/);
  assert.match(text, /Rumination \(min\/h\)/);
});

test('herd report for a vet with one group: only her animals, no whole-herd line', async () => {
  const { text } = await render('herd-group-b', herdInput({ groupIds: [ids.groupB!] }));
  assert.match(text, /Gräfin/);
  assert.doesNotMatch(text, /Berta|Liesl|Milking A/);
  assert.doesNotMatch(text, /Silent node/, "a node alert outside her groups is not counted");
  const heat = text.split('\n').find((l) => /\sEnvironmentTemperature\s/.test(l));
  assert.ok(heat, 'the pen alert of her group is counted');
  assert.match(text, /whole-herd figures include animals outside these groups/);
});

test('herd report of a period without readings or alerts says so', async () => {
  const { text } = await render('herd-empty', herdInput({ from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-01-08T00:00:00Z') }));
  assert.match(text, /No readings in this period/);
  assert.match(text, /No alerts were raised in this period/);
});

test('animal report: identity, a chart and figures per metric, her alerts and events on the farm clock', async () => {
  const { text } = await render('animal', { subject: 'animal', animalId: ids.a0!, from: FROM, to: TO, groupIds: null, timeZone: 'Europe/Berlin' });
  for (const s of ['Animal report: 101 (Berta)', 'DE 0123456781', 'Milking A', 'Holstein', '2021-04-10', '2026-04-01', 'female', 'Collar 7']) {
    assert.ok(text.includes(s), `${s} in the animal report`);
  }
  assert.match(text, /Body temperature \(°C\)/);
  assert.match(text, /Rumination \(min\/h\)/);
  assert.match(text, /No readings in this period of: Activity/);
  // Her mean body temperature over the week: days 0..6 at 38.4 + 0.05 d, every day equally many readings.
  const mean = [0, 1, 2, 3, 4, 5, 6].reduce((s, d) => s + Math.fround(temperature(0, d)), 0) / 7;
  const line = text.split('\n').find((l) => /^\s*Body temperature\s+°C\s/.test(l));
  assert.ok(line, 'a figures line for body temperature');
  assert.deepEqual(line.trim().split(/\s+/).slice(3), ['336', mean.toFixed(2), '38.40', '38.70']);
  assert.match(text, /2026-03-05 09:30/, 'fever onset in Berlin time');
  assert.match(text, /Fever \(temperature\)/);
  assert.match(text, /Metacam 15 ml/);
  assert.match(text, /2026-03-03 08:15\s+insemination/);
  assert.match(text, /withdrawal days: 5/);
  assert.doesNotMatch(text, /Liesl|Gräfin/);
});

test('animal report in UTC shows the same onset at 08:30', async () => {
  const { text } = await render('animal-utc', { subject: 'animal', animalId: ids.a0!, from: FROM, to: TO, groupIds: null, timeZone: 'UTC' });
  assert.match(text, /2026-03-05 08:30/);
  assert.match(text, /Times shown in\s+UTC/);
  assert.match(text, /2026-03-01 23:00 to 2026-03-08 23:00/);
});

test('animal report over two months charts daily means; on an imperial farm temperatures are in °F', async () => {
  await db.query(`UPDATE farm_settings SET units = 'imperial'`);
  try {
    const from = new Date('2026-02-01T00:00:00Z');
    const { text } = await render('animal-daily-imperial', { subject: 'animal', animalId: ids.a0!, from, to: new Date('2026-04-01T00:00:00Z'), groupIds: null, timeZone: 'Europe/Berlin' });
    assert.match(text, /Body temperature \(°F\)/);
    assert.match(text, /daily mean of each metric/);
    const line = text.split('\n').find((l) => /^\s*Body temperature\s+°F\s/.test(l));
    assert.ok(line);
    assert.equal(line.trim().split(/\s+/)[5], (Math.fround(38.4) * 1.8 + 32).toFixed(2), 'the lowest reading, 38.4 °C, in °F');
  } finally {
    await db.query(`UPDATE farm_settings SET units = 'metric'`);
  }
});

test('an unknown animal, an animal outside the groups, an empty period: errors in words before anything is written', async () => {
  const out = new PassThrough();
  let written = 0;
  out.on('data', (c: Buffer) => (written += c.length));
  await assert.rejects(
    renderReportPdf(db, { subject: 'animal', animalId: 99999, from: FROM, to: TO, groupIds: null, timeZone: 'UTC' }, out),
    (err: unknown) => err instanceof ReportInputError && /no animal with id 99999/.test(err.message),
  );
  await assert.rejects(renderReportPdf(db, { subject: 'animal', from: FROM, to: TO, groupIds: null, timeZone: 'UTC' }, out), ReportInputError);
  await assert.rejects(
    renderReportPdf(db, { subject: 'animal', animalId: ids.a0!, from: FROM, to: TO, groupIds: [ids.groupB!], timeZone: 'UTC' }, out),
    (err: unknown) => err instanceof ReportInputError && /101 is not in the groups/.test(err.message),
  );
  await assert.rejects(renderReportPdf(db, herdInput({ from: TO, to: FROM }), out), /period is empty/);
  await assert.rejects(renderReportPdf(db, herdInput({ timeZone: 'Mars/Olympus' }), out), /Mars\/Olympus/);
  assert.equal(written, 0);
});

test('node report: uptime and silent periods from the request log, battery as far as it is known', async () => {
  const { text } = await render('nodes', { subject: 'nodes', from: new Date(NODES_FROM), to: new Date(NODES_TO), groupIds: null, timeZone: 'Europe/Berlin' });
  // Independently: the collar was silent 3 h of 72, the gateway the last 12 h, the climate node never.
  const pct = (silentHours: number) => `${((1 - silentHours / 72) * 100).toFixed(1)} %`;
  const row = (name: string) => text.split('\n').find((l) => l.trimStart().startsWith(name) && /%/.test(l));
  assert.match(row('Collar 7') ?? '', new RegExp(`${pct(3)}\\s+1, 3 h\\s*$`));
  assert.match(row('Climate B') ?? '', new RegExp(`${pct(0)}\\s+none\\s*$`));
  assert.match(row('Gateway') ?? '', new RegExp(`${pct(12)}\\s+1, 12 h\\s*$`));
  // The same figures from the pure calculation with the posts as the test wrote them.
  const collar = uptimeOf(
    { start: NODES_FROM, end: NODES_TO, first: NODES_FROM, last: NODES_TO - 5 * 60_000, before: NODES_FROM - 5 * 60_000, after: NODES_TO, gaps: [[NODES_FROM + 24 * HOUR, NODES_FROM + 27 * HOUR]], medianIntervalMs: 5 * 60_000 },
    { intervalFactor: 3, minSilentMinutes: 15 },
  );
  assert.equal(collar.silentMs, 3 * HOUR);
  // Times on the farm's clock: the collar's silence began 24 h into the period.
  const berlin = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' });
  assert.ok(text.includes(berlin.format(new Date(NODES_FROM + 24 * HOUR))), 'silent period start in Berlin time');
  assert.ok(text.includes(`${berlin.format(new Date(NODES_TO))} (no post since)`), "the gateway's silence lasts to the period's end");
  for (const s of ['Collar', 'Climate sensor', 'Gateway', '101 (Berta), Milking A', 'pen Dry B', '15 %, 3.41 V', '87 %', 'Battery history is not stored']) {
    assert.ok(text.includes(s), `${s} in the node report`);
  }
  assert.match(text, /18 %\s+low-battery alert/);
});

test('node report for one group shows only the nodes of its animals and pens', async () => {
  const { text } = await render('nodes-group-b', { subject: 'nodes', from: new Date(NODES_FROM), to: new Date(NODES_TO), groupIds: [ids.groupB!], timeZone: 'Europe/Berlin' });
  assert.match(text, /Climate B/);
  assert.doesNotMatch(text, /Collar 7|Gateway/);
});

test('uptime: silences at the window edges are clipped to it, a gap of exactly the threshold is not silent, no posts at all is no uptime', () => {
  const p = { intervalFactor: 3, minSilentMinutes: 15 };
  const MIN = 60_000;
  const base = { start: 0, end: 10 * HOUR, medianIntervalMs: 5 * MIN };
  // Posting every 5 min; the last post before the window 2 h before it, the first 30 min into it: 30 min silent in it.
  const head = uptimeOf({ ...base, before: -2 * HOUR, first: 30 * MIN, last: 10 * HOUR - MIN, after: 10 * HOUR + 4 * MIN, gaps: [[HOUR, HOUR + 15 * MIN]] }, p);
  assert.deepEqual(head.periods, [{ from: 0, to: 30 * MIN, ongoing: false }]);
  assert.equal(head.thresholdMs, 15 * MIN);
  assert.equal(head.uptime, 1 - 0.5 / 10);
  const none = uptimeOf({ ...base, medianIntervalMs: undefined, gaps: [] }, p);
  assert.equal(none.uptime, 0);
  assert.deepEqual(none.periods, [{ from: 0, to: 10 * HOUR, ongoing: true }]);
  // A slow node (hourly) is silent only after 3 h.
  const slow = uptimeOf({ ...base, medianIntervalMs: HOUR, before: -HOUR, first: 0, last: 9 * HOUR, after: 11 * HOUR, gaps: [[2 * HOUR, 4 * HOUR + 59 * MIN]] }, p);
  assert.equal(slow.periods.length, 0);
  assert.equal(slow.uptime, 1);
});

test('hour axes are labelled on the report clock, also where local hours start at :30', async () => {
  const { hourAxis } = await import('./series.ts');
  const { clockFor, pdfText } = await import('./format.ts');
  const berlin = hourAxis(FROM.getTime(), TO.getTime(), [], clockFor('Europe/Berlin'));
  assert.equal(berlin.keys.length, 7 * 24);
  const labels = berlin.keys.map((_, i) => i).filter(berlin.labelled).map(berlin.label);
  assert.deepEqual(labels, ['2 Mar', '3 Mar', '4 Mar', '5 Mar', '6 Mar', '7 Mar', '8 Mar']);
  // Kolkata's local hours begin at :30 UTC; shown in UTC over two days, labels fall every 6 h all the same.
  const start = Date.parse('2026-03-01T18:30:00Z');
  const kolkata = hourAxis(start, start + 2 * DAY, [], clockFor('UTC'));
  const shown = kolkata.keys.map((_, i) => i).filter(kolkata.labelled).map(kolkata.label);
  assert.deepEqual(shown, ['2 Mar', '06:30', '12:30', '18:30', '3 Mar', '06:30', '12:30']);
  assert.equal(pdfText('Łąka → Hof 🐄'), 'Laka -> Hof ?');
});

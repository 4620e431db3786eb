// Exports over HTTP (roles, a vet's groups, errors), the CLI through a running office and on its own, and scheduled
// reports (folder checks, runs, retention, a failed run recorded) against a real office on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';
import { nextRunAfter, runPeriod } from './scheduler.ts';
import { zonedFormatter } from './zoned-time.ts';

const run = promisify(execFile);
let office: TestOffice;
const PASSWORD = 'correct horse battery';
const tokens: Record<string, string> = {};
const dir = mkdtempSync(join(tmpdir(), 'ys-reports-'));
const root = new URL('../../../', import.meta.url).pathname;

async function api(path: string, init: { method?: string; body?: unknown; token?: string; admin?: boolean } = {}) {
  const res = await fetch(`${office.apiUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.admin ? office.adminHeaders : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* a file */
  }
  return { status: res.status, body, headers: res.headers };
}

const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(root, 'app/main/cli/main.ts'), ...args, '--data-dir', office.dataDir], { cwd: root });

before(async () => {
  office = await startTestOffice();
  await office.db.exec(`
    UPDATE farm_settings SET time_zone = 'Europe/Berlin';
    INSERT INTO groups (id, name) VALUES (1, 'Barn A'), (2, 'Barn B');
    INSERT INTO animals (id, tag, name, group_id) VALUES (1, '101', 'Berta', 1), (2, '202', 'Lotte', 2);
    INSERT INTO nodes (id, name, kind, token_hash) VALUES (100, 'collar 1', 'collar', 'x');
    INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
      SELECT '2026-03-01T00:00:00Z'::timestamptz + i * interval '10 minutes', a, 100, 38 + (i % 10) / 10.0, 1
      FROM generate_series(0, 599) i, generate_series(1, 2) a;
  `);
  await office.stats.settle();
  tokens.owner = (await api('/auth/setup', { body: { name: 'farmer', password: PASSWORD } })).body.access_token;
  for (const [role, extra] of [['manager', {}], ['worker', {}], ['vet', { group_ids: [2] }]] as const) {
    assert.equal((await api('/auth/users', { body: { name: role, password: PASSWORD, role, ...extra }, token: tokens.owner })).status, 201);
    tokens[role] = (await api('/auth/login', { body: { name: role, password: PASSWORD } })).body.access_token;
  }
});
after(async () => {
  await office.close();
  rmSync(dir, { recursive: true, force: true });
});

test('GET /office/export streams a CSV named for its period, with its estimated size', async () => {
  const res = await api('/office/export/readings?format=csv&from=2026-03-01&to=2026-03-02&tz=utc', { token: tokens.manager });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(res.headers.get('content-disposition')!, /^attachment; filename="yoctosehns_readings_2026-03-01_to_2026-03-02_\d{8}-\d{4}\.csv"$/);
  const rows = parse(res.body as string) as string[][];
  // 2026-03-01 in Berlin is 2026-02-28T23:00Z … 2026-03-01T23:00Z: the data begins at 00:00Z, so 23 h of 6 a hour.
  assert.equal(rows.length - 1, 2 * 23 * 6);
  assert.equal(res.headers.get('x-estimated-rows'), String(2 * 23 * 6));
  assert.equal(rows[1]![0], '2026-03-01T00:00:00Z');
});

test("who may export: owner, manager, vet (her groups only); not a worker, not without a token", async () => {
  const vet = await api('/office/export/animals?format=csv', { token: tokens.vet });
  assert.equal(vet.status, 200);
  assert.deepEqual((parse(vet.body as string) as string[][]).slice(1).map((r) => r[1]), ['202']);
  const vetAsks = await api('/office/export/readings?format=csv&groups=Barn%20A', { token: tokens.vet });
  assert.equal(vetAsks.status, 400);
  assert.match(vetAsks.body.error, /only your assigned groups/);
  assert.equal((await api('/office/export/animals?format=csv', { token: tokens.worker })).status, 403);
  assert.equal((await api('/office/export/animals?format=csv')).status, 401);
  assert.equal((await api('/office/export/animals?format=csv', { token: tokens.owner })).status, 200);
});

test('a bad export request is a 400 in words, before any file begins', async () => {
  const cases: [string, RegExp][] = [
    ['/office/export/milk?format=csv', /the export must be one of readings, rollups/],
    ['/office/export/readings?format=ods', /--format must be one of csv, xlsx/],
    ['/office/export/readings?format=csv&animals=999', /no animal with tag or official ID "999"/],
    ['/office/export/readings?format=csv&from=soon', /--from "soon" is not a time/],
    ['/office/report/herd?format=docx', /reports are written as PDF/],
    ['/office/report/animal?format=pdf', /needs --animal/],
  ];
  for (const [path, message] of cases) {
    const res = await api(path, { token: tokens.owner });
    assert.equal(res.status, 400, path);
    assert.equal(res.body.code, 'invalid-input');
    assert.match(res.body.error, message, path);
  }
});

test('the preview gives the first rows and the estimate as JSON', async () => {
  const res = await api('/office/export/readings/preview?format=csv&animals=202', { token: tokens.owner });
  assert.equal(res.status, 200);
  assert.equal(res.body.rows.length, 100);
  assert.equal(res.body.estimated_rows, 600);
  assert.deepEqual(res.body.columns.slice(0, 3), ['ts', 'animal_tag', 'official_id']);
  assert.equal(res.body.rows[0][0], '2026-03-01T01:00:00+01:00');
});

test('GET /office/report gives a PDF a vet can read; an unknown animal is a 400', async () => {
  const { execFileSync } = await import('node:child_process');
  const res = await fetch(`${office.apiUrl}/office/report/animal?format=pdf&animal=202&from=2026-03-01&to=2026-03-06`, { headers: { authorization: `Bearer ${tokens.vet}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.match(res.headers.get('content-disposition')!, /filename="yoctosehns_animal-report_2026-03-01_to_2026-03-06_/);
  const pdf = Buffer.from(await res.arrayBuffer());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const file = join(dir, 'lotte.pdf');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.match(text, /Lotte/);
  assert.match(text, /202/);
  const denied = await api('/office/report/animal?format=pdf&animal=101', { token: tokens.vet });
  assert.equal(denied.status, 400);
  assert.match(denied.body.error, /only the animals of your assigned groups/);
  const unknown = await api('/office/report/animal?format=pdf&animal=999', { token: tokens.owner });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error, /no animal with tag or official ID "999"/);
});

test('the CLI exports through the running office and, once it stops, on the database itself: the same file', async () => {
  const viaOffice = join(dir, 'via-office.csv');
  const { stdout, stderr } = await cli(['export', 'readings', '--format', 'csv', '--out', viaOffice, '--animals', '101', '--utc']);
  assert.match(stdout, /^wrote .*via-office\.csv \(\d+(\.\d)? KiB\)\n$/);
  assert.match(stderr, /exporting readings: 0 of about 600 rows/);
  assert.equal((parse(readFileSync(viaOffice, 'utf8')) as string[][]).length, 601);
  assert.ok(!existsSync(`${viaOffice}.partial`));
  const bad = await cli(['export', 'readings', '--format', 'csv', '--out', join(dir, 'x.csv'), '--animals', 'nobody']).catch((e) => e);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: no animal with tag or official ID "nobody"/);
  assert.ok(!existsSync(join(dir, 'x.csv')), 'no file for a refused export');

  const pdf = join(dir, 'herd.pdf');
  const report = await cli(['report', 'herd', '--format', 'pdf', '--out', pdf, '--from', '2026-03-01', '--to', '2026-03-06']);
  assert.match(report.stdout, /^wrote .*herd\.pdf/);
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');

  const xlsx = join(dir, 'via-office.xlsx');
  await cli(['export', 'animals', '--format', 'xlsx', '--out', xlsx]);
  assert.equal(readFileSync(xlsx).subarray(0, 2).toString(), 'PK', 'an XLSX is a zip');

  await office.stop();
  const direct = join(dir, 'direct.csv');
  const result = await cli(['export', 'readings', '--format', 'csv', '--out', direct, '--animals', '101', '--utc']);
  assert.match(result.stdout, /^wrote 600 rows to .*direct\.csv/);
  assert.equal(readFileSync(direct, 'utf8'), readFileSync(viaOffice, 'utf8'));
  office = await restart();
});

/** The same data dir opened again by a new office (the test above stopped the first one). */
async function restart(): Promise<TestOffice> {
  const { createOffice } = await import('../office/create-office.ts');
  const { defaults } = await import('../config/config.ts');
  const { silentLogger } = await import('../log.ts');
  const again = await createOffice({ ...defaults(), dataDir: office.dataDir, host: '127.0.0.1', port: 0, ingestHost: '127.0.0.1', ingestPort: 0, discovery: false }, silentLogger);
  return Object.assign(again, { dataDir: office.dataDir, adminHeaders: office.adminHeaders, close: () => again.stop() }) as unknown as TestOffice;
}

test('scheduled reports: the folder is checked, a run writes a file, retention keeps the newest, a failure is recorded', async () => {
  const folder = mkdtempSync(join(dir, 'usb-'));
  const base = { name: 'Daily readings', kind: 'export', subject: 'readings', format: 'csv', params: { resolution: 'hourly' }, frequency: 'daily', at_hour: 6, keep: 2 };
  const missing = await api('/office/report-schedules', { token: tokens.owner, body: { ...base, folder: join(dir, 'not-plugged-in') } });
  assert.equal(missing.status, 400);
  assert.match(missing.body.error, /does not exist \(is the USB stick or network share connected\?\)/);
  assert.match((await api('/office/report-schedules', { token: tokens.owner, body: { ...base, folder: 'relative/path' } })).body.error, /full path/);
  assert.match((await api('/office/report-schedules', { token: tokens.owner, body: { ...base, folder, frequency: 'weekly' } })).body.error, /weekday/);
  assert.match((await api('/office/report-schedules', { token: tokens.owner, body: { ...base, folder, params: { groups: ['Barn Z'] } } })).body.error, /no group named "Barn Z"/);
  assert.equal((await api('/office/report-schedules', { token: tokens.vet, body: { ...base, folder } })).status, 403);

  const created = await api('/office/report-schedules', { token: tokens.manager, body: { ...base, folder } });
  assert.equal(created.status, 201);
  const id = created.body.id;
  assert.ok(Date.parse(created.body.next_run_at) > Date.now());
  for (let i = 0; i < 3; i++) {
    const ran = await api(`/office/report-schedules/${id}/run`, { token: tokens.owner, body: {} });
    assert.equal(ran.status, 200);
    assert.equal(ran.body.last_status, 'ok', ran.body.last_error);
    assert.ok(existsSync(ran.body.last_file));
  }
  // Runs within one minute write the same name (the next test shows retention over several names).
  const mine = readdirSync(folder).filter((f) => f.startsWith(`yoctosehns_s${id}_`));
  assert.ok(mine.length >= 1 && mine.length <= 2, `kept ${mine.length}`);
  const hourly = parse(readFileSync(join(folder, mine[0]!), 'utf8')) as string[][];
  assert.equal(hourly[0]![0], 'hour', 'the schedule\'s params (hourly readings) were used');

  rmSync(folder, { recursive: true });
  const failed = await api(`/office/report-schedules/${id}/run`, { token: tokens.owner, body: {} });
  assert.equal(failed.status, 200);
  assert.equal(failed.body.last_status, 'failed');
  assert.match(failed.body.last_error, /does not exist/);
  const listed = await api('/office/report-schedules', { token: tokens.manager });
  assert.equal(listed.body.schedules.find((s: { id: number }) => s.id === id).last_status, 'failed');
  assert.equal((await api(`/office/report-schedules/${id}`, { method: 'DELETE', token: tokens.owner })).status, 204);
  assert.equal((await api(`/office/report-schedules/${id}`, { token: tokens.owner })).status, 404);
});

test('retention keeps the newest files of the schedule and leaves other files alone', async () => {
  const folder = mkdtempSync(join(dir, 'share-'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(folder, 'farm-notes.csv'), 'mine');
  const created = await api('/office/report-schedules', {
    token: tokens.owner,
    body: { name: 'Animals', kind: 'export', subject: 'animals', format: 'csv', params: {}, frequency: 'weekly', weekday: 1, at_hour: 7, folder, keep: 2 },
  });
  const id = created.body.id;
  // Earlier runs' files, as the scheduler names them, written weeks ago.
  const { utimesSync } = await import('node:fs');
  for (const [i, day] of ['2026-01-05', '2026-01-12', '2026-01-19'].entries()) {
    const f = join(folder, `yoctosehns_s${id}_animals_2025-12-29_to_${day}_${day.replace(/-/g, '')}-0700.csv`);
    writeFileSync(f, 'old');
    utimesSync(f, new Date(Date.parse(day) + i), new Date(Date.parse(day) + i));
  }
  const ran = await api(`/office/report-schedules/${id}/run`, { token: tokens.owner, body: {} });
  assert.equal(ran.body.last_status, 'ok');
  const files = readdirSync(folder).sort();
  assert.equal(files.length, 3, files.join(', '));
  assert.ok(files.includes('farm-notes.csv'));
  assert.ok(files.includes(ran.body.last_file.split('/').at(-1)));
  assert.ok(files.some((f) => f.includes('_to_2026-01-19_')), 'the newest earlier file stays');
});

test('a run the office did not live to finish is shown as failed at the next start, and a due one runs then', async () => {
  const { ReportScheduler } = await import('./scheduler.ts');
  const { silentLogger } = await import('../log.ts');
  // One office runs one scheduler. This test plays the next start with a scheduler of its own, so the office's is
  // stopped first: its check every minute could otherwise pick the due schedule at the same moment and run it twice
  // (CI saw the second run fail on the first one's file).
  await office.reports.close();
  const folder = mkdtempSync(join(dir, 'crash-'));
  const created = await api('/office/report-schedules', {
    token: tokens.owner,
    body: { name: 'Nodes', kind: 'export', subject: 'nodes', format: 'csv', params: {}, frequency: 'daily', at_hour: 5, folder, keep: 3 },
  });
  const id = created.body.id;
  await office.db.query(`UPDATE report_schedules SET last_status = 'running', next_run_at = now() - interval '1 hour' WHERE id = $1`, [id]);
  const notDue = (
    await api('/office/report-schedules', {
      token: tokens.owner,
      body: { name: 'Later', kind: 'export', subject: 'nodes', format: 'csv', params: {}, frequency: 'daily', at_hour: 5, folder, keep: 3 },
    })
  ).body.id;
  await office.db.query(`UPDATE report_schedules SET last_status = 'running' WHERE id = $1`, [notDue]);
  const scheduler = new ReportScheduler(office.db, silentLogger, () => {});
  // The first check marks the interrupted run failed, then runs the schedule that is due.
  await scheduler.runDue();
  const after = (await api(`/office/report-schedules/${id}`, { token: tokens.owner })).body;
  assert.equal(after.last_status, 'ok');
  assert.ok(Date.parse(after.next_run_at) > Date.now());
  assert.equal(readdirSync(folder).length, 1);
  const interrupted = (await api(`/office/report-schedules/${notDue}`, { token: tokens.owner })).body;
  assert.equal(interrupted.last_status, 'failed');
  assert.equal(interrupted.last_error, 'the office stopped during the run');
  await scheduler.close();
});

test('next runs and periods follow the farm clock across DST', () => {
  const berlin = zonedFormatter('Europe/Berlin');
  // Saturday 2026-03-28 10:00 UTC; daily at 06:00 local: Sunday the 29th 06:00 CEST = 04:00 UTC.
  assert.equal(new Date(nextRunAfter({ frequency: 'daily', weekday: null, at_hour: 6 }, berlin, Date.parse('2026-03-28T10:00:00Z'))).toISOString(), '2026-03-29T04:00:00.000Z');
  // Weekly on Monday (1) at 07:00: Monday 2026-03-30 07:00 CEST.
  assert.equal(new Date(nextRunAfter({ frequency: 'weekly', weekday: 1, at_hour: 7 }, berlin, Date.parse('2026-03-28T10:00:00Z'))).toISOString(), '2026-03-30T05:00:00.000Z');
  // Exactly at a run's time, the next is a day later.
  assert.equal(new Date(nextRunAfter({ frequency: 'daily', weekday: null, at_hour: 6 }, berlin, Date.parse('2026-03-29T04:00:00Z'))).toISOString(), '2026-03-30T04:00:00.000Z');
  assert.deepEqual(runPeriod({ frequency: 'daily' }, berlin, Date.parse('2026-03-29T04:00:00Z')), { from: '2026-03-28', to: '2026-03-29' });
  assert.deepEqual(runPeriod({ frequency: 'weekly' }, berlin, Date.parse('2026-03-30T05:00:00Z')), { from: '2026-03-23', to: '2026-03-30' });
  // Just after local midnight but before UTC midnight: already the next farm day.
  assert.deepEqual(runPeriod({ frequency: 'daily' }, berlin, Date.parse('2026-06-30T22:30:00Z')), { from: '2026-06-30', to: '2026-07-01' });
});

import { assert, test } from '../../../scripts/test-api.ts';
import { farmToday } from './statistics-model.ts';
import {
  animalChoices,
  applies,
  buildRequest,
  csvRowCounter,
  downloadFileName,
  fileNameFromDisposition,
  formatBytes,
  headerNumber,
  initialForm,
  lastRunStatus,
  newScheduleForm,
  notApplicableHint,
  officeErrorMessage,
  periodWords,
  previewCaption,
  previewPath,
  progressFraction,
  progressText,
  readBody,
  requestPath,
  requestSummary,
  resolveRequestPeriod,
  scheduleBody,
  scheduleSummary,
  scheduleToForm,
  scheduleWhat,
  type DownloadProgress,
  type ReportsForm,
  type Schedule,
} from './reports-model.ts';

const TODAY = '2026-12-02';
const form = (change: Partial<ReportsForm> = {}): ReportsForm => ({ ...initialForm(TODAY), ...change });

test('period presets are farm-local days, `to` the day after the last one (exclusive)', () => {
  const period = (preset: Parameters<typeof resolveRequestPeriod>[0], custom?: { from: string; to: string }) => {
    const r = resolveRequestPeriod(preset, TODAY, custom);
    return r.ok ? r.period : r.error;
  };
  assert.deepEqual(period('yesterday'), { from: '2026-12-01', to: '2026-12-02', lastDay: '2026-12-01' });
  assert.deepEqual(period('7d'), { from: '2026-11-26', to: '2026-12-03', lastDay: '2026-12-02' });
  assert.deepEqual(period('30d'), { from: '2026-11-03', to: '2026-12-03', lastDay: '2026-12-02' });
  assert.deepEqual(period('month'), { from: '2026-12-01', to: '2026-12-03', lastDay: '2026-12-02' });
  assert.deepEqual(resolveRequestPeriod('month', '2026-03-31').ok && resolveRequestPeriod('month', '2026-03-31'), { ok: true, period: { from: '2026-03-01', to: '2026-04-01', lastDay: '2026-03-31' } });
  assert.deepEqual(resolveRequestPeriod('yesterday', '2027-01-01'), { ok: true, period: { from: '2026-12-31', to: '2027-01-01', lastDay: '2026-12-31' } });
  assert.deepEqual(period('custom', { from: '2026-02-27', to: '2026-03-01' }), { from: '2026-02-27', to: '2026-03-02', lastDay: '2026-03-01' });
  assert.equal(period('custom', { from: '2026-03-01', to: '2026-02-27' }), 'The end date is before the start date.');
  assert.equal(period('custom', { from: '', to: '2026-02-27' }), 'Choose both a start and an end date.');
  assert.equal(period('custom', { from: '2026-02-30', to: '2026-03-01' }), 'A date is not valid; use the calendar or type YYYY-MM-DD.');
});

test("today is the farm's: just after midnight in Berlin it is already the next day there", () => {
  const instant = Date.parse('2026-12-01T23:30:00Z'); // 00:30 on 2 December in Berlin, still 1 December in UTC and New York
  assert.equal(farmToday(instant, 'Europe/Berlin'), '2026-12-02');
  assert.equal(farmToday(instant, 'America/New_York'), '2026-12-01');
  const r = resolveRequestPeriod('yesterday', farmToday(instant, 'Europe/Berlin'));
  assert.ok(r.ok);
  assert.deepEqual([r.period.from, r.period.to], ['2026-12-01', '2026-12-02']);
});

test('the period in words', () => {
  assert.equal(periodWords({ from: '2026-12-01', to: '2026-12-02', lastDay: '2026-12-01' }), '1 Dec 2026');
  assert.equal(periodWords({ from: '2026-11-26', to: '2026-12-03', lastDay: '2026-12-02' }), '26 Nov 2026 to 2 Dec 2026 (7 days)');
});

test('an export request carries only what applies to its subject', () => {
  const f = form({ animals: ['C01', 'C02'], groups: ['Barn A'], metrics: ['temperature'], utc: true, preset: 'yesterday' });
  const readings = buildRequest(f, TODAY);
  assert.ok(readings.ok);
  assert.deepEqual(readings.request, {
    kind: 'export',
    subject: 'readings',
    format: 'csv',
    resolution: 'hourly',
    from: '2026-12-01',
    to: '2026-12-02',
    groups: ['Barn A'],
    utc: true,
    animals: ['C01', 'C02'],
    metrics: ['temperature'],
  });
  assert.equal(requestPath(readings.request), '/office/export/readings?format=csv&resolution=hourly&from=2026-12-01&to=2026-12-02&animals=C01%2CC02&groups=Barn+A&metrics=temperature&tz=utc');

  // The animals list has no period, no metrics; rollups take no animals but a level.
  const animals = buildRequest({ ...f, exportSubject: 'animals', format: 'xlsx' }, TODAY);
  assert.ok(animals.ok);
  assert.deepEqual(animals.request, { kind: 'export', subject: 'animals', format: 'xlsx', groups: ['Barn A'], utc: true, animals: ['C01', 'C02'] });
  assert.equal(animals.period, undefined);
  const rollups = buildRequest({ ...f, exportSubject: 'rollups', level: 'pens', utc: false }, TODAY);
  assert.ok(rollups.ok);
  assert.deepEqual(rollups.request, { kind: 'export', subject: 'rollups', format: 'csv', level: 'pens', from: '2026-12-01', to: '2026-12-02', groups: ['Barn A'], metrics: ['temperature'] });
  const quarantined = buildRequest({ ...f, exportSubject: 'quarantined' }, TODAY);
  assert.ok(quarantined.ok);
  assert.deepEqual(quarantined.request, { kind: 'export', subject: 'quarantined', format: 'csv', from: '2026-12-01', to: '2026-12-02', utc: true });
  assert.equal(previewPath(quarantined.request as never), '/office/export/quarantined/preview?format=csv&from=2026-12-01&to=2026-12-02&tz=utc');
});

test('a report request: PDF, the animal report needs its animal', () => {
  const herd = buildRequest(form({ mode: 'report', groups: ['Heifers'], animals: ['C01'], preset: '7d' }), TODAY);
  assert.ok(herd.ok);
  assert.deepEqual(herd.request, { kind: 'report', subject: 'herd', format: 'pdf', from: '2026-11-26', to: '2026-12-03', groups: ['Heifers'] });
  assert.equal(requestPath(herd.request), '/office/report/herd?format=pdf&from=2026-11-26&to=2026-12-03&groups=Heifers');

  const missing = buildRequest(form({ mode: 'report', reportSubject: 'animal' }), TODAY);
  assert.deepEqual(missing, { ok: false, problems: { animal: 'Choose the animal the report is about.' } });
  const animal = buildRequest(form({ mode: 'report', reportSubject: 'animal', animal: ' DE0123 ', groups: ['Heifers'] }), TODAY);
  assert.ok(animal.ok);
  assert.deepEqual(animal.request, { kind: 'report', subject: 'animal', format: 'pdf', from: '2026-11-26', to: '2026-12-03', animal: 'DE0123' });
  assert.equal(requestSummary(animal.request, animal.period), 'Animal report for DE0123, PDF, 26 Nov 2026 to 2 Dec 2026 (7 days)');

  const badPeriod = buildRequest(form({ mode: 'report', reportSubject: 'animal', preset: 'custom', custom: { from: '2026-12-02', to: '2026-12-01' } }), TODAY);
  assert.deepEqual(badPeriod, { ok: false, problems: { period: 'The end date is before the start date.', animal: 'Choose the animal the report is about.' } });
  // A period that does not apply is not checked.
  assert.ok(buildRequest(form({ exportSubject: 'nodes', preset: 'custom', custom: { from: '', to: '' } }), TODAY).ok);
});

test('what does not apply says so', () => {
  assert.equal(notApplicableHint({ mode: 'export', exportSubject: 'animals', reportSubject: 'herd' }, 'period'), 'Does not apply to the animals export.');
  assert.equal(notApplicableHint({ mode: 'export', exportSubject: 'readings', reportSubject: 'herd' }, 'metrics'), undefined);
  assert.equal(notApplicableHint({ mode: 'export', exportSubject: 'rollups', reportSubject: 'herd' }, 'animals'), 'Does not apply to the herd and group statistics export.');
  assert.equal(notApplicableHint({ mode: 'report', exportSubject: 'readings', reportSubject: 'nodes' }, 'groups'), 'Does not apply to the nodes.');
  assert.equal(notApplicableHint({ mode: 'report', exportSubject: 'readings', reportSubject: 'herd' }, 'groups'), undefined);
  const on = applies({ mode: 'export', exportSubject: 'readings', reportSubject: 'herd' });
  assert.equal(on.resolution, true);
  assert.equal(on.level, false);
});

test('the animals to choose from: tag, else official ID', () => {
  assert.deepEqual(
    animalChoices([
      { id: 1, tag: 'C01', official_id: 'DE01', name: 'Berta' },
      { id: 2, tag: null, official_id: 'DE02', name: null },
      { id: 3, tag: 'C03', official_id: null, name: null },
    ]),
    [
      { value: 'C01', label: 'C01 (DE01, Berta)' },
      { value: 'DE02', label: 'DE02' },
      { value: 'C03', label: 'C03' },
    ],
  );
});

test('the file name: content-disposition, RFC 5987 first, no folders, else made like the office makes it', () => {
  assert.equal(fileNameFromDisposition('attachment; filename="yoctosehns_animals_20261201-1200.csv"'), 'yoctosehns_animals_20261201-1200.csv');
  assert.equal(fileNameFromDisposition("attachment; filename=\"a.csv\"; filename*=UTF-8''K%C3%BChe.csv"), 'Kühe.csv');
  assert.equal(fileNameFromDisposition('attachment; filename=plain.pdf'), 'plain.pdf');
  assert.equal(fileNameFromDisposition('attachment; filename="../../etc/passwd"'), 'passwd');
  assert.equal(fileNameFromDisposition('attachment'), undefined);
  assert.equal(fileNameFromDisposition(null), undefined);
  const req = { kind: 'export', subject: 'readings', format: 'csv', from: '2026-12-01', to: '2026-12-02' } as const;
  assert.equal(downloadFileName(null, req, new Date('2026-12-02T06:05:00Z')), 'yoctosehns_readings_2026-12-01_to_2026-12-02_20261202-0605.csv');
});

test("the office's refusals in words", () => {
  assert.equal(officeErrorMessage(400, { error: 'no animal with tag 123', code: 'invalid-input' }), 'No animal with tag 123.');
  assert.equal(officeErrorMessage(403, { error: 'forbidden', code: 'access-denied' }), 'Your role may not do this (forbidden).');
  assert.equal(officeErrorMessage(401, undefined), 'Your session has ended. Sign in again.');
  assert.equal(officeErrorMessage(404, undefined), 'The office does not know this kind of report yet: it may need an update.');
  assert.equal(officeErrorMessage(500, 'not json'), 'The office answered HTTP 500.');
});

const progress = (change: Partial<DownloadProgress>): DownloadProgress => ({ bytes: 0, totalBytes: null, rows: null, estimatedRows: null, done: false, ...change });

test('progress: bytes always, a percentage where something says how big the file will be', () => {
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(12_345), '12.3 kB');
  assert.equal(formatBytes(12_345_678), '12.3 MB');
  assert.equal(formatBytes(123_456_789), '123 MB');
  assert.equal(formatBytes(2_500_000_000), '2.5 GB');

  assert.equal(progressText(progress({})), 'Waiting for the office to start sending…');
  assert.equal(progressText(progress({ bytes: 12_345_678 })), '12.3 MB received');
  assert.equal(progressFraction(progress({ bytes: 12_345_678 })), null);
  // A known length: exact.
  assert.equal(progressText(progress({ bytes: 500_000, totalBytes: 2_000_000 })), '500 kB received · 25 %');
  // Rows of a CSV against the office's estimate: about, and never 100 % before the end.
  assert.equal(progressText(progress({ bytes: 1_200_000, rows: 12_000, estimatedRows: 26_000 })), '1.2 MB received · about 46 % · 12,000 of about 26,000 rows');
  assert.equal(progressFraction(progress({ rows: 30_000, estimatedRows: 26_000 })), 0.99);
  // XLSX: rows cannot be counted; the estimate is still worth showing.
  assert.equal(progressText(progress({ bytes: 80_000, estimatedRows: 26_000 })), '80.0 kB received · about 26,000 rows');
  assert.equal(progressText(progress({ bytes: 2_600_000, rows: 25_990, estimatedRows: 26_000, done: true })), '2.6 MB · 25,990 rows');
  assert.equal(progressFraction(progress({ done: true })), 1);
  assert.equal(headerNumber('26000'), 26_000);
  assert.equal(headerNumber(null), null);
  assert.equal(headerNumber('about 5'), null);
});

test('rows of a CSV counted as it arrives, across chunks, header not counted', () => {
  const enc = new TextEncoder();
  const c = csvRowCounter();
  c.add(enc.encode('tag,name\nC01,Ber'));
  assert.equal(c.rows(), 1);
  c.add(enc.encode('ta\nC02,Anna\n'));
  assert.equal(c.rows(), 2);
  const empty = csvRowCounter();
  empty.add(enc.encode('tag,name\n'));
  assert.equal(empty.rows(), 0);
});

test('a body read chunk by chunk, each reported, joined in order', async () => {
  const chunks = ['tag,name\n', 'C01,Berta\n', 'C02,Anna\n'].map((s) => new TextEncoder().encode(s));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  const seen: number[] = [];
  const bytes = await readBody(new Response(stream), (_chunk, received) => seen.push(received));
  assert.deepEqual(seen, [9, 19, 28]);
  assert.equal(new TextDecoder().decode(bytes), 'tag,name\nC01,Berta\nC02,Anna\n');

  // Cancel: a fetch's body errors when its signal aborts, and the read stops there.
  const controller = new AbortController();
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      if (controller.signal.aborted) c.error(new DOMException('The operation was aborted.', 'AbortError'));
      else c.enqueue(new Uint8Array(1000));
    },
  });
  const reading = readBody(new Response(endless), (_c, received) => {
    if (received >= 5000) controller.abort();
  });
  await assert.rejects(reading, { name: 'AbortError' });
});

test('the preview caption', () => {
  assert.equal(previewCaption({ columns: ['a'], rows: [], estimated_rows: 0 }), 'Nothing to export for this choice: the file would have only its header row.');
  assert.equal(previewCaption({ columns: ['a'], rows: [['x'], ['y']], estimated_rows: 2 }), '2 rows; all are shown.');
  assert.equal(previewCaption({ columns: ['a'], rows: Array.from({ length: 100 }, () => ['x']), estimated_rows: 26_000 }), 'About 26,000 rows; the first 100 are shown.');
  assert.equal(previewCaption({ columns: ['a'], rows: [['x']], estimated_rows: null }), 'The first 1 rows (the office did not estimate the total).');
});

const NOW = Date.parse('2026-12-02T08:00:00Z');
const schedule = (change: Partial<Schedule> = {}): Schedule => ({
  id: 1,
  name: 'Weekly herd',
  kind: 'report',
  subject: 'herd',
  format: 'pdf',
  params: {},
  frequency: 'weekly',
  weekday: 1,
  at_hour: 6,
  folder: '/media/usb',
  keep: 14,
  enabled: true,
  created_at: '2026-11-01T00:00:00Z',
  next_run_at: '2026-12-07T05:00:00Z',
  last_run_at: null,
  last_status: null,
  last_error: null,
  last_file: null,
  last_rows: null,
  ...change,
});

test('a schedule in words', () => {
  assert.equal(scheduleSummary(schedule()), 'Weekly on Monday at 06:00, keeps 14 files');
  assert.equal(scheduleSummary(schedule({ frequency: 'daily', weekday: null, at_hour: 23, keep: 1 })), 'Daily at 23:00, keeps 1 file');
  assert.equal(scheduleSummary(schedule({ weekday: 7, at_hour: 0 })), 'Weekly on Sunday at 00:00, keeps 14 files');
  assert.equal(scheduleWhat(schedule()), 'Herd health summary, PDF');
  assert.equal(scheduleWhat(schedule({ kind: 'export', subject: 'readings', format: 'xlsx', params: { resolution: 'daily' } })), 'Readings (daily means), XLSX');
  assert.equal(scheduleWhat(schedule({ subject: 'animal', params: { animal: 'C01' } })), 'Animal report for C01, PDF');
});

test('the last run: ok, failed with its reason, running, never', () => {
  assert.deepEqual(lastRunStatus(schedule({ last_status: 'failed', last_run_at: '2026-12-02T06:00:00Z', last_error: 'the folder /media/usb does not exist' }), NOW), {
    color: 'red',
    label: 'Failed',
    text: 'Last run failed 2 h ago: the folder /media/usb does not exist',
  });
  assert.equal(lastRunStatus(schedule({ last_status: 'failed', last_run_at: '2026-12-02T06:00:00Z' }), NOW).text, 'Last run failed 2 h ago: the office gave no reason');
  assert.deepEqual(lastRunStatus(schedule({ last_status: 'ok', last_run_at: '2026-12-02T07:30:00Z', last_file: 'herd.pdf' }), NOW), { color: 'green', label: 'OK', text: 'Last run 30 min ago: herd.pdf' });
  assert.equal(lastRunStatus(schedule({ last_status: 'ok', last_run_at: '2026-12-01T07:00:00Z', last_file: '/media/usb/r.csv', last_rows: 12_000 }), NOW).text, 'Last run 1 day ago: r.csv (12,000 rows)');
  assert.equal(lastRunStatus(schedule({ last_status: 'ok', last_run_at: '2026-12-01T07:00:00Z', last_file: 'E:\\reports\\r.pdf' }), NOW).text, 'Last run 1 day ago: r.pdf');
  assert.equal(lastRunStatus(schedule({ last_status: 'running', last_run_at: '2026-12-02T07:59:30Z' }), NOW).text, 'Running since just now');
  assert.deepEqual(lastRunStatus(schedule(), NOW), { color: 'gray', label: 'Not run yet', text: 'Not run yet' });
});

test('the schedule form: checked in words, then the body the office takes', () => {
  assert.deepEqual(scheduleBody({ ...newScheduleForm(), keep: 0 }), {
    ok: false,
    problems: {
      name: 'Give the schedule a name, e.g. "Weekly herd report".',
      folder: 'Choose the folder the files go to, e.g. /media/usb or \\\\nas\\reports.',
      keep: 'Keep between 1 and 1000 files.',
    },
  });
  assert.deepEqual(scheduleBody({ ...newScheduleForm(), name: 'x', folder: '/x', kind: 'report', reportSubject: 'animal' }), { ok: false, problems: { animal: 'Choose the animal the report is about.' } });

  const daily = scheduleBody({ ...newScheduleForm(), name: ' Daily readings ', kind: 'export', exportSubject: 'readings', format: 'xlsx', resolution: 'daily', animals: ['C01'], groups: ['Barn A'], folder: ' /media/usb ', keep: '7', utc: true });
  assert.deepEqual(daily, {
    ok: true,
    body: {
      name: 'Daily readings',
      kind: 'export',
      subject: 'readings',
      format: 'xlsx',
      params: { resolution: 'daily', animals: ['C01'], groups: ['Barn A'], utc: true },
      frequency: 'daily',
      weekday: null,
      at_hour: 6,
      folder: '/media/usb',
      keep: 7,
      enabled: true,
    },
  });
  const weekly = scheduleBody({ ...newScheduleForm(), name: 'Herd', folder: '/srv/share', frequency: 'weekly', weekday: 5, atHour: 7, animals: ['C01'], groups: ['Heifers'] });
  assert.ok(weekly.ok);
  assert.deepEqual(weekly.body, { name: 'Herd', kind: 'report', subject: 'herd', format: 'pdf', params: { groups: ['Heifers'] }, frequency: 'weekly', weekday: 5, at_hour: 7, folder: '/srv/share', keep: 14, enabled: true });

  // A saved schedule back in the form and out again is the same schedule.
  const saved = schedule({ kind: 'export', subject: 'rollups', format: 'csv', params: { level: 'pens', metrics: ['ambient_temperature'] }, frequency: 'daily', weekday: null, enabled: false });
  const again = scheduleBody(scheduleToForm(saved));
  assert.ok(again.ok);
  assert.deepEqual(again.body, { name: saved.name, kind: 'export', subject: 'rollups', format: 'csv', params: { level: 'pens', metrics: ['ambient_temperature'] }, frequency: 'daily', weekday: null, at_hour: 6, folder: '/media/usb', keep: 14, enabled: false });
});

// Exports of a known dataset, parsed back (CSV with csv-parse, XLSX with exceljs) and compared cell by cell with
// values written out by hand: the farm's time zone across a DST change, UTC on request, the period on the farm's
// midnights, selections, quoting, formula injection, sheets, and the errors a user meets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Database } from '../../db/index.ts';
import { openTestDatabase } from '../../db/testing/snapshot.ts';
import { silentLogger } from '../log.ts';
import { RollupService } from '../stats/rollups.ts';
import type { ExportRequest } from '../../shared/reports.ts';
import { ExportInputError, resolveExport, type ExportScope } from './export-options.ts';
import { previewExport, writeExport, type ExportOptions } from './exporter.ts';
import { parseFarmTime, zonedFormatter } from './zoned-time.ts';

let db: Database;
let cleanup: () => Promise<void>;
const dir = mkdtempSync(join(tmpdir(), 'ys-export-'));

// Europe/Berlin springs forward on 2026-03-29 at 02:00 local (01:00 UTC).
const READINGS: [string, string, string, number][] = [
  // [tag, metric, UTC instant, value]
  ['101', 'temperature', '2026-03-28T22:59:00Z', 38.5], // 23:59 CET on the 28th: outside the 29th
  ['101', 'temperature', '2026-03-28T23:00:00Z', 38.6], // 00:00 CET on the 29th
  ['101', 'temperature', '2026-03-29T00:30:00Z', 38.7], // 01:30 CET
  ['101', 'temperature', '2026-03-29T01:30:00Z', 38.8], // 03:30 CEST
  ['101', 'activity', '2026-03-29T01:30:00.250Z', 120], // milliseconds kept
  ['202', 'temperature', '2026-03-29T21:59:00Z', 39.1], // 23:59 CEST on the 29th
  ['202', 'temperature', '2026-03-29T22:00:00Z', 39.2], // 00:00 CEST on the 30th: outside
  ['=cmd', 'rumination', '2026-03-29T10:00:00Z', 31],
];

async function exportText(req: ExportRequest, scope?: ExportScope, options?: ExportOptions): Promise<string> {
  const x = await resolveExport(db, req, scope);
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeExport(db, x, out, options);
  return Buffer.concat(chunks).toString('utf8');
}

const csv = (text: string): string[][] => parse(text, { relax_column_count: false }) as string[][];

async function exportXlsx(req: ExportRequest, options?: ExportOptions): Promise<ExcelJS.Workbook> {
  const x = await resolveExport(db, req);
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c);
      cb();
    },
  });
  await writeExport(db, x, out, options);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return wb;
}

before(async () => {
  ({ db, cleanup } = await openTestDatabase());
  await db.exec(`
    UPDATE farm_settings SET name = 'Hof Sonnenwiese', time_zone = 'Europe/Berlin';
    INSERT INTO groups (id, name) VALUES (1, 'Barn A'), (2, 'Barn B');
    INSERT INTO animals (id, tag, official_id, name, group_id, birth_date) VALUES
      (1, '101', 'DE 01 234 56789', 'Müller, "Berta"', 1, '2021-04-02'),
      (2, '202', 'DE 01 234 56790', 'Lotte', 2, NULL),
      (3, '=cmd', NULL, '+SUM(A1)', 2, NULL);
    INSERT INTO nodes (id, name, kind, token_hash) VALUES (1, 'collar 7', 'collar', 'x');
    INSERT INTO events (animal_id, kind, ts, note, details) VALUES (1, 'insemination', '2026-03-29T08:15:00Z', 'line one
line two', '{"bull": "Apollo"}');
    INSERT INTO alerts (animal_id, category, cause, severity, reason, onset, raised_at) VALUES
      (1, 'Health', 'AnimalTemperature', 2, 'temperature 40.1 °C, +1.2 °C over her baseline', '2026-03-29T01:00:00Z', '2026-03-29T03:00:00Z');
    INSERT INTO quarantined_readings (node_id, received_at, route, item_index, item, reason) VALUES
      (1, '2026-03-29T05:00:00Z', 'POST /v1/readings', 3, '{"metric": "temp", "value": 99}', 'value 99 outside 30..45');
  `);
  for (const [tag, metric, ts, value] of READINGS) {
    await db.query(
      `INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
       SELECT $1::timestamptz, a.id, 1, $4, m.id FROM animals a, metrics m WHERE a.tag = $2 AND m.key = $3`,
      [ts, tag, metric, value],
    );
  }
  await new RollupService(db, { log: silentLogger }).rebuildAll();
});

after(async () => {
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('readings as CSV: every cell, in the farm time zone with the offset, across the DST change', async () => {
  const rows = csv(await exportText({ subject: 'readings', format: 'csv' }));
  assert.deepEqual(rows[0], ['ts', 'animal_tag', 'official_id', 'animal_name', 'group', 'metric', 'value', 'unit', 'node']);
  // Ordered by animal, metric, time.
  assert.deepEqual(rows.slice(1), [
    ['2026-03-28T23:59:00+01:00', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', 'temperature', '38.5', '°C', 'collar 7'],
    ['2026-03-29T00:00:00+01:00', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', 'temperature', '38.6', '°C', 'collar 7'],
    ['2026-03-29T01:30:00+01:00', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', 'temperature', '38.7', '°C', 'collar 7'],
    ['2026-03-29T03:30:00+02:00', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', 'temperature', '38.8', '°C', 'collar 7'],
    ['2026-03-29T03:30:00.250+02:00', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', 'activity', '120', 'steps/h', 'collar 7'],
    ['2026-03-29T23:59:00+02:00', '202', 'DE 01 234 56790', 'Lotte', 'Barn B', 'temperature', '39.1', '°C', 'collar 7'],
    ['2026-03-30T00:00:00+02:00', '202', 'DE 01 234 56790', 'Lotte', 'Barn B', 'temperature', '39.2', '°C', 'collar 7'],
    // A spreadsheet would run these as formulas: an apostrophe keeps them text.
    ["2026-03-29T12:00:00+02:00", "'=cmd", '', "'+SUM(A1)", 'Barn B', 'rumination', '31', 'min/h', 'collar 7'],
  ]);
  // Every time stamp names the same instant as stored.
  for (const [i, row] of rows.slice(1).entries()) {
    const stored = READINGS.find(([tag, metric, , value]) => (tag === row[1] || `'${tag}` === row[1]) && metric === row[5] && String(value) === row[6]);
    assert.ok(stored, `row ${i + 1} is one of the stored readings`);
    assert.equal(Date.parse(row[0]!), Date.parse(stored[2]), `row ${i + 1}: ${row[0]} is ${stored[2]}`);
  }
});

test('UTC on request; the period runs from the farm midnight to the farm midnight; quoting survives a line break', async () => {
  const utc = csv(await exportText({ subject: 'readings', format: 'csv', utc: true, from: '2026-03-29', to: '2026-03-30', metrics: ['temp'] }));
  assert.deepEqual(
    utc.slice(1).map((r) => [r[0], r[1], r[6]]),
    [
      ['2026-03-28T23:00:00Z', '101', '38.6'],
      ['2026-03-29T00:30:00Z', '101', '38.7'],
      ['2026-03-29T01:30:00Z', '101', '38.8'],
      ['2026-03-29T21:59:00Z', '202', '39.1'],
    ],
  );
  const events = csv(await exportText({ subject: 'events', format: 'csv' }));
  assert.deepEqual(events[0], ['id', 'ts', 'kind', 'animal_tag', 'official_id', 'animal_name', 'group', 'note', 'details']);
  assert.deepEqual(events[1]!.slice(1), ['2026-03-29T10:15:00+02:00', 'insemination', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', 'line one\nline two', '{"bull":"Apollo"}']);
});

test('selection by animals (tag or official ID), groups and metrics', async () => {
  const byAnimal = csv(await exportText({ subject: 'readings', format: 'csv', animals: ['de01234 56790'] }));
  assert.deepEqual(new Set(byAnimal.slice(1).map((r) => r[1])), new Set(['202']));
  const byGroup = csv(await exportText({ subject: 'readings', format: 'csv', groups: ['barn b'], metrics: ['rum'] }));
  assert.deepEqual(byGroup.slice(1).map((r) => [r[1], r[5]]), [["'=cmd", 'rumination']]);
  const both = csv(await exportText({ subject: 'readings', format: 'csv', animals: ['101'], groups: ['Barn B'] }));
  assert.equal(both.length, 1, 'an animal outside the chosen groups is not selected');
  const animals = csv(await exportText({ subject: 'animals', format: 'csv', groups: ['Barn A'] }));
  assert.deepEqual(animals.slice(1).map((r) => [r[1], r[5], r[7]]), [['101', '2021-04-02', 'Barn A']]);
});

test("a vet's scope keeps her groups' animals and refuses the others", async () => {
  const vet: ExportScope = { groupIds: [2] };
  const rows = csv(await exportText({ subject: 'readings', format: 'csv' }, vet));
  assert.deepEqual(new Set(rows.slice(1).map((r) => r[4])), new Set(['Barn B']));
  await assert.rejects(resolveExport(db, { subject: 'readings', format: 'csv', groups: ['Barn A'] }, vet), /only your assigned groups \(not "Barn A"\)/);
  await assert.rejects(resolveExport(db, { subject: 'readings', format: 'csv', animals: ['101'] }, vet), /only the animals of your assigned groups/);
  const alerts = csv(await exportText({ subject: 'alerts', format: 'csv' }, vet));
  assert.equal(alerts.length, 1, "the vet does not see another group's alert");
});

test('hourly and daily readings and the herd and group days equal the rollups, on the farm days', async () => {
  const daily = csv(await exportText({ subject: 'readings', format: 'csv', resolution: 'daily', animals: ['101'], metrics: ['temperature'] }));
  assert.deepEqual(daily[0], ['day', 'animal_tag', 'official_id', 'animal_name', 'group', 'metric', 'n', 'mean', 'min', 'max', 'stddev', 'unit']);
  assert.deepEqual(daily.slice(1).map((r) => [r[0], r[6], Number(r[7]).toFixed(4), r[8], r[9]]), [
    ['2026-03-28', '1', '38.5000', '38.5', '38.5'],
    ['2026-03-29', '3', ((38.6 + 38.7 + 38.8) / 3).toFixed(4), '38.6', '38.8'],
  ]);
  const hourly = csv(await exportText({ subject: 'readings', format: 'csv', resolution: 'hourly', animals: ['101'], metrics: ['temperature'], from: '2026-03-29T03:00' }));
  assert.deepEqual(hourly.slice(1).map((r) => [r[0], r[6], r[7]]), [['2026-03-29T03:00:00+02:00', '1', '38.8']]);
  const rollups = csv(await exportText({ subject: 'rollups', format: 'csv', metrics: ['temperature'], from: '2026-03-29', to: '2026-03-30' }));
  assert.deepEqual(rollups[0], ['day', 'group', 'metric', 'animals', 'n', 'mean', 'min', 'max', 'stddev', 'q1', 'median', 'q3', 'unit']);
  assert.deepEqual(
    rollups.slice(1).map((r) => [r[0], r[1], r[3], r[4]]),
    [
      ['2026-03-29', 'Whole herd', '2', '4'],
      ['2026-03-29', 'Barn A', '1', '3'],
      ['2026-03-29', 'Barn B', '1', '1'],
    ],
  );
});

test('an imperial farm gets °F in readings and rollups', async () => {
  await db.query(`UPDATE farm_settings SET units = 'imperial'`);
  try {
    const rows = csv(await exportText({ subject: 'readings', format: 'csv', animals: ['202'] }));
    assert.deepEqual(rows.slice(1).map((r) => [Number(r[6]).toFixed(2), r[7]]), [
      [(39.1 * 1.8 + 32).toFixed(2), '°F'],
      [(39.2 * 1.8 + 32).toFixed(2), '°F'],
    ]);
  } finally {
    await db.query(`UPDATE farm_settings SET units = 'metric'`);
  }
});

test('alerts, nodes and quarantined items, with every column a farmer needs and no token hash', async () => {
  const alerts = csv(await exportText({ subject: 'alerts', format: 'csv' }));
  assert.deepEqual(alerts[1]!.slice(1, 12), ['2026-03-29T05:00:00+02:00', '2026-03-29T03:00:00+02:00', 'Health', 'AnimalTemperature', '2', 'open', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', '']);
  assert.equal(alerts[1]![13], 'temperature 40.1 °C, +1.2 °C over her baseline');
  const nodes = await exportText({ subject: 'nodes', format: 'csv' });
  assert.ok(!nodes.includes('token'), 'no token column');
  assert.equal(csv(nodes)[1]![1], 'collar 7');
  const q = csv(await exportText({ subject: 'quarantined', format: 'csv' }));
  assert.deepEqual(q[1]!.slice(1), ['2026-03-29T07:00:00+02:00', 'collar 7', 'POST /v1/readings', '3', 'value 99 outside 30..45', '{"value":99,"metric":"temp"}']);
});

test('XLSX: real date-times on the farm clock with their offset, numbers as numbers, an About sheet', async () => {
  const wb = await exportXlsx({ subject: 'readings', format: 'xlsx', metrics: ['temperature'], animals: ['101'] });
  const sheet = wb.getWorksheet('readings')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1);
  assert.deepEqual(header, ['ts', 'ts_offset', 'animal_tag', 'official_id', 'animal_name', 'group', 'metric', 'value', 'unit', 'node']);
  const cells = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
  // Excel has no zones: the cell holds the wall clock (read back as that time "in UTC"), the next cell the offset.
  assert.deepEqual(cells(3), [new Date('2026-03-29T00:00:00Z'), '+01:00', '101', 'DE 01 234 56789', 'Müller, "Berta"', 'Barn A', 'temperature', 38.6, '°C', 'collar 7']);
  assert.deepEqual(cells(5).slice(0, 2), [new Date('2026-03-29T03:30:00Z'), '+02:00']);
  assert.equal(sheet.getRow(5).getCell(8).value, 38.8);
  assert.equal(sheet.getRow(2).getCell(1).numFmt, 'yyyy-mm-dd hh:mm:ss');
  assert.equal(sheet.rowCount, 5);
  const about = wb.getWorksheet('About')!;
  const fields = Object.fromEntries(about.getSheetValues().slice(2).map((r) => [(r as unknown[])[1], (r as unknown[])[2]]));
  assert.equal(fields['farm'], 'Hof Sonnenwiese');
  assert.match(String(fields['time zone']), /Europe\/Berlin/);
  assert.equal(fields['rows'], '4');
  // Text stays text in XLSX (no formula is ever written), so nothing needs an apostrophe there.
  const animals = await exportXlsx({ subject: 'animals', format: 'xlsx' });
  const tags = animals.getWorksheet('animals')!.getColumn(2).values.slice(2);
  assert.deepEqual(tags, ['101', '202', '=cmd']);
});

test('XLSX continues on a second sheet past the sheet size, without losing or repeating a row', async () => {
  const wb = await exportXlsx({ subject: 'readings', format: 'xlsx', utc: true }, { rowsPerSheet: 5 });
  assert.deepEqual(wb.worksheets.map((w) => w.name), ['readings', 'readings (2)', 'About']);
  const rows = [...wb.getWorksheet('readings')!.getSheetValues().slice(2), ...wb.getWorksheet('readings (2)')!.getSheetValues().slice(2)].map((r) =>
    ((r as unknown[])[1] as Date).toISOString(),
  );
  assert.equal(rows.length, READINGS.length);
  assert.deepEqual(new Set(rows), new Set(READINGS.map((r) => new Date(r[2]).toISOString())));
  assert.equal(wb.getWorksheet('readings (2)')!.getRow(1).getCell(1).value, 'ts', 'the second sheet has its header');
});

test('progress is reported page by page with an estimate made before the first row', async () => {
  const seen: { rows: number; estimatedRows: number | null }[] = [];
  await exportText({ subject: 'readings', format: 'csv' }, undefined, { onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen[0], { rows: 0, estimatedRows: READINGS.length });
  assert.equal(seen.at(-1)!.rows, READINGS.length);
});

test('the preview is the first rows as the CSV shows them', async () => {
  const p = await previewExport(db, await resolveExport(db, { subject: 'readings', format: 'csv', animals: ['202'] }), 1);
  assert.deepEqual(p.rows, [['2026-03-29T23:59:00+02:00', '202', 'DE 01 234 56790', 'Lotte', 'Barn B', 'temperature', '39.1', '°C', 'collar 7']]);
  assert.equal(p.estimated_rows, 2);
});

test('bad requests are refused in words before anything is written', async () => {
  const cases: [ExportRequest, RegExp][] = [
    [{ subject: 'readings', format: 'csv', animals: ['999'] }, /no animal with tag or official ID "999"/],
    [{ subject: 'readings', format: 'csv', groups: ['Barn Z'] }, /no group named "Barn Z"/],
    [{ subject: 'readings', format: 'csv', metrics: ['milk'] }, /no metric "milk" \(metrics: temperature, /],
    [{ subject: 'readings', format: 'csv', from: '2026-03-30', to: '2026-03-29' }, /--from must be before --to/],
    [{ subject: 'readings', format: 'csv', from: 'yesterday' }, /--from "yesterday" is not a time/],
    [{ subject: 'readings', format: 'csv', from: '2026-02-30' }, /not a valid date/],
  ];
  for (const [req, message] of cases) await assert.rejects(resolveExport(db, req), (err: Error) => err instanceof ExportInputError && message.test(err.message));
});

test('farm times: a date is the local midnight, a local time the wall clock, a gap moves forward', () => {
  const berlin = zonedFormatter('Europe/Berlin');
  assert.equal(new Date(parseFarmTime('2026-03-29', berlin, 'from')).toISOString(), '2026-03-28T23:00:00.000Z');
  assert.equal(new Date(parseFarmTime('2026-03-30', berlin, 'to')).toISOString(), '2026-03-29T22:00:00.000Z');
  assert.equal(new Date(parseFarmTime('2026-03-29T02:30', berlin, 'from')).toISOString(), '2026-03-29T01:30:00.000Z'); // 03:30 CEST
  assert.equal(new Date(parseFarmTime('2026-10-25T02:30', berlin, 'from')).toISOString(), '2026-10-25T00:30:00.000Z'); // the first 02:30
  assert.equal(new Date(parseFarmTime('2026-03-29T06:00:00-05:00', berlin, 'from')).toISOString(), '2026-03-29T11:00:00.000Z');
  const kolkata = zonedFormatter('Asia/Kolkata');
  assert.equal(kolkata.iso(Date.parse('2026-01-01T00:00:00Z')), '2026-01-01T05:30:00+05:30');
  assert.equal(zonedFormatter('UTC').iso(Date.parse('2026-01-01T00:00:00Z')), '2026-01-01T00:00:00Z');
  assert.throws(() => zonedFormatter('Mars/Olympus'), /not a known IANA time zone/);
});

test('the CSV is written to a file as it is read (readFileSync after the export)', async () => {
  const { createWriteStream } = await import('node:fs');
  const file = join(dir, 'animals.csv');
  const x = await resolveExport(db, { subject: 'animals', format: 'csv' });
  await writeExport(db, x, createWriteStream(file));
  assert.equal(csv(readFileSync(file, 'utf8')).length, 4);
});

test('a reader that goes away mid-export ends it as cancelled instead of leaving it waiting', async () => {
  for (const format of ['csv', 'xlsx'] as const) {
    const x = await resolveExport(db, { subject: 'readings', format });
    // A stalled reader: it never takes a byte, then its connection closes.
    const out = new Writable({ highWaterMark: 1, write() {} });
    const running = writeExport(db, x, out);
    setTimeout(() => out.destroy(), 100);
    await assert.rejects(running, (err: Error) => err.name === 'AbortError' || /cancelled|destroyed/.test(err.message), format);
  }
});

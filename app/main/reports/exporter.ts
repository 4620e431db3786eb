// Writes an export as CSV or XLSX to a stream, page by page: the whole table is never in memory, the writer
// waits for a slow reader (a browser on the LAN, a USB stick), and progress is reported after every page.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Database } from '../../db/index.ts';
import type { ExportProgress } from '../../shared/reports.ts';
import { SUBJECT_LABELS } from '../../shared/reports.ts';
import type { ResolvedExport } from './export-options.ts';
import { exportSource, type Cell, type Column } from './export-sources.ts';
import { offsetText } from './zoned-time.ts';

export const CSV_MIME = 'text/csv; charset=utf-8';
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/**
 * What an export may add to the office's resident memory, whatever its size: rows are read a page at a time and
 * written as the reader takes them (checked at 1M rows by the tests and at 10M by `npm run bench -- export`).
 */
export const EXPORT_MEMORY_BOUND_MIB = 256;

/** Excel's limit is 1,048,576 rows a sheet, the header included; a longer export continues on the next sheet. */
export const XLSX_ROWS_PER_SHEET = 1_048_575;

export interface ExportOptions {
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
  /** Tests: a smaller sheet size, to see an export continue on a second sheet without a million rows. */
  rowsPerSheet?: number;
}

export interface ExportResult {
  rows: number;
  columns: string[];
  sheets?: number;
}

/**
 * A cell as the CSV shows it. Text that a spreadsheet would run as a formula (=, +, -, @ first; a node can name
 * an unknown animal anything) gets a leading apostrophe, the usual defence against CSV formula injection.
 */
export function csvText(value: Cell, type: Column['type'], clock: ResolvedExport['clock']): string {
  if (value === null || value === undefined) return '';
  switch (type) {
    case 'timestamp':
      return clock.iso(value as number);
    case 'json':
      return JSON.stringify(value);
    case 'bool':
      return value ? 'true' : 'false';
    case 'number':
    case 'int':
      return String(value);
    default: {
      const s = String(value);
      return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    }
  }
}

/**
 * A row's CSV line. Text cells repeat (a tag, a group, a metric on every row of 10 million): each distinct
 * value is escaped once and remembered, per column, which halves the cost of a large export.
 */
export function csvRowFormatter(columns: Column[], clock: ResolvedExport['clock']): (row: Cell[]) => string {
  const cells = columns.map((c) => {
    if (c.type !== 'text') return (v: Cell) => csvQuote(csvText(v, c.type, clock));
    const seen = new Map<string, string>();
    return (v: Cell) => {
      if (v === null || v === undefined) return '';
      let text = seen.get(v as string);
      if (text === undefined) {
        text = csvQuote(csvText(v, 'text', clock));
        if (seen.size > 50_000) seen.clear();
        seen.set(v as string, text);
      }
      return text;
    };
  });
  const n = cells.length;
  return (row) => {
    let line = cells[0]!(row[0]!);
    for (let i = 1; i < n; i++) line += ',' + cells[i]!(row[i]!);
    return line + '\r\n';
  };
}

function csvQuote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(cells: string[]): string {
  return cells.map(csvQuote).join(',') + '\r\n';
}

/** Waits until `out` takes more; a reader that went away (a closed browser tab) ends the export as cancelled. */
async function drained(out: Writable): Promise<void> {
  if (out.destroyed) throw cancelled();
  const ac = new AbortController();
  try {
    await Promise.race([
      once(out, 'drain', { signal: ac.signal }),
      once(out, 'close', { signal: ac.signal }).then(() => {
        throw cancelled();
      }),
    ]);
  } finally {
    ac.abort();
  }
}

async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await drained(out);
}

function cancelled(): Error {
  return Object.assign(new Error('the export was cancelled'), { name: 'AbortError' });
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

/** Writes the export to `out` and ends it. Throws (leaving `out` unended) on a failure or a cancel. */
export async function writeExport(db: Database, x: ResolvedExport, out: Writable, options: ExportOptions = {}): Promise<ExportResult> {
  const source = exportSource(db, x);
  const estimatedRows = await source.estimate();
  options.onProgress?.({ rows: 0, estimatedRows });
  const columns = source.columns;
  if (x.format === 'csv') {
    await write(out, csvLine(columns.map((c) => c.name)));
    const format = csvRowFormatter(columns, x.clock);
    let rows = 0;
    for await (const page of source.pages()) {
      checkAborted(options.signal);
      let text = '';
      for (const row of page) text += format(row);
      await write(out, text);
      rows += page.length;
      options.onProgress?.({ rows, estimatedRows });
    }
    out.end();
    await once(out, 'finish');
    return { rows, columns: columns.map((c) => c.name) };
  }
  return writeXlsx(source, x, out, estimatedRows, options);
}

const numFmt: Partial<Record<Column['type'], string>> = { timestamp: 'yyyy-mm-dd hh:mm:ss', date: 'yyyy-mm-dd' };

/** The XLSX columns: each time stamp is a real date-time on the chosen clock, followed by its UTC offset. */
function xlsxColumns(columns: Column[]): { header: string; width: number; numFmt?: string }[] {
  const result: { header: string; width: number; numFmt?: string }[] = [];
  for (const c of columns) {
    result.push({ header: c.name, width: c.type === 'timestamp' ? 20 : c.type === 'date' ? 12 : Math.max(10, Math.min(40, c.name.length + 4)), numFmt: numFmt[c.type] });
    if (c.type === 'timestamp') result.push({ header: `${c.name}_offset`, width: 10 });
  }
  return result;
}

function xlsxCells(row: Cell[], columns: Column[], clock: ResolvedExport['clock']): unknown[] {
  const cells: unknown[] = [];
  row.forEach((v, i) => {
    const type = columns[i]!.type;
    if (type === 'timestamp') {
      if (v === null) cells.push(null, null);
      else {
        const off = clock.offsetMinutes(v as number);
        // Excel has no time zones: the cell holds the wall-clock time, the next cell its offset.
        cells.push(new Date((v as number) + off * 60_000), offsetText(off));
      }
    } else if (type === 'date') cells.push(v === null ? null : new Date(`${v as string}T00:00:00Z`));
    else if (type === 'json') cells.push(v === null ? null : JSON.stringify(v));
    else cells.push(v);
  });
  return cells;
}

async function writeXlsx(
  source: ReturnType<typeof exportSource>,
  x: ResolvedExport,
  out: Writable,
  estimatedRows: number | null,
  options: ExportOptions,
): Promise<ExportResult> {
  const rowsPerSheet = options.rowsPerSheet ?? XLSX_ROWS_PER_SHEET;
  const finished = once(out, 'finish');
  finished.catch(() => {});
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Yoctosehns';
  const columns = source.columns;
  const layout = xlsxColumns(columns);
  let sheet: ExcelJS.Worksheet | undefined;
  let sheets = 0;
  let inSheet = 0;
  const newSheet = () => {
    sheets++;
    sheet = wb.addWorksheet(sheets === 1 ? x.subject : `${x.subject} (${sheets})`, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = layout.map((c, i) => ({ header: c.header, key: String(i), width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
    inSheet = 0;
  };
  newSheet();
  let rows = 0;
  for await (const page of source.pages()) {
    checkAborted(options.signal);
    for (const row of page) {
      if (inSheet === rowsPerSheet) {
        sheet!.commit();
        newSheet();
      }
      sheet!.addRow(xlsxCells(row, columns, x.clock)).commit();
      inSheet++;
    }
    rows += page.length;
    options.onProgress?.({ rows, estimatedRows });
    // The zip stream does not wait for the reader; this does, so a slow reader never makes the export buffer.
    if (out.writableNeedDrain) await drained(out);
  }
  sheet!.commit();
  const about = wb.addWorksheet('About');
  about.columns = [
    { header: 'field', key: 'k', width: 16 },
    { header: 'value', key: 'v', width: 70 },
  ];
  for (const [k, v] of aboutRows(x, rows)) about.addRow({ k, v }).commit();
  about.commit();
  await wb.commit();
  await finished;
  return { rows, columns: layout.map((c) => c.header), sheets };
}

/** What an export is, for its About sheet and the CLI's summary. */
export function aboutRows(x: ResolvedExport, rows: number): [string, string][] {
  const names = (ids: number[] | null, name: (id: number) => string | undefined) => (ids ? ids.map((id) => name(id) ?? String(id)).join(', ') || '(none)' : 'all');
  return [
    ['export', `${SUBJECT_LABELS[x.subject]}${x.subject === 'readings' ? ` (${x.resolution})` : x.subject === 'rollups' ? ` (${x.level})` : ''}`],
    ['farm', x.farmName],
    ['time zone', x.clock.timeZone === 'UTC' ? 'UTC (time stamps end in Z)' : `${x.clock.timeZone} (each time stamp is followed by its UTC offset)`],
    ['days', `the farm's local days (${x.farmClock.timeZone})`],
    ['from', x.from === null ? 'the first record' : x.clock.iso(x.from)],
    ['to', x.to === null ? 'the last record' : `${x.clock.iso(x.to)} (not included)`],
    ['animals', names(x.animalIds, (id) => x.lookups.animals.get(id)?.tag ?? x.lookups.animals.get(id)?.official_id ?? undefined)],
    ['groups', names(x.groupIds, (id) => x.lookups.groups.get(id)?.name)],
    ['metrics', names(x.metricIds, (id) => x.lookups.metrics.get(id)?.key)],
    ['units', x.units],
    ['rows', String(rows)],
    ['generated', x.clock.iso(Date.now())],
  ];
}

/** The first rows of an export as the CSV shows them, for the Reports page's preview. */
export async function previewExport(db: Database, x: ResolvedExport, limit = 100): Promise<{ columns: string[]; rows: string[][]; estimated_rows: number | null }> {
  const source = exportSource(db, x);
  const rows: string[][] = [];
  for await (const page of source.pages()) {
    for (const row of page) {
      if (rows.length === limit) break;
      rows.push(row.map((v, i) => csvText(v, source.columns[i]!.type, x.clock)));
    }
    if (rows.length >= limit) break;
  }
  return { columns: source.columns.map((c) => c.name), rows, estimated_rows: await source.estimate() };
}

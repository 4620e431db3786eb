// `yoctosehns export …` and `yoctosehns report …`: written to --out FILE, with progress on stderr. Through the
// running office's HTTP route when an office owns the database, otherwise on the database opened here. The file
// appears only when it is complete: it is written beside the target and renamed at the end.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Database } from '../../db/index.ts';
import { requestQuery, type ExportProgress, type ExportRequest, type ReportRequest } from '../../shared/reports.ts';
import { ExportInputError, exportRequestOf, reportRequestOf, resolveExport, resolveReport } from './export-options.ts';
import { writeExport } from './exporter.ts';
import { writeReport } from './report-writer.ts';

export const EXPORT_USAGE = `  export readings|rollups|alerts|animals|nodes|events|quarantined --format csv|xlsx --out FILE
         [--from T] [--to T] [--animals TAG,…] [--groups NAME,…] [--metrics KEY,…]
         [--resolution raw|hourly|daily] [--level groups|pens] [--utc]
                         export a table; times in the farm's time zone with their offset (--utc: in UTC);
                         T is a date (the farm's midnight), a local time 2026-03-01T06:00, or ISO 8601 with offset
  report herd|animal|nodes --format pdf --out FILE [--from T] [--to T] [--animal TAG] [--groups NAME,…] [--utc]
                         a PDF report: herd health summary, one animal, or the nodes' health`;

export interface ParsedExportCommand {
  kind: 'export' | 'report';
  request: ExportRequest | ReportRequest;
  out: string;
}

/** Parses `export …` / `report …`; throws an ExportInputError (a usage mistake) in words. */
export function parseExportCommand(argv: string[]): ParsedExportCommand {
  const [kind, subject, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: false,
      strict: true,
      options: {
        format: { type: 'string' },
        out: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        animals: { type: 'string' },
        animal: { type: 'string' },
        groups: { type: 'string' },
        metrics: { type: 'string' },
        resolution: { type: 'string' },
        level: { type: 'string' },
        utc: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new ExportInputError((err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (!values.out) throw new ExportInputError(`${kind} needs --out FILE`);
  if (kind === 'export') {
    if (values.animal !== undefined) throw new ExportInputError('exports take --animals (a list), not --animal');
    if (!values.format) throw new ExportInputError('export needs --format csv or xlsx');
    return { kind, request: exportRequestOf(subject, values), out: values.out as string };
  }
  for (const flag of ['animals', 'metrics', 'resolution', 'level'] as const) {
    if (values[flag] !== undefined) throw new ExportInputError(`--${flag} applies to exports, not reports`);
  }
  return { kind: 'report', request: reportRequestOf(subject, values), out: values.out as string };
}

/** Progress as one line every second or so: "exporting readings: 1,200,000 of about 10,000,000 rows (12 %)". */
export function progressReporter(label: string, write: (line: string) => void, now: () => number = Date.now): (p: ExportProgress) => void {
  let last = 0;
  return (p) => {
    const t = now();
    if (p.rows !== 0 && t - last < 1000) return;
    last = t;
    const of = p.estimatedRows ? ` of about ${p.estimatedRows.toLocaleString('en-US')}` : '';
    const pct = p.estimatedRows ? ` (${Math.min(99, Math.floor((100 * p.rows) / p.estimatedRows))} %)` : '';
    write(`${label}: ${p.rows.toLocaleString('en-US')}${of} rows${pct}\n`);
  };
}

function partialPath(out: string): string {
  return `${out}.partial`;
}

/** The partial file, open: a missing folder or a read-only one is a clear error before any work is done. */
async function openPartial(out: string): Promise<WriteStream> {
  const file = createWriteStream(partialPath(out), { mode: 0o600 });
  try {
    await once(file, 'open');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new OutputError(`cannot write ${out}: ${why}`);
  }
  return file;
}

/** The output file cannot be written (exit code 1, one line). */
export class OutputError extends Error {
  override name = 'OutputError';
}

async function finish(file: WriteStream, out: string, ok: boolean): Promise<void> {
  if (!file.closed) await new Promise((r) => file.close(() => r(undefined)));
  if (ok) await rename(partialPath(out), out);
  else await rm(partialPath(out), { force: true });
}

/** Runs the command on a database this process holds. Returns the summary line. */
export async function exportToFile(db: Database, cmd: ParsedExportCommand, stderr: (s: string) => void): Promise<string> {
  const out = resolve(cmd.out);
  if (cmd.kind === 'export') {
    const x = await resolveExport(db, cmd.request as ExportRequest);
    const file = await openPartial(out);
    let ok = false;
    try {
      const result = await writeExport(db, x, file, { onProgress: progressReporter(`exporting ${x.subject}`, stderr) });
      ok = true;
      await finish(file, out, true);
      return `wrote ${result.rows.toLocaleString('en-US')} rows to ${out} (${formatBytes((await stat(out)).size)})\n`;
    } finally {
      if (!ok) await finish(file, out, false);
    }
  }
  const r = await resolveReport(db, cmd.request as ReportRequest);
  const file = await openPartial(out);
  let ok = false;
  try {
    const { pages } = await writeReport(db, r, file, (stage) => stderr(`report: ${stage}\n`));
    ok = true;
    await finish(file, out, true);
    return `wrote a ${pages}-page ${r.subject} report to ${out} (${formatBytes((await stat(out)).size)})\n`;
  } finally {
    if (!ok) await finish(file, out, false);
  }
}

/** Runs the command through the office that owns the database: its HTTP route streams the file here. */
export async function exportThroughOffice(apiUrl: string, adminSecret: string, cmd: ParsedExportCommand, stderr: (s: string) => void): Promise<string> {
  const out = resolve(cmd.out);
  const url = `${apiUrl}/office/${cmd.kind}/${cmd.request.subject}?${requestQuery(cmd.request)}`;
  const res = await fetch(url, { headers: { 'x-hasura-admin-secret': adminSecret } });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    if (res.status === 400) throw new ExportInputError(body.error ?? `the office refused the ${cmd.kind}`);
    throw new Error(`the running office answered HTTP ${res.status}: ${body.error ?? res.statusText}`);
  }
  const estimated = Number(res.headers.get('x-estimated-rows') ?? NaN);
  const label = cmd.kind === 'export' ? `exporting ${cmd.request.subject}` : `report ${cmd.request.subject}`;
  // A CSV's rows are counted from its line ends as they arrive (an estimate: a quoted note may hold a line
  // break); other files show the bytes received.
  const csv = cmd.request.format === 'csv';
  const report = progressReporter(label, stderr);
  let bytes = 0;
  let rows = 0;
  let lastBytesLine = 0;
  if (csv) report({ rows: 0, estimatedRows: Number.isFinite(estimated) ? estimated : null });
  const counting = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).map((chunk: Buffer) => {
    bytes += chunk.length;
    if (csv) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      report({ rows: Math.max(0, rows - 1), estimatedRows: Number.isFinite(estimated) ? estimated : null });
    } else if (Date.now() - lastBytesLine >= 1000) {
      lastBytesLine = Date.now();
      stderr(`${label}: ${formatBytes(bytes)} received\n`);
    }
    return chunk;
  });
  const file = await openPartial(out);
  try {
    await pipeline(counting, file);
  } catch (err) {
    await rm(partialPath(out), { force: true });
    throw new Error(`the ${cmd.kind} stopped before its end (${(err as Error).message}); nothing was written to ${out}`);
  }
  // A failure after the first byte ends the response without its last chunk: the body then fails above.
  await rename(partialPath(out), out);
  // (Rows counted from line ends are a progress estimate only: a quoted note may hold a line break.)
  return `wrote ${out} (${formatBytes(bytes)})\n`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

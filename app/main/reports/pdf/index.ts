// PDF reports (issue 7): the herd's health over a period, one animal, and the nodes. Each report reads all it
// needs first (so a bad request fails in words before anything is written), then draws with pdfkit, charts
// rendered by ECharts on the server as SVG.
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Database } from '../../../db/index.ts';
import { loadAnimalReport } from './animal-report.ts';
import { loadContext, ReportInputError, type LoadedReport, type ReportInput } from './context.ts';
import { loadHerdReport } from './herd-report.ts';
import { ReportDocument } from './layout.ts';
import { loadNodesReport } from './nodes-report.ts';

export { ReportInputError, type ReportInput } from './context.ts';

/**
 * Writes the report as a PDF to `out` and resolves with its page count once `out` has taken all of it ('finish';
 * for process.stdout, which a pipe never ends, once the PDF has been handed over). Throws a ReportInputError,
 * before writing anything, for a request that cannot be answered (an unknown animal, an empty period, an unknown
 * time zone). `out` must be consumed while this runs (a file, an HTTP response, a stream being read).
 */
export async function renderReportPdf(
  db: Database,
  input: ReportInput,
  out: NodeJS.WritableStream,
  onProgress?: (stage: string) => void,
): Promise<{ pages: number }> {
  onProgress?.('reading data');
  const ctx = await loadContext(db, input);
  let report: LoadedReport;
  switch (input.subject) {
    case 'herd':
      report = await loadHerdReport(db, ctx);
      break;
    case 'animal':
      report = await loadAnimalReport(db, ctx);
      break;
    case 'nodes':
      report = await loadNodesReport(db, ctx);
      break;
    default:
      throw new ReportInputError(`unknown report subject "${String(input.subject)}": herd, animal or nodes`);
  }
  onProgress?.('drawing');
  const document = new ReportDocument(report.title, `Yoctosehns - ${ctx.farm.name} - ${report.title}`);
  const ended = new Promise<void>((resolve, reject) => {
    document.doc.once('end', resolve);
    document.doc.once('error', reject);
  });
  const std = out === process.stdout || out === process.stderr;
  const written = !std && 'writable' in out && typeof (out as Writable).on === 'function' ? finished(out as Writable) : ended;
  document.doc.pipe(out);
  let pages: number;
  try {
    report.draw(document);
    pages = document.finish();
  } catch (err) {
    // Half a PDF is no PDF: `out` is left to the caller, unended, and told nothing more.
    document.doc.unpipe(out as Writable);
    ended.catch(() => {});
    written.catch(() => {});
    throw err;
  }
  onProgress?.('writing');
  document.doc.end();
  await Promise.all([ended, written]);
  onProgress?.('done');
  return { pages };
}

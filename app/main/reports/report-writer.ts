// A PDF report for a resolved request: the office's one way in to the PDF renderer (app/main/reports/pdf/).
import type { Database } from '../../db/index.ts';
import type { ResolvedReport } from './export-options.ts';
import { renderReportPdf } from './pdf/index.ts';

export const PDF_MIME = 'application/pdf';
const DAY = 86_400_000;

/** The period a report covers when none is given: the last 30 days up to now (herd, nodes, one animal). */
export function reportPeriod(r: ResolvedReport, now = Date.now()): { from: Date; to: Date } {
  const to = r.to ?? now;
  const from = r.from ?? to - 30 * DAY;
  return { from: new Date(from), to: new Date(to) };
}

export async function writeReport(db: Database, r: ResolvedReport, out: NodeJS.WritableStream, onStage?: (stage: string) => void): Promise<{ pages: number }> {
  const { from, to } = reportPeriod(r);
  return renderReportPdf(db, { subject: r.subject, from, to, animalId: r.animalId, groupIds: r.groupIds, timeZone: r.clock.timeZone }, out, onStage);
}

// Exports, reports and their schedules over HTTP, for the Reports page, the CLI (when an office runs) and scripts:
//   GET /office/export/{subject}?format=csv|xlsx&…      the file, streamed (x-estimated-rows tells its size)
//   GET /office/export/{subject}/preview?…             the first 100 rows as JSON
//   GET /office/report/{herd|animal|nodes}?format=pdf&… a PDF
//   GET|POST /office/report-schedules, PUT|DELETE /office/report-schedules/{id}, POST …/{id}/run
// Exports and reports: the owner, a manager and a vet (only her groups' animals). Schedules: owner and manager.
import type http from 'node:http';
import { PassThrough } from 'node:stream';
import type { Database } from '../../db/index.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { ADMIN_ROLE, OWNER_ROLE, type SessionContext } from '../graphql/types.ts';
import type { Logger } from '../log.ts';
import { HttpError, readJsonObject, sendHttpError, sendJson } from '../office/json-route.ts';
import { exportFileName } from '../../shared/reports.ts';
import { ExportInputError, exportRequestOf, reportRequestOf, resolveExport, resolveReport, WHOLE_FARM, type ExportScope } from './export-options.ts';
import { CSV_MIME, previewExport, writeExport, XLSX_MIME } from './exporter.ts';
import { PDF_MIME, reportPeriod, writeReport } from './report-writer.ts';
import { ReportInputError } from './pdf/index.ts';
import { scheduleInputOf, type ReportScheduler } from './scheduler.ts';
import { localDate } from './zoned-time.ts';

export const EXPORT_ROLES: readonly string[] = [ADMIN_ROLE, OWNER_ROLE, 'manager', 'vet'];
export const SCHEDULE_ROLES: readonly string[] = [ADMIN_ROLE, OWNER_ROLE, 'manager'];

export interface ReportRouteOptions {
  db: Database;
  auth: AuthService;
  scheduler: ReportScheduler;
  log: Logger;
}

async function sessionOf(auth: AuthService, req: http.IncomingMessage): Promise<SessionContext> {
  try {
    return await auth.authenticate(req.headers);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') throw err;
    throw new HttpError(code === 'access-denied' ? 403 : 401, code, (err as Error).message);
  }
}

/** A vet with assigned groups exports only those; everyone else allowed to export sees the whole farm. */
export function scopeOf(session: SessionContext): ExportScope {
  if (session.role !== 'vet' || session.session['x-hasura-all-groups'] === '1') return WHOLE_FARM;
  const ids = (session.session['x-hasura-group-ids'] ?? '{}').replace(/[{}\s]/g, '').split(',').filter(Boolean).map(Number);
  return { groupIds: ids.filter(Number.isInteger) };
}

const queryValues = (url: URL): Record<string, string> => Object.fromEntries(url.searchParams);

function attachment(name: string): string {
  return `attachment; filename="${name}"`;
}

/** Handles /office/export, /office/report and /office/report-schedules; false for any other path. */
export async function handleReportRoute(req: http.IncomingMessage, res: http.ServerResponse, url: URL, o: ReportRouteOptions): Promise<boolean> {
  const path = url.pathname;
  const exportMatch = /^\/office\/(export|report)\/([a-z_]+)(\/preview)?$/.exec(path);
  const scheduleMatch = /^\/office\/report-schedules(?:\/(\d+)(\/run)?)?$/.exec(path);
  if (!exportMatch && !scheduleMatch) return false;
  const method = req.method ?? 'GET';
  try {
    const session = await sessionOf(o.auth, req);
    if (exportMatch) {
      if (method !== 'GET') throw new HttpError(405, 'method-not-allowed', 'use GET');
      if (!EXPORT_ROLES.includes(session.role)) throw new HttpError(403, 'access-denied', 'your role may not export data');
      await serveExport(res, url, exportMatch[1] as 'export' | 'report', exportMatch[2]!, !!exportMatch[3], scopeOf(session), o);
      return true;
    }
    if (!SCHEDULE_ROLES.includes(session.role)) throw new HttpError(403, 'access-denied', 'only the owner or a manager may see and change scheduled reports');
    const id = scheduleMatch![1] === undefined ? undefined : Number(scheduleMatch![1]);
    const route = `${method} ${id === undefined ? '' : ':id'}${scheduleMatch![2] ?? ''}`;
    switch (route) {
      case 'GET ':
        sendJson(res, 200, { schedules: await o.scheduler.list() });
        return true;
      case 'POST ':
        sendJson(res, 201, await o.scheduler.save(scheduleInputOf(await readJsonObject(req))));
        return true;
      case 'GET :id': {
        const s = await o.scheduler.get(id!);
        if (!s) throw new HttpError(404, 'not-found', `no schedule ${id}`);
        sendJson(res, 200, s);
        return true;
      }
      case 'PUT :id': {
        const input = scheduleInputOf(await readJsonObject(req));
        if (!(await o.scheduler.get(id!))) throw new HttpError(404, 'not-found', `no schedule ${id}`);
        sendJson(res, 200, await o.scheduler.save(input, id));
        return true;
      }
      case 'DELETE :id':
        if (!(await o.scheduler.remove(id!))) throw new HttpError(404, 'not-found', `no schedule ${id}`);
        sendJson(res, 204, undefined);
        return true;
      case 'POST :id/run':
        await readJsonObject(req);
        if (!(await o.scheduler.get(id!))) throw new HttpError(404, 'not-found', `no schedule ${id}`);
        sendJson(res, 200, await o.scheduler.run(id!));
        return true;
      default:
        throw new HttpError(405, 'method-not-allowed', `no route ${method} ${path}`);
    }
  } catch (err) {
    if (err instanceof ExportInputError || err instanceof ReportInputError) err = new HttpError(400, 'invalid-input', err.message);
    if (res.headersSent) {
      // The file had begun: end the response without its last chunk, so no client takes half a file for all.
      if ((err as Error).name === 'AbortError') o.log.info('an export was cancelled by its reader', { path });
      else o.log.error('an export failed after its first bytes', { path, err: err as Error });
      res.destroy();
      return true;
    }
    if (sendHttpError(res, err)) return true;
    throw err;
  }
}

async function serveExport(
  res: http.ServerResponse,
  url: URL,
  kind: 'export' | 'report',
  subject: string,
  preview: boolean,
  scope: ExportScope,
  o: ReportRouteOptions,
): Promise<void> {
  const values = queryValues(url);
  const abort = new AbortController();
  // A reader that goes away (a closed tab, a cancelled download) stops the export at the next page.
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  if (kind === 'export') {
    const x = await resolveExport(o.db, exportRequestOf(subject, values), scope);
    if (preview) return sendJson(res, 200, await previewExport(o.db, x));
    const name = exportFileName(x.subject, x.format, x.from === null ? undefined : localDate(x.farmClock, x.from), x.to === null ? undefined : localDate(x.farmClock, x.to), new Date());
    let started = false;
    await writeExport(o.db, x, res, {
      signal: abort.signal,
      onProgress: (p) => {
        if (started) return;
        started = true;
        res.writeHead(200, {
          'content-type': x.format === 'csv' ? CSV_MIME : XLSX_MIME,
          'content-disposition': attachment(name),
          'cache-control': 'no-store',
          ...(p.estimatedRows !== null ? { 'x-estimated-rows': String(p.estimatedRows) } : {}),
        });
      },
    });
    return;
  }
  if (preview) throw new HttpError(404, 'not-found', 'reports are previewed as their PDF');
  const r = await resolveReport(o.db, reportRequestOf(subject, values), scope);
  const { from, to } = reportPeriod(r);
  // A report is a few pages: made whole before the first byte, so a failure is still a clear error response.
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await writeReport(o.db, r, sink);
  const pdf = Buffer.concat(chunks);
  res.writeHead(200, {
    'content-type': PDF_MIME,
    'content-length': String(pdf.length),
    'content-disposition': attachment(exportFileName(`${r.subject}-report`, 'pdf', localDate(r.farmClock, from.getTime()), localDate(r.farmClock, to.getTime()), new Date())),
    'cache-control': 'no-store',
  });
  res.end(pdf);
}

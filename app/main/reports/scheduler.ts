// Scheduled reports (issue 7): daily or weekly, at a local hour of the farm, written to a folder the farm chose
// (a USB stick, a network share), keeping the newest `keep` files of each schedule. Each run's outcome is stored
// on its row (last_run_at, last_status, last_error, last_file), so the dashboard shows it and a failure is seen;
// a failure is also logged. A run missed while the office was off happens at the next start.
import { constants as fsConstants, createWriteStream } from 'node:fs';
import { access, readdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Database } from '../../db/index.ts';
import type { Logger } from '../log.ts';
import { EXPORT_FORMATS, EXPORT_SUBJECTS, READING_RESOLUTIONS, REPORT_SUBJECTS, ROLLUP_LEVELS, type ExportRequest, type ReportRequest } from '../../shared/reports.ts';
import { ExportInputError, resolveExport, resolveReport } from './export-options.ts';
import { writeExport } from './exporter.ts';
import { writeReport } from './report-writer.ts';
import { localDate, wallTimeToInstant, zonedFormatter, type ZonedFormatter } from './zoned-time.ts';

export interface ScheduleInput {
  name: string;
  kind: 'report' | 'export';
  subject: string;
  format: string;
  params: { resolution?: string; level?: string; animals?: string[]; groups?: string[]; metrics?: string[]; animal?: string; utc?: boolean };
  frequency: 'daily' | 'weekly';
  weekday: number | null;
  at_hour: number;
  folder: string;
  keep: number;
  enabled: boolean;
}

export interface Schedule extends ScheduleInput {
  id: number;
  created_at: string;
  next_run_at: string | null;
  last_run_at: string | null;
  last_status: 'running' | 'ok' | 'failed' | null;
  last_error: string | null;
  last_file: string | null;
  last_rows: number | null;
}

const COLUMNS =
  'id, name, kind, subject, format, params, frequency, weekday, at_hour, folder, keep, enabled, created_at, next_run_at, last_run_at, last_status, last_error, last_file, last_rows';

function rowToSchedule(r: Record<string, unknown>): Schedule {
  const iso = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));
  return {
    id: Number(r.id),
    name: r.name as string,
    kind: r.kind as Schedule['kind'],
    subject: r.subject as string,
    format: r.format as string,
    params: (r.params ?? {}) as Schedule['params'],
    frequency: r.frequency as Schedule['frequency'],
    weekday: r.weekday === null ? null : Number(r.weekday),
    at_hour: Number(r.at_hour),
    folder: r.folder as string,
    keep: Number(r.keep),
    enabled: r.enabled as boolean,
    created_at: iso(r.created_at)!,
    next_run_at: iso(r.next_run_at),
    last_run_at: iso(r.last_run_at),
    last_status: (r.last_status as Schedule['last_status']) ?? null,
    last_error: (r.last_error as string | null) ?? null,
    last_file: (r.last_file as string | null) ?? null,
    last_rows: r.last_rows === null || r.last_rows === undefined ? null : Number(r.last_rows),
  };
}

const strList = (v: unknown, what: string): string[] | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new ExportInputError(`${what} must be a list of names`);
  return v.length ? (v as string[]) : undefined;
};

/** Checks a schedule from the dashboard, field by field, in words. The folder is checked by `checkFolder`. */
export function scheduleInputOf(body: Record<string, unknown>): ScheduleInput {
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (!name) throw new ExportInputError('the schedule needs a name');
  if (body.kind !== 'report' && body.kind !== 'export') throw new ExportInputError('kind must be report or export');
  const subject = String(body.subject ?? '');
  const format = String(body.format ?? '');
  if (body.kind === 'report') {
    if (!(REPORT_SUBJECTS as readonly string[]).includes(subject)) throw new ExportInputError(`the report must be one of ${REPORT_SUBJECTS.join(', ')}`);
    if (format !== 'pdf') throw new ExportInputError('reports are written as PDF');
  } else {
    if (!(EXPORT_SUBJECTS as readonly string[]).includes(subject)) throw new ExportInputError(`the export must be one of ${EXPORT_SUBJECTS.join(', ')}`);
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ExportInputError('exports are written as csv or xlsx');
  }
  const p = (body.params ?? {}) as Record<string, unknown>;
  if (typeof p !== 'object' || Array.isArray(p)) throw new ExportInputError('params must be an object');
  const params: ScheduleInput['params'] = {};
  if (p.resolution !== undefined && p.resolution !== null) {
    if (!(READING_RESOLUTIONS as readonly unknown[]).includes(p.resolution)) throw new ExportInputError(`resolution must be one of ${READING_RESOLUTIONS.join(', ')}`);
    params.resolution = p.resolution as string;
  }
  if (p.level !== undefined && p.level !== null) {
    if (!(ROLLUP_LEVELS as readonly unknown[]).includes(p.level)) throw new ExportInputError(`level must be one of ${ROLLUP_LEVELS.join(', ')}`);
    params.level = p.level as string;
  }
  for (const k of ['animals', 'groups', 'metrics'] as const) {
    const l = strList(p[k], k);
    if (l) params[k] = l;
  }
  if (typeof p.animal === 'string' && p.animal) params.animal = p.animal;
  if (p.utc === true) params.utc = true;
  if (subject === 'animal' && body.kind === 'report' && !params.animal) throw new ExportInputError('the animal report needs an animal');
  const frequency = body.frequency;
  if (frequency !== 'daily' && frequency !== 'weekly') throw new ExportInputError('frequency must be daily or weekly');
  const weekday = body.weekday === undefined || body.weekday === null ? null : Number(body.weekday);
  if (frequency === 'weekly' && (weekday === null || !Number.isInteger(weekday) || weekday < 1 || weekday > 7)) {
    throw new ExportInputError('a weekly schedule needs a weekday from 1 (Monday) to 7 (Sunday)');
  }
  const atHour = body.at_hour === undefined ? 6 : Number(body.at_hour);
  if (!Number.isInteger(atHour) || atHour < 0 || atHour > 23) throw new ExportInputError('at_hour must be a whole hour from 0 to 23');
  const keep = body.keep === undefined ? 14 : Number(body.keep);
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) throw new ExportInputError('keep must be a whole number of files from 1 to 1000');
  const folder = typeof body.folder === 'string' ? body.folder.trim() : '';
  if (!folder) throw new ExportInputError('the schedule needs a folder');
  if (!isAbsolute(folder)) throw new ExportInputError(`the folder must be a full path (like /media/usb or D:\\Reports), not "${folder}"`);
  return { name, kind: body.kind, subject, format, params, frequency, weekday: frequency === 'weekly' ? weekday : null, at_hour: atHour, folder, keep, enabled: body.enabled !== false };
}

/** The folder must be there and writable by the office (a USB stick that is not plugged in is said so). */
export async function checkFolder(folder: string): Promise<void> {
  let s;
  try {
    s = await stat(folder);
  } catch {
    throw new ExportInputError(`the folder ${folder} does not exist (is the USB stick or network share connected?)`);
  }
  if (!s.isDirectory()) throw new ExportInputError(`${folder} is not a folder`);
  try {
    await access(folder, fsConstants.W_OK);
  } catch {
    throw new ExportInputError(`the office may not write to ${folder}`);
  }
}

/** The next run after `after`: the schedule's local hour on the next day (weekly: the next such weekday). */
export function nextRunAfter(s: Pick<ScheduleInput, 'frequency' | 'weekday' | 'at_hour'>, clock: ZonedFormatter, after: number): number {
  const today = localDate(clock, after);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  for (let i = 0; i <= 8; i++) {
    const day = new Date(Date.UTC(y, m - 1, d + i));
    const isoWeekday = ((day.getUTCDay() + 6) % 7) + 1;
    if (s.frequency === 'weekly' && isoWeekday !== s.weekday) continue;
    const t = wallTimeToInstant(clock, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), s.at_hour);
    if (t > after) return t;
  }
  throw new Error('no next run found');
}

/** The period a run covers: the farm's previous day (daily) or the 7 days before the run's day (weekly). */
export function runPeriod(s: Pick<ScheduleInput, 'frequency'>, clock: ZonedFormatter, runAt: number): { from: string; to: string } {
  const [y, m, d] = localDate(clock, runAt).split('-').map(Number) as [number, number, number];
  const day = (offset: number) => new Date(Date.UTC(y, m - 1, d + offset)).toISOString().slice(0, 10);
  return { from: day(s.frequency === 'daily' ? -1 : -7), to: day(0) };
}

export class ReportScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;
  private recovered = false;
  /** Stops a run in progress when the office stops (it runs again at the next start). */
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly onChange: (table: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks for due schedules every minute (and once at start, for runs missed while the office was off). */
  start(intervalMs = 60_000): void {
    const tick = () => {
      if (this.closed) return;
      this.runDue()
        .catch((err: unknown) => this.log.error('scheduled reports could not be checked', { err: err as Error }))
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, 1000).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.running.catch(() => {});
  }

  private async clock(): Promise<ZonedFormatter> {
    const { rows } = await this.db.query<{ time_zone: string }>('SELECT time_zone FROM farm_settings WHERE id = 1');
    return zonedFormatter(rows[0]?.time_zone ?? 'UTC');
  }

  async list(): Promise<Schedule[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM report_schedules ORDER BY id`);
    return rows.map(rowToSchedule);
  }

  async get(id: number): Promise<Schedule | undefined> {
    const { rows } = await this.db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM report_schedules WHERE id = $1`, [id]);
    return rows[0] ? rowToSchedule(rows[0]) : undefined;
  }

  /** Creates (id undefined) or replaces a schedule; checks its folder and its selection first. */
  async save(input: ScheduleInput, id?: number): Promise<Schedule> {
    await checkFolder(input.folder);
    await this.checkSelection(input);
    const next = input.enabled ? new Date(nextRunAfter(input, await this.clock(), this.now())).toISOString() : null;
    const values = [input.name, input.kind, input.subject, input.format, JSON.stringify(input.params), input.frequency, input.weekday, input.at_hour, input.folder, input.keep, input.enabled, next];
    const { rows } =
      id === undefined
        ? await this.db.query<Record<string, unknown>>(
            `INSERT INTO report_schedules (name, kind, subject, format, params, frequency, weekday, at_hour, folder, keep, enabled, next_run_at)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
            values,
          )
        : await this.db.query<Record<string, unknown>>(
            `UPDATE report_schedules SET name = $1, kind = $2, subject = $3, format = $4, params = $5::jsonb, frequency = $6, weekday = $7,
               at_hour = $8, folder = $9, keep = $10, enabled = $11, next_run_at = $12 WHERE id = $13 RETURNING ${COLUMNS}`,
            [...values, id],
          );
    if (!rows[0]) throw new ExportInputError(`no schedule ${id}`);
    this.onChange('report_schedules');
    return rowToSchedule(rows[0]);
  }

  async remove(id: number): Promise<boolean> {
    const { affectedRows } = await this.db.query('DELETE FROM report_schedules WHERE id = $1', [id]);
    if (affectedRows) this.onChange('report_schedules');
    return affectedRows > 0;
  }

  /** The export or report request a schedule makes for a period. */
  private requestOf(s: ScheduleInput, period: { from: string; to: string }): ExportRequest | ReportRequest {
    const p = s.params;
    if (s.kind === 'report') return { subject: s.subject as ReportRequest['subject'], format: 'pdf', ...period, animal: p.animal, groups: p.groups, utc: p.utc };
    return {
      subject: s.subject as ExportRequest['subject'],
      format: s.format as ExportRequest['format'],
      ...period,
      resolution: p.resolution as ExportRequest['resolution'],
      level: p.level as ExportRequest['level'],
      animals: p.animals,
      groups: p.groups,
      metrics: p.metrics,
      utc: p.utc,
    };
  }

  /** Names that do not resolve (a group renamed) are refused when the schedule is saved, not at 6 in the morning. */
  private async checkSelection(s: ScheduleInput): Promise<void> {
    const req = this.requestOf(s, { from: '2026-01-01', to: '2026-01-02' });
    if (s.kind === 'report') await resolveReport(this.db, req as ReportRequest);
    else await resolveExport(this.db, req as ExportRequest);
  }

  /** Runs every enabled schedule whose time has come, one after another. */
  async runDue(): Promise<void> {
    if (!this.recovered) {
      // A run the office did not live to finish (a crash, a power cut) is a failed run, not one still going.
      this.recovered = true;
      const { affectedRows } = await this.db.query(
        `UPDATE report_schedules SET last_status = 'failed', last_error = 'the office stopped during the run' WHERE last_status = 'running'`,
      );
      if (affectedRows) this.onChange('report_schedules');
    }
    const { rows } = await this.db.query<{ id: number }>(`SELECT id FROM report_schedules WHERE enabled AND next_run_at <= $1::timestamptz ORDER BY next_run_at, id`, [
      new Date(this.now()).toISOString(),
    ]);
    for (const { id } of rows) {
      if (this.closed) return;
      await this.run(id, true);
    }
  }

  /** Runs one schedule now (the dashboard's "Run now", or when due). Resolves with its row after the run. */
  run(id: number, scheduled = false): Promise<Schedule> {
    const next = this.running.then(() => this.runOne(id, scheduled));
    this.running = next.catch(() => {});
    return next;
  }

  private async runOne(id: number, scheduled: boolean): Promise<Schedule> {
    const s = await this.get(id);
    if (!s) throw new ExportInputError(`no schedule ${id}`);
    const clock = await this.clock();
    const startedAt = this.now();
    await this.db.query(`UPDATE report_schedules SET last_status = 'running', last_run_at = $2::timestamptz, last_error = NULL WHERE id = $1`, [id, new Date(startedAt).toISOString()]);
    this.onChange('report_schedules');
    const period = runPeriod(s, clock, startedAt);
    const prefix = `yoctosehns_s${id}_${s.subject}_`;
    const file = join(s.folder, `${prefix}${period.from}_to_${period.to}_${new Date(startedAt).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}.${s.format}`);
    const partial = `${file}.partial`;
    let status: 'ok' | 'failed' = 'ok';
    let error: string | null = null;
    let rowsWritten: number | null = null;
    try {
      await checkFolder(s.folder);
      const out = createWriteStream(partial, { mode: 0o640 });
      const opened = new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
      await opened;
      try {
        const req = this.requestOf(s, period);
        if (s.kind === 'report') {
          await writeReport(this.db, await resolveReport(this.db, req as ReportRequest), out);
        } else {
          rowsWritten = (await writeExport(this.db, await resolveExport(this.db, req as ExportRequest), out, { signal: this.stopping.signal })).rows;
        }
        if (!out.closed) await new Promise((r) => out.close(() => r(undefined)));
        await rename(partial, file);
      } catch (err) {
        out.destroy();
        await rm(partial, { force: true });
        throw err;
      }
      await this.prune(s.folder, prefix, s.format, s.keep);
    } catch (err) {
      status = 'failed';
      error = (err as Error).message;
      if (this.stopping.signal.aborted) error = 'the office stopped during the run; it runs again at the next start';
      this.log.error('a scheduled report failed', { schedule: s.name, id, err: err as Error });
    }
    // The next run follows the schedule from now on (a run missed while the office was off is made up once; one
    // cut short by the office stopping stays due).
    const nextRun = this.stopping.signal.aborted ? s.next_run_at : s.enabled ? new Date(nextRunAfter(s, clock, Math.max(this.now(), scheduled && s.next_run_at ? Date.parse(s.next_run_at) : 0))).toISOString() : null;
    await this.db.query(
      `UPDATE report_schedules SET last_status = $2, last_error = $3, last_file = $4, last_rows = $5, next_run_at = $6::timestamptz WHERE id = $1`,
      [id, status, error, status === 'ok' ? file : s.last_file, rowsWritten, nextRun],
    );
    this.onChange('report_schedules');
    return (await this.get(id))!;
  }

  /** Keeps the newest `keep` files this schedule wrote (its own prefix; nothing else in the folder is touched). */
  private async prune(folder: string, prefix: string, format: string, keep: number): Promise<void> {
    const names = (await readdir(folder)).filter((f) => f.startsWith(prefix) && f.endsWith(`.${format}`));
    const mine = await Promise.all(names.map(async (f) => ({ f, t: (await stat(join(folder, f))).mtimeMs })));
    mine.sort((a, b) => a.t - b.t || a.f.localeCompare(b.f));
    for (const { f } of mine.slice(0, Math.max(0, mine.length - keep))) await rm(join(folder, f), { force: true });
  }
}

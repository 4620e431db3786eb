// The Reports page's rules (issue 7, items 3 and 4), free of React and the DOM so they can be tested in Node:
// the form turned into an export or report request (app/shared/reports.ts), the period presets on the farm's
// calendar, a download's progress in words, the name of a file from its headers, and the schedules in words.
//
// Days are the farm's calendar days ("2026-11-28"): the office reads a date as the farm's local midnight and a
// period as [from, to), so "yesterday" is from yesterday to today, whatever the viewer's own clock says.
import {
  EXPORT_SUBJECTS,
  exportFileName,
  READING_RESOLUTIONS,
  REPORT_SUBJECTS,
  requestQuery,
  ROLLUP_LEVELS,
  SELECTION_APPLIES,
  SUBJECT_LABELS,
  type ExportFormat,
  type ExportRequest,
  type ExportSubject,
  type ReadingResolution,
  type ReportRequest,
  type ReportSubject,
  type RollupLevel,
} from '../../shared/reports.ts';
import { formatAge } from './herd-model.ts';
import { addDays, dayCount, isDay } from './statistics-model.ts';

export { EXPORT_SUBJECTS, REPORT_SUBJECTS, READING_RESOLUTIONS, ROLLUP_LEVELS, SUBJECT_LABELS };

// ---------------------------------------------------------------------------------------------------------
// What the page needs from GraphQL: the farm's clock and the names the selection is made of

export const REPORTS_META_QUERY = /* GraphQL */ `query ReportsMeta {
  farm_settings { time_zone }
  animals(order_by: [{tag: asc_nulls_last}, {id: asc}]) { id tag official_id name }
  groups(order_by: {name: asc}) { id name }
  metrics(order_by: {id: asc}) { id key name unit }
}`;

export interface ReportsMeta {
  farm_settings: { time_zone: string }[];
  animals: { id: number; tag: string | null; official_id: string | null; name: string | null }[];
  groups: { id: number; name: string }[];
  metrics: { id: number; key: string; name: string; unit: string }[];
}

export interface Choice {
  value: string;
  label: string;
}

/** The animals as the office names them in a request (tag, else official ID), labelled as the barn knows them. */
export function animalChoices(animals: ReportsMeta['animals']): Choice[] {
  const out: Choice[] = [];
  for (const a of animals) {
    const value = a.tag ?? a.official_id;
    if (!value) continue;
    const extra = [a.tag && a.official_id ? a.official_id : null, a.name].filter(Boolean).join(', ');
    out.push({ value, label: extra ? `${value} (${extra})` : value });
  }
  return out;
}

export function groupChoices(groups: ReportsMeta['groups']): Choice[] {
  return groups.map((g) => ({ value: g.name, label: g.name }));
}

export function metricChoices(metrics: ReportsMeta['metrics']): Choice[] {
  return metrics.map((m) => ({ value: m.key, label: `${m.name} (${m.unit})` }));
}

// ---------------------------------------------------------------------------------------------------------
// Periods

export type PeriodPreset = 'yesterday' | '7d' | '30d' | 'month' | 'custom';

export const PERIOD_PRESETS: readonly { value: PeriodPreset; label: string }[] = [
  { value: 'yesterday', label: 'Yesterday' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'month', label: 'This month' },
  { value: 'custom', label: 'Custom' },
];

/** A period as the office takes it: farm-local dates, `to` exclusive; `lastDay` is the last day included (for words). */
export interface RequestPeriod {
  from: string;
  to: string;
  lastDay: string;
}

export type RequestPeriodResult = { ok: true; period: RequestPeriod } | { ok: false; error: string };

/**
 * The days a preset means on the farm's calendar, `today` included where the preset reaches it (today so far:
 * the office stops at the newest reading). A custom period is "from … to … (including)", as the inputs show it.
 */
export function resolveRequestPeriod(preset: PeriodPreset, today: string, custom?: { from: string; to: string }): RequestPeriodResult {
  const span = (from: string, lastDay: string): RequestPeriodResult => ({ ok: true, period: { from, to: addDays(lastDay, 1), lastDay } });
  switch (preset) {
    case 'yesterday':
      return span(addDays(today, -1), addDays(today, -1));
    case '7d':
      return span(addDays(today, -6), today);
    case '30d':
      return span(addDays(today, -29), today);
    case 'month':
      return span(`${today.slice(0, 8)}01`, today);
    case 'custom': {
      if (!custom?.from || !custom.to) return { ok: false, error: 'Choose both a start and an end date.' };
      if (!isDay(custom.from) || !isDay(custom.to)) return { ok: false, error: 'A date is not valid; use the calendar or type YYYY-MM-DD.' };
      if (dayCount(custom.from, custom.to) === 0) return { ok: false, error: 'The end date is before the start date.' };
      return span(custom.from, custom.to);
    }
  }
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });

/** "1 Dec 2026" or "25 Nov 2026 to 1 Dec 2026 (7 days)": the period in words, its last day included. */
export function periodWords(period: RequestPeriod): string {
  const f = (d: string) => dayFormat.format(new Date(`${d}T00:00:00Z`));
  const days = dayCount(period.from, period.lastDay);
  return days === 1 ? f(period.from) : `${f(period.from)} to ${f(period.lastDay)} (${days} days)`;
}

// ---------------------------------------------------------------------------------------------------------
// The form and the request it makes

export type Mode = 'export' | 'report';

export interface ReportsForm {
  mode: Mode;
  exportSubject: ExportSubject;
  reportSubject: ReportSubject;
  format: ExportFormat;
  resolution: ReadingResolution;
  level: RollupLevel;
  preset: PeriodPreset;
  custom: { from: string; to: string };
  animals: string[];
  groups: string[];
  metrics: string[];
  /** The animal report's animal (tag or official ID). */
  animal: string;
  utc: boolean;
}

export function initialForm(today: string): ReportsForm {
  return {
    mode: 'export',
    exportSubject: 'readings',
    reportSubject: 'herd',
    format: 'csv',
    resolution: 'hourly',
    level: 'groups',
    preset: '7d',
    custom: { from: addDays(today, -6), to: today },
    animals: [],
    groups: [],
    metrics: [],
    animal: '',
    utc: false,
  };
}

/** Which parts of the form a request uses: the others are disabled, with a word why. */
export interface Applies {
  period: boolean;
  animals: boolean;
  groups: boolean;
  metrics: boolean;
  /** One animal, for the animal report. */
  animal: boolean;
  resolution: boolean;
  level: boolean;
}

const REPORT_APPLIES: Record<ReportSubject, { period: boolean; groups: boolean; animal: boolean }> = {
  herd: { period: true, groups: true, animal: false },
  animal: { period: true, groups: false, animal: true },
  nodes: { period: true, groups: false, animal: false },
};

export function applies(form: Pick<ReportsForm, 'mode' | 'exportSubject' | 'reportSubject'>): Applies {
  if (form.mode === 'report') {
    const r = REPORT_APPLIES[form.reportSubject];
    return { ...r, animals: false, metrics: false, resolution: false, level: false };
  }
  const s = SELECTION_APPLIES[form.exportSubject];
  return { ...s, animal: false, resolution: form.exportSubject === 'readings', level: form.exportSubject === 'rollups' };
}

/** Why a part of the selection is off: "Does not apply to the Animals export." */
export function notApplicableHint(form: Pick<ReportsForm, 'mode' | 'exportSubject' | 'reportSubject'>, part: 'period' | 'animals' | 'groups' | 'metrics'): string | undefined {
  if (applies(form)[part]) return undefined;
  return form.mode === 'report' ? `Does not apply to the ${SUBJECT_LABELS[form.reportSubject].toLowerCase()}.` : `Does not apply to the ${SUBJECT_LABELS[form.exportSubject].toLowerCase()} export.`;
}

export type Request = ({ kind: 'export' } & ExportRequest) | ({ kind: 'report' } & ReportRequest);

export type BuiltRequest = { ok: true; request: Request; period?: RequestPeriod } | { ok: false; problems: Partial<Record<'period' | 'animal', string>> };

/** The request the form makes, with only the parts that apply; or what is missing, in words, by field. */
export function buildRequest(form: ReportsForm, today: string): BuiltRequest {
  const on = applies(form);
  const problems: Partial<Record<'period' | 'animal', string>> = {};
  let period: RequestPeriod | undefined;
  if (on.period) {
    const resolved = resolveRequestPeriod(form.preset, today, form.custom);
    if (resolved.ok) period = resolved.period;
    else problems.period = resolved.error;
  }
  if (on.animal && !form.animal.trim()) problems.animal = 'Choose the animal the report is about.';
  if (problems.period || problems.animal) return { ok: false, problems };

  const common = {
    ...(period ? { from: period.from, to: period.to } : {}),
    ...(on.groups && form.groups.length ? { groups: [...form.groups] } : {}),
    ...(form.utc ? { utc: true } : {}),
  };
  if (form.mode === 'report') {
    const request: Request = { kind: 'report', subject: form.reportSubject, format: 'pdf', ...common, ...(on.animal ? { animal: form.animal.trim() } : {}) };
    return { ok: true, request, ...(period ? { period } : {}) };
  }
  const request: Request = {
    kind: 'export',
    subject: form.exportSubject,
    format: form.format,
    ...(on.resolution ? { resolution: form.resolution } : {}),
    ...(on.level ? { level: form.level } : {}),
    ...common,
    ...(on.animals && form.animals.length ? { animals: [...form.animals] } : {}),
    ...(on.metrics && form.metrics.length ? { metrics: [...form.metrics] } : {}),
  };
  return { ok: true, request, ...(period ? { period } : {}) };
}

/** Where the office makes the file: GET /office/export/{subject} or /office/report/{subject}, with the query string. */
export function requestPath(request: Request): string {
  return `/office/${request.kind}/${request.subject}?${requestQuery(request)}`;
}

/** An export's preview (the first 100 rows as JSON); reports have none (their preview is the PDF itself). */
export function previewPath(request: Request & { kind: 'export' }): string {
  return `/office/export/${request.subject}/preview?${requestQuery(request)}`;
}

/** A request in words, for the preview's heading and the download's line: "Readings (hourly), CSV, 25 Nov … (7 days)". */
export function requestSummary(request: Request, period?: RequestPeriod): string {
  const what =
    request.kind === 'report'
      ? `${SUBJECT_LABELS[request.subject]}${request.animal ? ` for ${request.animal}` : ''}`
      : `${SUBJECT_LABELS[request.subject]}${request.resolution ? ` (${RESOLUTION_LABELS[request.resolution].toLowerCase()})` : ''}${request.level ? ` (${LEVEL_LABELS[request.level].toLowerCase()})` : ''}`;
  return [what, request.format.toUpperCase(), period ? periodWords(period) : undefined].filter(Boolean).join(', ');
}

export const RESOLUTION_LABELS: Record<ReadingResolution, string> = { raw: 'Every reading', hourly: 'Hourly means', daily: 'Daily means' };
export const LEVEL_LABELS: Record<RollupLevel, string> = { groups: 'Herd and groups, daily', pens: 'Pens climate, hourly' };

// ---------------------------------------------------------------------------------------------------------
// The answer: its file name, its errors, its progress

/** The file name in a Content-Disposition header (RFC 6266: filename* wins over filename); undefined when absent. */
export function fileNameFromDisposition(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      return safeFileName(decodeURIComponent(star[2]!.trim().replace(/^"|"$/g, '')));
    } catch {
      // A broken encoding: the plain filename, if any, below.
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return safeFileName(quoted[1]!.replace(/\\(.)/g, '$1'));
  const bare = /filename\s*=\s*([^;\s]+)/i.exec(header);
  return bare ? safeFileName(bare[1]!) : undefined;
}

/** No folders in a suggested name, whatever the header said. */
function safeFileName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop()!.trim();
  return base && base !== '.' && base !== '..' ? base : undefined;
}

/** The name to save under: the office's, else one made the same way the office makes them. */
export function downloadFileName(disposition: string | null | undefined, request: Request, now: Date): string {
  return fileNameFromDisposition(disposition) ?? exportFileName(request.subject, request.format, request.from, request.to, now);
}

/** The office's refusal in words a farmer can act on. `body` is the answer's JSON, if it had any. */
export function officeErrorMessage(status: number, body: unknown): string {
  const b = (body && typeof body === 'object' ? body : {}) as { error?: unknown; code?: unknown };
  const said = typeof b.error === 'string' && b.error.trim() ? b.error.trim() : undefined;
  const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.');
  if (status === 403 || b.code === 'access-denied') return `Your role may not do this${said ? ` (${said})` : ''}.`;
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 404 && !said) return 'The office does not know this kind of report yet: it may need an update.';
  if (said) return sentence(said);
  return `The office answered HTTP ${status}.`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export interface DownloadProgress {
  bytes: number;
  /** Content-Length, when the office knew it in advance (not for a streamed export). */
  totalBytes: number | null;
  /** Rows seen so far: lines of a CSV; null where they cannot be counted (XLSX is compressed, PDF has pages). */
  rows: number | null;
  /** X-Estimated-Rows. */
  estimatedRows: number | null;
  done: boolean;
}

/**
 * How far along a download is, as a fraction (null when nothing says how big it will be). The bytes against a
 * known length are exact; rows against an estimate are not, so that fraction stops short of the end until it is.
 */
export function progressFraction(p: DownloadProgress): number | null {
  if (p.done) return 1;
  if (p.totalBytes && p.totalBytes > 0) return Math.min(1, p.bytes / p.totalBytes);
  if (p.rows !== null && p.estimatedRows && p.estimatedRows > 0) return Math.min(0.99, p.rows / p.estimatedRows);
  return null;
}

/** "12.3 MB received · about 45 % · 12,000 of about 26,000 rows". */
export function progressText(p: DownloadProgress): string {
  if (p.bytes === 0 && !p.done) return 'Waiting for the office to start sending…';
  const parts = [`${formatBytes(p.bytes)}${p.done ? '' : ' received'}`];
  const fraction = progressFraction(p);
  if (!p.done && fraction !== null) parts.push(`${p.totalBytes ? '' : 'about '}${Math.floor(fraction * 100)} %`);
  if (p.rows !== null) parts.push(p.estimatedRows !== null && !p.done ? `${formatCount(p.rows)} of about ${formatCount(p.estimatedRows)} rows` : `${formatCount(p.rows)} rows`);
  else if (p.estimatedRows !== null) parts.push(`about ${formatCount(p.estimatedRows)} rows`);
  return parts.join(' · ');
}

/** A header's number (X-Estimated-Rows, Content-Length); null when absent or not a number. */
export function headerNumber(value: string | null | undefined): number | null {
  if (value == null || !/^\s*\d+\s*$/.test(value)) return null;
  return Number(value);
}

/** Counts the rows of a CSV as it arrives: its line ends, less the header. Quoted line breaks make it an estimate. */
export function csvRowCounter(): { add(chunk: Uint8Array): void; rows(): number } {
  let lines = 0;
  let lastByte = 10;
  return {
    add(chunk) {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      if (chunk.length) lastByte = chunk[chunk.length - 1]!;
    },
    // A last line without a line end is a row too.
    rows: () => Math.max(0, lines + (lastByte === 10 ? 0 : 1) - 1),
  };
}

/**
 * Reads a response's body to the end, reporting each chunk. The body is read with getReader() rather than
 * arrayBuffer() so the page can show progress and a Cancel (the signal aborts the read) on a long export.
 */
export async function readBody(response: Response, onChunk: (chunk: Uint8Array, received: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onChunk(value, received);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Preview

export interface ExportPreview {
  columns: string[];
  rows: (string | number | null)[][];
  estimated_rows: number | null;
}

/** "About 26,000 rows; the first 100 are shown." */
export function previewCaption(preview: ExportPreview): string {
  const shown = preview.rows.length;
  if (shown === 0) return 'Nothing to export for this choice: the file would have only its header row.';
  const total = preview.estimated_rows;
  if (total === null) return `The first ${formatCount(shown)} rows (the office did not estimate the total).`;
  if (total <= shown) return `${formatCount(shown)} ${shown === 1 ? 'row' : 'rows'}; all are shown.`;
  return `About ${formatCount(total)} rows; the first ${formatCount(shown)} are shown.`;
}

// ---------------------------------------------------------------------------------------------------------
// Schedules

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

export interface ScheduleParams {
  resolution?: ReadingResolution;
  level?: RollupLevel;
  animals?: string[];
  groups?: string[];
  metrics?: string[];
  animal?: string;
  utc?: boolean;
}

export interface ScheduleBody {
  name: string;
  kind: Mode;
  subject: ExportSubject | ReportSubject;
  format: ExportFormat | 'pdf';
  params: ScheduleParams;
  frequency: 'daily' | 'weekly';
  weekday?: number | null;
  at_hour: number;
  folder: string;
  keep: number;
  enabled: boolean;
}

export interface Schedule extends ScheduleBody {
  id: number;
  created_at: string;
  next_run_at: string | null;
  last_run_at: string | null;
  last_status: 'running' | 'ok' | 'failed' | null;
  last_error: string | null;
  last_file: string | null;
  last_rows: number | null;
}

const two = (n: number) => String(n).padStart(2, '0');

/** "Weekly on Monday at 06:00, keeps 14 files" (the hour is the farm's). */
export function scheduleSummary(s: Pick<ScheduleBody, 'frequency' | 'weekday' | 'at_hour' | 'keep'>): string {
  const when = s.frequency === 'weekly' ? `Weekly on ${WEEKDAYS[(s.weekday ?? 1) - 1] ?? 'Monday'}` : 'Daily';
  return `${when} at ${two(s.at_hour)}:00, keeps ${s.keep} ${s.keep === 1 ? 'file' : 'files'}`;
}

/** "Readings (hourly means), CSV" — what a schedule writes. */
export function scheduleWhat(s: Pick<ScheduleBody, 'kind' | 'subject' | 'format' | 'params'>): string {
  const label = SUBJECT_LABELS[s.subject] ?? s.subject;
  const detail = s.params.resolution ? RESOLUTION_LABELS[s.params.resolution] : s.params.level ? LEVEL_LABELS[s.params.level] : s.params.animal ? `for ${s.params.animal}` : undefined;
  const detailText = detail ? (detail.startsWith('for ') ? ` ${detail}` : ` (${detail.toLowerCase()})`) : '';
  return `${label}${detailText}, ${s.format.toUpperCase()}`;
}

/** The period a scheduled run covers: the day before it, or the week before it. */
export function schedulePeriodWords(frequency: 'daily' | 'weekly'): string {
  return frequency === 'daily' ? 'Each run covers the day before it.' : 'Each run covers the 7 days before it.';
}

export type RunStatus = { color: 'green' | 'red' | 'blue' | 'gray'; label: string; text: string };

/** The last run in words: "Last run failed 2 h ago: the folder /mnt/usb does not exist". */
export function lastRunStatus(s: Pick<Schedule, 'last_status' | 'last_run_at' | 'last_error' | 'last_file' | 'last_rows'>, now: number): RunStatus {
  const ago = s.last_run_at ? formatAge(s.last_run_at, now) : undefined;
  switch (s.last_status) {
    case 'running':
      return { color: 'blue', label: 'Running', text: `Running since ${ago ?? 'just now'}` };
    case 'failed':
      return { color: 'red', label: 'Failed', text: `Last run failed ${ago ?? ''}: ${s.last_error?.trim() || 'the office gave no reason'}`.replace(' :', ':') };
    case 'ok': {
      const rows = s.last_rows != null ? ` (${formatCount(s.last_rows)} ${s.last_rows === 1 ? 'row' : 'rows'})` : '';
      // The folder is in its own column: the file's name is enough here.
      const file = s.last_file ? s.last_file.split(/[\\/]/).pop() : undefined;
      return { color: 'green', label: 'OK', text: `Last run ${ago ?? ''}${file ? `: ${file}${rows}` : rows}`.replace(/ $/, '') };
    }
    default:
      return { color: 'gray', label: 'Not run yet', text: 'Not run yet' };
  }
}

export interface ScheduleForm {
  name: string;
  kind: Mode;
  exportSubject: ExportSubject;
  reportSubject: ReportSubject;
  format: ExportFormat;
  resolution: ReadingResolution;
  level: RollupLevel;
  animals: string[];
  groups: string[];
  metrics: string[];
  animal: string;
  utc: boolean;
  frequency: 'daily' | 'weekly';
  weekday: number;
  atHour: number;
  folder: string;
  keep: number | string;
  enabled: boolean;
}

export function newScheduleForm(): ScheduleForm {
  return {
    name: '',
    kind: 'report',
    exportSubject: 'readings',
    reportSubject: 'herd',
    format: 'csv',
    resolution: 'hourly',
    level: 'groups',
    animals: [],
    groups: [],
    metrics: [],
    animal: '',
    utc: false,
    frequency: 'daily',
    weekday: 1,
    atHour: 6,
    folder: '',
    keep: 14,
    enabled: true,
  };
}

/** A saved schedule, back in the form to edit it. */
export function scheduleToForm(s: Schedule): ScheduleForm {
  const base = newScheduleForm();
  const isExport = s.kind === 'export';
  return {
    ...base,
    name: s.name,
    kind: s.kind,
    exportSubject: isExport ? (s.subject as ExportSubject) : base.exportSubject,
    reportSubject: isExport ? base.reportSubject : (s.subject as ReportSubject),
    format: isExport && s.format !== 'pdf' ? s.format : base.format,
    resolution: s.params.resolution ?? base.resolution,
    level: s.params.level ?? base.level,
    animals: s.params.animals ?? [],
    groups: s.params.groups ?? [],
    metrics: s.params.metrics ?? [],
    animal: s.params.animal ?? '',
    utc: !!s.params.utc,
    frequency: s.frequency,
    weekday: s.weekday ?? 1,
    atHour: s.at_hour,
    folder: s.folder,
    keep: s.keep,
    enabled: s.enabled,
  };
}

export type ScheduleProblems = Partial<Record<'name' | 'folder' | 'keep' | 'animal', string>>;

/** The body of POST/PUT /office/report-schedules, or what is wrong with the form, by field. */
export function scheduleBody(form: ScheduleForm): { ok: true; body: ScheduleBody } | { ok: false; problems: ScheduleProblems } {
  const problems: ScheduleProblems = {};
  if (!form.name.trim()) problems.name = 'Give the schedule a name, e.g. "Weekly herd report".';
  const folder = form.folder.trim();
  if (!folder) problems.folder = 'Choose the folder the files go to, e.g. /media/usb or \\\\nas\\reports.';
  const keep = typeof form.keep === 'number' ? form.keep : Number(String(form.keep).trim());
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) problems.keep = 'Keep between 1 and 1000 files.';
  const on = applies({ mode: form.kind, exportSubject: form.exportSubject, reportSubject: form.reportSubject });
  if (on.animal && !form.animal.trim()) problems.animal = 'Choose the animal the report is about.';
  if (Object.keys(problems).length) return { ok: false, problems };

  const params: ScheduleParams = {
    ...(on.resolution ? { resolution: form.resolution } : {}),
    ...(on.level ? { level: form.level } : {}),
    ...(on.animals && form.animals.length ? { animals: [...form.animals] } : {}),
    ...(on.groups && form.groups.length ? { groups: [...form.groups] } : {}),
    ...(on.metrics && form.metrics.length ? { metrics: [...form.metrics] } : {}),
    ...(on.animal ? { animal: form.animal.trim() } : {}),
    ...(form.utc ? { utc: true } : {}),
  };
  const isExport = form.kind === 'export';
  return {
    ok: true,
    body: {
      name: form.name.trim(),
      kind: form.kind,
      subject: isExport ? form.exportSubject : form.reportSubject,
      format: isExport ? form.format : 'pdf',
      params,
      frequency: form.frequency,
      ...(form.frequency === 'weekly' ? { weekday: form.weekday } : { weekday: null }),
      at_hour: form.atHour,
      folder,
      keep,
      enabled: form.enabled,
    },
  };
}

/** The roles that may see and change schedules (the office refuses the rest). */
export function managesSchedules(role: string): boolean {
  return role === 'owner' || role === 'manager';
}

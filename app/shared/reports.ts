// Reports and exports (issue 7): what can be exported or reported, and how a request names it. Shared by the
// office (CLI, HTTP routes, scheduler) and the dashboard's Reports page, so both speak the same words.

export const EXPORT_SUBJECTS = ['readings', 'rollups', 'alerts', 'animals', 'nodes', 'events', 'quarantined'] as const;
export type ExportSubject = (typeof EXPORT_SUBJECTS)[number];

export const REPORT_SUBJECTS = ['herd', 'animal', 'nodes'] as const;
export type ReportSubject = (typeof REPORT_SUBJECTS)[number];

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Readings: every reading as stored, or the hourly or daily rollups of each animal and metric. */
export const READING_RESOLUTIONS = ['raw', 'hourly', 'daily'] as const;
export type ReadingResolution = (typeof READING_RESOLUTIONS)[number];

/** Rollups: the herd's and groups' daily figures (box-plot quartiles included), or the pens' hourly climate. */
export const ROLLUP_LEVELS = ['groups', 'pens'] as const;
export type RollupLevel = (typeof ROLLUP_LEVELS)[number];

export const SUBJECT_LABELS: Record<ExportSubject | ReportSubject, string> = {
  readings: 'Readings',
  rollups: 'Herd and group statistics',
  alerts: 'Alerts',
  animals: 'Animals',
  nodes: 'Nodes',
  events: 'Events',
  quarantined: 'Quarantined readings',
  herd: 'Herd health summary',
  animal: 'Animal report',
};

/** Which subjects a selection applies to (the others ignore it, and say so in the UI). */
export const SELECTION_APPLIES: Record<ExportSubject, { period: boolean; animals: boolean; groups: boolean; metrics: boolean }> = {
  readings: { period: true, animals: true, groups: true, metrics: true },
  rollups: { period: true, animals: false, groups: true, metrics: true },
  alerts: { period: true, animals: true, groups: true, metrics: false },
  animals: { period: false, animals: true, groups: true, metrics: false },
  nodes: { period: false, animals: true, groups: true, metrics: false },
  events: { period: true, animals: true, groups: true, metrics: false },
  quarantined: { period: true, animals: false, groups: false, metrics: false },
};

/**
 * An export request, as the CLI's flags, the HTTP route's query string and a schedule's params give it.
 * Animals are named by tag or official ID, groups by name, metrics by key or alias; from/to are instants
 * (ISO 8601 with an offset, or a calendar date meaning the farm's local midnight); the period is [from, to).
 */
export interface ExportRequest {
  subject: ExportSubject;
  format: ExportFormat;
  resolution?: ReadingResolution;
  level?: RollupLevel;
  from?: string;
  to?: string;
  animals?: string[];
  groups?: string[];
  metrics?: string[];
  /** Time stamps in UTC (…Z) instead of the farm's time zone with its offset. */
  utc?: boolean;
}

export interface ReportRequest {
  subject: ReportSubject;
  format: 'pdf';
  from?: string;
  to?: string;
  /** The animal report's animal: tag or official ID. */
  animal?: string;
  groups?: string[];
  utc?: boolean;
}

/** The query string of GET /office/export/{subject} and /office/report/{subject} for a request. */
export function requestQuery(req: ExportRequest | ReportRequest): string {
  const q = new URLSearchParams();
  q.set('format', req.format);
  const r = req as Partial<Omit<ExportRequest, 'format' | 'subject'> & Omit<ReportRequest, 'format' | 'subject'>>;
  if (r.resolution) q.set('resolution', r.resolution);
  if (r.level) q.set('level', r.level);
  if (r.from) q.set('from', r.from);
  if (r.to) q.set('to', r.to);
  if (r.animal) q.set('animal', r.animal);
  for (const key of ['animals', 'groups', 'metrics'] as const) if (r[key]?.length) q.set(key, r[key]!.join(','));
  if (r.utc) q.set('tz', 'utc');
  return q.toString();
}

/** Progress of a running export or report, as routes, the CLI and the scheduler report it. */
export interface ExportProgress {
  rows: number;
  /** An estimate made before the first row (exact for small tables); null when unknown. */
  estimatedRows: number | null;
}

/** A file name for an export or report: subject, period and the time it was made, safe on every file system. */
export function exportFileName(subject: string, format: string, from: string | undefined, to: string | undefined, madeAt: Date): string {
  const part = (s: string | undefined) => (s ? s.slice(0, 10) : '');
  const period = from || to ? `_${part(from) || 'start'}_to_${part(to) || 'now'}` : '';
  const stamp = madeAt.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `yoctosehns_${subject}${period}_${stamp}.${format}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

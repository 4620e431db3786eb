// An export or report request, checked at the boundary: from the CLI's flags, the HTTP route's query string or a
// schedule's params to names resolved against the farm's database. Every mistake is one sentence naming it.
import type { Queryable } from '../../db/index.ts';
import {
  EXPORT_FORMATS,
  EXPORT_SUBJECTS,
  READING_RESOLUTIONS,
  REPORT_SUBJECTS,
  ROLLUP_LEVELS,
  type ExportRequest,
  type ExportSubject,
  type ReportRequest,
  type ReportSubject,
} from '../../shared/reports.ts';
import { parseFarmTime, TimeInputError, zonedFormatter, type ZonedFormatter } from './zoned-time.ts';

export class ExportInputError extends Error {
  override name = 'ExportInputError';
}

/** Which rows a caller may export: everything, or only the animals (and groups) of these groups (a vet's). */
export interface ExportScope {
  groupIds: number[] | null;
}
export const WHOLE_FARM: ExportScope = { groupIds: null };

const oneOf = <T extends string>(values: readonly T[], value: string | undefined, what: string): T => {
  if (value === undefined || !(values as readonly string[]).includes(value)) {
    throw new ExportInputError(`${what} must be one of ${values.join(', ')}${value === undefined ? '' : ` (not "${value}")`}`);
  }
  return value as T;
};

const list = (text: string | undefined | null): string[] | undefined => {
  if (text === undefined || text === null) return undefined;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
};

/** A plain record of option values (CLI flags after parseArgs, or a URL's query) as an export request. */
export function exportRequestOf(subject: string | undefined, values: Record<string, string | boolean | undefined>): ExportRequest {
  const s = oneOf(EXPORT_SUBJECTS, subject, 'the export');
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const req: ExportRequest = { subject: s, format: oneOf(EXPORT_FORMATS, str('format') ?? 'csv', '--format') };
  if (str('resolution') !== undefined) {
    if (s !== 'readings') throw new ExportInputError('--resolution applies to readings only');
    req.resolution = oneOf(READING_RESOLUTIONS, str('resolution'), '--resolution');
  }
  if (str('level') !== undefined) {
    if (s !== 'rollups') throw new ExportInputError('--level applies to rollups only');
    req.level = oneOf(ROLLUP_LEVELS, str('level'), '--level');
  }
  if (str('from')) req.from = str('from');
  if (str('to')) req.to = str('to');
  const animals = list(str('animals'));
  const groups = list(str('groups'));
  const metrics = list(str('metrics'));
  if (animals) req.animals = animals;
  if (groups) req.groups = groups;
  if (metrics) req.metrics = metrics;
  if (values.utc === true || str('tz') === 'utc') req.utc = true;
  else if (str('tz') !== undefined && str('tz') !== 'farm') throw new ExportInputError('tz must be farm or utc');
  return req;
}

export function reportRequestOf(subject: string | undefined, values: Record<string, string | boolean | undefined>): ReportRequest {
  const s = oneOf(REPORT_SUBJECTS, subject, 'the report');
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const format = str('format') ?? 'pdf';
  if (format !== 'pdf') throw new ExportInputError(`reports are written as PDF (--format pdf), not "${format}"`);
  const req: ReportRequest = { subject: s, format: 'pdf' };
  if (str('from')) req.from = str('from');
  if (str('to')) req.to = str('to');
  if (str('animal')) req.animal = str('animal');
  const groups = list(str('groups'));
  if (groups) req.groups = groups;
  if (values.utc === true || str('tz') === 'utc') req.utc = true;
  if (s === 'animal' && !req.animal) throw new ExportInputError('the animal report needs --animal TAG (a tag or official ID)');
  if (s !== 'animal' && req.animal) throw new ExportInputError('--animal applies to the animal report only');
  return req;
}

export interface Lookups {
  animals: Map<number, { tag: string | null; official_id: string | null; name: string | null; group_id: number | null }>;
  groups: Map<number, { name: string; kind: string }>;
  metrics: Map<number, { key: string; unit: string; name: string }>;
  nodes: Map<number, string>;
}

/** The names the exports show instead of ids: small tables, read once per export. */
export async function loadLookups(db: Queryable): Promise<Lookups> {
  const [animals, groups, metrics, nodes] = await Promise.all([
    db.query<{ id: number; tag: string | null; official_id: string | null; name: string | null; group_id: number | null }>(
      'SELECT id, tag, official_id, name, group_id FROM animals',
    ),
    db.query<{ id: number; name: string; kind: string }>('SELECT id, name, kind FROM groups'),
    db.query<{ id: number; key: string; unit: string; name: string }>('SELECT id, key, unit, name FROM metrics'),
    db.query<{ id: number; name: string }>('SELECT id, name FROM nodes'),
  ]);
  return {
    animals: new Map(animals.rows.map((a) => [a.id, a])),
    groups: new Map(groups.rows.map((g) => [g.id, g])),
    metrics: new Map(metrics.rows.map((m) => [m.id, m])),
    nodes: new Map(nodes.rows.map((n) => [n.id, n.name])),
  };
}

export interface ResolvedSelection {
  from: number | null;
  to: number | null;
  /** null: every animal (within the scope). */
  animalIds: number[] | null;
  groupIds: number[] | null;
  metricIds: number[] | null;
  /** The zone time stamps are written in ('UTC' on request). */
  clock: ZonedFormatter;
  /** The farm's own clock (day buckets are the farm's days whatever the output zone). */
  farmClock: ZonedFormatter;
  units: string;
  farmName: string;
  lookups: Lookups;
}

export interface ResolvedExport extends ResolvedSelection {
  subject: ExportSubject;
  format: 'csv' | 'xlsx';
  resolution: 'raw' | 'hourly' | 'daily';
  level: 'groups' | 'pens';
}

export interface ResolvedReport extends ResolvedSelection {
  subject: ReportSubject;
  animalId: number | undefined;
}

/** Finds the animals named by tag or official ID (case and inner spaces as the farmer types them). */
function resolveAnimals(names: string[], lookups: Lookups): number[] {
  const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  const byName = new Map<string, number>();
  for (const [id, a] of lookups.animals) {
    if (a.official_id) byName.set(norm(a.official_id), id);
    if (a.tag) byName.set(norm(a.tag), id);
  }
  const missing = names.filter((n) => !byName.has(norm(n)));
  if (missing.length) throw new ExportInputError(`no animal with tag or official ID ${missing.map((m) => `"${m}"`).join(', ')}`);
  return [...new Set(names.map((n) => byName.get(norm(n))!))];
}

function resolveGroups(names: string[], lookups: Lookups): number[] {
  const byName = new Map([...lookups.groups].map(([id, g]) => [g.name.toLowerCase(), id]));
  const ids: number[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const id = byName.get(n.toLowerCase()) ?? (/^\d+$/.test(n) && lookups.groups.has(Number(n)) ? Number(n) : undefined);
    if (id === undefined) missing.push(n);
    else ids.push(id);
  }
  if (missing.length) throw new ExportInputError(`no group named ${missing.map((m) => `"${m}"`).join(', ')}`);
  return [...new Set(ids)];
}

async function resolveMetrics(db: Queryable, names: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: number; key: string; aliases: string[] }>('SELECT id, key, aliases FROM metrics');
  const ids: number[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const key = n.toLowerCase();
    const m = rows.find((r) => r.key === key || r.aliases.includes(key));
    if (m) ids.push(m.id);
    else missing.push(n);
  }
  if (missing.length) throw new ExportInputError(`no metric ${missing.map((m) => `"${m}"`).join(', ')} (metrics: ${rows.map((r) => r.key).join(', ')})`);
  return [...new Set(ids)];
}

async function resolveSelection(
  db: Queryable,
  req: { from?: string; to?: string; animals?: string[]; groups?: string[]; metrics?: string[]; utc?: boolean },
  scope: ExportScope,
  now: number,
): Promise<ResolvedSelection> {
  const { rows } = await db.query<{ name: string; time_zone: string; units: string }>('SELECT name, time_zone, units FROM farm_settings WHERE id = 1');
  const farm = rows[0] ?? { name: 'My farm', time_zone: 'UTC', units: 'metric' };
  const farmClock = zonedFormatter(farm.time_zone);
  let from: number | null = null;
  let to: number | null = null;
  try {
    if (req.from) from = parseFarmTime(req.from, farmClock, '--from', now);
    if (req.to) to = parseFarmTime(req.to, farmClock, '--to', now);
  } catch (err) {
    if (err instanceof TimeInputError) throw new ExportInputError(err.message);
    throw err;
  }
  if (from !== null && to !== null && from >= to) throw new ExportInputError('--from must be before --to (the period is from ≤ t < to)');
  const lookups = await loadLookups(db);
  let groupIds = req.groups ? resolveGroups(req.groups, lookups) : null;
  if (scope.groupIds) {
    const allowed = new Set(scope.groupIds);
    if (groupIds) {
      const outside = groupIds.filter((g) => !allowed.has(g));
      if (outside.length) throw new ExportInputError(`you may export only your assigned groups (not ${outside.map((g) => `"${lookups.groups.get(g)?.name}"`).join(', ')})`);
    } else groupIds = [...allowed];
  }
  let animalIds = req.animals ? resolveAnimals(req.animals, lookups) : null;
  if (animalIds && scope.groupIds) {
    const allowed = new Set(scope.groupIds);
    const outside = animalIds.filter((id) => !allowed.has(lookups.animals.get(id)?.group_id ?? -1));
    if (outside.length) throw new ExportInputError(`you may export only the animals of your assigned groups`);
  }
  // Groups narrow the animals (an animal named and outside the named groups is simply not selected).
  if (groupIds) {
    const inGroups = new Set(groupIds);
    const members = [...lookups.animals].filter(([, a]) => a.group_id !== null && inGroups.has(a.group_id)).map(([id]) => id);
    animalIds = animalIds ? animalIds.filter((id) => members.includes(id)) : members;
  }
  return {
    from,
    to,
    animalIds,
    groupIds,
    metricIds: req.metrics ? await resolveMetrics(db, req.metrics) : null,
    clock: req.utc ? zonedFormatter('UTC') : farmClock,
    farmClock,
    units: farm.units,
    farmName: farm.name,
    lookups,
  };
}

export async function resolveExport(db: Queryable, req: ExportRequest, scope: ExportScope = WHOLE_FARM, now = Date.now()): Promise<ResolvedExport> {
  const sel = await resolveSelection(db, req, scope, now);
  return { ...sel, subject: req.subject, format: req.format, resolution: req.resolution ?? 'raw', level: req.level ?? 'groups' };
}

export async function resolveReport(db: Queryable, req: ReportRequest, scope: ExportScope = WHOLE_FARM, now = Date.now()): Promise<ResolvedReport> {
  const sel = await resolveSelection(db, { ...req, animals: req.animal ? [req.animal] : undefined }, scope, now);
  let animalId: number | undefined;
  if (req.subject === 'animal') {
    animalId = sel.animalIds?.[0];
    if (animalId === undefined) throw new ExportInputError(`the animal "${req.animal}" is not in the groups you may report on`);
  }
  return { ...sel, subject: req.subject, animalId };
}

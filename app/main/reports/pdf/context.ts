// What every report reads before it draws: the farm's settings, the clocks, the groups in scope, and the title
// block's lines.
import type { Database } from '../../../db/index.ts';
import { clockFor, type Clock } from './format.ts';
import type { ReportDocument } from './layout.ts';

export interface ReportInput {
  subject: 'herd' | 'animal' | 'nodes';
  /** The period [from, to). */
  from: Date;
  to: Date;
  /** Required for 'animal'. */
  animalId?: number;
  /** null: the whole farm; otherwise only these groups' animals and groups are shown (a vet's assigned groups). */
  groupIds: number[] | null;
  /** The IANA zone every time in the PDF is shown in ('UTC' when the user asked for UTC). */
  timeZone: string;
}

/** A report that cannot be made from what was asked (an unknown animal, an empty period): the caller's mistake. */
export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

export interface ReportContext {
  input: ReportInput;
  farm: { name: string; timeZone: string; units: string };
  /** The clock times are shown on (input.timeZone). */
  clock: Clock;
  /** The farm's clock, on which daily rollups' days are local days. */
  farmClock: Clock;
  generatedAt: Date;
  /** The groups the report may show (every group when the whole farm is asked for). */
  groups: { id: number; name: string; kind: string }[];
  /** The first and last of the farm's local days the period touches ('YYYY-MM-DD'). */
  firstDay: string;
  lastDay: string;
}

/** Draws a report once its data is read: reading can fail in words before a byte of PDF is written. */
export interface LoadedReport {
  title: string;
  draw(doc: ReportDocument): void;
}

export async function loadContext(db: Database, input: ReportInput): Promise<ReportContext> {
  if (!(input.from instanceof Date) || Number.isNaN(input.from.getTime()) || !(input.to instanceof Date) || Number.isNaN(input.to.getTime())) {
    throw new ReportInputError('the report period needs a valid start (from) and end (to)');
  }
  if (input.to.getTime() <= input.from.getTime()) {
    throw new ReportInputError(`the report period is empty: it ends (${input.to.toISOString()}) before or when it starts (${input.from.toISOString()})`);
  }
  let clock: Clock;
  try {
    clock = clockFor(input.timeZone);
  } catch (err) {
    throw new ReportInputError(`cannot show the report's times: ${(err as Error).message}`);
  }
  if (input.groupIds !== null && (!Array.isArray(input.groupIds) || input.groupIds.some((g) => !Number.isInteger(g)))) {
    throw new ReportInputError('groupIds must be null (the whole farm) or a list of group ids');
  }
  const { rows: settings } = await db.query<{ name: string; time_zone: string; units: string }>('SELECT name, time_zone, units FROM farm_settings WHERE id = 1');
  const farm = settings[0] ? { name: settings[0].name, timeZone: settings[0].time_zone, units: settings[0].units } : { name: 'My farm', timeZone: 'UTC', units: 'metric' };
  let farmClock: Clock;
  try {
    farmClock = clockFor(farm.timeZone);
  } catch {
    farmClock = clockFor('UTC');
  }
  const { rows: groups } = await db.query<{ id: number; name: string; kind: string }>(
    'SELECT id, name, kind FROM groups WHERE $1::int4[] IS NULL OR id = ANY($1::int4[]) ORDER BY name, id',
    [input.groupIds],
  );
  return {
    input,
    farm,
    clock,
    farmClock,
    generatedAt: new Date(),
    groups,
    firstDay: farmClock.date(input.from),
    lastDay: farmClock.date(input.to.getTime() - 1),
  };
}

/** The title block's lines: farm, period, when it was made, the clock, the groups. */
export function titleLines(ctx: ReportContext, extra: [string, string][] = []): [string, string][] {
  const { clock, input } = ctx;
  const names = [...new Set([clock.zoneName(input.from), clock.zoneName(input.to)])].join(' / ');
  const zone = input.timeZone === 'UTC' ? 'UTC' : `${input.timeZone} (${names})`;
  return [
    ['Farm', ctx.farm.name],
    ['Period', `${clock.dateTime(input.from)} to ${clock.dateTime(input.to)} (end not included)`],
    ...extra,
    ['Groups', input.groupIds === null ? 'Whole farm' : ctx.groups.length ? ctx.groups.map((g) => g.name).join(', ') : 'none of the assigned groups exist'],
    ['Times shown in', zone],
    ['Generated', `${clock.dateTime(ctx.generatedAt)} by Yoctosehns`],
  ];
}

// What each export contains: its columns and its rows, read page by page in key order (keyset paging: each
// page is its own short query, so the ingest writer and the dashboard go on between pages, and no more than a
// page is ever in memory). Ids become the names a farmer knows: tags, official IDs, group, metric, node.
import type { Database, Queryable, Row } from '../../db/index.ts';
import { displayUnit } from '../../shared/units.ts';
import type { ResolvedExport } from './export-options.ts';
import { localDate } from './zoned-time.ts';

export type ColumnType = 'text' | 'number' | 'int' | 'timestamp' | 'date' | 'bool' | 'json';
export interface Column {
  name: string;
  type: ColumnType;
}

/** A row's cells: timestamps as epoch milliseconds, dates as 'YYYY-MM-DD', numbers, text, booleans, JSON values. */
export type Cell = string | number | boolean | null | Record<string, unknown> | unknown[];

export interface ExportSource {
  columns: Column[];
  /** Rows the export will write, estimated before the first (exact for small tables, close for readings). */
  estimate(): Promise<number | null>;
  pages(): AsyncGenerator<Cell[][]>;
}

export const PAGE_SIZE = 5000;

interface Key {
  expr: string;
  type: string;
}

/** Pages of `select … from … where … order by keys`, continuing after the last page's keys. */
async function* keysetPages(
  db: Queryable,
  o: { select: string; from: string; where: string[]; params: unknown[]; keys: Key[]; pageSize?: number },
): AsyncGenerator<Row[]> {
  const pageSize = o.pageSize ?? PAGE_SIZE;
  let cursor: unknown[] | null = null;
  for (;;) {
    const params = [...o.params];
    const where = [...o.where];
    if (cursor) {
      const placeholders = o.keys.map((k, i) => `$${params.length + i + 1}::${k.type}`);
      params.push(...cursor);
      where.push(`(${o.keys.map((k) => k.expr).join(', ')}) > (${placeholders.join(', ')})`);
    }
    // Keys come back as text: a time stamp's microseconds survive the round trip (a Date would drop them).
    const sql =
      `SELECT ${o.select}, ${o.keys.map((k, i) => `${k.expr}::text AS _k${i}`).join(', ')} FROM ${o.from}` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY ${o.keys.map((k) => k.expr).join(', ')} LIMIT ${pageSize}`;
    const { rows } = await db.query<Row>(sql, params);
    if (rows.length) yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    cursor = o.keys.map((_, i) => last[`_k${i}`]);
  }
}

/**
 * The same pages through PGlite's COPY TO (PostgreSQL formats the rows; several times the rate of parsing them
 * into objects), for the one table that runs to millions of rows. Every select expression must print without a
 * comma or quote (numbers, time stamps). COPY takes no bind parameters, so the values go in as settings local
 * to the page's transaction, read back by current_setting(): still never spliced into the SQL text.
 */
async function* copyPages(
  db: Database,
  o: { select: string[]; from: string; where: string[]; params: unknown[]; keys: Key[]; pageSize?: number },
): AsyncGenerator<string[][]> {
  const pageSize = o.pageSize ?? PAGE_SIZE * 4;
  const setting = (n: number | string) => `current_setting('yoctosehns.export_p${n}')`;
  const asSetting = (v: unknown) => (Array.isArray(v) ? `{${v.map((x) => Number(x)).join(',')}}` : String(v));
  let cursor: unknown[] | null = null;
  const width = o.select.length;
  for (;;) {
    const params = [...o.params];
    const where = [...o.where];
    if (cursor) {
      const placeholders = o.keys.map((k, i) => `$${params.length + i + 1}::${k.type}`);
      params.push(...cursor);
      where.push(`(${o.keys.map((k) => k.expr).join(', ')}) > (${placeholders.join(', ')})`);
    }
    const select =
      `SELECT ${[...o.select, ...o.keys.map((k, i) => `${k.expr}::text AS _k${i}`)].join(', ')} FROM ${o.from}` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY ${o.keys.map((k) => k.expr).join(', ')} LIMIT ${pageSize}`;
    const text = await db.transaction(async (tx) => {
      if (params.length) await tx.query(`SELECT ${params.map((_, i) => `set_config('yoctosehns.export_p${i + 1}', $${i + 1}, true)`).join(', ')}`, params.map(asSetting));
      return tx.copyTo!(`COPY (${select.replace(/\$(\d+)/g, (_, n: string) => setting(n))}) TO '/dev/blob' WITH (FORMAT csv)`);
    });
    const rows = text ? text.split('\n') : [];
    if (rows.at(-1) === '') rows.pop();
    const page = rows.map((line) => line.split(','));
    if (page.length) yield page;
    if (page.length < pageSize) return;
    cursor = page[page.length - 1]!.slice(width);
  }
}

/** Whether the fast COPY path is there (PGlite; a PostgreSQL server is read page by page as rows). */
const canCopy = (db: Queryable): db is Database => 'transaction' in db && (db as Database).kind === 'pglite';

/**
 * Epoch milliseconds of a timestamptz as PostgreSQL prints it: 2026-01-01 10:00:00.25+00, or +05:30, or
 * +00:00:00 for the odd historical zone (ISO date style, whatever the session's time zone).
 */
export function pgTimestampMs(text: string): number {
  const m = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(text);
  if (!m) return Date.parse(text);
  const frac = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const off = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac) - off;
}

const ms = (v: unknown): number | null => (v === null || v === undefined ? null : v instanceof Date ? v.getTime() : Date.parse(String(v)));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
/**
 * Readings are stored as 4-byte reals (about 7 significant digits); a mean, a standard deviation or a value in
 * °F carries no more, so it is written with 7 (38.8, not 38.79999923706055).
 */
export const sig7 = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(7)) : v);

/** Conditions and parameters of a selection, with placeholders numbered from 1. */
class Filter {
  readonly where: string[] = [];
  readonly params: unknown[] = [];
  add(sqlWithPlaceholder: (p: string) => string, value: unknown): this {
    this.params.push(value);
    this.where.push(sqlWithPlaceholder(`$${this.params.length}`));
    return this;
  }
}

export function exportSource(db: Database, x: ResolvedExport): ExportSource {
  const { lookups } = x;
  const animal = (id: unknown) => lookups.animals.get(Number(id));
  const groupName = (id: unknown) => (id === null || id === undefined ? null : (lookups.groups.get(Number(id))?.name ?? null));
  const metricCache = new Map<number, { key: string; unit: string; convert: (v: number) => number; scale: number }>();
  const metricOf = (id: unknown) => {
    let cached = metricCache.get(Number(id));
    if (!cached) {
      const m = lookups.metrics.get(Number(id));
      const shown = displayUnit(m?.unit ?? '', x.units);
      // Stored values print as stored (a 4-byte real's shortest form); converted ones keep 7 significant digits.
      const convert = shown.scale === 1 && shown.convert(0) === 0 ? (v: number) => v : (v: number) => sig7(shown.convert(v));
      cached = { key: m?.key ?? String(id), unit: shown.unit, convert, scale: shown.scale };
      metricCache.set(Number(id), cached);
    }
    return cached;
  };
  const animalCache = new Map<number, Cell[]>();
  const animalCells = (id: unknown): Cell[] => {
    let cells = animalCache.get(Number(id));
    if (!cells) {
      const a = animal(id);
      cells = [a?.tag ?? null, a?.official_id ?? null, a?.name ?? null, groupName(a?.group_id)];
      animalCache.set(Number(id), cells);
    }
    return cells;
  };
  const animalColumns: Column[] = [
    { name: 'animal_tag', type: 'text' },
    { name: 'official_id', type: 'text' },
    { name: 'animal_name', type: 'text' },
    { name: 'group', type: 'text' },
  ];
  // Day buckets are the farm's days, whatever zone the time stamps are written in.
  const toDay = x.to !== null ? localDate(x.farmClock, x.to - 1) : null;
  const fromDay = x.from !== null ? localDate(x.farmClock, x.from) : null;

  const seriesFilter = (f: Filter, tsExpr: string | null, dayExpr: string | null) => {
    if (x.animalIds) f.add((p) => `animal_id = ANY(${p}::int[])`, x.animalIds);
    if (x.metricIds) f.add((p) => `metric_id = ANY(${p}::int[])`, x.metricIds);
    if (tsExpr && x.from !== null) f.add((p) => `${tsExpr} >= ${p}::timestamptz`, new Date(x.from!).toISOString());
    if (tsExpr && x.to !== null) f.add((p) => `${tsExpr} < ${p}::timestamptz`, new Date(x.to!).toISOString());
    if (dayExpr && fromDay) f.add((p) => `${dayExpr} >= ${p}::date`, fromDay);
    if (dayExpr && toDay) f.add((p) => `${dayExpr} <= ${p}::date`, toDay);
    return f;
  };
  const count = async (from: string, f: Filter) => num((await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${from}${f.where.length ? ` WHERE ${f.where.join(' AND ')}` : ''}`, f.params)).rows[0]?.n) ?? 0;
  const mapPages = async function* (pages: AsyncGenerator<Row[]>, map: (r: Row) => Cell[]) {
    for await (const page of pages) yield page.map(map);
  };
  const statColumns: Column[] = [
    { name: 'n', type: 'int' },
    { name: 'mean', type: 'number' },
    { name: 'min', type: 'number' },
    { name: 'max', type: 'number' },
    { name: 'stddev', type: 'number' },
  ];
  const statCells = (r: Row, m: ReturnType<typeof metricOf>): Cell[] => {
    const level = (v: unknown) => (v === null || v === undefined ? null : sig7(m.convert(Number(v))));
    return [num(r.n), level(r.mean), level(r.min), level(r.max), r.stddev === null || r.stddev === undefined ? null : sig7(Number(r.stddev) * m.scale)];
  };

  switch (x.subject) {
    case 'readings': {
      if (x.resolution === 'raw') {
        const f = seriesFilter(new Filter(), 'ts', null);
        return {
          columns: [{ name: 'ts', type: 'timestamp' }, ...animalColumns, { name: 'metric', type: 'text' }, { name: 'value', type: 'number' }, { name: 'unit', type: 'text' }, { name: 'node', type: 'text' }],
          // Close and cheap: the daily rollups count the readings of each animal, metric and farm day.
          // Without rollups yet (a database filled behind the office's back), the planner's row count of the
          // whole table is the best cheap guess, and only for an unfiltered export.
          async estimate() {
            const e = seriesFilter(new Filter(), null, 'day');
            const fromRollups = num((await db.query<{ n: unknown }>(`SELECT coalesce(sum(n), 0) AS n FROM readings_daily${e.where.length ? ` WHERE ${e.where.join(' AND ')}` : ''}`, e.params)).rows[0]?.n);
            if (fromRollups || f.where.length) return fromRollups;
            const planner = num((await db.query<{ n: unknown }>(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'readings'::regclass`)).rows[0]?.n);
            return planner !== null && planner > 0 ? planner : fromRollups;
          },
          pages: () => {
            const keys: Key[] = [
              { expr: 'animal_id', type: 'int' },
              { expr: 'metric_id', type: 'smallint' },
              { expr: 'ts', type: 'timestamptz' },
              { expr: 'node_id', type: 'int' },
            ];
            const row = (animalId: unknown, metricId: unknown, t: number | null, nodeId: unknown, value: number): Cell[] => {
              const m = metricOf(metricId);
              return [t, ...animalCells(animalId), m.key, m.convert(value), m.unit, lookups.nodes.get(Number(nodeId)) ?? String(nodeId)];
            };
            if (canCopy(db)) {
              return (async function* () {
                // The time stamp comes once, as its key's text (formatting it twice costs more than parsing it here).
                const select = ['animal_id', 'metric_id', 'node_id', 'value'];
                for await (const page of copyPages(db, { select, from: 'readings', where: f.where, params: f.params, keys })) {
                  yield page.map((c) => row(c[0], c[1], pgTimestampMs(c[6]!), c[2], Number(c[3])));
                }
              })();
            }
            return mapPages(keysetPages(db, { select: 'animal_id, metric_id, ts, node_id, value', from: 'readings', where: f.where, params: f.params, keys }), (r) =>
              row(r.animal_id, r.metric_id, ms(r.ts), r.node_id, Number(r.value)),
            );
          },
        };
      }
      const hourly = x.resolution === 'hourly';
      const f = hourly ? seriesFilter(new Filter(), 'hour', null) : seriesFilter(new Filter(), null, 'day');
      const table = hourly ? 'readings_hourly' : 'readings_daily';
      return {
        columns: [{ name: hourly ? 'hour' : 'day', type: hourly ? 'timestamp' : 'date' }, ...animalColumns, { name: 'metric', type: 'text' }, ...statColumns, { name: 'unit', type: 'text' }],
        estimate: () => count(table, f),
        pages: () =>
          mapPages(
            keysetPages(db, {
              select: `animal_id, metric_id, ${hourly ? 'hour' : 'day::text AS day'}, n, mean, min, max, stddev`,
              from: table,
              where: f.where,
              params: f.params,
              keys: [
                { expr: 'animal_id', type: 'int' },
                { expr: 'metric_id', type: 'smallint' },
                { expr: hourly ? 'hour' : 'day', type: hourly ? 'timestamptz' : 'date' },
              ],
            }),
            (r) => {
              const m = metricOf(r.metric_id);
              return [hourly ? ms(r.hour) : (r.day as string), ...animalCells(r.animal_id), m.key, ...statCells(r, m), m.unit];
            },
          ),
      };
    }
    case 'rollups': {
      if (x.level === 'pens') {
        const f = new Filter();
        if (x.groupIds) f.add((p) => `group_id = ANY(${p}::int[])`, x.groupIds);
        if (x.metricIds) f.add((p) => `metric_id = ANY(${p}::int[])`, x.metricIds);
        if (x.from !== null) f.add((p) => `hour >= ${p}::timestamptz`, new Date(x.from).toISOString());
        if (x.to !== null) f.add((p) => `hour < ${p}::timestamptz`, new Date(x.to).toISOString());
        return {
          columns: [{ name: 'hour', type: 'timestamp' }, { name: 'pen', type: 'text' }, { name: 'metric', type: 'text' }, ...statColumns, { name: 'unit', type: 'text' }],
          estimate: () => count('pen_readings_hourly', f),
          pages: () =>
            mapPages(
              keysetPages(db, {
                select: 'group_id, metric_id, hour, n, mean, min, max, stddev',
                from: 'pen_readings_hourly',
                where: f.where,
                params: f.params,
                keys: [
                  { expr: 'hour', type: 'timestamptz' },
                  { expr: 'group_id', type: 'int' },
                  { expr: 'metric_id', type: 'smallint' },
                ],
              }),
              (r) => {
                const m = metricOf(r.metric_id);
                return [ms(r.hour), groupName(r.group_id), m.key, ...statCells(r, m), m.unit];
              },
            ),
        };
      }
      // The whole herd's days (group_id -1 sorts them first) and each group's, in one ordered stream.
      const f = new Filter();
      if (x.metricIds) f.add((p) => `metric_id = ANY(${p}::int[])`, x.metricIds);
      if (fromDay) f.add((p) => `day >= ${p}::date`, fromDay);
      if (toDay) f.add((p) => `day <= ${p}::date`, toDay);
      if (x.groupIds) f.add((p) => `group_id = ANY(${p}::int[])`, x.groupIds);
      const both =
        `(SELECT -1 AS group_id, metric_id, day, animals, n, mean, min, max, stddev, q1, median, q3 FROM herd_readings_daily${x.groupIds ? ' WHERE false' : ''}` +
        ` UNION ALL SELECT group_id, metric_id, day, animals, n, mean, min, max, stddev, q1, median, q3 FROM group_readings_daily) AS r`;
      return {
        columns: [
          { name: 'day', type: 'date' },
          { name: 'group', type: 'text' },
          { name: 'metric', type: 'text' },
          { name: 'animals', type: 'int' },
          ...statColumns,
          { name: 'q1', type: 'number' },
          { name: 'median', type: 'number' },
          { name: 'q3', type: 'number' },
          { name: 'unit', type: 'text' },
        ],
        estimate: () => count(both, f),
        pages: () =>
          mapPages(
            keysetPages(db, {
              select: 'group_id, metric_id, day::text AS day, animals, n, mean, min, max, stddev, q1, median, q3',
              from: both,
              where: f.where,
              params: f.params,
              keys: [
                { expr: 'day', type: 'date' },
                { expr: 'group_id', type: 'int' },
                { expr: 'metric_id', type: 'smallint' },
              ],
            }),
            (r) => {
              const m = metricOf(r.metric_id);
              const level = (v: unknown) => sig7(m.convert(Number(v)));
              return [r.day as string, Number(r.group_id) === -1 ? 'Whole herd' : groupName(r.group_id), m.key, num(r.animals), ...statCells(r, m), level(r.q1), level(r.median), level(r.q3), m.unit];
            },
          ),
      };
    }
    case 'alerts': {
      const f = new Filter();
      if (x.from !== null) f.add((p) => `raised_at >= ${p}::timestamptz`, new Date(x.from).toISOString());
      if (x.to !== null) f.add((p) => `raised_at < ${p}::timestamptz`, new Date(x.to).toISOString());
      // A selection of animals or groups keeps their alerts and their pens' (group) alerts; node alerts only
      // come with the whole farm.
      if (x.animalIds) {
        f.params.push(x.animalIds, x.groupIds ?? []);
        f.where.push(`(animal_id = ANY($${f.params.length - 1}::int[]) OR group_id = ANY($${f.params.length}::int[]))`);
      }
      return {
        columns: [
          { name: 'id', type: 'int' },
          { name: 'raised_at', type: 'timestamp' },
          { name: 'onset', type: 'timestamp' },
          { name: 'category', type: 'text' },
          { name: 'cause', type: 'text' },
          { name: 'severity', type: 'int' },
          { name: 'status', type: 'text' },
          ...animalColumns,
          { name: 'pen', type: 'text' },
          { name: 'node', type: 'text' },
          { name: 'reason', type: 'text' },
          { name: 'acknowledged_at', type: 'timestamp' },
          { name: 'resolved_at', type: 'timestamp' },
          { name: 'note', type: 'text' },
        ],
        estimate: () => count('alerts', f),
        pages: () =>
          mapPages(
            keysetPages(db, {
              select: 'id, raised_at, onset, category, cause, severity, status, animal_id, group_id, node_id, reason, acknowledged_at, resolved_at, note',
              from: 'alerts',
              where: f.where,
              params: f.params,
              keys: [{ expr: 'id', type: 'int' }],
            }),
            (r) => [
              num(r.id),
              ms(r.raised_at),
              ms(r.onset),
              r.category as string,
              r.cause as string,
              num(r.severity),
              r.status as string,
              ...(r.animal_id === null ? [null, null, null, null] : animalCells(r.animal_id)),
              groupName(r.group_id),
              r.node_id === null ? null : (lookups.nodes.get(Number(r.node_id)) ?? String(r.node_id)),
              r.reason as string,
              ms(r.acknowledged_at),
              ms(r.resolved_at),
              (r.note as string | null) ?? null,
            ],
          ),
      };
    }
    case 'animals': {
      const f = new Filter();
      if (x.animalIds) f.add((p) => `id = ANY(${p}::int[])`, x.animalIds);
      return {
        columns: [
          { name: 'id', type: 'int' },
          { name: 'tag', type: 'text' },
          { name: 'official_id', type: 'text' },
          { name: 'name', type: 'text' },
          { name: 'sex', type: 'text' },
          { name: 'birth_date', type: 'date' },
          { name: 'breed', type: 'text' },
          { name: 'group', type: 'text' },
          { name: 'status', type: 'text' },
          { name: 'unconfirmed', type: 'bool' },
          { name: 'due_date', type: 'date' },
          { name: 'created_at', type: 'timestamp' },
        ],
        estimate: () => count('animals', f),
        pages: () =>
          mapPages(
            keysetPages(db, {
              select: 'id, tag, official_id, name, sex, birth_date::text AS birth_date, breed, group_id, status, unconfirmed, due_date::text AS due_date, created_at',
              from: 'animals',
              where: f.where,
              params: f.params,
              keys: [{ expr: 'id', type: 'int' }],
            }),
            (r) => [
              num(r.id),
              r.tag as string | null,
              r.official_id as string | null,
              r.name as string | null,
              r.sex as string,
              r.birth_date as string | null,
              r.breed as string | null,
              groupName(r.group_id),
              r.status as string,
              r.unconfirmed as boolean,
              r.due_date as string | null,
              ms(r.created_at),
            ],
          ),
      };
    }
    case 'nodes': {
      const f = new Filter();
      if (x.animalIds) {
        f.params.push(x.animalIds, x.groupIds ?? []);
        f.where.push(`(animal_id = ANY($1::int[]) OR group_id = ANY($2::int[]))`);
      }
      return {
        columns: [
          { name: 'id', type: 'int' },
          { name: 'name', type: 'text' },
          { name: 'kind', type: 'text' },
          { name: 'animal_tag', type: 'text' },
          { name: 'pen', type: 'text' },
          { name: 'metric', type: 'text' },
          { name: 'created_at', type: 'timestamp' },
          { name: 'revoked_at', type: 'timestamp' },
          { name: 'last_seen_at', type: 'timestamp' },
          { name: 'last_ip', type: 'text' },
          { name: 'battery_percent', type: 'number' },
          { name: 'battery_volts', type: 'number' },
          { name: 'rssi', type: 'number' },
          { name: 'firmware', type: 'text' },
          { name: 'accepted', type: 'int' },
          { name: 'duplicates', type: 'int' },
          { name: 'quarantined', type: 'int' },
        ],
        estimate: () => count('nodes', f),
        pages: () =>
          mapPages(
            keysetPages(db, {
              // Never the token hash.
              select:
                'id, name, kind, animal_id, group_id, metric_id, created_at, revoked_at, last_seen_at, last_ip, battery_percent, battery_volts, rssi, firmware, accepted_count, duplicate_count, quarantined_count',
              from: 'nodes',
              where: f.where,
              params: f.params,
              keys: [{ expr: 'id', type: 'int' }],
            }),
            (r) => [
              num(r.id),
              r.name as string,
              r.kind as string,
              r.animal_id === null ? null : (animal(r.animal_id)?.tag ?? animal(r.animal_id)?.official_id ?? null),
              groupName(r.group_id),
              r.metric_id === null ? null : (lookups.metrics.get(Number(r.metric_id))?.key ?? null),
              ms(r.created_at),
              ms(r.revoked_at),
              ms(r.last_seen_at),
              r.last_ip as string | null,
              num(r.battery_percent),
              num(r.battery_volts),
              num(r.rssi),
              r.firmware as string | null,
              num(r.accepted_count),
              num(r.duplicate_count),
              num(r.quarantined_count),
            ],
          ),
      };
    }
    case 'events': {
      const f = new Filter();
      if (x.animalIds) f.add((p) => `animal_id = ANY(${p}::int[])`, x.animalIds);
      if (x.from !== null) f.add((p) => `ts >= ${p}::timestamptz`, new Date(x.from).toISOString());
      if (x.to !== null) f.add((p) => `ts < ${p}::timestamptz`, new Date(x.to).toISOString());
      return {
        columns: [{ name: 'id', type: 'int' }, { name: 'ts', type: 'timestamp' }, { name: 'kind', type: 'text' }, ...animalColumns, { name: 'note', type: 'text' }, { name: 'details', type: 'json' }],
        estimate: () => count('events', f),
        pages: () =>
          mapPages(
            keysetPages(db, { select: 'id, ts, kind, animal_id, note, details', from: 'events', where: f.where, params: f.params, keys: [{ expr: 'id', type: 'int' }] }),
            (r) => [num(r.id), ms(r.ts), r.kind as string, ...animalCells(r.animal_id), (r.note as string | null) ?? null, r.details as Record<string, unknown>],
          ),
      };
    }
    case 'quarantined': {
      const f = new Filter();
      if (x.from !== null) f.add((p) => `received_at >= ${p}::timestamptz`, new Date(x.from).toISOString());
      if (x.to !== null) f.add((p) => `received_at < ${p}::timestamptz`, new Date(x.to).toISOString());
      return {
        columns: [
          { name: 'id', type: 'int' },
          { name: 'received_at', type: 'timestamp' },
          { name: 'node', type: 'text' },
          { name: 'route', type: 'text' },
          { name: 'item_index', type: 'int' },
          { name: 'reason', type: 'text' },
          { name: 'item', type: 'json' },
        ],
        estimate: () => count('quarantined_readings', f),
        pages: () =>
          mapPages(
            keysetPages(db, { select: 'id, received_at, node_id, route, item_index, reason, item', from: 'quarantined_readings', where: f.where, params: f.params, keys: [{ expr: 'id', type: 'bigint' }] }),
            (r) => [num(r.id), ms(r.received_at), lookups.nodes.get(Number(r.node_id)) ?? String(r.node_id), r.route as string, num(r.item_index), r.reason as string, r.item as Record<string, unknown>],
          ),
      };
    }
  }
}

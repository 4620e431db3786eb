// Rollups (issue 9): hourly and daily summaries of readings on the farm's clock, kept current as readings
// arrive. The tables and their meaning are in app/db/migrations/0005_rollups.sql; how writes outside the
// ingest path reach them is in 0006_rollup_upkeep.sql.
//
// Every refresh recomputes the marked hours exactly from the raw readings (a primary-key range scan each);
// a day takes the change of its hours (old summary out, new one in; recomputed from its hours when that
// cannot be exact, e.g. its minimum left); a group's and the herd's day are recomputed from the animals'
// days. So duplicates, deletions and back-filled old readings come out right, and the cost follows what
// arrived, never how much is stored.
import type { Database, Queryable } from '../../db/index.ts';
import { Mutex } from '../../db/mutex.ts';
import type { Logger } from '../log.ts';

/** A stored reading, as far as the rollups care: an animal's (animalId) or a pen's (groupId). */
export interface StoredReading {
  animalId: number | null;
  groupId: number | null;
  metricId: number;
  /** Epoch milliseconds. */
  ts: number;
}

export interface RefreshResult {
  /** Hourly buckets (animal and pen) recomputed. */
  hours: number;
  /** Animal days updated. */
  days: number;
  ms: number;
  /** Marked slots not recomputed (a deadline passed) but noted in office.rollup_dirty for a later refresh. */
  noted: number;
  /** The database holds more notes than this refresh took: another refresh is due. */
  moreNotes: boolean;
}

export interface RollupServiceOptions {
  log: Logger;
  /** Told after a refresh or rebuild that may have changed rollup rows (live queries run again). */
  onChanged?: (tables: readonly string[]) => void;
  /** Told after each refresh which series it recomputed and from which data time (the alert rules run on them). */
  onRefreshed?: (scope: RefreshedScope) => void;
  /** Whether nodes are posting right now (the ingest writer's `busy`): scheduled refreshes wait for a pause. */
  busy?: () => boolean;
  /** Marked slots per refresh transaction (MAX_SLOTS_PER_TRANSACTION); tests make it small. */
  slotsPerTransaction?: number;
}

/** What a refresh recomputed: the animals and pens whose hours it touched, from the earliest of them. */
export interface RefreshedScope {
  animalIds: number[];
  groupIds: number[];
  /** Epoch ms of the earliest touched slot. */
  from: number;
}

/** The series a set of marks covers, for onRefreshed. */
function scopeOf(marks: DirtySlots): RefreshedScope | undefined {
  if (marks.empty) return undefined;
  let from = Infinity;
  const ids = (series: Map<number, Set<number>>) => {
    const out = new Set<number>();
    for (const [key, slots] of series) {
      out.add(seriesOf(key).id);
      for (const slot of slots) from = Math.min(from, slot * SLOT_MS);
    }
    return [...out];
  };
  return { animalIds: ids(marks.animals), groupIds: ids(marks.pens), from };
}

export const ROLLUP_TABLES = ['readings_hourly', 'readings_daily', 'group_readings_daily', 'herd_readings_daily', 'pen_readings_hourly'] as const;

/**
 * Marks are kept per UTC quarter hour ("slot"), which needs no time zone: local hours begin on quarter
 * hours in every zone in use, so a slot lies in one local hour (the refresh also looks at the slot's last
 * instant, so a zone where that does not hold is still right, at the price of a second bucket).
 */
const SLOT_MS = 15 * 60_000;
/** A refresh starts this long after the first mark that follows a quiet period… */
const PROMPT_MS = 250;
/** …and at most once per this interval while marks keep arriving… */
const MIN_INTERVAL_MS = 1000;
/** …or per this many times the last refresh's duration: rollups take at most ~20 % of the database's time
 * while a node re-flushes days of readings (the longer gap lets more readings share a bucket's recompute). */
const DUTY_FACTOR = 4;
/**
 * While nodes are posting (RollupServiceOptions.busy), a scheduled refresh waits, for at most MAX_DEFER_MS
 * since the last one: during a burst (nodes re-flushing their buffers) the database acknowledges readings
 * first, and the statistics catch up within a minute, in fewer and larger refreshes.
 */
const BUSY_RECHECK_MS = 250;
const MAX_DEFER_MS = 60_000;
/** Scheduled refreshes recompute the groups' and the herd's days at most this often (flush: always). */
const GROUP_INTERVAL_MS = 10_000;
const REBUILD_ANIMALS_PER_CHUNK = 100;
/**
 * Marked slots per refresh transaction. A node re-flushing a day of a large herd marks over a million; in one
 * transaction they held the one database connection for minutes while the nodes' posts waited (the ingest
 * benchmark's re-flush stalled after its first 60 s). In parts, the nodes' flushes queued meanwhile run
 * between two parts (the database lock is FIFO). While nodes are posting, each part is also followed by a pause
 * DUTY_FACTOR times as long as it took (shorter if the posting stops): back to back, one flush got in between two
 * ~1.7 s parts and the listener took ~2,000 readings/s instead of ~20,000. The statistics finish after the burst.
 */
const MAX_SLOTS_PER_TRANSACTION = 20_000;
const REBUILD_DAYS_PER_CHUNK = 31;
/** Rows per INSERT when marks are noted in office.rollup_dirty (a re-flushed day of a large herd: ~1.7M). */
const NOTES_PER_STATEMENT = 100_000;
/** Days are passed to SQL as days since 1970-01-01 (int4 arrays: no date parsing on either side). */
const EPOCH_DAY = `DATE '1970-01-01'`;

/** The marked slots of each series (an animal's or a pen's metric). */
class DirtySlots {
  readonly animals = new Map<number, Set<number>>();
  readonly pens = new Map<number, Set<number>>();

  get empty(): boolean {
    return this.animals.size === 0 && this.pens.size === 0;
  }

  add(animalId: number | null, groupId: number | null, metricId: number, slot: number): void {
    if (animalId === null && groupId === null) return;
    const [series, id] = animalId !== null ? [this.animals, animalId] : [this.pens, groupId!];
    const key = seriesKey(id, metricId);
    let slots = series.get(key);
    if (!slots) series.set(key, (slots = new Set()));
    slots.add(slot);
  }

  /**
   * The marks in parts of about `maxSlots` slots each, whole series at a time (an animal's metric is never
   * split, so each part recomputes its days from all their hours); the pens go with the first part.
   */
  split(maxSlots: number): DirtySlots[] {
    const parts: DirtySlots[] = [];
    let part = new DirtySlots();
    let n = 0;
    for (const [key, slots] of this.pens) part.pens.set(key, slots);
    for (const [key, slots] of this.animals) {
      if (n > 0 && n + slots.size > maxSlots) {
        parts.push(part);
        part = new DirtySlots();
        n = 0;
      }
      part.animals.set(key, slots);
      n += slots.size;
    }
    parts.push(part);
    return parts;
  }

  merge(other: DirtySlots): void {
    for (const [mine, theirs] of [[this.animals, other.animals], [this.pens, other.pens]] as const) {
      for (const [key, slots] of theirs) {
        const into = mine.get(key);
        if (into) for (const s of slots) into.add(s);
        else mine.set(key, slots);
      }
    }
  }
}

/** One number per (id, metric): ids are int4 and metrics int2, so the key is exact in a double. */
const seriesKey = (id: number, metricId: number) => id * 65536 + (metricId + 32768);
const seriesOf = (key: number) => ({ id: Math.floor(key / 65536), metricId: (key % 65536) - 32768 });

/** The slots as the three parallel arrays the refresh's unnest takes. */
function slotArrays(series: Map<number, Set<number>>): [number[], number[], number[]] {
  const ids: number[] = [];
  const metrics: number[] = [];
  const starts: number[] = [];
  for (const [key, slots] of series) {
    const { id, metricId } = seriesOf(key);
    for (const slot of slots) {
      ids.push(id);
      metrics.push(metricId);
      starts.push(slot * SLOT_MS);
    }
  }
  return [ids, metrics, starts];
}

interface Target {
  raw: 'readings' | 'pen_readings';
  hourly: 'readings_hourly' | 'pen_readings_hourly';
  key: 'animal_id' | 'group_id';
}
const ANIMALS: Target = { raw: 'readings', hourly: 'readings_hourly', key: 'animal_id' };
const PENS: Target = { raw: 'pen_readings', hourly: 'pen_readings_hourly', key: 'group_id' };

const STATS = ['n', 'mean', 'min', 'max', 'stddev'];
const BOX = ['animals', ...STATS, 'q1', 'median', 'q3'];

/** INSERT … ON CONFLICT DO UPDATE that leaves equal rows alone. Names are constants, never input. */
function upsertSql(table: string, keys: string[], values: string[], from: string): string {
  const cols = [...keys, ...values].join(', ');
  return `INSERT INTO ${table} AS t (${cols}) SELECT ${cols} FROM ${from}
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${values.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
      WHERE (${values.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${values.map((c) => `EXCLUDED.${c}`).join(', ')})`;
}

/**
 * Combines summaries (n, mean, min, max, sample stddev) exactly: the n-weighted mean, and the
 * parallel-variance formula Σ((nᵢ−1)sᵢ² + nᵢ(meanᵢ−mean)²) / (n−1), computed around the combined mean (two
 * passes, no cancellation). Per `keys`, or (no keys) into one row, whose n is null when there are no parts.
 * `parts` counts the parts (the animals, for a group or the herd).
 */
function combineSql(source: string, keys = '', extra = ''): string {
  const [select, partition, group] = keys ? [`${keys}, `, `PARTITION BY ${keys}`, `GROUP BY ${keys}`] : ['', '', ''];
  // min(pooled): the same in every row of a partition.
  return `SELECT ${select}count(*)::int AS parts, sum(n)::int AS n, min(pooled) AS mean, min(min) AS min, max(max) AS max,
      CASE WHEN sum(n) > 1 THEN sqrt(sum((n - 1) * coalesce(stddev, 0) ^ 2 + n * (mean - pooled) ^ 2) / (sum(n) - 1)) END AS stddev${extra}
    FROM (SELECT s.*, sum(s.n * s.mean) OVER w / sum(s.n) OVER w AS pooled FROM ${source} s WINDOW w AS (${partition})) p
    ${group}`;
}

/**
 * Recomputes the hourly buckets the slots ($1 ids, $2 metrics, $3 slot starts in ms, $5 slot length) fall in,
 * in zone $4, from the raw readings, and writes those that changed. Leaves `changed`: each changed bucket
 * with its new statistics (n null: no readings left) and its old ones (old_n null: it had no row).
 */
function hourlyCtes(t: Target): string {
  return `WITH keys AS (
      SELECT id, metric_id, ms FROM unnest($1::int4[], $2::int2[], $3::float8[]) AS u(id, metric_id, ms)
    ), slot_hours AS (
      -- The zone arithmetic once per distinct slot (a herd's round is one slot), not once per series.
      SELECT DISTINCT s.ms, office.local_hour(e.t, $4) AS hour
        FROM (SELECT DISTINCT ms FROM keys) s
        CROSS JOIN LATERAL (VALUES (to_timestamp(s.ms / 1000.0)), (to_timestamp((s.ms + $5) / 1000.0) - interval '1 microsecond')) AS e(t)
    ), hours AS (
      -- plain: the UTC offset is the same at both ends, so the hour's readings are exactly [hour, hour + 1 h);
      -- otherwise (a half-hour DST shift, as on Lord Howe Island) each reading's own local hour decides.
      SELECT hour, (hour AT TIME ZONE $4)::date AS day,
             (hour AT TIME ZONE $4) - (hour AT TIME ZONE 'UTC') = (last AT TIME ZONE $4) - (last AT TIME ZONE 'UTC') AS plain
        FROM (SELECT DISTINCT hour, hour + interval '1 hour' - interval '1 microsecond' AS last FROM slot_hours) h
    ), buckets AS (
      SELECT DISTINCT k.id AS ${t.key}, k.metric_id, h.hour, h.day, h.plain FROM keys k JOIN slot_hours s USING (ms) JOIN hours h USING (hour)
    ), fresh AS (
      -- LATERAL: a primary-key range per bucket, whatever the planner guesses about the unnest.
      SELECT b.*, a.n, a.mean, a.min, a.max, a.stddev, o.n AS old_n, o.mean AS old_mean, o.min AS old_min, o.max AS old_max, o.stddev AS old_stddev
        FROM buckets b
        CROSS JOIN LATERAL (
          SELECT nullif(count(*), 0)::int AS n, avg(r.value) AS mean, min(r.value) AS min, max(r.value) AS max, stddev_samp(r.value) AS stddev
            FROM ${t.raw} r
           WHERE r.${t.key} = b.${t.key} AND r.metric_id = b.metric_id AND r.ts >= b.hour AND r.ts < b.hour + interval '1 hour'
             AND (b.plain OR office.local_hour(r.ts, $4) = b.hour)
        ) a
        -- OFFSET 0 keeps this a per-bucket primary-key lookup (pulled up, it becomes a scan of the whole table).
        LEFT JOIN LATERAL (
          SELECT * FROM ${t.hourly} o WHERE o.${t.key} = b.${t.key} AND o.metric_id = b.metric_id AND o.hour = b.hour OFFSET 0
        ) o ON true
    ), changed AS (
      -- A duplicate reading changes nothing: neither this hour nor anything above it is written.
      SELECT * FROM fresh WHERE (n, mean, min, max, stddev) IS DISTINCT FROM (old_n, old_mean, old_min, old_max, old_stddev)
    ), upserted AS (
      INSERT INTO ${t.hourly} AS t (${t.key}, metric_id, hour, ${STATS.join(', ')})
      SELECT ${t.key}, metric_id, hour, ${STATS.join(', ')} FROM changed WHERE n IS NOT NULL
      ON CONFLICT (${t.key}, metric_id, hour) DO UPDATE SET ${STATS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
    ), deleted AS (
      DELETE FROM ${t.hourly} t USING changed c WHERE c.n IS NULL AND t.${t.key} = c.${t.key} AND t.metric_id = c.metric_id AND t.hour = c.hour
    )`;
}

/** The pens' hours; returns the number of buckets. */
const PEN_HOURLY_REFRESH_SQL = `${hourlyCtes(PENS)} SELECT count(*)::int AS buckets FROM buckets`;

/**
 * The animals' hours, and their days updated in place by the change of their hours: the day's old summary,
 * minus each changed hour's old one, plus its new one (sums of squares taken around the day's old mean, so
 * nothing large cancels). That is exact for n, min and max and to rounding for mean and stddev, and costs
 * one row per day instead of a scan of its hours. A day that is new, loses its last reading, or whose min
 * or max may have left with a changed hour is returned (`recompute`) to be recomputed from its hours.
 * Also returns the (metric, day) pairs whose group and herd rows need a refresh.
 */
const ANIMAL_HOURLY_REFRESH_SQL = `${hourlyCtes(ANIMALS)}, sums AS (
    SELECT c.animal_id, c.metric_id, c.day, d.n AS day_n, d.mean AS day_mean, (d.n - 1) * coalesce(d.stddev, 0) ^ 2 AS day_m2,
           d.min AS day_min, d.max AS day_max,
           coalesce(sum(c.n), 0) - coalesce(sum(c.old_n), 0) AS dn,
           coalesce(sum(c.n * (c.mean - d.mean)), 0) - coalesce(sum(c.old_n * (c.old_mean - d.mean)), 0) AS ds,
           coalesce(sum((c.n - 1) * coalesce(c.stddev, 0) ^ 2 + c.n * (c.mean - d.mean) ^ 2), 0)
             - coalesce(sum((c.old_n - 1) * coalesce(c.old_stddev, 0) ^ 2 + c.old_n * (c.old_mean - d.mean) ^ 2), 0) AS dq,
           min(c.min) AS min, max(c.max) AS max,
           coalesce(bool_or(c.old_min = d.min AND (c.n IS NULL OR c.min > c.old_min) OR c.old_max = d.max AND (c.n IS NULL OR c.max < c.old_max)), false)
             AS lost_extreme
      FROM changed c
      LEFT JOIN LATERAL (SELECT * FROM readings_daily d WHERE d.animal_id = c.animal_id AND d.metric_id = c.metric_id AND d.day = c.day OFFSET 0) d ON true
     GROUP BY c.animal_id, c.metric_id, c.day, d.n, d.mean, d.stddev, d.min, d.max
  ), days AS (
    SELECT *, day_n + dn AS n, day_n IS NOT NULL AND day_n + dn > 0 AND NOT lost_extreme AS mergeable FROM sums
  ), merged AS (
    SELECT animal_id, metric_id, day, n, day_mean + ds / n AS mean, least(day_min, min) AS min, greatest(day_max, max) AS max,
           CASE WHEN n > 1 THEN sqrt(greatest(day_m2 + dq - ds ^ 2 / n, 0) / (n - 1)) END AS stddev
      FROM days WHERE mergeable
  ), updated AS (
    -- An upsert (of rows that exist) rather than UPDATE … FROM: each row found through the primary key.
    ${upsertSql('readings_daily', ['animal_id', 'metric_id', 'day'], STATS, 'merged')}
  ), recompute AS (
    SELECT animal_id, metric_id, day - ${EPOCH_DAY} AS day FROM days WHERE NOT mergeable
  ), pairs AS (
    SELECT DISTINCT metric_id, day - ${EPOCH_DAY} AS day FROM days
  )
  SELECT (SELECT count(*)::int FROM buckets) AS buckets, (SELECT count(*)::int FROM days) AS days,
         (SELECT array_agg(animal_id) FROM recompute) AS recompute_animals, (SELECT array_agg(metric_id) FROM recompute) AS recompute_metrics,
         (SELECT array_agg(day) FROM recompute) AS recompute_days,
         (SELECT array_agg(metric_id) FROM pairs) AS pair_metrics, (SELECT array_agg(day) FROM pairs) AS pair_days`;

/** Recomputes the animals' days ($1 animals, $2 metrics, $3 days) in zone $4 from their hours. */
const DAILY_RECOMPUTE_SQL = `WITH days AS (
    SELECT DISTINCT animal_id, metric_id, ${EPOCH_DAY} + dn AS day FROM unnest($1::int4[], $2::int2[], $3::int4[]) AS u(animal_id, metric_id, dn)
  ), fresh AS (
    SELECT d.animal_id, d.metric_id, d.day, c.* FROM days d CROSS JOIN LATERAL (${combineSql(`(
      SELECT h.n, h.mean, h.min, h.max, h.stddev FROM readings_hourly h
       WHERE h.animal_id = d.animal_id AND h.metric_id = d.metric_id
         -- the day's local midnights, widened by an hour for zones whose clocks change at midnight
         AND h.hour >= (d.day::timestamp AT TIME ZONE $4) - interval '1 hour'
         AND h.hour < ((d.day + 1)::timestamp AT TIME ZONE $4) + interval '1 hour'
         AND (h.hour AT TIME ZONE $4)::date = d.day)`)}) c
  ), upserted AS (
    ${upsertSql('readings_daily', ['animal_id', 'metric_id', 'day'], STATS, 'fresh WHERE n IS NOT NULL')}
  )
  DELETE FROM readings_daily r USING fresh f WHERE f.n IS NULL AND r.animal_id = f.animal_id AND r.metric_id = f.metric_id AND r.day = f.day`;

/** The quartiles of the animals' daily means, with one sort. */
const QUARTILES = `, percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY mean) AS q`;

/**
 * Recomputes the groups' and the herd's days for the (metric, day) pairs ($1 metrics, $2 days) from the
 * animals' days, each animal counted in its current group. Groups left without readings lose their row.
 */
const GROUP_REFRESH_SQL = `WITH md AS (
    SELECT DISTINCT metric_id, ${EPOCH_DAY} + dn AS day FROM unnest($1::int2[], $2::int4[]) AS u(metric_id, dn)
  ), members AS (
    SELECT a.group_id, d.metric_id, d.day, d.n, d.mean, d.min, d.max, d.stddev
      FROM md JOIN readings_daily d ON d.day = md.day AND d.metric_id = md.metric_id JOIN animals a ON a.id = d.animal_id
  ), in_groups AS (
    SELECT g.*, g.parts AS animals, q[1] AS q1, q[2] AS median, q[3] AS q3
      FROM (${combineSql('(SELECT * FROM members WHERE group_id IS NOT NULL)', 'group_id, metric_id, day', QUARTILES)}) g
  ), herd AS (
    SELECT h.*, h.parts AS animals, q[1] AS q1, q[2] AS median, q[3] AS q3 FROM (${combineSql('members', 'metric_id, day', QUARTILES)}) h
  ), groups_upserted AS (
    ${upsertSql('group_readings_daily', ['group_id', 'metric_id', 'day'], BOX, 'in_groups')}
  ), groups_deleted AS (
    DELETE FROM group_readings_daily g USING md
     WHERE g.metric_id = md.metric_id AND g.day = md.day
       AND NOT EXISTS (SELECT 1 FROM in_groups f WHERE f.group_id = g.group_id AND f.metric_id = g.metric_id AND f.day = g.day)
  ), herd_upserted AS (
    ${upsertSql('herd_readings_daily', ['metric_id', 'day'], BOX, 'herd')}
  ), herd_deleted AS (
    DELETE FROM herd_readings_daily h USING md
     WHERE h.metric_id = md.metric_id AND h.day = md.day AND NOT EXISTS (SELECT 1 FROM herd f WHERE f.metric_id = h.metric_id AND f.day = h.day)
  )
  SELECT count(*)::int AS pairs FROM md`;

/** Rebuilds the hours and days of the animals with ids in [$1, $2] in zone $3 (the pens': groups in [$1, $2]). */
function rebuildHourlySql(t: Target): string {
  return `INSERT INTO ${t.hourly} (${t.key}, metric_id, hour, n, mean, min, max, stddev)
    SELECT ${t.key}, metric_id, office.local_hour(ts, $3), count(*), avg(value), min(value), max(value), stddev_samp(value)
      FROM ${t.raw} WHERE ${t.key} BETWEEN $1 AND $2 GROUP BY 1, 2, 3`;
}
const REBUILD_DAILY_SQL = `INSERT INTO readings_daily (animal_id, metric_id, day, n, mean, min, max, stddev)
  SELECT animal_id, metric_id, day, n, mean, min, max, stddev FROM (${combineSql(
    '(SELECT h.*, (h.hour AT TIME ZONE $3)::date AS day FROM readings_hourly h WHERE h.animal_id BETWEEN $1 AND $2)',
    'animal_id, metric_id, day',
  )}) c`;

interface Zone {
  /** farm_settings.time_zone. */
  farm: string;
  /** The zone the stored rollups follow (null before the first build). */
  built: string | null;
}

/**
 * Keeps the rollup tables current. The ingest writer reports what it stored (markDirty, on the hot path:
 * memory only); other writes note themselves through triggers. Refreshes run one at a time, throttled
 * (schedule), or now (flush: before a checkpoint drops the journal that backs the marks, in tests; with a
 * deadline at stop and start, noting in the database what it has no time for). A time-zone change moves every
 * bucket, so it rebuilds everything.
 */
export class RollupService {
  #pending = new DirtySlots();
  #zone: Zone | undefined;
  #serial = new Mutex();
  #timer: NodeJS.Timeout | undefined;
  #groupsTimer: NodeJS.Timeout | undefined;
  #lastStart = -Infinity;
  #lastMs = 0;
  #lastGroups = -Infinity;
  #closed = false;
  /** A flush with a deadline (a stop) also ends a refresh already running by then: see flush(). */
  #noteBy = Infinity;
  /** Pauses a refresh made between its parts for the nodes' posts. */
  readonly stats = { pauses: 0 };

  constructor(
    private readonly db: Database,
    private readonly opts: RollupServiceOptions,
  ) {}

  /** Notes the buckets the rows fall in; no database work (the ingest writer calls it for every flush). */
  markDirty(rows: Iterable<StoredReading>): void {
    const pending = this.#pending;
    for (const r of rows) pending.add(r.animalId, r.groupId, r.metricId, Math.floor(r.ts / SLOT_MS));
  }

  /**
   * A database without readings and without rollups has its (empty) rollups built in any zone: it takes the
   * farm's at once. Called at start, before nodes may post: otherwise a new office's first refresh rebuilt
   * (rollup_state starts NULL) while the first readings poured in, reading them all again chunk by chunk
   * (9 s of the database's first 34 s in the ingest benchmark). A database with readings keeps its rebuild.
   */
  async adoptZoneIfEmpty(): Promise<boolean> {
    const empty = [...ROLLUP_TABLES, 'readings', 'pen_readings'].map((t) => `NOT EXISTS (SELECT 1 FROM ${t})`).join(' AND ');
    const { affectedRows } = await this.db.query(
      `UPDATE office.rollup_state s SET time_zone = f.time_zone FROM farm_settings f WHERE s.time_zone IS DISTINCT FROM f.time_zone AND ${empty}`,
    );
    if (affectedRows) this.#zone = undefined;
    return affectedRows > 0;
  }

  /** The farm's time zone may have changed: the next refresh reads it again (and rebuilds if it did). */
  invalidateTimeZone(): void {
    this.#zone = undefined;
  }

  /**
   * Asks for a refresh soon: PROMPT_MS after a quiet period; under load at most once per MIN_INTERVAL_MS and
   * DUTY_FACTOR × the last refresh's duration, and while readings keep arriving not before they pause (or
   * MAX_DEFER_MS has passed). Such refreshes leave the groups' and the herd's days for one at most every
   * GROUP_INTERVAL_MS.
   */
  schedule(): void {
    this.#arm(Math.max(PROMPT_MS, this.#lastStart + Math.max(MIN_INTERVAL_MS, DUTY_FACTOR * this.#lastMs) - performance.now()));
  }

  #arm(delay: number): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = performance.now();
      if (this.opts.busy?.() && now - this.#lastStart < MAX_DEFER_MS) return this.#arm(BUSY_RECHECK_MS);
      this.refresh({ groups: 'due' }).catch((err: unknown) => this.opts.log.error('rollup refresh failed; the marked buckets are kept for the next one', { err: err as Error }));
    }, delay);
    this.#timer.unref();
  }

  /** Days whose groups' and herd's rows were left waiting get them when GROUP_INTERVAL_MS has passed. */
  #scheduleGroups(): void {
    if (this.#closed || this.#groupsTimer) return;
    this.#groupsTimer = setTimeout(() => {
      this.#groupsTimer = undefined;
      this.refresh().catch((err: unknown) => this.opts.log.error('rollup refresh of the groups and the herd failed; it is tried again with the next', { err: err as Error }));
    }, Math.max(PROMPT_MS, this.#lastGroups + GROUP_INTERVAL_MS - performance.now()));
    this.#groupsTimer.unref();
  }

  /**
   * Refreshes now and waits for it (and for a refresh already running): every mark and every note in the
   * database. With `withinMs`, what is left when that time has passed is noted in office.rollup_dirty instead,
   * for a later refresh (after a restart, the first): durable with the next checkpoint, as the triggers' notes
   * are, so the journal that backed the marks may then go. The office's stop and start do this: a re-flushed
   * day of a 2,500-cow farm took 80–320 s of statistics, which a stop or start waited for.
   */
  async flush(options: { withinMs?: number } = {}): Promise<RefreshResult> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearTimeout(this.#groupsTimer);
    this.#groupsTimer = undefined;
    const deadline = options.withinMs === undefined ? undefined : performance.now() + options.withinMs;
    // A refresh already running (the backlog's, started when the posts paused) keeps to the deadline too.
    if (deadline !== undefined) this.#noteBy = Math.min(this.#noteBy, deadline);
    const total: RefreshResult = { hours: 0, days: 0, ms: 0, noted: 0, moreNotes: false };
    try {
      for (;;) {
        const r = await this.#serial.run(() => this.#refresh(true, deadline));
        total.hours += r.hours;
        total.days += r.days;
        total.ms += r.ms;
        total.noted += r.noted;
        total.moreNotes = r.moreNotes;
        // Past the deadline, this flush's or a stop's (finishBy), refreshes only note: another round would too.
        if (!r.moreNotes || performance.now() >= Math.min(deadline ?? Infinity, this.#noteBy)) return total;
      }
    } finally {
      if (this.#noteBy === deadline) this.#noteBy = Infinity;
    }
  }

  /**
   * From `ms` from now on, refreshes (one running now, and later ones) note what they have left in the database
   * instead of recomputing it: the office calls this first when it stops.
   */
  finishBy(ms: number): void {
    this.#noteBy = Math.min(this.#noteBy, performance.now() + ms);
  }

  /** Refuses to schedule more; what is pending is noted in the database for the next start (no recompute). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush({ withinMs: 0 });
  }

  /**
   * Recomputes every marked bucket and what lies above it, in transactions of at most
   * MAX_SLOTS_PER_TRANSACTION marked slots (one for the usual few). With `groups: 'due'` the
   * groups' and the herd's days wait (noted in the database) unless GROUP_INTERVAL_MS has passed.
   */
  async refresh(options: { groups: 'now' | 'due' } = { groups: 'now' }): Promise<RefreshResult> {
    const r = await this.#serial.run(() => this.#refresh(options.groups === 'now' || performance.now() - this.#lastGroups >= GROUP_INTERVAL_MS));
    // Ended by a deadline before the notes were all taken: the next refresh takes the rest, unless the deadline
    // was a flush's (a stop, or a start that leaves them for the refresh it schedules itself).
    if (r.moreNotes && this.#noteBy === Infinity) this.schedule();
    return r;
  }

  /** Rebuilds every rollup from the readings, in chunks (one transaction each): for a time-zone change. */
  rebuildAll(onProgress?: (done: number, total: number) => void): Promise<void> {
    return this.#serial.run(async () => {
      this.#zone = undefined;
      await this.#rebuild((await this.#readZone()).farm, onProgress);
    });
  }

  async #readZone(): Promise<Zone> {
    if (this.#zone) return this.#zone;
    const { rows } = await this.db.query<Zone>('SELECT f.time_zone AS farm, s.time_zone AS built FROM farm_settings f, office.rollup_state s');
    if (!rows[0]) throw new Error('farm_settings or office.rollup_state has no row: the database is not migrated');
    return (this.#zone = rows[0]);
  }

  async #refresh(groups: boolean, deadline?: number): Promise<RefreshResult> {
    const started = performance.now();
    this.#lastStart = started;
    const zone = await this.#readZone();
    if (zone.built !== zone.farm) await this.#rebuild(zone.farm);
    // Marks that arrive from here on belong to the next refresh.
    const slotsPerPart = this.opts.slotsPerTransaction ?? MAX_SLOTS_PER_TRANSACTION;
    const parts = this.#pending.split(slotsPerPart);
    this.#pending = new DirtySlots();
    const total = { hours: 0, days: 0, noted: 0, moreNotes: false };
    let worked = performance.now() - started;
    let partMs = 0;
    // Parts of the marks, then (while the database holds more) parts of its notes alone: the notes are taken
    // `slotsPerPart` at a time, with the first part and with every part after one that found more.
    let moreNotes = true;
    /** Pairs of groups' and herd's days noted by parts of notes after the groups were done. */
    let groupsAgain = false;
    for (let i = 0; i < parts.length || moreNotes; i++) {
      const marks = parts[i] ?? new DirtySlots();
      if (performance.now() >= Math.min(deadline ?? Infinity, this.#noteBy)) {
        total.noted = await this.#note(parts.slice(i));
        // Notes may remain from before: the next refresh takes them (and these).
        total.moreNotes = true;
        break;
      }
      // The groups' and herd's days go with the last part of the marks (notes after it note their pairs).
      const last = i === parts.length - 1;
      try {
        const partStarted = performance.now();
        const takeNotes: number = moreNotes ? slotsPerPart : 0;
        const counts = await this.db.transaction((tx) => this.#refreshIn(tx, marks, zone.farm, groups && last, takeNotes));
        if (takeNotes) moreNotes = counts.noted === takeNotes;
        partMs = performance.now() - partStarted;
        worked += partMs;
        if (last && groups) this.#lastGroups = started;
        else if (counts.pairs && groups && i > parts.length - 1) groupsAgain = true;
        else if (counts.pairs) this.#scheduleGroups();
        if (counts.hours || counts.days || counts.groups) this.opts.onChanged?.(ROLLUP_TABLES);
        const scope = scopeOf(marks);
        if (scope) this.opts.onRefreshed?.(scope);
        total.hours += counts.hours;
        total.days += counts.days;
      } catch (err) {
        for (const rest of parts.slice(i)) this.#pending.merge(rest);
        throw err;
      }
      // After the part's news went out (live queries, alert rules), before the next part.
      if (i < parts.length - 1 || moreNotes) await this.#yieldToIngest(DUTY_FACTOR * partMs);
    }
    if (groupsAgain && !total.moreNotes) {
      const partStarted = performance.now();
      if (await this.db.transaction((tx) => this.#refreshGroups(tx))) this.opts.onChanged?.(ROLLUP_TABLES);
      worked += performance.now() - partStarted;
    } else if (groupsAgain) this.#scheduleGroups();
    // The pauses are not the refresh's cost: the next one is spaced by the work alone.
    this.#lastMs = worked;
    return { ...total, ms: this.#lastMs };
  }

  /**
   * Notes marked slots in office.rollup_dirty, as the triggers note theirs, in one transaction; a failure
   * leaves them marked in memory. Returns how many.
   */
  async #note(parts: DirtySlots[]): Promise<number> {
    const all = new DirtySlots();
    for (const p of parts) all.merge(p);
    if (all.empty) return 0;
    let noted = 0;
    try {
      await this.db.transaction(async (tx) => {
        for (const [series, column] of [[all.animals, 'animal_id'], [all.pens, 'group_id']] as const) {
          const [ids, metrics, starts] = slotArrays(series);
          for (let at = 0; at < ids.length; at += NOTES_PER_STATEMENT) {
            const to = at + NOTES_PER_STATEMENT;
            await tx.query(
              `INSERT INTO office.rollup_dirty (${column}, metric_id, slot) SELECT i, m, to_timestamp(ms / 1000.0) FROM unnest($1::int4[], $2::int2[], $3::float8[]) AS u(i, m, ms)`,
              [ids.slice(at, to), metrics.slice(at, to), starts.slice(at, to)],
            );
          }
          noted += ids.length;
        }
      });
    } catch (err) {
      this.#pending.merge(all);
      throw err;
    }
    if (noted) this.opts.log.info('rollups: marked buckets noted in the database for a later refresh', { slots: noted });
    return noted;
  }

  /** Leaves the database to the nodes for up to `ms` while they post (see MAX_SLOTS_PER_TRANSACTION). */
  async #yieldToIngest(ms: number): Promise<void> {
    if (!this.opts.busy?.()) return;
    this.stats.pauses++;
    const until = performance.now() + ms;
    for (let left = ms; left > 0 && this.opts.busy?.(); left = until - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(BUSY_RECHECK_MS, left)));
    }
  }

  /** `takeNotes`: how many of the database's notes (office.rollup_dirty) to take with the marks. */
  async #refreshIn(tx: Queryable, marks: DirtySlots, tz: string, groups: boolean, takeNotes: number): Promise<{ hours: number; days: number; pairs: number; groups: number; noted: number }> {
    let taken = 0;
    if (takeNotes > 0) {
      // Notes (the triggers', or marks noted at a stop) are consumed in the same transaction: they are gone only
      // if it commits. At most `takeNotes` of them, any of them: a refresh of part of a series' slots is exact too.
      const { rows: noted } = await tx.query<{ animal_id: number | null; group_id: number | null; metric_id: number; ms: number }>(
        `DELETE FROM office.rollup_dirty WHERE ctid = ANY (ARRAY(SELECT ctid FROM office.rollup_dirty LIMIT $1))
         RETURNING animal_id, group_id, metric_id, (extract(epoch FROM slot) * 1000)::float8 AS ms`,
        [takeNotes],
      );
      for (const n of noted) marks.add(n.animal_id, n.group_id, n.metric_id, Math.floor(n.ms / SLOT_MS));
      taken = noted.length;
    }
    const hours = marks.empty ? { hours: 0, days: 0, pairs: 0 } : await this.#refreshHours(tx, marks, tz);
    return { ...hours, groups: groups ? await this.#refreshGroups(tx) : 0, noted: taken };
  }

  /** The marked hours, the animals' days they belong to; the (metric, day) pairs above them are noted. */
  async #refreshHours(tx: Queryable, marks: DirtySlots, tz: string): Promise<{ hours: number; days: number; pairs: number }> {
    let hours = 0;
    let days = 0;
    let pairs = 0;
    if (marks.pens.size) hours += (await tx.query<{ buckets: number }>(PEN_HOURLY_REFRESH_SQL, [...slotArrays(marks.pens), tz, SLOT_MS])).rows[0]!.buckets;
    if (marks.animals.size) {
      const { rows } = await tx.query<AnimalHoursResult>(ANIMAL_HOURLY_REFRESH_SQL, [...slotArrays(marks.animals), tz, SLOT_MS]);
      const r = rows[0]!;
      hours += r.buckets;
      days = r.days;
      if (r.recompute_animals) await tx.query(DAILY_RECOMPUTE_SQL, [r.recompute_animals, r.recompute_metrics, r.recompute_days, tz]);
      if (r.pair_metrics) {
        await tx.query('INSERT INTO office.rollup_group_dirty (metric_id, day) SELECT * FROM unnest($1::int2[], $2::int4[]) ON CONFLICT DO NOTHING', [r.pair_metrics, r.pair_days]);
        pairs = r.pair_metrics.length;
      }
    }
    return { hours, days, pairs };
  }

  /** The groups' and the herd's days of every noted (metric, day) pair; returns how many pairs. */
  async #refreshGroups(tx: Queryable): Promise<number> {
    const { rows } = await tx.query<{ metric_id: number; day: number }>('DELETE FROM office.rollup_group_dirty RETURNING metric_id, day');
    if (rows.length) await tx.query(GROUP_REFRESH_SQL, [rows.map((r) => r.metric_id), rows.map((r) => r.day)]);
    return rows.length;
  }

  /**
   * Empties and refills the rollups chunk by chunk (animals, then pens, then the groups' and herd's days),
   * recording the zone only at the end: a crash part-way means a new rebuild at the next start. Marks and
   * notes that arrive meanwhile are refreshed afterwards, which is harmless for buckets already rebuilt.
   */
  async #rebuild(tz: string, onProgress?: (done: number, total: number) => void): Promise<void> {
    const started = performance.now();
    const log = this.opts.log;
    const { rows: animals } = await this.db.query<{ id: number }>('SELECT id FROM animals ORDER BY id');
    const { rows: groups } = await this.db.query<{ id: number }>('SELECT id FROM groups ORDER BY id');
    const animalChunks = chunks(animals.map((a) => a.id), REBUILD_ANIMALS_PER_CHUNK);
    // For the progress figures only, an estimate from the herd's days (a small table; the readings' span is a
    // scan of the readings, read once, below, when the animals' hours are rebuilt).
    const { rows: estimate } = await this.db.query<{ days: number | null }>('SELECT max(day) - min(day) + 1 AS days FROM herd_readings_daily');
    let total = animalChunks.length + groups.length + Math.ceil((estimate[0]?.days ?? 0) / REBUILD_DAYS_PER_CHUNK) + 1;
    let done = 0;
    const step = () => {
      done++;
      onProgress?.(done, total);
      // About every tenth of the way: a big farm's rebuild takes minutes, and the log shows it moving.
      if (done < total && Math.floor((done * 10) / total) > Math.floor(((done - 1) * 10) / total)) log.info('rollups rebuilding', { done, total });
    };
    log.info('rollups rebuild started', { timeZone: tz, previous: this.#zone?.built ?? null, animals: animals.length });

    for (const ids of animalChunks) {
      const bounds = [ids[0], ids.at(-1), tz];
      await this.db.transaction(async (tx) => {
        await tx.query('DELETE FROM readings_hourly WHERE animal_id BETWEEN $1 AND $2', bounds.slice(0, 2));
        await tx.query(rebuildHourlySql(ANIMALS), bounds);
        await tx.query('DELETE FROM readings_daily WHERE animal_id BETWEEN $1 AND $2', bounds.slice(0, 2));
        await tx.query(REBUILD_DAILY_SQL, bounds);
      });
      step();
    }
    for (const { id } of groups) {
      await this.db.transaction(async (tx) => {
        await tx.query('DELETE FROM pen_readings_hourly WHERE group_id = $1', [id]);
        await tx.query(rebuildHourlySql(PENS), [id, id, tz]);
      });
      step();
    }
    // The days' span is read now, not before the animals' chunks: readings stored meanwhile, before their
    // animal's chunk was rebuilt, are in its rebuilt hours, so their own refresh finds those hours unchanged
    // and notes no (metric, day) pair; their days must be among those rebuilt here. (Readings stored after
    // this point change hours already rebuilt, and their refresh notes the pairs.)
    const { rows: span } = await this.db.query<{ first: number | null; last: number | null }>(
      `SELECT min((ts AT TIME ZONE $1)::date) - ${EPOCH_DAY} AS first, max((ts AT TIME ZONE $1)::date) - ${EPOCH_DAY} AS last
         FROM (SELECT min(ts) AS ts FROM readings UNION ALL SELECT max(ts) FROM readings) e`,
      [tz],
    );
    const { first, last } = span[0] ?? { first: null, last: null };
    const dayChunks = first === null || last === null ? [] : chunks(range(first, last), REBUILD_DAYS_PER_CHUNK);
    total = animalChunks.length + groups.length + dayChunks.length + 1;
    const { rows: metrics } = await this.db.query<{ id: number }>('SELECT id FROM metrics ORDER BY id');
    await this.db.transaction(async (tx) => {
      // Days outside the readings' span (before a zone change moved them, or of deleted readings) go.
      const outside = `WHERE $1::int4 IS NULL OR day < ${EPOCH_DAY} + $1::int4 OR day > ${EPOCH_DAY} + $2::int4`;
      await tx.query(`DELETE FROM group_readings_daily ${outside}`, [first, last]);
      await tx.query(`DELETE FROM herd_readings_daily ${outside}`, [first, last]);
    });
    step();
    for (const days of dayChunks) {
      const pairs = days.flatMap((d) => metrics.map((m) => [m.id, d] as const));
      await this.db.query(GROUP_REFRESH_SQL, [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
      step();
    }
    await this.db.query('UPDATE office.rollup_state SET time_zone = $1', [tz]);
    this.#zone = { farm: tz, built: tz };
    log.info('rollups rebuilt', { timeZone: tz, chunks: total, ms: Math.round(performance.now() - started) });
    this.opts.onChanged?.(ROLLUP_TABLES);
  }
}

interface AnimalHoursResult {
  buckets: number;
  days: number;
  recompute_animals: number[] | null;
  recompute_metrics: number[] | null;
  recompute_days: number[] | null;
  pair_metrics: number[] | null;
  pair_days: number[] | null;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/**
 * The database as the ingest writer should use it: its transactions turn the rollup triggers off, because
 * the writer reports the rows it stored to markDirty itself (the triggers would note them a second time,
 * at a cost to ingest throughput).
 */
export function withoutRollupTriggers(db: Database): Database {
  return {
    kind: db.kind,
    location: db.location,
    query: <R>(sql: string, params?: readonly unknown[]) => db.query<R>(sql, params),
    queryText: (sql, params) => db.queryText(sql, params),
    exec: (sql) => db.exec(sql),
    execResults: (sql) => db.execResults(sql),
    checkpoint: () => db.checkpoint(),
    close: () => db.close(),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      db.transaction(async (tx) => {
        // Not waited for: the statements that follow run after it in the same transaction.
        const off = tx.queryText(`SELECT set_config('yoctosehns.rollups', 'off', true)`);
        off.catch(() => undefined);
        const result = await fn(tx);
        await off;
        return result;
      }),
  };
}

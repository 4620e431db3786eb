import type { Database, Queryable } from '../db/index.ts';
import type { Logger } from '../main/log.ts';
import type { ReadingsResponse } from '../shared/node-protocol.ts';
import type { IngestJournal, JournalRow } from './journal.ts';
import type { NodeRecord } from './node-registry.ts';
import type { NodeStatus } from './node-status.ts';
import { parseReadingItem } from './parse-readings.ts';

/** One accepted request's readings, waiting to be written. */
export interface IngestJob {
  node: NodeRecord;
  route: string;
  ip: string | undefined;
  receivedAt: Date;
  /** The items as the node sent them (kept raw in quarantine when one cannot be a reading). */
  items: unknown[];
  status?: NodeStatus | undefined;
  idempotency?: { key: string; bodySha256: string } | undefined;
  /** performance.now() when the request arrived, for the request log's duration. */
  started: number;
}

/** A request the listener answered without writing readings (refused, or an error), for the request log. */
export interface RequestLogEntry {
  ts: Date;
  nodeId: number | null;
  ip: string | undefined;
  route: string;
  status: number;
  durationMs: number;
  error?: string | undefined;
  accepted?: number;
  duplicates?: number;
  quarantined?: number;
}

export interface StoredEvent {
  accepted: number;
  animalIds: number[];
  nodeIds: number[];
}

export interface IngestWriterOptions {
  log: Logger;
  /** Readings older than this many days are quarantined (default two years). */
  retentionDays: number;
  /** How far ahead of the office clock a time stamp may be (default 5 minutes). */
  futureToleranceMs: number;
  journal?: IngestJournal | undefined;
  onStored?: (event: StoredEvent) => void;
  /** Told after each committed flush the valid rows it wrote, duplicates included (the rollups mark their buckets). */
  onRows?: (rows: readonly StoredRow[]) => void;
  /** How long the nodes' rows may wait while nodes keep posting (default UPKEEP_MS; tests make it longer). */
  nodeUpkeepMs?: number;
  /** The flush size from which latest_readings may wait under a backlog (default LATEST_BULK_READINGS). */
  latestBulkReadings?: number;
  /** Told when latest_readings was brought up to date outside a flush (a flush tells onStored). */
  onLatest?: () => void;
}

/** What onRows tells about a stored reading. */
export interface StoredRow {
  animalId: number | null;
  groupId: number | null;
  metricId: number;
  ts: number;
}

interface MetricRow {
  id: number;
  key: string;
  aliases: string[];
  min_value: number;
  max_value: number;
}

/** A reading ready for the database: its target is an animal (by ID string or row id) or a pen. */
interface Row {
  job: number;
  nodeId: number;
  animalKey: string | null;
  animalId: number | null;
  groupId: number | null;
  metricId: number;
  ts: number;
  value: number;
  /** `ts` as COPY reads it, written when the job is checked (off the path between two statements). */
  tsText?: string | undefined;
}

interface Classified {
  rows: Row[];
  quarantined: { job: number; index: number; item: unknown; reason: string }[];
  /** Per job (in batch order), its COPY made ready on arrival: present only when every job's is. */
  copies?: PreparedCopy[] | undefined;
}

/**
 * A job's animal readings made ready for COPY when it arrived (while the database wrote earlier flushes),
 * with the animals' IDs looked up by earlier flushes (`epoch` of #animalKeys): in primary-key order, each
 * reading once, as CSV; and each series' newest reading, for latest_readings.
 */
interface PreparedCopy {
  epoch: number;
  csv: string;
  newest: Row[];
  /** How many readings the CSV holds (the job's others were repeated within it). */
  readings: number;
}

interface Pending {
  job: IngestJob;
  resolve: (r: ReadingsResponse) => void;
  reject: (e: unknown) => void;
  /** The job checked on arrival (its rows' `job` is 0 until a batch numbers them), with the catalogue's generation. */
  classified?: { rows: Row[]; quarantined: Classified['quarantined']; generation: number; copy?: PreparedCopy | undefined };
}

/** The most animal IDs the writer keeps looked up (a large farm's official IDs and tags, with room). */
const MAX_ANIMAL_KEYS = 200_000;

/**
 * Flushes take at most this many readings (a request of up to 5,000 is never split), so one flush never holds
 * the database for long, and so that nodes posting large batches keep the database and this thread busy at the
 * same time. With 25,000, 8 gateways posting 1,000-reading batches fell into waves, run to run: one flush took
 * all 8 requests, all 8 were answered together and re-posted together, and the database waited 30–90 ms between
 * flushes while the next wave arrived and was parsed (ingest benchmark, batched: 84–99k readings/s in such runs,
 * 112–129k otherwise; with 5,000, 112–116k in every run).
 */
const MAX_READINGS_PER_FLUSH = 5_000;

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * While more requests keep arriving, the nodes' rows (last contact, counters, status) wait at most this long
 * and are written with a later flush: nodes posting one reading per request made every flush update ~90 node
 * rows (5 of its ~27 ms on the database thread), where one update per node every UPKEEP_MS does. The first flush
 * after the writer was idle writes them at once, so a node (or a person) that posts and then looks sees its
 * counters; and the writer writes what waits before it goes idle. (The request log is written with
 * each flush: its cost is per row, and one large insert every UPKEEP_MS showed as a latency spike.)
 */
const UPKEEP_MS = 250;

/**
 * latest_readings under a backlog. A gateway flushing a day it buffered touches ~one series in every reading or
 * two, so each flush upserted ~17,500 rows of latest_readings: 25 s of database time in a 104 s re-flush benchmark.
 * Once a flush of at least LATEST_BULK_READINGS readings follows another without the writer resting in between,
 * each flush's newest readings are kept back instead — also those of the smaller flushes between large ones, which
 * would otherwise write all that was kept back (8 gateways posting 1,000-reading batches: a 1,000-reading flush
 * took ~40 ms instead of ~6) — and written at most LATEST_DEFER_MS later: by the next flush once that time has
 * passed, before the writer rests, before work queued with runExclusive (a checkpoint may drop the journal
 * segments that hold their readings; until then, replaying the journal after a crash rewrites latest_readings) and
 * on close. Live operation (small flushes) writes latest_readings with every flush as before: a live farm's
 * flushes hold a few hundred readings at most (2,500 cows × 7 metrics every 10 minutes is ~30 readings/s).
 */
const LATEST_BULK_READINGS = 2_000;
const LATEST_DEFER_MS = 5_000;

/** What a flush has to tell each node's row: last contact, counters, reported status. */
interface NodeDelta {
  seen: Date;
  ip: string | null;
  a: number;
  d: number;
  q: number;
  status: NodeStatus;
}

/** The nodes' rows to update (merged across flushes while deferred). */
class NodeUpkeep {
  readonly nodes = new Map<number, NodeDelta>();

  get empty(): boolean {
    return this.nodes.size === 0;
  }

  addJobs(jobs: IngestJob[], results: ReadingsResponse[]): void {
    jobs.forEach((job, j) =>
      this.#add(job.node.id, { seen: job.receivedAt, ip: job.ip ?? null, a: results[j]!.accepted, d: results[j]!.duplicates, q: results[j]!.quarantined.length, status: job.status ?? {} }),
    );
  }

  /** Adds what `later` holds (its status reports override older ones). */
  merge(later: NodeUpkeep): this {
    for (const [id, delta] of later.nodes) this.#add(id, delta);
    return this;
  }

  #add(id: number, delta: NodeDelta): void {
    const n = this.nodes.get(id);
    if (!n) {
      this.nodes.set(id, { ...delta, status: { ...delta.status } });
      return;
    }
    if (delta.seen >= n.seen) {
      n.seen = delta.seen;
      n.ip = delta.ip ?? n.ip;
    }
    n.a += delta.a;
    n.d += delta.d;
    n.q += delta.q;
    Object.assign(n.status, delta.status);
  }

  write(tx: Queryable): Promise<void> {
    return updateNodes(tx, this.nodes);
  }
}

/**
 * JSON text jsonb accepts. PostgreSQL refuses the \u0000 escape (kept as the text `\u0000`) and lone
 * surrogates (JSON.stringify writes only those as \uD800–\uDFFF escapes; they become U+FFFD).
 */
export function jsonbText(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value);
  return text
    .replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\\\u0000')
    .replace(/(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g, '$1\\ufffd');
}

/** Text PostgreSQL stores: no NUL, no lone surrogates; control characters shown as '?'. */
export function safeText(s: string, max: number): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '?').replace(/[\ud800-\udfff]/g, (c, i: number, all: string) => {
    const code = c.charCodeAt(0);
    const paired = code < 0xdc00 ? /[\udc00-\udfff]/.test(all[i + 1] ?? '') : /[\ud800-\udbff]/.test(all[i - 1] ?? '');
    return paired ? c : '\ufffd';
  }).slice(0, max);
}

/** Makes a value safe to echo in a reason (reasons stay short). */
function echo(value: unknown): string {
  return safeText(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''), 64);
}

function describeAhead(ms: number): string {
  const min = Math.round(ms / 60_000);
  return min < 120 ? `${min} min` : min < 2880 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} days`;
}

/**
 * Writes node batches with group commit: requests that arrive while a flush runs wait for the next one,
 * which writes all of them in one transaction. So nodes posting one reading per request are not limited to
 * one transaction each, and the journal's fsync is shared by every request in the flush.
 *
 * The database thread is the bottleneck, so it should never wait for this one. A request is checked when it
 * arrives (while earlier flushes are written), and on PGlite its COPY is made ready then too, with the animals'
 * IDs earlier flushes looked up (#animalKeys). A flush then sends all its statements at once — the version
 * check, the COPY, latest_readings, the request log, the nodes' rows, the idempotency keys — and its journal
 * write and notifications run only after the next flush is on its way.
 */
export class IngestWriter {
  #queue: Pending[] = [];
  #logs: RequestLogEntry[] = [];
  #running = false;
  #idle: (() => void)[] = [];
  #exclusive: (() => Promise<unknown>)[] = [];
  #metrics: Map<string, MetricRow> | undefined;
  /** Counts invalidateMetrics(): a job checked against an older catalogue is checked again. */
  #metricsGeneration = 0;
  /**
   * The animals the IDs nodes sent resolved to, as of office.animal_keys' `version` (migration 0011). Kept on
   * PGlite only: its one connection means nothing changes animals between a flush's check of the version and
   * its statements. (On a PostgreSQL server every flush looks its IDs up.)
   */
  #animalKeys: { version: number | undefined; ids: Map<string, number>; epoch: number } | undefined;
  /** The newest time stamp latest_readings holds per animal and metric, as far as this writer knows. */
  #latestKnown = new Map<number, number>();
  /** Each series' newest reading not yet in latest_readings (see LATEST_BULK_READINGS), and since when. */
  #pendingLatest = new Map<number, Row>();
  #pendingLatestSince = 0;
  #logTimer: NodeJS.Timeout;
  #closed = false;
  #lastSubmit = -Infinity;
  /** Whether new readings are written with COPY (PGlite) or, after a duplicate, INSERT … ON CONFLICT for a while. */
  #copy: CopyPolicy = { skip: 0 };
  /** Answers waiting for their journal write. */
  #answering = new Set<Promise<void>>();
  /** The nodes' rows waiting while nodes keep posting (see UPKEEP_MS). */
  #upkeep = new NodeUpkeep();
  #upkeepAt = -Infinity;
  /** Flushes committed since the writer was last idle (the first one writes the nodes' rows at once). */
  #flushesSinceIdle = 0;
  /** Flushes (transactions) and requests written so far: group commit shows as flushes < requests. `copies`:
   * flushes whose readings went in by COPY; `upkeeps`: updates of the nodes' rows (fewer than flushes while
   * nodes keep posting: see UPKEEP_MS); `staleAnimalKeys`: flushes written again because the animals' IDs
   * changed after the writer had looked them up (see #animalKeys); `latestDeferred`: flushes that left their
   * newest readings for later, `latestCatchUps`: writes of those (see LATEST_BULK_READINGS). */
  readonly stats = { flushes: 0, requests: 0, readings: 0, copies: 0, upkeeps: 0, staleAnimalKeys: 0, latestDeferred: 0, latestCatchUps: 0 };

  constructor(
    private readonly db: Database,
    private readonly options: IngestWriterOptions,
  ) {
    if (db.kind === 'pglite') this.#animalKeys = { version: undefined, ids: new Map(), epoch: 0 };
    // Refused requests are logged with the next flush, or within a second when no readings arrive.
    this.#logTimer = setInterval(() => this.#logs.length && this.#schedule(), 1000);
    this.#logTimer.unref();
  }

  /** Forget what is cached from the database (after it changed outside the ingest path). */
  invalidateMetrics(): void {
    this.#metrics = undefined;
    this.#metricsGeneration++;
    this.#latestKnown.clear();
    this.#forgetAnimalKeys();
  }

  /** Requests arrived within the last quarter second, or are being written or wait to be: nodes are posting. */
  get busy(): boolean {
    return this.#running || this.#queue.length > 0 || performance.now() - this.#lastSubmit < 250;
  }

  submit(job: IngestJob): Promise<ReadingsResponse> {
    if (this.#closed) return Promise.reject(new Error('the ingest writer is closed'));
    this.#lastSubmit = performance.now();
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, resolve, reject };
      // Checked now, while the database writes earlier flushes, rather than between two flushes, where the
      // database would wait for it (a batch of 1,000 readings takes about a millisecond).
      if (this.#metrics) {
        const own = this.#classify([job], this.#metrics);
        pending.classified = { ...own, generation: this.#metricsGeneration, copy: this.#prepareCopy(own.rows) };
      }
      this.#queue.push(pending);
      this.#schedule();
    });
  }

  logRequest(entry: RequestLogEntry): void {
    this.#logs.push(entry);
  }

  /** Runs `fn` between flushes (journal rotation and checkpoints must not interleave with a flush). */
  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#exclusive.push(() => fn().then(resolve, reject));
      this.#schedule();
    });
  }

  /** Writes what is queued, then refuses new work. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#logTimer);
    if (this.#queue.length || this.#logs.length || !this.#upkeep.empty || this.#pendingLatest.size) this.#schedule();
    if (this.#running) await new Promise<void>((r) => this.#idle.push(r));
    await Promise.all(this.#answering);
  }

  #schedule(): void {
    if (this.#running) return;
    this.#running = true;
    // setImmediate lets the requests already parsed in this turn of the event loop join the flush.
    setImmediate(() => void this.#drain());
  }

  #takeBatch(): { batch: Pending[]; logs: RequestLogEntry[] } | undefined {
    if (!this.#queue.length && !this.#logs.length) return undefined;
    const batch: Pending[] = [];
    let readings = 0;
    while (this.#queue.length && (batch.length === 0 || readings + this.#queue[0]!.job.items.length <= MAX_READINGS_PER_FLUSH)) {
      const p = this.#queue.shift()!;
      readings += p.job.items.length;
      batch.push(p);
    }
    return { batch, logs: this.#logs.splice(0) };
  }

  /**
   * Flushes one after another, with the next batch classified (JavaScript, this thread) while the previous
   * one's transaction runs (SQL, the database's thread): neither side waits for the other.
   */
  async #drain(): Promise<void> {
    this.#flushesSinceIdle = 0;
    try {
      let next = this.#takeBatch();
      while (next || this.#exclusive.length || !this.#upkeep.empty || this.#pendingLatest.size) {
        if (next) {
          const metrics = await this.#metricIndex(this.db);
          const current = { ...next, classified: this.#combine(next.batch, metrics) };
          const running = this.#flushSafely(current.batch, current.logs, current.classified);
          next = this.#exclusive.length ? undefined : this.#takeBatch();
          const prepared = next && { ...next, classified: this.#combine(next.batch, metrics) };
          await running;
          if (prepared) {
            next = undefined;
            await this.#runExclusive();
            await this.#flushSafely(prepared.batch, prepared.logs, prepared.classified);
          }
        } else if (!this.#exclusive.length) {
          // Idle now: the node counters and latest readings that waited are written before the writer rests.
          if (!this.#upkeep.empty) await this.#writeUpkeep();
          await this.#writeLatest();
        }
        await this.#runExclusive();
        next = this.#takeBatch();
      }
    } finally {
      this.#running = false;
      for (const r of this.#idle.splice(0)) r();
    }
  }

  /** A flush that fails is retried request by request, so one bad request cannot fail the others. */
  async #flushSafely(batch: Pending[], logs: RequestLogEntry[], classified?: Classified): Promise<void> {
    try {
      const { results, durable } = await this.#flush(batch.map((p) => p.job), logs, classified);
      // The next flush may start while this one's journal write is fsync'ed; the nodes are answered
      // only once their readings are durable.
      const answered = durable.then(
        () => batch.forEach((p, i) => p.resolve(results[i]!)),
        (err: unknown) => {
          this.options.log.error('ingest journal write failed', { err: err as Error });
          batch.forEach((p) => p.reject(err));
        },
      );
      this.#answering.add(answered);
      void answered.finally(() => this.#answering.delete(answered));
    } catch (err) {
      // The failed transaction did not write what #latestKnown now claims (nor, perhaps, the placeholder
      // animals its lookup found).
      this.#latestKnown.clear();
      this.#forgetAnimalKeys();
      // What latest_readings waited for (and the flush was to write) goes alone, so the retries below do not carry it.
      await this.#writeLatest();
      if (batch.length <= 1 && logs.length === 0) {
        this.options.log.error('ingest flush failed', { err: err as Error, requests: batch.length });
        if (batch[0]) batch[0].reject(err);
        return;
      }
      // Find the culprit: the request log alone, then each request alone.
      if (logs.length) await this.#flush([], logs).catch((e: unknown) => this.options.log.error('request log write failed', { err: e as Error, entries: logs.length }));

      for (const p of batch) await this.#flushSafely([p], []);
    }
  }

  /** Keeps each series' newest of `rows` for a later write of latest_readings (see LATEST_BULK_READINGS). */
  #deferLatest(rows: readonly Row[]): void {
    if (!this.#pendingLatest.size) this.#pendingLatestSince = performance.now();
    for (const r of rows) {
      const key = seriesOf(r);
      const have = this.#pendingLatest.get(key);
      if (!have || have.ts < r.ts) this.#pendingLatest.set(key, r);
    }
  }

  /** The newest readings waiting for latest_readings, handed to the caller to write (undefined: none). */
  #takePendingLatest(): Row[] | undefined {
    if (!this.#pendingLatest.size) return undefined;
    const rows = [...this.#pendingLatest.values()];
    this.#pendingLatest.clear();
    return rows;
  }

  /**
   * Writes what latest_readings waits for in a transaction of its own (idle, a checkpoint comes, or a flush that
   * carried it failed). If that fails too they are dropped, so that they cannot fail the nodes' requests: the
   * readings are stored, and each series' next reading brings latest_readings up to date.
   */
  async #writeLatest(): Promise<void> {
    const rows = this.#takePendingLatest();
    if (!rows) return;
    try {
      await this.db.transaction((tx) => upsertLatest(tx, rows, true));
    } catch (err) {
      this.options.log.error('latest readings not written', { err: err as Error, series: rows.length });
      return;
    }
    this.stats.latestCatchUps++;
    try {
      this.options.onLatest?.();
    } catch (err) {
      this.options.log.error('after writing latest readings', { err: err as Error });
    }
  }

  /**
   * The work runExclusive queued. latest_readings is brought up to date first: a checkpoint may drop the journal
   * segments that hold the readings it waits for.
   */
  async #runExclusive(): Promise<void> {
    if (!this.#exclusive.length) return;
    await this.#writeLatest();
    for (const fn of this.#exclusive.splice(0)) await fn();
  }

  /** Writes the deferred updates of the nodes' rows in a transaction of their own. */
  async #writeUpkeep(): Promise<void> {
    const upkeep = this.#upkeep;
    this.#upkeep = new NodeUpkeep();
    this.#upkeepAt = performance.now();
    this.stats.upkeeps++;
    try {
      await this.db.transaction((tx) => upkeep.write(tx));
    } catch (err) {
      // The readings they count are stored; counters are not worth blocking the nodes for.
      this.options.log.error('node counters not written', { err: err as Error, nodes: upkeep.nodes.size });
    }
  }

  async #metricIndex(tx: Queryable): Promise<Map<string, MetricRow>> {
    if (this.#metrics) return this.#metrics;
    const { rows } = await tx.query<MetricRow>('SELECT id, key, aliases, min_value, max_value FROM metrics');
    const index = new Map<string, MetricRow>();
    for (const m of rows) {
      index.set(m.key.toLowerCase(), m);
      for (const a of m.aliases) if (!index.has(a.toLowerCase())) index.set(a.toLowerCase(), m);
    }
    this.#metrics = index;
    return index;
  }

  /** A batch's rows and quarantined items, numbered by request, from what was checked on arrival where it can be. */
  #combine(batch: Pending[], metrics: Map<string, MetricRow>): Classified {
    const rows: Row[] = [];
    const quarantined: Classified['quarantined'] = [];
    let copies: PreparedCopy[] | undefined = [];
    batch.forEach((p, j) => {
      const current = p.classified?.generation === this.#metricsGeneration ? p.classified : undefined;
      const own = current ?? this.#classify([p.job], metrics);
      if (current?.copy && copies) copies.push(current.copy);
      else copies = undefined;
      // Used once: the flush fills in the rows' animals, and a retry checks the job afresh.
      p.classified = undefined;
      for (const r of own.rows) {
        r.job = j;
        rows.push(r);
      }
      for (const q of own.quarantined) {
        q.job = j;
        quarantined.push(q);
      }
    });
    return { rows, quarantined, copies };
  }

  /**
   * Keeps what a committed flush looked up. The versions were read in its transaction before and after the
   * lookup; on one connection only the lookup's own placeholder animals come between them. What was kept
   * before stays only if the version had not moved since it was kept.
   */
  async #remember(looked: { before: Promise<(string | null)[][]>; after: Promise<(string | null)[][]>; ids: Map<string, number> }): Promise<void> {
    const keys = this.#animalKeys!;
    const before = Number((await looked.before)[0]![0]);
    const after = Number((await looked.after)[0]![0]);
    if (keys.version !== before || keys.ids.size + looked.ids.size > MAX_ANIMAL_KEYS) {
      keys.ids.clear();
      keys.epoch++;
    }
    for (const [key, id] of looked.ids) keys.ids.set(key, id);
    keys.version = after;
  }

  #forgetAnimalKeys(): void {
    if (!this.#animalKeys) return;
    this.#animalKeys.version = undefined;
    this.#animalKeys.ids.clear();
    this.#animalKeys.epoch++;
  }

  /**
   * Gives every row that names its animal the animal's id from what earlier flushes looked up, and returns the
   * version that is from; undefined (rows untouched) when an ID was never looked up or nothing is known.
   */
  #animalsFromCache(rows: Row[]): number | undefined {
    const known = this.#animalKeys;
    if (known?.version === undefined) return undefined;
    for (const r of rows) if (r.animalKey !== null && !known.ids.has(r.animalKey)) return undefined;
    for (const r of rows) if (r.animalKey !== null) r.animalId = known.ids.get(r.animalKey)!;
    return known.version;
  }

  /** A job's COPY, made ready on arrival when every animal it names was looked up before (see PreparedCopy). */
  #prepareCopy(rows: Row[]): PreparedCopy | undefined {
    if (this.#animalsFromCache(rows) === undefined) return undefined;
    const animal = inKeyOrder(rows.filter((r) => r.groupId === null));
    const newest = animal.filter((_, i) => isLastOfSeries(animal, i));
    return { epoch: this.#animalKeys!.epoch, csv: csvOf(animal), newest, readings: animal.length };
  }

  /** Checks each item against the catalogue and the clock; returns rows to store and items to quarantine. */
  #classify(jobs: IngestJob[], metrics: Map<string, MetricRow>): Classified {
    const rows: Row[] = [];
    const quarantined: { job: number; index: number; item: unknown; reason: string }[] = [];
    for (let j = 0; j < jobs.length; j++) {
      const job = jobs[j]!;
      const now = job.receivedAt.getTime();
      const items = job.items;
      for (let index = 0; index < items.length; index++) {
        const checked = this.#check(job, j, now, items[index], index, metrics);
        if (typeof checked === 'string') quarantined.push({ job: j, index, item: items[index], reason: checked });
        else rows.push(checked);
      }
    }
    return { rows, quarantined };
  }

  /** One item: the row to store, or why it is quarantined. (A loop, not closures per item: ~1 µs per reading.) */
  #check(job: IngestJob, j: number, now: number, item: unknown, index: number, metrics: Map<string, MetricRow>): Row | string {
    const parsed = parseReadingItem(item, index);
    if (typeof parsed === 'string') return parsed;
    const metric = metrics.get(parsed.metric) ?? metrics.get(parsed.metric.toLowerCase());
    if (!metric) return `unknown metric "${echo(parsed.metric)}"`;
    if (parsed.value < metric.min_value || parsed.value > metric.max_value) {
      return `${metric.key} ${parsed.value} is outside its plausible range ${metric.min_value}–${metric.max_value}`;
    }
    const ts = parsed.ts ?? now;
    if (ts > now + this.options.futureToleranceMs) return `ts is ${describeAhead(ts - now)} ahead of the office clock (at most ${describeAhead(this.options.futureToleranceMs)} allowed)`;
    if (ts < now - this.options.retentionDays * 86_400_000) return `ts is older than the retention window of ${this.options.retentionDays} days`;
    const node = job.node;
    let animalKey: string | null = null;
    let animalId: number | null = null;
    let groupId: number | null = null;
    if (parsed.animal !== undefined) animalKey = parsed.animal;
    else if (node.animal_id !== null) animalId = node.animal_id;
    else if (node.group_id !== null) groupId = node.group_id;
    else return `node "${echo(node.name)}" is fitted to no animal or pen: name the animal in each reading`;
    // COPY's time stamp text is made here, while the database writes earlier flushes (PGlite only: a server
    // is written with INSERT).
    const tsText = this.#animalKeys ? new Date(ts).toISOString() : undefined;
    return { job: j, nodeId: node.id, animalKey, animalId, groupId, metricId: metric.id, ts, value: parsed.value, tsText };
  }


  async #flush(jobs: IngestJob[], logs: RequestLogEntry[], classified?: Classified): Promise<{ results: ReadingsResponse[]; durable: Promise<void> }> {
    const results: ReadingsResponse[] = jobs.map(() => ({ accepted: 0, duplicates: 0, quarantined: [] }));
    const animalIds = new Set<number>();
    // Checked before the transaction (usually while the previous one runs): the database does not wait
    // while JavaScript classifies.
    const { rows, quarantined, copies } = classified ?? this.#classify(jobs, await this.#metricIndex(this.db));
    for (const q of quarantined) results[q.job]!.quarantined.push({ index: q.index, reason: q.reason });
    let mine = new NodeUpkeep();
    /** Deferred upkeep of earlier flushes written by this one: given back if it fails. */
    let earlier: NodeUpkeep | undefined;
    // The animals' IDs as earlier flushes looked them up: then nothing in this flush waits for a lookup.
    // The jobs' COPY made ready on arrival, if the IDs it used are still the ones kept (then the rows have them).
    const keys = this.#animalKeys;
    let prepared = keys?.version !== undefined && copies?.every((c) => c.epoch === keys.epoch) ? copies : undefined;
    let cached = prepared ? keys!.version : this.#animalsFromCache(rows);
    let looked: { before: Promise<(string | null)[][]>; after: Promise<(string | null)[][]>; ids: Map<string, number> } | undefined;
    // Part of a backlog (a large flush, or rows already kept back, and the writer has not rested since the last
    // flush): latest_readings may wait (see LATEST_BULK_READINGS).
    const deferLatest =
      (rows.length >= (this.options.latestBulkReadings ?? LATEST_BULK_READINGS) || this.#pendingLatest.size > 0) &&
      this.#flushesSinceIdle > 0 &&
      (this.#pendingLatest.size === 0 || performance.now() - this.#pendingLatestSince < LATEST_DEFER_MS);
    const catchUp = deferLatest ? undefined : this.#takePendingLatest();
    let latestRows: Row[] = [];
    for (;;) {
      let stale = false;
      try {
        await this.db.transaction(async (tx) => {
          // Statements whose results nothing waits for are sent without waiting (the database runs them in
          // order); all of them are awaited before COMMIT, so an error in any still rolls the flush back.
          const sent: Promise<unknown>[] = [];
          const send = <T>(p: Promise<T>): Promise<T> => {
            p.catch(() => undefined);
            sent.push(p);
            return p;
          };
          if (cached !== undefined) {
            // First: if the IDs changed since, this fails and so does every statement after it.
            send(tx.queryText('SELECT office.animal_keys_unchanged($1)', [cached])).catch((err: unknown) => {
              if ((err as { code?: string }).code === 'YS001') stale = true;
            });
          }
          if (quarantined.length) send(insertQuarantined(tx, jobs, quarantined));
          // What earlier flushes of a backlog left for later: written before this flush's own newest readings
          // (the upsert keeps whichever is newer either way).
          if (catchUp) send(upsertLatest(tx, catchUp, true));
          if (cached === undefined && this.#animalKeys) {
            // The version before and after the lookup (which may add placeholder animals): see #remember.
            const version = () => send(tx.queryText('SELECT version FROM office.animal_keys'));
            const before = version();
            const ids = await resolveAnimals(tx, rows);
            looked = { before, after: version(), ids };
          } else if (cached === undefined) await resolveAnimals(tx, rows);
          for (const r of rows) if (r.animalId !== null) animalIds.add(r.animalId);

          // What follows the readings: the request log, the nodes' counters (now or later) and the idempotency
          // keys, all of which need to know what was new. Built and sent right behind a COPY made on arrival,
          // on the assumption that all of it is new (the usual case), so the database need not wait for this
          // thread between them; if the COPY fails they are rolled back with it and sent again with the counts.
          let upkeepAt = this.#upkeepAt;
          const tail = (acceptedByJob: Map<number, number>): Promise<unknown>[] => {
            const statements: Promise<unknown>[] = [];
            const valid = new Array<number>(jobs.length).fill(0);
            for (const r of rows) valid[r.job]!++;
            jobs.forEach((_, j) => {
              results[j]!.accepted = acceptedByJob.get(j) ?? 0;
              results[j]!.duplicates = valid[j]! - results[j]!.accepted;
            });
            const finished = performance.now();
            mine = new NodeUpkeep();
            mine.addJobs(jobs, results);
            const entries: RequestLogEntry[] = [
              ...logs,
              ...jobs.map((job, j) => ({
                ts: job.receivedAt,
                nodeId: job.node.id,
                ip: job.ip,
                route: job.route,
                status: 200,
                durationMs: finished - job.started,
                accepted: results[j]!.accepted,
                duplicates: results[j]!.duplicates,
                quarantined: results[j]!.quarantined.length,
              })),
            ];
            if (entries.length) statements.push(insertRequestLog(tx, entries));
            // The writer was busy before this flush: nodes are posting, and the counters may wait a little. (Decided
            // before the COPY's outcome is known, so not by what arrives while this flush runs.)
            if (!(this.#flushesSinceIdle > 0 && finished - this.#upkeepAt < (this.options.nodeUpkeepMs ?? UPKEEP_MS))) {
              earlier = this.#upkeep;
              this.#upkeep = new NodeUpkeep();
              upkeepAt = this.#upkeepAt;
              this.#upkeepAt = finished;
              this.stats.upkeeps++;
              statements.push(new NodeUpkeep().merge(earlier).merge(mine).write(tx));
            }
            const keyed = jobs.map((job, j) => ({ job, j })).filter(({ job }) => job.idempotency);
            if (keyed.length) {
              statements.push(
                tx.queryText(
                  `INSERT INTO office.idempotency_keys (node_id, key, body_sha256, status, response)
                   SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::int2[], $5::text[]) ON CONFLICT DO NOTHING`,
                  [
                    keyed.map(({ job }) => job.node.id),
                    keyed.map(({ job }) => job.idempotency!.key),
                    keyed.map(({ job }) => job.idempotency!.bodySha256),
                    keyed.map(() => 200),
                    keyed.map(({ j }) => JSON.stringify(results[j])),
                  ],
                ),
              );
            }
            return statements;
          };
          const untail = () => {
            if (!earlier) return;
            this.#upkeep = earlier.merge(this.#upkeep);
            earlier = undefined;
            this.#upkeepAt = upkeepAt;
            this.stats.upkeeps--;
          };
          const inserted = await insertRows(tx, rows, this.#latestKnown, this.#copy, prepared, { tail, untail }, deferLatest);
          const { accepted: acceptedByJob, copied, tailSent } = inserted;
          latestRows = inserted.latestRows;
          if (copied) this.stats.copies++;
          if (!tailSent) for (const statement of tail(acceptedByJob)) send(statement);
          await Promise.all(sent);
        });
        break;
      } catch (err) {
        // This flush's own counters come again with the retries of its requests; the earlier ones wait on.
        if (earlier) this.#upkeep = earlier.merge(this.#upkeep);
        earlier = undefined;
        if (!stale) {
          // What this flush was to write for earlier ones waits for the next.
          if (catchUp) this.#deferLatest(catchUp);
          throw err;
        }
        // Something changed the animals since their IDs were looked up: written again, with a lookup.
        this.stats.staleAnimalKeys++;
        this.#forgetAnimalKeys();
        this.#latestKnown.clear();
        cached = undefined;
        prepared = undefined;
        // The IDs of the failed attempt: one of them may be a re-tagged or deleted cow.
        animalIds.clear();
        mine = new NodeUpkeep();
      }
    }
    if (looked) await this.#remember(looked);
    if (!earlier) this.#upkeep.merge(mine);
    if (catchUp) this.stats.latestCatchUps++;
    if (latestRows.length) {
      this.stats.latestDeferred++;
      this.#deferLatest(latestRows);
    }
    const accepted = results.reduce((n, r) => n + r.accepted, 0);
    this.#flushesSinceIdle++;
    if (jobs.length) {
      this.stats.flushes++;
      this.stats.requests += jobs.length;
      this.stats.readings += accepted;
    }
    // The database has committed. The journal write (which makes the flush survive a power cut before the
    // answers go out) and telling the rollups and subscribers wait for the next turn of the event loop: by
    // then the next flush has been sent, and the database works on it instead of waiting for this thread.
    const durable = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const journal = this.options.journal;
        (journal && rows.length
          ? journal.append(rows.map((r): JournalRow => [r.nodeId, r.animalKey, r.animalKey === null ? r.animalId : null, r.groupId, r.metricId, r.ts, r.value]))
          : Promise.resolve()
        ).then(resolve, reject);
        try {
          if (accepted > 0) this.options.onStored?.({ accepted, animalIds: [...animalIds], nodeIds: [...new Set(jobs.map((j) => j.node.id))] });
          if (rows.length) this.options.onRows?.(rows);
        } catch (err) {
          this.options.log.error('after an ingest flush', { err: err as Error });
        }
      });
    });
    return { results, durable };
  }
}

/** An EID (ISO 11784: 15 digits, often printed with spaces) is an official ID; anything else a visual tag. */
export function looksLikeOfficialId(id: string): boolean {
  return /^\d{15}$/.test(id.replace(/\s+/g, ''));
}

/** Sets animalId on rows that name their animal, creating unconfirmed placeholders for unknown IDs. */
export async function resolveAnimals(tx: Queryable, rows: { animalKey: string | null; animalId: number | null }[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  const keys = [...new Set(rows.map((r) => r.animalKey).filter((k): k is string => k !== null))];
  if (!keys.length) return map;
  const lookup = async (ids: string[]) => {
    const found = await tx.queryText('SELECT id, official_id, tag FROM animals WHERE official_id = ANY($1::text[]) OR tag = ANY($1::text[])', [ids]);
    // A tag wins over another animal's equal official ID only when no official ID matches.
    for (const [id, , tag] of found) if (tag && !map.has(tag)) map.set(tag, Number(id));
    for (const [id, officialId] of found) if (officialId) map.set(officialId, Number(id));
  };
  await lookup(keys);
  const unknown = keys.filter((k) => !map.has(k));
  if (unknown.length) {
    const official = unknown.filter(looksLikeOfficialId);
    const tags = unknown.filter((k) => !looksLikeOfficialId(k));
    await tx.queryText(
      `INSERT INTO animals (official_id, tag, unconfirmed)
       SELECT o, t, true FROM unnest($1::text[], $2::text[]) AS u(o, t) ON CONFLICT DO NOTHING`,
      [[...official, ...tags.map(() => null)], [...official.map(() => null), ...tags]],
    );
    await lookup(unknown);
  }
  for (const r of rows) if (r.animalKey !== null) r.animalId = map.get(r.animalKey) ?? null;
  return map;
}

/** After a COPY met a duplicate, this many flushes go straight to INSERT … ON CONFLICT (re-sends come in runs). */
const COPY_RETRY_AFTER = 20;

/** Whether new readings may be written with COPY, and for how many flushes not (after it met a duplicate). */
export interface CopyPolicy {
  skip: number;
}

/**
 * Inserts readings (animal rows into readings, pen rows into pen_readings) and keeps latest_readings
 * current. Returns how many rows of each job were new; the others were already stored (duplicates).
 * With a CopyPolicy and a database that can COPY (PGlite), animal readings are first tried with COPY.
 */
async function insertRows(
  tx: Queryable,
  rows: Row[],
  latestKnown?: Map<number, number>,
  copy?: CopyPolicy,
  prepared?: PreparedCopy[],
  speculative?: { tail: (accepted: Map<number, number>) => Promise<unknown>[]; untail: () => void },
  deferLatest = false,
): Promise<{ accepted: Map<number, number>; copied: boolean; tailSent: boolean; latestRows: Row[] }> {
  const accepted = new Map<number, number>();
  const count = (job: number, n: number) => accepted.set(job, (accepted.get(job) ?? 0) + n);
  let copied = false;
  let animalsDone = false;
  let copyTried = false;
  let tailSent = false;
  /** With deferLatest, the newest readings of rows COPY wrote, for the caller to write later (see LATEST_BULK_READINGS). */
  let latestRows: Row[] = [];
  if (prepared && copy && tx.copyFrom && copy.skip === 0) {
    // Every job's COPY was made on arrival: nothing to do here but send it (a duplicate across jobs, or one
    // already stored, makes it fail like any other COPY).
    copyTried = true;
    const latest = newestOfJobs(prepared, latestKnown);
    prepared.forEach((p, j) => p.readings && count(j, p.readings));
    // Only pen readings could still add to the counts: without them, what follows COPY goes with it.
    const speculate = speculative && !rows.some((r) => r.groupId !== null);
    if (await copyNewReadings(tx, prepared.map((p) => p.csv).join(''), deferLatest ? [] : latest, speculate ? () => speculative.tail(accepted) : undefined)) {
      for (const r of latest) latestKnown?.set(seriesOf(r), r.ts);
      if (deferLatest) latestRows = latest;
      copied = animalsDone = true;
      tailSent = !!speculate;
    } else {
      if (speculate) speculative.untail();
      accepted.clear();
      copy.skip = COPY_RETRY_AFTER;
    }
  }
  const animalRows = animalsDone ? [] : inKeyOrder(rows.filter((r) => r.groupId === null));
  const penRows = inKeyOrder(rows.filter((r) => r.groupId !== null));
  for (const [list, target] of [[animalRows, 'animal'], [penRows, 'pen']] as const) {
    if (!list.length) continue;
    const newest = target === 'animal' ? newestPerSeries(list, latestKnown) : [];
    if (target === 'animal' && copy && tx.copyFrom && !copyTried) {
      if (copy.skip > 0) copy.skip--;
      else if (await copyNewReadings(tx, csvOf(list), deferLatest ? [] : newest.map((position) => list[position - 1]!))) {
        for (const r of list) count(r.job, 1);
        if (deferLatest) latestRows = newest.map((position) => list[position - 1]!);
        copied = true;
        continue;
      } else copy.skip = COPY_RETRY_AFTER;
    }
    // When no node has two requests in this flush, what was new is counted per node from the inserted
    // rows alone; otherwise each inserted row is matched back to its request (a join, ~10 % slower).
    const jobOfNode = new Map<number, number>();
    let oneJobPerNode = true;
    for (const r of list) {
      const j = jobOfNode.get(r.nodeId);
      if (j === undefined) jobOfNode.set(r.nodeId, r.job);
      else if (j !== r.job) oneJobPerNode = false;
    }
    const params: unknown[] = [
      list.map((r) => r.job),
      list.map((r) => r.ts),
      list.map((r) => (target === 'animal' ? r.animalId! : r.groupId!)),
      list.map((r) => r.nodeId),
      list.map((r) => r.value),
      list.map((r) => r.metricId),
    ];
    if (target === 'animal') params.push(newest);
    for (const [key, n] of await tx.queryText(insertSql(target, oneJobPerNode ? 'node' : 'job'), params)) {
      count(oneJobPerNode ? jobOfNode.get(Number(key))! : Number(key), Number(n));
    }
  }
  return { accepted, copied, tailSent, latestRows };
}

/** Primary-key order of readings (and of pen_readings): subject, metric, ts, node. */
const byKey = (a: Row, b: Row) => (a.animalId ?? a.groupId!) - (b.animalId ?? b.groupId!) || a.metricId - b.metricId || a.ts - b.ts || a.nodeId - b.nodeId;

/**
 * The rows in primary-key order (each animal's index pages are then visited together), each reading once:
 * sorted, equal readings sit side by side, and the sort is stable, so of two equal readings in one flush
 * the one sent first is stored and the other is a duplicate. (No per-row string keys: 5,000 of them took
 * 3 to 10 ms of the main thread between two statements, with the database waiting.)
 */
function inKeyOrder(rows: Row[]): Row[] {
  const sorted = rows.sort(byKey);
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (n === 0 || byKey(sorted[n - 1]!, sorted[i]!) !== 0) sorted[n++] = sorted[i]!;
  sorted.length = n;
  return sorted;
}

const COPY_READINGS = `COPY readings (ts, animal_id, node_id, value, metric_id) FROM '/dev/blob' WITH (FORMAT csv)`;

const upsertLatestSql = (filter: string) => `INSERT INTO latest_readings (animal_id, metric_id, node_id, ts, value, received_at)
  SELECT a, m, n, to_timestamp(ms / 1000.0), v, now() FROM unnest($1::int4[], $2::int2[], $3::int4[], $4::float8[], $5::float4[]) AS u(a, m, n, ms, v)
  ${filter}
  ON CONFLICT (animal_id, metric_id) DO UPDATE
    SET node_id = EXCLUDED.node_id, ts = EXCLUDED.ts, value = EXCLUDED.value, received_at = EXCLUDED.received_at
    WHERE latest_readings.ts < EXCLUDED.ts`;
const UPSERT_LATEST = upsertLatestSql('');
const UPSERT_LATEST_OF_EXISTING = upsertLatestSql('WHERE EXISTS (SELECT 1 FROM animals WHERE id = u.a)');

/**
 * Each series' newest reading into latest_readings (where it is newer than what is there). `kept`: rows kept back
 * under a backlog, whose animal may have been deleted since (taking her readings with her), so such rows are left
 * out rather than failing the flush.
 */
function upsertLatest(tx: Queryable, rows: readonly Row[], kept = false): Promise<unknown> {
  return tx.queryText(kept ? UPSERT_LATEST_OF_EXISTING : UPSERT_LATEST, [
    rows.map((r) => r.animalId!),
    rows.map((r) => r.metricId),
    rows.map((r) => r.nodeId),
    rows.map((r) => r.ts),
    rows.map((r) => r.value),
  ]);
}

/**
 * The fast path for readings that are all new (the usual case): COPY them in a savepoint, with the
 * latest_readings upsert in the same round trip. If COPY meets a duplicate (or refuses anything else), the
 * savepoint is rolled back and false returned: the caller then writes them with INSERT … ON CONFLICT, which
 * tells new readings from ones already stored.
 */
async function copyNewReadings(tx: Queryable, csv: string, latest: Row[], andThen?: () => Promise<unknown>[]): Promise<boolean> {
  const steps: Promise<unknown>[] = [tx.exec('SAVEPOINT ingest_copy'), tx.copyFrom!(COPY_READINGS, csv)];
  if (latest.length) steps.push(upsertLatest(tx, latest));
  // Statements that assume the COPY succeeds go in the same savepoint, so they are undone with it if not.
  if (andThen) steps.push(...andThen());
  const outcome = await Promise.allSettled(steps);
  if (outcome.every((o) => o.status === 'fulfilled')) return true;
  // No savepoint: the transaction had already failed (not a duplicate), and the whole flush fails with it.
  if (outcome[0]!.status === 'rejected') throw outcome[0]!.reason;
  await tx.exec('ROLLBACK TO SAVEPOINT ingest_copy');
  return false;
}

/** Rows as COPY reads them (in the order given: primary-key order, from inKeyOrder). */
function csvOf(list: Row[]): string {
  let csv = '';
  for (const r of list) csv += `${r.tsText ?? new Date(r.ts).toISOString()},${r.animalId},${r.nodeId},${r.value},${r.metricId}\n`;
  return csv;
}

/** In a list in primary-key order (inKeyOrder), a series' newest reading is the last of its run. */
function isLastOfSeries(list: Row[], i: number): boolean {
  const r = list[i]!;
  const next = list[i + 1];
  return !next || next.animalId !== r.animalId || next.metricId !== r.metricId;
}

/** An animal's metric as one number (for the maps of newest readings; metric ids are smallints). */
const seriesOf = (r: Row) => r.animalId! * 65536 + (r.metricId & 0xffff);

/**
 * The readings that may be a series' newest across jobs made ready on arrival (each job gives its own
 * newest), leaving out those latest_readings is known to hold something newer for. `known` is not updated:
 * the caller does that once the upsert succeeded.
 */
function newestOfJobs(jobs: PreparedCopy[], known: Map<number, number> | undefined): Row[] {
  const best = new Map<number, Row>();
  for (const job of jobs) {
    for (const r of job.newest) {
      const key = seriesOf(r);
      const b = best.get(key);
      if (!b || b.ts < r.ts) best.set(key, r);
    }
  }
  const out: Row[] = [];
  for (const [key, r] of best) {
    const have = known?.get(key);
    if (have === undefined || have < r.ts) out.push(r);
  }
  return out;
}

/**
 * The rows (1-based positions) that may be a series' newest reading: the newest of each animal and metric
 * in this flush, unless latest_readings is known to hold a newer one already (a node re-flushing old data
 * then touches latest_readings not at all). `known` is updated as if the upsert succeeded.
 */
function newestPerSeries(list: Row[], known: Map<number, number> | undefined): number[] {
  const positions: number[] = [];
  for (let i = 0; i < list.length; i++) {
    if (!isLastOfSeries(list, i)) continue;
    const r = list[i]!;
    if (known) {
      const key = seriesOf(r);
      const have = known.get(key);
      if (have !== undefined && have >= r.ts) continue;
      known.set(key, r.ts);
    }
    positions.push(i + 1);
  }
  return positions;
}

/**
 * One statement per flush and target: insert the new readings (in primary-key order, so each animal's
 * index pages are visited together), keep latest_readings current for animals, and count per job what
 * was new. (Table and column names here are constants, never input.)
 */
function insertSql(target: 'animal' | 'pen', countBy: 'node' | 'job'): string {
  const [table, column] = target === 'animal' ? ['readings', 'animal_id'] : ['pen_readings', 'group_id'];
  const latest =
    target === 'animal'
      ? `, latest AS (
           INSERT INTO latest_readings (animal_id, metric_id, node_id, ts, value, received_at)
           SELECT animal_id, metric_id, node_id, ts, value, now() FROM input JOIN unnest($7::int4[]) AS newest(ord) USING (ord)
           ON CONFLICT (animal_id, metric_id) DO UPDATE
             SET node_id = EXCLUDED.node_id, ts = EXCLUDED.ts, value = EXCLUDED.value, received_at = EXCLUDED.received_at
             WHERE latest_readings.ts < EXCLUDED.ts
           RETURNING 1
         )`
      : '';
  return `WITH input AS (
           SELECT job, to_timestamp(ms / 1000.0) AS ts, ${column}, node_id, value, metric_id, ord
             FROM unnest($1::int4[], $2::float8[], $3::int4[], $4::int4[], $5::float4[], $6::int2[])
               WITH ORDINALITY AS u(job, ms, ${column}, node_id, value, metric_id, ord)
         ), ins AS (
           INSERT INTO ${table} (ts, ${column}, node_id, value, metric_id)
           SELECT ts, ${column}, node_id, value, metric_id FROM input ORDER BY ${column}, metric_id, ts ON CONFLICT DO NOTHING
           RETURNING ${column}, metric_id, ts, node_id
         )${latest}
         ${
           countBy === 'node'
             ? 'SELECT node_id AS key, count(*)::int AS n FROM ins GROUP BY node_id'
             : `SELECT i.job AS key, count(*)::int AS n FROM input i JOIN ins USING (${column}, metric_id, ts, node_id) GROUP BY i.job`
         }`;
}

function insertQuarantined(tx: Queryable, jobs: IngestJob[], quarantined: Classified['quarantined']): Promise<unknown> {
  return tx.queryText(
    `INSERT INTO quarantined_readings (node_id, received_at, route, item_index, item, reason)
     SELECT * FROM unnest($1::int4[], $2::timestamptz[], $3::text[], $4::int4[], $5::text[]::jsonb[], $6::text[])`,
    [
      quarantined.map((q) => jobs[q.job]!.node.id),
      quarantined.map((q) => jobs[q.job]!.receivedAt.toISOString()),
      quarantined.map((q) => jobs[q.job]!.route),
      quarantined.map((q) => q.index),
      quarantined.map((q) => jsonbText(q.item)),
      quarantined.map((q) => q.reason),
    ],
  );
}

const COPY_REQUEST_LOG = `COPY node_requests (ts, node_id, ip, route, status, accepted, duplicates, quarantined, duration_ms, error) FROM '/dev/blob' WITH (FORMAT csv)`;

/** A CSV field COPY reads back as the same text (quoted: an unquoted empty field is NULL). */
const csvText = (s: string | null | undefined) => (s === null || s === undefined ? '' : `"${s.replace(/"/g, '""')}"`);

/**
 * The request log's rows: by COPY where the database can (PGlite; measured on 90 rows: 3.2 ms against
 * 4–4.7 ms for the INSERT, whose ten array parameters are parsed element by element), else one INSERT.
 */
function insertRequestLog(tx: Queryable, entries: RequestLogEntry[]): Promise<unknown> {
  if (tx.copyFrom) {
    let csv = '';
    for (const e of entries) {
      csv += `${e.ts.toISOString()},${e.nodeId ?? ''},${csvText(e.ip)},${csvText(safeText(e.route, 64))},${e.status},${e.accepted ?? 0},${e.duplicates ?? 0},`;
      csv += `${e.quarantined ?? 0},${round(e.durationMs)},${csvText(e.error === undefined ? null : safeText(e.error, 500))}\n`;
    }
    return tx.copyFrom(COPY_REQUEST_LOG, csv);
  }
  return tx.queryText(
    `INSERT INTO node_requests (ts, node_id, ip, route, status, accepted, duplicates, quarantined, duration_ms, error)
     SELECT * FROM unnest($1::timestamptz[], $2::int4[], $3::text[], $4::text[], $5::int2[], $6::int4[], $7::int4[], $8::int4[], $9::float4[], $10::text[])`,
    [
      entries.map((e) => e.ts.toISOString()),
      entries.map((e) => e.nodeId),
      entries.map((e) => e.ip ?? null),
      entries.map((e) => safeText(e.route, 64)),
      entries.map((e) => e.status),
      entries.map((e) => e.accepted ?? 0),
      entries.map((e) => e.duplicates ?? 0),
      entries.map((e) => e.quarantined ?? 0),
      entries.map((e) => round(e.durationMs)),
      entries.map((e) => (e.error === undefined ? null : safeText(e.error, 500))),
    ],
  );
}

/** Last contact, counters and reported status, one UPDATE for all the nodes. */
async function updateNodes(tx: Queryable, byNode: Map<number, NodeDelta>): Promise<void> {
  if (!byNode.size) return;
  const list = [...byNode.entries()];
  await tx.queryText(
    `UPDATE nodes n SET
       last_seen_at = greatest(n.last_seen_at, u.seen), last_ip = coalesce(u.ip, n.last_ip),
       accepted_count = n.accepted_count + u.a, duplicate_count = n.duplicate_count + u.d, quarantined_count = n.quarantined_count + u.q,
       battery_volts = coalesce(u.bv, n.battery_volts), battery_percent = coalesce(u.bp, n.battery_percent),
       rssi = coalesce(u.rssi, n.rssi), firmware = coalesce(u.fw, n.firmware),
       status_at = CASE WHEN u.has_status THEN u.seen ELSE n.status_at END
     FROM unnest($1::int4[], $2::timestamptz[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::float4[], $8::float4[], $9::float4[], $10::text[], $11::bool[])
       AS u(id, seen, ip, a, d, q, bv, bp, rssi, fw, has_status)
     WHERE n.id = u.id`,
    [
      list.map(([id]) => id),
      list.map(([, n]) => n.seen.toISOString()),
      list.map(([, n]) => n.ip),
      list.map(([, n]) => n.a),
      list.map(([, n]) => n.d),
      list.map(([, n]) => n.q),
      list.map(([, n]) => n.status.batteryVolts ?? null),
      list.map(([, n]) => n.status.batteryPercent ?? null),
      list.map(([, n]) => n.status.rssi ?? null),
      list.map(([, n]) => n.status.firmware ?? null),
      list.map(([, n]) => Object.keys(n.status).length > 0),
    ],
  );
}

/**
 * Writes journal rows again after a restart (idempotent: what the database kept is a duplicate). Rows of
 * nodes the database no longer has (provisioned after the state it was rolled back to) cannot be stored
 * and are counted as lost, loudly.
 */
export async function replayJournalRows(
  db: Database,
  batches: Iterable<JournalRow[]>,
  onRows?: (rows: readonly StoredRow[]) => void,
): Promise<{ rows: number; stored: number; orphaned: number }> {
  let rows = 0;
  let stored = 0;
  let orphaned = 0;
  const { rows: nodes } = await db.query<{ id: number }>('SELECT id FROM nodes');
  const known = new Set(nodes.map((n) => n.id));
  for (const batch of batches) {
    rows += batch.length;
    const list: Row[] = [];
    for (const [nodeId, animalKey, animalId, groupId, metricId, ts, value] of batch) {
      if (!known.has(nodeId)) {
        orphaned++;
        continue;
      }
      list.push({ job: 0, nodeId, animalKey, animalId, groupId, metricId, ts, value });
    }
    await db.transaction(async (tx) => {
      await resolveAnimals(tx, list);
      const { accepted } = await insertRows(tx, list);
      stored += accepted.get(0) ?? 0;
    });
    onRows?.(list);
  }
  return { rows, stored, orphaned };
}

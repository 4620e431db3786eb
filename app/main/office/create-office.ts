import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { acquireDataDirLock, migrate, openDatabase, type Database, type DataDirLock } from '../../db/index.ts';
import { join } from 'node:path';
import { advertiseIngest } from '../../ingest-server/discovery.ts';
import { createIngestHandler } from '../../ingest-server/handler.ts';
import { IngestWriter, replayJournalRows } from '../../ingest-server/ingest-writer.ts';
import { fsyncTree, IngestJournal } from '../../ingest-server/journal.ts';
import { NodeAuth } from '../../ingest-server/node-auth.ts';
import { RateLimiter } from '../../ingest-server/rate-limit.ts';
import { startIngestServer, type IngestServer } from '../../ingest-server/server.ts';
import type { OfficeConfig } from '../config/config.ts';
import { officeChangeFeed } from '../graphql/change-feed.ts';
import { createGraphqlEngine, type GraphqlEngine } from '../graphql/engine.ts';
import { createLogger, type Logger } from '../log.ts';
import { loadOrCreateSecret } from '../security/secrets.ts';
import { AuthService } from '../auth/auth-service.ts';
import { apiHostOf, jwtKeyOf } from '../auth/keys.ts';
import { VERSION } from '../version.ts';
import { startApiServer, type ApiServer } from './api-server.ts';
import { removeOfficeInfo, writeOfficeInfo } from './office-info.ts';
import { startMaintenance } from './maintenance.ts';
import { withoutRollupTriggers } from '../stats/rollups.ts';
import { StatsService } from '../stats/stats-service.ts';
import { ReportScheduler } from '../reports/scheduler.ts';

/**
 * How long a stop recomputes statistics before it notes what is left in the database for the next start
 * (rollups, then the alert rules on them). Without a bound, a stop after a gateway re-flushed a 2,500-cow day
 * waited 84 s for them on a fast machine and 321 s on a slow one, past a service manager's stop timeout.
 */
const STOP_STATISTICS_MS = 3_000;

/** What the office tells the rest of itself when data changes (analytics and live views subscribe). */
export interface OfficeEvents {
  readings: [{ nodeIds: number[]; animalIds: number[]; accepted: number }];
  change: [what: string];
}

export interface Office {
  readonly apiUrl: string;
  readonly ingestUrl: string;
  readonly db: Database;
  readonly events: EventEmitter<OfficeEvents>;
  /** The generated GraphQL engine (rebuild() after DDL). */
  readonly graphqlEngine: GraphqlEngine;
  /** Accounts and tokens (issue 5). */
  readonly auth: AuthService;
  /** Runs the periodic maintenance now: cleanup, and a durable checkpoint that lets the journal shrink. */
  maintain(): Promise<void>;
  /** Rollups and alert rules (issue 9): `stats.settle()` brings both up to every stored reading. */
  readonly stats: StatsService;
  /** Scheduled reports (issue 7): `reports.runDue()` runs the schedules whose time has come. */
  readonly reports: ReportScheduler;
  /** The rollups (`stats.rollups`): `flush()` makes them current with every stored reading. */
  readonly rollups: StatsService['rollups'];
  /** Counters of the ingest writer (flushes, requests, readings). */
  readonly ingestStats: { flushes: number; requests: number; readings: number };
  /** Stops in reverse order of start: listeners (in-flight requests finish), database (checkpointed), lock. */
  stop(): Promise<void>;
}

/**
 * Starts the office: lock the data dir → open and migrate the database → ingest listener → API and renderer.
 * A failure part-way undoes what had started.
 */
export async function createOffice(config: OfficeConfig, log: Logger = createLogger('office')): Promise<Office> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const undo: (() => Promise<void> | void)[] = [];
  const unwind = async () => {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch((err: unknown) => log.error('stop step failed', { err: err as Error }));
  };
  try {
    const lock: DataDirLock = acquireDataDirLock(config.dataDir, hostname());
    undo.push(() => lock.release());

    const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, snapshot: config.initSnapshot });
    undo.push(() => db.close());
    const { applied } = await migrate(db);
    if (applied.some((m) => m.id === 1)) {
      // A new farm: start in this computer's time zone (the farmer can change it in settings).
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      await db.query('UPDATE farm_settings SET time_zone = $1 WHERE id = 1', [tz]);
    }
    if (applied.length) log.info('database migrated', { applied: applied.map((m) => m.id) });

    const events = new EventEmitter<OfficeEvents>();
    const controlKey = loadOrCreateSecret(config.dataDir, 'control.key');
    const auth = new AuthService({ db, jwtKey: jwtKeyOf(config), controlKey, log, remoteAccess: () => config.remoteAccess, dataDir: config.dataDir });
    // SQL (run_sql, the CLI) may change accounts: the per-user cache of token versions is dropped.
    events.on('change', (what) => {
      if (what === 'schema') auth.invalidate();
    });
    const graphql = await createGraphqlEngine(db, {
      log,
      authenticate: (headers) => auth.authenticate(headers),
      feed: officeChangeFeed(events),
      // A committed mutation tells the rest of the office (live queries, caches of nodes and metrics).
      onWrite: (tables) => {
        for (const table of tables) events.emit('change', table);
      },
    });
    undo.push(() => graphql.close());

    // Rollups and alert rules (issue 9). A refresh tells live queries on the rollup tables and hands what
    // it recomputed to the alert rules; a time-zone change (GraphQL names farm_settings, SQL says 'schema')
    // rebuilds the rollups; other writes to readings are noted by triggers.
    // Nodes posting right now (set once the ingest writer exists): statistics wait for a pause in a burst.
    let ingestBusy = () => false;
    const stats = new StatsService(db, { log, onChanged: (tables) => tables.forEach((t) => events.emit('change', t)), busy: () => ingestBusy() });
    const rollups = stats.rollups;
    events.on('change', (what) => {
      if (what === 'farm_settings' || what === 'schema') rollups.invalidateTimeZone();
      if (what === 'farm_settings' || what === 'schema' || what === 'readings' || what === 'pen_readings') rollups.schedule();
    });
    undo.push(() => stats.close());

    // PGlite never fsyncs: acknowledged readings are journaled (and fsync'ed) until a checkpoint whose
    // files were fsync'ed covers them. A PostgreSQL server is durable by itself and needs no journal.
    const embedded = db.kind === 'pglite';
    const journal = embedded ? await IngestJournal.open(join(config.dataDir, 'journal')) : undefined;
    // `statistics`: how long the rollups may be recomputed before what is left is noted in the database for
    // later (the stop gives them STOP_STATISTICS_MS; the maintenance checkpoint, in the background, all they take).
    const durableCheckpoint = async (statistics: { withinMs?: number } = {}) => {
      if (!journal) {
        await rollups.flush(statistics);
        return db.checkpoint();
      }
      const closed = await writer.runExclusive(() => journal.rotate());
      // The closed segments' rows were all marked before the rotation: once this refresh commits (recomputed, or
      // noted in office.rollup_dirty), the checkpoint covers them too, and the journal that could replay (and
      // re-mark) them may go.
      await rollups.flush(statistics);
      await db.checkpoint();
      await fsyncTree(join(config.dataDir, 'pgdata'));
      await journal.drop(closed);
    };
    if (journal) {
      const segments = journal.segments();
      if (segments.length) {
        const started = Date.now();
        const replay = await replayJournalRows(db, journal.read(segments), (rows) => rollups.markDirty(rows));
        // The statistics of what was replayed are noted, not recomputed: the office starts now, and the scheduled
        // refresh below recomputes them in the background.
        await rollups.flush({ withinMs: 0 });
        log.info('ingest journal replayed', { segments: segments.length, ...replay, ms: Date.now() - started });
        if (replay.orphaned) log.warn('journaled readings of nodes the database no longer has were not restored', { readings: replay.orphaned });
        await db.checkpoint();
        await fsyncTree(join(config.dataDir, 'pgdata'));
        await journal.drop(segments);
      }
      undo.push(() => journal.close());
    }

    // Marks in memory are as durable as the journal behind them (replayed and marked again after a crash).
    // A PostgreSQL server has no journal: there the triggers note the ingest path's writes in its own
    // transactions, and the writer's reports only hasten the refresh.
    const writer: IngestWriter = new IngestWriter(journal ? withoutRollupTriggers(db) : db, {
      log,
      onRows: (rows) => {
        if (journal) rollups.markDirty(rows);
        rollups.schedule();
      },
      retentionDays: config.retentionDays,
      futureToleranceMs: 5 * 60_000,
      journal,
      onStored: (e) => events.emit('readings', { nodeIds: e.nodeIds, animalIds: e.animalIds, accepted: e.accepted }),
      // latest_readings caught up after a backlog, outside a flush: live queries on it run again.
      onLatest: () => events.emit('change', 'latest_readings'),
    });
    // On stop (undo runs in reverse): the listener has stopped taking requests, the writer finishes what is
    // queued, and a last durable checkpoint empties the journal.
    undo.push(async () => {
      await writer.close();
      if (journal) await durableCheckpoint({ withinMs: STOP_STATISTICS_MS });
    });
    ingestBusy = () => writer.busy;
    // A database from before the rollups, or whose zone changed while the office was stopped, is rebuilt; a new
    // one (no readings yet) needs no rebuild and must not start one under the first nodes' posts.
    await rollups.adoptZoneIfEmpty();
    rollups.schedule();
    const nodeAuth = new NodeAuth(db);
    events.on('change', (what) => {
      if (what === 'nodes' || what === 'schema') nodeAuth.invalidate();
      if (what === 'metrics' || what === 'schema') writer.invalidateMetrics();
    });

    const ingest: IngestServer = await startIngestServer(
      createIngestHandler({ db, log, version: VERSION, auth: nodeAuth, writer, limiter: new RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst) }),
      { host: config.ingestHost, port: config.ingestPort, log },
    );
    undo.push(() => ingest.close());
    if (config.discovery) {
      // The port is in the name: two offices on one host (a demo beside the farm's) must not clash.
      const port = Number(new URL(ingest.url).port);
      const mdns = advertiseIngest({ port, name: `Yoctosehns on ${hostname()}:${port}`, version: VERSION, log });
      undo.push(() => mdns.stop());
    }

    // Scheduled reports: created before the API (its routes manage them), started once everything runs.
    const scheduler = new ReportScheduler(db, log, (table) => events.emit('change', table));
    undo.push(() => scheduler.close());

    const api: ApiServer = await startApiServer({
      host: apiHostOf(config),
      auth,
      dataDir: config.dataDir,
      port: config.port,
      db,
      graphql,
      rendererDir: config.rendererDir,
      controlKey,
      version: VERSION,
      log,
      onChange: (what) => events.emit('change', what),
      ingestUrl: ingest.url,
      scheduler,
    });
    undo.push(() => api.close());
    scheduler.start();

    const maintenance = startMaintenance(db, config.maintenanceMinutes, { checkpoint: durableCheckpoint }, log);
    undo.push(() => maintenance.stop());
    // First thing on stop (undo runs in reverse): statistics get STOP_STATISTICS_MS from now, including a refresh
    // the maintenance's checkpoint may be running, which maintenance.stop() waits for.
    undo.push(() => rollups.finishBy(STOP_STATISTICS_MS));

    writeOfficeInfo(config.dataDir, { pid: process.pid, api: api.url, ingest: ingest.url });
    undo.push(() => removeOfficeInfo(config.dataDir, process.pid));

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      ingestUrl: ingest.url,
      db,
      events,
      graphqlEngine: graphql,
      auth,
      maintain: () => maintenance.runNow(),
      stats,
      rollups,
      reports: scheduler,
      ingestStats: writer.stats,
      stop: () => (stopping ??= unwind()),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

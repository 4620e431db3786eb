import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { acquireDataDirLock, migrate, openDatabase, type Database, type DataDirLock } from '../../db/index.ts';
import { createIngestHandler } from '../../ingest-server/handler.ts';
import { startIngestServer, type IngestServer } from '../../ingest-server/server.ts';
import type { OfficeConfig } from '../config/config.ts';
import { createGraphqlEngine, type GraphqlEngine } from '../graphql/engine.ts';
import { createLogger, type Logger } from '../log.ts';
import { loadOrCreateSecret } from '../security/secrets.ts';
import { VERSION } from '../version.ts';
import { startApiServer, type ApiServer } from './api-server.ts';
import { removeOfficeInfo, writeOfficeInfo } from './office-info.ts';
import { startMaintenance } from './maintenance.ts';

/** What the office tells the rest of itself when data changes (analytics and live views subscribe). */
export interface OfficeEvents {
  readings: [{ nodeId: number; animalIds: number[]; accepted: number }];
  change: [what: string];
}

export interface Office {
  readonly apiUrl: string;
  readonly ingestUrl: string;
  readonly db: Database;
  readonly events: EventEmitter<OfficeEvents>;
  /** The generated GraphQL engine (rebuild() after DDL). */
  readonly graphqlEngine: GraphqlEngine;
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
    const graphql = await createGraphqlEngine(db);
    const controlKey = loadOrCreateSecret(config.dataDir, 'control.key');

    const ingest: IngestServer = await startIngestServer(
      createIngestHandler({
        db,
        log,
        version: VERSION,
        onIngest: ({ node, outcome }) => {
          if (outcome.accepted > 0) events.emit('readings', { nodeId: node.id, animalIds: outcome.animalIds, accepted: outcome.accepted });
        },
      }),
      { host: config.ingestHost, port: config.ingestPort, log },
    );
    undo.push(() => ingest.close());

    const api: ApiServer = await startApiServer({
      host: config.host,
      port: config.port,
      db,
      graphql,
      rendererDir: config.rendererDir,
      controlKey,
      version: VERSION,
      log,
      onChange: (what) => events.emit('change', what),
    });
    undo.push(() => api.close());

    const maintenance = startMaintenance(db, config.maintenanceMinutes, log);
    undo.push(() => maintenance.stop());

    writeOfficeInfo(config.dataDir, { pid: process.pid, api: api.url, ingest: ingest.url });
    undo.push(() => removeOfficeInfo(config.dataDir, process.pid));

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      ingestUrl: ingest.url,
      db,
      events,
      graphqlEngine: graphql,
      stop: () => (stopping ??= unwind()),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

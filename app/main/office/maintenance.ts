import type { Database } from '../../db/index.ts';
import type { Logger } from '../log.ts';

export interface MaintenanceTasks {
  /** Makes the database state durable (PGlite: CHECKPOINT, fsync, then the ingest journal may shrink). */
  checkpoint(): Promise<void>;
}

/**
 * What PGlite does not do by itself: single-user mode has no checkpointer and no autovacuum. A checkpoint
 * every few minutes keeps the WAL within max_wal_size; VACUUM ANALYZE every few hours keeps the planner's
 * statistics fresh and reclaims dead rows. Logs past their keeping time are deleted. (A PostgreSQL server
 * checkpoints and vacuums itself; running these is harmless there.)
 */
export function startMaintenance(db: Database, minutes: number, tasks: MaintenanceTasks, log: Logger) {
  let runs = 0;
  let running: Promise<void> | undefined;
  const vacuumEvery = Math.max(1, Math.round((6 * 60) / minutes));
  const run = async () => {
    runs++;
    try {
      await db.query(`DELETE FROM node_requests WHERE ts < now() - interval '30 days'`);
      await db.query(`DELETE FROM office.idempotency_keys WHERE created_at < now() - interval '7 days'`);
      if (runs % vacuumEvery === 0) {
        const started = Date.now();
        await db.exec('VACUUM ANALYZE');
        log.info('vacuum analyze done', { ms: Date.now() - started });
      }
      await tasks.checkpoint();
    } catch (err) {
      log.error('database maintenance failed', { err: err as Error });
    }
  };
  const timer = setInterval(() => {
    running ??= run().finally(() => (running = undefined));
  }, minutes * 60_000);
  timer.unref();
  return {
    /** Runs the maintenance now (tests, the CLI). */
    runNow: () => (running ??= run().finally(() => (running = undefined))),
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

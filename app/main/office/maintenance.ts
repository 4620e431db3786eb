import type { Database } from '../../db/index.ts';
import type { Logger } from '../log.ts';

/**
 * What PGlite does not do by itself: single-user mode has no checkpointer and no autovacuum. A CHECKPOINT
 * every few minutes keeps the WAL within max_wal_size; VACUUM ANALYZE every few hours keeps the planner's
 * statistics fresh and reclaims dead rows. (A PostgreSQL server does both itself; running them is harmless.)
 */
export function startMaintenance(db: Database, minutes: number, log: Logger) {
  let runs = 0;
  let running = false;
  const vacuumEvery = Math.max(1, Math.round((6 * 60) / minutes));
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      runs++;
      if (runs % vacuumEvery === 0) {
        const started = Date.now();
        await db.exec('VACUUM ANALYZE');
        log.info('vacuum analyze done', { ms: Date.now() - started });
      }
      await db.checkpoint();
    } catch (err) {
      log.error('database maintenance failed', { err: err as Error });
    } finally {
      running = false;
    }
  }, minutes * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

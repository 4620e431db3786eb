import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Mutex } from './mutex.ts';
import { DatabaseError, type Database, type Queryable, type QueryResult, type Row, type TextResult } from './types.ts';
import type { WorkerRequest, WorkerResponse } from './pglite-protocol.ts';

export interface PgliteOptions {
  dataDir: string;
  /** A tar made by dumpDataDir: used instead of initdb when the data dir is new (fast test databases). */
  snapshot?: string | undefined;
}

/** PostgreSQL settings for an office PC: the WAL is capped (PGlite would let it grow to about 1 GB) and
 * checkpoints are forced by the office's maintenance timer, since single-user mode has no checkpointer.
 * shared_buffers is 32 MB instead of 128 MB: the WASM heap grows to hold it (measured: 280 → 182 MiB RSS
 * for an open database) while the operating system's page cache still caches the data files. */
const POSTGRESQL_CONF = ['max_wal_size = 64MB', 'min_wal_size = 32MB', 'wal_recycle = off', 'shared_buffers = 32MB', "timezone = 'UTC'"];

// The worker is a sibling module: its compiled .js, or under tsx (development, tests) a bootstrap that
// registers the TypeScript loader in the worker thread first.
const workerPath = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './pglite-worker-tsx.mjs' : './pglite-worker.js', import.meta.url),
);

/** Omit distributed over each member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export async function openPglite(options: PgliteOptions): Promise<Database> {
  const worker = new Worker(workerPath, {
    workerData: { dataDir: options.dataDir, snapshot: options.snapshot, postgresqlconf: POSTGRESQL_CONF },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; req: WorkerRequest }>();
  let nextId = 1;
  let closed = false;
  let fatal: Error | undefined;

  const started = new Promise<void>((resolve, reject) => {
    worker.once('message', (msg: WorkerResponse) => {
      if (msg.ok) resolve();
      else reject(new DatabaseError(`cannot open the database in ${options.dataDir}: ${msg.error.message}`, { query: '' }));
      worker.on('message', onMessage);
    });
    worker.once('error', reject);
  });

  function onMessage(msg: WorkerResponse): void {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else {
      const req = p.req;
      const query = req.op === 'query' || req.op === 'queryText' || req.op === 'exec' || req.op === 'execResults' ? req.sql : req.op;
      const params = req.op === 'query' || req.op === 'queryText' ? req.params : [];
      p.reject(new DatabaseError(msg.error.message, { ...msg.error, query, params }));
    }
  }
  worker.on('error', (err) => {
    fatal = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  worker.on('exit', (code) => {
    if (!closed) {
      fatal = new Error(`the database worker stopped unexpectedly (exit code ${code})`);
      for (const p of pending.values()) p.reject(fatal);
      pending.clear();
    }
  });

  await started;

  function send<T>(req: WithoutId<WorkerRequest>): Promise<T> {
    if (fatal) return Promise.reject(fatal);
    if (closed) return Promise.reject(new Error('the database is closed'));
    const full = { ...req, id: nextId++ } as WorkerRequest;
    return new Promise<T>((resolve, reject) => {
      pending.set(full.id, { resolve: resolve as (v: unknown) => void, reject, req: full });
      worker.postMessage(full);
    });
  }

  const raw: Queryable = {
    query: <R = Row>(sql: string, params: readonly unknown[] = []) =>
      send<QueryResult<R>>({ op: 'query', sql, params }),
    queryText: (sql: string, params: readonly unknown[] = []) => send<(string | null)[][]>({ op: 'queryText', sql, params }),
    exec: (sql: string) => send<void>({ op: 'exec', sql }),
    execResults: (sql: string) => send<TextResult[]>({ op: 'execResults', sql }),
    copyFrom: (sql: string, data: string) => send<void>({ op: 'copyFrom', sql, data }),
    copyTo: (sql: string) => send<string>({ op: 'copyTo', sql }),
  };
  const lock = new Mutex();

  return {
    kind: 'pglite',
    location: options.dataDir,
    query: (sql, params) => lock.run(() => raw.query(sql, params)),
    queryText: (sql, params) => lock.run(() => raw.queryText(sql, params)),
    exec: (sql) => lock.run(() => raw.exec(sql)),
    execResults: (sql) => lock.run(() => raw.execResults(sql)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      lock.run(async () => {
        // BEGIN is not waited for: the worker runs messages in order, so the transaction's first statement
        // follows it in the same turn of the worker (one round trip less per transaction). Its failure, if
        // any, is what the first statement or the COMMIT then reports.
        const begun = raw.exec('BEGIN');
        begun.catch(() => undefined);
        try {
          const result = await fn(raw);
          await begun;
          await raw.exec('COMMIT');
          return result;
        } catch (err) {
          await raw.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    checkpoint: () => lock.run(() => raw.exec('CHECKPOINT')),
    close: async () => {
      if (closed) return;
      await lock.run(async () => {
        if (!fatal) await raw.exec('CHECKPOINT').catch(() => undefined);
        if (!fatal) await send<void>({ op: 'close' }).catch(() => undefined);
        closed = true;
        await worker.terminate();
      });
    },
    // Used by the test-snapshot helper only.
    dump: () => lock.run(() => send<Uint8Array>({ op: 'dump' })),
  } as Database & { dump(): Promise<Uint8Array> };
}

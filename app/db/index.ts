import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openPglite } from './pglite-client.ts';
import { openPostgres } from './postgres-client.ts';
import type { Database } from './types.ts';

export * from './types.ts';
export { migrate, loadMigrations, MigrationHistoryError } from './migrate.ts';
export { acquireDataDirLock, readLock, isHolderAlive, DataDirLockedError, type DataDirLock, type LockInfo } from './lock.ts';
export { maskUrl } from './postgres-client.ts';

export interface OpenDatabaseOptions {
  /** The office's data dir; PGlite keeps its files in `pgdata/` inside it. */
  dataDir: string;
  /** A `postgres://` URL: use that server instead of the embedded database. */
  databaseUrl?: string | undefined;
  /** A dumpDataDir tar to start a new embedded database from, instead of running initdb. */
  snapshot?: string | undefined;
}

export function isPostgresUrl(value: string | undefined): value is string {
  return !!value && /^postgres(ql)?:\/\//.test(value);
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (isPostgresUrl(options.databaseUrl)) return openPostgres(options.databaseUrl);
  const pgdata = join(options.dataDir, 'pgdata');
  await mkdir(pgdata, { recursive: true, mode: 0o700 });
  // The snapshot only seeds a new database; an existing one is opened as it is.
  const isNew = !existsSync(join(pgdata, 'PG_VERSION'));
  return openPglite({ dataDir: pgdata, snapshot: isNew ? options.snapshot : undefined });
}

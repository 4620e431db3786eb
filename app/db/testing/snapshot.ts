// Test support: initdb takes 4–7 s, so tests start their databases from a snapshot of a freshly migrated
// data dir (PGlite's dumpDataDir), made once per migration set and cached under node_modules/.cache.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate } from '../migrate.ts';
import { openPglite } from '../pglite-client.ts';
import { openDatabase } from '../index.ts';
import type { Database } from '../types.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'yoctosehns');

let pending: Promise<string> | undefined;

/** The path of a tar of a new, fully migrated database (made on first use). */
export function testSnapshot(): Promise<string> {
  return (pending ??= (async () => {
    const migrations = await loadMigrations();
    const pglite = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
    const hash = createHash('sha256').update(pglite).update(migrations.map((m) => m.checksum).join()).digest('hex').slice(0, 16);
    const file = join(CACHE, `pgdata-${hash}.tar`);
    if (existsSync(file)) return file;
    mkdirSync(CACHE, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'ys-snapshot-'));
    try {
      const db = (await openPglite({ dataDir: dir })) as Database & { dump(): Promise<Uint8Array> };
      await migrate(db, migrations);
      await db.checkpoint();
      const tar = await db.dump();
      await db.close();
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, tar);
      renameSync(tmp, file); // atomic: concurrent test files never read half a snapshot
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return file;
  })());
}

/** A new temporary data dir whose database starts from the snapshot; `cleanup` removes it. */
export async function tempDataDir(prefix = 'ys-test-'): Promise<{ dataDir: string; snapshot: string; cleanup(): void }> {
  const snapshot = await testSnapshot();
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  return { dataDir, snapshot, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** An open, migrated database in a temporary data dir. */
export async function openTestDatabase(): Promise<{ db: Database; dataDir: string; cleanup(): Promise<void> }> {
  const { dataDir, snapshot, cleanup } = await tempDataDir();
  const db = await openDatabase({ dataDir, snapshot });
  await migrate(db);
  return {
    db,
    dataDir,
    async cleanup() {
      await db.close();
      cleanup();
    },
  };
}

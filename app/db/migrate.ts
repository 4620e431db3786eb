import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './types.ts';

export interface Migration {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationHistoryError extends Error {
  override name = 'MigrationHistoryError';
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Reads the numbered SQL files (`0001_name.sql`) in order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const migrations: Migration[] = [];
  for (const [index, file] of files.entries()) {
    const id = Number(file.slice(0, 4));
    if (id !== index + 1) throw new MigrationHistoryError(`migration files must be numbered 0001, 0002, … without gaps: found ${file}`);
    const sql = await readFile(dir + file, 'utf8');
    migrations.push({ id, name: file.slice(5, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, and records them. Refuses a database
 * whose recorded history differs from the files (an edited, missing or unknown migration): starting on it
 * could silently run code against a schema it was not written for.
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<{ applied: Migration[] }> {
  const files = migrations ?? (await loadMigrations());
  // Kept outside `public`, so the generated GraphQL API never exposes it.
  await db.exec(`CREATE SCHEMA IF NOT EXISTS office;
    CREATE TABLE IF NOT EXISTS office.schema_migrations (
      id integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const { rows: recorded } = await db.query<{ id: number; name: string; checksum: string }>(
    'SELECT id, name, checksum FROM office.schema_migrations ORDER BY id',
  );
  for (const [i, r] of recorded.entries()) {
    const f = files[i];
    if (!f || f.id !== r.id) {
      throw new MigrationHistoryError(
        `the database records migration ${r.id} (${r.name}) which this version of Yoctosehns does not have; ` +
          'it was written by a newer or different version — start that version, or restore a backup',
      );
    }
    if (f.checksum !== r.checksum || f.name !== r.name) {
      throw new MigrationHistoryError(
        `migration ${r.id} (${r.name}) recorded in the database differs from the file ${String(f.id).padStart(4, '0')}_${f.name}.sql; refusing to start`,
      );
    }
  }
  const pending = files.slice(recorded.length);
  for (const m of pending) {
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO office.schema_migrations (id, name, checksum) VALUES ($1, $2, $3)', [m.id, m.name, m.checksum]);
    });
  }
  return { applied: pending };
}

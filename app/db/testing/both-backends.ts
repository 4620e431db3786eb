import { test } from 'node:test';
import { openPostgres } from '../postgres-client.ts';
import type { Database } from '../types.ts';
import { openTestDatabase } from './snapshot.ts';

/**
 * The same check on PGlite and on a PostgreSQL server: two tests, `<name> on PGlite` and `<name> on a PostgreSQL
 * server`. The server half runs where YOCTOSEHNS_TEST_DATABASE_URL names a scratch database (npm test starts
 * one when the postgresql package is installed) and says why it skips otherwise.
 */
export function testOnBothBackends(name: string, check: (db: Database) => Promise<void>): void {
  test(`${name} on PGlite`, async () => {
    const { db, cleanup } = await openTestDatabase();
    try {
      await check(db);
    } finally {
      await cleanup();
    }
  });
  const url = process.env.YOCTOSEHNS_TEST_DATABASE_URL;
  test(`${name} on a PostgreSQL server`, { skip: url ? false : 'set YOCTOSEHNS_TEST_DATABASE_URL to a scratch database to run it' }, async () => {
    const db = await openPostgres(url!);
    try {
      await check(db);
    } finally {
      await db.close();
    }
  });
}

import { createHash } from 'node:crypto';
import pg from 'pg';
import { DatabaseError, type Database, type Queryable, type QueryResult, type Row, type TextResult } from './types.ts';

// Same value shapes as PGlite gives: int8 (counts) as numbers, numeric as strings, timestamps as Dates.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

// Every value as the text PostgreSQL sent (execResults): the same answer PGlite gives with its parsers off.
const textTypes = { getTypeParser: () => (v: string) => v };

/** The URL with its password masked, for messages and logs. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

function wrap(err: unknown, sql: string, params: readonly unknown[]): DatabaseError {
  const e = err as { message?: string; code?: string; detail?: string; constraint?: string; hint?: string };
  return new DatabaseError(String(e?.message ?? err), {
    code: e?.code,
    detail: e?.detail,
    constraint: e?.constraint,
    hint: e?.hint,
    query: sql,
    params,
  });
}

/** A prepared statement's name from its text (PostgreSQL keeps names up to 63 bytes). */
function statementName(sql: string): string {
  return `ys_${createHash('sha256').update(sql).digest('base64url').slice(0, 40)}`;
}

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const r = await client.query({ text: sql, values: params as unknown[], types });
        return { rows: r.rows as R[], affectedRows: r.command === 'SELECT' ? 0 : (r.rowCount ?? 0) };
      } catch (err) {
        throw wrap(err, sql, params);
      }
    },
    async queryText(sql: string, params: readonly unknown[] = []): Promise<(string | null)[][]> {
      try {
        // A named statement: pg prepares it once on each connection of the pool and then only binds it.
        const r = await client.query({ name: statementName(sql), text: sql, values: params as unknown[], rowMode: 'array', types: textTypes });
        return r.rows as (string | null)[][];
      } catch (err) {
        throw wrap(err, sql, params);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await client.query(sql);
      } catch (err) {
        throw wrap(err, sql, []);
      }
    },
    async execResults(sql: string): Promise<TextResult[]> {
      try {
        // No parameters: pg sends a simple query, which may hold several statements and then resolves to
        // one result per statement (a single result otherwise).
        const r = (await client.query({ text: sql, rowMode: 'array', types: textTypes })) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
        return (Array.isArray(r) ? r : [r]).map((one) => ({
          command: one.command ?? undefined,
          fields: one.fields.map((f) => f.name),
          rows: one.rows as (string | null)[][],
          rowCount: one.rowCount ?? undefined,
        }));
      } catch (err) {
        throw wrap(err, sql, []);
      }
    },
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 8, options: '-c TimeZone=UTC' });
  const location = maskUrl(url);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseError(`cannot connect to ${location}: ${(err as Error).message}`, { query: 'SELECT 1' });
  }
  const base = queryable(pool);
  return {
    kind: 'postgres',
    location,
    query: base.query,
    queryText: base.queryText,
    exec: base.exec,
    execResults: base.execResults,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    // A server has its own checkpointer; nothing to force.
    checkpoint: async () => undefined,
    close: () => pool.end(),
  };
}

/** The database interface every part of the office uses. Two implementations: PGlite (embedded, in a worker
 * thread so queries never block the HTTP thread) and a PostgreSQL server through `pg`. Nothing outside
 * app/db may rely on which one it has. */

export type Row = Record<string, unknown>;

export interface QueryResult<R = Row> {
  rows: R[];
  /** Rows inserted, updated or deleted by the statement (0 for a plain SELECT). */
  affectedRows: number;
}

/** One statement's result as PostgreSQL sent it, every value in PostgreSQL's text form (run_sql, `cli sql`). */
export interface TextResult {
  /** The first word of the command tag (SELECT, INSERT, CREATE, …); undefined for an empty statement. */
  command: string | undefined;
  /** Column names, in order (names may repeat); empty for a statement that returns no rows. */
  fields: string[];
  /** Each row's values as PostgreSQL prints them (`t`, `1.50`, `2026-01-01 00:00:00+00`, `{1,2}`); NULL as null. */
  rows: (string | null)[][];
  /** The row count of the command tag (rows returned, inserted, updated, …); undefined when the tag has none. */
  rowCount: number | undefined;
}

export interface Queryable {
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs one statement as a prepared statement kept for its text: planned once, then bound and run in one round
   * trip (PGlite: one call into PostgreSQL instead of six). Rows as PostgreSQL's text, values in column order.
   * For statements the office runs again and again with different parameters (the GraphQL engine's).
   */
  queryText(sql: string, params?: readonly unknown[]): Promise<(string | null)[][]>;
  /** Runs one or more statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Runs one or more statements without parameters and gives each statement's result, values as text: the
   * same answer from both backends (no value goes through a JavaScript type and back).
   */
  execResults(sql: string): Promise<TextResult[]>;
  /**
   * PGlite only: runs `COPY … FROM '/dev/blob'` with `data` as the file. COPY writes rows in batches (a
   * multi-row heap insert), about 1.5× the rate of INSERT … SELECT; the ingest path uses it for new readings.
   */
  copyFrom?(sql: string, data: string): Promise<void>;
  /**
   * PGlite only: runs `COPY (…) TO '/dev/blob'` and gives the file it wrote. PostgreSQL formats the rows in C,
   * about 3–6× the rate of a query whose rows are parsed into objects; large exports read readings this way.
   * COPY takes no bind parameters: pass values through `set_config(…, true)` in the same transaction.
   */
  copyTo?(sql: string): Promise<string>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** A data dir path or a URL with the password masked: safe to print. */
  readonly location: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Flushes the WAL into the data files and caps its size (PGlite has no background checkpointer). */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

/** A database error that carries the statement and its parameters, as PGlite's errors do. */
export class DatabaseError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;
  readonly hint: string | undefined;
  readonly query: string;
  readonly params: readonly unknown[];
  constructor(
    message: string,
    info: { code?: string; detail?: string; constraint?: string; hint?: string; query: string; params?: readonly unknown[] },
  ) {
    super(message);
    this.name = 'DatabaseError';
    this.code = info.code;
    this.detail = info.detail;
    this.constraint = info.constraint;
    this.hint = info.hint;
    this.query = info.query;
    this.params = info.params ?? [];
  }
}

// Hasura's schema API (POST /v2/query): `run_sql`, and `bulk` of several run_sql in one transaction. Admin only.
// The core here turns a request into a status and a body; app/main/office/api-server.ts is the HTTP adapter, and
// the CLI's `sql` command calls runSql directly.
import { DatabaseError, type Database, type Queryable, type TextResult } from '../../db/index.ts';
import { isAdminRole } from './types.ts';
import { accessDenied, HasuraApiError, isPlainObject, jsonTypeName, pathKey } from './hasura-error.ts';

export interface RunSqlArgs {
  sql: string;
  /** Run in a read-only transaction: the SQL cannot change anything, and the schema is not rebuilt. */
  read_only?: boolean;
}

/** Hasura's answer to one run_sql: the first row of `result` holds the column names; every value is text. */
export type RunSqlResult = { result_type: 'TuplesOk'; result: (string | null)[][] } | { result_type: 'CommandOk'; result: null };

export interface RunSqlOutcome {
  /** One per run_sql, each the result of its last statement. */
  results: RunSqlResult[];
  /** The last statement's result of each run_sql as the database gave it (the CLI prints its command tag). */
  last: (TextResult | undefined)[];
  /** Something other than plain DML ran (or the GraphQL metadata tables were named): rebuild the GraphQL schema. */
  mayChangeSchema: boolean;
  /** Some SQL ran outside read-only mode, so data may have changed. */
  mayChangeData: boolean;
}

/** Statements whose command tags leave the catalog as it was (WITH … gives the tag of its main statement). */
const DATA_ONLY_COMMANDS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'FETCH', 'MOVE', 'EXPLAIN', 'SHOW', 'VALUES', 'TABLE']);

/** Transaction control would end the one transaction run_sql runs in (or step out of read-only mode). */
const TRANSACTION_CONTROL = new Set(['BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE']);

const READ_ONLY_SAVEPOINT = 'ys_run_sql_read_only';

/**
 * The words (upper case, outside strings, quoted names and comments) of each statement in `sql`. Splits at
 * top-level semicolons the way PostgreSQL's own lexer sees them: not inside '…', E'…', "…", $tag$…$tag$, -- or
 * /* *\/ comments, nor inside the BEGIN ATOMIC … END body of a CREATE FUNCTION/PROCEDURE (tracked as psql does,
 * counting BEGIN/CASE … END). A statement that starts with a symbol ("(") has it as its first word.
 */
export function statementWords(sql: string): string[][] {
  const statements: string[][] = [];
  let words: string[] = [];
  let depth = 0;
  let routine = false;
  const n = sql.length;
  let i = 0;
  const endStatement = () => {
    if (words.length) statements.push(words);
    words = [];
    depth = 0;
    routine = false;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let level = 1;
      i += 2;
      while (i < n && level > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (level++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (level--, (i += 2));
        else i++;
      }
    } else if (c === "'" || c === '"') {
      // E'…' strings take backslash escapes; the E was read as a word just before.
      const escapes = c === "'" && /(^|[^A-Za-z0-9_$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i));
      if (escapes && words.length && words[words.length - 1] === 'E') words.pop();
      if (!words.length && c === '"') words.push('"'); // a statement that starts with a quoted name
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === '$' && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? n : end + tag.length;
      } else i++;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toUpperCase();
      words.push(word);
      if (words[0] === 'CREATE' && (word === 'FUNCTION' || word === 'PROCEDURE')) routine = true;
      if (routine && (word === 'BEGIN' || (word === 'CASE' && depth > 0))) depth++;
      else if (routine && word === 'END' && depth > 0) depth--;
      i = j;
    } else if (c === ';' && depth === 0) {
      endStatement();
      i++;
    } else {
      if (!/\s/.test(c) && !words.length) words.push(c); // a statement starting with "(" or a digit still counts
      i++;
    }
  }
  endStatement();
  return statements;
}

/** The first two words of each statement (see statementWords). */
export function statementHeads(sql: string): string[][] {
  return statementWords(sql).map((words) => words.slice(0, 2));
}

/** Statements that begin so change rows, not tables (WITH … and ( … ) included; SELECT … INTO is checked apart). */
const DATA_ONLY_STATEMENTS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'WITH', 'VALUES', 'TABLE', 'EXPLAIN', 'SHOW', 'COPY', 'FETCH', 'MOVE', '(']);

/**
 * Whether SQL may have changed what the GraphQL schema is built from: any statement but plain DML (CREATE
 * TABLE AS reports itself as SELECT, so the statement's own words decide, and SELECT … INTO creates a table),
 * a command tag other than DML, or the permission and role tables named.
 */
export function mayChangeSchema(sql: string, results: readonly TextResult[]): boolean {
  if (/graphql_(permissions|roles)/i.test(sql)) return true;
  if (results.some((r) => r.command !== undefined && !DATA_ONLY_COMMANDS.has(r.command.toUpperCase()))) return true;
  return statementWords(sql).some(
    (words) => !DATA_ONLY_STATEMENTS.has(words[0]!) || (['SELECT', 'WITH', '('].includes(words[0]!) && words.includes('INTO')),
  );
}

function refuseTransactionControl(sql: string, path: string): void {
  for (const [first, second] of statementHeads(sql)) {
    const twoPhase = (first === 'PREPARE' && second === 'TRANSACTION') || ((first === 'COMMIT' || first === 'ROLLBACK') && second === 'PREPARED');
    if (TRANSACTION_CONTROL.has(first!) || twoPhase) {
      throw new HasuraApiError(
        400,
        'validation-failed',
        `run_sql runs all its SQL in one transaction: remove the transaction control statement (${[first, second].filter(Boolean).join(' ')})`,
        path,
      );
    }
  }
}

function toHasura(r: TextResult | undefined): RunSqlResult {
  // A statement that sends a row description returns tuples (even none); a zero-column SELECT still has rows.
  if (r && (r.fields.length > 0 || r.rows.length > 0)) return { result_type: 'TuplesOk', result: [r.fields, ...r.rows] };
  return { result_type: 'CommandOk', result: null };
}

/** A PostgreSQL error as Hasura reports it (code postgres-error, the details under `internal`). */
export function postgresError(err: DatabaseError, sql: string, path: string): HasuraApiError {
  return new HasuraApiError(400, 'postgres-error', 'query execution failed', path, {
    arguments: [],
    error: {
      description: err.detail ?? null,
      exec_status: 'FatalError',
      hint: err.hint ?? null,
      message: err.message,
      status_code: err.code ?? null,
    },
    prepared: false,
    statement: sql,
  });
}

/**
 * Runs each item's SQL, all in one transaction: any error rolls back everything (HasuraApiError with the path of
 * the failing item). `paths[i]` is where item i sits in the request, for errors.
 */
export async function runSql(db: Database, items: RunSqlArgs[], paths: string[] = items.map(() => '$.args')): Promise<RunSqlOutcome> {
  items.forEach((item, i) => refuseTransactionControl(item.sql, paths[i]!));
  const last: (TextResult | undefined)[] = [];
  let schemaChanged = false;
  let mayChangeData = false;
  let current = 0;
  try {
    await db.transaction(async (tx: Queryable) => {
      for (const [i, item] of items.entries()) {
        current = i;
        let results: TextResult[];
        if (item.read_only) {
          // Read-only for this item only (a bulk may mix both): a savepoint whose rollback also restores the
          // transaction's read-write mode; PostgreSQL refuses to switch back to read-write inside it.
          await tx.exec(`SAVEPOINT ${READ_ONLY_SAVEPOINT}; SET LOCAL transaction_read_only = on`);
          results = await tx.execResults(item.sql);
          await tx.exec(`ROLLBACK TO SAVEPOINT ${READ_ONLY_SAVEPOINT}; RELEASE SAVEPOINT ${READ_ONLY_SAVEPOINT}`);
        } else {
          results = await tx.execResults(item.sql);
          mayChangeData = true;
          if (!schemaChanged && mayChangeSchema(item.sql, results)) schemaChanged = true;
        }
        last.push(results[results.length - 1]);
      }
    });
  } catch (err) {
    if (err instanceof DatabaseError) throw postgresError(err, items[current]!.sql, paths[current]!);
    throw err;
  }
  return { results: last.map(toHasura), last, mayChangeSchema: schemaChanged, mayChangeData };
}

function parseRunSqlArgs(args: unknown, path: string): RunSqlArgs {
  if (!isPlainObject(args)) throw new HasuraApiError(400, 'parse-failed', `expected Object, but encountered ${jsonTypeName(args)}`, path);
  if (args.source !== undefined && args.source !== 'default') {
    throw new HasuraApiError(400, 'not-exists', `source with name ${JSON.stringify(String(args.source))} does not exist`, pathKey(path, 'source'));
  }
  if (args.sql === undefined) throw new HasuraApiError(400, 'parse-failed', 'key "sql" not found', path);
  if (typeof args.sql !== 'string') throw new HasuraApiError(400, 'parse-failed', `expected String, but encountered ${jsonTypeName(args.sql)}`, pathKey(path, 'sql'));
  for (const key of ['read_only', 'cascade', 'check_metadata_consistency'] as const) {
    if (args[key] !== undefined && typeof args[key] !== 'boolean') {
      throw new HasuraApiError(400, 'parse-failed', `expected Boolean, but encountered ${jsonTypeName(args[key])}`, pathKey(path, key));
    }
  }
  // `cascade` and `check_metadata_consistency` are accepted for compatibility: permissions that name a column or
  // table the SQL dropped are skipped (with a warning) when the schema is rebuilt, not enforced here.
  return { sql: args.sql, read_only: args.read_only === true };
}

/** Reads a /v2/query body: one run_sql, or a bulk of them. */
export function parseSchemaQuery(body: unknown): { items: RunSqlArgs[]; paths: string[]; bulk: boolean } {
  if (!isPlainObject(body)) throw new HasuraApiError(400, 'parse-failed', `expected Object, but encountered ${jsonTypeName(body)}`, '$');
  if (body.type === 'run_sql') return { items: [parseRunSqlArgs(body.args, '$.args')], paths: ['$.args'], bulk: false };
  if (body.type === 'bulk') {
    if (!Array.isArray(body.args)) throw new HasuraApiError(400, 'parse-failed', `expected Array, but encountered ${jsonTypeName(body.args)}`, '$.args');
    const items: RunSqlArgs[] = [];
    const paths: string[] = [];
    body.args.forEach((q: unknown, i) => {
      const at = `$.args[${i}]`;
      if (!isPlainObject(q) || q.type !== 'run_sql') {
        throw new HasuraApiError(400, 'parse-failed', `only run_sql is supported in a bulk here, not ${JSON.stringify(isPlainObject(q) ? q.type : q)}`, `${at}.type`);
      }
      items.push(parseRunSqlArgs(q.args, `${at}.args`));
      paths.push(`${at}.args`);
    });
    return { items, paths, bulk: true };
  }
  throw new HasuraApiError(400, 'parse-failed', `unknown request type ${JSON.stringify(body.type)}: this office supports run_sql and bulk`, '$.type');
}

export interface SchemaApiDeps {
  db: Database;
  /** Re-reads the catalog and the permissions (GraphqlEngine.rebuild). */
  rebuild(): Promise<void>;
  /** Tells the office that data, and maybe the schema, changed (`'schema'`). */
  onChange(what: string): void;
  /** A rebuild that failed after the SQL committed is logged, not reported as the SQL's failure. */
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** The whole /v2/query exchange, HTTP aside: who asks (role), what they sent, and what to answer. */
export async function handleSchemaQuery(deps: SchemaApiDeps, role: string, body: unknown): Promise<{ status: number; body: unknown }> {
  try {
    if (!isAdminRole(role)) throw accessDenied();
    const { items, paths, bulk } = parseSchemaQuery(body);
    const outcome = await runSql(deps.db, items, paths);
    await afterRunSql(deps, outcome);
    return { status: 200, body: bulk ? outcome.results : outcome.results[0] };
  } catch (err) {
    if (err instanceof HasuraApiError) return { status: err.status, body: err.body() };
    throw err;
  }
}

/** After SQL committed: a schema that may have changed is rebuilt before the answer goes out, so a table just
 * created is in the GraphQL API for the very next request; then the office hears that data may have changed. */
export async function afterRunSql(deps: SchemaApiDeps, outcome: RunSqlOutcome): Promise<void> {
  if (outcome.mayChangeSchema) {
    await deps.rebuild().catch((err: unknown) => deps.warn('the GraphQL schema could not be rebuilt after run_sql', { err: err as Error }));
  }
  if (outcome.mayChangeData) deps.onChange('schema');
}

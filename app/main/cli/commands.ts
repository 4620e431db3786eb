import { writeRemoteAccess } from '../config/remote-access.ts';
import { parseArgs } from 'node:util';
import type { Database, TextResult } from '../../db/index.ts';
import { listNodes, NodeInputError, nodeRequestLog, provisionNode, revokeNode, rotateNodeToken } from '../../ingest-server/node-registry.ts';
import { HasuraApiError } from '../graphql/hasura-error.ts';
import { runSql } from '../graphql/run-sql.ts';
import { addAnimal, AnimalInputError, importAnimalsCsv, listAnimals } from '../herd/animals.ts';
import { AuthHttpError, type AuthService } from '../auth/auth-service.ts';
import { EXPORT_USAGE } from '../reports/export-command.ts';

/**
 * The CLI's commands, written once and run in either of two places: in the CLI process on a database it
 * opened itself, or inside the running office (the CLI sends the command there, so the database is never
 * opened twice). Commands never print themselves: they return their output.
 */
export interface CommandContext {
  db: Database;
  /** Reads a file named on the command line (the CLI reads it locally and sends its content to the office). */
  readFile(path: string): Promise<string>;
  /** Told after a command changed data (the office refreshes what depends on it). */
  onChange?: (what: string) => void;
  /** Accounts and tokens (user, token commands). */
  auth?: AuthService;
  /** The data dir (remote on|off writes its config.json). */
  dataDir?: string;
  /** Whether this runs inside a running office (a config change then needs a restart). */
  inOffice?: boolean;
}

/** The name under which the CLI passes what it read from standard input (--password-stdin). */
export const STDIN_FILE = '<stdin>';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: yoctosehns <command> [options] [--data-dir DIR]

  node add --name N --kind K [--animal TAG | --pen P] [--metric M] [--json]
                         provision a hardware node; prints its id and token (shown only once)
  node list [--json]     list nodes with their last contact, status and counters
  node rotate NODE [--json]   give a node a new token (the old one stops working)
  node revoke NODE       revoke a node's token (its readings stay)
  node log [NODE] [--limit N] [--json]   the newest requests to the ingest listener
  animal add (--tag T | --official-id ID) [--name N] [--sex female|male] [--birth-date YYYY-MM-DD]
             [--breed B] [--group G] [--json]
  animal list [--json]
  animal import FILE.csv import animals; header: official_id,tag,name,sex,birth_date,breed,group
  user add --name N --role R --password-stdin [--group-ids 1,2]
                         add a user (roles: owner, manager, vet, worker, viewer); the password is read from stdin
  user list [--json]
  token --role R [--user U] [--ttl 15m]   print an access token (JWT) for scripts and local administration
  remote on|off          allow (or stop) API access from the LAN: the API then listens beyond loopback
  sql "SQL" | sql --file F.sql [--read-only] [--json]
                         run SQL on the farm's database, all of it in one transaction (an error leaves
                         nothing behind); prints the last statement's rows as a table, --json as Hasura's
                         run_sql result. New tables appear in the GraphQL API at once.
${EXPORT_USAGE}

Node kinds: collar, bolus, ear_tag, leg_tag, scale, water_meter, climate, gateway.
Every command works whether or not an office runs on the data dir.`;

/** Paths on the command line whose content the command reads (sent along when the office runs it). */
export function filesNeeded(argv: string[]): string[] {
  if (argv[0] === 'user' && argv.includes('--password-stdin')) return [STDIN_FILE];
  if (argv[0] === 'animal' && argv[1] === 'import') return argv.slice(2).filter((a) => !a.startsWith('--')).slice(0, 1);
  if (argv[0] === 'sql') {
    const i = argv.indexOf('--file');
    if (i > 0 && argv[i + 1] !== undefined) return [argv[i + 1]!];
    const inline = argv.find((a) => a.startsWith('--file='));
    if (inline) return [inline.slice('--file='.length)];
  }
  return [];
}

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '' });
const fail = (stderr: string, code = 1): CommandResult => ({ code, stdout: '', stderr });

function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

/** A statement's result as psql prints it: an aligned table and a row count, or the command tag. */
export function formatSqlResult(r: TextResult | undefined): string {
  if (!r) return '';
  if (r.fields.length === 0 && r.rows.length === 0) return `${[r.command ?? '', r.rowCount].filter((v) => v !== undefined && v !== '').join(' ')}\n`;
  const cell = (v: string | null | undefined) => v ?? '';
  const widths = r.fields.map((f, i) => Math.max(f.length, ...r.rows.map((row) => cell(row[i]).length)));
  const line = (vals: string[]) => (' ' + vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ')).trimEnd();
  const header = r.fields.map((f, i) => f.padStart(Math.floor((widths[i]! + f.length) / 2)).padEnd(widths[i]!));
  const count = `(${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'})`;
  return [line(header), widths.map((w) => '-'.repeat(w + 2)).join('+'), ...r.rows.map((row) => line(r.fields.map((_, i) => cell(row[i])))), count].join('\n') + '\n';
}

/** A run_sql error as psql words it (ERROR/DETAIL/HINT). */
function formatSqlError(err: HasuraApiError): string {
  const pg = (err.internal as { error?: { message: string; description: string | null; hint: string | null } } | undefined)?.error;
  if (!pg) return `error: ${err.message}\n`;
  return [`ERROR:  ${pg.message}`, pg.description && `DETAIL:  ${pg.description}`, pg.hint && `HINT:  ${pg.hint}`].filter(Boolean).join('\n') + '\n';
}

function options<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], spec: T) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export async function runCommand(ctx: CommandContext, argv: string[]): Promise<CommandResult> {
  const [noun, verb, ...rest] = argv;
  try {
    if (noun === 'node' && verb === 'add') {
      const { values } = options(rest, {
        name: { type: 'string' },
        kind: { type: 'string' },
        animal: { type: 'string' },
        pen: { type: 'string' },
        metric: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (!values.name || !values.kind) throw new UsageError('node add needs --name and --kind');
      const node = await provisionNode(ctx.db, { name: values.name, kind: values.kind, animal: values.animal, pen: values.pen, metric: values.metric });
      ctx.onChange?.('nodes');
      if (values.json) return ok(JSON.stringify({ id: node.id, name: node.name, token: node.token }) + '\n');
      return ok(
        `node ${node.id} "${node.name}" provisioned\n` +
          `token: ${node.token}\n` +
          'Store this token in the node now: it is shown only this once (the office keeps only its hash).\n',
      );
    }
    if (noun === 'node' && verb === 'list') {
      const { values } = options(rest, { json: { type: 'boolean' } });
      const nodes = await listNodes(ctx.db);
      if (values.json) return ok(JSON.stringify(nodes) + '\n');
      const shown = nodes.map((n) => ({
        ...n,
        battery: n.battery_volts !== null ? `${n.battery_volts} V` : n.battery_percent !== null ? `${n.battery_percent} %` : null,
        'accepted/dup/quar': `${n.accepted_count}/${n.duplicate_count}/${n.quarantined_count}`,
      }));
      return ok(table(shown, ['id', 'name', 'kind', 'animal', 'last_seen_at', 'last_ip', 'battery', 'rssi', 'firmware', 'accepted/dup/quar', 'revoked']));
    }
    if (noun === 'node' && (verb === 'rotate' || verb === 'revoke')) {
      const { values, positionals } = options(rest, { json: { type: 'boolean' } });
      if (!positionals[0]) throw new UsageError(`node ${verb} needs the node's id or name`);
      if (verb === 'revoke') {
        const node = await revokeNode(ctx.db, positionals[0]);
        ctx.onChange?.('nodes');
        return ok(values.json ? JSON.stringify(node) + '\n' : `node ${node.id} "${node.name}" revoked: its token no longer works\n`);
      }
      const node = await rotateNodeToken(ctx.db, positionals[0]);
      ctx.onChange?.('nodes');
      if (values.json) return ok(JSON.stringify(node) + '\n');
      return ok(`node ${node.id} "${node.name}" has a new token (the old one no longer works)\ntoken: ${node.token}\nStore it in the node now: it is shown only this once.\n`);
    }
    if (noun === 'node' && verb === 'log') {
      const { values, positionals } = options(rest, { json: { type: 'boolean' }, limit: { type: 'string' } });
      const limit = Number(values.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be a whole number from 1 to 10000');
      const rows = await nodeRequestLog(ctx.db, positionals[0], limit);
      if (values.json) return ok(JSON.stringify(rows) + '\n');
      return ok(table(rows as unknown as Record<string, unknown>[], ['ts', 'node', 'ip', 'route', 'status', 'accepted', 'duplicates', 'quarantined', 'duration_ms', 'error']));
    }
    if (noun === 'animal' && verb === 'add') {
      const { values } = options(rest, {
        tag: { type: 'string' },
        'official-id': { type: 'string' },
        name: { type: 'string' },
        sex: { type: 'string' },
        'birth-date': { type: 'string' },
        breed: { type: 'string' },
        group: { type: 'string' },
        json: { type: 'boolean' },
      });
      const { id } = await addAnimal(ctx.db, {
        tag: values.tag,
        official_id: values['official-id'],
        name: values.name,
        sex: values.sex,
        birth_date: values['birth-date'],
        breed: values.breed,
        group: values.group,
      });
      ctx.onChange?.('animals');
      return ok(values.json ? JSON.stringify({ id }) + '\n' : `animal ${id} added\n`);
    }
    if (noun === 'animal' && verb === 'list') {
      const { values } = options(rest, { json: { type: 'boolean' } });
      const animals = await listAnimals(ctx.db);
      if (values.json) return ok(JSON.stringify(animals) + '\n');
      return ok(table(animals as unknown as Record<string, unknown>[], ['id', 'tag', 'official_id', 'name', 'group', 'status', 'unconfirmed']));
    }
    if (noun === 'animal' && verb === 'import') {
      const { values, positionals } = options(rest, { json: { type: 'boolean' } });
      const file = positionals[0];
      if (!file) throw new UsageError('animal import needs a CSV file');
      const { imported } = await importAnimalsCsv(ctx.db, await ctx.readFile(file));
      ctx.onChange?.('animals');
      return ok(values.json ? JSON.stringify({ imported }) + '\n' : `${imported} animal(s) imported from ${file}\n`);
    }
    if (noun === 'user' || noun === 'token' || noun === 'remote') {
      try {
        return await accountCommand(ctx, argv);
      } catch (err) {
        if (err instanceof AuthHttpError) return fail(`error: ${err.message}\n`);
        throw err;
      }
    }
    if (noun === 'sql') {
      const { values, positionals } = options(argv.slice(1), { file: { type: 'string' }, json: { type: 'boolean' }, 'read-only': { type: 'boolean' } });
      if (values.file !== undefined && positionals.length) throw new UsageError('sql takes the SQL or --file F.sql, not both');
      if (values.file === undefined && positionals.length !== 1) throw new UsageError('sql needs the SQL as one (quoted) argument, or --file F.sql');
      const sql = values.file !== undefined ? await ctx.readFile(values.file) : positionals[0]!;
      try {
        const outcome = await runSql(ctx.db, [{ sql, read_only: values['read-only'] === true }]);
        // Inside the office, 'schema' rebuilds the GraphQL schema (a table just created is served at once) and
        // tells the rest of the office that data may have changed.
        if (outcome.mayChangeData) ctx.onChange?.('schema');
        return ok(values.json ? JSON.stringify(outcome.results[0]) + '\n' : formatSqlResult(outcome.last[0]));
      } catch (err) {
        if (err instanceof HasuraApiError) return fail(values.json ? JSON.stringify(err.body()) + '\n' : formatSqlError(err));
        throw err;
      }
    }
    if (noun === 'export' || noun === 'report') throw new UsageError(`${noun} writes a file on this computer: run it with the CLI (npm run cli -- ${noun} …)`);
    throw new UsageError(noun ? `unknown command "${[noun, verb].filter(Boolean).join(' ')}"` : 'no command given');
  } catch (err) {
    if (err instanceof UsageError) return fail(`error: ${err.message}\n\n${USAGE}\n`, 2);
    if (err instanceof AnimalInputError) {
      return fail(`error: ${err.message}\n${err.rowErrors.map((r) => `  line ${r.line}: ${r.error}\n`).join('')}`);
    }
    if (err instanceof NodeInputError) return fail(`error: ${err.message}\n`);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fail(`error: no such file: ${(err as NodeJS.ErrnoException).path ?? ''}\n`);
    throw err;
  }
}

function parseTtl(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError('--ttl must be like 900s, 15m, 12h or 7d');
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1 || seconds > 30 * 86400) throw new UsageError('--ttl must be between 1 second and 30 days');
  return seconds;
}

/** user add/list, token, remote on|off (issue 5). */
async function accountCommand(ctx: CommandContext, argv: string[]): Promise<CommandResult> {
  const [noun, verb] = argv;
  if (noun === 'remote') {
    if (verb !== 'on' && verb !== 'off') throw new UsageError('remote takes on or off');
    if (!ctx.dataDir) throw new UsageError('remote needs the data dir');
    try {
      writeRemoteAccess(ctx.dataDir, verb === 'on');
    } catch (err) {
      return fail(`error: ${(err as Error).message}\n`);
    }
    await ctx.db.query(`INSERT INTO office.security_audit (event, "user", address, detail) VALUES ($1, 'owner (cli)', 'cli', '{}')`, [`remote_access_${verb}`]);
    const effect = verb === 'on' ? 'the API will listen on the LAN (every request needs a token)' : 'the API will listen on this computer only';
    return ok(`remote access ${verb}: ${effect}${ctx.inOffice ? '; restart the office to apply it' : ' from the next start'}\n`);
  }
  if (!ctx.auth) throw new Error('accounts are not available here');
  if (noun === 'user' && verb === 'add') {
    const { values } = options(argv.slice(2), { name: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'group-ids': { type: 'string' }, json: { type: 'boolean' } });
    if (!values.name || !values.role || !values['password-stdin']) throw new UsageError('user add needs --name, --role and --password-stdin');
    const password = (await ctx.readFile(STDIN_FILE)).replace(/\r?\n$/, '');
    const groupIds = values['group-ids'] ? values['group-ids'].split(',').map((g) => Number(g.trim())) : undefined;
    const user = await ctx.auth.addUser({ name: values.name, role: values.role, password, group_ids: groupIds }, 'cli', 'cli');
    ctx.onChange?.('users');
    return ok(values.json ? JSON.stringify(user) + '\n' : `user ${user.id} "${user.name}" added as ${user.role}\n`);
  }
  if (noun === 'user' && verb === 'list') {
    const { values } = options(argv.slice(2), { json: { type: 'boolean' } });
    const users = await ctx.auth.listUsers();
    if (values.json) return ok(JSON.stringify(users) + '\n');
    return ok(table(users.map((u) => ({ ...u, group_ids: u.group_ids.join(',') })) as unknown as Record<string, unknown>[], ['id', 'name', 'role', 'group_ids', 'created_at', 'disabled_at']));
  }
  if (noun === 'token') {
    const { values } = options(argv.slice(1), { role: { type: 'string' }, user: { type: 'string' }, ttl: { type: 'string' } });
    if (!values.role) throw new UsageError('token needs --role');
    return ok((await ctx.auth.mintForCli(values.role, values.user, parseTtl(values.ttl ?? '15m'))) + '\n');
  }
  throw new UsageError(`unknown command "${[noun, verb].filter(Boolean).join(' ')}"`);
}

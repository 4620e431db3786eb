import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { acquireDataDirLock, migrate, openDatabase } from '../../db/index.ts';
import { runCliCommand } from '../cli/client.ts';
import { runCommand, type CommandResult } from '../cli/commands.ts';
import { loadConfig } from '../config/config.ts';
import { findRunningOffice } from '../office/office-info.ts';
import type { HerdCow, SimNode } from './model.ts';
import type { SavedNode } from './state.ts';

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

export type RunCommand = (argv: string[]) => Promise<CommandResult>;

/**
 * Runs `fn` with a way to run CLI commands on the data dir: through the office running on it (runCliCommand),
 * or, when none runs, on its database opened once here under the data dir's lock (runCliCommand would open
 * and close the database for each of the hundred-odd commands a herd needs).
 */
export async function withCommands<T>(flags: Record<string, string | undefined>, fn: (run: RunCommand) => Promise<T>): Promise<T> {
  const config = loadConfig(flags);
  if (findRunningOffice(config.dataDir)) return fn((argv) => runCliCommand(argv, flags));
  const lock = acquireDataDirLock(config.dataDir, hostname());
  try {
    const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, snapshot: config.initSnapshot });
    try {
      await migrate(db);
      return await fn((argv) => runCommand({ db, readFile: (p) => readFile(resolve(p), 'utf8') }, argv));
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

async function json<T>(run: RunCommand, argv: string[]): Promise<T> {
  const result = await run(argv);
  if (result.code !== 0) throw new ProvisionError(`\`${argv.join(' ')}\` failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
  return JSON.parse(result.stdout) as T;
}

/** The `animal import` columns the simulated herd fills (the import's header, app/main/herd/animals.ts). */
const CSV_COLUMNS = ['official_id', 'tag', 'name', 'sex', 'birth_date', 'breed', 'group'] as const satisfies readonly (keyof HerdCow)[];

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The herd as an `animal import` file. */
export function herdCsv(cows: readonly HerdCow[]): string {
  const rows = cows.map((c) => CSV_COLUMNS.map((k) => csvCell(String(c[k]))).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** Imports the cows whose tags the office does not know yet (an import is all or nothing and refuses known tags). */
export async function importHerd(run: RunCommand, herd: readonly HerdCow[]): Promise<number> {
  const known = new Set((await json<{ tag: string | null }[]>(run, ['animal', 'list', '--json'])).map((a) => a.tag));
  const missing = herd.filter((c) => !known.has(c.tag));
  if (missing.length === 0) return 0;
  const dir = mkdtempSync(join(tmpdir(), 'yoctosehns-sim-'));
  try {
    const file = join(dir, 'herd.csv');
    writeFileSync(file, herdCsv(missing), { mode: 0o600 });
    const { imported } = await json<{ imported: number }>(run, ['animal', 'import', file, '--json']);
    return imported;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Records the expected calving dates of the cows whose calvings the simulation shows, as a farm records the
 * vet's pregnancy check: the calving rule watches a cow only near her due date. Tags and dates come from
 * the simulator itself (quoted all the same).
 */
export async function recordDueDates(run: RunCommand, dueDates: ReadonlyMap<string, string>): Promise<void> {
  if (!dueDates.size) return;
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const values = [...dueDates].map(([tag, date]) => `(${quote(tag)}, ${quote(date)}::date)`).join(', ');
  const argv = ['sql', `UPDATE animals a SET due_date = v.d FROM (VALUES ${values}) AS v(tag, d) WHERE a.tag = v.tag AND a.due_date IS DISTINCT FROM v.d`];
  const result = await run(argv);
  if (result.code !== 0) throw new ProvisionError(`recording the due dates failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
}

interface ListedNode {
  id: number;
  name: string;
  kind: string;
  animal: string | null;
  revoked: boolean;
}

/**
 * Makes sure every node has a live token: reuses a saved node the office still knows (same id, name and
 * animal, not revoked), provisions the others. `save` is called after each new node, so a token is never lost.
 */
export async function provisionNodes(
  run: RunCommand,
  nodes: readonly SimNode[],
  saved: Record<string, SavedNode>,
  save: () => void,
): Promise<{ reused: number; provisioned: number }> {
  const listed = new Map((await json<ListedNode[]>(run, ['node', 'list', '--json'])).map((n) => [n.id, n]));
  let reused = 0, provisioned = 0;
  for (const node of nodes) {
    const mine = saved[node.name];
    const theirs = mine && listed.get(mine.id);
    if (mine && theirs && theirs.name === node.name && !theirs.revoked && theirs.animal === node.tag) {
      reused++;
      continue;
    }
    const argv = ['node', 'add', '--name', node.name, '--kind', node.kind, '--animal', node.tag, '--json'];
    if (node.metrics.length === 1) argv.push('--metric', node.metrics[0]!);
    const added = await json<{ id: number; name: string; token: string }>(run, argv);
    saved[node.name] = { id: added.id, kind: node.kind, animal: node.tag, token: added.token };
    save();
    provisioned++;
  }
  return { reused, provisioned };
}

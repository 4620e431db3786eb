import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { findRunningOffice } from '../office/office-info.ts';
import { readSecret } from '../security/secrets.ts';
import { loadConfig } from '../config/config.ts';
import { acquireDataDirLock, migrate, openDatabase } from '../../db/index.ts';
import { hostname } from 'node:os';
import { filesNeeded, runCommand, STDIN_FILE, USAGE, type CommandResult } from './commands.ts';
import { AuthService } from '../auth/auth-service.ts';
import { jwtKeyOf } from '../auth/keys.ts';
import { silentLogger } from '../log.ts';
import { RollupService } from '../stats/rollups.ts';
import type { Database } from '../../db/index.ts';
import { ExportInputError } from '../reports/export-options.ts';
import { exportThroughOffice, exportToFile, OutputError, parseExportCommand } from '../reports/export-command.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const readLocal = (path: string) => (path === STDIN_FILE ? readStdin() : readFile(resolve(path), 'utf8'));

/**
 * Runs a CLI command against a data dir: through the office running on it when there is one (the database
 * has a single owner), otherwise on the database opened here, under the same lock an office takes.
 */
export async function runCliCommand(argv: string[], flags: Record<string, string | undefined>): Promise<CommandResult> {
  const config = loadConfig(flags);
  if (argv[0] === 'export' || argv[0] === 'report') return runExportCommand(argv, config);
  const office = findRunningOffice(config.dataDir);
  if (office) {
    const key = readSecret(config.dataDir, 'control.key');
    if (!key) throw new Error(`an office runs on ${config.dataDir} but its control key cannot be read (run the CLI as the user who runs the office)`);
    const files: Record<string, string> = {};
    for (const f of filesNeeded(argv)) files[f] = await readLocal(f);
    const res = await fetch(`${office.api}/internal/cli`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ argv, files }),
    });
    if (!res.ok) throw new Error(`the running office (pid ${office.pid}) refused the command: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as CommandResult;
  }
  const lock = acquireDataDirLock(config.dataDir, hostname());
  try {
    const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, snapshot: config.initSnapshot });
    try {
      await migrate(db);
      const auth = new AuthService({ db, jwtKey: jwtKeyOf(config), controlKey: '', log: silentLogger, remoteAccess: () => config.remoteAccess });
      return await runCommand({ db, readFile: readLocal, auth, dataDir: config.dataDir }, argv);
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}


/**
 * `export` and `report` write a file here, with progress on stderr as they go: streamed from the running office's
 * HTTP route when there is one (the database has a single owner), otherwise from the database opened here.
 */
async function runExportCommand(argv: string[], config: ReturnType<typeof loadConfig>): Promise<CommandResult> {
  const progress = (line: string) => process.stderr.write(line);
  try {
    const cmd = parseExportCommand(argv);
    const office = findRunningOffice(config.dataDir);
    if (office) {
      const key = readSecret(config.dataDir, 'control.key');
      if (!key) throw new Error(`an office runs on ${config.dataDir} but its control key cannot be read (run the CLI as the user who runs the office)`);
      return { code: 0, stdout: await exportThroughOffice(office.api, key, cmd, progress), stderr: '' };
    }
    const lock = acquireDataDirLock(config.dataDir, hostname());
    try {
      const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, snapshot: config.initSnapshot });
      try {
        await migrate(db);
        await catchUpStatistics(db, progress);
        return { code: 0, stdout: await exportToFile(db, cmd, progress), stderr: '' };
      } finally {
        await db.close();
      }
    } finally {
      lock.release();
    }
  } catch (err) {
    if (err instanceof ExportInputError) return { code: 2, stdout: '', stderr: `error: ${err.message}\n\n${USAGE}\n` };
    if ((err as Error).name === 'ReportInputError') return { code: 1, stdout: '', stderr: `error: ${(err as Error).message}\n` };
    if (err instanceof OutputError) return { code: 1, stdout: '', stderr: `error: ${err.message}\n` };
    throw err;
  }
}

/**
 * Without a running office, statistics the last stop had no time for (noted in office.rollup_dirty, see
 * RollupService.flush) are recomputed before an export reads the rollups.
 */
async function catchUpStatistics(db: Database, progress: (line: string) => void): Promise<void> {
  const { rows } = await db.query<{ slots: number; days: number }>(
    'SELECT (SELECT count(*)::int FROM office.rollup_dirty) AS slots, (SELECT count(*)::int FROM office.rollup_group_dirty) AS days',
  );
  const noted = rows[0]?.slots ?? 0;
  if (!noted && !rows[0]?.days) return;
  progress(`bringing the statistics up to date first: ${noted.toLocaleString('en')} noted buckets (the office stopped before it had recomputed them)\n`);
  const rollups = new RollupService(db, { log: silentLogger });
  const started = performance.now();
  // A stop after a large backlog can leave a million or more: their count every 2 s (read between two parts).
  const ticker = setInterval(() => {
    void db.query<{ n: number }>('SELECT count(*)::int AS n FROM office.rollup_dirty').then(
      ({ rows: left }) => progress(`  ${(noted - (left[0]?.n ?? 0)).toLocaleString('en')} of ${noted.toLocaleString('en')} recomputed\n`),
      () => undefined,
    );
  }, 2000);
  try {
    await rollups.flush();
    await rollups.close();
  } finally {
    clearInterval(ticker);
  }
  progress(`statistics up to date (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

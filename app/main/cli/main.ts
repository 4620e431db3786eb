// The CLI: `npm run cli -- <command>` or the package's `yoctosehns` bin.
import { mkdirSync } from 'node:fs';
import { ConfigError, OFFICE_FLAG_OPTIONS, loadConfig } from '../config/config.ts';
import { DataDirLockedError, MigrationHistoryError } from '../../db/index.ts';
import { USAGE } from './commands.ts';
import { runCliCommand } from './client.ts';

/** Splits the office flags (--data-dir, --database-url, …) from the command's own arguments. */
export function splitOfficeFlags(argv: string[]): { flags: Record<string, string | undefined>; rest: string[] } {
  const flags: Record<string, string | undefined> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (m && m[1]! in OFFICE_FLAG_OPTIONS) {
      flags[m[1]!] = m[2] ?? argv[++i];
      continue;
    }
    rest.push(arg);
  }
  return { flags, rest };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const { flags, rest } = splitOfficeFlags(argv);
  mkdirSync(loadConfig(flags).dataDir, { recursive: true, mode: 0o700 });
  const result = await runCliCommand(rest, flags);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof DataDirLockedError || err instanceof ConfigError || err instanceof MigrationHistoryError) {
      process.stderr.write(`yoctosehns: ${err.message}\n`);
    } else {
      process.stderr.write(`yoctosehns: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  },
);

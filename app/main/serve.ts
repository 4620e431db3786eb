// `serve`: the office in a plain Node process, serving the renderer to browsers. Also the desktop's fallback.
import { ConfigError, loadConfig, parseOfficeArgs } from './config/config.ts';
import { DataDirLockedError, MigrationHistoryError } from '../db/index.ts';
import { createOffice, type Office } from './office/create-office.ts';
import { createLogger } from './log.ts';

export async function serve(argv: string[]): Promise<Office> {
  const { values } = parseOfficeArgs(argv);
  const config = loadConfig(values as Record<string, string | undefined>);
  const office = await createOffice(config, createLogger('office'));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping the office…\n`);
    await office.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return office;
}

/** Prints a start failure as one clear line and exits non-zero. */
export function failStart(err: unknown): never {
  if (err instanceof DataDirLockedError || err instanceof ConfigError || err instanceof MigrationHistoryError) {
    process.stderr.write(`yoctosehns: ${err.message}\n`);
    process.exit(err instanceof DataDirLockedError ? 3 : 2);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') {
    process.stderr.write(`yoctosehns: the address ${(e as { address?: string }).address}:${(e as { port?: number }).port} is already in use; choose another port (--port / --ingest-port)\n`);
    process.exit(2);
  }
  if (e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    process.stderr.write(`yoctosehns: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`yoctosehns: cannot start: ${e?.stack ?? String(err)}\n`);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  serve(process.argv.slice(2)).then(
    (office) => process.stdout.write(`ready api=${office.apiUrl} ingest=${office.ingestUrl}\n`),
    failStart,
  );
}

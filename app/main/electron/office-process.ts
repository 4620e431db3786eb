// The office as the desktop app runs it: the entry of dist/office/office.mjs (bundled by build.ts), started
// by the main process in a utilityProcess. The main process sends {type:'start', argv, rendererDir}; the
// office answers {type:'ready', …} or {type:'failed', …} and stops cleanly on {type:'stop'} (data dir
// unlocked, database checkpointed). Run with plain Node (`node dist/office/office.mjs --data-dir …`) it
// behaves like `serve`, which is how the bundle is tested where there is no Electron.
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, parseOfficeArgs } from '../config/config.ts';
import { DataDirLockedError, MigrationHistoryError } from '../../db/index.ts';
import { createOffice, type Office } from '../office/create-office.ts';
import { createLogger } from '../log.ts';

export type ToOffice = { type: 'start'; argv: string[]; rendererDir?: string } | { type: 'stop' };
export type FromOffice =
  | { type: 'ready'; api: string; ingest: string; dataDir: string }
  | { type: 'failed'; error: string; permanent: boolean }
  | { type: 'stopped' };

interface Port {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: FromOffice): void;
}

const parentPort = (process as unknown as { parentPort?: Port }).parentPort;

/** A failure a restart cannot cure: the farmer (or an admin) has to act. */
function isPermanent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return (
    err instanceof DataDirLockedError ||
    err instanceof ConfigError ||
    err instanceof MigrationHistoryError ||
    code === 'EADDRINUSE' ||
    code === 'EACCES' ||
    code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
    code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
  );
}

function withRendererDir(argv: string[], rendererDir: string | undefined): string[] {
  if (!rendererDir || process.env.YOCTOSEHNS_RENDERER_DIR || argv.some((a) => a === '--renderer-dir' || a.startsWith('--renderer-dir='))) return argv;
  return [...argv, '--renderer-dir', rendererDir];
}

async function start(argv: string[], rendererDir: string | undefined): Promise<Office> {
  const { values } = parseOfficeArgs(withRendererDir(argv, rendererDir));
  const config = loadConfig(values as Record<string, string | undefined>);
  const office = await createOffice(config, createLogger('office'));
  return Object.assign(office, { dataDir: config.dataDir });
}

/** The built renderer beside the bundle: dist/office/ → dist/renderer/ (from sources, config's default applies). */
const bundledRendererDir = import.meta.url.endsWith('.ts') ? undefined : fileURLToPath(new URL('../renderer/', import.meta.url));

if (parentPort) {
  const port = parentPort;
  let office: (Office & { dataDir?: string }) | undefined;
  let stopping = false;
  port.on('message', async ({ data }) => {
    const msg = data as ToOffice;
    if (msg?.type === 'start' && !office) {
      try {
        office = await start(msg.argv, msg.rendererDir ?? bundledRendererDir);
        process.stdout.write(`ready api=${office.apiUrl} ingest=${office.ingestUrl}\n`);
        port.postMessage({ type: 'ready', api: office.apiUrl, ingest: office.ingestUrl, dataDir: office.dataDir ?? '' });
      } catch (err) {
        port.postMessage({ type: 'failed', error: err instanceof Error ? err.message : String(err), permanent: isPermanent(err) });
        // Give the message time to leave before the process goes.
        setTimeout(() => process.exit(1), 100);
      }
    } else if (msg?.type === 'stop' && !stopping) {
      stopping = true;
      await office?.stop().catch((err: unknown) => process.stderr.write(`stopping the office failed: ${(err as Error).message}\n`));
      port.postMessage({ type: 'stopped' });
      setTimeout(() => process.exit(0), 50);
    }
  });
} else {
  start(process.argv.slice(2), bundledRendererDir).then(
    (office) => {
      process.stdout.write(`ready api=${office.apiUrl} ingest=${office.ingestUrl}\n`);
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        void office.stop().finally(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`yoctosehns: ${isPermanent(err) ? (err as Error).message : `cannot start: ${(err as Error)?.stack ?? String(err)}`}\n`);
      process.exit(isPermanent(err) ? 2 : 1);
    },
  );
}

// `npm run demo`: an office on its own demo data dir, filled by the node simulator running in the same process:
// 60 cows with collars and boluses, the last 30 days of readings, then live readings every minute.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { defaultDataDir, defaults, loadConfig, parseOfficeArgs } from './config/config.ts';
import { createLogger } from './log.ts';
import { createOffice } from './office/create-office.ts';
import { failStart } from './serve.ts';
import { EVENT_KINDS } from './simulator/model.ts';
import { SimulationError, runSimulation } from './simulator/run-simulation.ts';

/** The demo never touches the farm's own data: it keeps a sibling folder, "Yoctosehns-demo". */
export function demoDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return defaultDataDir(env) + '-demo';
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function demo(argv: string[]): Promise<void> {
  const { values } = parseOfficeArgs(argv);
  const flags = values as Record<string, string | undefined>;
  flags['data-dir'] ??= demoDataDir();
  const config = loadConfig(flags);
  // Simulated nodes live in this process: no need to listen on the farm's network unless asked to.
  if (flags['ingest-host'] === undefined && !process.env.YOCTOSEHNS_INGEST_HOST && config.ingestHost === defaults().ingestHost) {
    config.ingestHost = '127.0.0.1';
  }
  // Nor to advertise a loopback listener on the LAN (where it would clash with a real office's name).
  const loopback = /^(127\.|::1$|\[::1\]$|localhost$)/.test(config.ingestHost);
  if (loopback && flags.discovery === undefined && !process.env.YOCTOSEHNS_DISCOVERY) config.discovery = false;
  const office = await createOffice(config, createLogger('office'));
  process.stdout.write(`ready api=${office.apiUrl} ingest=${office.ingestUrl}\n`);
  process.stdout.write(`Open ${office.apiUrl} in a browser\n`);

  const controller = new AbortController();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`${signal}: stopping the simulated nodes, then the office…\n`);
    controller.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  let code = 0;
  try {
    await runSimulation({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      ingestUrl: office.ingestUrl.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:'),
      cows: 60,
      seed: 1,
      intervalMs: 10 * MINUTE,
      liveIntervalMs: MINUTE,
      backfillMs: 30 * DAY,
      inject: EVENT_KINDS,
      eventsFile: join(config.dataDir, 'simulator', 'ground-truth.jsonl'),
      // A restarted demo posts only what its nodes have not delivered yet.
      resume: true,
      signal: controller.signal,
      onBackfillDone: ({ readings, ms }) => {
        const since = (performance.now() / 1000).toFixed(1);
        process.stdout.write(
          readings
            ? `The demo herd is populated: ${readings.toLocaleString('en-US')} readings of the last 30 days in ${(ms / 1000).toFixed(1)} s ` +
                `(${since} s since start). Live readings follow every minute; Ctrl+C stops.\n`
            : `The demo herd was populated before (${since} s since start). Live readings follow every minute; Ctrl+C stops.\n`,
        );
      },
    });
  } catch (err) {
    code = 1;
    process.stderr.write(`demo: the simulation failed: ${err instanceof SimulationError ? err.message : ((err as Error)?.stack ?? String(err))}\n`);
  }
  await office.stop();
  process.exit(code);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  demo(process.argv.slice(2)).catch(failStart);
}

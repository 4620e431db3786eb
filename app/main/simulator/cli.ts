// `npm run simulate -- …`: simulated collars and boluses posting to an office over real HTTP.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { DataDirLockedError, MigrationHistoryError } from '../../db/index.ts';
import { EVENT_KINDS, type EventKind } from './model.ts';
import { SimulationError, formatDuration, runSimulation, type SimulationSummary } from './run-simulation.ts';

export const USAGE = `Usage: npm run simulate -- [options]

Simulated collars (activity, rumination) and rumen boluses (temperature) for a herd, posting to an office.

  --data-dir DIR        the office's data dir: the herd and its nodes are provisioned there (default: the
                        default data dir); the simulator keeps its state in DIR/simulator/state.json
  --ingest URL          the office's ingest listener (default: that of the office running on DIR)
  --cows N              herd size (default 60)
  --seed S              seed of the herd, the readings and the events (default 1)
  --interval I          time between readings: s, m or h (default 10m)
  --live-interval I     time between live posts (default: --interval)
  --backfill D          first post the last D of history, e.g. 30d (default 0)
  --duration D          live time after the backfill, e.g. 30s, 2h; 0: stop after the backfill (default: until Ctrl+C)
  --inject K,K          events to inject: heat, fever, calving, silent (default all four; "none" for none)
  --events FILE         write the injected events as JSON lines (ground truth)
  --groups G            pens of a new herd: a count (1–6) or names separated by commas
                        (default "Lactating A,Lactating B,Dry cows,Heifers")
  --resume              skip readings the nodes already delivered in an earlier run
  --concurrency N       requests in flight during the backfill (default 4)
  --database-url URL    as for the office, when it uses PostgreSQL
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "30s", "10m", "2h", "30d" (or "0") into milliseconds; `units` limits the accepted units. */
export function parseDuration(raw: string, what: string, units = ['s', 'm', 'h', 'd']): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  if (m && Number(m[1]) === 0 && (m[2] === '' || units.includes(m[2]!.toLowerCase()))) return 0;
  if (!m || !units.includes(m[2]!.toLowerCase())) {
    throw new UsageError(`${what} must be a number with a unit (${units.join(', ')}), e.g. 10${units.includes('m') ? 'm' : units[0]}; got "${raw}"`);
  }
  return Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

const GROUP_SETS: Record<number, string[]> = {
  1: ['Lactating'],
  2: ['Lactating', 'Dry cows'],
  3: ['Lactating', 'Dry cows', 'Heifers'],
  4: ['Lactating A', 'Lactating B', 'Dry cows', 'Heifers'],
  5: ['Lactating A', 'Lactating B', 'Fresh cows', 'Dry cows', 'Heifers'],
  6: ['Lactating A', 'Lactating B', 'Fresh cows', 'Dry cows', 'Close-up', 'Heifers'],
};

export function parseGroups(raw: string): string[] {
  if (/^\d+$/.test(raw.trim())) {
    const set = GROUP_SETS[Number(raw)];
    if (!set) throw new UsageError(`--groups as a count must be 1–6, got ${raw}`);
    return set;
  }
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--groups needs a count or group names separated by commas');
  return names;
}

export function parseInject(raw: string): EventKind[] {
  if (/^\s*none\s*$/i.test(raw) || raw.trim() === '') return [];
  const kinds = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((k) => (k === 'silent' || k === 'silent-node' ? 'silent_node' : k));
  const unknown = kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new UsageError(`--inject: unknown event kind(s) ${unknown.join(', ')}; use heat, fever, calving, silent`);
  return [...new Set(kinds)] as EventKind[];
}

function int(raw: string | undefined, what: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`${what} must be a whole number, got "${raw}"`);
  return n;
}

export function parseSimulateArgs(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        ingest: { type: 'string' },
        cows: { type: 'string' },
        seed: { type: 'string' },
        interval: { type: 'string' },
        'live-interval': { type: 'string' },
        backfill: { type: 'string' },
        duration: { type: 'string' },
        inject: { type: 'string' },
        events: { type: 'string' },
        groups: { type: 'string' },
        resume: { type: 'boolean' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { help: true as const };
  if (values.ingest !== undefined && !/^https?:\/\/[^/]+/.test(values.ingest)) throw new UsageError(`--ingest must be an http:// URL, got "${values.ingest}"`);
  return {
    help: false as const,
    dataDir: values['data-dir'],
    databaseUrl: values['database-url'],
    ingestUrl: values.ingest,
    cows: int(values.cows, '--cows', 60),
    seed: int(values.seed, '--seed', 1),
    intervalMs: values.interval === undefined ? 600_000 : parseDuration(values.interval, '--interval', ['s', 'm', 'h']),
    liveIntervalMs: values['live-interval'] === undefined ? undefined : parseDuration(values['live-interval'], '--live-interval', ['s', 'm', 'h']),
    backfillMs: values.backfill === undefined ? 0 : parseDuration(values.backfill, '--backfill'),
    durationMs: values.duration === undefined ? undefined : parseDuration(values.duration, '--duration'),
    inject: values.inject === undefined ? [...EVENT_KINDS] : parseInject(values.inject),
    eventsFile: values.events === undefined ? undefined : resolve(values.events),
    groups: values.groups === undefined ? undefined : parseGroups(values.groups),
    resume: values.resume ?? false,
    concurrency: int(values.concurrency, '--concurrency', 4),
  };
}

export function formatSummary(s: SimulationSummary): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = [
    `simulated ${s.cows} cows, ${s.nodes.reused + s.nodes.provisioned} nodes (${s.nodes.provisioned} provisioned now)` +
      (s.stoppedBy === 'signal' ? ' — stopped by signal' : ''),
    `readings posted: ${n(s.posted)} in ${n(s.requests)} requests; accepted ${n(s.accepted)}, duplicates ${n(s.duplicates)}` +
      (s.quarantined ? `, quarantined ${n(s.quarantined)}` : ''),
  ];
  if (s.backfill) lines.push(`backfill: ${n(s.backfill.readings)} readings in ${(s.backfill.ms / 1000).toFixed(1)} s (${n(Math.round(s.backfill.perSecond))}/s)`);
  if (s.live.ticks) lines.push(`live: ${n(s.live.readings)} readings in ${s.live.ticks} rounds`);
  lines.push(`injected events in the ground truth: ${s.events}`);
  return lines.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dataDir = loadConfig({ 'data-dir': args.dataDir, 'database-url': args.databaseUrl }).dataDir;
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(`${name}: stopping after the requests in flight (again to quit at once)…\n`);
    controller.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.stderr.write(
    `simulating ${args.cows} cows on ${dataDir}, seed ${args.seed}, every ${formatDuration(args.intervalMs)}` +
      (args.backfillMs ? `, backfill ${formatDuration(args.backfillMs)}` : '') +
      `, events: ${args.inject.join(', ') || 'none'}\n`,
  );
  const summary = await runSimulation({ ...args, dataDir, signal: controller.signal });
  process.stdout.write(formatSummary(summary));
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`simulate: ${err.message}\n\n${USAGE}`);
        process.exit(2);
      }
      if (err instanceof SimulationError) {
        process.stderr.write(`simulate: ${err.message}\n`);
        process.exit(err.exitCode);
      }
      if (err instanceof DataDirLockedError || err instanceof ConfigError || err instanceof MigrationHistoryError) {
        process.stderr.write(`simulate: ${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`simulate: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

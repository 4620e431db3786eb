import { loadConfig } from '../config/config.ts';
import { findRunningOffice } from '../office/office-info.ts';
import { MAX_READINGS_PER_REQUEST } from '../../shared/node-protocol.ts';
import {
  DAY,
  DEFAULT_GROUPS,
  alignDown,
  alignUp,
  createHerdModel,
  generateEvents,
  generateHerd,
  nodesForHerd,
  toGroundTruth,
  type EventKind,
  type HerdModel,
  type SimEvent,
  type SimNode,
} from './model.ts';
import { AbortedError, OfficeRefusedError, OfficeUnreachableError, postReadings, runPool, sleep } from './post.ts';
import { ProvisionError, importHerd, provisionNodes, recordDueDates, withCommands } from './provision.ts';
import { StateError, loadState, saveState, statePath, writeFileAtomic, type SimulatorState } from './state.ts';

export interface SimulationOptions {
  /** The office's data dir: nodes are provisioned there, the simulator's state is kept there. */
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Where nodes post; default: the ingest listener of the office running on the data dir. */
  ingestUrl?: string | undefined;
  cows: number;
  seed: number;
  /** Time between two readings of a node (backfill), in ms. */
  intervalMs: number;
  /** Time between two live posts; default intervalMs. */
  liveIntervalMs?: number | undefined;
  /** How far back to post history before going live, in ms (0: none). */
  backfillMs: number;
  /** Live time to run after the backfill, in ms; 0: stop after the backfill; undefined: until `signal` aborts. */
  durationMs?: number | undefined;
  /** The kinds of events to inject. */
  inject: readonly EventKind[];
  /** Ground truth: every injected event as a JSON line. */
  eventsFile?: string | undefined;
  /** Pen names for a new herd. */
  groups?: readonly string[] | undefined;
  /** Skip readings this data dir's nodes have already delivered (the demo's restarts). */
  resume?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Requests in flight during the backfill. */
  concurrency?: number | undefined;
  /** Readings per request, at most the protocol's limit. */
  batchSize?: number | undefined;
  /** Daily rhythms follow this zone's wall clock; default this computer's (as the office's farm settings). */
  timeZone?: string | undefined;
  /** Progress lines (default: stderr). */
  log?: ((line: string) => void) | undefined;
  now?: (() => number) | undefined;
  onBackfillDone?: ((stats: { readings: number; ms: number }) => void) | undefined;
}

export interface SimulationSummary {
  cows: number;
  animalsImported: number;
  nodes: { reused: number; provisioned: number };
  requests: number;
  posted: number;
  accepted: number;
  duplicates: number;
  /** Readings the office kept aside instead of storing (it answers why in each response). */
  quarantined: number;
  backfill: { readings: number; ms: number; perSecond: number } | undefined;
  live: { ticks: number; readings: number };
  /** Lines in the ground-truth file. */
  events: number;
  stoppedBy: 'end' | 'signal';
}

/** A problem the simulator reports as one line and exits with `exitCode`. */
export class SimulationError extends Error {
  override name = 'SimulationError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const iso = (t: number) => new Date(t).toISOString();

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The ingest URL of the office running on the data dir, as a client reaches it (0.0.0.0 → loopback). */
export function runningOfficeIngest(dataDir: string): string | undefined {
  const office = findRunningOffice(dataDir);
  if (!office) return undefined;
  return office.ingest.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

async function checkIngest(url: string): Promise<void> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/v1/health`, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 503) throw new SimulationError(`the office at ${url} answers that its database is unavailable`);
    if (!res.ok) throw new SimulationError(`${url} does not look like a Yoctosehns ingest listener (GET /v1/health answered HTTP ${res.status})`);
  } catch (err) {
    if (err instanceof SimulationError) throw err;
    const e = err as Error & { cause?: { code?: string } };
    throw new SimulationError(`cannot reach the office's ingest listener at ${url} (${e.cause?.code ?? e.message}): is the office running?`);
  }
}

function validate(o: SimulationOptions): void {
  const bad = (msg: string) => new SimulationError(msg, 2);
  if (!Number.isInteger(o.cows) || o.cows < 1 || o.cows > 10_000) throw bad(`--cows must be a whole number from 1 to 10000, not ${o.cows}`);
  if (!Number.isInteger(o.seed)) throw bad(`--seed must be a whole number, not ${o.seed}`);
  if (!(o.intervalMs >= 1000)) throw bad('--interval must be at least 1s');
  if (o.liveIntervalMs !== undefined && !(o.liveIntervalMs >= 1000)) throw bad('--live-interval must be at least 1s');
  if (!(o.backfillMs >= 0) || o.backfillMs > 400 * DAY) throw bad('--backfill must be from 0 to 400d');
  if (o.durationMs !== undefined && !(o.durationMs >= 0)) throw bad('--duration must not be negative');
  const batch = o.batchSize ?? 1000;
  if (!Number.isInteger(batch) || batch < 2 || batch > MAX_READINGS_PER_REQUEST) throw bad(`the batch size must be 2–${MAX_READINGS_PER_REQUEST}`);
}

/**
 * Runs the node simulator: provisions the herd and its nodes through the office on `dataDir`, posts the
 * backfill, then live readings until `durationMs` has passed or `signal` aborts. Resolves with a summary;
 * rejects with SimulationError (or OfficeRefusedError) for a problem to report.
 */
export async function runSimulation(o: SimulationOptions): Promise<SimulationSummary> {
  validate(o);
  const log = o.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const now = o.now ?? Date.now;
  const signal = o.signal ?? new AbortController().signal;
  const concurrency = o.concurrency ?? 4;
  const batchSize = o.batchSize ?? 1000;
  const interval = o.intervalMs;
  const liveInterval = o.liveIntervalMs ?? interval;
  const timeZone = o.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const flags = { 'data-dir': o.dataDir, 'database-url': o.databaseUrl };
  const dataDir = loadConfig(flags).dataDir;

  const ingestUrl = o.ingestUrl ?? runningOfficeIngest(dataDir);
  if (!ingestUrl) {
    throw new SimulationError(`no office runs on ${dataDir}: start one (npm run serve -- --data-dir ${dataDir}) or name its ingest URL with --ingest`, 2);
  }
  await checkIngest(ingestUrl);

  // The herd and its nodes: kept in the state file, extended when more cows are asked for.
  const startedAt = now();
  let state: SimulatorState;
  try {
    state = loadState(dataDir) ?? { version: 1, seed: o.seed, created_at: iso(startedAt), herd: [], nodes: {}, schedule: null, events: [] };
  } catch (err) {
    if (err instanceof StateError) throw new SimulationError(err.message);
    throw err;
  }
  if (state.seed !== o.seed) log(`note: the simulated herd on ${dataDir} was made with --seed ${state.seed}; going on with that seed`);
  const seed = state.seed;
  if (state.herd.length < o.cows) {
    const groups = o.groups?.length ? o.groups : DEFAULT_GROUPS;
    state.herd.push(...generateHerd({ seed, count: o.cows, groups, now: Date.parse(state.created_at) }).slice(state.herd.length));
  }
  const herd = state.herd.slice(0, o.cows);
  const nodes = nodesForHerd(herd);
  const save = () => saveState(dataDir, state);
  save();

  let provisioned: { imported: number; reused: number; provisioned: number };
  try {
    provisioned = await withCommands(flags, async (run) => {
      const imported = await importHerd(run, herd);
      return { imported, ...(await provisionNodes(run, nodes, state.nodes, save)) };
    });
  } catch (err) {
    if (err instanceof ProvisionError) throw new SimulationError(err.message);
    throw err;
  }
  log(
    `herd: ${herd.length} cows (${provisioned.imported} newly imported); nodes: ${provisioned.reused} reused, ${provisioned.provisioned} provisioned ` +
      `(tokens in ${statePath(dataDir)})`,
  );

  // The injected events. Time already posted keeps the events it was posted with (the office keeps the first
  // reading of a time stamp, so that is what its data shows, whatever this run's --inject); time never
  // scheduled gets new events of the kinds asked for.
  const kinds = [...new Set(o.inject)];
  const periodStart = startedAt - o.backfillMs;
  const liveEnd = o.durationMs === undefined ? Infinity : startedAt + o.durationMs;
  const ensureSchedule = (start: number, end: number) => {
    const add = (s: number, e: number) => {
      if (e > s) state.events.push(...generateEvents({ seed, herd, start: s, end: e, kinds, existing: state.events }));
    };
    const done = state.schedule;
    if (!done) add(start, end);
    else {
      add(start, done.start);
      add(done.end, end);
    }
    state.schedule = { start: Math.min(start, done?.start ?? start), end: Math.max(end, done?.end ?? end) };
    state.events.sort((a, b) => a.onset - b.onset);
    save();
  };
  const applied = () => state.events.filter((e) => e.cow < herd.length);
  const buildModel = () => createHerdModel({ seed, herd, events: applied(), timeZone });
  // The backfill and the live part are scheduled apiece, so each gets its share of events.
  ensureSchedule(periodStart, startedAt);
  ensureSchedule(periodStart, Number.isFinite(liveEnd) ? Math.max(liveEnd, startedAt) : startedAt + 30 * DAY);
  let model: HerdModel = buildModel();
  const dueDates = new Map(applied().filter((e) => e.kind === 'calving').map((e) => [e.animal, String(e.details.due_date)]));
  try {
    await withCommands(flags, (run) => recordDueDates(run, dueDates));
  } catch (err) {
    if (err instanceof ProvisionError) throw new SimulationError(err.message);
    throw err;
  }

  let truthWritten = -1;
  /** This run has posted readings up to here. */
  let postedEnd = -Infinity;
  const writeTruth = (force = false) => {
    if (!o.eventsFile) return 0;
    const lines = applied()
      .filter((e: SimEvent) => e.onset <= postedEnd && (e.end ?? Infinity) >= periodStart)
      .map((e) => JSON.stringify(toGroundTruth(e)) + '\n');
    if (force || lines.length !== truthWritten) {
      writeFileAtomic(o.eventsFile, lines.join(''));
      truthWritten = lines.length;
    }
    return lines.length;
  };

  const totals = { requests: 0, posted: 0, accepted: 0, duplicates: 0, quarantined: 0 };
  const send = async (node: SimNode, readings: ReturnType<HerdModel['nodeReadings']>, attempts: number) => {
    const saved = state.nodes[node.name]!;
    const res = await postReadings(ingestUrl, { name: node.name, token: saved.token }, readings, {
      signal,
      attempts,
      onRetry: (reason, attempt, wait) => {
        if (attempt === 1 || attempt % 3 === 0) log(`warning: node ${node.name}: ${reason}; retrying in ${(wait / 1000).toFixed(1)} s`);
      },
    });
    totals.requests++;
    totals.posted += readings.length;
    totals.accepted += res.accepted;
    totals.duplicates += res.duplicates;
    const quarantined = Array.isArray(res.quarantined) ? res.quarantined : [];
    if (quarantined.length) {
      // The model keeps every value in its plausible range, so the office's reason is worth showing.
      if (totals.quarantined === 0) log(`warning: the office quarantined readings of node ${node.name}: ${JSON.stringify(quarantined.slice(0, 3))}`);
      totals.quarantined += quarantined.length;
    }
  };

  let backfill: SimulationSummary['backfill'];
  let live = { ticks: 0, readings: 0 };
  let stoppedBy: SimulationSummary['stoppedBy'] = 'end';
  try {
    // Backfill: history as buffered nodes deliver it, oldest first, in batches, a few requests in flight.
    const backfillEnd = alignDown(startedAt, interval);
    if (o.backfillMs > 0) {
      const from = alignUp(periodStart, interval);
      const jobs: { node: SimNode; from: number; to: number; count: number }[] = [];
      const left = new Map<string, number>();
      for (const node of nodes) {
        const done = state.nodes[node.name]!.posted_through;
        const nodeFrom = o.resume && done !== undefined && done >= from ? alignUp(done + 1, interval) : from;
        const steps = Math.max(1, Math.floor(batchSize / node.metrics.length));
        for (let t = nodeFrom; t <= backfillEnd; t += steps * interval) {
          const to = Math.min(t + (steps - 1) * interval, backfillEnd);
          let count = 0;
          for (let ts = t; ts <= to; ts += interval) if (!model.isSilent(node.name, ts)) count += node.metrics.length;
          jobs.push({ node, from: t, to, count });
          left.set(node.name, (left.get(node.name) ?? 0) + 1);
        }
      }
      jobs.sort((a, b) => a.from - b.from);
      const total = jobs.reduce((n, j) => n + j.count, 0);
      const began = Date.now();
      let posted = 0, step = 0, reached = from - 1;
      if (total === 0) log('backfill: every reading since ' + iso(from) + ' was delivered before');
      else log(`backfill: ${fmt(total)} readings of ${nodes.length} nodes from ${iso(jobs[0]!.from)} to ${iso(backfillEnd)}, every ${formatDuration(interval)}`);
      try {
        await runPool(
          jobs,
          concurrency,
          async (job) => {
            const readings = model.nodeReadings(job.node, job.from, job.to, interval);
            if (readings.length) await send(job.node, readings, 8);
            posted += readings.length;
            reached = Math.max(reached, job.from);
            const n = left.get(job.node.name)! - 1;
            left.set(job.node.name, n);
            if (n === 0) state.nodes[job.node.name]!.posted_through = backfillEnd;
            const pct = Math.floor((posted / total) * 20);
            if (pct > step && posted < total) {
              step = pct;
              const rate = posted / Math.max(0.001, (Date.now() - began) / 1000);
              log(`backfill ${pct * 5}% (${fmt(posted)}/${fmt(total)} readings, ${fmt(rate)}/s)`);
            }
          },
          signal,
        );
      } catch (err) {
        if (!(err instanceof AbortedError)) throw err;
      }
      // Jobs run oldest first: when stopped, the readings are complete up to about the last one begun.
      postedEnd = signal.aborted ? reached : backfillEnd;
      save();
      if (signal.aborted) {
        stoppedBy = 'signal';
        log(`backfill stopped at ${fmt(posted)}/${fmt(total)} readings`);
      } else {
        const ms = Date.now() - began;
        backfill = { readings: posted, ms, perSecond: posted / Math.max(0.001, ms / 1000) };
        if (total) log(`backfill 100% (${fmt(posted)} readings in ${(ms / 1000).toFixed(1)} s, ${fmt(backfill.perSecond)}/s)`);
        o.onBackfillDone?.({ readings: posted, ms });
      }
      writeTruth();
    }

    // Live: every interval each node posts what it measured since its last successful post.
    if (o.durationMs !== 0 && !signal.aborted) {
      const cursor = new Map<string, number>();
      const fallback = o.backfillMs > 0 ? backfillEnd : alignDown(startedAt, liveInterval) - 1;
      for (const node of nodes) cursor.set(node.name, Math.max(fallback, (o.resume || o.backfillMs > 0 ? state.nodes[node.name]!.posted_through : undefined) ?? -Infinity));
      log(
        `live: every ${formatDuration(liveInterval)} to ${ingestUrl}` +
          (Number.isFinite(liveEnd) ? ` until ${iso(liveEnd)}` : ' until stopped (Ctrl+C)'),
      );
      let lastLog = 0, sinceLog = 0, unreachable = false;
      while (!signal.aborted) {
        const t = now();
        const upto = Math.min(t, liveEnd);
        if (!Number.isFinite(liveEnd) && state.schedule!.end < upto + 2 * DAY) {
          ensureSchedule(periodStart, upto + 30 * DAY);
          model = buildModel();
        }
        let tickReadings = 0;
        try {
          await runPool(
            nodes,
            concurrency,
            async (node) => {
              // A node's unsent readings stay buffered until the office takes them, oldest first.
              const from = cursor.get(node.name)! + 1;
              const steps = Math.max(1, Math.floor(batchSize / node.metrics.length));
              for (let f = alignUp(from, liveInterval); f <= upto; f += steps * liveInterval) {
                const to = Math.min(f + (steps - 1) * liveInterval, upto);
                const readings = model.nodeReadings(node, f, to, liveInterval);
                if (readings.length) await send(node, readings, 3);
                tickReadings += readings.length;
                cursor.set(node.name, to);
                state.nodes[node.name]!.posted_through = to;
              }
              cursor.set(node.name, upto);
              state.nodes[node.name]!.posted_through = upto;
            },
          );
          if (unreachable) log('live: the office takes readings again');
          unreachable = false;
          postedEnd = Math.max(postedEnd, upto);
        } catch (err) {
          if (err instanceof AbortedError) break;
          if (!(err instanceof OfficeUnreachableError)) throw err;
          if (!unreachable) log(`warning: ${err.message}; the nodes keep their readings and try again next interval`);
          unreachable = true;
        }
        live.ticks++;
        live.readings += tickReadings;
        sinceLog += tickReadings;
        save();
        writeTruth();
        if (liveInterval >= 60_000 || Date.now() - lastLog >= 60_000 || upto >= liveEnd) {
          if (sinceLog) log(`live ${iso(upto).slice(0, 19)}Z: ${fmt(sinceLog)} readings posted (${fmt(totals.accepted)} accepted in all)`);
          lastLog = Date.now();
          sinceLog = 0;
        }
        if (upto >= liveEnd) break;
        const next = Math.min(liveEnd, (Math.floor(t / liveInterval) + 1) * liveInterval + 250);
        try {
          await sleep(Math.max(0, next - now()), signal);
        } catch (err) {
          if (err instanceof AbortedError) break;
          throw err;
        }
      }
      if (signal.aborted) stoppedBy = 'signal';
    } else if (signal.aborted) {
      stoppedBy = 'signal';
    }
  } catch (err) {
    if (err instanceof OfficeRefusedError || err instanceof OfficeUnreachableError) throw new SimulationError(err.message);
    throw err;
  } finally {
    // Events after the last reading posted were never injected: forget them, so the next run plans afresh.
    const until = Math.max(state.posted_until ?? -Infinity, postedEnd);
    if (Number.isFinite(until)) state.posted_until = until;
    state.events = state.events.filter((e) => e.onset <= until);
    state.schedule = state.schedule && until >= state.schedule.start ? { start: state.schedule.start, end: Math.min(state.schedule.end, until) } : null;
    save();
    writeTruth(true);
  }

  return {
    cows: herd.length,
    animalsImported: provisioned.imported,
    nodes: { reused: provisioned.reused, provisioned: provisioned.provisioned },
    ...totals,
    backfill,
    live,
    events: writeTruth(),
    stoppedBy,
  };
}

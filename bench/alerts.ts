// `npm run bench -- alerts [--seeds 1,2,3] [--cows 60] [--days 45]`: how well the alert rules find what the
// simulator injected. For each seed a real office (PGlite on disk, HTTP on loopback) takes a replay of `days`
// of a herd's readings as fast as it can; the alerts it raised on the readings' own time stamps are then
// scored against the ground truth per rule: sensitivity, precision, false alerts per 100 cow-days, and the
// delay from onset to alert. Events in the first days (before the baselines have their history) are left
// out of the score, as are alerts raised then.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestOffice } from '../app/main/testing/test-office.ts';
import { EVENT_KINDS, type GroundTruthLine } from '../app/main/simulator/model.ts';
import { runSimulation } from '../app/main/simulator/run-simulation.ts';
import { poolScores, rulesFor, scoreRule, type RuleScore, type ScoredAlert } from '../app/main/stats/evaluation.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The nodes post every 10 minutes. */
const INTERVAL = 10 * MINUTE;
/** Baselines need 7–10 days of history; events before this are not scored. */
const WARM_UP_DAYS = 10;

const GOALS: Record<string, string> = {
  heat: 'sensitivity ≥ 90 % at ≤ 1 false alert per 100 cow-days',
  fever: 'sensitivity ≥ 85 %',
  calving: 'sensitivity ≥ 70 % with ≥ 6 h warning',
  silent_node: '100 % within 2× its threshold',
};

interface SeedRun {
  seed: number;
  scores: RuleScore[];
  cowDays: number;
  readings: number;
  replayS: number;
  settleS: number;
}

async function runSeed(seed: number, cows: number, days: number): Promise<SeedRun> {
  const office = await startTestOffice();
  try {
    const eventsFile = join(office.dataDir, 'ground-truth.jsonl');
    const end = Math.floor(Date.now() / (10 * MINUTE)) * 10 * MINUTE;
    let readings = 0;
    let replayMs = 0;
    await runSimulation({
      dataDir: office.dataDir,
      ingestUrl: office.ingestUrl,
      cows,
      seed,
      intervalMs: INTERVAL,
      backfillMs: days * DAY,
      durationMs: 0,
      inject: EVENT_KINDS,
      eventsFile,
      timeZone: 'UTC',
      now: () => end,
      log: (line) => process.stderr.write(`  seed ${seed}: ${line}\n`),
      onBackfillDone: (s) => {
        readings = s.readings;
        replayMs = s.ms;
      },
    });
    const t0 = performance.now();
    await office.stats.settle();
    const settleS = (performance.now() - t0) / 1000;
    // A node whose data stopped before the end (silent for the rest of the run) posted its last batch of
    // history seconds ago: the live check counts it silent once it has not posted for 3× its usual gap
    // between requests, as the office's minute check would a little later. Its alert still carries data
    // times (onset = its last reading, raised_at = that + its threshold).
    await new Promise((r) => setTimeout(r, 30_000));
    await office.stats.settle();

    const { data } = await office.graphql(`{
      alerts(order_by: {raised_at: asc}) { cause onset raised_at animal { tag official_id } node { name } }
    }`);
    const alerts: ScoredAlert[] = (
      data.alerts as { cause: string; onset: string; raised_at: string; animal: { tag: string | null; official_id: string | null } | null; node: { name: string } | null }[]
    ).map((a) => ({
      cause: a.cause,
      animal: a.animal?.tag ?? a.animal?.official_id ?? undefined,
      node: a.node?.name,
      onset: Date.parse(a.onset),
      raisedAt: Date.parse(a.raised_at),
    }));
    const truth = readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as GroundTruthLine);
    const options = { from: end - days * DAY + WARM_UP_DAYS * DAY, to: end, cows };
    return {
      seed,
      scores: rulesFor(INTERVAL).map((spec) => scoreRule(spec, truth, alerts, options)),
      cowDays: (cows * (options.to - options.from)) / DAY,
      readings,
      replayS: replayMs / 1000,
      settleS,
    };
  } finally {
    await office.close();
  }
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(0)} %`);
const hours = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} h`);

function printScores(title: string, scores: readonly RuleScore[]): void {
  console.log(title);
  console.log('  rule         events  detected  sensitivity  alerts  precision  false/100 cow-days  median delay  max delay');
  for (const s of scores) {
    console.log(
      `  ${s.kind.padEnd(12)} ${String(s.events).padStart(6)}  ${String(s.detected).padStart(8)}  ${pct(s.sensitivity).padStart(11)}  ${String(s.alerts).padStart(6)}  ${pct(s.precision).padStart(9)}  ${s.falsePer100CowDays.toFixed(2).padStart(18)}  ${hours(s.medianDelayH).padStart(12)}  ${hours(s.maxDelayH).padStart(9)}`,
    );
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { seeds: { type: 'string', default: '1,2,3' }, cows: { type: 'string', default: '60' }, days: { type: 'string', default: '45' } } });
  const seeds = values.seeds.split(',').map(Number);
  const cows = Number(values.cows);
  const days = Number(values.days);
  if (seeds.some((s) => !Number.isInteger(s)) || !(cows > 0) || !(days > WARM_UP_DAYS)) {
    throw new Error(`--seeds must be integers, --cows positive and --days more than ${WARM_UP_DAYS}`);
  }
  const runs: SeedRun[] = [];
  for (const seed of seeds) {
    const run = await runSeed(seed, cows, days);
    runs.push(run);
    console.log(`seed ${seed}: ${run.readings.toLocaleString('en')} readings of ${days} days replayed in ${run.replayS.toFixed(1)} s; rollups and alerts settled ${run.settleS.toFixed(1)} s later`);
    printScores(`  scored from day ${WARM_UP_DAYS} (${run.cowDays.toFixed(0)} cow-days):`, run.scores);
  }
  const cowDays = runs.reduce((n, r) => n + r.cowDays, 0);
  const pooled = rulesFor(INTERVAL).map((spec) => poolScores(spec.kind, runs.map((r) => r.scores.find((s) => s.kind === spec.kind)!), cowDays));
  printScores(`all ${runs.length} seeds (${cowDays.toFixed(0)} cow-days):`, pooled);
  for (const s of pooled) console.log(`  goal ${s.kind}: ${GOALS[s.kind]}`);
}

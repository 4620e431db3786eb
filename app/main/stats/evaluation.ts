// Scores the office's alerts against the simulator's injected events (ground truth), per rule: sensitivity,
// precision, false alerts per 100 cow-days and the delay from onset to alert. Used by `npm run bench -- alerts`.
import type { GroundTruthLine } from '../simulator/model.ts';

/** An alert as the office stored it, with its subject named as the simulator names it. */
export interface ScoredAlert {
  cause: string;
  /** Tag or official ID of the animal, for animal alerts. */
  animal?: string | undefined;
  /** Node name, for node alerts. */
  node?: string | undefined;
  onset: number;
  raisedAt: number;
}

/** How one kind of injected event is matched to alerts. */
export interface RuleSpec {
  /** The ground-truth kind (heat, fever, calving, silent_node). */
  kind: string;
  /** Alert causes that detect it. */
  causes: readonly string[];
  subject: 'animal' | 'node';
  /** An alert raised this long before the event's onset still detects it (ms). */
  early: number;
  /** …and this long after the event's end. */
  late: number;
  /** The latest an alert may be raised relative to the event to count as detected (calving: 6 h before the birth). */
  deadline?: (event: GroundTruthLine) => number;
}

export interface RuleScore {
  kind: string;
  events: number;
  detected: number;
  /** detected ÷ events (null without events). */
  sensitivity: number | null;
  alerts: number;
  /** Alerts that match an event ÷ alerts (null without alerts). */
  precision: number | null;
  falseAlerts: number;
  falsePer100CowDays: number;
  /** Median of (first matching alert's raised_at − onset), hours. */
  medianDelayH: number | null;
  /** Largest such delay, hours. */
  maxDelayH: number | null;
  /** Every detection's delay, hours, in order (for pooling runs). */
  delaysH: number[];
}

const median = (sorted: readonly number[]) => (sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null);

const HOUR = 3_600_000;

/**
 * Matching windows: wide enough for a rule's smoothing, narrow enough that a far-off alert is a false one.
 * `intervalMs` is the nodes' posting interval: a silent node counts as found within 2× its threshold,
 * max(3 × interval, 15 min).
 */
export function rulesFor(intervalMs: number): RuleSpec[] {
  const silentThreshold = Math.max(3 * intervalMs, 15 * 60_000);
  return [
    { kind: 'heat', causes: ['Activity'], subject: 'animal', early: 6 * HOUR, late: 12 * HOUR },
    { kind: 'fever', causes: ['AnimalTemperature'], subject: 'animal', early: 6 * HOUR, late: 12 * HOUR },
    {
      kind: 'calving',
      causes: ['Parturition'],
      subject: 'animal',
      early: 48 * HOUR,
      late: 0,
      // Detected only with at least 6 h of warning before the birth itself.
      deadline: (e) => Date.parse(String(e.details.calving_at)) - 6 * HOUR,
    },
    { kind: 'silent_node', causes: ['Offline'], subject: 'node', early: 0, late: 0, deadline: (e) => Date.parse(e.onset) + 2 * silentThreshold },
  ];
}

export interface ScoreOptions {
  /** Events whose onset is before this (the baselines' warm-up) are not counted; alerts before it neither. */
  from: number;
  /** End of the scored data (events without an end last until here). */
  to: number;
  cows: number;
}

function subjectOf(x: { animal?: string | undefined; node?: string | undefined }, spec: RuleSpec): string | undefined {
  return spec.subject === 'animal' ? x.animal : x.node;
}

export function scoreRule(spec: RuleSpec, truth: readonly GroundTruthLine[], alerts: readonly ScoredAlert[], options: ScoreOptions): RuleScore {
  const events = truth.filter((e) => e.kind === spec.kind && Date.parse(e.onset) >= options.from && Date.parse(e.onset) < options.to);
  const mine = alerts.filter((a) => spec.causes.includes(a.cause) && a.raisedAt >= options.from && a.raisedAt < options.to);
  // An alert may be matched by any event of its subject whose window holds it, even one before `from`.
  const all = truth.filter((e) => e.kind === spec.kind);
  const window = (e: GroundTruthLine) => {
    const onset = Date.parse(e.onset);
    const end = e.end ? Date.parse(e.end) : options.to;
    return { start: onset - spec.early, end: Math.min(end + spec.late, spec.deadline ? spec.deadline(e) : Infinity) };
  };
  const delays: number[] = [];
  let detected = 0;
  for (const e of events) {
    const w = window(e);
    const first = mine
      .filter((a) => subjectOf(a, spec) === subjectOf(e, spec) && a.raisedAt >= w.start && a.raisedAt <= w.end)
      .sort((a, b) => a.raisedAt - b.raisedAt)[0];
    if (!first) continue;
    detected++;
    delays.push((first.raisedAt - Date.parse(e.onset)) / HOUR);
  }
  const matched = mine.filter((a) =>
    all.some((e) => {
      if (subjectOf(a, spec) !== subjectOf(e, spec)) return false;
      // For precision an alert within the event's span counts even if it came too late to be a detection.
      const onset = Date.parse(e.onset);
      const end = e.end ? Date.parse(e.end) : options.to;
      return a.raisedAt >= onset - spec.early && a.raisedAt <= end + spec.late;
    }),
  ).length;
  const cowDays = (options.cows * (options.to - options.from)) / (24 * HOUR);
  const falseAlerts = mine.length - matched;
  delays.sort((a, b) => a - b);
  return {
    kind: spec.kind,
    events: events.length,
    detected,
    sensitivity: events.length ? detected / events.length : null,
    alerts: mine.length,
    precision: mine.length ? matched / mine.length : null,
    falseAlerts,
    falsePer100CowDays: cowDays > 0 ? (100 * falseAlerts) / cowDays : 0,
    medianDelayH: median(delays),
    maxDelayH: delays.at(-1) ?? null,
    delaysH: delays,
  };
}

/** Sums the counts of several runs (seeds) of one rule and recomputes the ratios; delays are pooled. */
export function poolScores(kind: string, scores: readonly RuleScore[], cowDays: number): RuleScore {
  const sum = (f: (s: RuleScore) => number) => scores.reduce((n, s) => n + f(s), 0);
  const events = sum((s) => s.events);
  const detected = sum((s) => s.detected);
  const alerts = sum((s) => s.alerts);
  const falseAlerts = sum((s) => s.falseAlerts);
  const delays = scores.flatMap((s) => s.delaysH).sort((a, b) => a - b);
  return {
    kind,
    events,
    detected,
    sensitivity: events ? detected / events : null,
    alerts,
    precision: alerts ? (alerts - falseAlerts) / alerts : null,
    falseAlerts,
    falsePer100CowDays: cowDays > 0 ? (100 * falseAlerts) / cowDays : 0,
    medianDelayH: median(delays),
    maxDelayH: delays.at(-1) ?? null,
    delaysH: delays,
  };
}

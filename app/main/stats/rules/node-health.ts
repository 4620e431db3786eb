// The nodes themselves: a node that stopped posting, and a node whose battery runs low.
//
// A silence is judged on the node's own readings where it has them (a node fitted to an animal): a gap in its
// readings' time stamps of at least max(intervalFactor × its usual interval, minSilentMinutes), the usual
// interval being the median gap between its recent readings. Onset is the last reading before the gap, raised_at
// onset + that threshold (the data time it became silent), resolved_at the first reading after it. The alert
// engine finds closed gaps in the data (so a replay raises them at their data times) and the office-clock check
// finds the silence that is still going on; both build the alert with silentGaps() below, so they agree.
import { median } from '../baselines.ts';
import { MINUTE } from '../farm-clock.ts';
import { formatHours } from './episodes.ts';
import type { Parameters } from './parameters.ts';
import type { Condition } from './types.ts';
import { SILENT_NODE, LOW_BATTERY } from '../../../shared/alert-rules.ts';

/** The rule's key, description and parameters are data the dashboard shares: app/shared/alert-rules.ts. */
export { SILENT_NODE, LOW_BATTERY };

export type SilentNodeParameters = Parameters<typeof SILENT_NODE.parameters>;
export type LowBatteryParameters = Parameters<typeof LOW_BATTERY.parameters>;

/** The node's usual interval: the median gap between its recent posts (undefined with fewer than two). */
export function usualInterval(postTimes: readonly number[]): number | undefined {
  const sorted = [...postTimes].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - sorted[i]!).filter((g) => g > 0);
  return gaps.length ? median(gaps) : undefined;
}

export function silentAfter(interval: number | undefined, p: SilentNodeParameters): number {
  return Math.max(p.intervalFactor * (interval ?? 0), p.minSilentMinutes * MINUTE);
}

/** Usual interval over the `recentPosts` times up to and including index `i` of sorted `times`. */
function intervalAt(times: readonly number[], i: number, recent: number): number | undefined {
  return usualInterval(times.slice(Math.max(0, i + 1 - recent), i + 1));
}

/**
 * The silences in a node's readings: `times` sorted ascending (its readings' time stamps, with at least
 * `recentPosts` of them before `from` when there are that many, so the usual interval is known as it was then).
 * Every gap of at least the threshold whose next reading is after `from` is a closed condition (clearedAt the
 * next reading). With `until` (the office clock, for a node silent now) a silence after the last reading that
 * has lasted the threshold by `until` is an open condition. Pure: the same readings give the same conditions
 * however and whenever they arrived.
 */
export function silentGaps(times: readonly number[], p: SilentNodeParameters, { from = -Infinity, until }: { from?: number; until?: number } = {}): Condition[] {
  const out: Condition[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const next = times[i + 1]!;
    if (next <= from) continue;
    const interval = intervalAt(times, i, p.recentPosts);
    const limit = silentAfter(interval, p);
    if (next - times[i]! < limit) continue;
    out.push(silentCondition(times[i]!, next, interval, limit));
  }
  if (until !== undefined && times.length) {
    const last = times.length - 1;
    const interval = intervalAt(times, last, p.recentPosts);
    const limit = silentAfter(interval, p);
    if (until - times[last]! >= limit) out.push(silentCondition(times[last]!, undefined, interval, limit, until));
  }
  return out;
}

/** The silence after the reading at `onset`: closed by the reading at `back`, or still going on at `now`. */
function silentCondition(onset: number, back: number | undefined, interval: number | undefined, limit: number, now?: number): Condition {
  const silent = (back ?? now!) - onset;
  return {
    cause: SILENT_NODE.cause,
    category: SILENT_NODE.category,
    severity: 2,
    onset,
    raisedAt: onset + limit,
    ...(back !== undefined ? { clearedAt: back, clearedReason: `the node's readings resumed at ${new Date(back).toISOString()}` } : {}),
    reason:
      `no reading for ${silence(silent)}` +
      (interval ? `; it usually sends one every ${silence(interval)}` : '; its usual interval is not known yet'),
    details: {
      last_reading: new Date(onset).toISOString(),
      ...(back !== undefined ? { readings_resumed: new Date(back).toISOString() } : {}),
      silent_minutes: Math.round(silent / MINUTE),
      ...(interval ? { usual_interval_minutes: round1(interval / MINUTE) } : {}),
      threshold_minutes: round1(limit / MINUTE),
    },
  };
}

/**
 * Whether a node without readings of its own (a gateway, a pen's climate node, a node not fitted to an animal)
 * is silent at `now` by its posts: the condition from its last post, or undefined while it posts on time.
 */
export function evaluateSilentNode(node: { lastSeenAt: number; postTimes: readonly number[] }, now: number, p: SilentNodeParameters): Condition | undefined {
  const interval = usualInterval(node.postTimes);
  const limit = silentAfter(interval, p);
  if (now - node.lastSeenAt < limit) return undefined;
  return {
    cause: SILENT_NODE.cause,
    category: SILENT_NODE.category,
    severity: 2,
    onset: node.lastSeenAt,
    raisedAt: node.lastSeenAt + limit,
    reason:
      `no post for ${silence(now - node.lastSeenAt)}` +
      (interval ? `; it usually posts every ${silence(interval)}` : '; its usual interval is not known yet'),
    details: {
      last_post: new Date(node.lastSeenAt).toISOString(),
      silent_minutes: Math.round((now - node.lastSeenAt) / MINUTE),
      ...(interval ? { usual_interval_minutes: round1(interval / MINUTE) } : {}),
      threshold_minutes: round1(limit / MINUTE),
    },
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** "40 s", "25 min", "3 h", "2 d 4 h". */
function silence(ms: number): string {
  if (ms < MINUTE) return `${Math.round(ms / 1000)} s`;
  if (ms < 90 * MINUTE) return `${Math.round(ms / MINUTE)} min`;
  return formatHours(ms);
}

export type BatteryState = { state: 'low'; reason: string; details: Condition['details'] } | { state: 'ok' | 'unknown' | 'between' };

/** low below the thresholds, ok above the clearing level (so a level hovering at the threshold does not flap). */
export function batteryState(node: { percent: number | null; volts: number | null }, p: LowBatteryParameters): BatteryState {
  const lowPercent = node.percent !== null && node.percent < p.percentBelow;
  const lowVolts = node.volts !== null && p.voltsBelow !== null && node.volts < p.voltsBelow;
  if (lowPercent || lowVolts) {
    const parts = [
      ...(node.percent !== null ? [`${Math.round(node.percent)} %`] : []),
      ...(node.volts !== null ? [`${node.volts.toFixed(2)} V`] : []),
    ];
    return {
      state: 'low',
      reason: `battery at ${parts.join(', ')}; below ${lowPercent ? `${p.percentBelow} %` : `${p.voltsBelow} V`}`,
      details: {
        ...(node.percent !== null ? { battery_percent: Math.round(node.percent) } : {}),
        ...(node.volts !== null ? { battery_volts: Math.round(node.volts * 100) / 100 } : {}),
        ...(lowPercent ? { threshold_percent: p.percentBelow } : { threshold_volts: p.voltsBelow! }),
      },
    };
  }
  if (node.percent === null && (node.volts === null || p.voltsBelow === null)) return { state: 'unknown' };
  if (node.percent !== null && node.percent < p.clearPercentAbove) return { state: 'between' };
  return { state: 'ok' };
}

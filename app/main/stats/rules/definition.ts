import type { BaselineLookup, HourlyPoint, SignalPoint } from '../baselines.ts';
import { trailingWindows } from './episodes.ts';
import type { ParameterSpecs, RuleSpec } from '../../../shared/alert-rules.ts';

/** A rule as the engine and alert_rules know it (its data: app/shared/alert-rules.ts). */
export type RuleDefinition<S extends ParameterSpecs = ParameterSpecs> = RuleSpec<S>;

/** The hourly mean as the signal (activity, rumination, eating: their hourly rate). */
export const hourlyMean = (points: readonly HourlyPoint[]): SignalPoint[] => points.map((p) => ({ hour: p.hour, value: p.mean }));

export interface RatioHour {
  /** Sum of the signal over the smoothing window (only hours that have a baseline). */
  value: number;
  /** Sum of her baselines over the same hours. */
  baseline: number;
  ratio: number;
  /** Hours summed (those of the window that have a baseline). */
  hours: number;
  /** Days behind the newest baseline used. */
  baselineDays: number;
}

/**
 * Her signal against her baseline, smoothed over the trailing `smoothingHours`: the ratio of the sums, so a
 * quiet night hour (small baseline) cannot swing the ratio as much as a busy daytime hour. Hours before
 * `from`, or whose window has no baseline yet, give nothing.
 */
export function smoothedRatios(points: readonly SignalPoint[], lookup: BaselineLookup, smoothingHours: number, from: number): { hour: number; data: RatioHour }[] {
  const out: { hour: number; data: RatioHour }[] = [];
  const windows = trailingWindows(points, smoothingHours);
  points.forEach((p, i) => {
    if (p.hour < from) return;
    let value = 0;
    let baseline = 0;
    let baselineDays = 0;
    let hours = 0;
    for (const q of windows[i]!) {
      const b = lookup(q.hour);
      if (!b) continue;
      value += q.value;
      baseline += b.median;
      baselineDays = b.days;
      hours++;
    }
    if (baseline > 0) out.push({ hour: p.hour, data: { value, baseline, ratio: value / baseline, hours, baselineDays } });
  });
  return out;
}

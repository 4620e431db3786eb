// Health suspicion: a sick cow ruminates (and eats) less, for hours, well before she looks ill. Like the SCR
// health index (rumination and activity from 2-h blocks, judged over the day; Stangaferro et al. 2016 found it
// flagged 93 % of metabolic and digestive disorders, days before the clinical diagnosis), her rumination is
// held against her own baseline at the same hours, smoothed over several hours, and must stay low for hours.
import { baselineLookup } from '../baselines.ts';
import { hourlyMean, smoothedRatios, type RatioHour } from './definition.ts';
import { episodeHours, episodeLength, findEpisodes, formatHours, peakOf, round, toConditions } from './episodes.ts';
import type { Parameters } from './parameters.ts';
import { hasDailyRhythm, type AnimalContext, type AnimalSeries, type RuleResult } from './types.ts';
import { HEALTH } from '../../../shared/alert-rules.ts';

/** The rule's key, description and parameters are data the dashboard shares: app/shared/alert-rules.ts. */
export { HEALTH };

export type HealthParameters = Parameters<typeof HEALTH.parameters>;

const percentBelow = (ratio: number) => Math.round((1 - ratio) * 100);

export function evaluateHealth(series: AnimalSeries, ctx: AnimalContext, p: HealthParameters): RuleResult {
  const baseline = { windowDays: p.baselineDays, minDays: Math.min(p.minDays, p.baselineDays) };
  const ratios = (metric: 'rumination' | 'eating') => {
    const signal = hourlyMean(series[metric] ?? []);
    return smoothedRatios(signal, baselineLookup(signal, ctx.clock, baseline, hasDailyRhythm(ctx, metric)), p.smoothingHours, ctx.from);
  };
  const eating = new Map(ratios('eating').map((s) => [s.hour, s.data]));
  const states = ratios('rumination').map((s) => ({
    hour: s.hour,
    active: s.data.ratio <= 1 - p.dropFraction,
    data: { rumination: s.data, eating: eating.get(s.hour) },
  }));
  return toConditions(findEpisodes(states, p), HEALTH, (e) => {
    // The lowest rumination of the episode is what the farmer is told; eating at that same hour beside it.
    const low = peakOf(e.hours, (d) => -d.rumination.ratio).data;
    const eatingLow = e.hours.some((s) => s.data.eating && s.data.eating.ratio <= 1 - p.eatingDropFraction);
    const perHour = (r: RatioHour) => round(r.value / r.hours);
    const details: Record<string, number> = {
      rumination_percent_below: percentBelow(low.rumination.ratio),
      rumination_min_per_h: perHour(low.rumination),
      baseline_min_per_h: round(low.rumination.baseline / low.rumination.hours),
      baseline_days: p.baselineDays,
      hours: episodeHours(e),
      threshold_percent: Math.round(p.dropFraction * 100),
    };
    if (low.eating) details.eating_percent_below = percentBelow(low.eating.ratio);
    return {
      severity: low.rumination.ratio <= 1 - p.severeDropFraction || eatingLow ? 3 : 2,
      reason:
        `rumination ${percentBelow(low.rumination.ratio)} % below her ${p.baselineDays}-day baseline for ${formatHours(episodeLength(e))}` +
        (low.eating ? (percentBelow(low.eating.ratio) > 0 ? `; eating ${percentBelow(low.eating.ratio)} % below` : '; eating as usual') : ''),
      details,
      clearedReason: `rumination back within ${Math.round(p.dropFraction * 100)} % of her baseline`,
    };
  });
}

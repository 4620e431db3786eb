// Heat (oestrus): a cow in heat walks two to four times as much as usual for about 8 h. Compared with her own
// activity at the same hours of the preceding days (so milking walks and feeding bursts are not mistaken for
// heat), smoothed over a couple of hours (so one restless hour is not a heat). Løvendahl & Chagunda (2010)
// detected 74.6 % of heats at a 1.3 % daily error rate from such activity ratios.
import { baselineLookup } from '../baselines.ts';
import { hourlyMean, smoothedRatios } from './definition.ts';
import { episodeHours, episodeLength, findEpisodes, formatHours, peakOf, round, toConditions } from './episodes.ts';
import type { Parameters } from './parameters.ts';
import { hasDailyRhythm, type AnimalContext, type AnimalSeries, type RuleResult } from './types.ts';
import { HEAT } from '../../../shared/alert-rules.ts';

/** The rule's key, description and parameters are data the dashboard shares: app/shared/alert-rules.ts. */
export { HEAT };

export type HeatParameters = Parameters<typeof HEAT.parameters>;

export function evaluateHeat(series: AnimalSeries, ctx: AnimalContext, p: HeatParameters): RuleResult {
  const signal = hourlyMean(series.activity ?? []);
  const lookup = baselineLookup(signal, ctx.clock, { windowDays: p.baselineDays, minDays: Math.min(p.minDays, p.baselineDays) }, hasDailyRhythm(ctx, 'activity'));
  const states = smoothedRatios(signal, lookup, p.smoothingHours, ctx.from).map((s) => ({ ...s, active: s.data.ratio >= p.ratio }));
  return toConditions(findEpisodes(states, p), HEAT, (e) => {
    const peak = peakOf(e.hours, (d) => d.ratio);
    const n = peak.data;
    return {
      severity: 2,
      reason: `activity ${round(n.ratio)}× her ${p.baselineDays}-day baseline for ${formatHours(episodeLength(e))}`,
      details: {
        ratio: round(n.ratio, 2),
        activity_steps_per_h: Math.round(n.value / n.hours),
        baseline_steps_per_h: Math.round(n.baseline / n.hours),
        baseline_days: p.baselineDays,
        hours: episodeHours(e),
        threshold: p.ratio,
      },
      clearedReason: `activity back below ${p.ratio}× her baseline`,
    };
  });
}

// Fever: body temperature at least 0.8 °C above her own 10-day baseline at the same hour of day (her daily
// rhythm and her individual normal are both taken out), or, while she has no baseline yet, above an absolute
// bolus threshold of 39.5 °C. Once she has a baseline the relative test alone applies: some healthy cows'
// rumen temperature passes 39.5 °C every afternoon, and a cow whose normal is 38.6 °C is febrile well below it.
import { baselineLookup } from '../baselines.ts';
import { episodeHours, episodeLength, findEpisodes, type Description, formatHours, peakOf, round, toConditions } from './episodes.ts';
import type { Parameters } from './parameters.ts';
import { temperatureLevel } from './temperature.ts';
import { hasDailyRhythm, type AnimalContext, type AnimalSeries, type RuleResult } from './types.ts';
import { FEVER } from '../../../shared/alert-rules.ts';

/** The rule's key, description and parameters are data the dashboard shares: app/shared/alert-rules.ts. */
export { FEVER };

export type FeverParameters = Parameters<typeof FEVER.parameters>;

interface FeverHour {
  level: number;
  baseline?: number;
  rise?: number;
}

export function evaluateFever(series: AnimalSeries, ctx: AnimalContext, p: FeverParameters): RuleResult {
  const level = temperatureLevel(series.temperature ?? [], p.dipWindowHours);
  const lookup = baselineLookup(level, ctx.clock, { windowDays: p.baselineDays, minDays: Math.min(p.minDays, p.baselineDays) }, hasDailyRhythm(ctx, 'temperature'));
  const states = level
    .filter((l) => l.hour >= ctx.from)
    .map((l) => {
      const b = lookup(l.hour);
      const data: FeverHour = b ? { level: l.value, baseline: b.median, rise: l.value - b.median } : { level: l.value };
      return { hour: l.hour, data, active: data.rise !== undefined ? data.rise >= p.riseC : l.value >= p.absoluteC };
    });
  return toConditions(findEpisodes(states, p), FEVER, (e): Description => {
    const peak = peakOf(e.hours, (d) => d.level).data;
    const length = formatHours(episodeLength(e));
    const hours = episodeHours(e);
    if (peak.rise !== undefined && peak.baseline !== undefined) {
      return {
        severity: peak.rise >= p.severeRiseC ? 3 : 2,
        reason: `body temperature ${round(peak.level)} °C, ${round(peak.rise)} °C above her ${p.baselineDays}-day baseline, for ${length}`,
        details: { temperature_c: round(peak.level, 2), baseline_c: round(peak.baseline, 2), rise_c: round(peak.rise, 2), baseline_days: p.baselineDays, hours, threshold_c: p.riseC },
        clearedReason: `body temperature back within ${p.riseC} °C of her baseline`,
      };
    }
    return {
      severity: 2,
      reason: `body temperature ${round(peak.level)} °C, above ${p.absoluteC} °C, for ${length} (no baseline of hers yet)`,
      details: { temperature_c: round(peak.level, 2), hours, threshold_c: p.absoluteC },
      clearedReason: `body temperature back to normal`,
    };
  });
}

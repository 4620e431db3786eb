// Calving soon: as progesterone falls in the last day before calving, body temperature drops. A drop of at
// least 0.3 °C against the same hour 24 h earlier (which cancels her daily rhythm) predicts calving within
// about a day (prepartum temperature decline: Burfeind et al. 2011, vaginal and rectal; Ouellet et al. 2016,
// reticulorumen boluses). Only near her expected calving date: elsewhere a cooler day is just a cooler day.
// And only to below her own baseline for the hour, once she has one: a fever ending is a drop against the day
// before as well, but back to her normal, not under it.
import { DAY, HOUR, dayOfDate } from '../farm-clock.ts';
import { baselineLookup, median } from '../baselines.ts';
import { episodeHours, episodeLength, findEpisodes, formatHours, peakOf, round, toConditions, trailingWindows } from './episodes.ts';
import type { Parameters } from './parameters.ts';
import { temperatureLevel } from './temperature.ts';
import { hasDailyRhythm, type AnimalContext, type AnimalSeries, type CalvingContext, type RuleResult } from './types.ts';
import { CALVING } from '../../../shared/alert-rules.ts';

/** The rule's key, description and parameters are data the dashboard shares: app/shared/alert-rules.ts. */
export { CALVING };

export type CalvingParameters = Parameters<typeof CALVING.parameters>;

/**
 * Her pregnancy: the expected calving day is the recorded due date, else the last insemination plus the
 * gestation length; the calving of this pregnancy is the first one recorded since it began. The rule watches
 * up to that calving day, not after it, so a replay of the days before it still raises what was raised live.
 */
export function expectedCalving(
  dueDate: string | null,
  events: readonly { kind: string; day: number }[],
  gestationDays: number,
): CalvingContext | undefined {
  const inseminations = events.filter((e) => e.kind === 'insemination').map((e) => e.day);
  const expectedDay = dueDate ? dayOfDate(dueDate) : inseminations.length ? Math.max(...inseminations) + gestationDays : undefined;
  if (expectedDay === undefined) return undefined;
  const calvings = events.filter((e) => e.kind === 'calving' && e.day >= expectedDay - gestationDays).map((e) => e.day);
  return calvings.length ? { expectedDay, calvedDay: Math.min(...calvings) } : { expectedDay };
}

const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

export function evaluateCalving(series: AnimalSeries, ctx: AnimalContext, p: CalvingParameters): RuleResult {
  if (!ctx.calving) return { conditions: [] };
  const { expectedDay: due, calvedDay = Infinity } = ctx.calving;
  const level = temperatureLevel(series.temperature ?? [], p.dipWindowHours);
  const windows = trailingWindows(level, p.smoothingHours);
  const smoothed = new Map(level.map((l, i) => [l.hour, median(windows[i]!.map((w) => w.value))]));
  const lookup = baselineLookup(level, ctx.clock, { windowDays: p.baselineDays, minDays: Math.min(p.minDays, p.baselineDays) }, hasDailyRhythm(ctx, 'temperature'));
  const states = level.flatMap((l) => {
    const before = smoothed.get(l.hour - 24 * HOUR);
    if (l.hour < ctx.from || before === undefined) return [];
    const now = smoothed.get(l.hour)!;
    const day = ctx.clock.day(l.hour);
    const daysToDue = due - day;
    const near = daysToDue <= p.daysBeforeDue && -daysToDue <= p.daysAfterDue && day <= calvedDay;
    const baseline = lookup(l.hour)?.median;
    const belowNormal = baseline === undefined || now < baseline;
    return [{ hour: l.hour, active: near && belowNormal && before - now >= p.dropC, data: { now, before, drop: before - now, daysToDue } }];
  });
  return toConditions(findEpisodes(states, p), CALVING, (e) => {
    const peak = peakOf(e.hours, (d) => d.drop).data;
    const when = peak.daysToDue > 0 ? `${peak.daysToDue} d before` : peak.daysToDue < 0 ? `${-peak.daysToDue} d after` : 'on';
    return {
      severity: 2,
      reason: `body temperature ${round(peak.drop)} °C lower than 24 h before, for ${formatHours(episodeLength(e))}, ${when} her expected calving date (${isoDay(due)})`,
      details: {
        drop_c: round(peak.drop, 2),
        temperature_c: round(peak.now, 2),
        temperature_24h_before_c: round(peak.before, 2),
        expected_calving: isoDay(due),
        days_to_expected_calving: peak.daysToDue,
        hours: episodeHours(e),
        threshold_c: p.dropC,
      },
      clearedReason: 'body temperature no longer lower than a day before',
    };
  });
}

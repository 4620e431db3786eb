// Heat stress, per pen: the temperature-humidity index (THI) of the barn air, from the pen's climate nodes.
// THI = (1.8·T + 32) − (0.55 − 0.0055·RH)·(1.8·T − 26) (NRC 1971, T in °C, RH in %). Lactating cows lose
// milk from a daily THI of 68 on (Zimbelman et al. 2009); the grades above it follow Armstrong (1994):
// 72 moderate, 80 severe.
import type { HourlyPoint } from '../baselines.ts';
import { episodeHours, episodeLength, findEpisodes, formatHours, peakOf, round, toConditions } from './episodes.ts';
import type { Parameters } from './parameters.ts';
import type { RuleResult } from './types.ts';
import { HEAT_STRESS } from '../../../shared/alert-rules.ts';

/** The rule's key, description and parameters are data the dashboard shares: app/shared/alert-rules.ts. */
export { HEAT_STRESS };

export type HeatStressParameters = Parameters<typeof HEAT_STRESS.parameters>;

export function thi(temperatureC: number, humidityPercent: number): number {
  return 1.8 * temperatureC + 32 - (0.55 - 0.0055 * humidityPercent) * (1.8 * temperatureC - 26);
}

/** The pen's hourly barn temperature and humidity (pen_readings_hourly means). */
export interface PenSeries {
  ambientTemperature?: readonly HourlyPoint[];
  humidity?: readonly HourlyPoint[];
}

export function evaluateHeatStress(series: PenSeries, from: number, p: HeatStressParameters): RuleResult {
  const humidity = new Map((series.humidity ?? []).map((h) => [h.hour, h.mean]));
  const states = (series.ambientTemperature ?? []).flatMap((t) => {
    const rh = humidity.get(t.hour);
    if (t.hour < from || rh === undefined) return [];
    const index = thi(t.mean, rh);
    return [{ hour: t.hour, active: index >= p.thiAbove, data: { thi: index, temperature: t.mean, humidity: rh } }];
  });
  return toConditions(findEpisodes(states, p), HEAT_STRESS, (e) => {
    const peak = peakOf(e.hours, (d) => d.thi).data;
    return {
      severity: peak.thi >= p.severeThi ? 3 : peak.thi >= p.moderateThi ? 2 : 1,
      reason: `THI ${round(peak.thi)} (barn ${round(peak.temperature)} °C, ${Math.round(peak.humidity)} % humidity) for ${formatHours(episodeLength(e))}; heat stress from THI ${p.thiAbove}`,
      details: {
        thi: round(peak.thi),
        temperature_c: round(peak.temperature),
        humidity_percent: Math.round(peak.humidity),
        hours: episodeHours(e),
        threshold_thi: p.thiAbove,
      },
      clearedReason: `THI back below ${p.thiAbove}`,
    };
  });
}

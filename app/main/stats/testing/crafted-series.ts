// Test support: crafted hourly series, as readings_hourly would hold them, for the rules' tests.
import type { HourlyPoint } from '../baselines.ts';
import { HOUR, farmClock, type FarmClock } from '../farm-clock.ts';

export interface HourInfo {
  /** The hour's start, epoch ms. */
  t: number;
  /** Hours since the series' start. */
  i: number;
  /** Local hour of day and day number (FarmClock numbering). */
  hourOfDay: number;
  day: number;
}

/**
 * One point per hour from `start` (an ISO instant on an hour) for `hours` hours. `value` gives the hour's mean
 * (min and max equal to it), a full point, or undefined for an hour without data.
 */
export function craftSeries(
  start: string,
  hours: number,
  value: (h: HourInfo) => number | Omit<HourlyPoint, 'hour'> | undefined,
  clock: FarmClock = farmClock('UTC'),
): HourlyPoint[] {
  const t0 = Date.parse(start);
  const out: HourlyPoint[] = [];
  for (let i = 0; i < hours; i++) {
    const t = t0 + i * HOUR;
    const v = value({ t, i, hourOfDay: clock.hourOfDay(t), day: clock.day(t) });
    if (v === undefined) continue;
    out.push(typeof v === 'number' ? { hour: t, n: 60, mean: v, min: v, max: v } : { hour: t, ...v });
  }
  return out;
}

/** A cow's activity by local hour: quiet nights, walks to milking at 05 and 16, a burst at feeding. */
export function activityRhythm(hourOfDay: number): number {
  if (hourOfDay === 5 || hourOfDay === 16) return 300;
  if (hourOfDay === 7 || hourOfDay === 18) return 220;
  return hourOfDay >= 6 && hourOfDay <= 21 ? 150 : 60;
}

/** Rumination (min/h) by local hour: most at night. */
export const ruminationRhythm = (hourOfDay: number) => (hourOfDay < 6 || hourOfDay >= 22 ? 35 : 22);

/** Rumen temperature by local hour: a daily swing of ±0.3 °C around 39.0, warmest at 17:00. */
export const temperatureRhythm = (hourOfDay: number) => 39 + 0.3 * Math.cos((2 * Math.PI * (hourOfDay - 17)) / 24);

export const at = (iso: string) => Date.parse(iso);

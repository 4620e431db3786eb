// Body temperature from a rumen bolus, read through its drinking dips. A draught of cold water cools the rumen by
// up to 8.5 °C and it takes hours to warm up again: the hourly mean and minimum follow the water, not the cow.
// The hourly maximum is the warmest moment of the hour, and the highest of the last `dipWindowHours` hourly
// maxima bridges a dip that spans a whole hour, so a dip can neither hide a fever nor fake a pre-calving drop.
import type { HourlyPoint, SignalPoint } from '../baselines.ts';
import { trailingWindows } from './episodes.ts';

export function temperatureLevel(points: readonly HourlyPoint[], dipWindowHours: number): SignalPoint[] {
  const windows = trailingWindows(points, dipWindowHours);
  return points.map((p, i) => ({ hour: p.hour, value: Math.max(...windows[i]!.map((q) => q.max)) }));
}

// Turning an hour-by-hour condition into episodes: raised once it has held for `sustainHours` observed hours,
// over once it has been clear for `clearHours` observed hours. Hours without data neither confirm nor clear a
// condition (a silent collar is not a healthy cow); a gap longer than `maxGapHours` breaks a run that has not
// been raised yet, since the hours before the gap no longer say anything about the hours after it.
import { HOUR } from '../farm-clock.ts';
import type { Condition, RuleResult } from './types.ts';

/** One observed hour: whether the rule's condition holds in it, with the rule's own numbers for that hour. */
export interface HourState<T> {
  hour: number;
  active: boolean;
  data: T;
}

export interface EpisodeTiming {
  sustainHours: number;
  clearHours: number;
  maxGapHours: number;
}

export interface Episode<T> {
  onset: number;
  raisedAt: number;
  clearedAt?: number;
  /** The episode's active hours, up to the newest (or to its last active hour when it cleared). */
  hours: HourState<T>[];
}

export interface EpisodeScan<T> {
  episodes: Episode<T>[];
  /** See RuleResult.clearFrom. */
  clearFrom?: number;
}

export function findEpisodes<T>(states: readonly HourState<T>[], timing: EpisodeTiming): EpisodeScan<T> {
  const episodes: Episode<T>[] = [];
  let run: HourState<T>[] = [];
  let open: Episode<T> | undefined;
  let clearRun: HourState<T>[] = [];
  let previous: number | undefined;
  for (const s of states) {
    const gap = previous === undefined ? 0 : (s.hour - previous) / HOUR - 1;
    previous = s.hour;
    if (gap > timing.maxGapHours) {
      run = [];
      clearRun = [];
    }
    if (s.active) {
      clearRun = [];
      if (open) {
        open.hours.push(s);
        continue;
      }
      run.push(s);
      if (run.length >= timing.sustainHours) {
        open = { onset: run[0]!.hour, raisedAt: s.hour + HOUR, hours: run };
        run = [];
      }
      continue;
    }
    run = [];
    clearRun.push(s);
    if (open && clearRun.length >= timing.clearHours) {
      open.clearedAt = clearRun[0]!.hour;
      episodes.push(open);
      open = undefined;
    }
  }
  if (open) episodes.push(open);
  const clearFrom = !open && clearRun.length >= timing.clearHours ? clearRun[0]!.hour : undefined;
  return clearFrom === undefined ? { episodes } : { episodes, clearFrom };
}

/** For each point, the points of the trailing `hours` hours ending with it (by time, not by count). */
export function trailingWindows<P extends { hour: number }>(points: readonly P[], hours: number): P[][] {
  const out: P[][] = [];
  let start = 0;
  for (let i = 0; i < points.length; i++) {
    const since = points[i]!.hour - (hours - 1) * HOUR;
    while (points[start]!.hour < since) start++;
    out.push(points.slice(start, i + 1));
  }
  return out;
}

/** Rounds for people: reasons and details show what a farmer would read off a chart. */
export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** "1 h", "6 h", "2 d 3 h": an episode's length as the reason states it. */
export function formatHours(ms: number): string {
  const h = Math.round(ms / HOUR);
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** An episode in words and numbers. */
export interface Description {
  severity: 1 | 2 | 3;
  reason: string;
  details: Record<string, number | string | boolean>;
  clearedReason: string;
}

export type Describe<T> = (episode: Episode<T>) => Description;

export function toConditions<T>(scan: EpisodeScan<T>, kind: Pick<Condition, 'cause' | 'category'>, describe: Describe<T>): RuleResult {
  const conditions = scan.episodes.map((e): Condition => {
    const { severity, reason, details, clearedReason } = describe(e);
    return {
      cause: kind.cause,
      category: kind.category,
      severity,
      onset: e.onset,
      raisedAt: e.raisedAt,
      reason,
      details,
      ...(e.clearedAt !== undefined ? { clearedAt: e.clearedAt, clearedReason } : {}),
    };
  });
  return scan.clearFrom === undefined ? { conditions } : { conditions, clearFrom: scan.clearFrom };
}

/** The episode's length so far: from its onset to the end of its last active hour. */
export const episodeLength = (e: Episode<unknown>) => e.hours.at(-1)!.hour + HOUR - e.onset;

/** The same in hours, as the details give it. */
export const episodeHours = (e: Episode<unknown>) => round(episodeLength(e) / HOUR);

/** The state with the largest `by` (the first of equals). */
export function peakOf<T>(hours: readonly HourState<T>[], by: (d: T) => number): HourState<T> {
  return hours.reduce((best, s) => (by(s.data) > by(best.data) ? s : best));
}

// Time axes for the charts: a category per day or per hour, labelled on the report's clock, sparse enough to read.
import { datesBetween, shortDate, type Clock } from './format.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface TimeAxis {
  /** Category keys: 'YYYY-MM-DD' days, or hours as epoch-ms strings. */
  keys: string[];
  label(index: number): string;
  labelled(index: number): boolean;
}

/** The farm's local days from first to last, about ten labelled. */
export function dayAxis(first: string, last: string): TimeAxis {
  const keys = datesBetween(first, last);
  const every = Math.max(1, Math.ceil(keys.length / 10));
  return { keys, label: (i) => shortDate(keys[i]!), labelled: (i) => i % every === 0 };
}

/**
 * Every hour from the first to the last instant (bucket starts), with the buckets' own instants added (a zone
 * whose hours do not start on the hour of the first, or a DST change), labelled on `clock`.
 */
export function hourAxis(start: number, end: number, buckets: Iterable<number>, clock: Clock): TimeAxis {
  const hours = new Set<number>(buckets);
  for (let t = start; t < end; t += HOUR) hours.add(t);
  const sorted = [...hours].sort((a, b) => a - b);
  const spanDays = (end - start) / DAY;
  const stepHours = spanDays <= 2 ? 6 : spanDays <= 4 ? 12 : 24;
  const everyDays = Math.max(1, Math.ceil(spanDays / 9));
  // A label where a new slot (a local day, or a 6- or 12-hour part of one) begins: the first hour of it in the
  // data, so a zone whose hours start at :30 on the report's clock (Kolkata shown in UTC) is labelled too.
  const slotOf = (t: number) => {
    const date = clock.date(t);
    if (stepHours < 24) return `${date} ${Math.floor(clock.hour(t) / stepHours)}`;
    const dayNumber = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY);
    return dayNumber % everyDays === 0 ? date : '';
  };
  const slots = sorted.map(slotOf);
  const labelled = sorted.map((t, i) => {
    if (!slots[i]) return false;
    if (i > 0) return slots[i] !== slots[i - 1];
    return clock.time(t).endsWith(':00') && clock.hour(t) % stepHours === 0;
  });
  const dayStart = sorted.map((t, i) => i === 0 || clock.date(t) !== clock.date(sorted[i - 1]!));
  return {
    keys: sorted.map(String),
    label: (i) => {
      const t = sorted[i]!;
      return dayStart[i] || stepHours === 24 ? shortDate(clock.date(t)) : clock.time(t);
    },
    labelled: (i) => labelled[i]!,
  };
}

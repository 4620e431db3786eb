// The farm's wall clock. Baselines compare a cow with herself at the same local hour (cows are milked and fed
// by the farm's clock, not by UTC), and rules speak of local days (due dates, baseline windows).

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface FarmClock {
  readonly timeZone: string;
  /** The local hour of day (0–23) of an instant. The two 02:00 hours of a fall-back day are both 2. */
  hourOfDay(t: number): number;
  /** The local calendar day of an instant, as days since 1970-01-01 (so day arithmetic is plain subtraction). */
  day(t: number): number;
}

/** The local day number of a calendar date ('2026-03-29'), in the same numbering as FarmClock.day. */
export function dayOfDate(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t)) throw new RangeError(`"${date}" is not a calendar date (YYYY-MM-DD)`);
  return Math.floor(t / DAY);
}

/** A clock for an IANA time zone; throws a RangeError naming the zone when the runtime does not know it. */
export function farmClock(timeZone: string): FarmClock {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric' });
  } catch {
    throw new RangeError(`the farm's time zone "${timeZone}" is not a known IANA time zone`);
  }
  // Every zone's offset, and every change of it, falls on a quarter hour, so one lookup per UTC quarter hour
  // is exact (a +05:30 zone's local hours start at :30 UTC) and keeps a 45-day replay cheap.
  const cache = new Map<number, { day: number; hour: number }>();
  const local = (t: number) => {
    const key = Math.floor(t / (15 * MINUTE));
    let v = cache.get(key);
    if (!v) {
      const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
      v = { day: Math.floor(Date.UTC(p.year!, p.month! - 1, p.day!) / DAY), hour: p.hour! };
      if (cache.size > 100_000) cache.clear();
      cache.set(key, v);
    }
    return v;
  };
  return { timeZone, hourOfDay: (t) => local(t).hour, day: (t) => local(t).day };
}

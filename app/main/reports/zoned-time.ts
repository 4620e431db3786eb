// Instants on the farm's clock, for exports and reports: every time stamp is stored in UTC and written in the
// farm's time zone with its offset (2026-03-29T03:00:00+02:00), or in UTC (…Z) when the user asks for it.

const QUARTER_HOUR = 15 * 60_000;

export interface ZonedFormatter {
  readonly timeZone: string;
  /** The offset from UTC in minutes at an instant (+120 for CEST). */
  offsetMinutes(t: number): number;
  /** ISO 8601 with the offset: 2026-03-29T03:00:00+02:00 (milliseconds only when there are any). */
  iso(t: number): string;
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** A formatter for an IANA zone; 'UTC' writes …Z. Throws a RangeError naming an unknown zone. */
export function zonedFormatter(timeZone: string): ZonedFormatter {
  let parts: Intl.DateTimeFormat;
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RangeError(`"${timeZone}" is not a known IANA time zone`);
  }
  const utc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
  // Every zone's offset, and every change of it, falls on a quarter hour. A UTC day whose start and end have the
  // same offset has it throughout (no zone changes twice in a day and back), so one lookup pair serves the day;
  // the day of a change is looked up per quarter hour.
  const lookup = (at: number): number => {
    const p = Object.fromEntries(parts.formatToParts(new Date(at)).map((x) => [x.type, Number(x.value)]));
    const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    return Math.round((wall - at) / 60_000);
  };
  const DAY_MS = 86_400_000;
  const days = new Map<number, number | null>();
  const quarters = new Map<number, number>();
  const offsetMinutes = (t: number): number => {
    if (utc) return 0;
    const day = Math.floor(t / DAY_MS);
    let whole = days.get(day);
    if (whole === undefined) {
      const start = lookup(day * DAY_MS);
      whole = start === lookup((day + 1) * DAY_MS - QUARTER_HOUR) ? start : null;
      if (days.size > 100_000) days.clear();
      days.set(day, whole);
    }
    if (whole !== null) return whole;
    const key = Math.floor(t / QUARTER_HOUR);
    let off = quarters.get(key);
    if (off === undefined) {
      off = lookup(key * QUARTER_HOUR);
      if (quarters.size > 100_000) quarters.clear();
      quarters.set(key, off);
    }
    return off;
  };
  // Formatting by arithmetic: a local day's date text and each offset's text are made once.
  const dates = new Map<number, string>();
  const offsets = new Map<number, string>();
  const iso = (t: number): string => {
    const off = offsetMinutes(t);
    const local = t + off * 60_000;
    const day = Math.floor(local / DAY_MS);
    let date = dates.get(day);
    if (date === undefined) {
      const d = new Date(day * DAY_MS);
      date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T`;
      if (dates.size > 100_000) dates.clear();
      dates.set(day, date);
    }
    let zone = offsets.get(off);
    if (zone === undefined) offsets.set(off, (zone = utc ? 'Z' : offsetText(off)));
    const inDay = local - day * DAY_MS;
    const ms = inDay % 1000;
    const secs = (inDay - ms) / 1000;
    return date + TWO[Math.floor(secs / 3600)] + ':' + TWO[Math.floor(secs / 60) % 60] + ':' + TWO[secs % 60] + (ms ? '.' + pad(ms, 3) : '') + zone;
  };
  return { timeZone: utc ? 'UTC' : timeZone, offsetMinutes, iso };
}

/**
 * The instant a wall-clock time of the farm's zone names. In the hour a spring-forward skips, the time after
 * the gap; in the hour a fall-back repeats, the first of the two (as PostgreSQL reads such a time).
 */
export function wallTimeToInstant(fmt: ZonedFormatter, y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  // Try the offsets around the wall time; keep the earliest instant whose local time is this wall time.
  const candidates = [fmt.offsetMinutes(wall - 86_400_000), fmt.offsetMinutes(wall), fmt.offsetMinutes(wall + 86_400_000)]
    .map((off) => wall - off * 60_000)
    .filter((t) => t + fmt.offsetMinutes(t) * 60_000 === wall)
    .sort((a, b) => a - b);
  if (candidates.length) return candidates[0]!;
  // In a gap the wall time does not exist: read it with the offset before the gap, which lands after the gap
  // (02:30 on Europe/Berlin's spring-forward day is 03:30 CEST, as PostgreSQL reads it).
  return wall - fmt.offsetMinutes(wall - 86_400_000) * 60_000;
}

export class TimeInputError extends Error {
  override name = 'TimeInputError';
}

/**
 * A time from a command line or query string: ISO 8601 with an offset or Z (an instant); a calendar date
 * (YYYY-MM-DD: the farm's local midnight starting that day); a local date and time without offset (the farm's
 * wall clock); or "now". `what` names the flag in the error.
 */
export function parseFarmTime(text: string, fmt: ZonedFormatter, what: string, now = Date.now()): number {
  const s = text.trim();
  if (s === 'now') return now;
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  const m = date ?? local;
  if (m) {
    const [y, mo, d, h, mi, sec] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
    if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || sec! > 59 || new Date(Date.UTC(y!, mo! - 1, d!)).getUTCDate() !== d) {
      throw new TimeInputError(`${what} "${text}" is not a valid date`);
    }
    return wallTimeToInstant(fmt, y!, mo!, d!, h, mi, sec);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return t;
  }
  throw new TimeInputError(`${what} "${text}" is not a time: use a date (2026-03-01, the farm's midnight), a local time (2026-03-01T06:00) or ISO 8601 with an offset (2026-03-01T06:00:00+01:00)`);
}

/** The local calendar date (YYYY-MM-DD) of an instant on the formatter's clock. */
export function localDate(fmt: ZonedFormatter, t: number): string {
  return fmt.iso(t).slice(0, 10);
}

// Words and numbers as the PDF shows them: instants on the chosen clock, values in the farm's units, alert causes
// in the farmer's words, and text limited to what pdfkit's built-in Helvetica can draw (WinAnsi).
import { toDisplay, unitLabel, type TemperatureScale } from '../../../shared/alert-rules.ts';

const DAY_MS = 86_400_000;

export interface Clock {
  timeZone: string;
  /** "2026-03-05 09:30" */
  dateTime(t: Date | number): string;
  /** "2026-03-05" */
  date(t: Date | number): string;
  /** "09:30" */
  time(t: Date | number): string;
  /** The local hour of day (0-23). */
  hour(t: Date | number): number;
  /** "CET", "GMT+1", "UTC": the zone's short name at that instant. */
  zoneName(t: Date | number): string;
}

/** A clock for an IANA zone; throws a RangeError naming the zone when the runtime does not know it. */
export function clockFor(timeZone: string): Clock {
  let parts: Intl.DateTimeFormat;
  let names: Intl.DateTimeFormat;
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    names = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' });
  } catch {
    throw new RangeError(`"${timeZone}" is not a known IANA time zone`);
  }
  const fields = (t: Date | number) => {
    const p = Object.fromEntries(parts.formatToParts(typeof t === 'number' ? new Date(t) : t).map((x) => [x.type, x.value]));
    return { y: p.year!, m: p.month!, d: p.day!, h: p.hour === '24' ? '00' : p.hour!, min: p.minute! };
  };
  return {
    timeZone,
    dateTime(t) {
      const f = fields(t);
      return `${f.y}-${f.m}-${f.d} ${f.h}:${f.min}`;
    },
    date(t) {
      const f = fields(t);
      return `${f.y}-${f.m}-${f.d}`;
    },
    time(t) {
      const f = fields(t);
      return `${f.h}:${f.min}`;
    },
    hour: (t) => Number(fields(t).h),
    zoneName: (t) => names.formatToParts(typeof t === 'number' ? new Date(t) : t).find((p) => p.type === 'timeZoneName')?.value ?? timeZone,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** '2026-03-05' as "5 Mar" (a calendar date: no time zone involved). */
export function shortDate(isoDate: string): string {
  const [, m, d] = isoDate.split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1] ?? m}`;
}

/** The calendar dates from `first` to `last` inclusive ('YYYY-MM-DD'). */
export function datesBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`), end = Date.parse(`${last}T00:00:00Z`); t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** "3 h 20 min", "45 min", "2 d 4 h". */
export function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A metric's values as the farm reads them: °C stored, °F shown on an imperial farm; other units as stored. */
export interface MetricUnit {
  unit: string;
  convert(value: number): number;
  /** Decimals a value is shown with (undefined: by its size). */
  decimals?: number;
}

export function metricUnit(storedUnit: string, units: string): MetricUnit {
  const scale: TemperatureScale = units === 'imperial' ? 'F' : 'C';
  if (storedUnit === '°C') return { unit: unitLabel('temperature', scale), convert: (v) => toDisplay({ unit: 'temperature' }, v, scale), decimals: 2 };
  return { unit: storedUnit, convert: (v) => v };
}

/** A figure with the decimals its size deserves: 38.62, 412.5, 10234. */
export function figure(v: number | null | undefined, decimals?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const d = decimals ?? (Math.abs(v) >= 1000 ? 0 : Math.abs(v) >= 100 ? 1 : 2);
  return v.toFixed(d);
}

export const SEVERITY_LABELS: Record<number, string> = { 3: 'Urgent', 2: 'Warning', 1: 'Notice' };
export const severityLabel = (s: number) => SEVERITY_LABELS[s] ?? `Severity ${s}`;

/** The ICAR ADE causes the office raises, in the farmer's words (others are shown as stored). */
const CAUSE_LABELS: Record<string, string> = {
  Activity: 'In heat (activity)',
  LowerRumination: 'Low rumination',
  AnimalTemperature: 'Fever (temperature)',
  Parturition: 'Calving soon',
  EnvironmentTemperature: 'Heat stress (barn)',
  Offline: 'Silent node',
  LowBattery: 'Low battery',
};
export const causeLabel = (cause: string) => CAUSE_LABELS[cause] ?? cause;

export const NODE_KIND_LABELS: Record<string, string> = {
  collar: 'Collar',
  bolus: 'Bolus',
  ear_tag: 'Ear tag',
  leg_tag: 'Leg tag',
  scale: 'Scale',
  water_meter: 'Water meter',
  climate: 'Climate sensor',
  gateway: 'Gateway',
};

/** Characters WinAnsi has beyond Latin-1 (pdfkit's standard fonts draw these and Latin-1, nothing else). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACEMENTS: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '≤': '<=',
  '≥': '>=',
  '−': '-',
  '×': 'x',
  '\u2009': ' ',
  '\u202f': ' ',
  // Letters that are not an accent on a Latin letter, so NFKD leaves them as they are.
  'Ł': 'L',
  'ł': 'l',
  'Đ': 'D',
  'đ': 'd',
  'Ħ': 'H',
  'ħ': 'h',
  'ı': 'i',
  'Œ': 'OE',
};

/** Text Helvetica can draw: accents kept where WinAnsi has them, otherwise dropped ("Łukasz" -> "Lukasz"), else "?". */
export function pdfText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || ch === '\n' || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else if (ch === '\t') out += ' ';
    else if (REPLACEMENTS[ch]) out += REPLACEMENTS[ch];
    else {
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += base && [...base].every((b) => b.codePointAt(0)! >= 0x20 && b.codePointAt(0)! <= 0x7e) ? base : c < 0x20 ? '' : '?';
    }
  }
  return out;
}

/** Age from a birth date to a day, both 'YYYY-MM-DD': "4 y 3 mo", "7 mo", "12 d". */
export function age(birth: string, on: string): string {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  let months = (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
  if (months < 0) return '-';
  if (months === 0) return `${Math.round((Date.parse(on) - Date.parse(birth)) / DAY_MS)} d`;
  const years = Math.floor(months / 12);
  months %= 12;
  return years ? (months ? `${years} y ${months} mo` : `${years} y`) : `${months} mo`;
}

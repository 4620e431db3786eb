import { EPOCH_SECONDS_LIMIT } from '../shared/node-protocol.ts';

/** A reading that passed the shape checks; metric and animal are resolved later against the database. */
export interface ParsedReading {
  index: number;
  animal: string | undefined;
  metric: string;
  /** Milliseconds since the epoch, or undefined for "time received". */
  ts: number | undefined;
  value: number;
}

export class BodyError extends Error {
  override name = 'BodyError';
  constructor(
    message: string,
    readonly status: number,
    readonly at?: string,
  ) {
    super(message);
  }
}

/** The largest time a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** Parses a time stamp: ISO 8601 with an offset, or epoch seconds (< 1e11) or milliseconds (≥ 1e11). */
export function parseTimestamp(raw: unknown): number | string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) return 'ts must be a non-negative number of seconds or milliseconds';
    const ms = raw < EPOCH_SECONDS_LIMIT ? Math.round(raw * 1000) : Math.round(raw);
    return ms <= MAX_DATE_MS ? ms : 'ts is beyond the year 275760';
  }
  if (typeof raw === 'string') {
    const s = raw.trim();
    if (/^\d+(\.\d+)?$/.test(s)) return parseTimestamp(Number(s));
    if (!ISO_WITH_OFFSET.test(s)) return 'ts must be ISO 8601 with an offset (e.g. 2026-05-01T06:30:00Z) or epoch seconds/milliseconds';
    const ms = Date.parse(s.replace(' ', 'T'));
    if (Number.isNaN(ms)) return `ts "${s}" is not a valid date`;
    return ms;
  }
  return 'ts must be a string or a number';
}

/** An identifier a node sends (animal ID, metric key): printable, without control characters, ≤ 64. */
const IDENTIFIER = /^[^\u0000-\u001f\u007f]{1,64}$/;
/** A lone UTF-16 surrogate: JSON may carry one as an escape; PostgreSQL text cannot store it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isIdentifier = (s: string) => IDENTIFIER.test(s) && !LONE_SURROGATE.test(s);

/** Checks one item's shape; returns the reading or the reason it cannot be one (it is quarantined). */
export function parseReadingItem(item: unknown, index: number): ParsedReading | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'a reading must be an object';
  const r = item as Record<string, unknown>;
  let animal: string | undefined;
  if (r.animal !== undefined && r.animal !== null && r.animal !== '') {
    if (typeof r.animal === 'number' && Number.isSafeInteger(r.animal) && r.animal >= 0) animal = String(r.animal);
    else if (typeof r.animal === 'string' && isIdentifier(r.animal.trim())) animal = r.animal.trim();
    else return 'animal must be a tag or official ID of at most 64 printable characters';
  }
  if (typeof r.metric !== 'string' || !isIdentifier(r.metric.trim())) return 'metric must be a metric key such as "temperature"';
  const value = typeof r.value === 'string' && r.value.trim() !== '' ? Number(r.value) : r.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'value must be a finite number';
  let ts: number | undefined;
  if (r.ts !== undefined && r.ts !== null) {
    const parsed = parseTimestamp(r.ts);
    if (typeof parsed === 'string') return parsed;
    ts = parsed;
  }
  return { index, animal, metric: r.metric.trim(), ts, value };
}

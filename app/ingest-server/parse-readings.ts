import { EPOCH_SECONDS_LIMIT, MAX_READINGS_PER_REQUEST } from '../shared/node-protocol.ts';

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

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** Parses a time stamp: ISO 8601 with an offset, or epoch seconds (< 1e11) or milliseconds (≥ 1e11). */
export function parseTimestamp(raw: unknown): number | string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) return 'ts must be a non-negative number of seconds or milliseconds';
    return raw < EPOCH_SECONDS_LIMIT ? Math.round(raw * 1000) : Math.round(raw);
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

/** Checks one item's shape; returns the reading or the reason it is malformed. */
export function parseReadingItem(item: unknown, index: number): ParsedReading | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'a reading must be an object';
  const r = item as Record<string, unknown>;
  let animal: string | undefined;
  if (r.animal !== undefined && r.animal !== null) {
    if (typeof r.animal === 'number' && Number.isInteger(r.animal)) animal = String(r.animal);
    else if (typeof r.animal === 'string' && r.animal.trim() && r.animal.length <= 64) animal = r.animal.trim();
    else return 'animal must be a tag or official ID of at most 64 characters';
  }
  if (typeof r.metric !== 'string' || !r.metric.trim() || r.metric.length > 64) return 'metric must be a metric key such as "temperature"';
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

/** Parses a JSON body: `{"readings":[...]}` or a bare array. Throws BodyError (400/413) for a refused request. */
export function parseJsonReadings(body: Buffer): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    throw new BodyError(`malformed JSON: ${(err as Error).message}`, 400, m ? `byte ${m[1]}` : undefined);
  }
  const items = Array.isArray(doc) ? doc : (doc as { readings?: unknown })?.readings;
  if (!Array.isArray(items)) throw new BodyError('the body must be {"readings":[...]} or a JSON array of readings', 400, '/readings');
  if (items.length > MAX_READINGS_PER_REQUEST) {
    throw new BodyError(`at most ${MAX_READINGS_PER_REQUEST} readings per request; this one has ${items.length}`, 413);
  }
  return items;
}

import { parse as parseCsv } from 'csv-parse/sync';
import { MAX_READINGS_PER_REQUEST } from '../shared/node-protocol.ts';
import { BodyError } from './parse-readings.ts';

/** What a body holds once its format is undone: the raw items, and node status if the body carried any. */
export interface ParsedBody {
  items: unknown[];
  status: Record<string, unknown> | undefined;
}

export const BODY_TYPES = ['application/json', 'application/x-ndjson', 'text/csv'] as const;

/** The media type without parameters, lower-cased (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function tooMany(n: number): never {
  throw new BodyError(`at most ${MAX_READINGS_PER_REQUEST} readings per request; this one has ${n}`, 413);
}

/** Parses JSON, reporting a syntax error with its byte offset. */
export function parseJson(text: string, where = ''): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 reports a character index; a firmware developer counts bytes.
    const m = /position (\d+)/.exec((err as Error).message);
    const byte = m ? Buffer.byteLength(text.slice(0, Number(m[1]))) : undefined;
    throw new BodyError(`malformed JSON${where}: ${(err as Error).message}`, 400, byte !== undefined ? `${where ? where.trim() + ', ' : ''}byte ${byte}` : where.trim() || undefined);
  }
}

function fromJson(text: string): ParsedBody {
  const doc = parseJson(text);
  if (Array.isArray(doc)) return { items: doc, status: undefined };
  if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { readings?: unknown }).readings)) {
    const { readings, status } = doc as { readings: unknown[]; status?: unknown };
    if (status !== undefined && (typeof status !== 'object' || status === null || Array.isArray(status))) {
      throw new BodyError('"status" must be an object such as {"battery":3.6,"rssi":-71,"firmware":"1.4.2"}', 400, '/status');
    }
    return { items: readings, status: status as Record<string, unknown> | undefined };
  }
  throw new BodyError('the body must be {"readings":[...]} or a JSON array of readings', 400, '/readings');
}

function fromNdjson(text: string): ParsedBody {
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    items.push(parseJson(line, ` on line ${i + 1}`));
    if (items.length > MAX_READINGS_PER_REQUEST) tooMany(lines.filter((l) => l.trim()).length);
  }
  return { items, status: undefined };
}

const CSV_COLUMNS = ['animal', 'metric', 'ts', 'value'];

function fromCsv(text: string): ParsedBody {
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new BodyError(`malformed CSV: ${e.message}`, 400, e.lines ? `line ${e.lines}` : undefined);
  }
  const [header, ...rows] = records;
  if (!header) return { items: [], status: undefined };
  const columns = header.map((h) => h.toLowerCase());
  const unknown = columns.filter((c) => !CSV_COLUMNS.includes(c));
  if (unknown.length || !columns.includes('metric') || !columns.includes('value')) {
    throw new BodyError(`the CSV header must name the columns animal,metric,ts,value (animal and ts may be left out); got "${header.join(',')}"`, 400, 'line 1');
  }
  if (rows.length > MAX_READINGS_PER_REQUEST) tooMany(rows.length);
  // Empty cells mean "not given" (the node's animal, the time received); values stay strings and are
  // checked like JSON values, so "38,7" is quarantined rather than guessed.
  const items = rows.map((row) => Object.fromEntries(columns.flatMap((c, j) => (row[j] === '' ? [] : [[c, row[j]]]))));
  return { items, status: undefined };
}

/** Undoes the body's format. Throws BodyError (400 malformed, 413 too many readings, 415 unsupported type). */
export function parseBody(contentType: string | undefined, body: Buffer): ParsedBody {
  const type = mediaType(contentType);
  const text = body.toString('utf8');
  let parsed: ParsedBody;
  if (type === 'application/json') parsed = fromJson(text);
  else if (type === 'application/x-ndjson' || type === 'application/jsonl') parsed = fromNdjson(text);
  else if (type === 'text/csv') parsed = fromCsv(text);
  else throw new BodyError(`unsupported content type "${type || '(none)'}": send ${BODY_TYPES.join(', ')}`, 415);
  if (parsed.items.length > MAX_READINGS_PER_REQUEST) tooMany(parsed.items.length);
  return parsed;
}

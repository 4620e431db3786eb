// The desktop shell's log: JSON lines in <userData>/logs/, rotated by size, so a farmer can send the file
// when something went wrong. Never logs secrets: fields whose names look like credentials are masked.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|key$|^key|jwt|credential/i;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g;

/** Masks credential-looking fields and bearer tokens in a log record (recursively, without mutating it). */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(BEARER, '$1 ***');
  if (value instanceof Error) return { message: redact(value.message), stack: redact(value.stack) };
  if (!value || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v != null && v !== '' ? '***' : redact(v, depth + 1);
  return out;
}

export function formatLogLine(level: string, msg: string, fields: Record<string, unknown> | undefined, now: Date): string {
  return JSON.stringify({ time: now.toISOString(), level, name: 'desktop', msg: redact(msg), ...(redact(fields ?? {}) as object) });
}

export interface FileLogger {
  readonly dir: string;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Appends raw text from the office process (already its own JSON lines) to office.log. */
  office(text: string): void;
}

export function createFileLogger(dir: string, options: { maxBytes?: number; echo?: boolean } = {}): FileLogger {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (file: string, text: string) => {
    const path = join(dir, file);
    try {
      if (statSync(path).size > maxBytes) {
        rmSync(`${path}.1`, { force: true });
        renameSync(path, `${path}.1`);
      }
    } catch {
      /* no file yet */
    }
    try {
      appendFileSync(path, text, { mode: 0o600 });
    } catch {
      /* a full disk must not take the app down with it */
    }
  };
  const emit = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    const line = formatLogLine(level, msg, fields, new Date());
    write('desktop.log', line + '\n');
    if (options.echo) process.stderr.write(line + '\n');
  };
  return {
    dir,
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    office: (text) => {
      write('office.log', text.endsWith('\n') ? text : text + '\n');
      if (options.echo) process.stderr.write(text);
    },
  };
}

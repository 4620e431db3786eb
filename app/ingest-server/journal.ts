import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The ingest journal: PGlite on Node never calls fsync, so a committed batch can be lost in a power cut.
 * Every batch the office acknowledges is first appended here and fsync'ed; on start the journal is replayed
 * (idempotently: readings already stored are duplicates); a segment is deleted only after a checkpoint
 * whose data files were fsync'ed covers it.
 *
 * A row: [node id, animal ID as sent | null, animal row id | null, pen (group) id | null, metric id, ts ms, value].
 */
export type JournalRow = [number, string | null, number | null, number | null, number, number, number];

const SEGMENT = /^seg-(\d{8})\.jsonl$/;
/** Segments are closed at this size even between checkpoints, so replay reads bounded files. */
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

export class IngestJournal {
  #handle: FileHandle | undefined;
  #segment = 0;
  #size = 0;
  #closed: string[] = [];
  /** Appends, rotations and drops run one after another, in the order they were asked for. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string) {}

  /** Opens the journal folder; existing segments stay for replay() and are never appended to. */
  static async open(dir: string): Promise<IngestJournal> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const journal = new IngestJournal(dir);
    const existing = journal.segments();
    journal.#segment = existing.length ? Number(SEGMENT.exec(existing.at(-1)!)![1]) : 0;
    journal.#closed = existing;
    return journal;
  }

  /** Segment file names in order. */
  segments(): string[] {
    return readdirSync(this.dir).filter((f) => SEGMENT.test(f)).sort();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Appends one flush's rows and returns once they are on disk. */
  append(rows: JournalRow[]): Promise<void> {
    return this.#serial(() => this.#append(rows));
  }

  async #append(rows: JournalRow[]): Promise<void> {
    if (!this.#handle || this.#size > MAX_SEGMENT_BYTES) await this.#next();
    const line = Buffer.from(JSON.stringify(rows) + '\n');
    await this.#handle!.write(line);
    await this.#handle!.datasync();
    this.#size += line.length;
  }

  async #next(): Promise<void> {
    if (this.#handle) {
      await this.#handle.close();
      this.#closed.push(this.#name(this.#segment));
    }
    this.#segment++;
    this.#handle = await open(join(this.dir, this.#name(this.#segment)), 'a', 0o600);
    this.#size = 0;
    // The new file's directory entry must be durable too, or a power cut could lose the whole segment.
    fsyncDir(this.dir);
  }

  #name(n: number): string {
    return `seg-${String(n).padStart(8, '0')}.jsonl`;
  }

  /** Closes the current segment (new appends start the next) and returns every closed segment. */
  rotate(): Promise<string[]> {
    return this.#serial(() => this.#rotate());
  }

  async #rotate(): Promise<string[]> {
    if (this.#handle) {
      await this.#handle.close();
      this.#closed.push(this.#name(this.#segment));
      this.#handle = undefined;
    }
    return [...this.#closed];
  }

  /** Deletes segments whose rows a durable checkpoint covers. */
  drop(segments: string[]): Promise<void> {
    return this.#serial(() => this.#drop(segments));
  }

  async #drop(segments: string[]): Promise<void> {
    for (const s of segments) await rm(join(this.dir, s), { force: true });
    this.#closed = this.#closed.filter((s) => !segments.includes(s));
    fsyncDir(this.dir);
  }

  /** Reads the rows of the given segments; a torn last line (the power went mid-write) is skipped. */
  *read(segments: string[]): Generator<JournalRow[]> {
    for (const s of segments) {
      const lines = readFileSync(join(this.dir, s), 'utf8').split('\n');
      for (const [i, line] of lines.entries()) {
        if (!line) continue;
        try {
          yield JSON.parse(line) as JournalRow[];
        } catch (err) {
          if (i < lines.length - 2) throw new Error(`journal segment ${s} is damaged at line ${i + 1}: ${(err as Error).message}`);
        }
      }
    }
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#handle?.close();
      this.#handle = undefined;
    });
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot fsync a directory; its file system orders metadata itself.
  }
}

/** fsyncs every file and folder under `dir`: makes what PGlite wrote (without fsync) durable. */
export async function fsyncTree(dir: string): Promise<number> {
  // On the thread pool, a few files at a time: the listeners keep answering while a large database syncs
  // (done synchronously, the fsyncs of a small test database held the event loop ~1.6 s in a profiled run).
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (d: string): Promise<void> => {
    dirs.push(d);
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) files.push(p);
    }
  };
  await walk(dir);
  const syncFile = async (p: string) => {
    const handle = await open(p, process.platform === 'win32' ? 'r+' : 'r'); // Windows flushes only writable handles
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < files.length) await syncFile(files[next++]!);
  }));
  // Directories last, deepest first: their entries for the files above must be durable too.
  for (const d of dirs.reverse()) fsyncDir(d);
  return files.length;
}

/** Bytes the journal holds now (for status and tests). */
export function journalBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

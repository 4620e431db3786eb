import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** What the lock file records about the office holding a data dir. */
export interface LockInfo {
  pid: number;
  /** The process's start time from /proc (Linux): tells a live holder from a reused pid. */
  startTime: string | null;
  hostname: string;
  acquiredAt: string;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `the data dir ${dataDir} is in use by another Yoctosehns office (pid ${holder.pid}, since ${holder.acquiredAt}); ` +
        'stop it first, or use the CLI, which talks to the running office',
    );
  }
}

export const LOCK_FILE = 'office.lock';

function procStartTime(pid: number): string | null | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return undefined; // a zombie is dead for our purpose
    return fields[19] ?? null; // field 22 of stat: starttime
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return process.platform === 'linux' ? undefined : null;
    }
    return null;
  }
}

/** Whether the process recorded in a lock still runs (and is the same process, not a reused pid). */
export function isHolderAlive(info: LockInfo): boolean {
  if (process.platform === 'linux') {
    const start = procStartTime(info.pid);
    if (start === undefined) return false;
    if (info.startTime && start && start !== info.startTime) return false;
    return true;
  }
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  readonly info: LockInfo;
  release(): void;
}

/**
 * Takes the data dir's lock, or throws DataDirLockedError naming the holder. A lock left by a killed process
 * (its pid gone, a zombie, or reused by another program) is stale and taken over.
 */
export function acquireDataDirLock(dataDir: string, hostname: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    startTime: process.platform === 'linux' ? (procStartTime(process.pid) ?? null) : null,
    hostname,
    acquiredAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return {
        info,
        release() {
          if (released) return;
          released = true;
          const current = readLock(dataDir);
          if (current && current.pid === info.pid && current.acquiredAt === info.acquiredAt) {
            try {
              unlinkSync(path);
            } catch {
              /* already gone */
            }
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(dataDir);
    if (!holder) continue; // being written or removed right now: try again
    if (isHolderAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    // Stale: move it aside under a name of our own, so two openers cannot both remove a fresh lock.
    const aside = `${path}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = (() => {
      try {
        return JSON.parse(readFileSync(aside, 'utf8')) as LockInfo;
      } catch {
        return undefined;
      }
    })();
    if (moved && isHolderAlive(moved)) {
      // We raced with another opener that had just taken the lock: put theirs back.
      try {
        linkSync(aside, path);
      } catch {
        /* a third opener holds it now */
      }
      unlinkSync(aside);
      throw new DataDirLockedError(dataDir, moved);
    }
    unlinkSync(aside);
  }
  const holder = readLock(dataDir);
  throw holder
    ? new DataDirLockedError(dataDir, holder)
    : new Error(`could not take the lock ${path}: it keeps changing; is another office starting?`);
}

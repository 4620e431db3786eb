import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHolderAlive, readLock } from '../../db/index.ts';

/** Where a running office tells local tools (the CLI, the simulator) how to reach it. */
export interface OfficeInfo {
  pid: number;
  api: string;
  ingest: string;
}

const FILE = 'office.json';

export function writeOfficeInfo(dataDir: string, info: OfficeInfo): void {
  writeFileSync(join(dataDir, FILE), JSON.stringify(info) + '\n', { mode: 0o600 });
}

export function removeOfficeInfo(dataDir: string, pid: number): void {
  const current = readOfficeInfoFile(dataDir);
  if (current?.pid === pid) rmSync(join(dataDir, FILE), { force: true });
}

function readOfficeInfoFile(dataDir: string): OfficeInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as OfficeInfo;
  } catch {
    return undefined;
  }
}

/** The office running on this data dir, if one holds its lock and has published where it listens. */
export function findRunningOffice(dataDir: string): OfficeInfo | undefined {
  const lock = readLock(dataDir);
  if (!lock || !isHolderAlive(lock)) return undefined;
  const info = readOfficeInfoFile(dataDir);
  return info && info.pid === lock.pid ? info : undefined;
}

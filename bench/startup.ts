// Time from start to `ready` for a new and for an existing data dir (real initdb, no test snapshot), and
// the office's resident memory when idle.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from '../e2e/support/processes.ts';

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ys-bench-startup-'));
  try {
    let t = performance.now();
    const fresh = await startServe(dir);
    const newMs = performance.now() - t;
    await fresh.stop();
    const existing: number[] = [];
    let idleRss = 0;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const office = await startServe(dir);
      existing.push(performance.now() - t);
      if (i === 2) {
        await new Promise((r) => setTimeout(r, 10_000));
        idleRss = rssMiB(office.proc.pid!);
      }
      await office.stop();
    }
    existing.sort((a, b) => a - b);
    console.log(`start → ready, new data dir (initdb + migrations)   ${(newMs / 1000).toFixed(2)} s`);
    console.log(`start → ready, existing data dir (median of 3)      ${(existing[1]! / 1000).toFixed(2)} s`);
    console.log(`idle RSS after 10 s (office process, incl. PGlite)  ${idleRss.toFixed(0)} MiB`);
    console.log('(times include starting Node with tsx, which compiles the TypeScript sources on first load)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

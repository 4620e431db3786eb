import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HerdCow, SimEvent } from './model.ts';

/** A provisioned node as the simulator remembers it: the office keeps only the hash of its token. */
export interface SavedNode {
  id: number;
  kind: string;
  animal: string;
  token: string;
  /** Every reading of this node up to here (epoch ms) has been answered 200 by the office. */
  posted_through?: number;
}

/**
 * What the simulator keeps between runs in `<data dir>/simulator/state.json` (owner-only: it holds node tokens),
 * so a re-run reuses the herd, the nodes and the events already injected.
 */
export interface SimulatorState {
  version: 1;
  seed: number;
  created_at: string;
  herd: HerdCow[];
  nodes: Record<string, SavedNode>;
  /**
   * The stretch of time events have been scheduled for (epoch ms); later runs schedule only outside it. At the
   * end of a run it is cut back to `posted_until` and later events are dropped: what was never posted was
   * never injected, and the next run plans that time afresh (with its own --inject).
   */
  schedule: { start: number; end: number } | null;
  /** Readings have been posted up to here (epoch ms), by this run or an earlier one. */
  posted_until?: number;
  events: SimEvent[];
}

export class StateError extends Error {
  override name = 'StateError';
}

export const simulatorDir = (dataDir: string) => join(dataDir, 'simulator');
export const statePath = (dataDir: string) => join(simulatorDir(dataDir), 'state.json');

export function loadState(dataDir: string): SimulatorState | undefined {
  const file = statePath(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let state: SimulatorState;
  try {
    state = JSON.parse(text) as SimulatorState;
  } catch (err) {
    throw new StateError(`${file} is not valid JSON (${(err as Error).message}); move it away to start a new simulated herd`);
  }
  if (
    state?.version !== 1 ||
    !Array.isArray(state.herd) ||
    typeof state.nodes !== 'object' ||
    typeof state.schedule !== 'object' ||
    !Array.isArray(state.events)
  ) {
    throw new StateError(`${file} is not a simulator state of a version this simulator knows; move it away to start a new simulated herd`);
  }
  return state;
}

/** Writes the state atomically (a crash leaves the old or the new file, never half of one), owner-only. */
export function saveState(dataDir: string, state: SimulatorState): void {
  const dir = simulatorDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = statePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 1) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Writes a text file atomically, creating its folder. */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}

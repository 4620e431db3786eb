/** Messages between the office and the PGlite worker thread. */
export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'queryText'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'execResults'; sql: string }
  | { id: number; op: 'copyFrom'; sql: string; data: string }
  | { id: number; op: 'copyTo'; sql: string }
  | { id: number; op: 'dump' }
  | { id: number; op: 'close' };

export interface SerializedError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
  hint?: string;
}

export type WorkerResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SerializedError };

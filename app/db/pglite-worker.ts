// Runs PGlite inside a worker thread: PGlite executes each query synchronously on its thread, so keeping it
// here lets the office's HTTP listeners keep answering while a long aggregate runs.
import { parentPort, workerData } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { WorkerRequest, WorkerResponse, SerializedError } from './pglite-protocol.ts';

const { dataDir, snapshot, postgresqlconf } = workerData as {
  dataDir: string;
  snapshot: string | undefined;
  postgresqlconf: string[];
};

function serializeError(err: unknown): SerializedError {
  const e = err as { message?: string; code?: string; detail?: string; constraint?: string };
  return { message: String(e?.message ?? err), code: e?.code, detail: e?.detail, constraint: e?.constraint };
}

async function main(): Promise<void> {
  const port = parentPort!;
  let db: PGlite;
  try {
    const loadDataDir = snapshot ? new Blob([await readFile(snapshot)]) : undefined;
    db = await PGlite.create({ dataDir, loadDataDir, postgresqlconf });
  } catch (err) {
    port.postMessage({ id: 0, ok: false, error: serializeError(err) } satisfies WorkerResponse);
    return;
  }
  port.postMessage({ id: 0, ok: true, result: null } satisfies WorkerResponse);

  port.on('message', async (msg: WorkerRequest) => {
    let reply: WorkerResponse;
    try {
      switch (msg.op) {
        case 'query': {
          const r = await db.query(msg.sql, msg.params as unknown[]);
          reply = { id: msg.id, ok: true, result: { rows: r.rows, affectedRows: r.affectedRows ?? 0 } };
          break;
        }
        case 'exec':
          await db.exec(msg.sql);
          reply = { id: msg.id, ok: true, result: null };
          break;
        case 'dump': {
          const blob = await db.dumpDataDir('none');
          reply = { id: msg.id, ok: true, result: new Uint8Array(await blob.arrayBuffer()) };
          break;
        }
        case 'close':
          await db.close();
          reply = { id: msg.id, ok: true, result: null };
          break;
      }
    } catch (err) {
      reply = { id: msg.id, ok: false, error: serializeError(err) };
    }
    port.postMessage(reply);
    if (msg.op === 'close') port.close();
  });
}

void main();

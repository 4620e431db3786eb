// Runs PGlite inside a worker thread: PGlite executes each query synchronously on its thread, so keeping it
// here lets the office's HTTP listeners keep answering while a long aggregate runs.
import { parentPort, workerData } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { PGlite, type Results } from '@electric-sql/pglite';
import type { WorkerRequest, WorkerResponse, SerializedError } from './pglite-protocol.ts';
import type { TextResult } from './types.ts';

const { dataDir, snapshot, postgresqlconf } = workerData as {
  dataDir: string;
  snapshot: string | undefined;
  postgresqlconf: string[];
};

function serializeError(err: unknown): SerializedError {
  const e = err as { message?: string; code?: string; detail?: string; constraint?: string; hint?: string };
  return { message: String(e?.message ?? err), code: e?.code, detail: e?.detail, constraint: e?.constraint, hint: e?.hint };
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
        case 'copyFrom':
          await db.query(msg.sql, [], { blob: new Blob([msg.data]) });
          reply = { id: msg.id, ok: true, result: null };
          break;
        case 'copyTo': {
          const r = await db.query(msg.sql);
          reply = { id: msg.id, ok: true, result: r.blob ? await r.blob.text() : '' };
          break;
        }
        case 'exec':
          await db.exec(msg.sql);
          reply = { id: msg.id, ok: true, result: null };
          break;
        case 'execResults': {
          // Every type PGlite would parse is given back as the text PostgreSQL sent; types it has no parser
          // for (enums, types created since) come as text anyway.
          const asText = Object.fromEntries(Object.keys(db.parsers).map((oid) => [oid, (text: string) => text]));
          const results = (await db.exec(msg.sql, { rowMode: 'array', parsers: asText })) as Results<(string | null)[]>[];
          reply = {
            id: msg.id,
            ok: true,
            result: results.map((r) => ({ command: r.command, fields: r.fields.map((f) => f.name), rows: r.rows, rowCount: r.rowCount })) satisfies TextResult[],
          };
          break;
        }
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

import type { Database, Queryable } from '../db/index.ts';
import type { NodeRecord } from './node-registry.ts';
import type { ParsedReading } from './parse-readings.ts';
import { BodyError } from './parse-readings.ts';

interface MetricRow {
  id: number;
  key: string;
  aliases: string[];
  min_value: number;
  max_value: number;
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  /** Animals that received readings (for the office's change events). */
  animalIds: number[];
  /** Animals created as unconfirmed placeholders for IDs the office did not know. */
  createdAnimals: string[];
}

/** An EID (ISO 11784: 15 digits, often printed with spaces) is an official ID; anything else a visual tag. */
export function looksLikeOfficialId(id: string): boolean {
  return /^\d{15}$/.test(id.replace(/\s+/g, ''));
}

async function metricIndex(tx: Queryable): Promise<Map<string, MetricRow>> {
  const { rows } = await tx.query<MetricRow>('SELECT id, key, aliases, min_value, max_value FROM metrics');
  const index = new Map<string, MetricRow>();
  for (const m of rows) {
    index.set(m.key, m);
    for (const a of m.aliases) index.set(a, m);
  }
  return index;
}

/** Maps each animal ID in the batch to its row, creating unconfirmed placeholders for unknown IDs. */
async function resolveAnimals(tx: Queryable, ids: string[]): Promise<{ map: Map<string, number>; created: string[] }> {
  const map = new Map<string, number>();
  if (ids.length === 0) return { map, created: [] };
  const lookup = async () => {
    const { rows } = await tx.query<{ id: number; official_id: string | null; tag: string | null }>(
      'SELECT id, official_id, tag FROM animals WHERE official_id = ANY($1::text[]) OR tag = ANY($1::text[])',
      [ids],
    );
    for (const r of rows) {
      if (r.tag) map.set(r.tag, r.id);
      if (r.official_id) map.set(r.official_id, r.id);
    }
  };
  await lookup();
  const unknown = ids.filter((id) => !map.has(id));
  if (unknown.length) {
    const official = unknown.filter(looksLikeOfficialId);
    const tags = unknown.filter((id) => !looksLikeOfficialId(id));
    await tx.query(
      `INSERT INTO animals (official_id, tag, unconfirmed)
       SELECT o, t, true FROM unnest($1::text[], $2::text[]) AS u(o, t) ON CONFLICT DO NOTHING`,
      [[...official, ...tags.map(() => null)], [...official.map(() => null), ...tags]],
    );
    await lookup();
  }
  return { map, created: unknown };
}

/**
 * Stores one node's batch of readings in one transaction. A reading already stored (same node, animal,
 * metric and time) is counted as a duplicate, not an error. Throws BodyError (400) when an item names a
 * metric the catalogue does not know or a value outside its plausible range: the whole request is refused
 * and nothing of it is stored.
 */
export async function ingestBatch(
  db: Database,
  node: NodeRecord,
  items: ParsedReading[],
  context: { receivedAt: Date; ip: string | undefined },
): Promise<IngestOutcome> {
  return db.transaction(async (tx) => {
    const metrics = await metricIndex(tx);
    const n = items.length;
    const metricIds = new Array<number>(n);
    const ids = new Set<string>();
    for (const [i, item] of items.entries()) {
      const metric = metrics.get(item.metric.toLowerCase());
      if (!metric) throw new BodyError(`unknown metric "${item.metric}"`, 400, `/readings/${item.index}/metric`);
      if (item.value < metric.min_value || item.value > metric.max_value) {
        throw new BodyError(
          `${metric.key} ${item.value} is outside its plausible range ${metric.min_value}–${metric.max_value}`,
          400,
          `/readings/${item.index}/value`,
        );
      }
      metricIds[i] = metric.id;
      if (item.animal !== undefined) ids.add(item.animal);
      else if (node.animal_id === null) {
        throw new BodyError(`node "${node.name}" is not fitted to an animal: name the animal in each reading`, 400, `/readings/${item.index}/animal`);
      }
    }
    const { map: animalMap, created } = await resolveAnimals(tx, [...ids]);
    const ts = items.map((r) => new Date(r.ts ?? context.receivedAt.getTime()).toISOString());
    const animals = items.map((r) => (r.animal !== undefined ? animalMap.get(r.animal)! : node.animal_id!));
    const values = items.map((r) => r.value);
    const { rows } = await tx.query<{ accepted: number }>(
      `WITH input AS (
         SELECT * FROM unnest($1::timestamptz[], $2::int4[], $3::float4[], $4::int2[]) AS u(ts, animal_id, value, metric_id)
       ), inserted AS (
         INSERT INTO readings (ts, animal_id, node_id, value, metric_id)
         SELECT ts, animal_id, $5, value, metric_id FROM input
         ON CONFLICT DO NOTHING RETURNING 1
       ), latest AS (
         INSERT INTO latest_readings (animal_id, metric_id, node_id, ts, value, received_at)
         SELECT DISTINCT ON (animal_id, metric_id) animal_id, metric_id, $5, ts, value, $6::timestamptz
           FROM input ORDER BY animal_id, metric_id, ts DESC
         ON CONFLICT (animal_id, metric_id) DO UPDATE
           SET node_id = EXCLUDED.node_id, ts = EXCLUDED.ts, value = EXCLUDED.value, received_at = EXCLUDED.received_at
           WHERE latest_readings.ts < EXCLUDED.ts
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM inserted)::int AS accepted, (SELECT count(*) FROM latest)::int AS latest`,
      [ts, animals, values, metricIds, node.id, context.receivedAt.toISOString()],
    );
    await tx.query('UPDATE nodes SET last_seen_at = $2, last_ip = $3 WHERE id = $1', [
      node.id,
      context.receivedAt.toISOString(),
      context.ip ?? null,
    ]);
    const accepted = rows[0]?.accepted ?? 0;
    return { accepted, duplicates: n - accepted, animalIds: [...new Set(animals)], createdAnimals: created };
  });
}

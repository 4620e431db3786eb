import type { Database, Queryable } from '../db/index.ts';
import { generateToken, hashToken } from '../main/security/secrets.ts';
import { NODE_KINDS, type NodeKind } from '../shared/node-protocol.ts';

export interface NodeRecord {
  id: number;
  name: string;
  kind: NodeKind;
  animal_id: number | null;
  group_id: number | null;
  metric_id: number | null;
  /** The key of the metric a bare `value` stands for (farmOS listeners). */
  metric_key?: string | null;
}

export class NodeInputError extends Error {
  override name = 'NodeInputError';
}

export interface ProvisionInput {
  name: string;
  kind: string;
  /** Tag or official ID of the animal the node is fitted to. */
  animal?: string | undefined;
  /** The metric a bare `value` stands for. */
  metric?: string | undefined;
  /** The pen (group) a stationary node stands in, e.g. a barn climate sensor; created when new. */
  pen?: string | undefined;
}

/** Creates a node and returns its token: the only time the token exists outside the node. */
export async function provisionNode(db: Database, input: ProvisionInput): Promise<{ id: number; name: string; token: string }> {
  const name = input.name?.trim();
  if (!name) throw new NodeInputError('a node needs a name (--name)');
  if (!(NODE_KINDS as readonly string[]).includes(input.kind)) {
    throw new NodeInputError(`unknown node kind "${input.kind}"; use one of: ${NODE_KINDS.join(', ')}`);
  }
  const token = generateToken('ysn');
  const id = await db.transaction(async (tx) => {
    let animalId: number | null = null;
    if (input.animal) {
      const { rows } = await tx.query<{ id: number }>('SELECT id FROM animals WHERE tag = $1 OR official_id = $1', [input.animal]);
      if (!rows[0]) throw new NodeInputError(`no animal with tag or official ID "${input.animal}"`);
      animalId = rows[0].id;
    }
    if (input.animal && input.pen) throw new NodeInputError('a node is fitted to an animal or stands in a pen, not both');
    let groupId: number | null = null;
    if (input.pen?.trim()) {
      const { rows } = await tx.query<{ id: number }>(
        `WITH ins AS (INSERT INTO groups (name, kind) VALUES ($1, 'pen') ON CONFLICT (name) DO NOTHING RETURNING id)
         SELECT id FROM ins UNION ALL SELECT id FROM groups WHERE name = $1 LIMIT 1`,
        [input.pen.trim()],
      );
      groupId = rows[0]!.id;
    }
    let metricId: number | null = null;
    if (input.metric) {
      const metric = await findMetric(tx, input.metric);
      if (!metric) throw new NodeInputError(`unknown metric "${input.metric}"`);
      metricId = metric.id;
    }
    const { rows } = await tx.query<{ id: number }>(
      'INSERT INTO nodes (name, kind, animal_id, group_id, metric_id, token_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [name, input.kind, animalId, groupId, metricId, hashToken(token)],
    );
    return rows[0]!.id;
  });
  return { id, name, token };
}

export async function findMetric(db: Queryable, keyOrAlias: string): Promise<{ id: number; key: string } | undefined> {
  const { rows } = await db.query<{ id: number; key: string }>(
    'SELECT id, key FROM metrics WHERE key = $1 OR $1 = ANY(aliases)',
    [keyOrAlias.trim().toLowerCase()],
  );
  return rows[0];
}

/** Finds a node by id or exact name (the CLI and the UI name nodes either way). */
async function findNode(db: Queryable, idOrName: string): Promise<{ id: number; name: string; revoked_at: Date | null }> {
  const byId = /^\d+$/.test(idOrName);
  const { rows } = await db.query<{ id: number; name: string; revoked_at: Date | null }>(
    byId ? 'SELECT id, name, revoked_at FROM nodes WHERE id = $1' : 'SELECT id, name, revoked_at FROM nodes WHERE name = $1 ORDER BY id',
    [byId ? Number(idOrName) : idOrName],
  );
  if (rows.length === 0) throw new NodeInputError(`no node "${idOrName}"`);
  if (rows.length > 1) throw new NodeInputError(`several nodes are named "${idOrName}": use the id (${rows.map((r) => r.id).join(', ')})`);
  return rows[0]!;
}

/** Gives a node a new token; the old one stops working at once. Returns the new token (shown once). */
export async function rotateNodeToken(db: Database, idOrName: string): Promise<{ id: number; name: string; token: string }> {
  const node = await findNode(db, idOrName);
  if (node.revoked_at) throw new NodeInputError(`node "${node.name}" is revoked; provision a new node instead`);
  const token = generateToken('ysn');
  await db.query('UPDATE nodes SET token_hash = $2, token_rotated_at = now() WHERE id = $1', [node.id, hashToken(token)]);
  return { id: node.id, name: node.name, token };
}

/** Revokes a node: its token stops working; its readings stay. */
export async function revokeNode(db: Database, idOrName: string): Promise<{ id: number; name: string }> {
  const node = await findNode(db, idOrName);
  await db.query('UPDATE nodes SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [node.id]);
  return { id: node.id, name: node.name };
}

export interface NodeListItem {
  id: number;
  name: string;
  kind: string;
  animal: string | null;
  last_seen_at: Date | null;
  last_ip: string | null;
  battery_volts: number | null;
  battery_percent: number | null;
  rssi: number | null;
  firmware: string | null;
  accepted_count: number;
  duplicate_count: number;
  quarantined_count: number;
  revoked: boolean;
}

export async function listNodes(db: Queryable): Promise<NodeListItem[]> {
  const { rows } = await db.query<NodeListItem>(
    `SELECT n.id, n.name, n.kind, coalesce(a.tag, a.official_id, 'pen: ' || g.name) AS animal, n.last_seen_at, n.last_ip,
            n.battery_volts, n.battery_percent, n.rssi, n.firmware, n.accepted_count, n.duplicate_count, n.quarantined_count,
            n.revoked_at IS NOT NULL AS revoked
       FROM nodes n LEFT JOIN animals a ON a.id = n.animal_id LEFT JOIN groups g ON g.id = n.group_id ORDER BY n.id`,
  );
  return rows;
}

export interface NodeRequestLogItem {
  ts: Date;
  node: string | null;
  ip: string | null;
  route: string;
  status: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  duration_ms: number;
  error: string | null;
}

/** The newest requests to the ingest listener, of one node or all. */
export async function nodeRequestLog(db: Queryable, idOrName: string | undefined, limit: number): Promise<NodeRequestLogItem[]> {
  const nodeId = idOrName ? (await findNode(db, idOrName)).id : null;
  const { rows } = await db.query<NodeRequestLogItem>(
    `SELECT r.ts, n.name AS node, r.ip, r.route, r.status, r.accepted, r.duplicates, r.quarantined, r.duration_ms, r.error
       FROM node_requests r LEFT JOIN nodes n ON n.id = r.node_id
      WHERE $1::int IS NULL OR r.node_id = $1 ORDER BY r.id DESC LIMIT $2`,
    [nodeId, limit],
  );
  return rows;
}

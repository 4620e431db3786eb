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
    let metricId: number | null = null;
    if (input.metric) {
      const metric = await findMetric(tx, input.metric);
      if (!metric) throw new NodeInputError(`unknown metric "${input.metric}"`);
      metricId = metric.id;
    }
    const { rows } = await tx.query<{ id: number }>(
      'INSERT INTO nodes (name, kind, animal_id, metric_id, token_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [name, input.kind, animalId, metricId, hashToken(token)],
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

/** The node a bearer token belongs to, or undefined for an unknown or revoked token. */
export async function authenticateNode(db: Queryable, token: string): Promise<NodeRecord | undefined> {
  if (!token || token.length > 200) return undefined;
  const { rows } = await db.query<NodeRecord>(
    'SELECT id, name, kind, animal_id, group_id, metric_id FROM nodes WHERE token_hash = $1 AND revoked_at IS NULL',
    [hashToken(token)],
  );
  return rows[0];
}

export interface NodeListItem {
  id: number;
  name: string;
  kind: string;
  animal: string | null;
  last_seen_at: Date | null;
  revoked: boolean;
}

export async function listNodes(db: Queryable): Promise<NodeListItem[]> {
  const { rows } = await db.query<NodeListItem>(
    `SELECT n.id, n.name, n.kind, coalesce(a.tag, a.official_id) AS animal, n.last_seen_at, n.revoked_at IS NOT NULL AS revoked
       FROM nodes n LEFT JOIN animals a ON a.id = n.animal_id ORDER BY n.id`,
  );
  return rows;
}

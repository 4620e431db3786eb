import type { Queryable } from '../db/index.ts';
import { hashToken } from '../main/security/secrets.ts';
import type { NodeRecord } from './node-registry.ts';

/**
 * Finds the node a bearer token belongs to, with the answers cached in memory: a node posting every few
 * seconds must not cost a database query per request. The office clears the cache when nodes change
 * (provisioned, rotated, revoked, reassigned). Unknown tokens are remembered briefly too, so a
 * misconfigured node hammering the listener does not reach the database each time.
 */
export class NodeAuth {
  #known = new Map<string, NodeRecord>();
  #unknown = new Map<string, number>();

  constructor(
    private readonly db: Queryable,
    private readonly unknownTtlMs = 5_000,
    private readonly maxUnknown = 10_000,
  ) {}

  invalidate(): void {
    this.#known.clear();
    this.#unknown.clear();
  }

  async authenticate(token: string | undefined): Promise<NodeRecord | undefined> {
    if (!token || token.length > 200) return undefined;
    const hash = hashToken(token);
    const hit = this.#known.get(hash);
    if (hit) return hit;
    const misses = this.#unknown.get(hash);
    if (misses !== undefined && misses > Date.now()) return undefined;
    const { rows } = await this.db.query<NodeRecord>(
      `SELECT n.id, n.name, n.kind, n.animal_id, n.group_id, n.metric_id, m.key AS metric_key
         FROM nodes n LEFT JOIN metrics m ON m.id = n.metric_id WHERE n.token_hash = $1 AND n.revoked_at IS NULL`,
      [hash],
    );
    const node = rows[0];
    if (node) this.#known.set(hash, node);
    else {
      if (this.#unknown.size >= this.maxUnknown) this.#unknown.clear();
      this.#unknown.set(hash, Date.now() + this.unknownTtlMs);
    }
    return node;
  }
}

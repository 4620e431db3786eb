// From what a rule finds in the data to what changes in the alerts table. Pure, so that the lifecycle
// (insert, update the numbers, resolve, never duplicate) is tested without a database.
import type { Condition, RuleResult } from './rules/types.ts';

/** An alert of one subject and cause as stored, times as epoch ms. */
export interface StoredAlert {
  id: number;
  status: 'open' | 'acknowledged' | 'resolved';
  onset: number;
  resolvedAt: number | null;
  severity: number;
  reason: string;
  details: unknown;
}

export type AlertChange =
  /** A new episode; inserted resolved when it is already over in the data. */
  | { kind: 'insert'; condition: Condition }
  /**
   * The open alert's numbers moved. Its onset and raised_at move only earlier: late data (a node flushing its
   * buffer) can show the episode began before it was first seen; a window that starts mid-episode cannot.
   */
  | { kind: 'update'; id: number; condition: Condition }
  | { kind: 'resolve'; id: number; at: number; note: string; condition?: Condition };

const overlaps = (a: StoredAlert, c: Condition) => a.onset < (c.clearedAt ?? Infinity) && (a.resolvedAt ?? Infinity) > c.onset;

/** JSON with sorted keys: jsonb gives keys back in its own order, which must not count as a change. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const changed = (a: StoredAlert, c: Condition) =>
  c.onset < a.onset || a.severity !== c.severity || a.reason !== c.reason || canonicalJson(a.details) !== canonicalJson(c.details);

/**
 * Matches each episode the rule found to the stored alert of the same subject and cause whose time span it
 * overlaps (so re-running over the same data, or over a window that cuts an episode short, never duplicates),
 * and says what to change. An alert resolved by hand stays resolved for the rest of its episode. `existing`
 * must hold every stored alert of the subject and cause that may overlap the evaluated data.
 */
export function reconcile(existing: readonly StoredAlert[], result: RuleResult): AlertChange[] {
  const changes: AlertChange[] = [];
  const used = new Set<number>();
  const open = existing.find((a) => a.status !== 'resolved');
  result.conditions.forEach((c, i) => {
    let match = existing.find((a) => !used.has(a.id) && overlaps(a, c));
    // The open alert no longer overlaps the ongoing episode when late data or new parameters moved its onset:
    // it is still the same trouble, so it keeps its alert (one open alert per subject and cause).
    const last = i === result.conditions.length - 1;
    if (!match && open && !used.has(open.id) && last && c.clearedAt === undefined) match = open;
    if (!match) {
      changes.push({ kind: 'insert', condition: c });
      return;
    }
    used.add(match.id);
    if (match.status === 'resolved') {
      // Resolved, by the engine or by hand, it stays so; only late data showing an earlier start corrects it.
      if (c.onset < match.onset) changes.push({ kind: 'update', id: match.id, condition: c });
      return;
    }
    if (c.clearedAt !== undefined) {
      changes.push({ kind: 'resolve', id: match.id, at: Math.max(c.clearedAt, match.onset), note: `resolved automatically: ${c.clearedReason}`, condition: c });
    } else if (changed(match, c)) {
      changes.push({ kind: 'update', id: match.id, condition: c });
    }
  });
  if (open && !used.has(open.id) && result.clearFrom !== undefined) {
    changes.push({ kind: 'resolve', id: open.id, at: Math.max(open.onset, result.clearFrom), note: 'resolved automatically: the condition is no longer found in the data' });
  }
  return changes;
}

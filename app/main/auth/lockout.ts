/**
 * Login throttling with exponential backoff, per key (an account name, an address): the first `freeAttempts`
 * failures cost nothing, each further one locks the key for base·2^k (capped). While locked, even the right
 * password is refused. A success resets the key.
 */
export interface LockoutPolicy {
  freeAttempts: number;
  baseMs: number;
  maxMs: number;
}

export const ACCOUNT_POLICY: LockoutPolicy = { freeAttempts: 5, baseMs: 1_000, maxMs: 15 * 60_000 };
export const ADDRESS_POLICY: LockoutPolicy = { freeAttempts: 20, baseMs: 1_000, maxMs: 15 * 60_000 };

const MAX_KEYS = 10_000;

export class Lockout {
  private readonly entries = new Map<string, { failures: number; lockedUntil: number }>();
  constructor(
    private readonly policy: LockoutPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the key may try again; 0 when it may now. */
  retryAfterMs(key: string): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lockedUntil - this.now()) : 0;
  }

  /** Records a failure; answers whether this failure (newly) locked the key, and for how long. */
  fail(key: string): { locked: boolean; failures: number; ms: number } {
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, (e = { failures: 0, lockedUntil: 0 }));
    }
    e.failures++;
    const over = e.failures - this.policy.freeAttempts;
    if (over <= 0) return { locked: false, failures: e.failures, ms: 0 };
    const ms = Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** Math.min(over - 1, 30));
    e.lockedUntil = this.now() + ms;
    return { locked: true, failures: e.failures, ms };
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }
}

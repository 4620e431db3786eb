/**
 * A token bucket per node: `burst` requests at once, refilled at `perSecond`. Generous by default — a node
 * flushing a day of buffered readings sends many batches quickly — but it stops a runaway firmware loop
 * from starving the others.
 */
export class RateLimiter {
  #buckets = new Map<number, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when the request may go ahead; otherwise the seconds to wait before the next one. */
  take(key: number): number {
    const t = this.now();
    const b = this.#buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}

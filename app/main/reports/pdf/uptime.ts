// A node's uptime over a period, from the ingest listener's per-request log (node_requests): every gap between
// two of its posts longer than max(minSilent, factor x its median interval) is a silent period, and
// uptime = 1 - silent time / period. The defaults (15 min, 3x) are the silent-node alert rule's, so the report
// and the alerts call the same gaps silent.

export interface PostSummary {
  /** The measured window [start, end), epoch ms. */
  start: number;
  end: number;
  /** The node's first and last post inside the window (undefined: none). */
  first?: number | undefined;
  last?: number | undefined;
  /** Its last post before the window and first at or after its end (undefined: none, or not kept). */
  before?: number | undefined;
  after?: number | undefined;
  /** Gaps between consecutive posts inside the window that may be silent ([earlier post, later post]). */
  gaps: readonly (readonly [number, number])[];
  /** The median gap between its posts in the window (undefined with fewer than two posts). */
  medianIntervalMs?: number | undefined;
}

export interface SilentPeriod {
  from: number;
  to: number;
  /** Still going on at the window's end. */
  ongoing: boolean;
}

export interface Uptime {
  /** 0..1 */
  uptime: number;
  silentMs: number;
  thresholdMs: number;
  periods: SilentPeriod[];
}

export function silenceThreshold(medianIntervalMs: number | undefined, p: { intervalFactor: number; minSilentMinutes: number }): number {
  return Math.max(p.intervalFactor * (medianIntervalMs ?? 0), p.minSilentMinutes * 60_000);
}

export function uptimeOf(s: PostSummary, p: { intervalFactor: number; minSilentMinutes: number }): Uptime {
  const thresholdMs = silenceThreshold(s.medianIntervalMs, p);
  const span = s.end - s.start;
  const candidates: { a: number; b: number; ongoing: boolean }[] = [];
  // Before the first post of the window: from the post before it, or (none kept) from the window's start.
  const head = s.before ?? s.start;
  if (s.first === undefined) candidates.push({ a: head, b: s.after ?? s.end, ongoing: s.after === undefined });
  else {
    candidates.push({ a: head, b: s.first, ongoing: false });
    for (const [a, b] of s.gaps) candidates.push({ a, b, ongoing: false });
    candidates.push({ a: s.last!, b: s.after ?? s.end, ongoing: s.after === undefined });
  }
  const periods: SilentPeriod[] = [];
  let silentMs = 0;
  for (const { a, b, ongoing } of candidates) {
    if (b - a <= thresholdMs) continue;
    const from = Math.max(a, s.start);
    const to = Math.min(b, s.end);
    if (to <= from) continue;
    periods.push({ from, to, ongoing });
    silentMs += to - from;
  }
  periods.sort((x, y) => x.from - y.from);
  return { uptime: span > 0 ? 1 - silentMs / span : 0, silentMs, thresholdMs, periods };
}

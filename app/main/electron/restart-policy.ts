// What to do when the office's utilityProcess dies: restart it after a growing pause, and give up (telling
// the farmer) when it keeps failing soon after each start, for then a restart will not help (a broken data
// dir, a port taken by another program, a full disk).

export interface RestartPolicyOptions {
  /** Failures within this window count as "quick". */
  windowMs: number;
  /** Give up after this many quick failures in a row. */
  maxQuickFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { windowMs: 5 * 60_000, maxQuickFailures: 5, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export interface OfficeExit {
  /** When it ended (ms since epoch). */
  at: number;
  /** The exit code, when there was one. */
  code: number | null;
  /** The office reported a failure that a restart cannot cure (data dir locked by another office, bad config). */
  permanent?: boolean;
  /** The office's own message, when it sent one. */
  message?: string | undefined;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number; notice: string }
  | { action: 'give-up'; message: string };

/**
 * Decides on the latest exit, given every earlier exit (oldest first; the last element is the one that just
 * happened). Exits older than the window no longer count, so an office that ran for days and then crashed
 * starts again at once.
 */
export function decideRestart(exits: OfficeExit[], options: RestartPolicyOptions = DEFAULT_RESTART_POLICY): RestartDecision {
  const last = exits[exits.length - 1];
  if (!last) throw new Error('decideRestart needs the exit that happened');
  const why = last.message ? `: ${last.message}` : last.code !== null ? ` (exit code ${last.code})` : '';
  if (last.permanent) return { action: 'give-up', message: `The office cannot start${why}` };
  const recent = exits.filter((e) => last.at - e.at <= options.windowMs).length;
  if (recent > options.maxQuickFailures) {
    return {
      action: 'give-up',
      message: `The office stopped ${recent} times within ${Math.round(options.windowMs / 60_000)} minutes and was not restarted again${why}. Readings from the nodes are not being received.`,
    };
  }
  const delayMs = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (recent - 1));
  return {
    action: 'restart',
    delayMs,
    attempt: recent,
    notice: `The office stopped unexpectedly${why} and is being restarted (attempt ${recent}).`,
  };
}

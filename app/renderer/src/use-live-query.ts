import { useEffect, useRef, useState } from 'react';
import { errorMessage, GraphqlError, subscribeLive } from './graphql.ts';
import { usePollingQuery, type PollingQueryState } from './use-polling-query.ts';

export interface LiveQuery {
  /** All the fields as one query: what the page asks over HTTP when the socket fails. */
  query: string;
  /** The same fields as subscriptions of one root field each; their data merged is the query's data. */
  subscriptions: readonly string[];
  /** A `performance.mark` name set when a complete answer arrives (for benchmarks and the browser's profiler). */
  mark?: string;
}

export interface LiveQueryState<TData> extends PollingQueryState<TData> {
  /** `live` while the office pushes changes over the WebSocket; `polling` after the socket failed. */
  mode: 'live' | 'polling';
}

/** After the socket failed: try it again once the office answers over HTTP, but not sooner than this. */
export const LIVE_RETRY_MS = 30_000;

/**
 * The office's answer to `live`, kept current: subscriptions the office re-runs and pushes when the data
 * changes, so a reading shows up within a second and an unchanged herd costs nothing. If the socket fails
 * (an old proxy, a dropped link, the office stopping), the page polls `live.query` every `pollMs` instead —
 * which also keeps the connection badge honest — and goes live again once the office answers. Nothing is
 * kept open while the tab is hidden.
 */
export function useLiveQuery<TData extends object>(live: LiveQuery, pollMs: number): LiveQueryState<TData> {
  const [mode, setMode] = useState<'live' | 'polling'>('live');
  const [pushed, setPushed] = useState<PollingQueryState<TData>>({});
  const failedAt = useRef(0);
  const polled = usePollingQuery<TData>(live.query, pollMs, mode === 'polling');
  const { subscriptions, mark } = live;
  const subscriptionsKey = subscriptions.join('\n\n');

  useEffect(() => {
    if (mode !== 'live') return;
    let failed = false;
    let stops: (() => void)[] = [];
    const stopAll = () => {
      for (const stop of stops.splice(0)) stop();
    };
    function start(): void {
      if (stops.length || document.hidden) return;
      const parts: (object | undefined)[] = subscriptions.map(() => undefined);
      stops = subscriptions.map((subscription, i) =>
        subscribeLive<object>(subscription, {
          next(result) {
            const now = Date.now();
            if (result.data == null) {
              setPushed((s) => ({ ...s, error: errorMessage(new GraphqlError(result.errors ?? [])), checkedAt: now }));
              return;
            }
            parts[i] = result.data;
            // The page shows all the fields or none: wait for each subscription's first result.
            if (parts.every((p) => p !== undefined)) {
              if (mark) performance.mark(mark);
              setPushed({ data: Object.assign({}, ...parts) as TData, checkedAt: now, lastSuccessAt: now });
            }
          },
          error() {
            if (failed) return;
            failed = true;
            stopAll();
            failedAt.current = Date.now();
            setMode('polling');
          },
        }),
      );
    }
    function onVisibilityChange(): void {
      if (document.hidden) stopAll();
      else start();
    }
    document.addEventListener('visibilitychange', onVisibilityChange);
    start();
    return () => {
      failed = true;
      stopAll();
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
    // subscriptionsKey stands for `subscriptions`: a new array with the same documents is the same query.
  }, [mode, subscriptionsKey, mark]);

  useEffect(() => {
    if (mode === 'polling' && polled.lastSuccessAt !== undefined && polled.lastSuccessAt - failedAt.current >= LIVE_RETRY_MS) setMode('live');
  }, [mode, polled.lastSuccessAt]);

  // The newest answer wins, whichever way it came: switching ways never blanks the page.
  const newest = (pushed.lastSuccessAt ?? 0) >= (polled.lastSuccessAt ?? 0) ? pushed : polled;
  const current = mode === 'live' ? pushed : polled;
  const checked = [pushed.checkedAt, polled.checkedAt].filter((t): t is number => t !== undefined);
  return {
    data: newest.data,
    lastSuccessAt: newest.lastSuccessAt,
    error: current.error,
    checkedAt: checked.length ? Math.max(...checked) : undefined,
    mode,
  };
}

import { useCallback, useEffect, useState } from 'react';
import { errorMessage, graphqlRequest } from './graphql.ts';

export interface PollingQueryState<TData> {
  /** The last data received; kept while later requests fail, so a brief outage does not blank the page. */
  data?: TData;
  /** The last request's failure, cleared by the next success. */
  error?: string;
  /** Epoch ms of the last answer, good or bad; pages use it as "now" so relative times move with each poll. */
  checkedAt?: number;
  lastSuccessAt?: number;
}

/**
 * Asks the office `query` now and then every `intervalMs` after the previous answer (never two at once,
 * so a slow office is not piled up on). Stops while the tab is hidden and asks again the moment it is
 * shown: a farm PC left on the dashboard overnight should not poll an unseen page.
 * While not `enabled` it asks nothing and keeps what it had (a live query's fallback is off while the office
 * pushes changes).
 */
export function usePollingQuery<TData>(query: string, intervalMs: number, enabled = true): PollingQueryState<TData> & { refresh(): void } {
  const [state, setState] = useState<PollingQueryState<TData>>({});
  // Bumped by refresh() (a page changed what the query reads): the effect restarts, and a restart asks at once.
  const [asked, setAsked] = useState(0);
  const refresh = useCallback(() => setAsked((n) => n + 1), []);

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: AbortController | undefined;

    async function poll(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      if (stopped || inFlight || document.hidden) return;
      const controller = new AbortController();
      inFlight = controller;
      try {
        const data = await graphqlRequest<TData>(query, undefined, { signal: controller.signal });
        const now = Date.now();
        if (!controller.signal.aborted) setState({ data, checkedAt: now, lastSuccessAt: now });
      } catch (err) {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error: errorMessage(err), checkedAt: Date.now() }));
      } finally {
        if (inFlight === controller) inFlight = undefined;
      }
      if (!stopped && !document.hidden) timer = setTimeout(() => void poll(), intervalMs);
    }

    function onVisibilityChange(): void {
      if (document.hidden) {
        clearTimeout(timer);
        timer = undefined;
      } else {
        void poll();
      }
    }

    document.addEventListener('visibilitychange', onVisibilityChange);
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
      inFlight?.abort();
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [query, intervalMs, enabled, asked]);

  return { ...state, refresh };
}

import { useEffect, useRef, useState } from 'react';
import { errorMessage, graphqlRequest } from './graphql.ts';
import { SPARKLINE_HOURS, SPARKLINE_QUERY, sparklineSeries, type SparklineReading } from './herd-model.ts';

/** A trend line older than this is fetched again when its row is on screen: hourly means barely move faster. */
export const SPARKLINE_REFRESH_MS = 5 * 60_000;
/** Scrolling settles before asking, so a fling through the herd is one request, not fifty. */
const DEBOUNCE_MS = 120;

export interface SparklineState {
  series: ReadonlyMap<number, readonly (readonly [number, number])[]>;
  /** End of the window the lines are drawn over (the time of the newest fetch). */
  to: number;
  error?: string;
}

/**
 * The last 24 h of one metric for the animals on screen, cached per animal. Only visible rows are asked for:
 * 2,500 animals × 24 h of 10-minute readings would be 360,000 rows per refresh, the rows on screen are a few
 * thousand. Not a subscription: the window moves with the clock, so it would be a new query every time anyway.
 */
export function useSparklines(metricId: number | undefined, visibleIds: readonly number[]): SparklineState {
  const [state, setState] = useState<SparklineState>({ series: new Map(), to: Date.now() });
  const fetchedAt = useRef(new Map<number, number>());
  const [tick, setTick] = useState(0);

  // A new metric starts an empty cache.
  useEffect(() => {
    fetchedAt.current = new Map();
    setState({ series: new Map(), to: Date.now() });
  }, [metricId]);

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), SPARKLINE_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const visibleKey = visibleIds.join(',');
  useEffect(() => {
    if (metricId === undefined || !visibleKey) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      const now = Date.now();
      const ids = visibleKey
        .split(',')
        .map(Number)
        .filter((id) => now - (fetchedAt.current.get(id) ?? -Infinity) >= SPARKLINE_REFRESH_MS);
      if (ids.length === 0) return;
      try {
        const since = new Date(now - SPARKLINE_HOURS * 3_600_000).toISOString();
        const data = await graphqlRequest<{ readings: SparklineReading[] }, Record<string, unknown>>(
          SPARKLINE_QUERY,
          { ids, metric: metricId, since },
          { signal: controller.signal },
        );
        if (controller.signal.aborted) return;
        const fresh = sparklineSeries(data.readings);
        for (const id of ids) fetchedAt.current.set(id, now);
        setState((s) => {
          const series = new Map(s.series);
          for (const id of ids) series.set(id, fresh.get(id) ?? []);
          return { series, to: now };
        });
      } catch (err) {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error: errorMessage(err) }));
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [metricId, visibleKey, tick]);

  return state;
}

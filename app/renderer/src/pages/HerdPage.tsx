import { Alert, Group, Loader, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { EmptyFarm, NodeSetupSteps } from '../components/EmptyFarm.tsx';
import { HerdTable } from '../components/HerdTable.tsx';
import {
  countLabel,
  filterHerd,
  formatFarmTime,
  hasNoReadings,
  HERD_BADGE_LABELS,
  HERD_BADGES,
  HERD_QUERY,
  HERD_SUBSCRIPTIONS,
  herdGroups,
  herdRows,
  isEmptyFarm,
  metricColumns,
  nextSort,
  sortHerd,
  type BadgeFilter,
  type GroupFilter,
  type HerdData,
  type HerdSort,
  type SortKey,
} from '../herd-model.ts';
import { farmFormat } from '../farm-format.ts';
import { useLiveQuery } from '../use-live-query.ts';
import { useSparklines } from '../use-sparklines.ts';
import { StaleData } from '../components/PageParts.tsx';

/** How often the page asks when the office cannot push changes (the live socket failed). */
const POLL_MS = 5_000;
/** Relative times ("3 min ago") move on even when no new data arrives. */
const CLOCK_MS = 15_000;
/** `herd-data` marks each herd answer's arrival, `herd-rendered` the painted rows: `npm run bench -- ui` reads both. */
const HERD_LIVE = { query: HERD_QUERY, subscriptions: HERD_SUBSCRIPTIONS, mark: 'herd-data' };
/** The trend metric shown first, when the herd has readings of it: activity is what heat and health show in. */
const PREFERRED_TREND_METRIC = 'activity';

function useClock(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const markRendered = () => performance.mark('herd-rendered');

const BADGE_FILTER_OPTIONS = [
  { value: 'all', label: 'Any status' },
  { value: 'flagged', label: 'Needs a look (any badge)' },
  ...HERD_BADGES.map((b) => ({ value: b, label: HERD_BADGE_LABELS[b] })),
];

export function HerdPage() {
  const { data, error, checkedAt, lastSuccessAt, mode } = useLiveQuery<HerdData>(HERD_LIVE, POLL_MS);
  const clock = useClock(CLOCK_MS);
  const now = Math.max(clock, checkedAt ?? 0);
  const [search, setSearch] = useState('');
  const [group, setGroup] = useState<GroupFilter>('all');
  const [badge, setBadge] = useState<BadgeFilter>('all');
  const [sort, setSort] = useState<HerdSort>({ key: 'tag', direction: 'asc' });
  const [trendKey, setTrendKey] = useState<string | null>(null);
  const [visibleIds, setVisibleIds] = useState<number[]>([]);
  // The table's compact layout (a tablet held upright) has no trend column: no trend to choose or fetch then.
  const [compact, setCompact] = useState(false);

  const animals = data?.animals;
  const columns = useMemo(() => (data ? metricColumns(data.metrics, data.animals, data.farm_settings[0]?.units ?? 'metric') : []), [data]);
  const groups = useMemo(() => (animals ? herdGroups(animals) : []), [animals]);
  // Shaped once per answer (and per clock tick, for "no data"): filtering and sorting then work on ready rows.
  const rows = useMemo(() => (animals ? herdRows(animals, now) : []), [animals, now]);
  const filtered = useMemo(() => filterHerd(rows, { search, group, badge }), [rows, search, group, badge]);
  const shown = useMemo(() => sortHerd(filtered, sort), [filtered, sort]);
  const onSort = useCallback((key: SortKey) => setSort((s) => nextSort(s, key)), []);

  const trendMetric = columns.find((m) => m.key === trendKey) ?? columns.find((m) => m.key === PREFERRED_TREND_METRIC) ?? columns[0];
  const spark = useSparklines(compact ? undefined : trendMetric?.id, visibleIds);
  const sparkline = useMemo(() => (trendMetric ? { metric: trendMetric, series: spark.series, to: spark.to } : undefined), [trendMetric, spark]);

  const retrying = mode === 'live' ? 'when the data changes' : `every ${POLL_MS / 1000} seconds`;

  if (!data) {
    return error ? (
      <Alert color="red" title="Cannot load the herd" data-testid="herd-error">
        Reason: {error}
        <br />
        Trying again {retrying}.
      </Alert>
    ) : (
      <Group gap="sm" data-testid="herd-loading">
        <Loader size="sm" />
        <Text>Loading the herd…</Text>
      </Group>
    );
  }

  // Settings always has its one row; the fallback only guards a farm whose row was deleted by hand.
  const { timeZone, locale } = farmFormat(data.farm_settings[0]);
  const staleWarning = error && (
    <StaleData error={error} testId="herd-stale">
      . These figures are from {lastSuccessAt ? formatFarmTime(lastSuccessAt, timeZone, locale) : 'earlier'}; trying again {retrying}.
    </StaleData>
  );

  if (isEmptyFarm(data.animals)) {
    return (
      <Stack>
        {staleWarning}
        <EmptyFarm />
      </Stack>
    );
  }

  return (
    // The page is as tall as the window below the header: the herd table fills what the filters leave.
    <Stack gap="md" h="calc(100dvh - var(--app-shell-header-height, 0px) - 2 * var(--mantine-spacing-md))">
      {staleWarning}
      <Group justify="space-between" align="flex-end">
        <Stack gap={0}>
          <Title order={2}>Herd</Title>
          <Text c="dimmed" size="sm" data-testid="herd-count">
            {countLabel(shown.length, data.animals.length)}
          </Text>
        </Stack>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput
            type="search"
            placeholder="Search tag, name or official ID"
            aria-label="Search the herd"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={{ base: '100%', xs: 260 }}
            data-testid="herd-search"
          />
          <Select
            aria-label="Filter by group"
            data-testid="herd-group-filter"
            w={170}
            allowDeselect={false}
            value={String(group)}
            onChange={(v) => setGroup(v === 'all' || v === 'none' || v == null ? (v ?? 'all') : Number(v))}
            data={[
              { value: 'all', label: 'All groups' },
              ...groups.map((g) => ({ value: String(g.id), label: g.name })),
              { value: 'none', label: 'No group' },
            ]}
          />
          <Select
            aria-label="Filter by status"
            data-testid="herd-status-filter"
            w={210}
            allowDeselect={false}
            value={badge}
            onChange={(v) => setBadge((v ?? 'all') as BadgeFilter)}
            data={BADGE_FILTER_OPTIONS}
          />
          {columns.length > 0 && !compact && (
            <Select
              label="Trend"
              data-testid="herd-trend-metric"
              w={170}
              allowDeselect={false}
              value={trendMetric?.key ?? null}
              onChange={setTrendKey}
              data={columns.map((m) => ({ value: m.key, label: m.name }))}
            />
          )}
        </Group>
      </Group>
      {hasNoReadings(data.animals) && (
        <Alert color="blue" title="No readings yet" data-testid="no-readings">
          <NodeSetupSteps compact />
        </Alert>
      )}
      {spark.error && (
        <Text c="red" size="sm" data-testid="sparkline-error">
          Trend lines could not be loaded: {spark.error}
        </Text>
      )}
      {shown.length === 0 ? (
        <Text data-testid="herd-no-match">
          {group === 'all' && badge === 'all' ? <>No animal matches “{search.trim()}”.</> : 'No animal matches these filters.'}
        </Text>
      ) : (
        <HerdTable
          rows={shown}
          columns={columns}
          timeZone={timeZone}
          locale={locale}
          now={now}
          sort={sort}
          onSort={onSort}
          sparkline={sparkline}
          onVisibleChange={setVisibleIds}
          onRendered={markRendered}
          onCompactChange={setCompact}
        />
      )}
    </Stack>
  );
}

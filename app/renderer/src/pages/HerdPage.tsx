import { Alert, Group, Loader, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { EmptyFarm, NodeSetupSteps } from '../components/EmptyFarm.tsx';
import { HerdTable } from '../components/HerdTable.tsx';
import { countLabel, filterAnimals, hasNoReadings, HERD_QUERY, HERD_SUBSCRIPTIONS, isEmptyFarm, metricColumns, type HerdData } from '../herd-model.ts';
import { useLiveQuery } from '../use-live-query.ts';

/** How often the page asks when the office cannot push changes (the live socket failed). */
const POLL_MS = 5_000;
/** Relative times ("3 min ago") move on even when no new data arrives. */
const CLOCK_MS = 15_000;
const HERD_LIVE = { query: HERD_QUERY, subscriptions: HERD_SUBSCRIPTIONS };

function useClock(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function HerdPage() {
  const { data, error, checkedAt, lastSuccessAt, mode } = useLiveQuery<HerdData>(HERD_LIVE, POLL_MS);
  const clock = useClock(CLOCK_MS);
  const [search, setSearch] = useState('');

  const animals = data?.animals;
  const columns = useMemo(() => (data ? metricColumns(data.metrics, data.animals) : []), [data]);
  const shown = useMemo(() => (animals ? filterAnimals(animals, search) : []), [animals, search]);
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
  const timeZone = data.farm_settings[0]?.time_zone ?? 'UTC';
  const staleWarning = error && (
    <Alert color="yellow" title="Showing older data" data-testid="herd-stale">
      The last request failed ({error}). These figures are from{' '}
      {lastSuccessAt ? new Date(lastSuccessAt).toLocaleTimeString() : 'earlier'}; trying again {retrying}.
    </Alert>
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
    <Stack gap="md">
      {staleWarning}
      <Group justify="space-between" align="flex-end">
        <Stack gap={0}>
          <Title order={2}>Herd</Title>
          <Text c="dimmed" size="sm" data-testid="herd-count">
            {countLabel(shown.length, data.animals.length)}
          </Text>
        </Stack>
        <TextInput
          type="search"
          placeholder="Search tag, name or official ID"
          aria-label="Search the herd"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', xs: 300 }}
          data-testid="herd-search"
        />
      </Group>
      {hasNoReadings(data.animals) && (
        <Alert color="blue" title="No readings yet" data-testid="no-readings">
          <NodeSetupSteps compact />
        </Alert>
      )}
      {shown.length === 0 ? (
        <Text data-testid="herd-no-match">No animal matches “{search.trim()}”.</Text>
      ) : (
        <HerdTable animals={shown} columns={columns} timeZone={timeZone} now={Math.max(clock, checkedAt ?? 0)} />
      )}
    </Stack>
  );
}

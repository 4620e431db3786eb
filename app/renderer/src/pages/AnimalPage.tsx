// One animal: who she is, her readings over time against her own baseline, what happened to her (alerts and
// events), and a form to add an event or a note. `#/animal/<id>`; the herd table links here.
import { Alert, Anchor, Badge, Button, Card, Group, Loader, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { lazy, Suspense, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import {
  animalTitle,
  detailLiveQuery,
  EVENT_KIND_LABELS,
  eventErrorInWords,
  eventInput,
  eventKindsFor,
  formatAnimalAge,
  formatFarmDateTime,
  historyEntries,
  INSERT_EVENT_MUTATION,
  markersInRange,
  RANGE_OPTIONS,
  READINGS_QUERY,
  readingsWhere,
  resolveRange,
  rollingBaseline,
  seriesByMetric,
  seriesInUnits,
  utcToFarmWall,
  animalIdFromParam,
  type DetailAnimal,
  type DetailData,
  type EventKind,
  type RangeKey,
  type ReadingRow,
  type TimeRange,
} from '../animal-detail-model.ts';
import { session } from '../auth/session.ts';
import { errorMessage, graphqlRequest, GraphqlError } from '../graphql.ts';
import { routeHref, useHashRouteParam } from '../use-hash-route.ts';
import { farmFormat } from '../farm-format.ts';
import { formatDay } from '../statistics-model.ts';
import { useLiveQuery } from '../use-live-query.ts';
import { ChartBoundary, StaleData } from '../components/PageParts.tsx';

// ECharts is loaded with the first chart, not with the app: the herd page opens without it.
const MetricChart = lazy(() => import('../components/MetricChart.tsx').then((m) => ({ default: m.MetricChart })));

/** How often the page asks when the office cannot push changes (the live socket failed). */
const POLL_MS = 5_000;

export function AnimalPage() {
  const id = animalIdFromParam(useHashRouteParam());
  if (id === undefined) {
    return (
      <Stack gap="xs" data-testid="animal-none">
        <Title order={2}>Animal</Title>
        <Text>
          Choose an animal on the <Anchor href={routeHref('herd')}>Herd</Anchor> page: its tag opens its details here.
        </Text>
      </Stack>
    );
  }
  // A new id is a new page: nothing of the previous animal's state carries over.
  return <AnimalDetail key={id} animalId={id} />;
}

function AnimalDetail({ animalId }: { animalId: number }) {
  const live = useMemo(() => detailLiveQuery(animalId), [animalId]);
  const { data, error, mode } = useLiveQuery<DetailData>(live, POLL_MS);
  const retrying = mode === 'live' ? 'when the data changes' : `every ${POLL_MS / 1000} seconds`;

  if (!data) {
    return error ? (
      <Alert color="red" title="Cannot load this animal" data-testid="animal-error">
        Reason: {error}
        <br />
        Trying again {retrying}.
      </Alert>
    ) : (
      <Group gap="sm" data-testid="animal-loading">
        <Loader size="sm" />
        <Text>Loading the animal…</Text>
      </Group>
    );
  }
  const animal = data.animals_by_pk;
  if (!animal) {
    return (
      <Stack gap="xs" data-testid="animal-not-found">
        <Title order={2}>No such animal</Title>
        <Text>
          There is no animal with the number {animalId}, or your role may not see it. Back to the <Anchor href={routeHref('herd')}>Herd</Anchor>.
        </Text>
      </Stack>
    );
  }
  const { timeZone, locale } = farmFormat(data.farm_settings[0]);
  return (
    <Stack gap="md" data-testid="animal-page">
      {error && (
        <StaleData error={error} testId="animal-stale">; trying again {retrying}.</StaleData>
      )}
      <Identity animal={animal} timeZone={timeZone} locale={locale} />
      <Charts animalId={animalId} data={data} timeZone={timeZone} locale={locale} />
      <AddEventForm animalId={animalId} timeZone={timeZone} />
      <History data={data} timeZone={timeZone} locale={locale} />
    </Stack>
  );
}

function Identity({ animal, timeZone, locale }: { animal: DetailAnimal; timeZone: string; locale: string }) {
  const today = utcToFarmWall(Date.now(), timeZone).date;
  const age = formatAnimalAge(animal.birth_date, today);
  const none = <Text span c="dimmed">—</Text>;
  const fields: [string, ReactNode, string][] = [
    ['Official ID', animal.official_id ?? none, 'official-id'],
    ['Tag', animal.tag ?? none, 'tag'],
    ['Name', animal.name ?? none, 'name'],
    ['Group', animal.group?.name ?? none, 'group'],
    ['Age', age ? `${age}${animal.birth_date ? ` (born ${formatDay(animal.birth_date, 'date', locale)})` : ''}` : none, 'age'],
    ['Sex', animal.sex === 'female' ? 'Female' : animal.sex === 'male' ? 'Male' : animal.sex, 'sex'],
    ['Breed', animal.breed ?? none, 'breed'],
  ];
  if (animal.due_date) fields.push(['Calving due', formatDay(animal.due_date, 'long', locale), 'due-date']);
  return (
    <Stack gap="xs">
      <Group gap="sm" align="center">
        <Title order={2} data-testid="animal-title">
          {animalTitle(animal)}
        </Title>
        <Badge variant="light" color={animal.status === 'active' ? 'green' : 'gray'} data-testid="animal-status">
          {animal.status}
        </Badge>
        {animal.unconfirmed && (
          <Badge
            color="orange"
            variant="outline"
            data-testid="unconfirmed"
            title="Created by a node's reading for an ID the office did not know; check and complete this animal's record"
          >
            Unconfirmed
          </Badge>
        )}
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" data-testid="animal-identity">
        {fields.map(([label, value, key]) => (
          <div key={key} data-testid={`identity-${key}`}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text size="sm">{value}</Text>
          </div>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

/** Relative ranges move with the clock: the readings are asked again this often (longer ranges less often). */
function refreshMs(key: RangeKey): number | undefined {
  if (key === 'custom') return undefined;
  return key === '24h' || key === '7d' ? 60_000 : 5 * 60_000;
}

interface ReadingsState {
  rows?: ReadingRow[];
  /** The range the rows belong to: the charts show what was loaded, not what is being loaded. */
  range?: TimeRange;
  loading: boolean;
  error?: string;
}

function useReadings(animalId: number, range: TimeRange | undefined): ReadingsState {
  const [state, setState] = useState<ReadingsState>({ loading: true });
  useEffect(() => {
    if (!range) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    graphqlRequest<{ readings: ReadingRow[] }, { where: Record<string, unknown> }>(READINGS_QUERY, { where: readingsWhere(animalId, range) }, { signal: controller.signal })
      .then((data) => {
        if (!controller.signal.aborted) setState({ rows: data.readings, range, loading: false });
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, loading: false, error: errorMessage(err) }));
      });
    return () => controller.abort();
  }, [animalId, range]);
  return state;
}

function Charts({ animalId, data, timeZone, locale }: { animalId: number; data: DetailData; timeZone: string; locale: string }) {
  const [rangeKey, setRangeKey] = useState<RangeKey>('7d');
  const [custom, setCustom] = useState(() => {
    const today = utcToFarmWall(Date.now(), timeZone).date;
    const weekAgo = utcToFarmWall(Date.now() - 7 * 86_400_000, timeZone).date;
    return { from: weekAgo, to: today };
  });
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const every = refreshMs(rangeKey);
    if (every === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, [rangeKey]);

  const resolved = useMemo(() => resolveRange(rangeKey, now, timeZone, custom), [rangeKey, now, timeZone, custom]);
  const wanted = resolved.ok ? resolved.range : undefined;
  const readings = useReadings(animalId, wanted);
  const shownRange = readings.range;
  const units = data.farm_settings[0]?.units ?? 'metric';
  const series = useMemo(() => (readings.rows ? seriesInUnits(seriesByMetric(readings.rows, data.metrics), units) : []), [readings.rows, data.metrics, units]);
  const baselines = useMemo(() => (shownRange ? series.map((s) => rollingBaseline(s.points, shownRange)) : []), [series, shownRange]);
  const markers = useMemo(() => (shownRange ? markersInRange(data.alerts, data.events, shownRange) : []), [data.alerts, data.events, shownRange]);

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" gap="sm">
        <Title order={3}>Readings</Title>
        <Group gap="sm" align="flex-end">
          {readings.loading && <Loader size="xs" data-testid="readings-loading" />}
          <SegmentedControl
            value={rangeKey}
            onChange={(v) => {
              setNow(Date.now());
              setRangeKey(v as RangeKey);
            }}
            data={RANGE_OPTIONS.map((o) => ({ value: o.value, label: o.label }))}
            aria-label="Time range"
            data-testid="range-picker"
          />
        </Group>
      </Group>
      {rangeKey === 'custom' && (
        <Group gap="sm" align="flex-end">
          <TextInput type="date" label="From" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.currentTarget.value })} data-testid="range-from" />
          <TextInput type="date" label="To (including)" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.currentTarget.value })} data-testid="range-to" />
          <Text size="xs" c="dimmed" pb={8}>
            Dates on the farm's clock ({timeZone}).
          </Text>
        </Group>
      )}
      {!resolved.ok && (
        <Text c="red" size="sm" data-testid="range-error">
          {resolved.error}
        </Text>
      )}
      {readings.error && (
        <Alert color="red" title="Cannot load the readings" data-testid="readings-error">
          {readings.error}
        </Alert>
      )}
      {readings.rows && series.length === 0 && (
        <Text c="dimmed" data-testid="no-readings">
          No readings for this animal in this range (nor in the week before it).
        </Text>
      )}
      {shownRange &&
        series.map((s, i) => (
          <Card key={s.metric.id} withBorder padding="xs" data-testid="metric-card" data-metric={s.metric.key}>
            <Text fw={600} size="sm">
              {s.metric.name}{' '}
              <Text span c="dimmed" size="xs">
                ({s.metric.unit})
              </Text>
            </Text>
            <ChartBoundary>
              <Suspense fallback={<Loader size="sm" m="md" />}>
                <MetricChart series={s} baseline={baselines[i] ?? []} markers={markers} range={shownRange} timeZone={timeZone} locale={locale} group={`animal-${animalId}`} />
              </Suspense>
            </ChartBoundary>
          </Card>
        ))}
      {series.length > 0 && (
        <Text size="xs" c="dimmed" data-testid="baseline-note">
          Shaded band: this animal's own baseline, the median of her previous 7 days ± 1.5 × the median absolute deviation, computed in this
          browser from the readings loaded. Red lines mark alerts (at their onset), dashed lines events. Times on the farm's clock ({timeZone}). Drag
          or scroll a chart to zoom.
        </Text>
      )}
    </Stack>
  );
}

function currentRole(): string {
  const state = session.getState();
  return state.status === 'signed-in' ? state.user.role : '';
}

function AddEventForm({ animalId, timeZone }: { animalId: number; timeZone: string }) {
  const role = currentRole();
  const kinds = eventKindsFor(role);
  const [kind, setKind] = useState<EventKind>(kinds.includes('note') ? 'note' : (kinds[0] ?? 'note'));
  const [when, setWhen] = useState(() => utcToFarmWall(Date.now(), timeZone));
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  if (kinds.length === 0) return null;

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setSaved(undefined);
    const input = eventInput(animalId, { kind, date: when.date, time: when.time, note }, role, timeZone, Date.now());
    if (!input.ok) {
      setError(input.error);
      return;
    }
    setError(undefined);
    setSaving(true);
    try {
      await graphqlRequest(INSERT_EVENT_MUTATION, { object: input.object });
      setNote('');
      setSaved(`${EVENT_KIND_LABELS[kind]} saved.`);
      setWhen(utcToFarmWall(Date.now(), timeZone));
    } catch (err) {
      setError(err instanceof GraphqlError ? eventErrorInWords(err.errors) : `Could not reach the office: ${errorMessage(err)}`);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card withBorder padding="sm">
      <form onSubmit={(e) => void submit(e)} data-testid="event-form" noValidate>
        <Stack gap="xs">
          <Title order={3}>Add an event or a note</Title>
          <Group gap="sm" align="flex-end">
            <Select
              label="Kind"
              data={kinds.map((k) => ({ value: k, label: EVENT_KIND_LABELS[k] }))}
              value={kind}
              onChange={(v) => v && setKind(v as EventKind)}
              allowDeselect={false}
              w={160}
              data-testid="event-kind"
            />
            <TextInput type="date" label="Date" value={when.date} onChange={(e) => setWhen({ ...when, date: e.currentTarget.value })} data-testid="event-date" />
            <TextInput type="time" label={`Time (${timeZone})`} value={when.time} onChange={(e) => setWhen({ ...when, time: e.currentTarget.value })} data-testid="event-time" />
          </Group>
          <Textarea
            label={kind === 'note' ? 'Note' : 'Note (optional)'}
            placeholder={kind === 'treatment' ? 'Drug, dose, withdrawal period…' : 'What happened'}
            autosize
            minRows={2}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            data-testid="event-note"
          />
          {error && (
            <Alert color="red" data-testid="event-error">
              {error}
            </Alert>
          )}
          {saved && (
            <Text c="green" size="sm" data-testid="event-saved">
              {saved}
            </Text>
          )}
          <Group>
            <Button type="submit" loading={saving} data-testid="event-submit">
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function History({ data, timeZone, locale }: { data: DetailData; timeZone: string; locale: string }) {
  const entries = useMemo(() => historyEntries(data.alerts, data.events), [data.alerts, data.events]);
  return (
    <Stack gap="xs">
      <Title order={3}>Alerts and events</Title>
      {entries.length === 0 ? (
        <Text c="dimmed" data-testid="history-empty">
          Nothing recorded yet.
        </Text>
      ) : (
        <Table striped data-testid="history">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When ({timeZone})</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Details</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((h) => (
              <Table.Tr key={h.key} data-testid="history-row" data-kind={h.kind}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatFarmDateTime(h.t, timeZone, locale)}</Table.Td>
                <Table.Td>
                  {/* Wraps on a narrow screen rather than cut the status badge to "O…". */}
                  <Group gap={4}>
                    <Text size="sm" c={h.kind === 'alert' ? 'red' : undefined}>
                      {h.title}
                    </Text>
                    {h.status && (
                      <Badge size="xs" variant="light" color={h.status === 'open' ? 'red' : 'gray'}>
                        {h.status}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{h.text}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

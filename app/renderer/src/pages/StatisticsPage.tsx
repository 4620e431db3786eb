// Statistics (issue 6, item 5): the herd's and its groups' daily figures for one metric over a period — trends
// by day and by week, the groups side by side, the spread across animals on one day, and alerts per day by
// cause. Everything comes from the office's daily rollups (issue 9), on the farm's calendar.
import { Alert, Card, Group, Loader, Paper, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { safeTimeZone } from '../animal-detail-model.ts';
import { ChartBoundary, LoadError, Loading, PageHeader, StaleData } from '../components/PageParts.tsx';
import { errorMessage, graphqlRequest } from '../graphql.ts';
import { formatReadingValue } from '../herd-model.ts';
import { formatFarmNumber } from '../farm-format.ts';
import { useFarmFormat } from '../use-farm-format.ts';
import { displayUnit, type DisplayUnit } from '../settings-model.ts';
import {
  addDays,
  alertsByCause,
  DAILY_MEANS_QUERY,
  dailyTrend,
  daysWithData,
  farmToday,
  formatDay as formatDayIn,
  formatPeriod as formatPeriodIn,
  formatWeek as formatWeekIn,
  groupBoxes,
  histogram,
  PERIOD_OPTIONS,
  periodDays,
  periodSummary,
  pickMetric,
  resolvePeriod,
  STATISTICS_META_QUERY,
  STATISTICS_QUERY,
  statisticsVariables,
  weeklyTrend,
  type BoxMode,
  type IsoWeek,
  type Period,
  type PeriodKey,
  type PeriodSummary,
  type StatisticsData,
  type StatisticsMeta,
  type StatsMetric,
} from '../statistics-model.ts';

// ECharts comes with the first chart, not with the app.
const charts = () => import('../components/StatisticsCharts.tsx');
const DailyTrendChart = lazy(() => charts().then((m) => ({ default: m.DailyTrendChart })));
const WeeklyTrendChart = lazy(() => charts().then((m) => ({ default: m.WeeklyTrendChart })));
const GroupBoxChart = lazy(() => charts().then((m) => ({ default: m.GroupBoxChart })));
const HistogramChart = lazy(() => charts().then((m) => ({ default: m.HistogramChart })));
const AlertsChart = lazy(() => charts().then((m) => ({ default: m.AlertsChart })));

/** The rollups of today grow as readings arrive: a period that ends today is asked again this often. */
const REFRESH_MS = 5 * 60_000;

/** What to ask, and what the answer is about (the page shows an answer with its own period and metric). */
interface Ask<C> {
  variables: Record<string, unknown>;
  context: C;
}

interface RequestState<T, C> {
  data?: T;
  /** The context of the request `data` answers: while a new one loads, the old figures stay. */
  context?: C;
  /** `data` answers the request asked now (not an earlier one). */
  current: boolean;
  loading: boolean;
  error?: string;
  retry: () => void;
}

/**
 * One GraphQL request, asked again when `ask` changes (callers memoise it), every `refreshMs` if given, and on
 * `retry`. Nothing is asked while `ask` is undefined (the page does not know yet what to ask).
 */
function useRequest<T, C = undefined>(query: string, ask: Ask<C> | undefined, refreshMs?: number): RequestState<T, C> {
  const [state, setState] = useState<{ data?: T; answered?: Ask<C>; loading: boolean; error?: string }>({ loading: ask !== undefined });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (ask === undefined) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    graphqlRequest<T, Record<string, unknown>>(query, ask.variables, { signal: controller.signal })
      .then((data) => {
        if (!controller.signal.aborted) setState({ data, answered: ask, loading: false });
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, loading: false, error: errorMessage(err) }));
      });
    const timer = refreshMs === undefined ? undefined : setTimeout(() => setAttempt((a) => a + 1), refreshMs);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [query, ask, refreshMs, attempt]);
  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  const { data, answered, loading, error } = state;
  return { data, context: answered?.context, current: answered !== undefined && answered === ask, loading, error, retry };
}

const META_ASK: Ask<undefined> = { variables: {}, context: undefined };

export function StatisticsPage() {
  const meta = useRequest<StatisticsMeta>(STATISTICS_META_QUERY, META_ASK);
  if (!meta.data) {
    return meta.error ? (
      <LoadError what="the statistics" error={meta.error} onRetry={meta.retry} testId="stats-error" />
    ) : (
      <Loading what="the statistics" testId="stats-loading" />
    );
  }
  return <Statistics meta={meta.data} />;
}

/** Today on the farm's calendar, moving on at midnight (checked every few minutes). */
function useFarmToday(timeZone: string): string {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return farmToday(now, timeZone);
}

function Statistics({ meta }: { meta: StatisticsMeta }) {
  const timeZone = safeTimeZone(meta.farm_settings[0]?.time_zone);
  const units = meta.farm_settings[0]?.units ?? 'metric';
  const today = useFarmToday(timeZone);
  const [periodKey, setPeriodKey] = useState<PeriodKey>('30d');
  const [custom, setCustom] = useState(() => ({ from: addDays(today, -29), to: today }));
  // The farmer's choice of metric wins; until there is one, the page picks a metric that has figures.
  const [chosenMetric, setChosenMetric] = useState<number | undefined>();
  const [autoMetric, setAutoMetric] = useState<number | undefined>();

  const resolved = useMemo(() => resolvePeriod(periodKey, today, custom), [periodKey, today, custom]);
  const wanted = resolved.ok ? resolved.period : undefined;
  const metric = pickMetric(meta.metrics, [], chosenMetric ?? autoMetric);
  const ask = useMemo(
    () => (wanted && metric ? { variables: statisticsVariables(wanted, metric.id, timeZone), context: { period: wanted, metric } } : undefined),
    [wanted, metric, timeZone],
  );
  const stats = useRequest<StatisticsData, { period: Period; metric: StatsMetric }>(STATISTICS_QUERY, ask, wanted?.to === today ? REFRESH_MS : undefined);

  const withData = useMemo(() => stats.data?.metrics_with_data.map((m) => m.metric_id) ?? [], [stats.data]);
  useEffect(() => {
    if (chosenMetric !== undefined || !stats.current) return;
    const better = pickMetric(meta.metrics, withData, metric?.id);
    if (better && better.id !== metric?.id) setAutoMetric(better.id);
  }, [chosenMetric, stats.current, withData, meta.metrics, metric]);

  const metricOptions = useMemo(() => metricChoices(meta.metrics, withData, units), [meta.metrics, withData, units]);

  return (
    <Stack gap="md" data-testid="statistics-page">
      <PageHeader title="Statistics" description={`The herd's and the groups' daily figures, from the office's daily summaries. Days on the farm's calendar (${timeZone}).`} />
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="stats-period-label">
            Period
          </Text>
          <SegmentedControl
            value={periodKey}
            onChange={(v) => setPeriodKey(v as PeriodKey)}
            data={PERIOD_OPTIONS.map((o) => ({ value: o.value, label: o.label }))}
            aria-labelledby="stats-period-label"
            data-testid="period-picker"
          />
        </Stack>
        <Select
          label="Metric"
          data={metricOptions}
          value={metric ? String(metric.id) : null}
          onChange={(v) => v && setChosenMetric(Number(v))}
          allowDeselect={false}
          w={240}
          data-testid="metric-picker"
        />
        {stats.loading && stats.data && <Loader size="xs" mb={10} aria-label="Loading new figures" data-testid="stats-refreshing" />}
      </Group>
      {periodKey === 'custom' && (
        <Group gap="sm" align="flex-end">
          <TextInput type="date" label="From" value={custom.from} max={custom.to || undefined} onChange={(e) => setCustom({ ...custom, from: e.currentTarget.value })} data-testid="period-from" />
          <TextInput type="date" label="To (including)" value={custom.to} min={custom.from || undefined} onChange={(e) => setCustom({ ...custom, to: e.currentTarget.value })} data-testid="period-to" />
        </Group>
      )}
      {!resolved.ok && (
        <Text c="red" size="sm" role="alert" data-testid="period-error">
          {resolved.error}
        </Text>
      )}
      {metric === undefined ? (
        <Text c="dimmed" data-testid="stats-no-metrics">
          The office knows no metrics yet, so there is nothing to show.
        </Text>
      ) : !stats.data ? (
        stats.error ? (
          <LoadError what="the figures" error={stats.error} onRetry={stats.retry} testId="stats-data-error" />
        ) : (
          resolved.ok && <Loading what="the figures" testId="stats-data-loading" />
        )
      ) : (
        <>
          {stats.error && <StaleData error={stats.error} testId="stats-stale">; the figures below are from the previous request.</StaleData>}
          <Figures data={stats.data} metric={stats.context!.metric} period={stats.context!.period} meta={meta} units={units} timeZone={timeZone} />
        </>
      )}
    </Stack>
  );
}

/** The metrics with figures in the period first (as the picker's first group), the rest after them; units as shown. */
function metricChoices(metrics: readonly StatsMetric[], withData: readonly number[], units: string) {
  const label = (m: StatsMetric) => ({ value: String(m.id), label: `${m.name} (${displayUnit(m.unit, units).unit})` });
  if (withData.length === 0) return metrics.map(label);
  const has = new Set(withData);
  const rest = metrics.filter((m) => !has.has(m.id));
  return [
    { group: 'With figures in this period', items: metrics.filter((m) => has.has(m.id)).map(label) },
    ...(rest.length ? [{ group: 'No figures in this period', items: rest.map(label) }] : []),
  ];
}

interface FiguresProps {
  data: StatisticsData;
  metric: StatsMetric;
  period: Period;
  meta: StatisticsMeta;
  units: string;
  timeZone: string;
}

function Figures({ data, metric, period, meta, units, timeZone }: FiguresProps) {
  const { num, span, count, formatDay, formatWeek, formatPeriod } = useFigureFormat();
  const unit = useMemo(() => displayUnit(metric.unit, units), [metric.unit, units]);
  const days = useMemo(() => periodDays(period), [period]);
  const groupNames = useMemo(() => new Map(meta.groups.map((g) => [g.id, g.name])), [meta.groups]);
  const summary = useMemo(() => periodSummary(data.herd, days.length, unit), [data.herd, days.length, unit]);
  const trend = useMemo(() => dailyTrend(data.herd, days, unit), [data.herd, days, unit]);
  const weekly = useMemo(() => weeklyTrend(data.herd, data.groups, groupNames, days, unit), [data.herd, data.groups, groupNames, days, unit]);
  const alerts = useMemo(() => alertsByCause(data.alerts, days, timeZone), [data.alerts, days, timeZone]);

  return (
    <Stack gap="md" data-testid="stats-figures" data-metric={metric.key}>
      <Text size="sm" c="dimmed" data-testid="stats-period">
        {metric.name} · {formatPeriod(period)}
      </Text>
      {data.herd.length === 0 ? (
        <Alert color="gray" title={`No figures for ${metric.name} in this period`} data-testid="stats-empty">
          The office keeps a daily summary of the readings it receives, and has none for this metric in this period.
          {data.metrics_with_data.length ? ' The metric list shows the metrics that have some.' : ' It has none for any other metric either.'}
        </Alert>
      ) : (
        <>
          <Summary summary={summary} unit={unit} />
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
            <Section title="Herd, day by day" description="The daily mean; the darker band holds the middle half of the animals' daily means, the lighter one every reading.">
              <DailyTrendChart trend={trend} metricName={metric.name} unit={unit.unit} />
              <DataTable
                caption={`${metric.name} per day (${unit.unit})`}
                head={['Day', 'Mean', 'Middle half', 'Lowest–highest reading']}
                rows={trend.days.map((d, i) => [formatDay(d, 'long'), num(trend.mean[i], unit.unit), span(trend.q1[i], trend.q3[i], unit.unit), span(trend.min[i], trend.max[i], unit.unit)])}
              />
            </Section>
            <Section title="Week by week" description="Mean of all the week's readings (ISO weeks, Monday to Sunday), for the herd and each group.">
              <WeeklyTrendChart trend={weekly} metricName={metric.name} unit={unit.unit} />
              <DataTable
                caption={`${metric.name} per week (${unit.unit})`}
                head={['Week', ...weekly.series.map((s) => s.name)]}
                rows={weekly.weeks.map((w, i) => [`${formatWeek(w)}${w.days < 7 ? `, ${w.days} days in the period` : ''}`, ...weekly.series.map((s) => num(s.values[i], unit.unit))])}
              />
            </Section>
            <GroupComparison data={data} metric={metric} unit={unit} groupNames={groupNames} />
            <Distribution data={data} metric={metric} unit={unit} />
          </SimpleGrid>
        </>
      )}
      <Section title="Alerts by cause" description="Alerts raised per day, on the farm's calendar, stacked by cause (all metrics).">
        {alerts.total === 0 ? (
          <Text c="dimmed" size="sm" data-testid="alerts-none">
            No alerts were raised in this period.
          </Text>
        ) : (
          <>
            <AlertsChart alerts={alerts} />
            <DataTable
              caption="Alerts per cause"
              head={['Cause', 'Alerts', 'Busiest day']}
              rows={alerts.series.map((s) => {
                const most = Math.max(...s.counts);
                return [s.label, count(s.total), `${formatDay(alerts.days[s.counts.indexOf(most)]!, 'long')} (${most})`];
              })}
            />
          </>
        )}
      </Section>
    </Stack>
  );
}

function Summary({ summary, unit }: { summary: PeriodSummary; unit: DisplayUnit }) {
  const { num, formatDay } = useFigureFormat();
  const items: [string, ReactNode, string][] = [
    ['Mean over the period', num(summary.mean, unit.unit), 'mean'],
    ['Lowest daily mean', summary.lowestDay ? `${num(summary.lowestDay.mean, unit.unit)} on ${formatDay(summary.lowestDay.day)}` : '—', 'lowest'],
    ['Highest daily mean', summary.highestDay ? `${num(summary.highestDay.mean, unit.unit)} on ${formatDay(summary.highestDay.day)}` : '—', 'highest'],
    ['Days with figures', `${summary.daysWithData} of ${summary.days}${summary.animals ? ` · up to ${summary.animals} animals` : ''}`, 'days'],
  ];
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" data-testid="stats-summary">
      {items.map(([label, value, key]) => (
        <Paper key={key} withBorder p="xs" data-testid={`summary-${key}`}>
          <Text size="xs" c="dimmed">
            {label}
          </Text>
          <Text fw={600}>{value}</Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

function GroupComparison({ data, metric, unit, groupNames }: { data: StatisticsData; metric: StatsMetric; unit: DisplayUnit; groupNames: ReadonlyMap<number, string> }) {
  const { num, span, count, formatDay } = useFigureFormat();
  const [kind, setKind] = useState<BoxMode['kind']>('period');
  const lastDay = data.herd.at(-1)?.day;
  const mode = useMemo<BoxMode>(() => (kind === 'day' && lastDay ? { kind: 'day', day: lastDay } : { kind: 'period' }), [kind, lastDay]);
  const boxes = useMemo(() => groupBoxes(data.herd, data.groups, groupNames, mode, unit), [data.herd, data.groups, groupNames, mode, unit]);
  const what = mode.kind === 'day' ? `on ${formatDay(mode.day, 'long')}` : 'a typical day of the period';
  return (
    <Section
      title="Groups compared"
      description={`Box: the middle half of the animals' daily means, the line in it their median; whiskers: the lowest and highest reading. Shown: ${what}.`}
      action={
        <SegmentedControl
          size="xs"
          value={kind}
          onChange={(v) => setKind(v as BoxMode['kind'])}
          data={[
            { value: 'period', label: 'Typical day' },
            { value: 'day', label: 'Last day' },
          ]}
          aria-label="Compare the groups on"
          data-testid="box-mode"
        />
      }
    >
      {data.groups.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="groups-none">
          No group has figures for this metric in this period: only the whole herd is shown. Put animals in groups on the Animals and groups page.
        </Text>
      )}
      <GroupBoxChart boxes={boxes} metricName={metric.name} unit={unit.unit} label={what} />
      <DataTable
        caption={`${metric.name} by group, ${what} (${unit.unit})`}
        head={['Group', 'Animals', 'Median', 'Middle half', 'Lowest–highest reading']}
        rows={boxes.map((b) => [b.name, count(b.animals), num(b.values[2], unit.unit), span(b.values[1], b.values[3], unit.unit), span(b.values[0], b.values[4], unit.unit)])}
      />
    </Section>
  );
}

function Distribution({ data, metric, unit }: { data: StatisticsData; metric: StatsMetric; unit: DisplayUnit }) {
  const { num, span, count, formatDay } = useFigureFormat();
  const choices = useMemo(() => daysWithData(data.herd), [data.herd]);
  const [chosen, setChosen] = useState<string | null>(null);
  const day = chosen && choices.includes(chosen) ? chosen : choices[0];
  const ask = useMemo(() => (day ? { variables: { metric: metric.id, day }, context: undefined } : undefined), [metric.id, day]);
  const means = useRequest<{ readings_daily: { mean: number }[] }>(DAILY_MEANS_QUERY, ask);
  // Another day's or metric's means are not shown while this day's load: the bins would say the wrong thing.
  const shown = means.current ? means.data?.readings_daily : undefined;
  const bins = useMemo(() => (shown ? histogram(shown.map((r) => unit.convert(r.mean))) : undefined), [shown, unit]);
  const dayLabel = day ? formatDay(day, 'long') : '';

  return (
    <Section
      title="Spread across the animals"
      description="How many animals had each daily mean on one day."
      action={
        <Select
          size="xs"
          aria-label="Day"
          data={choices.map((d) => ({ value: d, label: formatDay(d, 'long') }))}
          value={day ?? null}
          onChange={setChosen}
          allowDeselect={false}
          searchable
          w={170}
          data-testid="histogram-day"
        />
      }
    >
      {means.error && !shown ? (
        <LoadError what="the animals' daily means" error={means.error} onRetry={means.retry} testId="histogram-error" />
      ) : !bins ? (
        <Loading what="the animals' daily means" testId="histogram-loading" />
      ) : bins.n === 0 ? (
        <Text size="sm" c="dimmed" data-testid="histogram-empty">
          No animal's daily figures for {dayLabel}.
        </Text>
      ) : (
        <>
          <HistogramChart histogram={bins} metricName={metric.name} unit={unit.unit} dayLabel={dayLabel} />
          <DataTable
            caption={`Animals per daily mean of ${metric.name}, ${dayLabel}`}
            head={[`Daily mean (${unit.unit})`, 'Animals']}
            rows={bins.bins.map((b) => [bins.width === 0 ? num(b.from, unit.unit) : span(b.from, b.to, unit.unit), count(b.count)])}
          />
        </>
      )}
    </Section>
  );
}

function Section({ title, description, action, children }: { title: string; description: string; action?: ReactNode; children: ReactNode }) {
  return (
    <Card withBorder padding="sm" component="section" aria-label={title} data-testid="stats-section">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          <Stack gap={0} style={{ flex: '1 1 14rem' }}>
            <Title order={3} size="h4">
              {title}
            </Title>
            <Text size="xs" c="dimmed">
              {description}
            </Text>
          </Stack>
          {action}
        </Group>
        <ChartBoundary>
          <Suspense fallback={<Loading what="the chart" testId="chart-loading" />}>{children}</Suspense>
        </ChartBoundary>
      </Stack>
    </Card>
  );
}

/** The chart's numbers, one click away: for screen readers, keyboards, and anyone who wants the figures. */
function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: string[][] }) {
  return (
    <details data-testid="stats-table">
      <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-sm)' }}>Show the numbers</summary>
      <Table.ScrollContainer minWidth={360} mah={320}>
        <Table striped stickyHeader fz="sm">
          <caption style={{ textAlign: 'start', fontSize: 'var(--mantine-font-size-xs)' }}>{caption}</caption>
          <Table.Thead>
            <Table.Tr>
              {head.map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={i}>
                {r.map((cell, j) => (
                  <Table.Td key={j}>{cell}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </details>
  );
}

/** The figures' words in the farm's locale: "38,7 °C" and "Sa., 28. Nov. 2026" on a German farm. */
function figureFormat(locale: string) {
  const value = (v: number, unit: string) => formatReadingValue(v, unit, locale);
  return {
    num: (v: number | null | undefined, unit: string): string => (v == null ? '—' : `${value(v, unit)} ${unit}`),
    span: (low: number | null | undefined, high: number | null | undefined, unit: string): string =>
      low == null || high == null ? '—' : `${value(low, unit)}–${value(high, unit)} ${unit}`,
    count: (n: number): string => formatFarmNumber(n, locale, 0),
    formatDay: (day: string, style?: 'short' | 'date' | 'long') => formatDayIn(day, style, locale),
    formatWeek: (week: IsoWeek) => formatWeekIn(week, locale),
    formatPeriod: (period: Period) => formatPeriodIn(period, locale),
  };
}

function useFigureFormat(): ReturnType<typeof figureFormat> {
  const { locale } = useFarmFormat();
  return useMemo(() => figureFormat(locale), [locale]);
}

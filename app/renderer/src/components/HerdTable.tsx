import { Badge, Box, Group, Table, Text, UnstyledButton } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  formatAge,
  formatShownValue,
  HERD_BADGE_LABELS,
  HERD_WIDTHS,
  herdLayout,
  readingTitle,
  SPARKLINE_HOURS,
  sparklineLabel,
  sparklinePoints,
  type AnimalStatus,
  type HerdBadge,
  type HerdRow as HerdRowData,
  type HerdSort,
  type MetricColumn,
  type SortKey,
} from '../herd-model.ts';

const STATUS_BADGES: Record<AnimalStatus, { label: string; color: string }> = {
  active: { label: 'Active', color: 'green' },
  dry: { label: 'Dry', color: 'blue' },
  sold: { label: 'Sold', color: 'gray' },
  dead: { label: 'Dead', color: 'dark' },
};

const FLAG_BADGES: Record<HerdBadge, { color: string; variant: 'filled' | 'light' | 'outline'; title: string }> = {
  fever: { color: 'red', variant: 'filled', title: 'Open alert: body temperature' },
  health: { color: 'orange', variant: 'filled', title: 'Open alert: lower rumination' },
  'in-heat': { color: 'pink', variant: 'filled', title: 'Open alert: activity (heat)' },
  calving: { color: 'violet', variant: 'filled', title: 'Open alert: calving expected' },
  'no-data': { color: 'gray', variant: 'light', title: 'No reading in the last 24 hours: check the collar or bolus' },
  unconfirmed: {
    color: 'orange',
    variant: 'outline',
    title: "Created by a node's reading for an ID the office did not know; check and complete this animal's record",
  },
};

/** Rows are one line of badges or two short lines of figures; measured after render, this is the first guess. */
const ROW_ESTIMATE_PX = 49;
const SPARK_W = HERD_WIDTHS.sparkline - 24;
const SPARK_H = 24;

export interface Sparkline {
  metric: MetricColumn;
  /** Per animal id: hourly [epoch ms, mean] pairs; an animal missing here has not been fetched yet. */
  series: ReadonlyMap<number, readonly (readonly [number, number])[]>;
  /** The window the lines are drawn over. */
  to: number;
}

interface HerdTableProps {
  rows: readonly HerdRowData[];
  columns: readonly MetricColumn[];
  timeZone: string;
  /** BCP 47 tag the figures are written in (the farm's, not the browser's). */
  locale: string;
  /** Epoch ms the ages are measured from; passed in so every cell agrees and the table stays pure. */
  now: number;
  sort: HerdSort;
  onSort(key: SortKey): void;
  sparkline?: Sparkline;
  /** Told which animals are on screen, so the page fetches only their sparklines. */
  onVisibleChange?(ids: number[]): void;
  /** Called after rows were committed and painted (the benchmark's "rendered" mark). */
  onRendered?(): void;
  /** Told when the table turns compact (no trend column then) or wide again. */
  onCompactChange?(compact: boolean): void;
}

export function HerdTable({ rows, columns: allColumns, timeZone, locale, now, sort, onSort, sparkline: trend, onVisibleChange, onRendered, onCompactChange }: HerdTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The box's own width decides the layout (not the window's): the navbar and the page's padding take their share.
  const [boxWidth, setBoxWidth] = useState(0);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setBoxWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const layout = useMemo(() => herdLayout(boxWidth, allColumns, !!trend), [boxWidth, allColumns, trend]);
  const { compact, columns, hidden } = layout;
  // A tablet held upright has no room for the trend: the animal's page has the full charts.
  const sparkline = compact ? undefined : trend;
  useEffect(() => onCompactChange?.(compact), [compact, onCompactChange]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    overscan: 12,
    getItemKey: (i) => rows[i]!.animal.id,
  });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items.length ? items[0]!.start : 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;

  const visibleKey = items.map((i) => rows[i.index]?.animal.id).join(',');
  useEffect(() => {
    onVisibleChange?.(visibleKey ? visibleKey.split(',').map(Number) : []);
  }, [visibleKey, onVisibleChange]);

  useEffect(() => {
    if (!onRendered || items.length === 0) return;
    const frame = requestAnimationFrame(() => onRendered());
    return () => cancelAnimationFrame(frame);
  }, [rows, onRendered, items.length]);

  const th = (key: SortKey, label: ReactNode, width: number, align: 'left' | 'right' = 'left') => {
    const active = sort.key === key;
    return (
      <Table.Th
        key={key}
        w={width}
        // Headers wrap (a long metric name over two lines) while the cells below stay on one.
        style={{ textAlign: align, whiteSpace: 'normal', verticalAlign: 'bottom' }}
        aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
        data-metric={key.startsWith('metric:') ? columns.find((m) => `metric:${m.id}` === key)?.key : undefined}
      >
        <UnstyledButton onClick={() => onSort(key)} data-testid={`sort-${key}`} fw={700} fz="sm">
          {label}
          <Text span c={active ? undefined : 'dimmed'} size="xs" aria-hidden>
            {' '}
            {active ? (sort.direction === 'asc' ? '▲' : '▼') : '↕'}
          </Text>
        </UnstyledButton>
      </Table.Th>
    );
  };

  const colCount = (compact ? 2 : 4) + columns.length + (sparkline ? 1 : 0);
  const w = HERD_WIDTHS;
  // One box scrolls both ways: sideways when a desktop's row of metrics is longer than the box (a tablet gets the
  // compact layout instead, which fits), and down through the herd with only the rows on screen in the DOM. It
  // takes the height its page leaves it (a flex child), so its sideways scrollbar is on screen however tall the
  // filters above it wrap.
  return (
    <>
      {hidden.length > 0 && (
        <Text size="xs" c="dimmed" data-testid="herd-hidden-metrics">
          {hidden.map((m) => m.name).join(', ')}: not shown at this width; each animal's page has them (or turn the tablet sideways).
        </Text>
      )}
      <Box
        ref={scrollRef}
        data-testid="herd-scroll"
        style={{ overflow: 'auto', flex: '1 1 0', minHeight: 420, contain: 'strict' }}
        tabIndex={0}
        aria-label="Herd table"
      >
        <Table
          striped
          highlightOnHover
          stickyHeader
          tabularNums
          layout="fixed"
          data-testid="herd-table"
          aria-rowcount={rows.length + 1}
          data-layout={compact ? 'compact' : 'wide'}
          // Compact: the columns share the box's width (no sideways scrolling); wide: each keeps its width, and a long
          // row of metrics scrolls sideways in the box.
          style={compact ? { whiteSpace: 'nowrap', width: '100%' } : { whiteSpace: 'nowrap', minWidth: w.tag + w.name + w.group + w.status + columns.length * w.metric + (sparkline ? w.sparkline : 0) }}
        >
          <Table.Thead style={{ zIndex: 2 }}>
            <Table.Tr>
              {compact ? (
                th('tag', 'Tag', w.compactTag)
              ) : (
                <>
                  {th('tag', 'Tag', w.tag)}
                  {th('name', 'Name', w.name)}
                  {th('group', 'Group', w.group)}
                </>
              )}
              {th('status', 'Status', compact ? w.compactStatus : w.status)}
              {sparkline && (
                <Table.Th w={w.sparkline}>
                  <Text fw={700} fz="sm" title={`${sparkline.metric.name}, last ${SPARKLINE_HOURS} h (hourly means)`}>
                    {SPARKLINE_HOURS} h trend
                  </Text>
                </Table.Th>
              )}
              {columns.map((m) =>
                th(
                  `metric:${m.id}`,
                  <>
                    {m.name}{' '}
                    <Text span c="dimmed" size="xs">
                      ({m.shown.unit})
                    </Text>
                  </>,
                  compact ? w.compactMetric : w.metric,
                  'right',
                ),
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {paddingTop > 0 && (
              <tr aria-hidden>
                <td colSpan={colCount} style={{ height: paddingTop, padding: 0, border: 0 }} />
              </tr>
            )}
            {items.map((item) => {
              const row = rows[item.index]!;
              return (
                <HerdRow
                  key={item.key}
                  row={row}
                  index={item.index}
                  measureRef={virtualizer.measureElement}
                  columns={columns}
                  timeZone={timeZone}
                  locale={locale}
                  compact={compact}
                  now={now}
                  sparkline={sparkline}
                  series={sparkline?.series.get(row.animal.id)}
                />
              );
            })}
            {paddingBottom > 0 && (
              <tr aria-hidden>
                <td colSpan={colCount} style={{ height: paddingBottom, padding: 0, border: 0 }} />
              </tr>
            )}
          </Table.Tbody>
        </Table>
      </Box>
    </>
  );
}

interface HerdRowProps {
  row: HerdRowData;
  index: number;
  measureRef: (node: HTMLTableRowElement | null) => void;
  columns: readonly MetricColumn[];
  timeZone: string;
  locale: string;
  compact: boolean;
  now: number;
  sparkline?: Sparkline;
  series?: readonly (readonly [number, number])[];
}

// Memoised: scrolling re-renders the table, but a row already on screen only changes with its data.
const HerdRow = memo(function HerdRow({ row, index, measureRef, columns, timeZone, locale, compact, now, sparkline, series }: HerdRowProps) {
  const { animal, label, badges, readings } = row;
  return (
    <Table.Tr data-testid="herd-row" data-tag={label} data-index={index} ref={measureRef} aria-rowindex={index + 2}>
      <Table.Td style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
        <Text component="a" href={`#/animal/${animal.id}`} c="blue" data-testid="animal-link" fw={600} size="sm" title={animal.official_id && animal.tag ? `Official ID ${animal.official_id}` : undefined}>
          {label}
        </Text>
        {compact && (animal.name || animal.group) && (
          <Text size="xs" c="dimmed" truncate="end" data-testid="herd-row-subtitle">
            {[animal.name, animal.group?.name].filter(Boolean).join(' · ')}
          </Text>
        )}
      </Table.Td>
      {!compact && (
        <>
          <Table.Td style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{animal.name ?? <Text span c="dimmed" size="sm">—</Text>}</Table.Td>
          <Table.Td style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{animal.group?.name ?? <Text span c="dimmed" size="sm">—</Text>}</Table.Td>
        </>
      )}
      <Table.Td>
        {/* Up to six badges: they wrap onto a second line (rows are measured) rather than be cut to "HEALTH SUSPI…". */}
        <Group gap={4} wrap="wrap" style={{ whiteSpace: 'normal' }}>
          {/* A status added to the database before the renderer knows it still shows, as is. */}
          <Badge color={STATUS_BADGES[animal.status]?.color ?? 'gray'} variant="light" data-testid="animal-status">
            {STATUS_BADGES[animal.status]?.label ?? animal.status}
          </Badge>
          {badges.map((badge) => (
            <Badge
              key={badge}
              color={FLAG_BADGES[badge].color}
              variant={FLAG_BADGES[badge].variant}
              title={FLAG_BADGES[badge].title}
              data-testid={badge === 'unconfirmed' ? 'unconfirmed' : `badge-${badge}`}
            >
              {HERD_BADGE_LABELS[badge]}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      {sparkline && (
        <Table.Td data-testid="sparkline-cell">
          <SparklineSvg series={series} to={sparkline.to} label={sparklineLabel(sparkline.metric.name, series ?? [], sparkline.metric.shown, locale)} />
        </Table.Td>
      )}
      {columns.map((metric) => {
        const reading = readings.get(metric.id);
        return (
          <Table.Td key={metric.id} data-testid={`reading-${metric.key}`} style={{ textAlign: 'right' }}>
            {reading ? (
              <div title={readingTitle(reading, timeZone, locale)}>
                <Text size="sm" data-testid="reading-value">
                  {formatShownValue(reading.value, metric.shown, locale)}
                </Text>
                <Text size="xs" c="dimmed" data-testid="reading-age">
                  {formatAge(reading.ts, now)}
                </Text>
              </div>
            ) : (
              <Text span c="dimmed" size="sm">
                —
              </Text>
            )}
          </Table.Td>
        );
      })}
    </Table.Tr>
  );
});

function SparklineSvg({ series, to, label }: { series?: readonly (readonly [number, number])[]; to: number; label: string }) {
  if (!series) return <Box w={SPARK_W} h={SPARK_H} data-testid="sparkline-pending" />;
  const points = sparklinePoints(series, to - SPARKLINE_HOURS * 3_600_000, to, SPARK_W, SPARK_H);
  if (!points) {
    return (
      <Text span c="dimmed" size="xs" data-testid="sparkline-empty">
        too few readings
      </Text>
    );
  }
  return (
    <svg width={SPARK_W} height={SPARK_H} viewBox={`0 0 ${SPARK_W} ${SPARK_H}`} role="img" aria-label={label} data-testid="sparkline">
      {/* The title is the hover tooltip: the values the line moves between (the line alone has no scale). */}
      <title>{label}</title>
      <polyline points={points} fill="none" stroke="var(--mantine-primary-color-filled)" strokeWidth={1.5} strokeLinejoin="round" />
    </svg>
  );
}

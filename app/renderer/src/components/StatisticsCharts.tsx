// The statistics page's charts. ECharts from its tree-shakable core with only what these charts draw (lines,
// bars, box plots, their grid, tooltip and legend, the canvas renderer); the page loads this module lazily,
// so the dashboard's first load does not carry it.
import { useComputedColorScheme } from '@mantine/core';
import { BarChart, BoxplotChart, LineChart, type BarSeriesOption, type BoxplotSeriesOption, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { formatReadingValue } from '../herd-model.ts';
import { useFarmFormat } from '../use-farm-format.ts';
import { formatAxisTick, formatDay, formatWeek, type AlertsByCause, type Box, type DailyTrend, type Histogram, type WeeklyTrend } from '../statistics-model.ts';

use([LineChart, BarChart, BoxplotChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type ChartOption = ComposeOption<LineSeriesOption | BarSeriesOption | BoxplotSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

/** Colours that read on both light and dark backgrounds (Mantine's blue, teal, orange, grape, … at shade 6). */
const PALETTE = ['#228be6', '#12b886', '#fd7e14', '#be4bdb', '#fab005', '#e64980', '#15aabf', '#82c91e', '#7950f2', '#fa5252'];

interface Look {
  dark: boolean;
  /** The farm's locale: ticks, tooltips and day labels write numbers and dates its way. */
  locale: string;
  text: string;
  grid: string;
}

/** The page's colour scheme as drawn: the computed one, since "auto" (the app's default) follows the system's dark mode. */
function useLook(): Look {
  const dark = useComputedColorScheme('light') === 'dark';
  const { locale } = useFarmFormat();
  return useMemo(() => ({ dark, locale, text: dark ? '#c9c9c9' : '#495057', grid: dark ? '#373a40' : '#e9ecef' }), [dark, locale]);
}

interface ChartProps {
  option: ChartOption;
  /** What the chart shows, for screen readers; the numbers themselves are in the table beside it. */
  label: string;
  name: string;
  /** How many values the chart draws, as `data-points`: what the browser tests check. */
  points: number;
}

/** Tall enough for a legend and readable ticks, short enough for two rows of charts on a laptop screen. */
const CHART_HEIGHT = 280;

function Chart({ option, label, name, points }: ChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    // A tablet turned, the navbar opened: the chart follows its box, not only the window.
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ animation: false, color: PALETTE, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={ref} style={{ width: '100%', height: CHART_HEIGHT }} role="img" aria-label={label} data-testid="stats-chart" data-chart={name} data-points={points} />;
}

/** "#228be6", 0.2 → "rgba(34, 139, 230, 0.2)". */
function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A category x axis and a value y axis, its labels ECharts' round ticks with the decimals they have. */
function axes(look: Look, categories: readonly string[]) {
  return {
    xAxis: { type: 'category' as const, data: [...categories], axisLabel: { color: look.text, hideOverlap: true }, axisTick: { alignWithLabel: true } },
    yAxis: {
      type: 'value' as const,
      scale: true,
      axisLabel: { color: look.text, formatter: (v: number) => formatAxisTick(v, look.locale) },
      splitLine: { lineStyle: { color: look.grid } },
    },
  };
}

const countPoints = (values: readonly (number | null)[]) => values.filter((v) => v !== null).length;

interface AxisParam {
  dataIndex: number;
}

/** The herd's daily mean, the middle half of its animals (q1–q3) and the lowest to highest reading. */
export function DailyTrendChart({ trend, metricName, unit }: { trend: DailyTrend; metricName: string; unit: string }) {
  const look = useLook();
  const fmt = (v: number) => formatReadingValue(v, unit, look.locale);
  const width = (low: (number | null)[], high: (number | null)[]) => low.map((l, i) => (l === null || high[i] == null ? null : high[i]! - l));
  // A band is two stacked lines: its lower edge (invisible) and its width (filled) on top of it. The fill is
  // the item colour too, so the legend shows the band as it is drawn.
  const band = (id: string, name: string | undefined, data: (number | null)[], opacity: number): LineSeriesOption => ({
    id,
    name,
    type: 'line',
    data,
    stack: id.split('-')[0],
    symbol: 'none',
    lineStyle: { opacity: 0 },
    itemStyle: { color: withAlpha(PALETTE[0]!, opacity) },
    areaStyle: opacity ? { color: withAlpha(PALETTE[0]!, opacity), opacity: 1 } : { opacity: 0 },
    silent: true,
  });
  const names = { mean: 'Daily mean', iqr: 'Middle half of the animals', range: 'Lowest to highest reading' };
  const option = useMemo(
    (): ChartOption => ({
      textStyle: { color: look.text },
      grid: { left: 56, right: 16, top: 40, bottom: 32 },
      legend: { top: 0, textStyle: { color: look.text }, data: [{ name: names.mean }, { name: names.iqr, icon: 'rect' }, { name: names.range, icon: 'rect' }], selectedMode: false },
      ...axes(look, trend.days.map((d) => formatDay(d, 'short', look.locale))),
      tooltip: {
        trigger: 'axis',
        formatter: (params: unknown) => {
          const i = (params as AxisParam[])[0]?.dataIndex;
          if (i === undefined) return '';
          const line = (label: string, low: number | null | undefined, high?: number | null) =>
            low == null ? '' : `<br/>${label}: ${escapeHtml(fmt(low))}${high != null ? `–${escapeHtml(fmt(high))}` : ''} ${escapeHtml(unit)}`;
          const head = `<b>${escapeHtml(formatDay(trend.days[i]!, 'long', look.locale))}</b>`;
          if (trend.mean[i] == null) return `${head}<br/>No figures for this day`;
          return head + line(names.mean, trend.mean[i]) + line('Middle half', trend.q1[i], trend.q3[i]) + line('Readings', trend.min[i], trend.max[i]);
        },
      },
      series: [
        band('range-low', undefined, trend.min, 0),
        band('range-width', names.range, width(trend.min, trend.max), look.dark ? 0.14 : 0.08),
        band('iqr-low', undefined, trend.q1, 0),
        band('iqr-width', names.iqr, width(trend.q1, trend.q3), look.dark ? 0.3 : 0.22),
        {
          id: 'mean',
          name: names.mean,
          type: 'line',
          data: trend.mean,
          // A day is a point worth seeing in a short period; over months the line says enough.
          showSymbol: trend.days.length <= 45,
          lineStyle: { width: 2, color: PALETTE[0] },
          itemStyle: { color: PALETTE[0] },
        },
      ],
    }),
    [trend, unit, look],
  );
  return <Chart option={option} name="daily-trend" points={countPoints(trend.mean)} label={`${metricName}: the herd's daily mean, with the middle half of the animals and the lowest to highest reading, per day`} />;
}

/** Weekly means of the herd and of each group, one line each. */
export function WeeklyTrendChart({ trend, metricName, unit }: { trend: WeeklyTrend; metricName: string; unit: string }) {
  const look = useLook();
  const fmt = (v: number) => formatReadingValue(v, unit, look.locale);
  const option = useMemo(
    (): ChartOption => ({
      textStyle: { color: look.text },
      grid: { left: 56, right: 16, top: 40, bottom: 32 },
      legend: { top: 0, type: 'plain', textStyle: { color: look.text } },
      ...axes(look, trend.weeks.map((w) => `W${w.week}`)),
      tooltip: {
        trigger: 'axis',
        formatter: (params: unknown) => {
          const list = params as (AxisParam & { seriesName: string; value: number | null; color: string })[];
          const week = trend.weeks[list[0]?.dataIndex ?? -1];
          if (!week) return '';
          const partial = week.days < 7 ? ` · ${week.days} of its days in the period` : '';
          const rows = list.map((p) => `<br/>${escapeHtml(p.seriesName)}: ${p.value == null ? 'no figures' : `${escapeHtml(fmt(p.value))} ${escapeHtml(unit)}`}`);
          return `<b>${escapeHtml(formatWeek(week, look.locale))}</b>${escapeHtml(partial)}${rows.join('')}`;
        },
      },
      series: trend.series.map((s, i) => ({
        name: s.name,
        type: 'line' as const,
        data: s.values,
        showSymbol: true,
        symbolSize: 6,
        lineStyle: { width: i === 0 ? 3 : 1.5 },
      })),
    }),
    [trend, unit, look],
  );
  const points = trend.series.reduce((sum, s) => sum + countPoints(s.values), 0);
  return <Chart option={option} name="weekly-trend" points={points} label={`${metricName}: weekly means of the herd and of each group`} />;
}

/** The herd and its groups side by side as box plots. */
export function GroupBoxChart({ boxes, metricName, unit, label }: { boxes: readonly Box[]; metricName: string; unit: string; label: string }) {
  const look = useLook();
  const fmt = (v: number) => formatReadingValue(v, unit, look.locale);
  const option = useMemo(
    (): ChartOption => ({
      textStyle: { color: look.text },
      grid: { left: 56, right: 16, top: 16, bottom: 40 },
      ...axes(look, boxes.map((b) => b.name)),
      tooltip: {
        trigger: 'item',
        formatter: (param: unknown) => {
          const box = boxes[(param as AxisParam).dataIndex];
          if (!box) return '';
          const [min, q1, med, q3, max] = box.values.map((v) => escapeHtml(`${fmt(v)} ${unit}`));
          const days = box.days === 1 ? '' : `, ${box.days} days`;
          return `<b>${escapeHtml(box.name)}</b> (${box.animals} animals${days})<br/>Median: ${med}<br/>Middle half: ${q1} – ${q3}<br/>Readings: ${min} – ${max}`;
        },
      },
      series: [
        {
          type: 'boxplot',
          data: boxes.map((b, i) => ({ value: [...b.values], itemStyle: { color: look.dark ? '#1a1b1e' : '#fff', borderColor: PALETTE[i % PALETTE.length] } })),
          boxWidth: [12, 48],
        },
      ],
    }),
    [boxes, unit, look],
  );
  return <Chart option={option} name="group-boxes" points={boxes.length} label={`${metricName}: ${label}, the whole herd and each group as a box plot`} />;
}

/** How many animals had their daily mean in each bin. */
export function HistogramChart({ histogram, metricName, unit, dayLabel }: { histogram: Histogram; metricName: string; unit: string; dayLabel: string }) {
  const look = useLook();
  const fmt = (v: number) => formatReadingValue(v, unit, look.locale);
  const binLabel = (b: Histogram['bins'][number]) => (histogram.width === 0 ? fmt(b.from) : `${fmt(b.from)}–${fmt(b.to)}`);
  const option = useMemo(
    (): ChartOption => ({
      textStyle: { color: look.text },
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      xAxis: { type: 'category', data: histogram.bins.map(binLabel), name: unit, nameLocation: 'end', nameTextStyle: { color: look.text }, axisLabel: { color: look.text, hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: look.text, formatter: (v: number) => formatAxisTick(v, look.locale) }, splitLine: { lineStyle: { color: look.grid } } },
      tooltip: {
        trigger: 'item',
        formatter: (param: unknown) => {
          const bin = histogram.bins[(param as AxisParam).dataIndex];
          if (!bin) return '';
          return `${escapeHtml(binLabel(bin))} ${escapeHtml(unit)}: <b>${bin.count}</b> ${bin.count === 1 ? 'animal' : 'animals'}`;
        },
      },
      series: [{ type: 'bar', data: histogram.bins.map((b) => b.count), barCategoryGap: '4%', itemStyle: { color: PALETTE[0] } }],
    }),
    [histogram, unit, look],
  );
  return <Chart option={option} name="histogram" points={histogram.n} label={`${metricName}: how many animals had each daily mean on ${dayLabel}`} />;
}

/** Alerts raised per day, stacked by cause. */
export function AlertsChart({ alerts }: { alerts: AlertsByCause }) {
  const look = useLook();
  const option = useMemo(
    (): ChartOption => ({
      textStyle: { color: look.text },
      grid: { left: 40, right: 16, top: 40, bottom: 32 },
      legend: { top: 0, type: 'scroll', textStyle: { color: look.text }, pageTextStyle: { color: look.text } },
      xAxis: { type: 'category', data: alerts.days.map((d) => formatDay(d, 'short', look.locale)), axisLabel: { color: look.text, hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: look.text, formatter: (v: number) => formatAxisTick(v, look.locale) }, splitLine: { lineStyle: { color: look.grid } } },
      tooltip: {
        trigger: 'axis',
        formatter: (params: unknown) => {
          const list = params as (AxisParam & { seriesName: string; value: number })[];
          const day = alerts.days[list[0]?.dataIndex ?? -1];
          if (!day) return '';
          const raised = list.filter((p) => p.value > 0);
          const rows = raised.length ? raised.map((p) => `<br/>${escapeHtml(p.seriesName)}: ${p.value}`).join('') : '<br/>No alerts';
          return `<b>${escapeHtml(formatDay(day, 'long', look.locale))}</b>${rows}`;
        },
      },
      series: alerts.series.map((s) => ({ name: s.label, type: 'bar' as const, stack: 'alerts', data: s.counts, barMaxWidth: 32 })),
    }),
    [alerts, look],
  );
  return <Chart option={option} name="alerts-by-cause" points={alerts.total} label={`Alerts raised per day, by cause: ${alerts.total} in the period`} />;
}

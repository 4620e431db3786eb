// One metric of one animal over time, with its baseline band and the alert and event markers. ECharts from
// its tree-shakable core: only the line chart, the components used here and the canvas renderer are bundled.
import { useComputedColorScheme } from '@mantine/core';
import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { DataZoomComponent, GridComponent, MarkLineComponent, TooltipComponent, type DataZoomComponentOption, type GridComponentOption, type MarkLineComponentOption, type TooltipComponentOption } from 'echarts/components';
import { connect, init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { formatReadingValue } from '../herd-model.ts';
import { formatAxisTick } from '../statistics-model.ts';
import { axisLabel, pointLabel, pointsInRange, type BaselinePoint, type Marker, type MetricSeries, type TimeRange } from '../animal-detail-model.ts';

use([LineChart, GridComponent, TooltipComponent, DataZoomComponent, MarkLineComponent, CanvasRenderer]);

type ChartOption = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption | DataZoomComponentOption | MarkLineComponentOption>;

const ALERT_COLOR = '#e03131';
const EVENT_COLOR = '#1098ad';
const LINE_COLOR = '#228be6';

interface MetricChartProps {
  series: MetricSeries;
  baseline: readonly BaselinePoint[];
  markers: readonly Marker[];
  range: TimeRange;
  timeZone: string;
  /** The farm's locale: axis labels, tooltips and the zoom slider write numbers and dates its way. */
  locale: string;
  /** Charts of one group zoom and show their tooltips together. */
  group: string;
  height?: number;
}

interface TooltipParam {
  seriesId?: string;
  value?: unknown;
}

export function MetricChart({ series, baseline, markers, range, timeZone, locale, group, height = 240 }: MetricChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);
  // The computed scheme: the app's default "auto" follows the system, and would never read as 'dark' here.
  const dark = useComputedColorScheme('light') === 'dark';
  const shown = useMemo(() => pointsInRange(series.points, range), [series.points, range]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = init(el, undefined, { renderer: 'canvas' });
    instance.group = group;
    connect(group);
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, [group]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    const { metric } = series;
    const span = range.to - range.from;
    const text = dark ? '#c9c9c9' : '#495057';
    const option: ChartOption = {
      animation: false,
      textStyle: { color: text },
      grid: { left: 56, right: 24, top: 24, bottom: 64 },
      xAxis: {
        type: 'time',
        min: range.from,
        max: range.to,
        axisLabel: { color: text, hideOverlap: true, formatter: (value: number) => axisLabel(value, span, timeZone, locale) },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        scale: true,
        axisLabel: { color: text, formatter: (value: number) => formatAxisTick(value, locale) },
        splitLine: { lineStyle: { color: dark ? '#373a40' : '#e9ecef' } },
      },
      tooltip: {
        trigger: 'axis',
        formatter: (params: unknown) => tooltipHtml(params as TooltipParam[], metric.name, metric.unit, timeZone, locale),
      },
      dataZoom: [
        { type: 'inside', filterMode: 'none' },
        {
          type: 'slider',
          filterMode: 'none',
          height: 20,
          bottom: 8,
          labelFormatter: (value: number) => pointLabel(value, timeZone, locale),
          // ECharts' slider is drawn for a light page: in dark mode its frame and preview glare, its labels vanish.
          textStyle: { color: text },
          ...(dark && {
            borderColor: '#495057',
            fillerColor: 'rgba(34, 139, 230, 0.25)',
            dataBackground: { lineStyle: { color: '#5c5f66' }, areaStyle: { color: '#373a40' } },
            selectedDataBackground: { lineStyle: { color: LINE_COLOR }, areaStyle: { color: LINE_COLOR, opacity: 0.3 } },
          }),
        },
      ],
      series: [
        // The band is two stacked lines: the lower edge (invisible) and the band's width (filled) on top of it.
        {
          id: 'band-low',
          type: 'line',
          data: baseline.map((b) => [b.t, b.low]),
          stack: 'baseline',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          silent: true,
        },
        {
          id: 'band-width',
          type: 'line',
          data: baseline.map((b) => [b.t, b.high - b.low]),
          stack: 'baseline',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color: LINE_COLOR, opacity: dark ? 0.22 : 0.14 },
          silent: true,
        },
        {
          id: 'value',
          name: metric.name,
          type: 'line',
          data: shown,
          // ~13,000 points for 90 days: downsample to the pixels, never draw a symbol per point.
          sampling: 'lttb',
          showSymbol: false,
          symbol: 'none',
          lineStyle: { width: 1.5, color: LINE_COLOR },
          itemStyle: { color: LINE_COLOR },
          markLine: {
            symbol: 'none',
            animation: false,
            data: markers.map((m) => ({
              xAxis: m.t,
              name: m.detail,
              lineStyle: { color: m.kind === 'alert' ? ALERT_COLOR : EVENT_COLOR, type: m.kind === 'alert' ? 'solid' : 'dashed', width: 1 },
              label: { formatter: m.label, position: 'insideEndTop', fontSize: 10, color: m.kind === 'alert' ? ALERT_COLOR : EVENT_COLOR },
            })),
            tooltip: { show: true, formatter: (p: unknown) => escapeHtml(String((p as { name?: string }).name ?? '')) },
          },
        },
      ],
    };
    instance.setOption(option, { notMerge: true });
  }, [series, shown, baseline, markers, range, timeZone, locale, dark]);

  return <div ref={ref} style={{ width: '100%', height }} data-testid="metric-chart" data-metric={series.metric.key} data-points={shown.length} role="img" aria-label={`${series.metric.name} over time`} />;
}

function tooltipHtml(params: TooltipParam[], name: string, unit: string, timeZone: string, locale: string): string {
  let t: number | undefined;
  let value: number | undefined;
  let low: number | undefined;
  let width: number | undefined;
  for (const p of params) {
    const v = p.value as [number, number] | undefined;
    if (!v) continue;
    t ??= v[0];
    if (p.seriesId === 'value') value = v[1];
    else if (p.seriesId === 'band-low') low = v[1];
    else if (p.seriesId === 'band-width') width = v[1];
  }
  if (t === undefined) return '';
  const lines = [`<b>${escapeHtml(pointLabel(t, timeZone, locale))}</b>`];
  if (value !== undefined) lines.push(`${escapeHtml(name)}: ${escapeHtml(formatReadingValue(value, unit, locale))} ${escapeHtml(unit)}`);
  if (low !== undefined && width !== undefined) {
    lines.push(`Baseline: ${escapeHtml(formatReadingValue(low, unit, locale))}–${escapeHtml(formatReadingValue(low + width, unit, locale))} ${escapeHtml(unit)}`);
  }
  return lines.join('<br/>');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Charts drawn by ECharts on the server as SVG, so a PDF looks the same whether it was asked for from the desktop
// or from a browser through `serve`. Time axes are category axes whose labels the caller formats on the report's
// clock: ECharts' own time axis would place and label ticks on the office process's clock.
import * as echarts from 'echarts';
import { pdfText } from './format.ts';

const FONT = { fontFamily: 'Helvetica', fontSize: 8, color: '#3e4c59' };
const PALETTE = ['#2f6fb3', '#d9822b', '#3f9142', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#b7950b', '#5d6d7e'];
const HERD_COLOR = '#1f2933';

function render(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: FONT, color: PALETTE, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface LineSeries {
  name: string;
  data: (number | null)[];
  /** The herd's line among the groups'. */
  bold?: boolean;
}

export interface LineChartOptions {
  width: number;
  height: number;
  /** One per point, in order (dates or instants as the caller keys them). */
  categories: string[];
  /** The label under category `index`, on the report's clock. */
  label(index: number): string;
  /** Whether category `index` gets a label and a tick (so labels stay readable on long periods). */
  labelled(index: number): boolean;
  series: LineSeries[];
  /** A min-max band drawn behind the series (an animal's hourly range). */
  band?: { lower: (number | null)[]; upper: (number | null)[]; name: string };
  /** A name over the value axis (leave it out when a legend and the heading say what is drawn). */
  yName?: string;
  legend?: boolean;
}

export function lineChart(o: LineChartOptions): string {
  const showLegend = o.legend ?? o.series.length > 1;
  const few = (s: LineSeries) => s.data.filter((v) => v !== null).length <= 40;
  const band = o.band
    ? [
        { name: '_lower', type: 'line', stack: 'band', data: o.band.lower, symbol: 'none', lineStyle: { opacity: 0 }, silent: true, connectNulls: false },
        {
          name: o.band.name,
          type: 'line',
          stack: 'band',
          data: o.band.upper.map((u, i) => (u === null || o.band!.lower[i] === null ? null : u - o.band!.lower[i]!)),
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color: '#9fb8d6', opacity: 0.45 },
          itemStyle: { color: '#9fb8d6' },
          silent: true,
          connectNulls: false,
        },
      ]
    : [];
  let colorIndex = 0;
  const lines = o.series.map((s) => {
    const color = s.bold ? HERD_COLOR : PALETTE[colorIndex++ % PALETTE.length];
    return {
      name: pdfText(s.name),
      type: 'line',
      data: s.data,
      connectNulls: false,
      showSymbol: few(s),
      showAllSymbol: true,
      symbolSize: s.bold ? 5 : 4,
      lineStyle: { width: s.bold ? 3 : s.data.length > 200 ? 0.9 : 1.4, color },
      itemStyle: { color },
      z: s.bold ? 3 : 2,
    };
  });
  return render(
    {
      grid: { left: 52, right: 16, top: showLegend ? 28 : o.yName ? 22 : 12, bottom: 30 },
      legend: showLegend
        ? { top: 2, left: 'center', textStyle: FONT, itemWidth: 16, itemHeight: 8, data: [...lines.map((l) => l.name), ...(o.band ? [pdfText(o.band.name)] : [])] }
        : undefined,
      xAxis: {
        type: 'category',
        data: o.categories,
        boundaryGap: false,
        axisLabel: { ...FONT, interval: (i: number) => o.labelled(i), formatter: (_: string, i: number) => pdfText(o.label(i)), hideOverlap: true },
        axisTick: { interval: (i: number) => o.labelled(i) },
      },
      yAxis: {
        type: 'value',
        scale: true,
        name: o.yName ? pdfText(o.yName) : undefined,
        nameTextStyle: { ...FONT, align: 'left' },
        axisLabel: FONT,
        splitLine: { lineStyle: { color: '#e4e7eb' } },
      },
      series: [...band, ...lines],
    },
    o.width,
    o.height,
  );
}

export interface BarChartOptions {
  width: number;
  height: number;
  categories: string[];
  /** null: nothing known (no bar). */
  values: (number | null)[];
  /** A bar's colour (e.g. red for a low battery); the palette's first colour otherwise. */
  colors?: string[];
  valueName?: string;
  /** A title above the chart (instead of a name on the value axis). */
  title?: string;
  /** Bars lying down: for many categories with long names (nodes). */
  horizontal?: boolean;
  max?: number;
}

export function barChart(o: BarChartOptions): string {
  const category = { type: 'category', data: o.categories.map(pdfText), axisLabel: { ...FONT, interval: 0, width: o.horizontal ? 110 : 90, overflow: 'truncate' }, inverse: !!o.horizontal };
  const value = {
    type: 'value',
    name: o.valueName ? pdfText(o.valueName) : undefined,
    nameTextStyle: FONT,
    axisLabel: FONT,
    minInterval: 1,
    max: o.max,
    ...(o.max === 100 ? { interval: 25 } : {}),
    splitLine: { lineStyle: { color: '#e4e7eb' } },
  };
  return render(
    {
      title: o.title ? { text: pdfText(o.title), left: 'center', top: 0, textStyle: { ...FONT, fontSize: 9, fontWeight: 'bold' } } : undefined,
      grid: { left: o.horizontal ? 130 : 40, right: 30, top: o.title ? 24 : 26, bottom: o.horizontal ? 20 : 40 },
      xAxis: o.horizontal ? value : category,
      yAxis: o.horizontal ? category : value,
      series: [
        {
          type: 'bar',
          barMaxWidth: 28,
          data: o.values.map((v, i) => (v === null ? { value: null } : { value: v, itemStyle: { color: o.colors?.[i] ?? PALETTE[0] } })),
          label: { show: true, position: o.horizontal ? 'right' : 'top', ...FONT },
        },
      ],
    },
    o.width,
    o.height,
  );
}

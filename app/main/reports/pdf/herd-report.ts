// Herd health summary: alerts by type, the animals that need attention, and the herd's and groups' daily trends.
import type { Database } from '../../../db/index.ts';
import { barChart, lineChart } from './charts.ts';
import { titleLines, type LoadedReport, type ReportContext } from './context.ts';
import { causeLabel, figure, metricUnit, severityLabel, shortDate } from './format.ts';
import type { Column, ReportDocument } from './layout.ts';
import { dayAxis } from './series.ts';

interface AlertType {
  category: string;
  cause: string;
  raised: number;
  urgent: number;
  open: number;
}

interface AttentionRow {
  cause: string;
  severity: number;
  status: string;
  reason: string;
  onset: Date;
  resolved_at: Date | null;
  tag: string | null;
  official_id: string | null;
  name: string | null;
  group_name: string | null;
}

interface DailyRow {
  metric_id: number;
  group_id: number | null;
  day: string;
  animals: number;
  n: number;
  mean: number;
}

interface Metric {
  id: number;
  name: string;
  unit: string;
}

/** Daily tables are printed for periods up to this many days; longer ones get the summary table alone. */
const DAILY_TABLE_DAYS = 31;

export async function loadHerdReport(db: Database, ctx: ReportContext): Promise<LoadedReport> {
  const { from, to, groupIds } = ctx.input;
  const { rows: herdCounts } = await db.query<{ status: string; count: number }>(
    `SELECT status, count(*)::int AS count FROM animals WHERE $1::int4[] IS NULL OR group_id = ANY($1::int4[]) GROUP BY status ORDER BY status`,
    [groupIds],
  );
  // An alert belongs to the groups through its animal or its pen or group (as the vet's GraphQL permission has it).
  const { rows: types } = await db.query<AlertType>(
    `SELECT a.category, a.cause, count(*)::int AS raised, count(*) FILTER (WHERE a.severity = 3)::int AS urgent,
            count(*) FILTER (WHERE a.status <> 'resolved')::int AS open
       FROM alerts a LEFT JOIN animals an ON an.id = a.animal_id
      WHERE a.raised_at >= $1 AND a.raised_at < $2
        AND ($3::int4[] IS NULL OR an.group_id = ANY($3::int4[]) OR a.group_id = ANY($3::int4[]))
      GROUP BY a.category, a.cause
      ORDER BY raised DESC, a.cause`,
    [from, to, groupIds],
  );
  // Animals needing attention: every animal alert raised in the period, and those raised earlier still open.
  const { rows: attention } = await db.query<AttentionRow>(
    `SELECT a.cause, a.severity, a.status, a.reason, a.onset, a.resolved_at, an.tag, an.official_id, an.name, g.name AS group_name
       FROM alerts a JOIN animals an ON an.id = a.animal_id LEFT JOIN groups g ON g.id = an.group_id
      WHERE a.raised_at < $2 AND (a.raised_at >= $1 OR a.status <> 'resolved')
        AND ($3::int4[] IS NULL OR an.group_id = ANY($3::int4[]))
      ORDER BY (a.status <> 'resolved') DESC, a.severity DESC, a.raised_at, a.id`,
    [from, to, groupIds],
  );
  const { rows: metrics } = await db.query<Metric>('SELECT id, name, unit FROM metrics ORDER BY id');
  // The whole herd's figures include animals outside any assigned group: a report restricted to groups leaves them out.
  const { rows: herdDays } =
    groupIds === null
      ? await db.query<DailyRow>(
          `SELECT metric_id, NULL::int AS group_id, day::text AS day, animals, n, mean FROM herd_readings_daily
            WHERE day BETWEEN $1::date AND $2::date ORDER BY metric_id, day`,
          [ctx.firstDay, ctx.lastDay],
        )
      : { rows: [] as DailyRow[] };
  const { rows: groupDays } = await db.query<DailyRow>(
    `SELECT metric_id, group_id, day::text AS day, animals, n, mean FROM group_readings_daily
      WHERE day BETWEEN $1::date AND $2::date AND ($3::int4[] IS NULL OR group_id = ANY($3::int4[]))
      ORDER BY metric_id, group_id, day`,
    [ctx.firstDay, ctx.lastDay, groupIds],
  );

  return {
    title: 'Herd health summary',
    draw(doc) {
      const animals = herdCounts.reduce((s, r) => s + r.count, 0);
      const byStatus = herdCounts.map((r) => `${r.count} ${r.status}`).join(', ');
      const openNow = attention.filter((a) => a.status !== 'resolved').length;
      const raised = types.reduce((s, t) => s + t.raised, 0);
      const stillOpen = types.reduce((s, t) => s + t.open, 0);
      doc.titleBlock('Herd health summary', titleLines(ctx, [['Animals', animals ? `${animals} (${byStatus})` : 'none']]));
      doc.paragraph(
        `${raised} alerts were raised in the period, ${stillOpen} of them still open; ${openNow} animal alerts are open now in all. ` +
          `Daily figures are the farm's local days (${ctx.farm.timeZone}) from ${shortDate(ctx.firstDay)} to ${shortDate(ctx.lastDay)}.`,
      );
      drawAlertTypes(doc, types);
      drawAttention(doc, ctx, attention);
      drawTrends(doc, ctx, metrics, herdDays, groupDays);
    },
  };
}

function drawAlertTypes(doc: ReportDocument, types: AlertType[]): void {
  doc.heading('Alerts by type', 80);
  if (!types.length) {
    doc.paragraph('No alerts were raised in this period.', { muted: true });
    return;
  }
  const total = types.reduce((t, r) => ({ ...t, raised: t.raised + r.raised, urgent: t.urgent + r.urgent, open: t.open + r.open }), {
    category: '',
    cause: 'Total',
    raised: 0,
    urgent: 0,
    open: 0,
  });
  const columns: Column<AlertType>[] = [
    { title: 'Alert', width: 3, value: (r) => (r === total ? 'Total' : causeLabel(r.cause)) },
    { title: 'ICAR cause', width: 2.4, value: (r) => (r === total ? '' : r.cause) },
    { title: 'Category', width: 1.8, value: (r) => r.category },
    { title: 'Raised', width: 1.2, value: (r) => String(r.raised), align: 'right' },
    { title: 'Urgent', width: 1.2, value: (r) => String(r.urgent), align: 'right' },
    { title: 'Open now', width: 1.3, value: (r) => String(r.open), align: 'right' },
  ];
  doc.table(columns, [...types, total], { bold: (r) => r === total });
  const height = 160;
  doc.svg(
    barChart({ width: doc.width, height, categories: types.map((t) => causeLabel(t.cause)), values: types.map((t) => t.raised), valueName: 'alerts raised' }),
    doc.width,
    height,
  );
}

function drawAttention(doc: ReportDocument, ctx: ReportContext, rows: AttentionRow[]): void {
  doc.heading('Animals needing attention', 60);
  if (!rows.length) {
    doc.paragraph('No animal had an alert in this period, and none is open.', { muted: true });
    return;
  }
  const animals = new Set(rows.map((r) => `${r.tag}/${r.official_id}`)).size;
  doc.paragraph(`${animals} animals with ${rows.length} alerts: open alerts first (most urgent first), then the resolved ones of the period.`, { muted: true });
  const status = (r: AttentionRow) =>
    r.status === 'resolved' ? `resolved ${r.resolved_at ? ctx.clock.dateTime(r.resolved_at) : ''}` : r.status === 'acknowledged' ? 'acknowledged' : 'open';
  doc.table<AttentionRow>(
    [
      { title: 'Tag', width: 0.8, value: (r) => r.tag ?? '-' },
      { title: 'Official ID', width: 1.9, value: (r) => r.official_id ?? '-' },
      { title: 'Name', width: 1.3, value: (r) => r.name ?? '' },
      { title: 'Group', width: 1.3, value: (r) => r.group_name ?? '-' },
      { title: 'Alert', width: 2.1, value: (r) => `${causeLabel(r.cause)}, ${severityLabel(r.severity).toLowerCase()}` },
      { title: 'Onset', width: 2.2, value: (r) => ctx.clock.dateTime(r.onset) },
      { title: 'Status', width: 2.2, value: status },
      { title: 'Reason', width: 3.6, value: (r) => r.reason },
    ],
    rows,
    { size: 7.5 },
  );
}

function drawTrends(doc: ReportDocument, ctx: ReportContext, metrics: Metric[], herdDays: DailyRow[], groupDays: DailyRow[]): void {
  doc.newPage();
  doc.heading('Herd and group trends', 40);
  doc.paragraph(
    (ctx.input.groupIds === null ? 'Daily mean of every metric measured: the herd as a bold black line, one line per group. ' : 'Daily mean of every metric measured, one line per group (whole-herd figures include animals outside these groups and are left out). ') +
      `Days are the farm's local days (${ctx.farm.timeZone}).`,
    { muted: true },
  );
  const axis = dayAxis(ctx.firstDay, ctx.lastDay);
  const dayIndex = new Map(axis.keys.map((d, i) => [d, i]));
  const groupName = new Map(ctx.groups.map((g) => [g.id, g.name]));
  let drawn = 0;
  for (const metric of metrics) {
    const herd = herdDays.filter((r) => r.metric_id === metric.id);
    const groups = groupDays.filter((r) => r.metric_id === metric.id);
    if (!herd.length && !groups.length) continue;
    drawn++;
    const unit = metricUnit(metric.unit, ctx.farm.units);
    const lines: { name: string; rows: DailyRow[]; bold: boolean }[] = [];
    if (herd.length) lines.push({ name: 'Herd', rows: herd, bold: true });
    const groupIds = [...new Set(groups.map((r) => r.group_id!))].sort((a, b) => (groupName.get(a) ?? '').localeCompare(groupName.get(b) ?? '', 'en', { numeric: true }) || a - b);
    for (const id of groupIds) lines.push({ name: groupName.get(id) ?? `group ${id}`, rows: groups.filter((r) => r.group_id === id), bold: false });
    const values = lines.map((l) => {
      const data: (number | null)[] = axis.keys.map(() => null);
      for (const r of l.rows) {
        const i = dayIndex.get(r.day);
        if (i !== undefined) data[i] = unit.convert(r.mean);
      }
      return data;
    });

    doc.subheading(`${metric.name} (${unit.unit})`, 200);
    const height = 185;
    doc.svg(
      lineChart({
        width: doc.width,
        height,
        categories: axis.keys,
        label: axis.label,
        labelled: axis.labelled,
        series: lines.map((l, i) => ({ name: l.name, data: values[i]!, bold: l.bold })),
        legend: true,
      }),
      doc.width,
      height,
    );
    // The period's figures per line: mean weighted by readings, and the lowest and highest daily mean.
    doc.table(
      [
        { title: 'Daily means', width: 2.2, value: (l: (typeof lines)[number]) => l.name },
        { title: 'Days', width: 1, value: (l) => String(l.rows.length), align: 'right' },
        { title: 'Animals (most in a day)', width: 1.8, value: (l) => String(Math.max(...l.rows.map((r) => r.animals))), align: 'right' },
        { title: 'Readings', width: 1.4, value: (l) => String(l.rows.reduce((s, r) => s + r.n, 0)), align: 'right' },
        {
          title: `Period mean (${unit.unit})`,
          width: 1.7,
          value: (l) => figure(unit.convert(l.rows.reduce((s, r) => s + r.mean * r.n, 0) / l.rows.reduce((s, r) => s + r.n, 0)), unit.decimals),
          align: 'right',
        },
        { title: 'Lowest daily mean', width: 1.7, value: (l) => figure(unit.convert(Math.min(...l.rows.map((r) => r.mean))), unit.decimals), align: 'right' },
        { title: 'Highest daily mean', width: 1.7, value: (l) => figure(unit.convert(Math.max(...l.rows.map((r) => r.mean))), unit.decimals), align: 'right' },
      ],
      lines,
    );
    if (axis.keys.length <= DAILY_TABLE_DAYS) {
      const rows = axis.keys.map((day, i) => ({ day, values: values.map((v) => v[i]!) })).filter((r) => r.values.some((v) => v !== null));
      doc.table(
        [
          { title: `Day (daily mean, ${unit.unit})`, width: 2, value: (r: (typeof rows)[number]) => r.day },
          ...lines.map((l, j) => ({ title: l.name, width: 1.3, value: (r: (typeof rows)[number]) => figure(r.values[j], unit.decimals), align: 'right' as const })),
        ],
        rows,
        { size: 7.5 },
      );
    }
    doc.gap(6);
  }
  if (!drawn) doc.paragraph('No readings in this period.', { bold: true });
}

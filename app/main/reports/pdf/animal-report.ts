// Animal report: who she is, each metric's course over the period, her alerts and her events.
import type { Database } from '../../../db/index.ts';
import { lineChart } from './charts.ts';
import { ReportInputError, titleLines, type LoadedReport, type ReportContext } from './context.ts';
import { age, causeLabel, figure, metricUnit, NODE_KIND_LABELS, severityLabel } from './format.ts';
import type { ReportDocument } from './layout.ts';
import { dayAxis, hourAxis } from './series.ts';

/** Periods up to this long are charted per hour (readings_hourly), longer ones per day (readings_daily). */
const HOURLY_UP_TO_MS = 31 * 86_400_000;

interface Animal {
  id: number;
  official_id: string | null;
  tag: string | null;
  name: string | null;
  sex: string;
  birth_date: string | null;
  breed: string | null;
  group_id: number | null;
  group_name: string | null;
  status: string;
  unconfirmed: boolean;
  due_date: string | null;
}

interface Bucket {
  metric_id: number;
  /** Epoch ms of the local hour, or the local day 'YYYY-MM-DD'. */
  key: string;
  n: number;
  mean: number;
  min: number;
  max: number;
}

interface AlertRow {
  cause: string;
  severity: number;
  status: string;
  reason: string;
  onset: Date;
  resolved_at: Date | null;
  note: string | null;
}

interface EventRow {
  kind: string;
  ts: Date;
  note: string | null;
  details: Record<string, unknown> | null;
}

export async function loadAnimalReport(db: Database, ctx: ReportContext): Promise<LoadedReport> {
  const { animalId, from, to, groupIds } = ctx.input;
  if (animalId === undefined || animalId === null || !Number.isInteger(animalId)) {
    throw new ReportInputError('the animal report needs an animal: give its id (animalId)');
  }
  const { rows: found } = await db.query<Animal>(
    `SELECT a.id, a.official_id, a.tag, a.name, a.sex, a.birth_date::text AS birth_date, a.breed, a.group_id, g.name AS group_name,
            a.status, a.unconfirmed, a.due_date::text AS due_date
       FROM animals a LEFT JOIN groups g ON g.id = a.group_id WHERE a.id = $1`,
    [animalId],
  );
  const animal = found[0];
  if (!animal) throw new ReportInputError(`there is no animal with id ${animalId}: it may have been deleted`);
  if (groupIds !== null && (animal.group_id === null || !groupIds.includes(animal.group_id))) {
    throw new ReportInputError(`animal ${animal.tag ?? animal.official_id ?? animalId} is not in the groups this report may show`);
  }
  const hourly = to.getTime() - from.getTime() <= HOURLY_UP_TO_MS;
  const { rows: buckets } = hourly
    ? await db.query<Bucket>(
        `SELECT metric_id, (extract(epoch FROM hour) * 1000)::bigint::text AS key, n, mean, min, max FROM readings_hourly
          WHERE animal_id = $1 AND hour >= $2 AND hour < $3 ORDER BY metric_id, hour`,
        [animalId, from, to],
      )
    : await db.query<Bucket>(
        `SELECT metric_id, day::text AS key, n, mean, min, max FROM readings_daily
          WHERE animal_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY metric_id, day`,
        [animalId, ctx.firstDay, ctx.lastDay],
      );
  const { rows: metrics } = await db.query<{ id: number; name: string; unit: string }>('SELECT id, name, unit FROM metrics ORDER BY id');
  const { rows: alerts } = await db.query<AlertRow>(
    `SELECT cause, severity, status, reason, onset, resolved_at, note FROM alerts
      WHERE animal_id = $1 AND onset < $3 AND (resolved_at IS NULL OR resolved_at >= $2)
      ORDER BY onset, id`,
    [animalId, from, to],
  );
  const { rows: events } = await db.query<EventRow>(
    'SELECT kind, ts, note, details FROM events WHERE animal_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts, id',
    [animalId, from, to],
  );
  const { rows: nodes } = await db.query<{ name: string; kind: string }>('SELECT name, kind FROM nodes WHERE animal_id = $1 AND revoked_at IS NULL ORDER BY name', [animalId]);
  // The first local hour of the period, so the hourly axis starts where the farm's hours start.
  const { rows: start } = await db.query<{ ms: string }>(`SELECT (extract(epoch FROM office.local_hour($1::timestamptz, $2)) * 1000)::bigint::text AS ms`, [
    from,
    ctx.farm.timeZone,
  ]);
  const firstHour = Number(start[0]?.ms ?? from.getTime());

  const who = animal.tag ?? animal.official_id ?? `#${animal.id}`;
  return {
    title: `Animal report ${who}`,
    draw(doc) {
      doc.titleBlock(`Animal report: ${who}${animal.name ? ` (${animal.name})` : ''}`, titleLines(ctx));
      drawIdentity(doc, ctx, animal, nodes);
      drawMetrics(doc, ctx, metrics, buckets, hourly, firstHour);
      drawAlerts(doc, ctx, alerts);
      drawEvents(doc, ctx, events);
    },
  };
}

function drawIdentity(doc: ReportDocument, ctx: ReportContext, a: Animal, nodes: { name: string; kind: string }[]): void {
  doc.heading('Identity', 80);
  const today = ctx.farmClock.date(ctx.generatedAt);
  const dueIn = a.due_date ? Math.round((Date.parse(a.due_date) - Date.parse(today)) / 86_400_000) : null;
  doc.facts([
    ['Official ID', a.official_id ?? '-'],
    ['Tag', a.tag ?? '-'],
    ['Name', a.name ?? '-'],
    ['Group', a.group_name ?? 'no group'],
    ['Sex', a.sex],
    ['Breed', a.breed ?? '-'],
    ['Birth date', a.birth_date ? `${a.birth_date} (age ${age(a.birth_date, today)})` : '-'],
    ['Status', a.status + (a.unconfirmed ? ' (unconfirmed: created by a node)' : '')],
    ['Due date', a.due_date ? `${a.due_date}${dueIn === null ? '' : dueIn >= 0 ? ` (in ${dueIn} d)` : ` (${-dueIn} d ago)`}` : '-'],
    ['Nodes fitted', nodes.length ? nodes.map((n) => `${n.name} (${NODE_KIND_LABELS[n.kind] ?? n.kind})`).join(', ') : 'none'],
  ]);
}

function drawMetrics(
  doc: ReportDocument,
  ctx: ReportContext,
  metrics: { id: number; name: string; unit: string }[],
  buckets: Bucket[],
  hourly: boolean,
  firstHour: number,
): void {
  doc.heading('Readings', 60);
  const withData = metrics.filter((m) => buckets.some((b) => b.metric_id === m.id));
  if (!withData.length) {
    doc.paragraph('No readings in this period.', { bold: true });
    return;
  }
  doc.paragraph(
    hourly
      ? `The period's figures per metric, then the hourly mean of each metric with readings, the band showing each hour's lowest and highest reading. Times on the ${ctx.input.timeZone} clock.`
      : `The period's figures per metric, then the daily mean of each metric with readings, the band showing each day's lowest and highest reading. Days are the farm's local days (${ctx.farm.timeZone}).`,
    { muted: true },
  );
  const axis = hourly
    ? hourAxis(
        firstHour,
        ctx.input.to.getTime(),
        buckets.map((b) => Number(b.key)),
        ctx.clock,
      )
    : dayAxis(ctx.firstDay, ctx.lastDay);
  const index = new Map(axis.keys.map((k, i) => [k, i]));
  const summary: { metric: string; unit: string; decimals: number | undefined; n: number; mean: number; min: number; max: number }[] = [];
  const series = withData.map((metric) => {
    const unit = metricUnit(metric.unit, ctx.farm.units);
    const rows = buckets.filter((b) => b.metric_id === metric.id);
    const mean: (number | null)[] = axis.keys.map(() => null);
    const lower = [...mean];
    const upper = [...mean];
    for (const r of rows) {
      const i = index.get(r.key);
      if (i === undefined) continue;
      mean[i] = unit.convert(r.mean);
      lower[i] = unit.convert(r.min);
      upper[i] = unit.convert(r.max);
    }
    const n = rows.reduce((s, r) => s + r.n, 0);
    summary.push({
      metric: metric.name,
      unit: unit.unit,
      decimals: unit.decimals,
      n,
      mean: unit.convert(rows.reduce((s, r) => s + r.mean * r.n, 0) / n),
      min: unit.convert(Math.min(...rows.map((r) => r.min))),
      max: unit.convert(Math.max(...rows.map((r) => r.max))),
    });
    return { metric, unit, mean, lower, upper };
  });
  doc.table(
    [
      { title: 'Metric', width: 3, value: (r: (typeof summary)[number]) => r.metric },
      { title: 'Unit', width: 1.2, value: (r) => r.unit },
      { title: 'Readings', width: 1.4, value: (r) => String(r.n), align: 'right' },
      { title: 'Mean', width: 1.4, value: (r) => figure(r.mean, r.decimals), align: 'right' },
      { title: 'Lowest', width: 1.4, value: (r) => figure(r.min, r.decimals), align: 'right' },
      { title: 'Highest', width: 1.4, value: (r) => figure(r.max, r.decimals), align: 'right' },
    ],
    summary,
  );
  const without = metrics.filter((m) => !withData.includes(m));
  if (without.length) doc.paragraph(`No readings in this period of: ${without.map((m) => m.name).join(', ')}.`, { muted: true });
  for (const { metric, unit, mean, lower, upper } of series) {
    doc.subheading(`${metric.name} (${unit.unit})`, 170);
    const height = 165;
    doc.svg(
      lineChart({
        width: doc.width,
        height,
        categories: axis.keys,
        label: axis.label,
        labelled: axis.labelled,
        series: [{ name: hourly ? 'hourly mean' : 'daily mean', data: mean }],
        band: { lower, upper, name: 'lowest - highest' },
        legend: true,
      }),
      doc.width,
      height,
    );
  }
}

function drawAlerts(doc: ReportDocument, ctx: ReportContext, alerts: AlertRow[]): void {
  doc.heading('Alerts', 50);
  if (!alerts.length) {
    doc.paragraph('No alert was active in this period.', { muted: true });
    return;
  }
  doc.table(
    [
      { title: 'Onset', width: 1.7, value: (r: AlertRow) => ctx.clock.dateTime(r.onset) },
      { title: 'Alert', width: 2, value: (r) => `${causeLabel(r.cause)} (${r.cause})` },
      { title: 'Severity', width: 1.1, value: (r) => severityLabel(r.severity) },
      { title: 'Status', width: 1.3, value: (r) => r.status },
      { title: 'Resolved', width: 1.7, value: (r) => (r.resolved_at ? ctx.clock.dateTime(r.resolved_at) : '-') },
      { title: 'Reason', width: 4.2, value: (r) => r.reason + (r.note ? `\nNote: ${r.note}` : '') },
    ],
    alerts,
    { size: 8 },
  );
}

function detailsText(details: Record<string, unknown> | null): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}

function drawEvents(doc: ReportDocument, ctx: ReportContext, events: EventRow[]): void {
  doc.heading('Events', 50);
  if (!events.length) {
    doc.paragraph('No events were recorded in this period.', { muted: true });
    return;
  }
  doc.table(
    [
      { title: 'Time', width: 1.7, value: (r: EventRow) => ctx.clock.dateTime(r.ts) },
      { title: 'Event', width: 1.4, value: (r) => r.kind },
      { title: 'Note', width: 4, value: (r) => r.note ?? '' },
      { title: 'Details', width: 3.5, value: (r) => detailsText(r.details) },
    ],
    events,
    { size: 8 },
  );
}

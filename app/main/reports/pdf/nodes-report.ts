// Node health report: per node its kind, where it is fitted, when it was last heard, its battery, and its uptime
// and silent periods over the period from the ingest listener's request log.
import type { Database } from '../../../db/index.ts';
import { checkValue, SILENT_NODE } from '../../../shared/alert-rules.ts';
import { barChart } from './charts.ts';
import { titleLines, type LoadedReport, type ReportContext } from './context.ts';
import { duration, NODE_KIND_LABELS } from './format.ts';
import type { ReportDocument } from './layout.ts';
import { uptimeOf, type Uptime } from './uptime.ts';

/** The office deletes node_requests rows older than this (app/main/office/maintenance.ts). */
const REQUEST_LOG_DAYS = 30;
const DAY = 86_400_000;
/** Nodes per bar chart: more would make the bars too thin to read. */
const NODES_PER_CHART = 20;

interface NodeRow {
  id: number;
  name: string;
  kind: string;
  created_at: Date;
  revoked_at: Date | null;
  last_seen_at: Date | null;
  battery_percent: number | null;
  battery_volts: number | null;
  status_at: Date | null;
  firmware: string | null;
  tag: string | null;
  official_id: string | null;
  animal_name: string | null;
  animal_group: string | null;
  pen: string | null;
  metric: string | null;
}

interface NodeHealth {
  node: NodeRow;
  /** undefined: the node did not exist, or was revoked, during the measurable part of the period. */
  window?: { start: number; end: number };
  posts: number;
  uptime?: Uptime;
  medianIntervalMs?: number | undefined;
  battery: { at: Date; percent: number | null; volts: number | null; source: string }[];
}

export async function loadNodesReport(db: Database, ctx: ReportContext): Promise<LoadedReport> {
  const { from, to, groupIds } = ctx.input;
  const now = ctx.generatedAt.getTime();
  const { rows: nodes } = await db.query<NodeRow>(
    `SELECT n.id, n.name, n.kind, n.created_at, n.revoked_at, n.last_seen_at, n.battery_percent, n.battery_volts, n.status_at, n.firmware,
            a.tag, a.official_id, a.name AS animal_name, ag.name AS animal_group, p.name AS pen, m.name AS metric
       FROM nodes n
       LEFT JOIN animals a ON a.id = n.animal_id LEFT JOIN groups ag ON ag.id = a.group_id
       LEFT JOIN groups p ON p.id = n.group_id LEFT JOIN metrics m ON m.id = n.metric_id
      WHERE n.created_at < $2 AND (n.revoked_at IS NULL OR n.revoked_at > $1)
        AND ($3::int4[] IS NULL OR a.group_id = ANY($3::int4[]) OR n.group_id = ANY($3::int4[]))
      ORDER BY n.name, n.id`,
    [from, to, groupIds],
  );
  // "Collar 2" before "Collar 10".
  nodes.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.id - b.id);
  const params = await silentNodeParameters(db);
  // The request log covers the last 30 days and nothing after now: the measured window is the period within it,
  // and within the node's life (created, not yet revoked).
  const logStart = now - REQUEST_LOG_DAYS * DAY;
  const health: NodeHealth[] = nodes.map((node) => {
    const start = Math.max(from.getTime(), node.created_at.getTime(), logStart);
    const end = Math.min(to.getTime(), now, node.revoked_at?.getTime() ?? Infinity);
    return { node, posts: 0, battery: [], ...(end > start ? { window: { start, end } } : {}) };
  });
  const measured = health.filter((h) => h.window);
  if (measured.length) {
    const ids = measured.map((h) => h.node.id);
    const starts = measured.map((h) => new Date(h.window!.start));
    const ends = measured.map((h) => new Date(h.window!.end));
    const win = `unnest($1::int4[], $2::timestamptz[], $3::timestamptz[]) AS w(id, start, stop)`;
    // Per node: its posts in the window, the median gap between them, and the posts just outside it.
    const { rows: stats } = await db.query<{ id: number; posts: number; first: Date | null; last: Date | null; median_ms: number | null; before: Date | null; after: Date | null }>(
      `SELECT w.id, s.posts, s.first, s.last, s.median_ms,
              (SELECT max(r.ts) FROM node_requests r WHERE r.node_id = w.id AND r.ts < w.start) AS before,
              (SELECT min(r.ts) FROM node_requests r WHERE r.node_id = w.id AND r.ts >= w.stop) AS after
         FROM ${win}
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS posts, min(ts) AS first, max(ts) AS last,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY gap_ms) FILTER (WHERE gap_ms > 0) AS median_ms
             FROM (SELECT ts, extract(epoch FROM ts - lag(ts) OVER (ORDER BY ts)) * 1000 AS gap_ms
                     FROM node_requests r WHERE r.node_id = w.id AND r.ts >= w.start AND r.ts < w.stop) g) s`,
      [ids, starts, ends],
    );
    // Only gaps of at least the shortest possible threshold can be silent: the rest never leave the database.
    const { rows: gaps } = await db.query<{ id: number; a: Date; b: Date }>(
      `SELECT id, prev AS a, ts AS b FROM (
         SELECT w.id, r.ts, lag(r.ts) OVER (PARTITION BY w.id ORDER BY r.ts) AS prev
           FROM ${win} JOIN node_requests r ON r.node_id = w.id AND r.ts >= w.start AND r.ts < w.stop) g
        WHERE prev IS NOT NULL AND ts - prev > make_interval(mins => $4::int)
        ORDER BY id, ts`,
      [ids, starts, ends, Math.floor(params.minSilentMinutes)],
    );
    for (const h of measured) {
      const s = stats.find((r) => r.id === h.node.id);
      h.posts = s?.posts ?? 0;
      h.medianIntervalMs = s?.median_ms ?? undefined;
      h.uptime = uptimeOf(
        {
          start: h.window!.start,
          end: h.window!.end,
          first: s?.first?.getTime(),
          last: s?.last?.getTime(),
          before: s?.before?.getTime(),
          after: s?.after?.getTime(),
          gaps: gaps.filter((g) => g.id === h.node.id).map((g) => [g.a.getTime(), g.b.getTime()] as const),
          medianIntervalMs: h.medianIntervalMs,
        },
        params,
      );
    }
  }
  // No battery history is stored: what exists is the level each low-battery alert recorded at its onset, and the
  // node's latest level.
  const { rows: batteryAlerts } = await db.query<{ node_id: number; onset: Date; details: Record<string, unknown> }>(
    `SELECT node_id, onset, details FROM alerts WHERE cause = 'LowBattery' AND node_id = ANY($1::int4[]) AND onset >= $2 AND onset < $3 ORDER BY onset`,
    [nodes.map((n) => n.id), from, to],
  );
  for (const h of health) {
    for (const a of batteryAlerts.filter((b) => b.node_id === h.node.id)) {
      const percent = typeof a.details.battery_percent === 'number' ? a.details.battery_percent : null;
      const volts = typeof a.details.battery_volts === 'number' ? a.details.battery_volts : null;
      if (percent !== null || volts !== null) h.battery.push({ at: a.onset, percent, volts, source: 'low-battery alert' });
    }
    const n = h.node;
    if (n.battery_percent !== null || n.battery_volts !== null) {
      h.battery.push({ at: n.status_at ?? n.last_seen_at ?? ctx.generatedAt, percent: n.battery_percent, volts: n.battery_volts, source: 'latest status' });
    }
  }

  return {
    title: 'Node health report',
    draw(doc) {
      doc.titleBlock('Node health report', titleLines(ctx, [['Nodes', String(nodes.length)]]));
      if (!nodes.length) {
        doc.paragraph(groupIds === null ? 'The farm has no nodes that existed in this period.' : 'No node is fitted to an animal of these groups or stands in one of their pens.', { bold: true });
        return;
      }
      if (from.getTime() < logStart) {
        doc.paragraph(
          `The office keeps its request log ${REQUEST_LOG_DAYS} days: uptime is measured from ${ctx.clock.dateTime(logStart)}, not from the period's start.`,
          { muted: true },
        );
      }
      doc.paragraph(
        `A silent period is a gap between two of a node's posts longer than ${params.intervalFactor} times its median interval in the period, and at least ${params.minSilentMinutes} min ` +
          `(the silent-node alert's settings). Uptime = 1 - silent time / the measured period (the period up to now, while the node existed).`,
        { muted: true },
      );
      drawSummary(doc, ctx, health);
      drawCharts(doc, health);
      drawNodes(doc, ctx, health);
    },
  };
}

/** The silent-node rule's factor and minimum as the farm set them (the defaults where unset or unusable). */
async function silentNodeParameters(db: Database): Promise<{ intervalFactor: number; minSilentMinutes: number }> {
  const { rows } = await db.query<{ parameters: Record<string, unknown> }>(`SELECT parameters FROM alert_rules WHERE key = 'silent_node'`);
  const stored = rows[0]?.parameters ?? {};
  const pick = (key: 'intervalFactor' | 'minSilentMinutes') => {
    const spec = SILENT_NODE.parameters[key];
    return stored[key] !== undefined && checkValue(spec, stored[key]) === undefined ? (stored[key] as number) : (spec.default as number);
  };
  return { intervalFactor: pick('intervalFactor'), minSilentMinutes: pick('minSilentMinutes') };
}

function assignment(n: NodeRow): string {
  if (n.tag || n.official_id) return `${n.tag ?? n.official_id}${n.animal_name ? ` (${n.animal_name})` : ''}${n.animal_group ? `, ${n.animal_group}` : ''}`;
  if (n.pen) return `pen ${n.pen}`;
  return '-';
}

function battery(n: { percent: number | null; volts: number | null } | undefined): string {
  if (!n || (n.percent === null && n.volts === null)) return '-';
  return [n.percent !== null ? `${Math.round(n.percent)} %` : '', n.volts !== null ? `${n.volts.toFixed(2)} V` : ''].filter(Boolean).join(', ');
}

const uptimeText = (h: NodeHealth) => (h.uptime ? `${(h.uptime.uptime * 100).toFixed(1)} %` : 'n/a');

function drawSummary(doc: ReportDocument, ctx: ReportContext, health: NodeHealth[]): void {
  doc.heading('Nodes at a glance', 60);
  doc.table(
    [
      { title: 'Node', width: 1.8, value: (h: NodeHealth) => h.node.name + (h.node.revoked_at ? ' (revoked)' : '') },
      { title: 'Kind', width: 1.3, value: (h) => NODE_KIND_LABELS[h.node.kind] ?? h.node.kind },
      { title: 'Fitted to / stands in', width: 2.3, value: (h) => assignment(h.node) },
      { title: 'Last seen', width: 1.7, value: (h) => (h.node.last_seen_at ? ctx.clock.dateTime(h.node.last_seen_at) : 'never') },
      { title: 'Battery now', width: 1.4, value: (h) => battery({ percent: h.node.battery_percent, volts: h.node.battery_volts }) },
      { title: 'Posts', width: 0.9, value: (h) => String(h.posts), align: 'right' },
      { title: 'Uptime', width: 1, value: uptimeText, align: 'right' },
      { title: 'Silent periods', width: 1.6, value: (h) => (h.uptime ? (h.uptime.periods.length ? `${h.uptime.periods.length}, ${duration(h.uptime.silentMs)}` : 'none') : 'n/a') },
    ],
    health,
    { size: 8 },
  );
}

const chartHeight = (nodes: number) => Math.max(100, 50 + nodes * 18);

function drawCharts(doc: ReportDocument, health: NodeHealth[]): void {
  doc.heading('Uptime and battery', 60 + chartHeight(Math.min(health.length, NODES_PER_CHART)));
  doc.paragraph(
    'Battery history is not stored: the office keeps only the latest level each node reported (and the level a low-battery alert recorded at its onset), ' +
      'so no battery trend over the period can be drawn. The chart shows every node\'s latest level; each node\'s section lists the levels that are known.',
    { muted: true },
  );
  for (let i = 0; i < health.length; i += NODES_PER_CHART) {
    const chunk = health.slice(i, i + NODES_PER_CHART);
    const height = chartHeight(chunk.length);
    const half = (doc.width - 10) / 2;
    doc.ensureSpace(height + 8);
    const y = doc.y;
    const uptime = barChart({
      width: half,
      height,
      horizontal: true,
      categories: chunk.map((h) => h.node.name),
      values: chunk.map((h) => (h.uptime ? Math.round(h.uptime.uptime * 1000) / 10 : null)),
      colors: chunk.map((h) => (!h.uptime ? '#c9d1db' : h.uptime.uptime < 0.95 ? '#c0392b' : '#3f9142')),
      title: 'Uptime in the period (%)',
      max: 100,
    });
    const batteries = barChart({
      width: half,
      height,
      horizontal: true,
      categories: chunk.map((h) => h.node.name),
      values: chunk.map((h) => (h.node.battery_percent === null ? null : Math.round(h.node.battery_percent))),
      colors: chunk.map((h) => (h.node.battery_percent === null ? '#c9d1db' : h.node.battery_percent < 20 ? '#c0392b' : '#2f6fb3')),
      title: 'Battery now (%)',
      max: 100,
    });
    doc.svgAt(uptime, doc.left, y, half, height);
    doc.svgAt(batteries, doc.left + half + 10, y, half, height);
    doc.doc.y = y + height + 6;
  }
}

function drawNodes(doc: ReportDocument, ctx: ReportContext, health: NodeHealth[]): void {
  doc.heading('Node by node', 80);
  for (const h of health) {
    const n = h.node;
    const kind = NODE_KIND_LABELS[n.kind] ?? n.kind;
    doc.subheading(n.name.toLowerCase() === kind.toLowerCase() ? n.name : `${n.name} (${kind})`, 60);
    const u = h.uptime;
    doc.facts([
      ['Fitted to', assignment(n)],
      ['Measures', n.metric ?? '-'],
      ['Last seen', n.last_seen_at ? ctx.clock.dateTime(n.last_seen_at) : 'never'],
      ['Battery now', battery({ percent: n.battery_percent, volts: n.battery_volts }) + (n.status_at ? ` (${ctx.clock.dateTime(n.status_at)})` : '')],
      ['Measured', h.window ? `${ctx.clock.dateTime(h.window.start)} to ${ctx.clock.dateTime(h.window.end)}` : 'not in the period'],
      ['Uptime', u ? `${uptimeText(h)} (${h.posts} posts; usual interval ${h.medianIntervalMs ? duration(h.medianIntervalMs) : 'unknown'}; silent after ${duration(u.thresholdMs)})` : 'n/a'],
      ['Firmware', n.firmware ?? '-'],
      ['Revoked', n.revoked_at ? ctx.clock.dateTime(n.revoked_at) : '-'],
    ]);
    if (u?.periods.length) {
      doc.table(
        [
          { title: 'Silent from', width: 2, value: (p: (typeof u.periods)[number]) => ctx.clock.dateTime(p.from) },
          { title: 'Until', width: 2, value: (p) => (p.ongoing ? `${ctx.clock.dateTime(p.to)} (no post since)` : ctx.clock.dateTime(p.to)) },
          { title: 'Duration', width: 1.5, value: (p) => duration(p.to - p.from), align: 'right' },
        ],
        u.periods,
        { size: 8 },
      );
    } else if (u) doc.paragraph('No silent periods.', { muted: true, size: 8.5 });
    if (h.battery.length > 1) {
      doc.table(
        [
          { title: 'Battery known at', width: 2, value: (b: (typeof h.battery)[number]) => ctx.clock.dateTime(b.at) },
          { title: 'Level', width: 1.5, value: (b) => battery(b), align: 'right' },
          { title: 'From', width: 2, value: (b) => b.source },
        ],
        h.battery,
        { size: 8 },
      );
    }
    doc.gap(4);
  }
}

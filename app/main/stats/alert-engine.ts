// The alert engine: runs the rules (app/main/stats/rules/) over the rollups of the animals and pens whose data
// changed, and keeps the alerts table in step: a new episode raises an alert, an ongoing one updates its
// numbers, one that has cleared is resolved at the data time it cleared. Everything is judged on the readings'
// own time stamps, so a 45-day replay, a node flushing a day of buffered readings, and living through those
// days all end with the same alerts, with the same onsets and raised_at.
import { Mutex } from '../../db/mutex.ts';
import type { Database, Queryable } from '../../db/index.ts';
import type { Logger } from '../log.ts';
import { loadHourlySeries, storeBaselines, type BaselineSpec, type HourlyPoint } from './baselines.ts';
import { DAY, HOUR, farmClock, type FarmClock } from './farm-clock.ts';
import { reconcile, type AlertChange, type StoredAlert } from './reconcile.ts';
import { CALVING, evaluateCalving, expectedCalving } from './rules/calving.ts';
import { hourlyMean, type RuleDefinition } from './rules/definition.ts';
import { FEVER, evaluateFever } from './rules/fever.ts';
import { HEALTH, evaluateHealth } from './rules/health.ts';
import { HEAT, evaluateHeat } from './rules/heat.ts';
import { HEAT_STRESS, evaluateHeatStress } from './rules/heat-stress.ts';
import { LOW_BATTERY, SILENT_NODE, batteryState, evaluateSilentNode, silentGaps, usualInterval, type SilentNodeParameters } from './rules/node-health.ts';
import { resolveParameters, type ParameterSpecs, type Parameters } from './rules/parameters.ts';
import { temperatureLevel } from './rules/temperature.ts';
import type { AnimalContext, AnimalSeries, CalvingContext, Condition, RuleResult } from './rules/types.ts';

/** Every rule the engine runs, as alert_rules knows them. */
export const RULES: readonly RuleDefinition[] = [HEAT, HEALTH, FEVER, CALVING, HEAT_STRESS, SILENT_NODE, LOW_BATTERY];

/** Animals evaluated per round trip: their hourly series fit comfortably in memory together. */
const CHUNK = 50;

const ANIMAL_METRICS = ['temperature', 'activity', 'rumination', 'eating'] as const;

export interface EvaluateScope {
  animalIds?: readonly number[];
  groupIds?: readonly number[];
  /** The earliest data time that changed; undefined re-evaluates all the data. */
  from?: Date;
  /**
   * Also rewrite the evaluated animals' rows in `baselines` (default true). The rules compute their own
   * baselines; the table is for people and the dashboard, so the office stores it less often (storeBaselines).
   */
  storeBaselines?: boolean;
}

export interface AlertCounts {
  raised: number;
  resolved: number;
}

interface Settings {
  clock: FarmClock;
  metricIds: Map<string, number>;
  dailyRhythm: Map<string, boolean>;
  params: Map<string, ResolvedParameters>;
}

type ResolvedParameters = Record<string, number | null>;

interface AnimalRule {
  def: RuleDefinition;
  evaluate(series: AnimalSeries, ctx: AnimalContext, p: ResolvedParameters): RuleResult;
}

/** One table of differently-parameterised rules: their parameters come from resolveParameters(def.parameters). */
function animalRule<S extends ParameterSpecs>(def: RuleDefinition<S>, evaluate: (series: AnimalSeries, ctx: AnimalContext, p: Parameters<S>) => RuleResult): AnimalRule {
  return { def, evaluate: (series, ctx, p) => evaluate(series, ctx, p as Parameters<S>) };
}

const ANIMAL_RULES: readonly AnimalRule[] = [
  animalRule(HEAT, evaluateHeat),
  animalRule(HEALTH, evaluateHealth),
  animalRule(FEVER, evaluateFever),
  animalRule(CALVING, evaluateCalving),
];

/** What one rule found for one subject, with the subject's stored alerts of that cause. */
interface RuleWork {
  subject: Subject;
  existing: StoredAlert[];
  result: RuleResult;
}

const ms = (d: Date | string) => new Date(d).getTime();
const iso = (t: number) => new Date(t).toISOString();

export class AlertEngine {
  readonly #db: Database;
  readonly #log: Logger;
  // One evaluation at a time: two overlapping ones would both see "no open alert" and race to insert it.
  readonly #mutex = new Mutex();

  constructor(db: Database, { log }: { log: Logger }) {
    this.#db = db;
    this.#log = log;
  }

  /** Runs the animal and pen rules over the data that changed (see EvaluateScope); all if the scope is empty. */
  evaluate(scope: EvaluateScope = {}): Promise<AlertCounts> {
    return this.#mutex.run(() => this.#evaluate(scope));
  }

  /** Rewrites the animals' rows in `baselines` from their rollups (what evaluate does unless told not to). */
  storeBaselines(animalIds: readonly number[]): Promise<number> {
    return this.#mutex.run(async () => {
      const settings = await this.#settings();
      return this.#db.transaction((tx) => storeBaselines(tx, animalIds, this.#baselineSpecs(settings), settings.clock));
    });
  }

  /**
   * Silent nodes and low batteries, on the office clock `now`: a silence still going on (a node fitted to an
   * animal is judged on its readings, its alert being the one evaluate() writes once they resume), a node
   * without readings on its posts. Run it periodically; evaluate() finds the silences that data has closed.
   */
  checkNodes(now: Date): Promise<AlertCounts> {
    return this.#mutex.run(() => this.#checkNodes(now.getTime()));
  }

  async #settings(): Promise<Settings> {
    const [{ rows: farm }, { rows: metrics }, { rows: stored }] = await Promise.all([
      this.#db.query<{ time_zone: string }>('SELECT time_zone FROM farm_settings WHERE id = 1'),
      this.#db.query<{ id: number; key: string; daily_rhythm: boolean }>('SELECT id, key, daily_rhythm FROM metrics'),
      this.#db.query<{ key: string; enabled: boolean; parameters: unknown }>('SELECT key, enabled, parameters FROM alert_rules'),
    ]);
    let clock: FarmClock;
    try {
      clock = farmClock(farm[0]?.time_zone ?? 'UTC');
    } catch (err) {
      this.#log.warn(`${(err as Error).message}; alert rules use UTC days and hours until it is corrected`);
      clock = farmClock('UTC');
    }
    const params = new Map<string, ResolvedParameters>();
    for (const rule of RULES) {
      const row = stored.find((r) => r.key === rule.key);
      // A rule without a row (deleted by hand) runs with its defaults: deleting is not how a rule is switched off.
      if (row && !row.enabled) continue;
      params.set(rule.key, resolveParameters(rule.key, rule.parameters, row?.parameters, this.#log));
    }
    return {
      clock,
      metricIds: new Map(metrics.map((m) => [m.key, Number(m.id)])),
      dailyRhythm: new Map(metrics.map((m) => [m.key, m.daily_rhythm])),
      params,
    };
  }

  async #evaluate(scope: EvaluateScope): Promise<AlertCounts> {
    const settings = await this.#settings();
    const everything = scope.animalIds === undefined && scope.groupIds === undefined;
    const animalIds = scope.animalIds ?? (everything ? (await this.#db.query<{ id: number }>('SELECT id FROM animals ORDER BY id')).rows.map((r) => r.id) : []);
    const groupIds = scope.groupIds ?? (everything ? (await this.#db.query<{ id: number }>('SELECT id FROM groups ORDER BY id')).rows.map((r) => r.id) : []);
    const from = scope.from ? Math.floor(scope.from.getTime() / HOUR) * HOUR - lookbackHours(settings.params) * HOUR : -Infinity;

    const work: RuleWork[] = [];
    for (let i = 0; i < animalIds.length; i += CHUNK) work.push(...(await this.#animalWork(animalIds.slice(i, i + CHUNK), from, settings)));
    if (groupIds.length && settings.params.has(HEAT_STRESS.key)) work.push(...(await this.#penWork(groupIds, from, settings)));
    if (animalIds.length && settings.params.has(SILENT_NODE.key)) work.push(...(await this.#nodeGapWork(animalIds, from, settings)));

    const baselineSpecs = this.#baselineSpecs(settings);
    return this.#db.transaction(async (tx) => {
      const counts: AlertCounts = { raised: 0, resolved: 0 };
      for (const w of work) {
        for (const change of reconcile(w.existing, w.result)) add(counts, await applyChange(tx, w.subject, change));
      }
      if (scope.storeBaselines !== false) await storeBaselines(tx, animalIds, baselineSpecs, settings.clock);
      if (counts.raised || counts.resolved) this.#log.info('alert rules ran', { animals: animalIds.length, groups: groupIds.length, ...counts });
      return counts;
    });
  }

  /** The rules' work for some animals: their series, context and stored alerts, and what each rule finds. */
  async #animalWork(animalIds: readonly number[], from: number, settings: Settings): Promise<RuleWork[]> {
    const rules = ANIMAL_RULES.filter((r) => settings.params.has(r.def.key));
    if (rules.length === 0) return [];
    const causes = rules.map((r) => r.def.cause);
    const existing = await storedAlerts(this.#db, 'animal_id', animalIds, causes, from);
    // An open alert's whole episode is looked at again, so its onset and numbers come out as when it was raised.
    const startOf = (id: number) => Math.min(from, ...existing.filter((a) => a.subjectId === id && a.status !== 'resolved').map((a) => a.onset));
    const earliest = Math.min(...animalIds.map(startOf));
    const historyDays = Math.max(...rules.map((r) => historyDaysOf(settings.params.get(r.def.key)!)));
    const metricIds = ANIMAL_METRICS.map((k) => settings.metricIds.get(k)).filter((id): id is number => id !== undefined);
    const loadFrom = Number.isFinite(earliest) ? new Date(earliest - historyDays * DAY) : undefined;
    const [series, context] = await Promise.all([
      loadHourlySeries(this.#db, 'readings_hourly', animalIds, metricIds, loadFrom),
      this.#calvingContext(animalIds, settings),
    ]);
    const dailyRhythm = Object.fromEntries(ANIMAL_METRICS.map((k) => [k, settings.dailyRhythm.get(k) ?? true]));
    const out: RuleWork[] = [];
    for (const animalId of animalIds) {
      const byMetric = series.get(animalId);
      if (!byMetric) continue;
      const animalSeries: AnimalSeries = {};
      for (const key of ANIMAL_METRICS) {
        const points = byMetric.get(settings.metricIds.get(key) ?? -1);
        if (points) animalSeries[key] = completeHours(points);
      }
      const calving = context.get(animalId);
      const ctx: AnimalContext = { clock: settings.clock, from: startOf(animalId), dailyRhythm, ...(calving ? { calving } : {}) };
      for (const rule of rules) {
        let result: RuleResult;
        try {
          result = rule.evaluate(animalSeries, ctx, settings.params.get(rule.def.key)!);
        } catch (err) {
          // One rule failing on one cow's data must not keep the other rules and cows from their alerts.
          this.#log.error(`alert rule "${rule.def.key}" failed for animal ${animalId}; her ${rule.def.cause} alerts stay as they were`, { err });
          continue;
        }
        const mine = existing.filter((a) => a.subjectId === animalId && a.cause === rule.def.cause);
        out.push({ subject: { column: 'animal_id', id: animalId }, existing: mine, result });
      }
    }
    return out;
  }

  async #penWork(groupIds: readonly number[], from: number, settings: Settings): Promise<RuleWork[]> {
    const p = settings.params.get(HEAT_STRESS.key) as Parameters<typeof HEAT_STRESS.parameters>;
    const ambient = settings.metricIds.get('ambient_temperature');
    const humidity = settings.metricIds.get('humidity');
    if (ambient === undefined || humidity === undefined) return [];
    const existing = await storedAlerts(this.#db, 'group_id', groupIds, [HEAT_STRESS.cause], from);
    const startOf = (id: number) => Math.min(from, ...existing.filter((a) => a.subjectId === id && a.status !== 'resolved').map((a) => a.onset));
    const earliest = Math.min(...groupIds.map(startOf));
    const series = await loadHourlySeries(this.#db, 'pen_readings_hourly', groupIds, [ambient, humidity], Number.isFinite(earliest) ? new Date(earliest) : undefined);
    return [...series].map(([groupId, byMetric]) => ({
      subject: { column: 'group_id', id: groupId },
      existing: existing.filter((a) => a.subjectId === groupId),
      result: evaluateHeatStress(
        { ambientTemperature: completeHours(byMetric.get(ambient) ?? []), humidity: completeHours(byMetric.get(humidity) ?? []) },
        startOf(groupId),
        p,
      ),
    }));
  }

  /**
   * Silences in the readings of the nodes fitted to these animals: every gap longer than the node's threshold
   * that ends after `from` (the data path; a silence still going on is the office-clock check's, see
   * #checkNodes). An open silent-node alert is resolved at the node's first reading after its onset.
   */
  async #nodeGapWork(animalIds: readonly number[], from: number, settings: Settings): Promise<RuleWork[]> {
    const p = settings.params.get(SILENT_NODE.key) as SilentNodeParameters;
    const nodes = await fittedNodes(this.#db, 'n.animal_id = ANY($1::int[]) AND n.revoked_at IS NULL', [animalIds]);
    if (nodes.length === 0) return [];
    const existing = await storedAlerts(this.#db, 'node_id', nodes.map((n) => n.id), [SILENT_NODE.cause], from);
    const openOf = (id: number) => existing.find((a) => a.subjectId === id && a.status !== 'resolved');
    const startOf = (id: number) => Math.min(from, openOf(id)?.onset ?? Infinity);
    const times = await readingTimes(this.#db, nodes.map((n) => ({ ...n, start: startOf(n.id) })), p.recentPosts);
    return nodes.map((n) => {
      const mine = times.get(n.id) ?? [];
      const open = openOf(n.id);
      const back = open ? mine.find((t) => t > open.onset) : undefined;
      return {
        subject: { column: 'node_id', id: n.id },
        existing: existing.filter((a) => a.subjectId === n.id),
        result: { conditions: silentGaps(mine, p, { from: startOf(n.id) }), ...(back !== undefined ? { clearFrom: back } : {}) },
      };
    });
  }

  /** Each animal's pregnancy: her due date (else last insemination plus the gestation length) and calving. */
  async #calvingContext(animalIds: readonly number[], settings: Settings): Promise<Map<number, CalvingContext | undefined>> {
    const p = settings.params.get(CALVING.key);
    if (!p) return new Map();
    const [{ rows: animals }, { rows: events }] = await Promise.all([
      this.#db.query<{ id: number; due_date: string | null }>('SELECT id, due_date::text AS due_date FROM animals WHERE id = ANY($1::int[])', [animalIds]),
      this.#db.query<{ animal_id: number; kind: string; ts: Date }>(
        `SELECT animal_id, kind, ts FROM events WHERE animal_id = ANY($1::int[]) AND kind IN ('insemination', 'calving')`,
        [animalIds],
      ),
    ]);
    return new Map(
      animals.map((a) => [
        a.id,
        expectedCalving(
          a.due_date,
          events.filter((e) => e.animal_id === a.id).map((e) => ({ kind: e.kind, day: settings.clock.day(ms(e.ts)) })),
          (p as Parameters<typeof CALVING.parameters>).gestationDays,
        ),
      ]),
    );
  }

  /** The baselines table shows what the enabled rules hold each cow against. */
  #baselineSpecs(settings: Settings): BaselineSpec[] {
    const specs: BaselineSpec[] = [];
    const add = (key: string, ruleKey: string, signal: BaselineSpec['signal']) => {
      const p = settings.params.get(ruleKey);
      const metricId = settings.metricIds.get(key);
      if (!p || metricId === undefined) return;
      specs.push({ metricId, byHourOfDay: settings.dailyRhythm.get(key) ?? true, params: { windowDays: p.baselineDays!, minDays: Math.min(p.minDays!, p.baselineDays!) }, signal });
    };
    add('activity', HEAT.key, hourlyMean);
    add('rumination', HEALTH.key, hourlyMean);
    add('eating', HEALTH.key, hourlyMean);
    const fever = settings.params.get(FEVER.key);
    if (fever) add('temperature', FEVER.key, (points) => temperatureLevel(points, fever.dipWindowHours!));
    return specs;
  }

  async #checkNodes(now: number): Promise<AlertCounts> {
    const settings = await this.#settings();
    const silentP = settings.params.get(SILENT_NODE.key) as Parameters<typeof SILENT_NODE.parameters> | undefined;
    const batteryP = settings.params.get(LOW_BATTERY.key) as Parameters<typeof LOW_BATTERY.parameters> | undefined;
    const { rows: nodes } = await this.#db.query<{
      id: number;
      last_seen_at: Date | null;
      revoked_at: Date | null;
      battery_percent: number | null;
      battery_volts: number | null;
      status_at: Date | null;
    }>('SELECT id, last_seen_at, revoked_at, battery_percent, battery_volts, status_at FROM nodes ORDER BY id');
    const nodeIds = nodes.map((n) => n.id);
    const open = await storedAlerts(this.#db, 'node_id', nodeIds, [SILENT_NODE.cause, LOW_BATTERY.cause], Infinity);
    const { rows: posts } = await this.#db.query<{ node_id: number; ts: Date }>(
      `SELECT node_id, ts FROM (
         SELECT node_id, ts, row_number() OVER (PARTITION BY node_id ORDER BY ts DESC) AS k FROM node_requests WHERE node_id = ANY($1::int[])) recent
        WHERE k <= $2`,
      [nodeIds, silentP?.recentPosts ?? 1],
    );
    // Nodes fitted to an animal are judged on their readings, as the data path judges them: the last
    // `recentPosts` readings, and every reading since the onset of an open silence.
    const fitted = silentP ? await fittedNodes(this.#db, 'n.animal_id IS NOT NULL AND n.revoked_at IS NULL', []) : [];
    const openSilence = (id: number) => open.find((a) => a.subjectId === id && a.cause === SILENT_NODE.cause);
    const times = silentP ? await readingTimes(this.#db, fitted.map((n) => ({ ...n, start: openSilence(n.id)?.onset ?? Infinity })), silentP.recentPosts) : new Map<number, number[]>();
    // With the alerts resolved since the silences these readings can show, so a gap the data path already wrote,
    // or a silence someone resolved by hand, is recognised and not raised again.
    const since = Math.min(...fitted.map((n) => openSilence(n.id)?.onset ?? times.get(n.id)?.at(-1) ?? Infinity));
    const recent = Number.isFinite(since) ? await storedAlerts(this.#db, 'node_id', fitted.map((n) => n.id), [SILENT_NODE.cause], since) : [];
    return this.#db.transaction(async (tx) => {
      const counts: AlertCounts = { raised: 0, resolved: 0 };
      for (const node of nodes) {
        const subject: Subject = { column: 'node_id', id: node.id };
        const openOf = (cause: string) => open.find((a) => a.subjectId === node.id && a.cause === cause);
        const silentAlert = openOf(SILENT_NODE.cause);
        const postTimes = posts.filter((p) => p.node_id === node.id).map((p) => ms(p.ts));
        const readings = times.get(node.id);
        if (node.revoked_at || !silentP) {
          if (silentAlert) add(counts, await applyChange(tx, subject, { kind: 'resolve', id: silentAlert.id, at: now, note: node.revoked_at ? 'resolved automatically: the node was revoked' : 'resolved automatically: the silent-node rule was switched off' }));
        } else if (readings?.length) {
          // Silent now: no reading for its threshold by the office clock, and no post for intervalFactor × its
          // usual posting interval (a node delivering buffered readings, or replaying history, is not silent:
          // the readings it has not delivered yet are not a gap). The alert is the one the data path writes for
          // the same gap once the node's readings resume: same onset, raised_at and, then, resolved_at.
          const posting = node.last_seen_at !== null && now - ms(node.last_seen_at) < silentP.intervalFactor * (usualInterval(postTimes) ?? 0);
          const start = silentAlert ? silentAlert.onset : Infinity;
          const result: RuleResult = { conditions: silentGaps(readings, silentP, { from: start, ...(posting ? {} : { until: now }) }) };
          const back = silentAlert ? readings.find((t) => t > silentAlert.onset) : undefined;
          if (back !== undefined) result.clearFrom = back;
          for (const change of reconcile(recent.filter((a) => a.subjectId === node.id), result)) add(counts, await applyChange(tx, subject, change));
        } else if (node.last_seen_at) {
          const condition = evaluateSilentNode({ lastSeenAt: ms(node.last_seen_at), postTimes }, now, silentP);
          if (condition) {
            add(counts, await applyChange(tx, subject, silentAlert ? { kind: 'update', id: silentAlert.id, condition } : { kind: 'insert', condition }));
          } else if (silentAlert) {
            const { rows } = await tx.query<{ first: Date | null }>('SELECT min(ts) AS first FROM node_requests WHERE node_id = $1 AND ts > $2::timestamptz', [node.id, iso(silentAlert.onset)]);
            const back = rows[0]?.first ? ms(rows[0].first) : ms(node.last_seen_at);
            add(counts, await applyChange(tx, subject, { kind: 'resolve', id: silentAlert.id, at: back, note: `resolved automatically: the node posted again at ${iso(back)}` }));
          }
        }
        const batteryAlert = openOf(LOW_BATTERY.cause);
        if (!batteryP) continue;
        const battery = batteryState({ percent: node.battery_percent, volts: node.battery_volts }, batteryP);
        const at = node.status_at ? ms(node.status_at) : node.last_seen_at ? ms(node.last_seen_at) : now;
        if (battery.state === 'low' && !node.revoked_at) {
          const condition: Condition = {
            cause: LOW_BATTERY.cause,
            category: LOW_BATTERY.category,
            severity: 1,
            onset: at,
            raisedAt: at,
            reason: battery.reason,
            details: battery.details,
          };
          if (!batteryAlert) add(counts, await applyChange(tx, subject, { kind: 'insert', condition }));
          else if (batteryAlert.reason !== condition.reason) add(counts, await applyChange(tx, subject, { kind: 'update', id: batteryAlert.id, condition }));
        } else if (batteryAlert && (battery.state === 'ok' || node.revoked_at)) {
          const level = node.battery_percent !== null ? `${Math.round(node.battery_percent)} %` : `${node.battery_volts} V`;
          add(counts, await applyChange(tx, subject, { kind: 'resolve', id: batteryAlert.id, at: Math.max(at, batteryAlert.onset), note: node.revoked_at ? 'resolved automatically: the node was revoked' : `resolved automatically: battery at ${level}` }));
        }
      }
      return counts;
    });
  }
}

/**
 * How far before the earliest new data the rules look again: a run that began before it and had not yet lasted
 * long enough to be raised must be seen whole, or the same data would give a later onset than it did live. Such
 * a run spans at most sustainHours observed hours with gaps of up to maxGapHours between them, and starts after
 * the smoothing and dip windows that lead into it.
 */
function lookbackHours(params: ReadonlyMap<string, ResolvedParameters>): number {
  let hours = 0;
  for (const p of params.values()) {
    const run = (p.sustainHours ?? 0) * (1 + (p.maxGapHours ?? 0));
    hours = Math.max(hours, run + (p.smoothingHours ?? 0) + (p.dipWindowHours ?? 0));
  }
  return hours;
}

/**
 * The series without its newest hour: that hour is still filling up while readings arrive, and judging it half
 * full would raise (or miss) what the whole hour does not, so live data and a replay would disagree. It is
 * judged once the next hour has data.
 */
function completeHours(points: readonly HourlyPoint[]): readonly HourlyPoint[] {
  return points.slice(0, -1);
}

/** Days of data before the first evaluated hour a rule needs: its baseline window, plus a day for comparisons. */
function historyDaysOf(p: ResolvedParameters): number {
  return (p.baselineDays ?? 0) + 2;
}

function add(counts: AlertCounts, more: AlertCounts): void {
  counts.raised += more.raised;
  counts.resolved += more.resolved;
}

interface Subject {
  column: 'animal_id' | 'node_id' | 'group_id';
  id: number;
}

/** An alert's subject is its animal, else its node, else its pen (as the unique indexes of 0007 define it). */
const SUBJECT_ONLY: Record<Subject['column'], string> = {
  animal_id: '',
  node_id: 'AND animal_id IS NULL',
  group_id: 'AND animal_id IS NULL AND node_id IS NULL',
};

/**
 * The subjects' alerts of the given causes that may overlap data from `from` on: every unresolved one, and the
 * resolved ones that ended after `from` (so an episode already alerted on is recognised, not raised again).
 * `from` = Infinity gives the unresolved ones only.
 */
async function storedAlerts(
  db: Queryable,
  column: Subject['column'],
  ids: readonly number[],
  causes: readonly string[],
  from: number,
): Promise<(StoredAlert & { subjectId: number; cause: string })[]> {
  const { rows } = await db.query<{ id: number; subject_id: number; cause: string; status: StoredAlert['status']; onset: Date; resolved_at: Date | null; severity: number; reason: string; details: unknown }>(
    `SELECT id, ${column} AS subject_id, cause, status, onset, resolved_at, severity, reason, details FROM alerts
      WHERE ${column} = ANY($1::int[]) AND cause = ANY($2::text[]) ${SUBJECT_ONLY[column]}
        AND (status <> 'resolved' OR resolved_at IS NULL OR resolved_at > $3::timestamptz)
      ORDER BY onset, id`,
    [ids, causes, Number.isFinite(from) ? iso(from) : from > 0 ? 'infinity' : '-infinity'],
  );
  return rows.map((r) => ({
    id: r.id,
    subjectId: r.subject_id,
    cause: r.cause,
    status: r.status,
    onset: ms(r.onset),
    resolvedAt: r.resolved_at ? ms(r.resolved_at) : null,
    severity: r.severity,
    reason: r.reason,
    details: r.details,
  }));
}

/** Nodes fitted to an animal, each with one metric it posts for her (that of its newest row in latest_readings). */
async function fittedNodes(db: Queryable, where: string, params: unknown[]): Promise<{ id: number; animalId: number; metricId: number }[]> {
  const { rows } = await db.query<{ id: number; animal_id: number; metric_id: number | null }>(
    `SELECT n.id, n.animal_id,
            coalesce((SELECT l.metric_id FROM latest_readings l WHERE l.animal_id = n.animal_id AND l.node_id = n.id ORDER BY l.ts DESC, l.metric_id LIMIT 1), n.metric_id) AS metric_id
       FROM nodes n WHERE ${where} ORDER BY n.id`,
    params,
  );
  return rows.filter((r) => r.metric_id !== null).map((r) => ({ id: r.id, animalId: r.animal_id, metricId: Number(r.metric_id) }));
}

/** How far before `start` readingTimes looks for a node's recent readings: bounds the index scan. */
const READING_LOOKBACK_DAYS = 30;

/**
 * Each node's reading time stamps (of its one metric) from `start` on, with up to `recent` readings before it
 * (within READING_LOOKBACK_DAYS) for its usual interval; `start` = Infinity gives only its last `recent`
 * readings. Ranges of the primary key readings(animal_id, metric_id, ts, node_id), so the cost is the window's.
 */
async function readingTimes(db: Queryable, nodes: readonly { id: number; animalId: number; metricId: number; start: number }[], recent: number): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (nodes.length === 0) return out;
  const bound = (t: number) => (Number.isFinite(t) ? iso(t) : t > 0 ? 'infinity' : '-infinity');
  const { rows } = await db.query<{ node_id: number; ts: Date }>(
    `SELECT n.id AS node_id, r.ts
       FROM unnest($1::int[], $2::int[], $3::smallint[], $4::timestamptz[]) AS n(id, animal_id, metric_id, start)
       CROSS JOIN LATERAL (
         (SELECT ts FROM readings
           WHERE animal_id = n.animal_id AND metric_id = n.metric_id AND node_id = n.id AND ts < n.start
             AND ts >= CASE WHEN isfinite(n.start) THEN n.start - make_interval(days => $6) ELSE '-infinity' END
           ORDER BY ts DESC LIMIT $5)
         UNION ALL
         (SELECT ts FROM readings WHERE animal_id = n.animal_id AND metric_id = n.metric_id AND node_id = n.id AND ts >= n.start)
       ) r`,
    [nodes.map((n) => n.id), nodes.map((n) => n.animalId), nodes.map((n) => n.metricId), nodes.map((n) => bound(n.start)), recent, READING_LOOKBACK_DAYS],
  );
  for (const r of rows) {
    let list = out.get(r.node_id);
    if (!list) out.set(r.node_id, (list = []));
    list.push(ms(r.ts));
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

const UNIQUE_OPEN: Record<Subject['column'], string> = {
  animal_id: "(animal_id, cause) WHERE status <> 'resolved' AND animal_id IS NOT NULL",
  node_id: "(node_id, cause) WHERE status <> 'resolved' AND node_id IS NOT NULL AND animal_id IS NULL",
  group_id: "(group_id, cause) WHERE status <> 'resolved' AND group_id IS NOT NULL AND animal_id IS NULL AND node_id IS NULL",
};

/** Writes one change. Guards on status, so an alert a user resolved meanwhile is left as the user left it. */
async function applyChange(tx: Queryable, subject: Subject, change: AlertChange): Promise<AlertCounts> {
  if (change.kind === 'insert') {
    const c = change.condition;
    const resolved = c.clearedAt !== undefined;
    const { affectedRows } = await tx.query(
      `INSERT INTO alerts (${subject.column}, category, cause, severity, status, reason, details, onset, raised_at, resolved_at, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz, $9::timestamptz, $10::timestamptz, $11)
       ON CONFLICT ${UNIQUE_OPEN[subject.column]} DO NOTHING`,
      [
        subject.id, c.category, c.cause, c.severity, resolved ? 'resolved' : 'open', c.reason, JSON.stringify(c.details),
        iso(c.onset), iso(c.raisedAt), resolved ? iso(c.clearedAt!) : null, resolved ? `resolved automatically: ${c.clearedReason}` : null,
      ],
    );
    return { raised: affectedRows, resolved: resolved ? affectedRows : 0 };
  }
  if (change.kind === 'update') {
    const c = change.condition;
    await tx.query(
      `UPDATE alerts SET severity = $2, reason = $3, details = $4::jsonb,
              raised_at = CASE WHEN $5::timestamptz < onset THEN $6::timestamptz ELSE raised_at END, onset = least(onset, $5::timestamptz)
        WHERE id = $1 AND (status <> 'resolved' OR $5::timestamptz < onset)`,
      [change.id, c.severity, c.reason, JSON.stringify(c.details), iso(c.onset), iso(c.raisedAt)],
    );
    return { raised: 0, resolved: 0 };
  }
  const c = change.condition;
  const { affectedRows } = await tx.query(
    `UPDATE alerts SET status = 'resolved', resolved_at = $2::timestamptz, note = coalesce(note || E'\\n', '') || $3,
            severity = coalesce($4, severity), reason = coalesce($5, reason), details = coalesce($6::jsonb, details)
      WHERE id = $1 AND status <> 'resolved'`,
    [change.id, iso(change.at), change.note, c?.severity ?? null, c?.reason ?? null, c ? JSON.stringify(c.details) : null],
  );
  return { raised: 0, resolved: affectedRows };
}

// Statistics and alerts in the office (issue 9): readings → rollups (rollups.ts) → alert rules
// (alert-engine.ts). Each rollup refresh hands the series it recomputed to the alert engine; evaluations
// that pile up while one runs are merged into one (the union of the animals and pens, from the earliest
// data time), so a node re-flushing days of readings costs a few evaluations, not one per batch. Silent
// nodes and low batteries are also checked on the office clock every minute.
import type { Database } from '../../db/index.ts';
import type { Logger } from '../log.ts';
import { AlertEngine } from './alert-engine.ts';
import { RollupService, type RefreshedScope } from './rollups.ts';

const NODE_CHECK_MS = 60_000;
/** The `baselines` table (for people and the dashboard; the rules compute their own) is rewritten this often
 * for the animals evaluated since, and by settle(): rewriting it with every evaluation cost as much as the rules. */
const BASELINES_MS = 10 * 60_000;
/** After an evaluation that took T, the next waits until 4 T have passed: while nodes re-flush days of
 * readings, the rules take at most ~20 % of the database's time (and later evaluations cover more at once). */
const DUTY_FACTOR = 4;

export interface StatsServiceOptions {
  log: Logger;
  /** Tables whose rows changed (rollups, alerts, baselines): live queries on them run again. */
  onChanged: (tables: readonly string[]) => void;
  now?: () => Date;
  /** Whether nodes are posting right now: rollup refreshes and alert evaluations wait for a pause (≤ 60 s). */
  busy?: () => boolean;
}

/** How long an evaluation waits for nodes to pause posting, at most. */
const MAX_DEFER_MS = 60_000;
const BUSY_RECHECK_MS = 250;

export class StatsService {
  readonly rollups: RollupService;
  readonly alerts: AlertEngine;
  #waiting: RefreshedScope | undefined;
  #running: Promise<void> | undefined;
  #nodeTimer: NodeJS.Timeout;
  #baselineTimer: NodeJS.Timeout;
  /** Animals evaluated since their baselines were last stored. */
  #staleBaselines = new Set<number>();
  #closed = false;
  /** settle() is waiting: no pauses between evaluations. */
  #settling = 0;
  /** Ends the pause between two evaluations early. */
  #wake: (() => void) | undefined;

  constructor(
    db: Database,
    private readonly options: StatsServiceOptions,
  ) {
    this.alerts = new AlertEngine(db, { log: options.log });
    this.rollups = new RollupService(db, {
      log: options.log,
      onChanged: options.onChanged,
      onRefreshed: (scope) => this.#queue(scope),
      busy: options.busy,
    });
    this.#nodeTimer = setInterval(() => void this.#checkNodes(), NODE_CHECK_MS);
    this.#nodeTimer.unref();
    this.#baselineTimer = setInterval(() => void this.#storeBaselines(), BASELINES_MS);
    this.#baselineTimer.unref();
  }

  /**
   * Waits until every stored reading is in the rollups and every rollup change has been through the alert
   * rules, then checks the nodes on the office clock: after it, the alerts are those of the data stored.
   */
  async settle(): Promise<void> {
    this.#settling++;
    try {
      this.#wake?.();
      await this.rollups.flush();
      while (this.#running || this.#waiting) await (this.#running ?? this.#drain());
      await this.#storeBaselines();
      await this.#checkNodes();
    } finally {
      this.#settling--;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#nodeTimer);
    clearInterval(this.#baselineTimer);
    this.#wake?.();
    await this.rollups.close();
    while (this.#running) await this.#running;
  }

  #queue(scope: RefreshedScope): void {
    if (this.#closed) return;
    const w = this.#waiting;
    this.#waiting = w
      ? { animalIds: [...new Set([...w.animalIds, ...scope.animalIds])], groupIds: [...new Set([...w.groupIds, ...scope.groupIds])], from: Math.min(w.from, scope.from) }
      : scope;
    if (!this.#running) void this.#drain();
  }

  #drain(): Promise<void> {
    this.#running ??= (async () => {
      try {
        for (let scope = this.#waiting; scope; scope = this.#waiting) {
          this.#waiting = undefined;
          const started = performance.now();
          await this.#evaluate(scope);
          if (this.#waiting && !this.#settling && !this.#closed) await this.#pause(DUTY_FACTOR * (performance.now() - started));
          // While nodes post (a burst), acknowledging their readings comes first.
          const deferred = performance.now();
          while (this.options.busy?.() && !this.#settling && !this.#closed && performance.now() - deferred < MAX_DEFER_MS) await this.#pause(BUSY_RECHECK_MS);
        }
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  async #evaluate(scope: RefreshedScope): Promise<void> {
    try {
      const counts = await this.alerts.evaluate({ animalIds: scope.animalIds, groupIds: scope.groupIds, from: new Date(scope.from), storeBaselines: false });
      for (const id of scope.animalIds) this.#staleBaselines.add(id);
      if (counts.raised || counts.resolved) this.options.onChanged(['alerts']);
    } catch (err) {
      // The next refresh of these series evaluates them again; the readings and rollups are safe.
      this.options.log.error('alert rules failed for the data just stored', { err: err as Error, animals: scope.animalIds.length, groups: scope.groupIds.length });
    }
  }

  async #storeBaselines(): Promise<void> {
    if (!this.#staleBaselines.size) return;
    const animalIds = [...this.#staleBaselines];
    this.#staleBaselines.clear();
    try {
      await this.alerts.storeBaselines(animalIds);
      this.options.onChanged(['baselines']);
    } catch (err) {
      for (const id of animalIds) this.#staleBaselines.add(id);
      this.options.log.error('storing the baselines failed; they are tried again later', { err: err as Error, animals: animalIds.length });
    }
  }

  async #checkNodes(): Promise<void> {
    if (this.#closed) return;
    try {
      const counts = await this.alerts.checkNodes(this.options.now?.() ?? new Date());
      if (counts.raised || counts.resolved) this.options.onChanged(['alerts']);
    } catch (err) {
      this.options.log.error('the node check failed', { err: err as Error });
    }
  }
}

// What every rule takes and gives. Rules are pure: a subject's hourly series in, conditions out, all times
// being data times (epoch ms), so replaying history and living through it give the same alerts.
import type { Baseline, HourlyPoint } from '../baselines.ts';
import type { FarmClock } from '../farm-clock.ts';

import type { AlertCategory, AlertCause } from '../../../shared/alert-rules.ts';

export type { HourlyPoint, Baseline };
/** The ICAR ADE categories and causes: app/shared/alert-rules.ts, which the dashboard shares. */
export type { AlertCategory, AlertCause };

export type Severity = 1 | 2 | 3;

/** One episode of a rule's condition: raised (raisedAt), maybe over again (clearedAt). */
export interface Condition {
  cause: AlertCause;
  category: AlertCategory;
  severity: Severity;
  /** Data time the condition began. */
  onset: number;
  /** Data time the rule could first tell (the end of the hour that made the condition sustained). */
  raisedAt: number;
  /** Data time the condition ended, once it has stayed clear for the rule's clearHours. */
  clearedAt?: number;
  reason: string;
  /** Why it cleared, in words (for the alert's note), when clearedAt is set. */
  clearedReason?: string;
  details: Record<string, number | string | boolean>;
}

export interface RuleResult {
  /** Episodes in time order; only the last may still be going on. */
  conditions: Condition[];
  /**
   * The start of the clear stretch that ends the evaluated data, when it has lasted clearHours: an open alert
   * the rule no longer finds at all (its parameters changed, say) is resolved from then.
   */
  clearFrom?: number;
}

/** What an animal rule knows about her besides her series. */
export interface AnimalContext {
  clock: FarmClock;
  /** Evaluate hours from here on (earlier hours only feed baselines, smoothing and comparisons). */
  from: number;
  /** Her pregnancy, when known: see expectedCalving in rules/calving.ts. */
  calving?: CalvingContext;
  /** metrics.daily_rhythm per metric: baselines by local hour of day, or all hours pooled. Unset: by hour. */
  dailyRhythm?: Partial<Record<AnimalMetric, boolean>>;
}

export type AnimalMetric = 'temperature' | 'activity' | 'rumination' | 'eating';

export const hasDailyRhythm = (ctx: AnimalContext, metric: AnimalMetric): boolean => ctx.dailyRhythm?.[metric] ?? true;

/** Days in FarmClock.day numbering. */
export interface CalvingContext {
  expectedDay: number;
  /** The recorded calving of this pregnancy, if any: nothing is expected after that day. */
  calvedDay?: number;
}

/** An animal's hourly series per metric key, oldest first. */
export type AnimalSeries = Partial<Record<AnimalMetric, readonly HourlyPoint[]>>;

// The alert rules as data, shared by the office (app/main/stats/rules/, which runs them, and the migration test
// that checks alert_rules' seeded rows against these defaults) and the dashboard's Settings page (which shows
// and validates the thresholds a manager sets). Pure data and checks: no Node imports, so a browser may load it.
// docs/alerts.md explains every rule and parameter and where the defaults come from.

/** ICAR ADE attention categories (icarAttentionCategoryType). */
export type AlertCategory = 'Behaviour' | 'Environment' | 'Health' | 'Other';

/** The ICAR ADE attention causes (icarAttentionCauseType) these rules raise. */
export type AlertCause = 'Activity' | 'LowerRumination' | 'AnimalTemperature' | 'Parturition' | 'EnvironmentTemperature' | 'Offline' | 'LowBattery';

/**
 * What a parameter's number is, for showing and converting it. Temperatures are stored in °C either way, but
 * convert differently: an absolute temperature to °F as ×1.8 + 32, a temperature difference (a rise, a drop)
 * as ×1.8 only. THI is an index (computed from °C and humidity): it is never converted.
 */
export type ParameterUnit =
  | 'temperature'
  | 'temperatureDifference'
  | 'hours'
  | 'days'
  | 'minutes'
  | 'percent'
  | 'fraction'
  | 'times'
  | 'thi'
  | 'volts'
  | 'count';

export interface NumberSpec {
  default: number | null;
  min: number;
  max: number;
  integer?: boolean;
  /** null is allowed and switches the check off (the default may be null). */
  nullable?: boolean;
  /** What it means, with its unit (in °C for temperatures): for the warning, the Settings page and docs/alerts.md. */
  description: string;
  unit: ParameterUnit;
}

export type ParameterSpecs = Record<string, NumberSpec>;

export type Parameters<S extends ParameterSpecs> = { [K in keyof S]: S[K]['nullable'] extends true ? number | null : number };

/** A rule as the engine, alert_rules and the Settings page know it. */
export interface RuleSpec<S extends ParameterSpecs = ParameterSpecs> {
  /** alert_rules.key */
  key: string;
  cause: AlertCause;
  category: AlertCategory;
  subject: 'animal' | 'group' | 'node';
  /** alert_rules.description: what it watches, in one sentence. */
  description: string;
  parameters: S;
}

export function defaultsOf<S extends ParameterSpecs>(specs: S): Parameters<S> {
  return Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.default])) as Parameters<S>;
}

/** Why `value` does not fit `spec`, in words; undefined when it fits. Values are in the stored unit (°C). */
export function checkValue(spec: NumberSpec, value: unknown): string | undefined {
  if (value === null) return spec.nullable ? undefined : 'must be a number, not null';
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number; got ${JSON.stringify(value) ?? String(value)}`;
  if (spec.integer && !Number.isInteger(value)) return `must be a whole number; got ${value}`;
  if (value < spec.min || value > spec.max) return `must be between ${spec.min} and ${spec.max}; got ${value}`;
  return undefined;
}

export type TemperatureScale = 'C' | 'F';

/** A stored value (°C for temperatures) as shown on `scale`: absolute ×1.8 + 32, difference ×1.8. */
export function toDisplay(spec: Pick<NumberSpec, 'unit'>, value: number, scale: TemperatureScale): number {
  if (scale === 'C') return value;
  if (spec.unit === 'temperature') return value * 1.8 + 32;
  if (spec.unit === 'temperatureDifference') return value * 1.8;
  return value;
}

/** A value typed on `scale` back to the stored unit (°C), the inverse of toDisplay. */
export function fromDisplay(spec: Pick<NumberSpec, 'unit'>, value: number, scale: TemperatureScale): number {
  if (scale === 'C') return value;
  if (spec.unit === 'temperature') return (value - 32) / 1.8;
  if (spec.unit === 'temperatureDifference') return value / 1.8;
  return value;
}

/** The unit's symbol as shown on `scale` ('' for plain numbers). */
export function unitLabel(unit: ParameterUnit, scale: TemperatureScale): string {
  switch (unit) {
    case 'temperature':
    case 'temperatureDifference':
      return scale === 'F' ? '°F' : '°C';
    case 'hours':
      return 'h';
    case 'days':
      return 'd';
    case 'minutes':
      return 'min';
    case 'percent':
      return '%';
    case 'volts':
      return 'V';
    case 'times':
      return '×';
    case 'thi':
      return 'THI';
    default:
      return '';
  }
}

export const HEAT = {
  key: 'heat',
  cause: 'Activity',
  category: 'Behaviour',
  subject: 'animal',
  description: 'In heat: activity several times her own baseline at the same hours of the day, sustained for hours.',
  parameters: {
    ratio: { default: 2, min: 1.1, max: 10, description: 'activity at least this many times her baseline', unit: 'times' },
    smoothingHours: { default: 2, min: 1, max: 12, integer: true, description: 'hours averaged before comparing (h)', unit: 'hours' },
    sustainHours: { default: 2, min: 1, max: 24, integer: true, description: 'hours the rise must last before the alert (h)', unit: 'hours' },
    clearHours: { default: 6, min: 1, max: 72, integer: true, description: 'hours back to normal before the alert resolves (h)', unit: 'hours' },
    baselineDays: { default: 7, min: 3, max: 30, integer: true, description: 'days of her history the baseline covers (d)', unit: 'days' },
    minDays: { default: 5, min: 2, max: 30, integer: true, description: 'days of history needed before any alert (d)', unit: 'days' },
    maxGapHours: { default: 3, min: 0, max: 24, integer: true, description: 'longest gap in the data a rising run may span (h)', unit: 'hours' },
  },
} as const satisfies RuleSpec;

export const HEALTH = {
  key: 'health',
  cause: 'LowerRumination',
  category: 'Health',
  subject: 'animal',
  description: 'Health suspicion: rumination (and eating time, where measured) well below her own baseline for hours.',
  parameters: {
    dropFraction: { default: 0.3, min: 0.05, max: 0.95, description: 'rumination at least this fraction below her baseline (0.3 = 30 %)', unit: 'fraction' },
    eatingDropFraction: { default: 0.3, min: 0.05, max: 0.95, description: 'eating time this fraction below her baseline makes it urgent', unit: 'fraction' },
    severeDropFraction: { default: 0.5, min: 0.05, max: 0.95, description: 'rumination this fraction below her baseline makes it urgent', unit: 'fraction' },
    smoothingHours: { default: 6, min: 1, max: 24, integer: true, description: 'hours summed before comparing (h)', unit: 'hours' },
    sustainHours: { default: 6, min: 1, max: 48, integer: true, description: 'hours the drop must last before the alert (h)', unit: 'hours' },
    clearHours: { default: 12, min: 1, max: 72, integer: true, description: 'hours back to normal before the alert resolves (h)', unit: 'hours' },
    baselineDays: { default: 10, min: 3, max: 30, integer: true, description: 'days of her history the baseline covers (d)', unit: 'days' },
    minDays: { default: 5, min: 2, max: 30, integer: true, description: 'days of history needed before any alert (d)', unit: 'days' },
    maxGapHours: { default: 3, min: 0, max: 24, integer: true, description: 'longest gap in the data a falling run may span (h)', unit: 'hours' },
  },
} as const satisfies RuleSpec;

export const FEVER = {
  key: 'fever',
  cause: 'AnimalTemperature',
  category: 'Health',
  subject: 'animal',
  description: 'Fever: body temperature well above her own baseline at the same hour (drinking dips filtered out), or above an absolute threshold before she has one.',
  parameters: {
    riseC: { default: 0.8, min: 0.2, max: 3, description: 'rise above her baseline (°C)', unit: 'temperatureDifference' },
    absoluteC: { default: 39.5, min: 38.5, max: 42, description: 'absolute threshold while she has no baseline (°C)', unit: 'temperature' },
    severeRiseC: { default: 1.5, min: 0.2, max: 5, description: 'rise that makes the alert urgent (°C)', unit: 'temperatureDifference' },
    dipWindowHours: { default: 3, min: 1, max: 6, integer: true, description: 'hours over which the warmest hourly maximum bridges a drinking dip (h)', unit: 'hours' },
    sustainHours: { default: 2, min: 1, max: 24, integer: true, description: 'hours the rise must last before the alert (h)', unit: 'hours' },
    clearHours: { default: 12, min: 1, max: 72, integer: true, description: 'hours back to normal before the alert resolves (h)', unit: 'hours' },
    baselineDays: { default: 10, min: 3, max: 30, integer: true, description: 'days of her history the baseline covers (d)', unit: 'days' },
    minDays: { default: 5, min: 2, max: 30, integer: true, description: 'days of history needed for the relative test (d)', unit: 'days' },
    maxGapHours: { default: 3, min: 0, max: 24, integer: true, description: 'longest gap in the data a rising run may span (h)', unit: 'hours' },
  },
} as const satisfies RuleSpec;

export const CALVING = {
  key: 'calving',
  cause: 'Parturition',
  category: 'Health',
  subject: 'animal',
  description: 'Calving soon: body temperature drop against the same hour a day earlier, to below her baseline, near her expected calving date.',
  parameters: {
    dropC: { default: 0.3, min: 0.1, max: 2, description: 'drop against the same hour 24 h earlier (°C)', unit: 'temperatureDifference' },
    smoothingHours: { default: 4, min: 1, max: 12, integer: true, description: 'hours whose median is compared, so one odd hour does not count (h)', unit: 'hours' },
    dipWindowHours: { default: 3, min: 1, max: 6, integer: true, description: 'hours over which the warmest hourly maximum bridges a drinking dip (h)', unit: 'hours' },
    sustainHours: { default: 4, min: 1, max: 24, integer: true, description: 'hours the drop must last before the alert (h)', unit: 'hours' },
    clearHours: { default: 12, min: 1, max: 72, integer: true, description: 'hours without the drop before the alert resolves (h)', unit: 'hours' },
    daysBeforeDue: { default: 14, min: 0, max: 60, integer: true, description: 'days before the expected calving date the rule starts watching (d)', unit: 'days' },
    daysAfterDue: { default: 14, min: 0, max: 60, integer: true, description: 'days after the expected calving date it keeps watching (d)', unit: 'days' },
    gestationDays: { default: 283, min: 260, max: 300, integer: true, description: 'gestation length for a due date from the last insemination (d)', unit: 'days' },
    baselineDays: { default: 10, min: 3, max: 30, integer: true, description: 'days of her history the baseline covers (d)', unit: 'days' },
    minDays: { default: 5, min: 2, max: 30, integer: true, description: 'days of history before the drop must also be below her baseline (d)', unit: 'days' },
    maxGapHours: { default: 3, min: 0, max: 24, integer: true, description: 'longest gap in the data a falling run may span (h)', unit: 'hours' },
  },
} as const satisfies RuleSpec;

export const HEAT_STRESS = {
  key: 'heat_stress',
  cause: 'EnvironmentTemperature',
  category: 'Environment',
  subject: 'group',
  description: "Heat stress: the barn's temperature-humidity index (THI) above a threshold for hours, per pen.",
  parameters: {
    thiAbove: { default: 68, min: 50, max: 100, description: 'THI at or above which cows are heat-stressed', unit: 'thi' },
    moderateThi: { default: 72, min: 50, max: 100, description: 'THI from which the alert is a warning', unit: 'thi' },
    severeThi: { default: 80, min: 50, max: 100, description: 'THI from which the alert is urgent', unit: 'thi' },
    sustainHours: { default: 2, min: 1, max: 24, integer: true, description: 'hours the THI must stay high before the alert (h)', unit: 'hours' },
    clearHours: { default: 4, min: 1, max: 72, integer: true, description: 'hours below the threshold before the alert resolves (h)', unit: 'hours' },
    maxGapHours: { default: 3, min: 0, max: 24, integer: true, description: 'longest gap in the data a run may span (h)', unit: 'hours' },
  },
} as const satisfies RuleSpec;

export const SILENT_NODE = {
  key: 'silent_node',
  cause: 'Offline',
  category: 'Other',
  subject: 'node',
  description: 'Silent node: no post for several times its usual interval (at least 15 minutes).',
  parameters: {
    intervalFactor: { default: 3, min: 1.5, max: 100, description: 'silent after this many usual intervals without a post', unit: 'times' },
    minSilentMinutes: { default: 15, min: 1, max: 1440, description: 'never silent sooner than this (min)', unit: 'minutes' },
    recentPosts: { default: 20, min: 3, max: 1000, integer: true, description: 'recent readings (posts, for a node without readings) whose gaps give the usual interval', unit: 'count' },
  },
} as const satisfies RuleSpec;

export const LOW_BATTERY = {
  key: 'low_battery',
  cause: 'LowBattery',
  category: 'Other',
  subject: 'node',
  description: 'Low battery: the battery level a node reports below a threshold.',
  parameters: {
    percentBelow: { default: 20, min: 1, max: 99, description: 'battery level below which the alert is raised (%)', unit: 'percent' },
    clearPercentAbove: { default: 30, min: 1, max: 100, description: 'level above which it resolves (a fresh battery) (%)', unit: 'percent' },
    voltsBelow: { default: null, min: 0.5, max: 60, nullable: true, description: 'battery voltage below which the alert is raised (V); null: not checked, since it depends on the battery', unit: 'volts' },
  },
} as const satisfies RuleSpec;

/** Every rule, in the order the Settings page lists them. */
export const ALERT_RULES = [HEAT, HEALTH, FEVER, CALVING, HEAT_STRESS, SILENT_NODE, LOW_BATTERY] as const satisfies readonly RuleSpec[];

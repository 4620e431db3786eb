// The Settings page's alert rules (issue 6, item 7): each rule's switch and thresholds as the form shows them,
// in the farm's units (°F on an imperial farm; alert_rules stores °C), checked with the office's own checkValue
// before the office is asked. Free of React so it can be tested in Node.
import { ALERT_RULES, checkValue, fromDisplay, toDisplay, unitLabel, type NumberSpec, type RuleSpec, type TemperatureScale } from '../../shared/alert-rules.ts';

export const ALERT_RULES_QUERY = /* GraphQL */ `query AlertRules { alert_rules { key enabled parameters updated_at } }`;

export const UPDATE_ALERT_RULE = /* GraphQL */ `mutation UpdateAlertRule($key: String!, $enabled: Boolean!, $parameters: jsonb!) {
  update_alert_rules_by_pk(pk_columns: {key: $key}, _set: {enabled: $enabled, parameters: $parameters}) { key enabled parameters updated_at }
}`;

export interface AlertRuleRow {
  key: string;
  enabled: boolean;
  /** As stored (°C for temperatures); a parameter missing or bad here is run with its default by the office. */
  parameters: Record<string, unknown>;
  updated_at: string;
}

/** The rules the page shows: those this dashboard knows, in ALERT_RULES' order, each with its row if there is one. */
export function rulesWithRows(rows: readonly AlertRuleRow[]): { spec: RuleSpec; row: AlertRuleRow | undefined }[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return ALERT_RULES.map((spec) => ({ spec, row: byKey.get(spec.key) }));
}

export function temperatureScale(units: string): TemperatureScale {
  return units === 'imperial' ? 'F' : 'C';
}

/** Decimals kept when a temperature changes scale: 0.8 °C shows as 1.44 °F, 103 °F is stored as 39.444 °C. */
const round = (value: number, decimals: number) => Number(value.toFixed(decimals));

/**
 * A parameter's value as the office runs it: the stored one when it passes checkValue, else the default
 * (the office does the same, and logs a warning).
 */
export function effectiveValue(spec: NumberSpec, stored: unknown): number | null {
  return stored !== undefined && checkValue(spec, stored) === undefined ? (stored as number | null) : spec.default;
}

/** The input's text for a stored value: on the farm's scale, '' for null (the check is off). */
export function displayText(spec: NumberSpec, value: number | null, scale: TemperatureScale): string {
  return value === null ? '' : String(round(toDisplay(spec, value, scale), 2));
}

/**
 * The input's label: the parameter's description with its unit as the farm reads it, capitalised. What null
 * means ("null: not checked, …") is said for API users; the page says it in its own words under the input.
 */
export function parameterLabel(spec: NumberSpec, scale: TemperatureScale): string {
  const text = spec.description.replaceAll('(°C)', `(${unitLabel(spec.unit, scale)})`).replace(/; null: .*$/, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export type ParsedValue = { ok: true; value: number | null } | { ok: false; error: string };

/**
 * The stored value (°C) of what was typed on the farm's scale, or why it cannot be saved, in words and in the
 * units the farmer typed in. Empty means off for a nullable parameter. A decimal comma is taken as a point.
 */
export function parseParameter(spec: NumberSpec, text: string, scale: TemperatureScale): ParsedValue {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return spec.nullable ? { ok: true, value: null } : { ok: false, error: 'Give a number: this one cannot be switched off.' };
  const typed = Number(trimmed);
  if (!Number.isFinite(typed)) return { ok: false, error: `“${text.trim()}” is not a number.` };
  const value = spec.unit === 'temperature' || spec.unit === 'temperatureDifference' ? round(fromDisplay(spec, typed, scale), 3) : typed;
  if (checkValue(spec, value) === undefined) return { ok: true, value };
  if (spec.integer && !Number.isInteger(value)) return { ok: false, error: 'A whole number, please.' };
  const unit = unitLabel(spec.unit, scale);
  const bound = (v: number) => displayText(spec, v, scale);
  return { ok: false, error: `From ${bound(spec.min)} to ${bound(spec.max)}${unit ? ` ${unit}` : ''}.` };
}

/** One rule's form: the switch, and each parameter's input text on the farm's scale. */
export interface RuleForm {
  enabled: boolean;
  values: Record<string, string>;
}

/** The form for what the office runs now (a rule without a row is on, with its defaults). */
export function ruleForm(spec: RuleSpec, row: AlertRuleRow | undefined, scale: TemperatureScale): RuleForm {
  const values: Record<string, string> = {};
  for (const [name, p] of Object.entries(spec.parameters)) values[name] = displayText(p, effectiveValue(p, row?.parameters[name]), scale);
  return { enabled: row?.enabled ?? true, values };
}

/** The form with every parameter back at its default; the switch as it is. */
export function defaultsForm(spec: RuleSpec, form: RuleForm, scale: TemperatureScale): RuleForm {
  const values: Record<string, string> = {};
  for (const [name, p] of Object.entries(spec.parameters)) values[name] = displayText(p, p.default, scale);
  return { enabled: form.enabled, values };
}

export type RuleUpdate = { ok: true; enabled: boolean; parameters: Record<string, number | null> } | { ok: false; errors: Record<string, string> };

/**
 * What to save for a rule, or each parameter's problem. A value whose text was not touched keeps what is stored
 * exactly: 0.8 °C shown as 1.44 °F must not come back as 0.8000000001 because the page converted it twice.
 */
export function ruleUpdate(spec: RuleSpec, row: AlertRuleRow | undefined, form: RuleForm, scale: TemperatureScale): RuleUpdate {
  const unchanged = ruleForm(spec, row, scale);
  const parameters: Record<string, number | null> = {};
  const errors: Record<string, string> = {};
  for (const [name, p] of Object.entries(spec.parameters)) {
    const text = form.values[name] ?? '';
    if (text.trim() === unchanged.values[name]) {
      parameters[name] = effectiveValue(p, row?.parameters[name]);
      continue;
    }
    const parsed = parseParameter(p, text, scale);
    if (parsed.ok) parameters[name] = parsed.value;
    else errors[name] = parsed.error;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, enabled: form.enabled, parameters };
}

/** Whether the form differs from what the office runs (its Save button is off otherwise). */
export function ruleChanged(spec: RuleSpec, row: AlertRuleRow | undefined, form: RuleForm, scale: TemperatureScale): boolean {
  const saved = ruleForm(spec, row, scale);
  return form.enabled !== saved.enabled || Object.keys(spec.parameters).some((name) => (form.values[name] ?? '').trim() !== saved.values[name]);
}

/** Why the office refused to save a rule, in words (its own message otherwise). */
export function ruleSaveErrorInWords(errors: readonly { message: string; extensions?: Record<string, unknown> }[]): string {
  const code = String(errors[0]?.extensions?.code ?? '');
  const message = errors.map((e) => e.message).join('; ');
  if (code === 'permission-error' || /update_alert_rules_by_pk.*not found|not found in type/i.test(message)) return 'Your role may not change the alert rules.';
  return message ? `The office did not save the rule: ${message}` : 'The office did not save the rule.';
}

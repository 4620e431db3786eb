// Rule parameters live in alert_rules.parameters (jsonb), editable by a manager. A bad value there must never
// stop the alerts: each field is checked on its own, and a bad one falls back to its default with a warning
// that says which rule, which field, what was wrong and what is used instead.
import type { Logger } from '../../log.ts';

// The specs, their types and checkValue are in app/shared/alert-rules.ts, which the dashboard shares.
import { checkValue, defaultsOf, type ParameterSpecs, type Parameters } from '../../../shared/alert-rules.ts';

export { checkValue, defaultsOf, type NumberSpec, type ParameterSpecs, type Parameters } from '../../../shared/alert-rules.ts';

/** The rule's parameters from stored JSON: every valid field taken, every missing or bad one defaulted. */
export function resolveParameters<S extends ParameterSpecs>(rule: string, specs: S, stored: unknown, log: Pick<Logger, 'warn'>): Parameters<S> {
  const out = defaultsOf(specs) as Record<string, number | null>;
  if (stored === null || stored === undefined) return out as Parameters<S>;
  if (typeof stored !== 'object' || Array.isArray(stored)) {
    log.warn(`alert rule "${rule}": parameters must be a JSON object; got ${JSON.stringify(stored)}; using the defaults`);
    return out as Parameters<S>;
  }
  for (const [key, value] of Object.entries(stored as Record<string, unknown>)) {
    const spec = specs[key];
    if (!spec) {
      log.warn(`alert rule "${rule}": unknown parameter "${key}" is ignored (known: ${Object.keys(specs).join(', ')})`);
      continue;
    }
    const problem = checkValue(spec, value);
    if (problem) log.warn(`alert rule "${rule}": parameter "${key}" (${spec.description}) ${problem}; using the default ${spec.default}`);
    else out[key] = value as number | null;
  }
  return out as Parameters<S>;
}

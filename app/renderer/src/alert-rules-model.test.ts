import { assert, test } from '../../../scripts/test-api.ts';
import { ALERT_RULES, FEVER, LOW_BATTERY, HEAT } from '../../shared/alert-rules.ts';
import {
  defaultsForm,
  displayText,
  effectiveValue,
  parameterLabel,
  parseParameter,
  ruleChanged,
  ruleForm,
  rulesWithRows,
  ruleSaveErrorInWords,
  ruleUpdate,
  temperatureScale,
  type AlertRuleRow,
} from './alert-rules-model.ts';

const row = (key: string, parameters: Record<string, unknown>, enabled = true): AlertRuleRow => ({ key, enabled, parameters, updated_at: '2026-11-28T12:00:00Z' });

test('every rule the dashboard knows is listed in order, with its row when the office has one', () => {
  const listed = rulesWithRows([row('fever', {}), row('retired_rule', {})]);
  assert.deepEqual(listed.map((r) => r.spec.key), ALERT_RULES.map((r) => r.key));
  assert.equal(listed.find((r) => r.spec.key === 'fever')!.row?.key, 'fever');
  assert.equal(listed.find((r) => r.spec.key === 'heat')!.row, undefined);
  assert.equal(temperatureScale('imperial'), 'F');
  assert.equal(temperatureScale('metric'), 'C');
});

test('the value the office runs: the stored one when it passes checkValue, else the default', () => {
  const { riseC } = FEVER.parameters;
  assert.equal(effectiveValue(riseC, 1.1), 1.1);
  assert.equal(effectiveValue(riseC, undefined), 0.8);
  assert.equal(effectiveValue(riseC, 'lots'), 0.8);
  assert.equal(effectiveValue(riseC, 99), 0.8);
  assert.equal(effectiveValue(LOW_BATTERY.parameters.voltsBelow, null), null);
});

test('temperatures show on the farm’s scale: a level shifted and scaled, a difference only scaled', () => {
  const { riseC, absoluteC, sustainHours } = FEVER.parameters;
  assert.equal(displayText(absoluteC, 39.5, 'F'), '103.1');
  assert.equal(displayText(riseC, 0.8, 'F'), '1.44');
  assert.equal(displayText(riseC, 0.8, 'C'), '0.8');
  assert.equal(displayText(sustainHours, 2, 'F'), '2');
  assert.equal(displayText(LOW_BATTERY.parameters.voltsBelow, null, 'C'), '');
  assert.equal(parameterLabel(riseC, 'F'), 'Rise above her baseline (°F)');
  assert.equal(parameterLabel(riseC, 'C'), 'Rise above her baseline (°C)');
  assert.equal(parameterLabel(sustainHours, 'F'), 'Hours the rise must last before the alert (h)');
  assert.equal(parameterLabel(LOW_BATTERY.parameters.voltsBelow, 'C'), 'Battery voltage below which the alert is raised (V)');
});

test('what was typed is checked with checkValue and stored in °C; problems in words, in the farm’s units', () => {
  const { riseC, absoluteC, sustainHours } = FEVER.parameters;
  assert.deepEqual(parseParameter(absoluteC, '103', 'F'), { ok: true, value: 39.444 });
  assert.deepEqual(parseParameter(absoluteC, '101.3', 'F'), { ok: true, value: 38.5 }, 'the lowest allowed, not a hair below it');
  assert.deepEqual(parseParameter(riseC, '1,8', 'F'), { ok: true, value: 1 });
  assert.deepEqual(parseParameter(absoluteC, '99', 'F'), { ok: false, error: 'From 101.3 to 107.6 °F.' });
  assert.deepEqual(parseParameter(absoluteC, '37', 'C'), { ok: false, error: 'From 38.5 to 42 °C.' });
  assert.deepEqual(parseParameter(sustainHours, '2.5', 'C'), { ok: false, error: 'A whole number, please.' });
  assert.deepEqual(parseParameter(HEAT.parameters.ratio, '0.5', 'F'), { ok: false, error: 'From 1.1 to 10 ×.' });
  assert.deepEqual(parseParameter(riseC, 'warm', 'C'), { ok: false, error: '“warm” is not a number.' });
  assert.deepEqual(parseParameter(riseC, ' ', 'C'), { ok: false, error: 'Give a number: this one cannot be switched off.' });
  // Empty switches a nullable check off.
  assert.deepEqual(parseParameter(LOW_BATTERY.parameters.voltsBelow, '', 'C'), { ok: true, value: null });
  assert.deepEqual(parseParameter(LOW_BATTERY.parameters.voltsBelow, '3.4', 'F'), { ok: true, value: 3.4 });
});

test('a rule’s form: what the office runs, changed, back to the defaults, and what to save', () => {
  const stored = row('fever', { riseC: 1, absoluteC: 'hot', sustainHours: 3 }, false);
  const form = ruleForm(FEVER, stored, 'F');
  assert.equal(form.enabled, false);
  assert.equal(form.values.riseC, '1.8');
  assert.equal(form.values.absoluteC, '103.1', 'a bad stored value shows the default the office runs');
  assert.equal(ruleChanged(FEVER, stored, form, 'F'), false);
  assert.deepEqual(ruleForm(FEVER, undefined, 'C').enabled, true, 'a rule without a row runs, with its defaults');

  // Untouched temperatures keep their stored value exactly; a typed one is converted once.
  const edited = { enabled: true, values: { ...form.values, absoluteC: '104' } };
  assert.equal(ruleChanged(FEVER, stored, edited, 'F'), true);
  const update = ruleUpdate(FEVER, stored, edited, 'F');
  assert.ok(update.ok);
  assert.equal(update.enabled, true);
  assert.equal(update.parameters.riseC, 1);
  assert.equal(update.parameters.absoluteC, 40);
  assert.equal(update.parameters.sustainHours, 3);
  assert.deepEqual(Object.keys(update.parameters), Object.keys(FEVER.parameters), 'every parameter is saved, so the row is complete');

  assert.deepEqual(ruleUpdate(FEVER, stored, { enabled: true, values: { ...form.values, sustainHours: '0', riseC: '' } }, 'F'), {
    ok: false,
    errors: { riseC: 'Give a number: this one cannot be switched off.', sustainHours: 'From 1 to 24 h.' },
  });

  const defaults = defaultsForm(FEVER, edited, 'F');
  assert.equal(defaults.enabled, true, 'restoring the defaults leaves the switch alone');
  assert.equal(defaults.values.riseC, '1.44');
  assert.equal(defaults.values.absoluteC, '103.1');
  const restored = ruleUpdate(FEVER, stored, defaults, 'F');
  assert.ok(restored.ok);
  assert.equal(restored.parameters.riseC, 0.8);
});

test('the office’s refusal in words', () => {
  assert.equal(ruleSaveErrorInWords([{ message: "field 'update_alert_rules_by_pk' not found in type: 'mutation_root'", extensions: { code: 'validation-failed' } }]), 'Your role may not change the alert rules.');
  assert.equal(ruleSaveErrorInWords([{ message: 'check constraint', extensions: { code: 'constraint-violation' } }]), 'The office did not save the rule: check constraint');
  assert.equal(ruleSaveErrorInWords([]), 'The office did not save the rule.');
});

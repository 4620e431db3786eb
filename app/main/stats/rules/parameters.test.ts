import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEAT } from './heat.ts';
import { LOW_BATTERY } from './node-health.ts';
import { defaultsOf, resolveParameters } from './parameters.ts';

const recorder = () => {
  const warnings: string[] = [];
  return { warnings, log: { warn: (m: string) => warnings.push(m) } };
};

test('valid fields are taken, bad or unknown ones fall back to the default with a warning in words', () => {
  const { warnings, log } = recorder();
  const p = resolveParameters('heat', HEAT.parameters, { ratio: 2.5, sustainHours: 'three', clearHours: 1.5, baselineDays: 400, colour: 'red' }, log);
  assert.deepEqual(p, { ...defaultsOf(HEAT.parameters), ratio: 2.5 });
  assert.deepEqual(warnings, [
    'alert rule "heat": parameter "sustainHours" (hours the rise must last before the alert (h)) must be a number; got "three"; using the default 2',
    'alert rule "heat": parameter "clearHours" (hours back to normal before the alert resolves (h)) must be a whole number; got 1.5; using the default 6',
    'alert rule "heat": parameter "baselineDays" (days of her history the baseline covers (d)) must be between 3 and 30; got 400; using the default 7',
    'alert rule "heat": unknown parameter "colour" is ignored (known: ratio, smoothingHours, sustainHours, clearHours, baselineDays, minDays, maxGapHours)',
  ]);
});

test('parameters that are not an object give the defaults; null only where a parameter allows it', () => {
  const { warnings, log } = recorder();
  assert.deepEqual(resolveParameters('heat', HEAT.parameters, [1, 2], log), defaultsOf(HEAT.parameters));
  assert.match(warnings[0]!, /parameters must be a JSON object; got \[1,2\]; using the defaults/);
  assert.equal(resolveParameters('low_battery', LOW_BATTERY.parameters, { voltsBelow: null }, log).voltsBelow, null);
  assert.equal(resolveParameters('heat', HEAT.parameters, { ratio: null }, log).ratio, 2);
  assert.match(warnings.at(-1)!, /"ratio" .* must be a number, not null/);
});

test('the dashboard shares one copy of the rules; temperatures say whether they are absolute or a difference', async () => {
  const shared = await import('../../../shared/alert-rules.ts');
  const { RULES } = await import('../alert-engine.ts');
  assert.deepEqual(shared.ALERT_RULES.map((r) => r.key), RULES.map((r) => r.key));
  RULES.forEach((r, i) => assert.equal(r, shared.ALERT_RULES[i], `${r.key} is the shared object itself`));
  const temperatures = shared.ALERT_RULES.flatMap((r) => Object.entries(r.parameters as Record<string, import('../../../shared/alert-rules.ts').NumberSpec>).filter(([, s]) => s.description.includes('°C')).map(([k, s]) => `${r.key}.${k}:${s.unit}`));
  assert.deepEqual(temperatures, ['fever.riseC:temperatureDifference', 'fever.absoluteC:temperature', 'fever.severeRiseC:temperatureDifference', 'calving.dropC:temperatureDifference']);
  const { FEVER } = shared;
  assert.ok(Math.abs(shared.toDisplay(FEVER.parameters.absoluteC, 39.5, 'F') - 103.1) < 1e-9);
  assert.ok(Math.abs(shared.toDisplay(FEVER.parameters.riseC, 0.8, 'F') - 1.44) < 1e-9);
  assert.ok(Math.abs(shared.fromDisplay(FEVER.parameters.absoluteC, 103.1, 'F') - 39.5) < 1e-9);
  assert.equal(shared.toDisplay(FEVER.parameters.sustainHours, 2, 'F'), 2, 'hours are hours');
  assert.equal(shared.unitLabel('temperatureDifference', 'F'), '°F');
  assert.equal(shared.checkValue(FEVER.parameters.riseC, 5), 'must be between 0.2 and 3; got 5');
});

import { assert, test } from '../../../scripts/test-api.ts';
import { displayUnit, localeOptions, settingsChanged, settingsProblems, timeZones, zonePreview } from './settings-model.ts';

test('time zones: the browser list with UTC first, once', () => {
  const zones = timeZones();
  assert.equal(zones[0], 'UTC');
  assert.ok(zones.includes('Europe/Berlin'));
  assert.equal(zones.filter((z) => z === 'UTC').length, 1);
  assert.deepEqual(timeZones(() => { throw new Error('old engine'); }), ['UTC']);
});

test('the form is checked before the office is asked', () => {
  const zones = ['UTC', 'Europe/Berlin'];
  assert.deepEqual(settingsProblems({ name: 'Hof Sonnenwiese', time_zone: 'Europe/Berlin', locale: 'de-DE', units: 'metric' }, zones), {});
  assert.deepEqual(settingsProblems({ name: '  ', time_zone: 'Mars/Base', locale: 'german', units: 'kelvin' }, zones), {
    name: 'The farm needs a name.',
    time_zone: 'Choose a time zone from the list.',
    locale: 'Choose a locale from the list.',
    units: 'Choose °C or °F.',
  });
  assert.match(settingsProblems({ name: 'x'.repeat(121), time_zone: 'UTC', locale: 'en-GB', units: 'imperial' }, zones).name!, /120/);
});

test('changed, ignoring surrounding blanks of the name', () => {
  const saved = { name: 'My farm', time_zone: 'UTC', locale: 'en-GB', units: 'metric' as const };
  assert.equal(settingsChanged({ name: ' My farm ', time_zone: 'UTC', locale: 'en-GB', units: 'metric' }, saved), false);
  assert.equal(settingsChanged({ name: 'My farm', time_zone: 'UTC', locale: 'en-GB', units: 'imperial' }, saved), true);
  assert.equal(settingsChanged({ name: 'My farm', time_zone: 'UTC', locale: 'de-DE', units: 'metric' }, saved), true);
});

test('a preview of the zone', () => {
  assert.match(zonePreview('Europe/Berlin', new Date('2026-11-28T12:00:00Z'), 'en-GB'), /13:00/);
  assert.equal(zonePreview('Mars/Base', new Date()), '');
});

test('temperatures are shown in °F on an imperial farm, other units as stored', () => {
  const f = displayUnit('°C', 'imperial');
  assert.equal(f.unit, '°F');
  assert.equal(f.convert(38.5), 101.3);
  assert.equal(f.convert(-40), -40);
  assert.equal(f.scale, 1.8);
  const c = displayUnit('°C', 'metric');
  assert.deepEqual([c.unit, c.convert(38.5), c.scale], ['°C', 38.5, 1]);
  const kg = displayUnit('kg', 'imperial');
  assert.deepEqual([kg.unit, kg.convert(650)], ['kg', 650]);
});

test('the locales offered, with a tag set by hand kept as the current choice', () => {
  assert.ok(localeOptions('de-DE').some((l) => l.value === 'de-DE'));
  assert.equal(localeOptions('de-DE').filter((l) => l.value === 'de-DE').length, 1);
  assert.deepEqual(localeOptions('gsw-CH')[0], { value: 'gsw-CH', label: 'gsw-CH' });
});

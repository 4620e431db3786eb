import { assert, test } from '../../../scripts/test-api.ts';
import { axisLabel, formatFarmDateTime, pointLabel } from './animal-detail-model.ts';
import { detailEntries, formatNumber } from './alerts-model.ts';
import { decimalSeparator, DEFAULT_LOCALE, FARM_LOCALES, farmFormat, formatFixed, LOCALE_PATTERN, localeSample, safeLocale, withDecimal } from './farm-format.ts';
import { formatFarmDate, formatFarmTime, formatReadingValue, readingTitle, sparklineLabel } from './herd-model.ts';
import { formatBattery } from './nodes-model.ts';
import { displayUnit } from './settings-model.ts';
import { formatAxisTick, formatDay, formatPeriod } from './statistics-model.ts';

// Intl separates some groups and units with narrow or plain no-break spaces; the farmer sees spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
const NEW_YEARS_EVE = Date.UTC(2026, 11, 31, 18, 30);

test('every offered locale is well formed (the office CHECK takes it) and known to Intl', () => {
  for (const { value } of FARM_LOCALES) {
    assert.match(value, LOCALE_PATTERN);
    assert.equal(safeLocale(value), value);
  }
  assert.equal(new Set(FARM_LOCALES.map((l) => l.value)).size, FARM_LOCALES.length, 'no locale twice');
  assert.ok(FARM_LOCALES.some((l) => l.value === DEFAULT_LOCALE));
});

test('a missing or malformed locale falls back to the default instead of throwing in every formatter', () => {
  assert.equal(safeLocale(undefined), 'en-GB');
  assert.equal(safeLocale(null), 'en-GB');
  assert.equal(safeLocale(''), 'en-GB');
  assert.equal(safeLocale('german'), 'en-GB');
  assert.equal(safeLocale('de_DE'), 'en-GB');
  assert.equal(safeLocale('sr-Latn-RS'), 'sr-Latn-RS');
  assert.deepEqual(farmFormat({ time_zone: 'Europe/Berlin', locale: 'de-DE' }), { timeZone: 'Europe/Berlin', locale: 'de-DE' });
  assert.deepEqual(farmFormat(undefined), { timeZone: 'UTC', locale: 'en-GB' });
  assert.deepEqual(farmFormat({ time_zone: 'Mars/Base', locale: 'xx_YY' }), { timeZone: 'UTC', locale: 'en-GB' });
});

test("Settings' sample shows each locale's separators and order of day and month", () => {
  assert.equal(plain(localeSample('en-GB')), '1,234.5 · 31/12/2026, 18:30');
  assert.equal(plain(localeSample('de-DE')), '1.234,5 · 31.12.2026, 18:30');
  assert.match(plain(localeSample('en-US')), /^1,234\.5 · 12\/31\/2026, 06:30 PM$/);
  assert.match(plain(localeSample('fr-FR')), /^1 234,5 · 31\/12\/2026 18:30$/);
  assert.match(plain(localeSample('de-CH')), /^1[’']234\.5 · 31\.12\.2026, 18:30$/);
  assert.equal(localeSample('nonsense'), localeSample('en-GB'));
});

test('readings: a decimal comma on a German farm, a point on a British one', () => {
  assert.equal(formatReadingValue(38.7, '°C', 'de-DE'), '38,7');
  assert.equal(formatReadingValue(38.7, '°C', 'en-GB'), '38.7');
  assert.equal(formatReadingValue(1234, 'steps/h', 'de-DE'), '1.234');
  assert.equal(plain(formatReadingValue(1234, 'steps/h', 'fr-FR')), '1 234');
  assert.equal(formatNumber(2.75, 'de-DE'), '2,75');
  assert.equal(formatFixed(3.6, 2, 'de-DE'), '3,60');
  assert.equal(formatBattery({ battery_percent: 87.4, battery_volts: 3.612 }, 'de-DE'), '87 % · 3,61 V');
  assert.equal(formatAxisTick(0.125, 'de-DE'), '0,125');
  const f = displayUnit('°C', 'imperial');
  assert.equal(sparklineLabel('Body temperature', [[0, 38.5], [1, 39]], f, 'de-DE'), 'Body temperature, last 24 h: 101,3–102,2 °F');
  assert.deepEqual(detailEntries({ temperature_c: 40.1, ratio: 2.8 }, 'metric', 'de-DE').map((e) => e.value), ['40,1 °C', '2,8']);
});

test('dates: month first in the US, day first in Germany and Britain, on the farm clock', () => {
  const at = new Date(NEW_YEARS_EVE).toISOString();
  assert.match(formatFarmTime(at, 'UTC', 'en-US'), /^Dec 31, 2026/);
  assert.match(formatFarmTime(at, 'UTC', 'en-GB'), /^31 Dec 2026/);
  assert.match(formatFarmTime(at, 'UTC', 'de-DE'), /^31\.12\.2026/);
  // The farm's clock, not the viewer's: 18:30 UTC is 19:30 in Berlin.
  assert.match(formatFarmTime(at, 'Europe/Berlin', 'de-DE'), /19:30/);
  assert.match(formatFarmDate('2026-12-31T18:30:00Z', 'UTC', 'en-US'), /^Dec 31, 2026$/);
  assert.match(formatFarmDate('2026-12-31T18:30:00Z', 'UTC', 'de-DE'), /^31\.12\.2026$/);
  assert.match(readingTitle({ ts: at, received_at: at }, 'UTC', 'de-DE'), /^Measured 31\.12\.2026/);
  assert.match(plain(pointLabel(NEW_YEARS_EVE, 'UTC', 'en-US')), /^Dec 31, 18:30$/);
  assert.match(pointLabel(NEW_YEARS_EVE, 'UTC', 'de-DE'), /31.*Dez.*18:30/);
  assert.match(formatFarmDateTime(NEW_YEARS_EVE, 'UTC', 'de-DE'), /18:30/);
  assert.match(axisLabel(Date.UTC(2026, 11, 31), 7 * 86_400_000, 'UTC', 'en-US'), /^Dec 31$/);
  assert.match(axisLabel(Date.UTC(2026, 11, 31), 7 * 86_400_000, 'UTC', 'de-DE'), /^31\. Dez\.?$/);
  assert.equal(formatDay('2026-12-31', 'date', 'en-US'), 'Dec 31, 2026');
  assert.equal(formatDay('2026-12-31', 'date', 'en-GB'), '31 Dec 2026');
  assert.match(formatPeriod({ from: '2026-12-01', to: '2026-12-31' }, 'de-DE'), /1\. Dez\. 2026.*31\. Dez\. 2026 \(31 days\)/);
});

test('decimal separators of the farm locale, for inputs and messages', () => {
  assert.equal(decimalSeparator('de-DE'), ',');
  assert.equal(decimalSeparator('en-GB'), '.');
  assert.equal(withDecimal('From 0.5 to 3.25 °C.', ','), 'From 0,5 to 3,25 °C.');
  assert.equal(withDecimal('0.8', '.'), '0.8');
});

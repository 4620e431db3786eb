// The settings page's rules (issue 6, item 7): the farm's name, time zone, locale and units, checked before the office is asked.
import { FARM_LOCALES, LOCALE_PATTERN } from './farm-format.ts';

export const SETTINGS_QUERY = /* GraphQL */ `query FarmSettings { farm_settings { id name time_zone locale units updated_at } }`;

export const UPDATE_SETTINGS = /* GraphQL */ `mutation UpdateFarmSettings($name: String!, $time_zone: String!, $locale: String!, $units: String!, $at: timestamptz!) {
  update_farm_settings_by_pk(pk_columns: {id: 1}, _set: {name: $name, time_zone: $time_zone, locale: $locale, units: $units, updated_at: $at}) { id name time_zone locale units updated_at }
}`;

export type Units = 'metric' | 'imperial';

export interface FarmSettingsRow {
  id: number;
  name: string;
  time_zone: string;
  /** BCP 47 tag, e.g. de-DE: how every page writes numbers and dates. */
  locale: string;
  units: Units;
  updated_at: string;
}

export const UNIT_OPTIONS: { value: Units; label: string }[] = [
  { value: 'metric', label: '°C (metric)' },
  { value: 'imperial', label: '°F (imperial)' },
];

export const MAX_FARM_NAME = 120;

/** The IANA zones this browser knows, with UTC first (Intl leaves it out of supportedValuesOf in some engines). */
export function timeZones(supported: () => string[] = () => Intl.supportedValuesOf('timeZone')): string[] {
  let zones: string[];
  try {
    zones = supported();
  } catch {
    zones = [];
  }
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

/** The locales offered, with a farm's own tag first when it is not among them (set by SQL, say). */
export function localeOptions(saved: string | undefined): { value: string; label: string }[] {
  return saved && !FARM_LOCALES.some((l) => l.value === saved) ? [{ value: saved, label: saved }, ...FARM_LOCALES] : [...FARM_LOCALES];
}

export interface SettingsForm {
  name: string;
  time_zone: string;
  locale: string;
  units: string;
}

/** Why the form cannot be saved, per field; empty when it can. */
export function settingsProblems(form: SettingsForm, zones: readonly string[]): Partial<Record<keyof SettingsForm, string>> {
  const problems: Partial<Record<keyof SettingsForm, string>> = {};
  const name = form.name.trim();
  if (!name) problems.name = 'The farm needs a name.';
  else if (name.length > MAX_FARM_NAME) problems.name = `At most ${MAX_FARM_NAME} characters.`;
  if (!zones.includes(form.time_zone)) problems.time_zone = 'Choose a time zone from the list.';
  // Any well-formed tag passes (one set by SQL need not be in the list); the office's CHECK is the same pattern.
  if (!LOCALE_PATTERN.test(form.locale)) problems.locale = 'Choose a locale from the list.';
  if (form.units !== 'metric' && form.units !== 'imperial') problems.units = 'Choose °C or °F.';
  return problems;
}

/** Whether the form differs from what the office has (the Save button is off otherwise). */
export function settingsChanged(form: SettingsForm, saved: Pick<FarmSettingsRow, 'name' | 'time_zone' | 'locale' | 'units'>): boolean {
  return form.name.trim() !== saved.name || form.time_zone !== saved.time_zone || form.locale !== saved.locale || form.units !== saved.units;
}

/** The current time on the farm's clock, as a preview of the chosen zone. */
export function zonePreview(timeZone: string, now: Date, locale?: string): string {
  try {
    return new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(now);
  } catch {
    return '';
  }
}

export { displayUnit, type DisplayUnit } from '../../shared/units.ts';

// The farm's conventions for showing numbers and dates (issue 6): its locale (decimal comma or point, day or
// month first) and its time zone. Every page shows figures the farm's way, not the way of the browser that
// happens to look, so a screenshot from the vet's laptop reads the same as the office PC. Kept free of React
// so it can be unit-tested in Node; use-farm-format.ts hands it to the pages.
import { safeTimeZone } from './animal-detail-model.ts';

export interface FarmFormat {
  /** IANA zone, e.g. Europe/Berlin. */
  timeZone: string;
  /** BCP 47 tag, e.g. de-DE (farm_settings.locale). */
  locale: string;
}

/** farm_settings.locale's default (0009_farm_locale.sql): day before month, 24-hour clock, decimal point. */
export const DEFAULT_LOCALE = 'en-GB';

/** The shape farm_settings.locale's CHECK allows: language, optional script, optional region. */
export const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$/;

/** The locales offered in Settings: the farms this dashboard is sold to, each named in English and its own words. */
export const FARM_LOCALES: readonly { value: string; label: string }[] = [
  { value: 'en-GB', label: 'English (United Kingdom)' },
  { value: 'en-US', label: 'English (United States)' },
  { value: 'en-IE', label: 'English (Ireland)' },
  { value: 'en-AU', label: 'English (Australia)' },
  { value: 'en-NZ', label: 'English (New Zealand)' },
  { value: 'en-CA', label: 'English (Canada)' },
  { value: 'de-DE', label: 'Deutsch (Deutschland) · German' },
  { value: 'de-AT', label: 'Deutsch (Österreich) · German (Austria)' },
  { value: 'de-CH', label: 'Deutsch (Schweiz) · German (Switzerland)' },
  { value: 'fr-FR', label: 'Français (France) · French' },
  { value: 'fr-CH', label: 'Français (Suisse) · French (Switzerland)' },
  { value: 'nl-NL', label: 'Nederlands · Dutch' },
  { value: 'nl-BE', label: 'Nederlands (België) · Dutch (Belgium)' },
  { value: 'da-DK', label: 'Dansk · Danish' },
  { value: 'sv-SE', label: 'Svenska · Swedish' },
  { value: 'nb-NO', label: 'Norsk bokmål · Norwegian' },
  { value: 'fi-FI', label: 'Suomi · Finnish' },
  { value: 'pl-PL', label: 'Polski · Polish' },
  { value: 'cs-CZ', label: 'Čeština · Czech' },
  { value: 'es-ES', label: 'Español (España) · Spanish' },
  { value: 'it-IT', label: 'Italiano · Italian' },
  { value: 'pt-PT', label: 'Português (Portugal) · Portuguese' },
  { value: 'pt-BR', label: 'Português (Brasil) · Portuguese (Brazil)' },
];

/**
 * A locale the browser's Intl can use: the farm's tag when it is well formed and known, else the default.
 * A tag saved by SQL that this browser lacks data for must not throw inside every formatter.
 */
export function safeLocale(tag: string | null | undefined): string {
  if (!tag || !LOCALE_PATTERN.test(tag)) return DEFAULT_LOCALE;
  try {
    return Intl.NumberFormat.supportedLocalesOf([tag]).length ? tag : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** The settings the format is read from, as every page's query returns them (either may be missing while loading). */
export function farmFormat(settings: { time_zone?: string | null; locale?: string | null } | undefined): FarmFormat {
  return { timeZone: safeTimeZone(settings?.time_zone ?? undefined), locale: safeLocale(settings?.locale) };
}

/** A number in the farm's locale with up to `maxDecimals` decimals (no trailing zeros). */
export function formatFarmNumber(value: number, locale: string | undefined, maxDecimals = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: maxDecimals }).format(value);
}

/** A number with exactly `decimals` decimals in the farm's locale: what toFixed would show, with the farm's separators. */
export function formatFixed(value: number, decimals: number, locale: string | undefined): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

/** The same instant for every locale's sample: New Year's Eve, evening, so day/month order and the clock show. */
const SAMPLE_INSTANT = Date.UTC(2026, 11, 31, 18, 30);

/** "1,234.5 · 31/12/2026, 18:30" for en-GB, "1.234,5 · 31.12.2026, 18:30" for de-DE: how the choice will read. */
export function localeSample(locale: string): string {
  const tag = safeLocale(locale);
  const number = formatFarmNumber(1234.5, tag, 1);
  const date = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(SAMPLE_INSTANT);
  return `${number} · ${date}`;
}

/** The locale's decimal separator ("," for de-DE, "." for en-GB). */
export function decimalSeparator(locale: string | undefined): string {
  return new Intl.NumberFormat(locale).formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.';
}

/** Text with decimal points written with the locale's separator: "From 0.5 to 3" → "From 0,5 to 3" for de-DE. */
export function withDecimal(text: string, separator: string): string {
  return separator === '.' ? text : text.replace(/(\d)\.(\d)/g, `$1${separator}$2`);
}

// The farm's locale and time zone for every page and chart: asked once by the signed-in shell (App.tsx) and
// handed down through context, so a page that shows a number or a date need not ask the office itself.
import { createContext, useContext } from 'react';
import { DEFAULT_LOCALE, type FarmFormat } from './farm-format.ts';

export interface FarmFormatContextValue extends FarmFormat {
  /** Ask the office again now (after Settings saved a new locale, zone or name). */
  refresh(): void;
}

/** UTC and en-GB until the office has answered (formatFarmTime names the zone, so a time is never ambiguous). */
export const FarmFormatContext = createContext<FarmFormatContextValue>({ timeZone: 'UTC', locale: DEFAULT_LOCALE, refresh: () => {} });

export function useFarmFormat(): FarmFormatContextValue {
  return useContext(FarmFormatContext);
}

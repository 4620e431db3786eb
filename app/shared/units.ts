// The farm's units: the office stores metric values; the dashboard, reports and exports show them in the farm's.

/**
 * How a metric's values are shown under the farm's units: the office stores °C, and an imperial farm reads
 * °F. Only temperatures change (the setting is the temperature unit); kg, L and the rest stay as stored.
 * `convert` is for levels (a reading, a mean, a quartile); a difference of two levels scales by `scale` alone.
 */
export interface DisplayUnit {
  unit: string;
  convert(value: number): number;
  scale: number;
}

export function displayUnit(storedUnit: string, units: string): DisplayUnit {
  if (storedUnit === '°C' && units === 'imperial') return { unit: '°F', convert: (c) => c * 1.8 + 32, scale: 1.8 };
  return { unit: storedUnit, convert: (v) => v, scale: 1 };
}

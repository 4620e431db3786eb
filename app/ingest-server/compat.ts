// Bodies of other platforms' device APIs, turned into native reading items, so firmware written for
// ThingsBoard or farmOS posts to Yoctosehns unchanged.

/** ThingsBoard telemetry: `{"k":v,…}` (time received), `{"ts":ms,"values":{…}}`, or an array of those. */
export function thingsboardTelemetryItems(doc: unknown): unknown[] | string {
  const entries = Array.isArray(doc) ? doc : [doc];
  const items: unknown[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'telemetry must be a JSON object, {"ts":…,"values":{…}}, or an array of those';
    const e = entry as Record<string, unknown>;
    if ('values' in e && typeof e.values === 'object' && e.values !== null && !Array.isArray(e.values)) {
      for (const [metric, value] of Object.entries(e.values)) items.push({ metric, value, ts: e.ts });
    } else {
      for (const [metric, value] of Object.entries(e)) items.push({ metric, value });
    }
  }
  return items;
}

/**
 * farmOS sensor listener and data stream bodies: `{"timestamp":s,"<name>":v,…}` or an array of those.
 * A name is a metric key or alias; `value` stands for the node's configured metric.
 */
export function farmosItems(doc: unknown, nodeMetric: string | null | undefined): unknown[] | string {
  const entries = Array.isArray(doc) ? doc : [doc];
  const items: unknown[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'each entry must be a JSON object such as {"timestamp":1541519720,"value":76.5}';
    const { timestamp, ...values } = entry as Record<string, unknown>;
    for (const [name, value] of Object.entries(values)) {
      // Without a configured metric, "value" stays as it is and is quarantined as an unknown metric.
      const metric = name === 'value' && nodeMetric ? nodeMetric : name;
      items.push(timestamp === undefined ? { metric, value } : { metric, value, ts: timestamp });
    }
  }
  return items;
}

import type { EventEmitter } from 'node:events';
import type { OfficeEvents } from '../office/create-office.ts';
import { ALL_TABLES } from './live.ts';
import type { ChangeFeed } from './types.ts';

/**
 * What a stored batch of readings may have changed: the readings and the latest values, the animals a
 * reading for an unknown ID creates as placeholders, the node's last-seen time, pen readings, the readings
 * held back for inspection, and the request log.
 */
export const READINGS_TABLES: ReadonlySet<string> = new Set([
  'readings',
  'latest_readings',
  'animals',
  'nodes',
  'pen_readings',
  'quarantined_readings',
  'node_requests',
]);
const EVERY_TABLE: ReadonlySet<string> = new Set([ALL_TABLES]);

/**
 * The office's events as table changes for the live-query hub. `change` names a table ('nodes', 'metrics',
 * …), except 'schema': after DDL any table may have changed shape, so every live query runs again.
 */
export function officeChangeFeed(events: EventEmitter<OfficeEvents>): ChangeFeed {
  return {
    onChange(listener) {
      const onReadings = () => listener(READINGS_TABLES);
      const onChange = (what: string) => listener(what === 'schema' ? EVERY_TABLE : new Set([what]));
      events.on('readings', onReadings);
      events.on('change', onChange);
      return () => {
        events.off('readings', onReadings);
        events.off('change', onChange);
      };
    },
  };
}

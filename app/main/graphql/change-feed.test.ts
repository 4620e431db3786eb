import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { OfficeEvents } from '../office/create-office.ts';
import { officeChangeFeed } from './change-feed.ts';

test("the office's events become table changes; 'schema' means every table; unsubscribing stops them", () => {
  const events = new EventEmitter<OfficeEvents>();
  const seen: string[][] = [];
  const stop = officeChangeFeed(events).onChange((tables) => seen.push([...tables].sort()));
  events.emit('readings', { nodeIds: [1], animalIds: [2], accepted: 3 });
  events.emit('change', 'nodes');
  events.emit('change', 'metrics');
  events.emit('change', 'schema');
  assert.deepEqual(seen, [
    ['animals', 'latest_readings', 'node_requests', 'nodes', 'pen_readings', 'quarantined_readings', 'readings'],
    ['nodes'],
    ['metrics'],
    ['*'],
  ]);
  stop();
  events.emit('change', 'animals');
  assert.equal(seen.length, 4);
  assert.equal(events.listenerCount('readings') + events.listenerCount('change'), 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR } from '../farm-clock.ts';
import { findEpisodes, formatHours, trailingWindows } from './episodes.ts';

const t0 = Date.parse('2026-05-01T00:00:00Z');
/** States from a pattern: '1' active, '0' clear, '.' no data. */
const states = (pattern: string) =>
  [...pattern].flatMap((c, i) => (c === '.' ? [] : [{ hour: t0 + i * HOUR, active: c === '1', data: i }]));
const timing = { sustainHours: 3, clearHours: 2, maxGapHours: 2 };
const h = (i: number) => t0 + i * HOUR;

test('raised once sustained, at the end of the hour that made it so; onset is the first hour of the run', () => {
  assert.deepEqual(findEpisodes(states('0011000'), timing).episodes, [], 'two hours are not three');
  const [e] = findEpisodes(states('00111100'), timing).episodes;
  assert.equal(e!.onset, h(2));
  assert.equal(e!.raisedAt, h(5));
  assert.equal(e!.clearedAt, h(6), 'cleared from the first of two clear hours');
  assert.deepEqual(e!.hours.map((s) => s.data), [2, 3, 4, 5]);
});

test('a short dip inside an episode does not clear it; the clear stretch must last clearHours', () => {
  const { episodes } = findEpisodes(states('1110111001'), timing);
  assert.equal(episodes.length, 1);
  assert.equal(episodes[0]!.clearedAt, h(7));
});

test('hours without data neither confirm nor clear; a long gap breaks a run not yet raised', () => {
  assert.equal(findEpisodes(states('11..1'), timing).episodes.length, 1, 'a 2-hour gap is bridged');
  assert.equal(findEpisodes(states('11...1'), timing).episodes.length, 0, 'a 3-hour gap breaks the run');
  const [open] = findEpisodes(states('111......0'), timing).episodes;
  assert.equal(open!.clearedAt, undefined, 'silence does not clear a raised episode');
});

test('clearFrom: the trailing clear stretch, once long enough, with no episode open', () => {
  assert.equal(findEpisodes(states('1110000'), timing).clearFrom, h(3));
  assert.equal(findEpisodes(states('00'), timing).clearFrom, h(0));
  assert.equal(findEpisodes(states('0'), timing).clearFrom, undefined);
});

test('trailing windows go by time, so a missing hour shortens the window rather than reaching further back', () => {
  const pts = [0, 1, 3, 4].map((i) => ({ hour: h(i) }));
  assert.deepEqual(trailingWindows(pts, 2).map((w) => w.length), [1, 2, 1, 2]);
  assert.equal(formatHours(5 * HOUR), '5 h');
  assert.equal(formatHours(50 * HOUR), '2 d 2 h');
});

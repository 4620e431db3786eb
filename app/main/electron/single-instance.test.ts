import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onSecondInstance, opensWindowAtLaunch } from './single-instance.ts';

test('a second launch focuses the existing window', () => {
  assert.deepEqual(onSecondInstance({ window: 'visible', officeReady: true, quitting: false }), ['focus']);
  assert.deepEqual(onSecondInstance({ window: 'minimized', officeReady: true, quitting: false }), ['restore', 'focus']);
  assert.deepEqual(onSecondInstance({ window: 'hidden', officeReady: true, quitting: false }), ['show', 'focus']);
});

test('a second launch while only the tray runs opens the window', () => {
  assert.deepEqual(onSecondInstance({ window: 'none', officeReady: true, quitting: false }), ['create-window']);
});

test('a second launch during start-up shows the window once the office is ready; during quit, nothing', () => {
  assert.deepEqual(onSecondInstance({ window: 'none', officeReady: false, quitting: false }), ['show-when-ready']);
  assert.deepEqual(onSecondInstance({ window: 'visible', officeReady: true, quitting: true }), []);
});

test('started at login it stays in the tray', () => {
  assert.equal(opensWindowAtLaunch(['yoctosehns'], false), true);
  assert.equal(opensWindowAtLaunch(['yoctosehns', '--hidden'], false), false);
  assert.equal(opensWindowAtLaunch(['Yoctosehns'], true), false);
});

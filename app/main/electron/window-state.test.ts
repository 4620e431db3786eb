import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BOUNDS } from './window-policy.ts';
import { clampToDisplays, parseWindowState } from './window-state.ts';

const laptop = { x: 0, y: 0, width: 1920, height: 1040 };
const external = { x: 1920, y: 0, width: 2560, height: 1400 };

test('saved bounds on a display are kept', () => {
  assert.deepEqual(clampToDisplays({ x: 100, y: 80, width: 1200, height: 800 }, [laptop]), { x: 100, y: 80, width: 1200, height: 800 });
  assert.deepEqual(clampToDisplays({ x: 2000, y: 50, width: 2000, height: 1200 }, [laptop, external]), { x: 2000, y: 50, width: 2000, height: 1200 });
});

test('a window saved on a monitor that is gone comes back on the remaining one', () => {
  const b = clampToDisplays({ x: 2000, y: 50, width: 2000, height: 1200 }, [laptop]);
  assert.equal(b.x, undefined, 'centred by Electron');
  assert.equal(b.width, 1920);
  assert.equal(b.height, 1040);
});

test('a window hanging over an edge is pulled inside its display', () => {
  assert.deepEqual(clampToDisplays({ x: 1800, y: 900, width: 1000, height: 700 }, [laptop]), { x: 920, y: 340, width: 1000, height: 700 });
  assert.deepEqual(clampToDisplays({ x: -50, y: -10, width: 1000, height: 700 }, [laptop]), { x: 0, y: 0, width: 1000, height: 700 });
});

test('a title bar off every display drops the position; tiny sizes grow to the minimum', () => {
  assert.equal(clampToDisplays({ x: 100, y: -500, width: 1000, height: 700 }, [laptop]).x, undefined);
  assert.deepEqual(clampToDisplays({ x: 10, y: 10, width: 50, height: 20 }, [laptop]), { x: 10, y: 10, width: 800, height: 560 });
});

test('nothing saved (or no display reported) gives the default size', () => {
  assert.deepEqual(clampToDisplays(undefined, [laptop]), { ...DEFAULT_BOUNDS });
  assert.deepEqual(clampToDisplays({ x: 0, y: 0, width: 900, height: 700 }, []), { ...DEFAULT_BOUNDS });
});

test('a saved state file is read defensively', () => {
  assert.deepEqual(parseWindowState({ bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: true }), { bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: true });
  assert.equal(parseWindowState({ bounds: { x: 1, y: 2, width: 'wide', height: 700 } }), undefined);
  assert.equal(parseWindowState({ bounds: { x: 1, y: 2, width: Infinity, height: 700 } }), undefined);
  assert.equal(parseWindowState(undefined), undefined);
  assert.equal(parseWindowState('{}'), undefined);
});

// The window's size and position, remembered between runs. Saved bounds can point at a monitor that has
// since been unplugged (a laptop taken off its dock): clampToDisplays keeps the window reachable.
import { DEFAULT_BOUNDS, MIN_SIZE, type Bounds } from './window-policy.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

/** How much of the window's title bar must be on a display for the saved position to be kept. */
const MIN_VISIBLE = 64;

function isRect(v: unknown): v is Rect {
  const r = v as Rect;
  return !!r && typeof r === 'object' && [r.x, r.y, r.width, r.height].every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** Reads a saved state (the file's JSON); anything malformed gives undefined (start with defaults). */
export function parseWindowState(json: unknown): WindowState | undefined {
  const s = json as { bounds?: unknown; maximized?: unknown } | null;
  if (!s || typeof s !== 'object' || !isRect(s.bounds)) return undefined;
  return { bounds: { ...s.bounds }, maximized: s.maximized === true };
}

function overlap(a: Rect, b: Rect): Rect {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  return { x, y, width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - x), height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - y) };
}

/**
 * The bounds to open the window with, given the saved bounds and the work areas of the displays now
 * attached. The size is kept within the largest display; a position whose title bar is not visible on any
 * display is dropped (the window is centred on the primary display instead).
 */
export function clampToDisplays(saved: Rect | undefined, workAreas: Rect[]): Bounds {
  if (!saved || workAreas.length === 0) return { ...DEFAULT_BOUNDS };
  const maxW = Math.max(...workAreas.map((a) => a.width));
  const maxH = Math.max(...workAreas.map((a) => a.height));
  const width = Math.round(Math.min(Math.max(saved.width, MIN_SIZE.width), maxW));
  const height = Math.round(Math.min(Math.max(saved.height, MIN_SIZE.height), maxH));
  const titleBar: Rect = { x: saved.x, y: saved.y, width, height: 32 };
  const home = workAreas.find((area) => {
    const o = overlap(titleBar, area);
    return o.width >= Math.min(MIN_VISIBLE, width) && o.height > 0;
  });
  if (!home) return { width: Math.min(width, workAreas[0]!.width), height: Math.min(height, workAreas[0]!.height) };
  // Keep it on the display it was on, pushed inside that display where it hung over an edge.
  const x = Math.round(Math.min(Math.max(saved.x, home.x), home.x + home.width - Math.min(width, home.width)));
  const y = Math.round(Math.min(Math.max(saved.y, home.y), home.y + home.height - Math.min(height, home.height)));
  return { x, y, width: Math.min(width, home.width), height: Math.min(height, home.height) };
}

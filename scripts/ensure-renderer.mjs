#!/usr/bin/env node
// Builds the renderer when dist/renderer is missing or older than its sources, so `npm run serve`,
// `npm start` and `npm run demo` always serve the current dashboard without a separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'dist/renderer/index.html');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p));
    else t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(root, 'app/renderer')), newest(join(root, 'app/shared')));
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);
process.stderr.write('building the dashboard (vite)…\n');
const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'app/renderer/vite.config.ts', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);

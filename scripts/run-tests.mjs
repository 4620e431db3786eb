#!/usr/bin/env node
// `npm test`: type-check, build the dashboard, make sure a Chromium is there, then run every test
// (unit, integration against real offices on loopback, Playwright end to end) with node's test runner.
// The last line is always `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findChromium } from './chromium.mjs';
import { startPostgres } from './postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function step(title, cmd, args, options = {}) {
  process.stdout.write(`\n▶ ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) {
    process.stdout.write(`✗ ${title} failed\n0 passed, 1 failed\n`);
    process.exit(1);
  }
}

function testFiles(dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(p);
  }
  return out;
}

const bin = (name) => join(root, 'node_modules/.bin', name);
if (only.length === 0) {
  step('type-check (office and renderer)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  step('type-check renderer', bin('tsc'), ['-p', 'app/renderer/tsconfig.json', '--noEmit']);
  step('type-check renderer build and tests', bin('tsc'), ['-p', 'app/renderer/tsconfig.node.json', '--noEmit']);
  step('build the dashboard', process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'app/renderer/vite.config.ts', '--logLevel', 'warn']);
}

const chromium = findChromium({ install: true });
if (!chromium.path) {
  process.stdout.write(`✗ no Chromium for the browser tests: ${chromium.reason}\n0 passed, 1 failed\n`);
  process.exit(1);
}
// The external-database mode is tested against a real PostgreSQL server; without one those tests say why
// they skip. YOCTOSEHNS_TEST_DATABASE_URL set by the caller is used as it is.
let postgres;
const env = { ...process.env, YOCTOSEHNS_CHROMIUM: chromium.path };
if (!env.YOCTOSEHNS_TEST_DATABASE_URL) {
  try {
    postgres = await startPostgres();
    env.YOCTOSEHNS_TEST_DATABASE_URL = postgres.url;
    process.stdout.write(`\n▶ PostgreSQL ${postgres.version} for the external-database tests on ${postgres.url}\n`);
  } catch (err) {
    process.stdout.write(`\n▶ no PostgreSQL server for the external-database tests (they will skip): ${err.message}\n`);
  }
}
process.stdout.write(`\n▶ tests (Chromium: ${chromium.path})\n`);

const files = only.length ? only : ['app', 'e2e', 'scripts'].filter((d) => existsSync(join(root, d))).flatMap(testFiles).map((f) => relative(root, join(root, f)));
const countsDir = mkdtempSync(join(tmpdir(), 'ys-counts-'));
const countsFile = join(countsDir, 'counts.json');
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/count-reporter.mjs')}`, `--test-reporter-destination=${countsFile}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env },
);
await postgres?.stop();
let counts = { passed: 0, failed: 1, skipped: 0 };
try {
  counts = JSON.parse(readFileSync(countsFile, 'utf8'));
} catch {
  process.stdout.write('✗ the test runner ended without reporting its counts\n');
}
rmSync(countsDir, { recursive: true, force: true });
const failed = counts.failed + (r.status !== 0 && counts.failed === 0 ? 1 : 0);
process.stdout.write(`${counts.passed} passed, ${failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}\n`);
process.exit(failed ? 1 : 0);

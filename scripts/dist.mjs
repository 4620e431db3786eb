#!/usr/bin/env node
// `npm run dist [-- --dir] [--win|--linux|--mac]`: builds the desktop installers with electron-builder
// (electron-builder.yml). Decides first, in one pure function (app/main/electron/dist-plan.ts), whether
// this machine can: without a way to get Electron it stops with one clear line, before building anything.
// With ELECTRON_DIST=/path/to/unpacked-electron and --dir it makes an unpacked build offline.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { register } from 'tsx/esm/api';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

function fail(line, code = 1) {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

register();
const { planDist, downloadProbeUrl } = await import('../app/main/electron/dist-plan.ts');
const { findElectron } = await import('../app/main/electron/find-electron.ts');

function entries(dir) {
  try {
    return statSync(dir).isDirectory() ? readdirSync(dir) : null;
  } catch {
    return null;
  }
}

async function reachable(url) {
  try {
    await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}

function resolves(specifier) {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}

const env = process.env;
const electron = findElectron();
const electronPkg = resolves('electron/package.json');
const given = env.ELECTRON_DIST;
const plan = planDist({
  argv: process.argv.slice(2),
  env,
  platform: process.platform,
  cwd: process.cwd(),
  electronDistEntries: given ? entries(isAbsolute(given) ? given : resolve(process.cwd(), given)) : undefined,
  localElectron: 'path' in electron && electronPkg ? { dir: join(dirname(electronPkg), 'dist') } : { reason: 'reason' in electron ? electron.reason : 'the electron package is not installed' },
  downloadsReachable: given && process.argv.includes('--dir') ? false : await reachable(downloadProbeUrl(env)),
  builderInstalled: !!resolves('electron-builder/package.json'),
});
if (!plan.ok) fail(plan.error);
process.stdout.write(`npm run dist: building ${plan.summary}\n`);

const renderer = spawnSync(process.execPath, [join(root, 'scripts/ensure-renderer.mjs')], { cwd: root, stdio: 'inherit' });
if (renderer.status !== 0) fail('npm run dist: building the dashboard (vite) failed; see above');
try {
  const { buildDesktop } = await import('../app/main/electron/build.ts');
  await buildDesktop({ minify: true });
} catch (err) {
  fail(`npm run dist: building the desktop bundles (esbuild) failed: ${err.message.split('\n')[0]}`);
}

const cli = join(dirname(require.resolve('electron-builder/package.json')), 'cli.js');
const builder = spawnSync(process.execPath, [cli, ...plan.args], { cwd: root, stdio: 'inherit', env });
if (builder.status !== 0) fail(`npm run dist: electron-builder failed (exit ${builder.status ?? builder.signal}); its messages are above`);
process.stdout.write('npm run dist: done; the results are in dist/installers/\n');

// The desktop app end to end.
// 1. Through Playwright's _electron: launch the app, wait for its window and see the Herd page connected.
//    It runs wherever an Electron binary exists and skips, saying why, where none does.
// 2. Packaging: `npm run dist` fails in one line when it cannot get Electron, and with an Electron folder
//    (here a stand-in: a file carrying Electron's fuse sentinel) makes an unpacked build whose office
//    runs from app.asar.unpacked and whose binary has the fuses flipped.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { tempDataDir } from '../app/db/testing/snapshot.ts';
import { buildDesktop } from '../app/main/electron/build.ts';
import { REQUIRED_FUSES } from '../app/main/electron/fuses.ts';
import { findElectron } from '../app/main/electron/find-electron.ts';
import { ROOT, runCli } from './support/processes.ts';

const require = createRequire(import.meta.url);
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const tmp = mkdtempSync(join(tmpdir(), 'ys-electron-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Why the Electron test cannot run here, or false when it can. */
function electronSkipReason(): string | false {
  const electron = findElectron();
  if ('reason' in electron) return `no Electron binary on this machine: ${electron.reason}`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display for Electron (run the tests under xvfb-run)';
  return false;
}

test('the desktop app opens its window on the Herd page, connected to its office', { skip: electronSkipReason(), timeout: 180_000 }, async () => {
  const electron = findElectron() as { path: string };
  const built = await buildDesktop();
  const { dataDir, snapshot, cleanup } = await tempDataDir('ys-electron-farm-');
  // The farm has its owner (the first-run screen is the browser's way; here the CLI's): the desktop window then
  // needs no password, it gets the local user's token through the preload.
  const owner = await runCli(['user', 'add', '--name', 'owner', '--role', 'owner', '--password-stdin', '--data-dir', dataDir], { YOCTOSEHNS_INIT_SNAPSHOT: snapshot }, 'a long farm password\n');
  assert.equal(owner.code, 0, owner.stderr);
  const app = await _electron.launch({
    executablePath: electron.path,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), // Chromium refuses to run as root with its OS sandbox
      built.main,
      '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--ingest-host', '127.0.0.1', '--ingest-port', '0',
    ],
    env: { ...process.env, YOCTOSEHNS_DESKTOP_DIR: join(tmp, 'profile'), YOCTOSEHNS_INIT_SNAPSHOT: snapshot, ELECTRON_ENABLE_LOGGING: '1' } as Record<string, string>,
    timeout: 60_000,
  });
  try {
    const page = await app.firstWindow({ timeout: 60_000 });
    await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('connection-status').innerText(), 'Connected');
    assert.match(page.url(), /^http:\/\/127\.0\.0\.1:\d+\//, 'the window shows the office’s loopback URL');
    // The page is a plain web page: no Node, and only the preload's typed API.
    assert.equal(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require), 'undefined');
    assert.equal(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process), 'undefined');
    const api = await page.evaluate(async () => {
      const y = (globalThis as unknown as { yoctosehns: Record<string, () => Promise<unknown>> }).yoctosehns;
      const token = await y.getAccessToken!();
      return { keys: Object.keys(y).sort(), version: await y.getVersion!(), jwt: typeof token === 'string' && token.split('.').length === 3 };
    });
    assert.deepEqual(api, { keys: ['getAccessToken', 'getLocalToken', 'getVersion', 'openDataFolder', 'saveFile'], version, jwt: true });
    // One window: the office's page, not a second Electron window for anything.
    assert.equal(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length), 1);
  } finally {
    await app.close();
    cleanup();
  }
});

test('npm run dist without a way to get Electron fails with one clear line', () => {
  const r = spawnSync(process.execPath, ['scripts/dist.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    // A mirror that refuses connections: the same answer as a farm PC or CI machine without internet.
    env: { ...process.env, ELECTRON_DIST: '', ELECTRON_MIRROR: 'http://127.0.0.1:9/' },
    timeout: 60_000,
  });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^npm run dist: cannot build installers here: .*ELECTRON_DIST=\/path\/to\/electron npm run dist -- --dir$/);

  const wrong = spawnSync(process.execPath, ['scripts/dist.mjs', '--dir'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ELECTRON_DIST: join(tmp, 'nowhere') }, timeout: 60_000 });
  assert.equal(wrong.status, 1);
  assert.equal(wrong.stderr, `npm run dist: ELECTRON_DIST=${join(tmp, 'nowhere')} is not a folder\n`);
});

/** A stand-in for an unpacked Linux Electron: what electron-builder copies, renames and flips fuses in. */
function standInElectron(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const sentinel = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX', 'ascii');
  // Fuse wire v1 with 9 fuses, all in Electron's default state ('1' = on; wasm trap handlers last).
  const wire = Buffer.from([1, 9, ...Buffer.from('101011001', 'ascii')]);
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n# '), sentinel, wire, Buffer.from('\n')]));
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<html></html>\n');
  writeFileSync(join(dir, 'version'), `${(require('electron/package.json') as { version: string }).version}\n`);
}

test('ELECTRON_DIST=… npm run dist -- --dir makes an unpacked build: asar, unpacked office, fuses', { skip: process.platform !== 'linux' && 'the stand-in Electron folder is a Linux one', timeout: 300_000 }, async () => {
  const electronDir = join(tmp, 'electron-dist');
  standInElectron(electronDir);
  const out = join(ROOT, 'dist', 'installers', 'linux-unpacked');
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ['scripts/dist.mjs', '--dir'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ELECTRON_DIST: electronDir }, timeout: 280_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /npm run dist: building an unpacked build with the Electron in /);

  // The binary: renamed, fuses flipped as electron-builder.yml asks.
  const binary = readFileSync(join(out, 'yoctosehns'));
  const at = binary.indexOf('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX') + 32;
  const wire = [...binary.subarray(at + 2, at + 2 + 8)].map((b) => String.fromCharCode(b)).join('');
  const order = ['runAsNode', 'enableCookieEncryption', 'enableNodeOptionsEnvironmentVariable', 'enableNodeCliInspectArguments', 'enableEmbeddedAsarIntegrityValidation', 'onlyLoadAppFromAsar', null, 'grantFileProtocolExtraPrivileges'] as const;
  order.forEach((fuse, i) => {
    if (fuse) assert.equal(wire[i], REQUIRED_FUSES[fuse] ? '1' : '0', fuse);
  });

  // The archive: the shell and a package.json pointing at it; no dependency but PGlite.
  const asar = require('@electron/asar') as { listPackage(p: string): string[]; extractFile(p: string, f: string): Buffer };
  const archive = join(out, 'resources', 'app.asar');
  const files = asar.listPackage(archive).map((f) => f.replaceAll('\\', '/'));
  for (const f of ['/package.json', '/dist/electron/main.cjs', '/dist/electron/preload.cjs', '/resources/tray-icon.png']) assert.ok(files.includes(f), f);
  assert.equal(JSON.parse(asar.extractFile(archive, 'package.json').toString()).main, 'dist/electron/main.cjs');
  assert.deepEqual([...new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/').slice(2, 4).join('/')))].filter((m) => m !== '@electric-sql' && m !== '@electric-sql/pglite'), []);
  assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps shipped');

  // Unpacked beside it: the office, the renderer it serves and PGlite's WASM, as plain files.
  const unpacked = join(out, 'resources', 'app.asar.unpacked');
  for (const f of ['dist/office/office.mjs', 'dist/office/pglite-worker.js', 'dist/office/migrations/0001_farm.sql', 'dist/renderer/index.html', 'node_modules/@electric-sql/pglite/dist/pglite.wasm']) {
    assert.ok(existsSync(join(unpacked, f)), f);
  }
  assert.match(readFileSync(join(out, 'resources', 'app-update.yml'), 'utf8'), /provider: generic/);

  // The packaged office runs from there (plain Node stands in for the utilityProcess).
  const dataDir = join(tmp, 'packaged-farm');
  const office = spawn(process.execPath, [join(unpacked, 'dist/office/office.mjs'), '--data-dir', dataDir, '--port', '0', '--ingest-port', '0', '--ingest-host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const api = await new Promise<string>((resolve, reject) => {
      let text = '';
      office.stdout.on('data', (d) => {
        text += d;
        const m = /ready api=(\S+)/.exec(text);
        if (m) resolve(m[1]!);
      });
      office.stderr.on('data', (d) => (text += d));
      office.once('exit', (code) => reject(new Error(`the packaged office exited (${code}): ${text}`)));
    });
    const page = await (await fetch(api)).text();
    assert.match(page, /<title>Yoctosehns<\/title>/, 'the packaged renderer is served');
    const health = (await (await fetch(`${api}/v1/health`)).json()) as { version: string };
    assert.equal(health.version, version);
  } finally {
    office.kill('SIGTERM');
    await new Promise((resolve) => office.once('exit', resolve));
  }
});

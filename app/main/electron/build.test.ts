// The desktop bundles as they are shipped, exercised without Electron: the office bundle runs under plain
// Node; main.cjs and preload.cjs run against a stand-in 'electron' module (testing/fake-electron.cjs) that
// plays Electron's part. This is what can be checked of the shell on a machine with no Electron binary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDesktop, REPO_ROOT, type DesktopBuild } from './build.ts';
import { DESKTOP_IPC } from '../../shared/desktop-api.ts';
import { STATUS_QUERY } from './office-status.ts';
import { WINDOW_CSP } from './window-policy.ts';

const FAKE = fileURLToPath(new URL('./testing/fake-electron.cjs', import.meta.url));
// Inside the repository so the office bundle finds node_modules/@electric-sql/pglite as a package would.
const out = join(REPO_ROOT, 'dist', `test-build-${process.pid}`);
const tmp = mkdtempSync(join(tmpdir(), 'ys-desktop-'));
let built: DesktopBuild;

before(async () => {
  built = await buildDesktop({ outDir: out });
});
after(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs `script` in a Node process whose require('electron') is the stand-in; returns its JSON report. */
function withFakeElectron(script: string, env: Record<string, string> = {}, argv: string[] = []): Record<string, any> {
  const dir = mkdtempSync(join(tmp, 'run-'));
  const r = spawnSync(process.execPath, ['--require', FAKE, '-e', script, '--', ...argv], {
    encoding: 'utf8',
    env: { ...process.env, FAKE_ELECTRON_DIR: dir, ...env },
    timeout: 30_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
  assert.ok(line, `no report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ...JSON.parse(line.slice(7)), dir };
}

test('the office bundle is plain files: ES modules, its migrations, PGlite left as a package', () => {
  assert.ok(existsSync(built.office));
  assert.ok(existsSync(join(built.officeDir, 'pglite-worker.js')));
  assert.deepEqual(JSON.parse(readFileSync(join(built.officeDir, 'package.json'), 'utf8')).type, 'module');
  assert.ok(existsSync(join(built.officeDir, 'migrations', '0001_farm.sql')));
  const code = readFileSync(built.office, 'utf8');
  assert.match(readFileSync(join(built.officeDir, 'pglite-worker.js'), 'utf8'), /from "@electric-sql\/pglite"/);
  assert.doesNotMatch(code, /pglite\.wasm/, 'PGlite itself is not bundled');
  assert.doesNotMatch(code, /tsx\/esm\/api/, 'no TypeScript loader at run time');
  assert.match(code, /VERSION = "\d+\.\d+\.\d+"/, 'the version is written in');
});

test('the office bundle starts under plain Node and answers the tray’s status query', async () => {
  const dataDir = join(tmp, 'farm');
  const child = spawn(process.execPath, [built.office, '--data-dir', dataDir, '--port', '0', '--ingest-port', '0', '--ingest-host', '127.0.0.1', '--renderer-dir', join(REPO_ROOT, 'dist', 'renderer')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const api = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /ready api=(\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the office exited (${code}): ${stderr}`)));
      setTimeout(() => reject(new Error(`no ready line in 60 s: ${stderr}`)), 60_000).unref();
    });
    const health = (await (await fetch(`${api}/v1/health`)).json()) as { status: string };
    assert.equal(health.status, 'ok');
    const status = await (await fetch(`${api}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': readFileSync(join(dataDir, 'secrets', 'control.key'), 'utf8').trim() }, body: JSON.stringify({ query: STATUS_QUERY }) })).json();
    assert.deepEqual(status, { data: { nodes: [], alerts: [] } });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(existsSync(join(dataDir, 'office.lock')), false, 'stopped cleanly: the data dir is unlocked');
});

test('the preload exposes only the typed API, through contextBridge, and requires nothing but electron', () => {
  const code = readFileSync(built.preload, 'utf8');
  assert.deepEqual([...new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]))], ['electron']);
  const report = withFakeElectron(`
    require(${JSON.stringify(built.preload)});
    const api = globalThis.yoctosehns;
    Promise.all([api.getVersion(), api.getAccessToken(), api.getLocalToken(), api.openDataFolder(), api.saveFile('a.csv', 'x')]).then((answers) => {
      console.log('REPORT ' + JSON.stringify({ calls: __fakeElectron.calls, answers, frozen: Object.isFrozen(api), keys: Object.keys(globalThis).includes('ipcRenderer') }));
    });
  `);
  assert.deepEqual(report.calls[0], ['contextBridge.exposeInMainWorld', 'yoctosehns', ['getAccessToken', 'getLocalToken', 'saveFile', 'openDataFolder', 'getVersion']]);
  assert.deepEqual(report.answers, [DESKTOP_IPC.getVersion, DESKTOP_IPC.getAccessToken, DESKTOP_IPC.getLocalToken, DESKTOP_IPC.openDataFolder, DESKTOP_IPC.saveFile]);
  assert.equal(report.frozen, true);
  assert.equal(report.keys, false);
});

const DRIVER = (main: string) => `
  const fake = globalThis.__fakeElectron;
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  require(${JSON.stringify(main)});
  (async () => {
    await wait(200);
    const r = {};
    const win = fake.windows[0];
    r.window = win && win.options;
    r.forks = fake.calls.filter((c) => c[0] === 'utilityProcess.fork').map((c) => c[1]);
    r.start = fake.calls.find((c) => c[0] === 'office.postMessage')?.[1];
    r.loaded = fake.calls.filter((c) => c[0] === 'window.loadURL').map((c) => c[1]);
    const office = { senderFrame: { url: 'http://127.0.0.1:8471/' } };
    const evil = { senderFrame: { url: 'https://evil.example/' } };
    r.version = await fake.handlers.ipc.get(${JSON.stringify(DESKTOP_IPC.getVersion)})(office);
    r.token = await fake.handlers.ipc.get(${JSON.stringify(DESKTOP_IPC.getAccessToken)})(office);
    try { await fake.handlers.ipc.get(${JSON.stringify(DESKTOP_IPC.getVersion)})(evil); r.evilIpc = 'answered'; } catch (e) { r.evilIpc = e.message; }
    r.channels = [...fake.handlers.ipc.keys()].sort();
    fake.handlers.permissionRequest(null, 'media', (ok) => (r.media = ok), { requestingUrl: 'http://127.0.0.1:8471/' });
    fake.handlers.headers({ url: 'http://127.0.0.1:8471/', responseHeaders: {} }, (res) => (r.csp = res.responseHeaders['Content-Security-Policy']));
    r.popupExternal = win.webContents.openHandler({ url: 'https://www.icar.org/' });
    r.popupFile = win.webContents.openHandler({ url: 'file:///etc/passwd' });
    let prevented = false;
    win.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    r.evilNavigationPrevented = prevented;
    prevented = false;
    win.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'http://127.0.0.1:8471/herd');
    r.ownNavigationPrevented = prevented;
    const before = fake.calls.length;
    fake.app.emit('second-instance');
    r.secondInstance = fake.calls.slice(before).map((c) => c[0]);
    r.windowsAfterSecondInstance = fake.windows.length;
    fake.children[0].emit('exit', 1);
    await wait(1300);
    r.forksAfterCrash = fake.calls.filter((c) => c[0] === 'utilityProcess.fork').length;
    fake.app.quit();
    await wait(100);
    r.quit = fake.calls.filter((c) => /^app\\.(quit|exited)$/.test(c[0]) || (c[0] === 'office.postMessage' && c[1].type === 'stop')).map((c) => c[0] + (c[1] ? ':' + c[1].type : ''));
    r.tooltips = fake.calls.filter((c) => c[0] === 'tray.setToolTip').map((c) => c[1]);
    r.menu = fake.calls.some((c) => c[0] === 'Menu.setApplicationMenu');
    r.userData = fake.app.getPath('userData');
    console.log('REPORT ' + JSON.stringify(r));
    process.exit(0);
  })();
`;

test('main process: office in a utilityProcess, a hardened window on its URL, guards wired, restart, clean quit', () => {
  const r = withFakeElectron(DRIVER(built.main), {}, ['--inspect=0', '--data-dir', '/tmp/farm-x', '--port', '8471']);
  assert.deepEqual(r.forks, [built.office]);
  assert.deepEqual(r.start, { type: 'start', argv: ['--data-dir', '/tmp/farm-x', '--port', '8471'], rendererDir: join(out, 'renderer') });
  assert.equal(r.window.webPreferences.contextIsolation, true);
  assert.equal(r.window.webPreferences.sandbox, true);
  assert.equal(r.window.webPreferences.nodeIntegration, false);
  assert.equal(r.window.webPreferences.preload, built.preload);
  assert.deepEqual(r.loaded, ['http://127.0.0.1:8471']);
  assert.equal(r.version, JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  assert.equal(r.token, null, 'no token until the office can mint them');
  assert.equal(r.evilIpc, 'refused');
  assert.deepEqual(r.channels, Object.values(DESKTOP_IPC).sort());
  assert.equal(r.media, false);
  assert.deepEqual(r.csp, [WINDOW_CSP]);
  assert.deepEqual(r.popupExternal, { action: 'deny' });
  assert.deepEqual(r.popupFile, { action: 'deny' });
  assert.equal(r.evilNavigationPrevented, true);
  assert.equal(r.ownNavigationPrevented, false);
  assert.deepEqual(r.secondInstance, ['window.show', 'window.focus'], 'a second launch brings the existing window forward');
  assert.equal(r.windowsAfterSecondInstance, 1);
  assert.equal(r.forksAfterCrash, 2, 'the office is restarted after it dies');
  assert.deepEqual(r.quit, ['app.quit', 'office.postMessage:stop', 'app.quit', 'app.exited'], 'the office stops cleanly before the app quits');
  assert.ok(r.tooltips.some((t: string) => /^Yoctosehns\n/.test(t)));
  assert.equal(r.menu, true);
  assert.ok(existsSync(join(r.userData, 'logs', 'desktop.log')), 'logs in the user data folder');
});

test('main process: a second instance hands over and quits without starting an office', () => {
  const r = withFakeElectron(`
    require(${JSON.stringify(built.main)});
    setTimeout(() => console.log('REPORT ' + JSON.stringify({ calls: __fakeElectron.calls.map((c) => c[0]) })), 100);
  `, { FAKE_LOCK: 'taken' });
  assert.ok(r.calls.includes('app.quit'));
  assert.ok(!r.calls.includes('utilityProcess.fork'));
});

test('main process: an office that cannot start is reported to the farmer, not retried', () => {
  const r = withFakeElectron(`
    require(${JSON.stringify(built.main)});
    setTimeout(() => console.log('REPORT ' + JSON.stringify({ calls: __fakeElectron.calls })), 300);
  `, { FAKE_OFFICE: 'fails' });
  const forks = r.calls.filter((c: unknown[]) => c[0] === 'utilityProcess.fork');
  assert.equal(forks.length, 1);
  const box = r.calls.find((c: unknown[]) => c[0] === 'dialog.showMessageBox')?.[1];
  assert.equal(box?.message, 'The Yoctosehns office is not running');
  assert.match(box?.detail, /The office cannot start: the data dir is locked by another office[\s\S]*logs/);
  assert.ok(r.calls.some((c: unknown[]) => c[0] === 'app.quit'), 'Quit was chosen');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downloadProbeUrl, planDist, type DistFacts } from './dist-plan.ts';

const facts = (over: Partial<DistFacts> = {}): DistFacts => ({
  argv: [],
  env: {},
  platform: 'linux',
  cwd: '/repo',
  electronDistEntries: undefined,
  localElectron: { reason: 'Electron failed to install correctly, please delete node_modules/electron and try installing again' },
  downloadsReachable: false,
  builderInstalled: true,
  ...over,
});

test('with internet, electron-builder builds the installers and never publishes', () => {
  assert.deepEqual(planDist(facts({ downloadsReachable: true })), { ok: true, args: ['--publish', 'never'], summary: 'installers (electron-builder downloads Electron and its tools)' });
  const win = planDist(facts({ downloadsReachable: true, argv: ['--win', '--x64'] }));
  assert.deepEqual(win.ok && win.args, ['--win', '--x64', '--publish', 'never']);
});

test('without a binary or network it fails with one clear line', () => {
  const plan = planDist(facts());
  assert.equal(plan.ok, false);
  const error = plan.ok ? '' : plan.error;
  assert.equal(error.split('\n').length, 1, 'one line');
  assert.match(error, /^npm run dist: cannot build installers here: .*unreachable.*Electron failed to install correctly.*ELECTRON_DIST=\/path\/to\/electron npm run dist -- --dir$/);
});

test('an Electron folder makes an unpacked build offline', () => {
  const plan = planDist(facts({ argv: ['--dir'], env: { ELECTRON_DIST: 'vendor/electron' }, electronDistEntries: ['electron', 'resources', 'LICENSE'] }));
  assert.deepEqual(plan, { ok: true, args: ['--dir', '--publish', 'never', '-c.electronDist=/repo/vendor/electron'], summary: 'an unpacked build with the Electron in /repo/vendor/electron' });
  const win = planDist(facts({ argv: ['--dir', '--win'], env: { ELECTRON_DIST: 'C:/electron' }, platform: 'win32', electronDistEntries: ['electron.exe'] }));
  assert.equal(win.ok, true);
});

test('a wrong Electron folder is named in the error', () => {
  const missing = planDist(facts({ argv: ['--dir'], env: { ELECTRON_DIST: '/nowhere' }, electronDistEntries: null }));
  assert.deepEqual(missing, { ok: false, error: 'npm run dist: ELECTRON_DIST=/nowhere is not a folder' });
  const wrong = planDist(facts({ argv: ['--dir'], env: { ELECTRON_DIST: '/tmp/x' }, electronDistEntries: ['README.md'] }));
  assert.match(wrong.ok ? '' : wrong.error, /holds no electron \(it must be an unpacked Electron for linux\)/);
  const other = planDist(facts({ argv: ['--dir', '--mac'], env: { ELECTRON_DIST: '/tmp/x' }, electronDistEntries: ['electron'] }));
  assert.match(other.ok ? '' : other.error, /holds no Electron\.app/);
  const two = planDist(facts({ argv: ['--dir', '--mac', '--linux'], env: { ELECTRON_DIST: '/tmp/x' }, electronDistEntries: ['electron'] }));
  assert.match(two.ok ? '' : two.error, /one platform at a time/);
});

test('installers from an Electron folder still need the packaging tools electron-builder downloads', () => {
  const plan = planDist(facts({ env: { ELECTRON_DIST: '/e' }, electronDistEntries: ['electron'] }));
  assert.match(plan.ok ? '' : plan.error, /add --dir/);
  const online = planDist(facts({ env: { ELECTRON_DIST: '/e' }, electronDistEntries: ['electron'], downloadsReachable: true }));
  assert.deepEqual(online.ok && online.args, ['--publish', 'never', '-c.electronDist=/e']);
});

test('node_modules’ own Electron serves an unpacked build for this platform', () => {
  const plan = planDist(facts({ argv: ['--dir'], localElectron: { dir: '/repo/node_modules/electron/dist' } }));
  assert.deepEqual(plan.ok && plan.args, ['--dir', '--publish', 'never', '-c.electronDist=/repo/node_modules/electron/dist']);
  assert.equal(planDist(facts({ argv: ['--dir', '--win'], localElectron: { dir: '/x' } })).ok, false, 'not for another platform');
  assert.equal(planDist(facts({ localElectron: { dir: '/x' } })).ok, false, 'not for installers');
});

test('unknown options and a missing electron-builder are refused in one line', () => {
  assert.deepEqual(planDist(facts({ argv: ['--publish', 'always'] })).ok, false);
  assert.match((planDist(facts({ argv: ['--nsis'] })) as { error: string }).error, /^npm run dist: unknown option --nsis/);
  assert.deepEqual(planDist(facts({ builderInstalled: false, downloadsReachable: true })), { ok: false, error: 'npm run dist: electron-builder is not installed; run npm install first' });
});

test('the reachability probe follows the configured mirror', () => {
  assert.equal(downloadProbeUrl({}), 'https://github.com/electron/electron/releases');
  assert.equal(downloadProbeUrl({ ELECTRON_MIRROR: 'https://mirror.example/electron/' }), 'https://mirror.example/electron/');
});

// Reads electron-builder.yml as electron-builder will and checks what the issue asks of the packaging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { REQUIRED_FUSES } from './fuses.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const targets = (platform: string): string[] => (config[platform].target as { target: string }[]).map((t) => t.target);

test('the app is identified and its icons come from resources/', () => {
  assert.equal(config.appId, 'org.yoctosehns.app');
  assert.equal(config.productName, 'Yoctosehns');
  assert.equal(config.directories.buildResources, 'resources');
  for (const platform of ['win', 'linux', 'mac']) {
    assert.match(config[platform].icon, /^resources\//);
    assert.ok(existsSync(join(root, config[platform].icon)), `${config[platform].icon} exists`);
  }
  const png = readFileSync(join(root, 'resources/icon.png'));
  assert.equal(png.readUInt32BE(16), 512, 'icon.png is 512 px wide (electron-builder makes .ico and .icns from it)');
  assert.equal(png.readUInt32BE(20), 512);
});

test('targets: Windows NSIS, Linux AppImage and deb, macOS dmg', () => {
  assert.deepEqual(targets('win'), ['nsis']);
  assert.deepEqual(targets('linux').sort(), ['AppImage', 'deb']);
  assert.deepEqual(targets('mac'), ['dmg']);
  assert.equal(config.nsis.deleteAppDataOnUninstall, false, "an uninstall never deletes the farm's data");
  assert.ok(config.linux.maintainer, 'deb needs a maintainer');
});

test('files: the shell, the office bundle, the renderer and PGlite’s WASM, in an asar', () => {
  assert.equal(config.asar, true);
  assert.equal(config.extraMetadata.main, 'dist/electron/main.cjs');
  for (const f of ['package.json', 'dist/electron/**', 'dist/office/**', 'dist/renderer/**', 'node_modules/@electric-sql/pglite/dist/**']) {
    assert.ok(config.files.includes(f), `files includes ${f}`);
  }
  // electron-builder applies the patterns in order: every dependency is excluded before PGlite is named.
  assert.ok(config.files.indexOf('!node_modules/**') < config.files.indexOf('node_modules/@electric-sql/pglite/dist/**'));
  for (const f of ['dist/office/**', 'dist/renderer/**', 'node_modules/@electric-sql/pglite/**']) assert.ok(config.asarUnpack.includes(f), `asarUnpack ${f}`);
  assert.ok(existsSync(join(root, 'node_modules/@electric-sql/pglite/dist/pglite.wasm')), 'PGlite ships its WASM where the pattern points');
});

test('fuses: no RunAsNode, no NODE_OPTIONS, cookie encryption, asar integrity, app only from asar', () => {
  assert.deepEqual(config.electronFuses, REQUIRED_FUSES);
  assert.equal(config.electronFuses.runAsNode, false);
  assert.equal(config.electronFuses.enableNodeOptionsEnvironmentVariable, false);
  assert.equal(config.electronFuses.enableCookieEncryption, true);
  assert.equal(config.electronFuses.enableEmbeddedAsarIntegrityValidation, true);
  assert.equal(config.electronFuses.onlyLoadAppFromAsar, true);
});

test('updates never block an offline farm: a generic feed, nothing published by npm run dist', () => {
  assert.equal(config.publish[0].provider, 'generic');
  assert.match(config.publish[0].url, /\.invalid\//, 'a placeholder until a real feed exists');
  assert.equal(config.npmRebuild, false, 'no native rebuild (and no download for one)');
});

test('package.json pins electron-builder 26.14.0 (the last that builds dir/zip offline) and has the dist script', () => {
  assert.equal(pkg.devDependencies['electron-builder'], '26.14.0');
  assert.equal(pkg.scripts.dist, 'node scripts/dist.mjs');
  assert.ok(pkg.devDependencies.electron && !pkg.dependencies?.electron, 'electron must be a devDependency for electron-builder');
});

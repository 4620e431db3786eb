import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkForUpdate, isNewerVersion, latestFileName, readFlatYaml, updateFeedUrl, updateFromFeed } from './update-check.ts';

test('semantic versions compare numerically; a pre-release is older than its release', () => {
  assert.equal(isNewerVersion('0.2.0', '0.1.9'), true);
  assert.equal(isNewerVersion('0.10.0', '0.9.0'), true);
  assert.equal(isNewerVersion('0.1.0', '0.1.0'), false);
  assert.equal(isNewerVersion('1.0.0-beta.1', '1.0.0'), false);
  assert.equal(isNewerVersion('1.0.0', '1.0.0-beta.1'), true);
  assert.equal(isNewerVersion('v1.2.3', '1.2.2'), true);
  assert.equal(isNewerVersion('garbage', '1.0.0'), false);
});

test('the feed URL comes from app-update.yml; the placeholder means not configured', () => {
  assert.equal(updateFeedUrl('provider: generic\nurl: https://updates.example.org/yoctosehns\nupdaterCacheDirName: x\n'), 'https://updates.example.org/yoctosehns/');
  assert.equal(updateFeedUrl("provider: generic\nurl: 'https://updates.yoctosehns.example.invalid/'\n"), undefined);
  assert.equal(updateFeedUrl('provider: github\nowner: x\n'), undefined);
  assert.equal(updateFeedUrl(undefined), undefined);
  assert.deepEqual(readFlatYaml("version: 0.2.0\npath: 'Yoctosehns Setup 0.2.0.exe'\nfiles:\n  - url: x\n"), { version: '0.2.0', path: 'Yoctosehns Setup 0.2.0.exe', files: '' });
});

test('latest*.yml is compared with the running version', () => {
  assert.deepEqual(updateFromFeed('https://u.example/feed/', 'version: 0.2.0\npath: Yoctosehns-0.2.0.AppImage\n', '0.1.0'), {
    state: 'available',
    current: '0.1.0',
    latest: '0.2.0',
    downloadUrl: 'https://u.example/feed/Yoctosehns-0.2.0.AppImage',
  });
  assert.deepEqual(updateFromFeed('https://u.example/feed/', 'version: 0.1.0\n', '0.1.0'), { state: 'up-to-date', current: '0.1.0' });
  assert.equal(updateFromFeed('https://u.example/feed/', 'nothing: here\n', '0.1.0').state, 'failed');
  assert.equal(latestFileName('linux'), 'latest-linux.yml');
  assert.equal(latestFileName('win32'), 'latest.yml');
  assert.equal(latestFileName('darwin'), 'latest-mac.yml');
});

test('an offline farm gets a clear answer, not a hang', async () => {
  const offline = (async () => {
    throw new TypeError('fetch failed');
  }) as unknown as typeof fetch;
  const r = await checkForUpdate({ appUpdateYml: 'provider: generic\nurl: https://u.example/feed\n', platform: 'linux', current: '0.1.0', fetch: offline });
  assert.deepEqual(r, { state: 'failed', message: 'no connection to the update server (fetch failed)' });
  assert.deepEqual(await checkForUpdate({ appUpdateYml: undefined, platform: 'linux', current: '0.1.0', fetch: offline }), { state: 'not-configured' });
});

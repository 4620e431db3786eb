import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllowedNavigation, isExternalLinkAllowed, windowOptions } from './window-policy.ts';

test('the window runs the renderer isolated, sandboxed and without Node', () => {
  const { webPreferences } = windowOptions('/x/preload.cjs');
  assert.equal(webPreferences.contextIsolation, true);
  assert.equal(webPreferences.sandbox, true);
  assert.equal(webPreferences.nodeIntegration, false);
  assert.equal(webPreferences.webSecurity, true);
  assert.equal(webPreferences.preload, '/x/preload.cjs');
});

test('navigation is allowed only within the office origin', () => {
  const office = 'http://127.0.0.1:8471';
  assert.equal(isAllowedNavigation(office, 'http://127.0.0.1:8471/herd'), true);
  assert.equal(isAllowedNavigation(office, 'http://127.0.0.1:8472/'), false);
  assert.equal(isAllowedNavigation(office, 'https://example.org/'), false);
  assert.equal(isAllowedNavigation(office, 'file:///etc/passwd'), false);
  assert.equal(isAllowedNavigation(office, 'not a url'), false);
});

test('only http(s) links may open in the system browser', () => {
  assert.equal(isExternalLinkAllowed('https://www.icar.org/'), true);
  assert.equal(isExternalLinkAllowed('file:///C:/Windows/system32/calc.exe'), false);
  assert.equal(isExternalLinkAllowed('javascript:alert(1)'), false);
  assert.equal(isExternalLinkAllowed('smb://server/share'), false);
});

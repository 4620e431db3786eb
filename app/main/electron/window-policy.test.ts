import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSP as OFFICE_PAGE_CSP } from '../office/static-files.ts';
import {
  DENY_ALL_CSP,
  isAllowedNavigation,
  isExternalLinkAllowed,
  isPermissionAllowed,
  isTrustedIpcSender,
  newWindowDecision,
  parseCsp,
  WINDOW_CSP,
  windowOptions,
  withContentSecurityPolicy,
} from './window-policy.ts';

const office = 'http://127.0.0.1:8471';

test('the window runs the renderer isolated, sandboxed and without Node', () => {
  const { webPreferences, show } = windowOptions('/x/preload.cjs');
  assert.equal(webPreferences.contextIsolation, true);
  assert.equal(webPreferences.sandbox, true);
  assert.equal(webPreferences.nodeIntegration, false);
  assert.equal(webPreferences.nodeIntegrationInWorker, false);
  assert.equal(webPreferences.nodeIntegrationInSubFrames, false);
  assert.equal(webPreferences.webSecurity, true);
  assert.equal(webPreferences.allowRunningInsecureContent, false);
  assert.equal(webPreferences.webviewTag, false);
  assert.equal(webPreferences.spellcheck, false, 'no dictionary downloads from an offline farm');
  assert.equal(webPreferences.devTools, false, 'developer tools only in development builds');
  assert.equal(webPreferences.preload, '/x/preload.cjs');
  assert.equal(show, false, 'shown once painted');
  assert.equal(windowOptions(undefined, { devTools: true }).webPreferences.devTools, true);
});

test('the window opens with the bounds it is given', () => {
  const o = windowOptions(undefined, { bounds: { x: 10, y: 20, width: 900, height: 600 } });
  assert.deepEqual([o.x, o.y, o.width, o.height], [10, 20, 900, 600]);
});

test('navigation is allowed only within the office origin', () => {
  assert.equal(isAllowedNavigation(office, 'http://127.0.0.1:8471/herd'), true);
  assert.equal(isAllowedNavigation(office, 'http://127.0.0.1:8472/'), false);
  assert.equal(isAllowedNavigation(office, 'http://localhost:8471/'), false);
  assert.equal(isAllowedNavigation(office, 'https://127.0.0.1:8471/'), false);
  assert.equal(isAllowedNavigation(office, 'https://example.org/'), false);
  assert.equal(isAllowedNavigation(office, 'file:///etc/passwd'), false);
  assert.equal(isAllowedNavigation(office, 'data:text/html,<script>1</script>'), false);
  assert.equal(isAllowedNavigation(office, 'not a url'), false);
  assert.equal(isAllowedNavigation('', 'http://127.0.0.1:8471/'), false, 'nothing is allowed before the office is known');
});

test('only http(s) links may open in the system browser', () => {
  assert.equal(isExternalLinkAllowed('https://www.icar.org/'), true);
  assert.equal(isExternalLinkAllowed('http://vet.example/'), true);
  assert.equal(isExternalLinkAllowed('file:///C:/Windows/system32/calc.exe'), false);
  assert.equal(isExternalLinkAllowed('javascript:alert(1)'), false);
  assert.equal(isExternalLinkAllowed('smb://server/share'), false);
  assert.equal(isExternalLinkAllowed('ms-msdt:/id PCWDiagnostic'), false);
});

test('new windows are always denied; external http(s) links go to the system browser', () => {
  assert.deepEqual(newWindowDecision(office, 'https://www.icar.org/'), { action: 'deny', openExternal: true });
  assert.deepEqual(newWindowDecision(office, `${office}/herd`), { action: 'deny', openExternal: false });
  assert.deepEqual(newWindowDecision(office, 'file:///etc/passwd'), { action: 'deny', openExternal: false });
  assert.deepEqual(newWindowDecision(office, 'javascript:alert(1)'), { action: 'deny', openExternal: false });
});

test('IPC is answered only for frames of the office origin', () => {
  assert.equal(isTrustedIpcSender(`${office}/`, office), true);
  assert.equal(isTrustedIpcSender(`${office}/herd?x=1`, office), true);
  assert.equal(isTrustedIpcSender('https://evil.example/', office), false);
  assert.equal(isTrustedIpcSender('chrome-error://chromewebdata/', office), false);
  assert.equal(isTrustedIpcSender('about:blank', office), false);
  assert.equal(isTrustedIpcSender(undefined, office), false);
  assert.equal(isTrustedIpcSender(`${office}/`, undefined), false, 'no office yet: nobody is trusted');
});

test('permission requests are denied, except clipboard writes from the office page', () => {
  for (const p of ['media', 'geolocation', 'notifications', 'midi', 'hid', 'serial', 'usb', 'openExternal', 'clipboard-read', 'fullscreen', 'display-capture']) {
    assert.equal(isPermissionAllowed(p, `${office}/`, office), false, p);
  }
  assert.equal(isPermissionAllowed('clipboard-sanitized-write', `${office}/`, office), true);
  assert.equal(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/', office), false);
  assert.equal(isPermissionAllowed('clipboard-sanitized-write', undefined, office), false);
});

test('the window CSP runs only the office’s own scripts', () => {
  const csp = parseCsp(WINDOW_CSP);
  assert.deepEqual(csp.get('default-src'), ["'self'"]);
  assert.deepEqual(csp.get('script-src'), ["'self'"], 'no inline script, no eval');
  assert.deepEqual(csp.get('object-src'), ["'none'"]);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(csp.get('base-uri'), ["'none'"]);
  assert.ok(!WINDOW_CSP.includes('unsafe-eval'));
  assert.ok(!WINDOW_CSP.includes('*'));
});

test('the window CSP is no looser than the policy the office sends with its pages', () => {
  const page = parseCsp(OFFICE_PAGE_CSP);
  const ours = parseCsp(WINDOW_CSP);
  for (const [directive, sources] of page) {
    const mine = ours.get(directive);
    assert.ok(mine, `the window CSP sets ${directive}`);
    for (const s of mine) assert.ok(sources.includes(s), `${directive} ${s} is not allowed by the page's own policy`);
  }
});

test('responses from the office get the window CSP; anything else gets a deny-all policy', () => {
  const fromOffice = withContentSecurityPolicy({ 'content-type': ['text/html'], 'Content-Security-Policy': ["default-src *"] }, `${office}/`, office);
  assert.deepEqual(fromOffice['Content-Security-Policy'], [WINDOW_CSP]);
  assert.deepEqual(fromOffice['content-type'], ['text/html']);
  assert.equal(Object.keys(fromOffice).filter((k) => k.toLowerCase() === 'content-security-policy').length, 1, 'the loose header is replaced, not added to');
  const lower = withContentSecurityPolicy({ 'content-security-policy': "script-src 'unsafe-inline'" }, `${office}/x.js`, office);
  assert.deepEqual(lower['Content-Security-Policy'], [WINDOW_CSP]);
  assert.equal(lower['content-security-policy'], undefined);
  assert.deepEqual(withContentSecurityPolicy({}, 'https://evil.example/', office)['Content-Security-Policy'], [DENY_ALL_CSP]);
  assert.deepEqual(withContentSecurityPolicy(undefined, `${office}/`, undefined)['Content-Security-Policy'], [DENY_ALL_CSP], 'before the office is known');
});

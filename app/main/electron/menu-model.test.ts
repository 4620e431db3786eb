import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appMenuModel, menuCommands, type MenuItemModel } from './menu-model.ts';

const roles = (items: MenuItemModel[]): string[] => items.flatMap((i) => ('submenu' in i ? roles(i.submenu) : 'role' in i ? [i.role] : []));
const labels = (items: MenuItemModel[]) => items.map((i) => ('label' in i ? i.label : ''));

test('Windows and Linux get File, Edit, View, Window, Help', () => {
  const menu = appMenuModel({ platform: 'win32', development: false, startAtLogin: false });
  assert.deepEqual(labels(menu), ['&File', '&Edit', '&View', '&Window', '&Help']);
  assert.ok(roles(menu).includes('quit'));
  assert.deepEqual(new Set(menuCommands(menu)), new Set(['open-data-folder', 'open-logs-folder', 'toggle-start-at-login', 'close-to-tray', 'check-for-updates', 'about']));
});

test('macOS gets its application menu first, with about, updates and quit', () => {
  const menu = appMenuModel({ platform: 'darwin', development: false, startAtLogin: true });
  assert.deepEqual(labels(menu), ['Yoctosehns', 'File', 'Edit', 'View', 'Window', 'Help']);
  const app = menu[0]!;
  assert.ok('submenu' in app && roles(app.submenu).includes('quit') && menuCommands(app.submenu).includes('check-for-updates'));
  assert.equal(menuCommands(menu).filter((c) => c === 'check-for-updates').length, 1);
});

test('developer tools and reload exist only in development builds', () => {
  assert.ok(!roles(appMenuModel({ platform: 'linux', development: false, startAtLogin: undefined })).includes('toggleDevTools'));
  assert.ok(!roles(appMenuModel({ platform: 'linux', development: false, startAtLogin: undefined })).includes('reload'));
  assert.ok(roles(appMenuModel({ platform: 'linux', development: true, startAtLogin: undefined })).includes('toggleDevTools'));
});

test('start at login is offered only where supported', () => {
  assert.ok(!menuCommands(appMenuModel({ platform: 'linux', development: true, startAtLogin: undefined })).includes('toggle-start-at-login'));
  const menu = appMenuModel({ platform: 'linux', development: false, startAtLogin: true });
  const file = menu[0]!;
  const item = 'submenu' in file ? file.submenu.find((i) => 'command' in i && i.command === 'toggle-start-at-login') : undefined;
  assert.ok(item && 'checked' in item && item.checked === true);
});

test('closing the window from the menu says the office keeps running', () => {
  const file = appMenuModel({ platform: 'linux', development: false, startAtLogin: undefined })[0]!;
  assert.ok('submenu' in file && file.submenu.some((i) => 'command' in i && i.command === 'close-to-tray' && /keeps running/.test(i.label)));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autostartDesktopEntry, loginItemSupport } from './login-item.ts';

const base = { packaged: true, execPath: '/opt/Yoctosehns/yoctosehns', env: {}, home: '/home/farmer' };

test('Windows and macOS use the system login items, started hidden in the tray', () => {
  assert.deepEqual(loginItemSupport({ ...base, platform: 'win32' }), { kind: 'electron', args: ['--hidden'] });
  assert.deepEqual(loginItemSupport({ ...base, platform: 'darwin' }), { kind: 'electron', args: ['--hidden'] });
});

test('Linux gets an XDG autostart entry; an AppImage starts the .AppImage file', () => {
  const deb = loginItemSupport({ ...base, platform: 'linux' });
  assert.equal(deb.kind, 'xdg-autostart');
  assert.equal(deb.kind === 'xdg-autostart' && deb.file, '/home/farmer/.config/autostart/yoctosehns.desktop');
  assert.match(deb.kind === 'xdg-autostart' ? deb.entry : '', /^Exec=\/opt\/Yoctosehns\/yoctosehns --hidden$/m);
  const appimage = loginItemSupport({ ...base, platform: 'linux', env: { APPIMAGE: '/home/farmer/Apps/Yoctosehns 0.1.0.AppImage', XDG_CONFIG_HOME: '/cfg' } });
  assert.equal(appimage.kind === 'xdg-autostart' && appimage.file, '/cfg/autostart/yoctosehns.desktop');
  assert.match(appimage.kind === 'xdg-autostart' ? appimage.entry : '', /^Exec="\/home\/farmer\/Apps\/Yoctosehns 0\.1\.0\.AppImage" --hidden$/m);
});

test('a development run is never registered to start at login', () => {
  assert.equal(loginItemSupport({ ...base, platform: 'win32', packaged: false }).kind, 'unsupported');
});

test('the desktop entry is a valid XDG entry', () => {
  const entry = autostartDesktopEntry('/usr/bin/yoctosehns');
  assert.match(entry, /^\[Desktop Entry\]\nType=Application\nName=Yoctosehns\n/);
  assert.match(entry, /Terminal=false/);
});

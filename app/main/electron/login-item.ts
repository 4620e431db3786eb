// "Start with this computer": the office should be listening when the farm PC boots, without a window.
// Windows and macOS keep login items themselves (app.setLoginItemSettings); Linux desktops read
// ~/.config/autostart/*.desktop (the XDG autostart convention), which Electron does not write.
import { join } from 'node:path';

export const HIDDEN_FLAG = '--hidden';

export type LoginItemSupport =
  | { kind: 'electron'; args: string[] }
  | { kind: 'xdg-autostart'; file: string; entry: string }
  | { kind: 'unsupported'; reason: string };

export function loginItemSupport(input: {
  platform: NodeJS.Platform;
  packaged: boolean;
  execPath: string;
  env: Record<string, string | undefined>;
  home: string;
}): LoginItemSupport {
  // A development run would register node_modules' Electron binary: never useful, often confusing.
  if (!input.packaged) return { kind: 'unsupported', reason: 'only an installed Yoctosehns can start with the computer' };
  if (input.platform === 'win32' || input.platform === 'darwin') return { kind: 'electron', args: [HIDDEN_FLAG] };
  if (input.platform === 'linux') {
    // An AppImage runs from a temporary mount: start the .AppImage file itself.
    const exec = input.env.APPIMAGE || input.execPath;
    const configHome = input.env.XDG_CONFIG_HOME || join(input.home, '.config');
    return { kind: 'xdg-autostart', file: join(configHome, 'autostart', 'yoctosehns.desktop'), entry: autostartDesktopEntry(exec) };
  }
  return { kind: 'unsupported', reason: `start at login is not supported on ${input.platform}` };
}

/** Quotes an Exec= argument as the Desktop Entry Specification asks. */
function quoteExec(arg: string): string {
  return /[\s"'\\$`]/.test(arg) ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
}

export function autostartDesktopEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Yoctosehns',
    'Comment=Keeps receiving readings from the farm nodes',
    `Exec=${quoteExec(exec)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

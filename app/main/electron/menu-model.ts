// The application menu as plain data: standard items are Electron roles, our own carry a command that
// main.ts maps to an action. Developer tools appear only in development builds.

export type MenuCommand = 'open-data-folder' | 'open-logs-folder' | 'check-for-updates' | 'toggle-start-at-login' | 'about' | 'close-to-tray';

export type MenuRole =
  | 'appMenu' | 'about' | 'services' | 'hide' | 'hideOthers' | 'unhide' | 'quit' | 'close'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll'
  | 'reload' | 'forceReload' | 'toggleDevTools' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen'
  | 'minimize' | 'zoom' | 'front' | 'window';

export type MenuItemModel =
  | { type: 'separator' }
  | { role: MenuRole; label?: string }
  | { label: string; command: MenuCommand; accelerator?: string; type?: 'checkbox'; checked?: boolean }
  | { label: string; role?: 'fileMenu' | 'editMenu' | 'viewMenu' | 'windowMenu' | 'help'; submenu: MenuItemModel[] };

export interface MenuState {
  platform: NodeJS.Platform;
  /** Development build (not packaged): adds reload and developer tools. */
  development: boolean;
  /** undefined where the platform offers no start-at-login. */
  startAtLogin: boolean | undefined;
}

const SEP = { type: 'separator' } as const;

export function appMenuModel(state: MenuState): MenuItemModel[] {
  const mac = state.platform === 'darwin';
  const startAtLogin: MenuItemModel[] =
    state.startAtLogin === undefined ? [] : [{ label: 'Start with this computer', command: 'toggle-start-at-login', type: 'checkbox', checked: state.startAtLogin }];
  const menu: MenuItemModel[] = [];
  if (mac) {
    menu.push({
      label: 'Yoctosehns',
      submenu: [{ role: 'about' }, SEP, { label: 'Check for updates…', command: 'check-for-updates' }, ...startAtLogin, SEP, { role: 'services' }, SEP, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, SEP, { role: 'quit' }],
    });
  }
  menu.push({
    label: mac ? 'File' : '&File',
    submenu: [
      { label: 'Open data folder', command: 'open-data-folder' },
      { label: 'Open logs folder', command: 'open-logs-folder' },
      SEP,
      ...(mac ? [] : startAtLogin),
      { label: 'Close window (office keeps running)', command: 'close-to-tray', accelerator: 'CmdOrCtrl+W' },
      ...(mac ? [] : [SEP, { role: 'quit', label: 'Quit Yoctosehns' } as MenuItemModel]),
    ],
  });
  menu.push({
    label: mac ? 'Edit' : '&Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, SEP, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });
  menu.push({
    label: mac ? 'View' : '&View',
    submenu: [
      ...(state.development ? [{ role: 'reload' } as MenuItemModel, { role: 'forceReload' } as MenuItemModel, { role: 'toggleDevTools' } as MenuItemModel, SEP] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      SEP,
      { role: 'togglefullscreen' },
    ],
  });
  menu.push({ label: mac ? 'Window' : '&Window', role: 'windowMenu', submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, SEP, { role: 'front' }] : [{ role: 'minimize' }] });
  menu.push({
    label: mac ? 'Help' : '&Help',
    role: 'help',
    submenu: [
      ...(mac ? [] : [{ label: 'Check for updates…', command: 'check-for-updates' } as MenuItemModel]),
      { label: 'About Yoctosehns', command: 'about' },
    ],
  });
  return menu;
}

/** Every command the menu offers (main.ts must handle each). */
export function menuCommands(items: MenuItemModel[]): MenuCommand[] {
  const out: MenuCommand[] = [];
  for (const item of items) {
    if ('command' in item) out.push(item.command);
    if ('submenu' in item) out.push(...menuCommands(item.submenu));
  }
  return out;
}

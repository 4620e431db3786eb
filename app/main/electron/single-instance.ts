// A second launch of the app (double-clicking the icon while it runs in the tray) must not start a second
// office on the same data dir: the first instance keeps the lock and brings its window forward instead.

export type WindowPresence = 'none' | 'minimized' | 'hidden' | 'visible';

export type SecondInstanceAction = 'create-window' | 'restore' | 'show' | 'focus' | 'show-when-ready';

/** What the running instance does when another launch hands over to it. */
export function onSecondInstance(state: { window: WindowPresence; officeReady: boolean; quitting: boolean }): SecondInstanceAction[] {
  if (state.quitting) return [];
  if (!state.officeReady) return ['show-when-ready'];
  switch (state.window) {
    case 'none':
      return ['create-window'];
    case 'minimized':
      return ['restore', 'focus'];
    case 'hidden':
      return ['show', 'focus'];
    case 'visible':
      return ['focus'];
  }
}

/** Launched by the system at login (with --hidden): start the office in the tray without a window. */
export function opensWindowAtLaunch(argv: string[], openedAtLogin: boolean): boolean {
  return !openedAtLogin && !argv.includes('--hidden');
}

// The tray icon's tooltip and menu as plain data; main.ts turns it into a native Menu and maps each
// command to its action. The tray is how the farmer reaches the office once the window is closed.
import type { OfficeStatus } from './office-status.ts';

export type TrayCommand = 'open-window' | 'toggle-start-at-login' | 'open-data-folder' | 'quit';

export type TrayItem =
  | { type: 'normal'; label: string; command?: TrayCommand; enabled: boolean }
  | { type: 'checkbox'; label: string; command: TrayCommand; checked: boolean; enabled: boolean }
  | { type: 'separator' };

export interface TrayState {
  /** null while the office is starting (or restarting). */
  status: OfficeStatus | null;
  officeRunning: boolean;
  /** undefined where the platform offers no start-at-login. */
  startAtLogin: boolean | undefined;
}

/** One line per fact, short enough for a tooltip. */
export function statusLines(state: TrayState): string[] {
  if (!state.officeRunning) return ['Office stopped: readings are not being received'];
  if (!state.status) return ['Office starting…'];
  if (state.status.state === 'unavailable') return ['Office running', 'Status unavailable'];
  const { nodesOnline, nodesTotal, openAlerts } = state.status;
  return [`Nodes online: ${nodesOnline} of ${nodesTotal}`, openAlerts === 0 ? 'No open alerts' : `Open alerts: ${openAlerts}`];
}

export function trayTooltip(state: TrayState): string {
  return ['Yoctosehns', ...statusLines(state)].join('\n');
}

export function trayMenuModel(state: TrayState): TrayItem[] {
  const items: TrayItem[] = [
    { type: 'normal', label: 'Open Yoctosehns', command: 'open-window', enabled: state.officeRunning },
    { type: 'separator' },
    ...statusLines(state).map((label): TrayItem => ({ type: 'normal', label, enabled: false })),
    { type: 'separator' },
    { type: 'normal', label: 'Open data folder', command: 'open-data-folder', enabled: true },
  ];
  if (state.startAtLogin !== undefined) {
    items.push({ type: 'checkbox', label: 'Start with this computer', command: 'toggle-start-at-login', checked: state.startAtLogin, enabled: true });
  }
  items.push({ type: 'separator' }, { type: 'normal', label: 'Quit (stop receiving readings)', command: 'quit', enabled: true });
  return items;
}

// Electron's main process, kept thin: it takes the single-instance lock, starts the office in a
// utilityProcess (database work off the UI thread), waits for its ready signal and opens a window on the
// office's loopback URL. Closing the window leaves the office running, so nodes keep posting.
// (The tray, preload token handoff, menu and packaging hooks come with the Electron shell issue.)
import { app, BrowserWindow, shell, utilityProcess, dialog, type UtilityProcess } from 'electron';
import { isAllowedNavigation, isExternalLinkAllowed, windowOptions } from './window-policy.ts';

declare const OFFICE_ENTRY: string; // set by the build (start.ts) to the office entry module's path

let officeUrl: string | undefined;
let office: UtilityProcess | undefined;
let window: BrowserWindow | undefined;

function startOffice(): Promise<string> {
  return new Promise((resolve, reject) => {
    office = utilityProcess.fork(OFFICE_ENTRY, process.argv.slice(2), { stdio: 'inherit', serviceName: 'Yoctosehns office' });
    office.on('message', (msg: { type?: string; api?: string; error?: string }) => {
      if (msg.type === 'ready' && msg.api) resolve(msg.api);
      if (msg.type === 'failed') reject(new Error(msg.error ?? 'the office failed to start'));
    });
    office.on('exit', (code) => reject(new Error(`the office stopped (exit code ${code})`)));
  });
}

function openWindow(url: string): void {
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
    return;
  }
  window = new BrowserWindow(windowOptions());
  window.webContents.on('will-navigate', (event, target) => {
    if (!isAllowedNavigation(url, target)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url: target }) => {
    if (isExternalLinkAllowed(target) && !isAllowedNavigation(url, target)) void shell.openExternal(target);
    return { action: 'deny' };
  });
  window.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = undefined));
  void window.loadURL(url);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => officeUrl && openWindow(officeUrl));
  app.on('window-all-closed', () => {
    /* keep running: the office goes on receiving readings */
  });
  app.on('before-quit', () => office?.kill());
  app.whenReady().then(async () => {
    try {
      officeUrl = await startOffice();
      openWindow(officeUrl);
    } catch (err) {
      dialog.showErrorBox('Yoctosehns could not start', (err as Error).message);
      app.exit(1);
    }
  });
  app.on('activate', () => officeUrl && openWindow(officeUrl));
}

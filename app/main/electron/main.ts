// Electron's main process, kept thin: every decision lives in a pure module beside this file (tested
// without Electron); this file only wires them to Electron's hooks.
//  - single-instance lock: a second launch brings the running window forward (single-instance.ts);
//  - the office runs in a utilityProcess (dist/office/office.mjs), restarted with backoff when it dies and
//    given up on, with a notice, when it keeps dying (restart-policy.ts);
//  - one BrowserWindow on the office's loopback URL, isolated and sandboxed, navigation and new windows
//    refused, CSP enforced, permissions denied, IPC answered only for the office's origin (window-policy.ts);
//  - closing the window leaves the office running in the tray (tray-model.ts), which shows nodes online
//    and open alerts (office-status.ts); start at login is an option (login-item.ts);
//  - logs go to <userData>/logs (file-log.ts); window bounds to <userData>/window-state.json.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type UtilityProcess,
} from 'electron';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DESKTOP_IPC, type LocalToken, type SaveFileResult } from '../../shared/desktop-api.ts';
import { readSecret } from '../security/secrets.ts';
import { OFFICE_FLAG_OPTIONS } from '../config/config.ts';
import { parseSaveFileRequest, saveDialogFilters } from './desktop-ipc.ts';
import { createFileLogger } from './file-log.ts';
import { officeArgsFrom } from './launch-args.ts';
import { loginItemSupport } from './login-item.ts';
import { appMenuModel, type MenuCommand, type MenuItemModel } from './menu-model.ts';
import type { FromOffice, ToOffice } from './office-process.ts';
import { fetchOfficeStatus, type OfficeStatus } from './office-status.ts';
import { decideRestart, type OfficeExit } from './restart-policy.ts';
import { onSecondInstance, opensWindowAtLaunch, type WindowPresence } from './single-instance.ts';
import { trayMenuModel, trayTooltip, type TrayCommand, type TrayItem } from './tray-model.ts';
import { checkForUpdate } from './update-check.ts';
import { clampToDisplays, parseWindowState, type WindowState } from './window-state.ts';
import { isAllowedNavigation, isPermissionAllowed, isTrustedIpcSender, newWindowDecision, withContentSecurityPolicy, windowOptions } from './window-policy.ts';

declare const YOCTOSEHNS_VERSION: string; // written in by build.ts

// ---------------------------------------------------------------------------------------------- paths
// The office's files are unpacked from app.asar (electron-builder.yml asarUnpack): the office and its
// PGlite worker then run from plain files, and PGlite reads its WASM from disk.
const unpacked = (p: string) => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
const PRELOAD = join(__dirname, 'preload.cjs');
const OFFICE_ENTRY = unpacked(join(__dirname, '..', 'office', 'office.mjs'));
const RENDERER_DIR = unpacked(join(__dirname, '..', 'renderer'));
const RESOURCES = join(__dirname, '..', '..', 'resources');
const VERSION = app.isPackaged ? app.getVersion() : YOCTOSEHNS_VERSION;

// Electron's own files (cache, local storage) go to a subfolder, so the data folder the farmer opens holds
// the office's files. YOCTOSEHNS_DESKTOP_DIR moves the whole desktop profile (tests use a fresh one).
app.setName('Yoctosehns');
app.setPath('userData', process.env.YOCTOSEHNS_DESKTOP_DIR || join(app.getPath('appData'), 'Yoctosehns'));
app.setPath('sessionData', join(app.getPath('userData'), 'browser'));
const log = createFileLogger(join(app.getPath('userData'), 'logs'), { echo: !app.isPackaged });
const SETTINGS_FILE = join(app.getPath('userData'), 'desktop-settings.json');
const WINDOW_STATE_FILE = join(app.getPath('userData'), 'window-state.json');

// --------------------------------------------------------------------------------------------- state
const office = {
  proc: undefined as UtilityProcess | undefined,
  url: undefined as string | undefined,
  dataDir: undefined as string | undefined,
  ready: false,
  exits: [] as OfficeExit[],
  lastFailure: undefined as { error: string; permanent: boolean } | undefined,
  restartTimer: undefined as NodeJS.Timeout | undefined,
};
let window: BrowserWindow | undefined;
let tray: Tray | undefined;
let status: OfficeStatus | null = null;
let statusTimer: NodeJS.Timeout | undefined;
let showWhenReady = opensWindowAtLaunch(process.argv, app.isPackaged && process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
let quitting = false;
let officeStopped = false;

const officeArgv = officeArgsFrom(process.argv.slice(1), Object.keys(OFFICE_FLAG_OPTIONS));
const loginItem = loginItemSupport({ platform: process.platform, packaged: app.isPackaged, execPath: process.execPath, env: process.env, home: homedir() });

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function writeJson(file: string, value: unknown): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  } catch (err) {
    log.warn('could not save a settings file', { file, err: err as Error });
  }
}

function notify(title: string, body: string): void {
  log.info('notice', { title, body });
  if (Notification.isSupported()) new Notification({ title, body, icon: join(RESOURCES, 'icon.png') }).show();
  else tray?.displayBalloon?.({ title, content: body });
}

// -------------------------------------------------------------------------------------------- office
function startOffice(): void {
  office.ready = false;
  office.lastFailure = undefined;
  const proc = utilityProcess.fork(OFFICE_ENTRY, [], { stdio: 'pipe', serviceName: 'Yoctosehns office' });
  office.proc = proc;
  proc.stdout?.on('data', (chunk: Buffer) => log.office(chunk.toString('utf8')));
  proc.stderr?.on('data', (chunk: Buffer) => log.office(chunk.toString('utf8')));
  proc.once('spawn', () => proc.postMessage({ type: 'start', argv: officeArgv, rendererDir: RENDERER_DIR } satisfies ToOffice));
  proc.on('message', (msg: FromOffice) => {
    if (msg.type === 'ready') {
      const moved = office.url !== undefined && office.url !== msg.api;
      office.url = msg.api;
      office.dataDir = msg.dataDir;
      office.ready = true;
      log.info('office ready', { api: msg.api, ingest: msg.ingest, dataDir: msg.dataDir });
      // After a restart on another port (--port 0) the open window follows; otherwise its page reconnects by itself.
      if (window && !window.isDestroyed() && moved) void window.loadURL(msg.api);
      if (showWhenReady) {
        showWhenReady = false;
        openWindow();
      }
      void refreshStatus();
    } else if (msg.type === 'failed') {
      office.lastFailure = { error: msg.error, permanent: msg.permanent };
      log.error('office failed to start', { error: msg.error, permanent: msg.permanent });
    }
  });
  proc.once('exit', (code: number) => onOfficeExit(proc, code));
}

function onOfficeExit(proc: UtilityProcess, code: number): void {
  if (office.proc !== proc) return;
  office.proc = undefined;
  office.ready = false;
  status = null;
  refreshTray();
  if (quitting) {
    officeStopped = true;
    app.quit();
    return;
  }
  const exit: OfficeExit = { at: Date.now(), code, permanent: office.lastFailure?.permanent ?? false, message: office.lastFailure?.error };
  office.exits = [...office.exits, exit].slice(-20);
  const decision = decideRestart(office.exits);
  log.warn('office stopped', { code, decision });
  if (decision.action === 'restart') {
    // Until the office has run once, retries are silent (the give-up dialog speaks if they fail).
    if (office.url) notify('Yoctosehns office restarted', decision.notice);
    office.restartTimer = setTimeout(startOffice, decision.delayMs);
  } else {
    void giveUp(decision.message);
  }
}

async function giveUp(message: string): Promise<void> {
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'Yoctosehns',
    message: 'The Yoctosehns office is not running',
    detail: `${message}\n\nThe logs are in ${log.dir}`,
    buttons: ['Try again', 'Open logs folder', 'Quit'],
    defaultId: 0,
    cancelId: 2,
    noLink: true,
  });
  if (response === 0) {
    office.exits = [];
    startOffice();
  } else if (response === 1) {
    await shell.openPath(log.dir);
    void giveUp(message);
  } else {
    app.quit();
  }
}

/** Asks the office to stop cleanly (data dir unlocked, database checkpointed); kills it if it does not. */
function stopOffice(): void {
  clearTimeout(office.restartTimer);
  const proc = office.proc;
  if (!proc) {
    officeStopped = true;
    return;
  }
  proc.postMessage({ type: 'stop' } satisfies ToOffice);
  setTimeout(() => office.proc === proc && proc.kill(), 10_000).unref();
}

// -------------------------------------------------------------------------------------------- window
function windowPresence(): WindowPresence {
  if (!window || window.isDestroyed()) return 'none';
  if (window.isMinimized()) return 'minimized';
  return window.isVisible() ? 'visible' : 'hidden';
}

function openWindow(): void {
  if (!office.url) {
    showWhenReady = true;
    return;
  }
  if (window && !window.isDestroyed()) {
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    return;
  }
  const saved = parseWindowState(readJson(WINDOW_STATE_FILE));
  const bounds = clampToDisplays(saved?.bounds, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(windowOptions(PRELOAD, { bounds, devTools: !app.isPackaged, icon: join(RESOURCES, 'icon.png') }));
  window = win;
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    writeJson(WINDOW_STATE_FILE, state);
    if (!quitting) firstCloseNotice();
  });
  win.on('closed', () => {
    if (window === win) window = undefined;
  });
  win.webContents.on('render-process-gone', (_e, details) => {
    log.error('window renderer gone', { reason: details.reason, exitCode: details.exitCode });
    if (details.reason !== 'clean-exit' && !win.isDestroyed()) win.webContents.reload();
  });
  void win.loadURL(office.url);
}

function firstCloseNotice(): void {
  const settings = (readJson(SETTINGS_FILE) ?? {}) as { closeNoticeShown?: boolean };
  if (settings.closeNoticeShown) return;
  notify('Yoctosehns keeps running', 'The office goes on receiving readings from the nodes. Open it again from the tray icon; quit it from the tray menu.');
  writeJson(SETTINGS_FILE, { ...settings, closeNoticeShown: true });
}

/** Guards for every web contents the app ever makes (the window, devtools, anything unexpected). */
function hardenWebContents(contents: Electron.WebContents): void {
  const refuse = (event: Electron.Event, url: string) => {
    if (url.startsWith('devtools:')) return; // Chromium's own developer tools (development builds only)
    if (!office.url || !isAllowedNavigation(office.url, url)) {
      event.preventDefault();
      log.warn('navigation refused', { url });
    }
  };
  contents.on('will-navigate', (event, url) => refuse(event, url));
  contents.on('will-redirect', (event, url) => refuse(event, url));
  contents.on('will-frame-navigate', (event) => refuse(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = newWindowDecision(office.url ?? '', url);
    if (decision.openExternal) void shell.openExternal(url);
    else log.warn('new window refused', { url });
    return { action: decision.action };
  });
}

function hardenSession(ses: Electron.Session): void {
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl, office.url)));
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, office.url));
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, details.url, office.url) });
  });
}

// ----------------------------------------------------------------------------------------------- IPC
function handle(channel: string, handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void {
  ipcMain.handle(channel, (event, ...args: unknown[]) => {
    if (!isTrustedIpcSender(event.senderFrame?.url, office.url)) {
      log.warn('IPC refused', { channel, from: event.senderFrame?.url });
      throw new Error('refused');
    }
    return handler(event, ...args);
  });
}

async function localToken(): Promise<LocalToken> {
  if (!office.ready || !office.url || !office.dataDir) throw new Error('the office is not running');
  const key = readSecret(office.dataDir, 'control.key');
  if (!key) throw new Error('the office has no control key yet');
  const res = await fetch(`${office.url}/auth/local-token`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`the office refused a local token (HTTP ${res.status})`);
  const body = (await res.json()) as LocalToken & { refresh_token?: string };
  // The window renews by asking again: it never holds a refresh token.
  return { access_token: body.access_token, expires_in: body.expires_in, user: body.user };
}

function registerIpc(): void {
  // The window needs no password: the office mints a short-lived token for its local user (the owner) on
  // loopback, for whoever holds the control key from the data dir — this process, never the page.
  handle(DESKTOP_IPC.getLocalToken, () => localToken());
  handle(DESKTOP_IPC.getAccessToken, async () => (await localToken().catch(() => undefined))?.access_token ?? null);
  handle(DESKTOP_IPC.getVersion, () => VERSION);
  handle(DESKTOP_IPC.openDataFolder, async () => {
    if (office.dataDir) await shell.openPath(office.dataDir);
  });
  handle(DESKTOP_IPC.saveFile, async (event, suggestedName, data): Promise<SaveFileResult> => {
    const request = parseSaveFileRequest(suggestedName, data);
    if (!request.ok) return { saved: false, reason: 'failed', message: request.error };
    const owner = BrowserWindow.fromWebContents(event.sender);
    const options = { defaultPath: join(app.getPath('documents'), request.suggestedName), filters: saveDialogFilters(request.suggestedName) };
    const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { saved: false, reason: 'cancelled' };
    try {
      await writeFile(choice.filePath, request.data);
      log.info('file saved', { fileName: basename(choice.filePath) });
      return { saved: true, fileName: basename(choice.filePath) };
    } catch (err) {
      log.error('save failed', { err: err as Error });
      return { saved: false, reason: 'failed', message: (err as Error).message };
    }
  });
}

// ------------------------------------------------------------------------------- tray, menu, options
function startAtLogin(): boolean | undefined {
  if (loginItem.kind === 'electron') return app.getLoginItemSettings({ args: loginItem.args }).openAtLogin;
  if (loginItem.kind === 'xdg-autostart') return existsSync(loginItem.file);
  return undefined;
}

function setStartAtLogin(enabled: boolean): void {
  if (loginItem.kind === 'electron') app.setLoginItemSettings({ openAtLogin: enabled, args: loginItem.args });
  else if (loginItem.kind === 'xdg-autostart') {
    if (enabled) {
      mkdirSync(dirname(loginItem.file), { recursive: true });
      writeFileSync(loginItem.file, loginItem.entry);
    } else rmSync(loginItem.file, { force: true });
  }
  log.info('start at login', { enabled });
  refreshTray();
  buildAppMenu();
}

function runCommand(command: TrayCommand | MenuCommand): void {
  switch (command) {
    case 'open-window':
      openWindow();
      break;
    case 'open-data-folder':
      if (office.dataDir) void shell.openPath(office.dataDir);
      break;
    case 'open-logs-folder':
      void shell.openPath(log.dir);
      break;
    case 'toggle-start-at-login':
      setStartAtLogin(!startAtLogin());
      break;
    case 'check-for-updates':
      void checkUpdates();
      break;
    case 'about':
      void dialog.showMessageBox({
        type: 'info',
        title: 'About Yoctosehns',
        message: `Yoctosehns ${VERSION}`,
        detail: `Electron ${process.versions.electron}\nData folder: ${office.dataDir ?? '(office not running)'}\nLogs: ${log.dir}`,
      });
      break;
    case 'close-to-tray':
      BrowserWindow.getFocusedWindow()?.close();
      break;
    case 'quit':
      app.quit();
      break;
  }
}

async function checkUpdates(): Promise<void> {
  const file = join(process.resourcesPath, 'app-update.yml');
  const result = await checkForUpdate({ appUpdateYml: app.isPackaged && existsSync(file) ? readFileSync(file, 'utf8') : undefined, platform: process.platform, current: VERSION });
  log.info('update check', { result });
  if (result.state === 'available') {
    const { response } = await dialog.showMessageBox({
      type: 'info',
      message: `Yoctosehns ${result.latest} is available`,
      detail: `You have ${result.current}. Download the installer and run it; the office keeps its data.`,
      buttons: ['Download', 'Later'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response === 0 && newWindowDecision('', result.downloadUrl).openExternal) void shell.openExternal(result.downloadUrl);
    return;
  }
  const message =
    result.state === 'up-to-date'
      ? `Yoctosehns ${result.current} is the newest version.`
      : result.state === 'not-configured'
        ? 'This build has no update server configured.'
        : `Could not check for updates: ${result.message}`;
  await dialog.showMessageBox({ type: result.state === 'failed' ? 'warning' : 'info', message });
}

function trayTemplate(items: TrayItem[]): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const command = item.command;
    return {
      type: item.type,
      label: item.label,
      enabled: item.enabled,
      ...(item.type === 'checkbox' ? { checked: item.checked } : {}),
      ...(command ? { click: () => runCommand(command) } : {}),
    };
  });
}

function refreshTray(): void {
  if (!tray || tray.isDestroyed()) return;
  const state = { status, officeRunning: !!office.proc, startAtLogin: startAtLogin() };
  tray.setToolTip(trayTooltip(state));
  tray.setContextMenu(Menu.buildFromTemplate(trayTemplate(trayMenuModel(state))));
}

async function refreshStatus(): Promise<void> {
  // The tray is the office PC's own: it asks with the control key (Hasura's admin secret), no user token needed.
  if (office.ready && office.url) status = await fetchOfficeStatus(office.url, { adminSecret: (office.dataDir && readSecret(office.dataDir, 'control.key')) || undefined });
  refreshTray();
}

function createTray(): void {
  const icon = nativeImage.createFromPath(join(RESOURCES, 'tray-icon.png'));
  tray = new Tray(icon.isEmpty() ? icon : icon.resize({ width: 16, height: 16 }));
  tray.on('click', () => openWindow());
  refreshTray();
  statusTimer = setInterval(() => void refreshStatus(), 30_000);
}

function menuTemplate(items: MenuItemModel[]): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if ('submenu' in item) return { label: item.label, ...(item.role ? { role: item.role } : {}), submenu: menuTemplate(item.submenu) };
    if ('command' in item) {
      const command = item.command;
      return { label: item.label, ...(item.accelerator ? { accelerator: item.accelerator } : {}), ...(item.type ? { type: item.type, checked: !!item.checked } : {}), click: () => runCommand(command) };
    }
    if ('role' in item) return { role: item.role, ...(item.label ? { label: item.label } : {}) };
    return { type: 'separator' };
  });
}

function buildAppMenu(): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(appMenuModel({ platform: process.platform, development: !app.isPackaged, startAtLogin: startAtLogin() }))));
}

// ------------------------------------------------------------------------------------------ lifecycle
app.enableSandbox();
if (process.platform === 'win32') app.setAppUserModelId('org.yoctosehns.app'); // notifications name the app
process.on('uncaughtException', (err) => log.error('uncaught exception in the main process', { err }));

if (!app.requestSingleInstanceLock()) {
  // Another Yoctosehns runs with this profile: it has been told (second-instance) and shows its window.
  app.quit();
} else {
  app.on('second-instance', () => {
    for (const action of onSecondInstance({ window: windowPresence(), officeReady: office.ready, quitting })) {
      if (action === 'show-when-ready') showWhenReady = true;
      else if (action === 'create-window') openWindow();
      else if (action === 'restore') window?.restore();
      else if (action === 'show') window?.show();
      else if (action === 'focus') window?.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => {
    /* keep running: the office goes on receiving readings */
  });
  app.on('activate', () => openWindow());
  app.on('before-quit', (event) => {
    if (officeStopped) return;
    // Stop the office first (it checkpoints the database and unlocks the data dir), then quit for real.
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    clearInterval(statusTimer);
    log.info('quitting');
    stopOffice();
    if (officeStopped) app.quit();
  });
  app.whenReady().then(() => {
    log.info('desktop starting', { version: VERSION, electron: process.versions.electron, packaged: app.isPackaged, userData: app.getPath('userData') });
    hardenSession(session.defaultSession);
    registerIpc();
    buildAppMenu();
    try {
      createTray();
    } catch (err) {
      // Some Linux desktops have no tray: the app still runs; a second launch brings the window back.
      log.warn('no tray icon', { err: err as Error });
    }
    startOffice();
  });
}

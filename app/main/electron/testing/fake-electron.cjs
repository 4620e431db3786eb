// A stand-in for the 'electron' module, for running the built main process (dist/electron/main.cjs) and
// preload in plain Node where no Electron binary exists. It records what the app asks of Electron and
// lets a test play Electron's part (the office's messages, a second launch, a navigation, quitting).
// Load it with `node --require fake-electron.cjs`; it answers `require('electron')` from then on.
'use strict';
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const { join } = require('node:path');

const calls = [];
const record = (...entry) => calls.push(entry);
const root = process.env.FAKE_ELECTRON_DIR;
const paths = { appData: join(root, 'appData'), documents: join(root, 'documents') };
const handlers = { ipc: new Map(), permissionRequest: undefined, permissionCheck: undefined, headers: undefined };
const children = [];
const windows = [];

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  setName: (name) => record('app.setName', name),
  setPath: (key, value) => {
    paths[key] = value;
    record('app.setPath', key, value);
  },
  getPath: (key) => paths[key] ?? join(root, key),
  getVersion: () => '41.7.1',
  enableSandbox: () => record('app.enableSandbox'),
  setAppUserModelId: (id) => record('app.setAppUserModelId', id),
  requestSingleInstanceLock: () => process.env.FAKE_LOCK !== 'taken',
  whenReady: () => Promise.resolve(),
  getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: false }),
  setLoginItemSettings: (s) => record('app.setLoginItemSettings', s),
  quit: () => {
    record('app.quit');
    let prevented = false;
    app.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) record('app.exited');
  },
  exit: (code) => record('app.exit', code),
});

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.url = '';
    this.openHandler = undefined;
  }
  setWindowOpenHandler(fn) {
    this.openHandler = fn;
  }
  getURL() {
    return this.url;
  }
  reload() {
    record('webContents.reload');
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    record('new BrowserWindow', options);
    this.options = options;
    this.webContents = new WebContents();
    this.visible = false;
    windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) {
    record('window.loadURL', url);
    this.webContents.url = url;
    return Promise.resolve();
  }
  isDestroyed() { return false; }
  isMinimized() { return false; }
  isVisible() { return this.visible; }
  isMaximized() { return false; }
  show() { this.visible = true; record('window.show'); }
  focus() { record('window.focus'); }
  restore() { record('window.restore'); }
  maximize() { record('window.maximize'); }
  close() { this.emit('close'); this.emit('closed'); }
  getNormalBounds() { return { x: 10, y: 10, width: 1000, height: 700 }; }
  static fromWebContents() { return undefined; }
  static getFocusedWindow() { return undefined; }
}

function fork(modulePath, args, options) {
  record('utilityProcess.fork', modulePath, args, options);
  const child = Object.assign(new EventEmitter(), {
    stdout: new EventEmitter(),
    stderr: new EventEmitter(),
    postMessage: (msg) => {
      record('office.postMessage', msg);
      if (msg.type === 'start' && process.env.FAKE_OFFICE !== 'fails') {
        setImmediate(() => child.emit('message', { type: 'ready', api: 'http://127.0.0.1:8471', ingest: 'http://0.0.0.0:8470', dataDir: join(root, 'farm') }));
      } else if (msg.type === 'start') {
        setImmediate(() => {
          child.emit('message', { type: 'failed', error: 'the data dir is locked by another office', permanent: true });
          child.emit('exit', 1);
        });
      } else if (msg.type === 'stop') {
        setImmediate(() => {
          child.emit('message', { type: 'stopped' });
          child.emit('exit', 0);
        });
      }
    },
    kill: () => record('office.kill'),
  });
  children.push(child);
  setImmediate(() => child.emit('spawn'));
  return child;
}

class Tray extends EventEmitter {
  constructor(icon) {
    super();
    record('new Tray');
  }
  setToolTip(text) { record('tray.setToolTip', text); }
  setContextMenu(menu) { record('tray.setContextMenu', menu); }
  isDestroyed() { return false; }
}

const electron = {
  app,
  BrowserWindow,
  Tray,
  utilityProcess: { fork },
  ipcMain: { handle: (channel, fn) => handlers.ipc.set(channel, fn) },
  Menu: { buildFromTemplate: (t) => t, setApplicationMenu: (m) => record('Menu.setApplicationMenu', m) },
  nativeImage: { createFromPath: (p) => ({ path: p, isEmpty: () => false, resize() { return this; } }) },
  Notification: Object.assign(function Notification() {}, { isSupported: () => false }),
  dialog: {
    showMessageBox: (...a) => {
      record('dialog.showMessageBox', a[a.length - 1]);
      return Promise.resolve({ response: 2 });
    },
    showErrorBox: (...a) => record('dialog.showErrorBox', ...a),
    showSaveDialog: () => Promise.resolve({ canceled: true }),
  },
  shell: { openExternal: (url) => record('shell.openExternal', url), openPath: (p) => (record('shell.openPath', p), Promise.resolve('')) },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (fn) => (handlers.permissionRequest = fn),
      setPermissionCheckHandler: (fn) => (handlers.permissionCheck = fn),
      setDevicePermissionHandler: () => {},
      webRequest: { onHeadersReceived: (fn) => (handlers.headers = fn) },
    },
  },
  contextBridge: {
    exposeInMainWorld: (key, api) => {
      record('contextBridge.exposeInMainWorld', key, Object.keys(api));
      globalThis[key] = api;
    },
  },
  ipcRenderer: { invoke: (channel, ...args) => (record('ipcRenderer.invoke', channel, ...args), Promise.resolve(channel)) },
};

globalThis.__fakeElectron = { calls, handlers, children, windows, app };
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') return __filename;
  return resolve.call(this, request, ...rest);
};
module.exports = electron;

// The window's preload: runs sandboxed, before the page, with its own JavaScript world (contextIsolation).
// It puts a small typed API on `window.yoctosehns` whose every function is one fixed IPC call; the page
// never gets ipcRenderer, channel names or Electron objects. The main process checks each call's sender.
import { contextBridge, ipcRenderer } from 'electron';
import { DESKTOP_API_KEY, DESKTOP_IPC, type DesktopApi, type LocalToken, type SaveFileResult } from '../../shared/desktop-api.ts';

const api: DesktopApi = {
  getAccessToken: () => ipcRenderer.invoke(DESKTOP_IPC.getAccessToken) as Promise<string | null>,
  getLocalToken: () => ipcRenderer.invoke(DESKTOP_IPC.getLocalToken) as Promise<LocalToken>,
  saveFile: (suggestedName: string, data: string | Uint8Array) =>
    ipcRenderer.invoke(DESKTOP_IPC.saveFile, String(suggestedName), data) as Promise<SaveFileResult>,
  openDataFolder: () => ipcRenderer.invoke(DESKTOP_IPC.openDataFolder) as Promise<void>,
  getVersion: () => ipcRenderer.invoke(DESKTOP_IPC.getVersion) as Promise<string>,
};

contextBridge.exposeInMainWorld(DESKTOP_API_KEY, Object.freeze(api));

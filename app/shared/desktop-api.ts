// The API the desktop shell's preload puts on `window.yoctosehns`. Shared by the preload (which implements
// it) and the renderer (which may use it when it runs in the desktop window). Browser code: no imports.

/** What a save through the system's save dialog came to. Only the file's name is returned, never its folder. */
export type SaveFileResult = { saved: true; fileName: string } | { saved: false; reason: 'cancelled' | 'failed'; message?: string };

export interface DesktopApi {
  /** A short-lived token for the office's GraphQL API, or null while the office cannot mint tokens. */
  getAccessToken(): Promise<string | null>;
  /** Asks the farmer where to save `data` (a text, or bytes such as a spreadsheet) and writes it there. */
  saveFile(suggestedName: string, data: string | Uint8Array): Promise<SaveFileResult>;
  /** Opens the office's data folder in the system's file manager. */
  openDataFolder(): Promise<void>;
  /** The desktop app's version. */
  getVersion(): Promise<string>;
}

/** The name the preload exposes the API under: `window.yoctosehns`. */
export const DESKTOP_API_KEY = 'yoctosehns';

/** The IPC channels behind the API (main process ⇄ preload); the renderer never sees them. */
export const DESKTOP_IPC = {
  getAccessToken: 'yoctosehns:get-access-token',
  saveFile: 'yoctosehns:save-file',
  openDataFolder: 'yoctosehns:open-data-folder',
  getVersion: 'yoctosehns:get-version',
} as const;

/** The desktop API when the renderer runs in the desktop window; undefined in a browser. */
export function desktopApi(): DesktopApi | undefined {
  return (globalThis as { yoctosehns?: DesktopApi }).yoctosehns;
}

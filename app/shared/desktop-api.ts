// The API the desktop shell's preload puts on `window.yoctosehns`. Shared by the preload (which implements
// it) and the renderer (which may use it when it runs in the desktop window). Browser code: no imports.

/** What a save through the system's save dialog came to. Only the file's name is returned, never its folder. */
export type SaveFileResult = { saved: true; fileName: string } | { saved: false; reason: 'cancelled' | 'failed'; message?: string };

/** What `getLocalToken` resolves to: the same fields as the office's /auth/login answer, less the refresh token. */
export interface LocalToken {
  access_token: string;
  /** Seconds until the token ends. */
  expires_in: number;
  user: { id: string | number; name: string; role: string; allowed_roles?: string[] };
}

export interface DesktopApi {
  /** A short-lived token for the office's GraphQL API, or null while the office cannot mint tokens. */
  getAccessToken(): Promise<string | null>;
  /**
   * An access token minted for the local user over loopback, so the desktop window needs no password; the
   * renderer calls it again to renew the token before it ends. Rejects while the office cannot mint one.
   * Optional until the preload provides it: without it the window shows the login page like a browser.
   */
  getLocalToken?(): Promise<LocalToken>;
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
  getLocalToken: 'yoctosehns:get-local-token',
  saveFile: 'yoctosehns:save-file',
  openDataFolder: 'yoctosehns:open-data-folder',
  getVersion: 'yoctosehns:get-version',
} as const;

/** The desktop API when the renderer runs in the desktop window; undefined in a browser. */
export function desktopApi(): DesktopApi | undefined {
  return (globalThis as { yoctosehns?: DesktopApi }).yoctosehns;
}

// Checks on what the renderer sends through the preload: the renderer is a web page, so every argument is
// untrusted input. Pure functions, tested without Electron.

/** The largest file the renderer may hand over for saving (a year of readings as a spreadsheet fits). */
export const MAX_SAVE_BYTES = 256 * 1024 * 1024;

const RESERVED_WINDOWS_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A file name the save dialog may suggest: no folders (the farmer picks the folder), no characters that
 * Windows, macOS or Linux refuse, not empty, not too long.
 */
export function safeFileName(suggested: unknown, fallback = 'export'): string {
  let name = typeof suggested === 'string' ? suggested : '';
  name = name.split(/[\\/]/).pop() ?? '';
  name = name.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+|[.\s]+$/g, '');
  if (RESERVED_WINDOWS_NAMES.test(name)) name = `_${name}`;
  if (name.length > 120) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, 120 - ext.length) + ext;
  }
  return name || fallback;
}

export type SaveFileRequest = { ok: true; suggestedName: string; data: string | Uint8Array } | { ok: false; error: string };

/** Validates saveFile's arguments as they arrive over IPC. */
export function parseSaveFileRequest(suggestedName: unknown, data: unknown): SaveFileRequest {
  if (typeof data === 'string') {
    // A JavaScript string takes at most 3 UTF-8 bytes per UTF-16 unit.
    if (data.length * 3 > MAX_SAVE_BYTES && Buffer.byteLength(data) > MAX_SAVE_BYTES) return { ok: false, error: 'the file is too large' };
  } else if (data instanceof Uint8Array) {
    if (data.byteLength > MAX_SAVE_BYTES) return { ok: false, error: 'the file is too large' };
  } else {
    return { ok: false, error: 'data must be a string or bytes' };
  }
  return { ok: true, suggestedName: safeFileName(suggestedName), data };
}

/** The save dialog's file-type filter for a file name's extension. */
export function saveDialogFilters(fileName: string): { name: string; extensions: string[] }[] {
  const ext = /\.([a-z0-9]{1,8})$/i.exec(fileName)?.[1]?.toLowerCase();
  const known: Record<string, string> = { csv: 'CSV', xlsx: 'Excel workbook', pdf: 'PDF', json: 'JSON', txt: 'Text' };
  const all = { name: 'All files', extensions: ['*'] };
  return ext ? [{ name: known[ext] ?? ext.toUpperCase(), extensions: [ext] }, all] : [all];
}

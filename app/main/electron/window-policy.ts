// The Electron window's security decisions as pure functions (tested without Electron). No 'electron'
// import here: only plain data, so the rules are checked in plain Node. main.ts wires each one to its hook.

export interface Bounds {
  x?: number | undefined;
  y?: number | undefined;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 800, height: 560 } as const;

/** The BrowserWindow options: the renderer is a web page with no Node and no privileges. */
export function windowOptions(preload?: string, options: { bounds?: Bounds; devTools?: boolean; icon?: string } = {}) {
  const bounds: Bounds = options.bounds ?? { ...DEFAULT_BOUNDS };
  return {
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'Yoctosehns',
    show: false,
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Chromium's spell checker downloads dictionaries from Google: a farm office is often offline, and
      // the dashboard has little free text.
      spellcheck: false,
      safeDialogs: true,
      // Chromium's own PDF viewer, for the Reports page's preview; Electron has no other plugin.
      plugins: true,
      devTools: options.devTools ?? false,
      ...(preload ? { preload } : {}),
    },
  };
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** Navigation stays on the office's own origin; anything else is refused. */
export function isAllowedNavigation(officeUrl: string, target: string): boolean {
  const office = originOf(officeUrl);
  return office !== undefined && originOf(target) === office;
}

/** Links that leave the app open in the system browser, and only http(s) ones. */
export function isExternalLinkAllowed(target: string): boolean {
  try {
    const { protocol } = new URL(target);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * window.open and target=_blank links: no new Electron window is ever made. A link off the office's origin
 * goes to the system browser when it is http(s); everything else is dropped.
 */
export function newWindowDecision(officeUrl: string, target: string): { action: 'deny'; openExternal: boolean } {
  return { action: 'deny', openExternal: isExternalLinkAllowed(target) && !isAllowedNavigation(officeUrl, target) };
}

/** IPC is answered only for frames showing the office's own origin (not an error page, not another site). */
export function isTrustedIpcSender(senderFrameUrl: string | undefined | null, officeUrl: string | undefined): boolean {
  if (!senderFrameUrl || !officeUrl) return false;
  return isAllowedNavigation(officeUrl, senderFrameUrl);
}

/**
 * Permission requests (camera, microphone, geolocation, notifications, USB, serial, …) are denied. The one
 * exception is writing to the clipboard from the office's own page: the dashboard's copy buttons (a node's
 * token, a reading) use it, and it reads nothing.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, officeUrl: string | undefined): boolean {
  if (permission !== 'clipboard-sanitized-write') return false;
  return !!requestingUrl && !!officeUrl && isAllowedNavigation(officeUrl, requestingUrl);
}

/**
 * The window's Content-Security-Policy. The office already sends this policy with its pages; the shell
 * enforces it again on every response the window's session receives, so a page that somehow came from
 * elsewhere runs no script at all. Mantine sets inline style attributes, hence 'unsafe-inline' for styles only.
 */
export const WINDOW_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  // The Reports page previews a PDF it fetched (with its token) in a frame of a blob: URL, and nothing else.
  'frame-src blob:',
  "frame-ancestors 'none'",
  "form-action 'self'",
  "worker-src 'self'",
].join('; ');

/** For anything that is not the office: load nothing, run nothing. */
export const DENY_ALL_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Response headers with the shell's CSP put in place of any the response carried (header names are case-insensitive). */
export function withContentSecurityPolicy(
  headers: Record<string, string[] | string> | undefined,
  responseUrl: string,
  officeUrl: string | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  const fromOffice = !!officeUrl && isAllowedNavigation(officeUrl, responseUrl);
  // devtools:// and chrome-extension:// pages belong to Chromium itself; leave them alone.
  if (!fromOffice && /^(devtools|chrome|chrome-extension):/.test(responseUrl)) return { ...out, ...pick(headers, 'content-security-policy') };
  out['Content-Security-Policy'] = [fromOffice ? WINDOW_CSP : DENY_ALL_CSP];
  return out;
}

function pick(headers: Record<string, string[] | string> | undefined, name: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) out[k] = Array.isArray(v) ? v : [v];
  return out;
}

/** Parses a CSP into directive → sources (for checks that compare policies). */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

// The Electron window's security decisions as pure functions (tested without Electron). No 'electron'
// import here: only types-free data, so the rules are checked in plain Node.

/** The BrowserWindow options: the renderer is a web page with no Node and no privileges. */
export function windowOptions(preload?: string) {
  return {
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Yoctosehns',
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      ...(preload ? { preload } : {}),
    },
  };
}

/** Navigation stays on the office's own origin; anything else is refused. */
export function isAllowedNavigation(officeUrl: string, target: string): boolean {
  try {
    return new URL(target).origin === new URL(officeUrl).origin;
  } catch {
    return false;
  }
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

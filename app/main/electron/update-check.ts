// Updates never block an offline farm: the app looks for one only when the farmer asks (Help › Check for
// updates…), with a short timeout, and only tells what it found. electron-builder writes app-update.yml
// (provider and URL from electron-builder.yml's `publish`) into the installed app's resources folder; the
// feed's latest.yml names the newest version.

/** A tiny reader for the flat `key: value` lines of app-update.yml / latest.yml (no nesting needed). */
export function readFlatYaml(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}

/** The feed URL from app-update.yml, when its provider is `generic` and the URL is real (not the placeholder). */
export function updateFeedUrl(appUpdateYml: string | undefined): string | undefined {
  if (!appUpdateYml) return undefined;
  const y = readFlatYaml(appUpdateYml);
  if (y.provider !== 'generic' || !y.url || /example\.invalid/.test(y.url)) return undefined;
  return y.url.endsWith('/') ? y.url : `${y.url}/`;
}

/** The feed's metadata file for this platform (electron-builder's naming). */
export function latestFileName(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'latest-mac.yml' : platform === 'linux' ? 'latest-linux.yml' : 'latest.yml';
}

function parts(v: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/.exec(v.trim());
  if (!m) return undefined;
  // A pre-release sorts before its release.
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ? 0 : 1];
}

/** True when `candidate` is a newer semantic version than `current`. */
export function isNewerVersion(candidate: string, current: string): boolean {
  const a = parts(candidate);
  const b = parts(current);
  if (!a || !b) return false;
  for (let i = 0; i < 4; i++) if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  return false;
}

export type UpdateCheckResult =
  | { state: 'not-configured' }
  | { state: 'up-to-date'; current: string }
  | { state: 'available'; current: string; latest: string; downloadUrl: string }
  | { state: 'failed'; message: string };

/** What the feed's latest*.yml says, compared with the running version. */
export function updateFromFeed(feedUrl: string, latestYml: string, current: string): UpdateCheckResult {
  const y = readFlatYaml(latestYml);
  if (!y.version) return { state: 'failed', message: 'the update feed names no version' };
  if (!isNewerVersion(y.version, current)) return { state: 'up-to-date', current };
  const file = y.path || feedUrl;
  return { state: 'available', current, latest: y.version, downloadUrl: new URL(file, feedUrl).href };
}

export async function checkForUpdate(input: {
  appUpdateYml: string | undefined;
  platform: NodeJS.Platform;
  current: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<UpdateCheckResult> {
  const feed = updateFeedUrl(input.appUpdateYml);
  if (!feed) return { state: 'not-configured' };
  try {
    const res = await (input.fetch ?? fetch)(new URL(latestFileName(input.platform), feed), { signal: AbortSignal.timeout(input.timeoutMs ?? 10_000) });
    if (!res.ok) return { state: 'failed', message: `the update server answered ${res.status}` };
    return updateFromFeed(feed, await res.text(), input.current);
  } catch (err) {
    return { state: 'failed', message: `no connection to the update server (${(err as Error).message})` };
  }
}

// Where the Electron binary is, or why there is none. Runs in plain Node (npm start, npm run dist, tests):
// the electron package's main export is the path of its downloaded binary and throws when none was.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

export function findElectron(): { path: string } | { reason: string } {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require('electron') as string;
  } catch (err) {
    return { reason: (err as Error).message.split('\n')[0] || 'the electron package is not installed' };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { reason: 'the Electron binary was not downloaded' };
  return { path };
}

/**
 * findElectron, and when the package is there but its binary is not, one attempt to download it the way the
 * package's own install script does. npm does not run that script (package.json denies it in allowScripts):
 * on machines without access to Electron's download host it fails, and would fail `npm ci` with it. So the
 * download happens on the first `npm start` instead, where a failure just means the office runs headless.
 */
export function ensureElectron(): { path: string } | { reason: string } {
  const found = findElectron();
  if ('path' in found || process.env.YOCTOSEHNS_NO_ELECTRON_DOWNLOAD) return found;
  const require = createRequire(import.meta.url);
  let installer: string;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return found;
  }
  // No newline: when the download fails, start.ts finishes this line with the fallback, so the farmer
  // reads one line about it.
  process.stderr.write('Downloading the Electron binary (first start)… ');
  const r = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'ignore', 'pipe'] });
  const again = findElectron();
  if ('path' in again) {
    process.stderr.write('done.\n');
    return again;
  }
  const why = (r.stderr ?? '').split('\n').find((l) => /Error/.test(l))?.trim() ?? (r.error?.message || `exit code ${r.status}`);
  return { reason: `its download failed: ${why.slice(0, 160)}` };
}

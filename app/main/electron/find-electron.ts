// Where the Electron binary is, or why there is none. Runs in plain Node (npm start, npm run dist, tests):
// the electron package's main export is the path of its downloaded binary and throws when none was.
import { existsSync } from 'node:fs';
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

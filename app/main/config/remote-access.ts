// Remote access is the owner's decision, kept in the data dir's config.json (0600) and applied at the next
// start: the API's listening address cannot change under open connections. The CLI (`remote on|off`) and
// the dashboard (PUT /auth/remote-access) both write it here.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function readConfigFile(dataDir: string): Record<string, unknown> {
  const file = join(dataDir, 'config.json');
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('it is not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/** Whether config.json asks for remote access (what the next start does, unless a flag or env says otherwise). */
export function configuredRemoteAccess(dataDir: string): boolean {
  return readConfigFile(dataDir).remoteAccess === true;
}

/** Writes the choice into config.json, keeping its other settings (atomically, owner-only permissions). */
export function writeRemoteAccess(dataDir: string, on: boolean): void {
  const file = join(dataDir, 'config.json');
  const config = readConfigFile(dataDir);
  config.remoteAccess = on;
  writeFileSync(file + '.tmp', JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(file + '.tmp', file);
}

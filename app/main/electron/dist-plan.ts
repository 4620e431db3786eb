// `npm run dist` decides, before any build work, whether installers can be made on this machine, and says
// why not in one line. electron-builder needs an Electron build for each target (it downloads one unless
// given a folder) and, for installers (NSIS, AppImage, deb, dmg), packaging tools it also downloads.
// Pure: scripts/dist.mjs gathers the facts (argv, env, what is on disk, whether the download host answers).
import { isAbsolute, resolve } from 'node:path';

export interface DistFacts {
  /** Arguments after `npm run dist --`. */
  argv: string[];
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  cwd: string;
  /** The entries of $ELECTRON_DIST when it is a folder, null when it is not (undefined when unset). */
  electronDistEntries: string[] | null | undefined;
  /** node_modules/electron/dist when its binary was downloaded, else the reason there is none. */
  localElectron: { dir: string } | { reason: string };
  /** Whether Electron's download host (or $ELECTRON_MIRROR) answered. */
  downloadsReachable: boolean;
  builderInstalled: boolean;
}

export type DistPlan = { ok: true; args: string[]; summary: string } | { ok: false; error: string };

const PLATFORM_FLAGS: Record<string, NodeJS.Platform> = { '--win': 'win32', '--windows': 'win32', '-w': 'win32', '--linux': 'linux', '-l': 'linux', '--mac': 'darwin', '--macos': 'darwin', '-m': 'darwin' };
const ARCH_FLAGS = new Set(['--x64', '--arm64', '--ia32', '--armv7l', '--universal']);
const ELECTRON_EXECUTABLE: Partial<Record<NodeJS.Platform, string>> = { win32: 'electron.exe', linux: 'electron', darwin: 'Electron.app' };
const OFFLINE_HINT = 'give an unpacked Electron folder for an unpacked build: ELECTRON_DIST=/path/to/electron npm run dist -- --dir';

export function planDist(facts: DistFacts): DistPlan {
  let dir = false;
  const platforms = new Set<NodeJS.Platform>();
  const archs: string[] = [];
  for (const arg of facts.argv) {
    if (arg === '--dir') dir = true;
    else if (arg in PLATFORM_FLAGS) platforms.add(PLATFORM_FLAGS[arg]!);
    else if (ARCH_FLAGS.has(arg)) archs.push(arg);
    else return { ok: false, error: `npm run dist: unknown option ${arg} (known: --dir, --win, --linux, --mac, ${[...ARCH_FLAGS].join(', ')})` };
  }
  if (!facts.builderInstalled) return { ok: false, error: 'npm run dist: electron-builder is not installed; run npm install first' };

  const targets = platforms.size ? [...platforms] : [facts.platform];
  const flags = [
    ...[...platforms].map((p) => (p === 'win32' ? '--win' : p === 'darwin' ? '--mac' : '--linux')),
    ...archs,
    ...(dir ? ['--dir'] : []),
    // `npm run dist` never uploads; releases are published by hand to the update feed (docs/desktop.md).
    '--publish',
    'never',
  ];
  const what = dir ? 'an unpacked build' : 'installers';

  const given = facts.env.ELECTRON_DIST;
  if (given) {
    const path = isAbsolute(given) ? given : resolve(facts.cwd, given);
    if (facts.electronDistEntries === null || facts.electronDistEntries === undefined) return { ok: false, error: `npm run dist: ELECTRON_DIST=${given} is not a folder` };
    if (targets.length > 1) return { ok: false, error: 'npm run dist: ELECTRON_DIST holds one platform\'s Electron; build one platform at a time' };
    const exe = ELECTRON_EXECUTABLE[targets[0]!];
    if (!exe || !facts.electronDistEntries.includes(exe)) {
      return { ok: false, error: `npm run dist: ELECTRON_DIST=${given} holds no ${exe ?? 'Electron'} (it must be an unpacked Electron for ${targets[0]})` };
    }
    if (!dir && !facts.downloadsReachable) {
      return { ok: false, error: `npm run dist: installers need packaging tools that electron-builder downloads, and the download host is unreachable; add --dir for an unpacked build from ELECTRON_DIST` };
    }
    return { ok: true, args: [...flags, `-c.electronDist=${path}`], summary: `${what} with the Electron in ${path}` };
  }

  if (facts.downloadsReachable) return { ok: true, args: flags, summary: `${what} (electron-builder downloads Electron and its tools)` };

  if (dir && 'dir' in facts.localElectron && targets.length === 1 && targets[0] === facts.platform) {
    return { ok: true, args: [...flags, `-c.electronDist=${facts.localElectron.dir}`], summary: `${what} with node_modules' Electron` };
  }
  const local = 'reason' in facts.localElectron ? `no local Electron either: ${facts.localElectron.reason}` : 'the local Electron serves only an unpacked build for this platform (--dir)';
  return {
    ok: false,
    error: `npm run dist: cannot build ${what} here: electron-builder must download Electron, and its download host is unreachable (${local}); build on a machine with internet, or ${OFFLINE_HINT}`,
  };
}

/** The host whose answer decides `downloadsReachable` (electron-builder downloads from there). */
export function downloadProbeUrl(env: Record<string, string | undefined>): string {
  return env.ELECTRON_MIRROR || env.ELECTRON_BUILDER_BINARIES_MIRROR || 'https://github.com/electron/electron/releases';
}

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Everything an office needs to start. Layers: defaults < config.json in the data dir < YOCTOSEHNS_* < flags. */
export interface OfficeConfig {
  dataDir: string;
  /** A postgres:// URL: use that server instead of the embedded PGlite database. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  ingestHost: string;
  ingestPort: number;
  /** Where the built renderer lives (served at / of the API port). */
  rendererDir: string;
  /** A dumpDataDir tar to create a new embedded database from instead of initdb (tests, demos). */
  initSnapshot: string | undefined;
  /** How often the office runs CHECKPOINT (caps the WAL, lets the ingest journal shrink) and VACUUM ANALYZE, in minutes. */
  maintenanceMinutes: number;
  /** Readings older than this are quarantined rather than stored (days). */
  retentionDays: number;
  /** Per-node rate limit of the ingest listener: sustained requests per second, and the burst allowed. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** Advertise the ingest listener on the LAN with mDNS/DNS-SD. */
  discovery: boolean;
  /**
   * Remote access (issue 5): off, the API listens on loopback only whatever `host` says; on, it listens on
   * `host` (0.0.0.0 when `host` is loopback). The ingest listener is separate and unaffected.
   */
  remoteAccess: boolean;
  /** The key access JWTs are signed with, instead of the generated secrets/jwt.key; at least 256 bits. */
  jwtSecret: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const KEYS = {
  dataDir: { env: 'YOCTOSEHNS_DATA_DIR', flag: 'data-dir', type: 'path' },
  databaseUrl: { env: 'YOCTOSEHNS_DATABASE_URL', flag: 'database-url', type: 'string' },
  host: { env: 'YOCTOSEHNS_HOST', flag: 'host', type: 'string' },
  port: { env: 'YOCTOSEHNS_PORT', flag: 'port', type: 'port' },
  ingestHost: { env: 'YOCTOSEHNS_INGEST_HOST', flag: 'ingest-host', type: 'string' },
  ingestPort: { env: 'YOCTOSEHNS_INGEST_PORT', flag: 'ingest-port', type: 'port' },
  rendererDir: { env: 'YOCTOSEHNS_RENDERER_DIR', flag: 'renderer-dir', type: 'path' },
  initSnapshot: { env: 'YOCTOSEHNS_INIT_SNAPSHOT', flag: 'init-snapshot', type: 'path' },
  maintenanceMinutes: { env: 'YOCTOSEHNS_MAINTENANCE_MINUTES', flag: 'maintenance-minutes', type: 'number' },
  retentionDays: { env: 'YOCTOSEHNS_RETENTION_DAYS', flag: 'retention-days', type: 'number' },
  rateLimitPerSecond: { env: 'YOCTOSEHNS_RATE_LIMIT_PER_SECOND', flag: 'rate-limit-per-second', type: 'number' },
  rateLimitBurst: { env: 'YOCTOSEHNS_RATE_LIMIT_BURST', flag: 'rate-limit-burst', type: 'number' },
  discovery: { env: 'YOCTOSEHNS_DISCOVERY', flag: 'discovery', type: 'boolean' },
  remoteAccess: { env: 'YOCTOSEHNS_REMOTE_ACCESS', flag: 'remote-access', type: 'boolean' },
  jwtSecret: { env: 'YOCTOSEHNS_JWT_SECRET', flag: 'jwt-secret', type: 'string' },
} as const satisfies Record<keyof OfficeConfig, { env: string; flag: string; type: string }>;

type Key = keyof typeof KEYS;

/** The operating system's per-user application-data folder for Yoctosehns (the one Electron's userData uses). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Yoctosehns');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Yoctosehns');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Yoctosehns');
}

const REPO_ROOT = resolve(new URL('../../..', import.meta.url).pathname);

export function defaults(env: NodeJS.ProcessEnv = process.env): OfficeConfig {
  return {
    dataDir: defaultDataDir(env),
    databaseUrl: undefined,
    host: '127.0.0.1',
    port: 8471,
    ingestHost: '0.0.0.0',
    ingestPort: 8470,
    rendererDir: join(REPO_ROOT, 'dist', 'renderer'),
    initSnapshot: undefined,
    maintenanceMinutes: 15,
    retentionDays: 730,
    rateLimitPerSecond: 50,
    rateLimitBurst: 500,
    discovery: true,
    remoteAccess: false,
    jwtSecret: undefined,
  };
}

/** HS256 keys shorter than the hash's output are guessable offline from one token (RFC 7518 §3.2). */
export const MIN_JWT_SECRET_BYTES = 32;

function coerce(key: Key, raw: unknown, source: string): unknown {
  const type = KEYS[key].type;
  if (type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const v = String(raw).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(`${source}: ${key} must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (type === 'port' || type === 'number') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    const ok = Number.isInteger(n) && (type === 'number' ? n > 0 : n >= 0 && n <= 65535);
    if (!ok) throw new ConfigError(`${source}: ${key} must be ${type === 'port' ? 'a port number 0–65535' : 'a positive whole number'}, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError(`${source}: ${key} must be a non-empty string`);
  return type === 'path' ? resolve(raw) : raw;
}

/** The command-line options every office command shares, for parseArgs. */
export const OFFICE_FLAG_OPTIONS = Object.fromEntries(
  Object.values(KEYS).map((k) => [k.flag, { type: 'string' as const }]),
) as Record<string, { type: 'string' }>;

/**
 * Builds the configuration from its four layers. `flags` are parsed command-line values keyed by flag name.
 * The data dir itself comes from defaults, environment or flags only (config.json lives inside it).
 */
export function loadConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): OfficeConfig {
  const config = defaults(env) as unknown as Record<Key, unknown>;
  const fromEnv = (key: Key) => env[KEYS[key].env];
  const dataDirRaw = flags[KEYS.dataDir.flag] ?? fromEnv('dataDir');
  if (dataDirRaw !== undefined) config.dataDir = coerce('dataDir', dataDirRaw, dataDirRaw === flags['data-dir'] ? '--data-dir' : 'YOCTOSEHNS_DATA_DIR');

  const file = join(config.dataDir as string, 'config.json');
  let fromFile: Record<string, unknown> = {};
  try {
    fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new ConfigError(`${file}: must hold a JSON object`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw err instanceof ConfigError ? err : new ConfigError(`${file}: ${(err as Error).message}`);
    }
  }
  for (const [k, v] of Object.entries(fromFile)) {
    if (!(k in KEYS)) throw new ConfigError(`${file}: unknown setting "${k}" (known: ${Object.keys(KEYS).join(', ')})`);
    if (k === 'dataDir') throw new ConfigError(`${file}: dataDir cannot be set inside the data dir`);
    config[k as Key] = coerce(k as Key, v, file);
  }
  for (const key of Object.keys(KEYS) as Key[]) {
    if (key === 'dataDir') continue;
    const v = fromEnv(key);
    if (v !== undefined && v !== '') config[key] = coerce(key, v, KEYS[key].env);
  }
  for (const key of Object.keys(KEYS) as Key[]) {
    if (key === 'dataDir') continue;
    const v = flags[KEYS[key].flag];
    if (v !== undefined) config[key] = coerce(key, v, `--${KEYS[key].flag}`);
  }
  const secret = config.jwtSecret as string | undefined;
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    const source = flags[KEYS.jwtSecret.flag] !== undefined ? '--jwt-secret' : env[KEYS.jwtSecret.env] ? KEYS.jwtSecret.env : `jwtSecret in ${file}`;
    throw new ConfigError(
      `${source}: the JWT signing key must be at least 256 bits (${MIN_JWT_SECRET_BYTES} bytes); it has ${Buffer.byteLength(secret, 'utf8') * 8} bits. Remove it to use the generated key, or use e.g. \`openssl rand -base64 32\``,
    );
  }
  return config as unknown as OfficeConfig;
}

/** Parses argv of an office command (serve, demo, …) into config flags plus the remaining positionals. */
export function parseOfficeArgs(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...OFFICE_FLAG_OPTIONS, ...extra },
    allowPositionals: true,
    strict: true,
  });
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}

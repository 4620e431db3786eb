import type { OfficeConfig } from '../config/config.ts';
import { loadOrCreateSecret } from '../security/secrets.ts';

/** The HS256 key: `jwtSecret` from config/env (checked ≥ 256 bits by loadConfig), else secrets/jwt.key (32 CSPRNG bytes, 0600). */
export function jwtKeyOf(config: Pick<OfficeConfig, 'dataDir' | 'jwtSecret'>): Buffer {
  if (config.jwtSecret !== undefined) return Buffer.from(config.jwtSecret, 'utf8');
  return Buffer.from(loadOrCreateSecret(config.dataDir, 'jwt.key', 32), 'base64url');
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Where the API listens: remote access off → loopback only, whatever `host` says; on → `host`, or every
 * address (0.0.0.0) when `host` is a loopback address.
 */
export function apiHostOf(config: Pick<OfficeConfig, 'host' | 'remoteAccess'>): string {
  const loopback = LOOPBACK_HOSTS.has(config.host) || config.host.startsWith('127.');
  if (!config.remoteAccess) return loopback ? config.host : '127.0.0.1';
  return loopback ? '0.0.0.0' : config.host;
}

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Shorter passwords are refused when a user is created or a password changed. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

// scrypt with N = 2^15, r = 8, p = 1 (OWASP's minimum for scrypt): ~32 MiB and some 50–100 ms per hash.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 256 * options.N * options.r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export class PasswordPolicyError extends Error {
  override name = 'PasswordPolicyError';
}

export function checkPasswordPolicy(password: unknown): asserts password is string {
  if (typeof password !== 'string') throw new PasswordPolicyError('password must be a string');
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new PasswordPolicyError(`password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new PasswordPolicyError(`password must have at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** A self-describing hash: `scrypt$N$r$p$salt$key` (base64url), so parameters can be raised for new hashes later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Compares in constant time; false for a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const N = Number(n), R = Number(r), P = Number(p);
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 20 || !Number.isInteger(R) || !Number.isInteger(P)) return false;
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), { N, r: R, p: P });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying against it costs what a real check costs (unknown user names). */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

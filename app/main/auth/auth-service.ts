import { configuredRemoteAccess, writeRemoteAccess } from '../config/remote-access.ts';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/index.ts';
import type { Logger } from '../log.ts';
import { generateToken, hashToken, secretsEqual } from '../security/secrets.ts';
import { ADMIN_ROLE, OWNER_ROLE, sessionFromHeaders, type SessionContext } from '../graphql/types.ts';
import { AuthError, CLAIMS_NAMESPACE, mintAccessToken, verifyAccessToken, ACCESS_TOKEN_SECONDS } from './jwt.ts';
import { ACCOUNT_POLICY, ADDRESS_POLICY, Lockout } from './lockout.ts';
import { HttpError } from '../office/json-route.ts';
import { checkPasswordPolicy, dummyHash, hashPassword, PasswordPolicyError, verifyPassword } from './passwords.ts';

export const ROLES = ['owner', 'manager', 'vet', 'worker', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const REFRESH_TOKEN_DAYS = 30;
const API_TOKEN_PREFIX = 'ys_api';
const REFRESH_TOKEN_PREFIX = 'ys_rt';

/** An /auth answer other than 2xx: `{"error", "code"}` with an HTTP status (and Retry-After for a lockout). */
export class AuthHttpError extends HttpError {
  override name = 'AuthHttpError';
}

export interface UserRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  group_ids: number[];
  created_at: string;
  disabled_at: string | null;
  token_version: number;
}

export interface PublicUser {
  id: number;
  name: string;
  role: Role;
  allowed_roles: string[];
  group_ids: number[];
  created_at: string;
  disabled_at: string | null;
}

export interface LoginAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  user: { id: number; name: string; role: Role; allowed_roles: string[] };
}

/** The owner may act as any role (to see what a vet sees); everyone else only as their own. */
export function allowedRolesOf(role: Role): string[] {
  return role === OWNER_ROLE ? [...ROLES] : [role];
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function groupIdsOf(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && v > 0)) throw new AuthHttpError(400, 'invalid-input', 'group_ids must be a list of group ids');
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

function publicUser(u: UserRow): PublicUser {
  return { id: u.id, name: u.name, role: u.role, allowed_roles: allowedRolesOf(u.role), group_ids: u.group_ids, created_at: u.created_at, disabled_at: u.disabled_at };
}

/** Session values every farm role's permissions may name (docs: the vet's optional group filter). */
function groupSession(groupIds: string | undefined): Record<string, string> {
  const ids = groupIds && groupIds !== '{}' ? groupIds : undefined;
  return { 'x-hasura-group-ids': ids ?? '{}', 'x-hasura-all-groups': ids ? '0' : '1' };
}

export interface AuthServiceOptions {
  db: Database;
  /** The HS256 key (at least 32 bytes). */
  jwtKey: Buffer;
  /** The local control key: x-hasura-admin-secret and /auth/local-token's bearer. */
  controlKey: string;
  log: Logger;
  remoteAccess: () => boolean;
  /** The data dir whose config.json holds the remote-access choice for the next start (absent: not settable here). */
  dataDir?: string;
  now?: () => number;
}

/** Accounts, tokens, lockout and the audit log; and who a request to the API is. */
export class AuthService {
  private readonly db: Database;
  private readonly key: Buffer;
  private readonly now: () => number;
  private readonly accounts: Lockout;
  private readonly addresses: Lockout;
  /** Users by id, for the token-version check of each request; dropped on every change. */
  private readonly users = new Map<number, Promise<UserRow | undefined>>();
  private lastUsedWrites = new Map<number, number>();

  constructor(private readonly options: AuthServiceOptions) {
    this.db = options.db;
    this.key = options.jwtKey;
    this.now = options.now ?? Date.now;
    this.accounts = new Lockout(ACCOUNT_POLICY, this.now);
    this.addresses = new Lockout(ADDRESS_POLICY, this.now);
  }

  invalidate(userId?: number): void {
    if (userId === undefined) this.users.clear();
    else this.users.delete(userId);
  }

  private user(id: number): Promise<UserRow | undefined> {
    let u = this.users.get(id);
    if (!u) {
      u = this.db.query<UserRow>('SELECT * FROM office.users WHERE id = $1', [id]).then((r) => r.rows[0]);
      u.catch(() => this.users.delete(id));
      this.users.set(id, u);
    }
    return u;
  }

  async audit(event: string, user: string | null, address: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    await this.db
      .query('INSERT INTO office.security_audit (event, "user", address, detail) VALUES ($1, $2, $3, $4)', [event, user, address, JSON.stringify(detail)])
      .catch((err: unknown) => this.options.log.error('security audit row not written', { err: err as Error, event }));
  }

  async status(): Promise<{ setup_required: boolean; remote_access: boolean; remote_access_next_start?: boolean }> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM office.users');
    const next = this.options.dataDir === undefined ? undefined : configuredRemoteAccess(this.options.dataDir);
    return { setup_required: rows[0]!.n === 0, remote_access: this.options.remoteAccess(), ...(next === undefined ? {} : { remote_access_next_start: next }) };
  }

  /** The owner turns remote access on or off for the next start (the API's address cannot change while it runs). */
  async setRemoteAccess(enabled: unknown, actor: { name: string | null }, address: string): Promise<{ remote_access: boolean; remote_access_next_start: boolean }> {
    if (typeof enabled !== 'boolean') throw new AuthHttpError(400, 'invalid-input', 'enabled must be true or false');
    if (this.options.dataDir === undefined) throw new AuthHttpError(409, 'not-settable', 'remote access is set with the CLI here: npm run cli -- remote on|off');
    writeRemoteAccess(this.options.dataDir, enabled);
    await this.audit(`remote_access_${enabled ? 'on' : 'off'}`, actor.name, address, { applies: 'next start' });
    return { remote_access: this.options.remoteAccess(), remote_access_next_start: enabled };
  }

  // ---- Who is asking ----------------------------------------------------------------------------------

  /**
   * The session of an API request from its headers: `x-hasura-admin-secret` (the control key) is admin and may
   * name any role and session variable, as in Hasura; `Authorization: Bearer` carries an access JWT or an API
   * token, whose claims alone give the session (x-hasura-role picks one of the allowed roles).
   */
  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<SessionContext> {
    const one = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const adminSecret = one('x-hasura-admin-secret');
    if (adminSecret !== undefined) {
      if (!secretsEqual(adminSecret, this.options.controlKey)) throw new AuthError('access-denied', 'invalid x-hasura-admin-secret/x-hasura-access-key');
      return sessionFromHeaders(headers);
    }
    const authorization = one('authorization');
    if (authorization === undefined) throw new AuthError('invalid-headers', "Missing 'Authorization' header");
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token) throw new AuthError('invalid-headers', 'Malformed Authorization header');
    const requested = one('x-hasura-role');
    if (token.startsWith(API_TOKEN_PREFIX + '_')) return this.apiTokenSession(token, requested);

    const claims = verifyAccessToken(this.key, token, this.now());
    const ns = claims[CLAIMS_NAMESPACE];
    const allowed = ns['x-hasura-allowed-roles'] as string[];
    const role = requested ?? (ns['x-hasura-default-role'] as string);
    if (!allowed.includes(role)) throw new AuthError('access-denied', 'Your requested role is not in allowed roles');
    const user = Number.isInteger(Number(claims.sub)) ? await this.user(Number(claims.sub)) : undefined;
    if (!user || user.disabled_at || user.token_version !== claims.ver) throw new AuthError('invalid-jwt', 'Could not verify JWT: JWTRevoked (the token was revoked; sign in again)');
    const session: Record<string, string> = {};
    for (const [k, v] of Object.entries(ns)) {
      const key = k.toLowerCase();
      if (!key.startsWith('x-hasura-') || key === 'x-hasura-allowed-roles' || key === 'x-hasura-default-role') continue;
      session[key] = Array.isArray(v) ? `{${v.join(',')}}` : String(v);
    }
    return { role, session: { ...session, ...groupSession(session['x-hasura-group-ids']), 'x-hasura-role': role } };
  }

  private async apiTokenSession(token: string, requested: string | undefined): Promise<SessionContext> {
    const { rows } = await this.db.query<{ id: number; role: Role; expires_at: string; revoked_at: string | null; created_by: number | null }>(
      'SELECT id, role, expires_at, revoked_at, created_by FROM office.api_tokens WHERE token_hash = $1',
      [hashToken(token)],
    );
    const t = rows[0];
    if (!t || t.revoked_at) throw new AuthError('invalid-jwt', 'Could not verify the API token: unknown or revoked');
    if (new Date(t.expires_at).getTime() <= this.now()) throw new AuthError('invalid-jwt', 'Could not verify the API token: expired');
    if (requested !== undefined && requested !== t.role) throw new AuthError('access-denied', 'Your requested role is not in allowed roles');
    // last_used_at at most once a minute per token: a dashboard's polling must not write on every request.
    const last = this.lastUsedWrites.get(t.id) ?? 0;
    if (this.now() - last > 60_000) {
      this.lastUsedWrites.set(t.id, this.now());
      await this.db.query('UPDATE office.api_tokens SET last_used_at = now() WHERE id = $1', [t.id]);
    }
    return {
      role: t.role,
      session: { 'x-hasura-role': t.role, 'x-hasura-user-id': String(t.created_by ?? ''), 'x-hasura-api-token-id': String(t.id), ...groupSession(undefined) },
    };
  }

  /** The session of an owner-only /auth route; AuthHttpError 401/403 otherwise. */
  async requireOwner(headers: Record<string, string | string[] | undefined>): Promise<{ userId: number | null; name: string | null }> {
    let session: SessionContext;
    try {
      session = await this.authenticate(headers);
    } catch (err) {
      if (err instanceof AuthError) throw new AuthHttpError(401, err.code, err.message);
      throw err;
    }
    if (session.role !== OWNER_ROLE && session.role !== ADMIN_ROLE) throw new AuthHttpError(403, 'access-denied', 'only the owner may do this');
    const userId = session.session['x-hasura-user-id'] ? Number(session.session['x-hasura-user-id']) : null;
    const user = userId ? await this.user(userId) : undefined;
    return { userId: user ? userId : null, name: user?.name ?? null };
  }

  // ---- Sign-in ------------------------------------------------------------------------------------------

  private async issue(user: UserRow, address: string | null, family: string = randomUUID(), via = 'login'): Promise<LoginAnswer> {
    const groups = user.group_ids.length ? { 'x-hasura-group-ids': `{${user.group_ids.join(',')}}` } : undefined;
    const access = mintAccessToken(this.key, { userId: user.id, version: user.token_version, role: user.role, allowedRoles: allowedRolesOf(user.role), extra: groups });
    const refresh = generateToken(REFRESH_TOKEN_PREFIX, 32);
    await this.db.query(
      `INSERT INTO office.refresh_tokens (user_id, token_hash, family_id, expires_at, address) VALUES ($1, $2, $3, now() + make_interval(days => $4), $5)`,
      [user.id, hashToken(refresh), family, REFRESH_TOKEN_DAYS, address],
    );
    await this.audit('token_issued', user.name, address, { via, jti: access.jti, family });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refresh,
      user: { id: user.id, name: user.name, role: user.role, allowed_roles: allowedRolesOf(user.role) },
    };
  }

  async login(name: unknown, password: unknown, address: string): Promise<LoginAnswer> {
    if (typeof name !== 'string' || typeof password !== 'string' || name.length > 200 || password.length > 1024) {
      throw new AuthHttpError(400, 'invalid-input', 'name and password are required');
    }
    const accountKey = `user:${name.trim().toLowerCase()}`;
    const addressKey = `addr:${address}`;
    const wait = Math.max(this.accounts.retryAfterMs(accountKey), this.addresses.retryAfterMs(addressKey));
    if (wait > 0) {
      await this.audit('login_refused_locked', name, address, { retry_after_s: Math.ceil(wait / 1000) });
      throw new AuthHttpError(429, 'locked', 'too many failed sign-ins: try again later', Math.ceil(wait / 1000));
    }
    const { rows } = await this.db.query<UserRow>('SELECT * FROM office.users WHERE lower(name) = lower($1)', [name.trim()]);
    const user = rows[0];
    // An unknown name costs the same scrypt as a known one: the answer's timing does not tell which names exist.
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyHash()));
    if (!user || !ok || user.disabled_at) {
      const a = this.accounts.fail(accountKey);
      const b = this.addresses.fail(addressKey);
      await this.audit('login_failed', name, address, { failures: a.failures, ...(user?.disabled_at && ok ? { disabled: true } : {}) });
      if ((a.locked && a.failures === ACCOUNT_POLICY.freeAttempts + 1) || (b.locked && b.failures === ADDRESS_POLICY.freeAttempts + 1)) {
        await this.audit('lockout', name, address, { account_failures: a.failures, address_failures: b.failures });
      }
      throw new AuthHttpError(401, 'invalid-credentials', 'wrong name or password');
    }
    this.accounts.succeed(accountKey);
    this.addresses.succeed(addressKey);
    await this.audit('login_ok', user.name, address);
    return this.issue(user, address);
  }

  async setup(name: unknown, password: unknown, address: string): Promise<LoginAnswer> {
    if (typeof name !== 'string' || !name.trim()) throw new AuthHttpError(400, 'invalid-input', 'name is required');
    try {
      checkPasswordPolicy(password);
    } catch (err) {
      if (err instanceof PasswordPolicyError) throw new AuthHttpError(400, 'weak-password', err.message);
      throw err;
    }
    const hash = await hashPassword(password);
    // One statement: two concurrent setups cannot both create an owner.
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO office.users (name, role, password_hash) SELECT $1, 'owner', $2 WHERE NOT EXISTS (SELECT 1 FROM office.users) RETURNING *`,
      [name.trim(), hash],
    );
    if (!rows[0]) throw new AuthHttpError(409, 'already-set-up', 'the office already has an owner: sign in');
    await this.audit('user_created', rows[0].name, address, { role: 'owner', via: 'setup' });
    await this.audit('login_ok', rows[0].name, address, { via: 'setup' });
    return this.issue(rows[0], address);
  }

  async refresh(token: unknown, address: string): Promise<LoginAnswer> {
    if (typeof token !== 'string' || !token) throw new AuthHttpError(401, 'invalid-refresh-token', 'no refresh token');
    const hash = hashToken(token);
    const result = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number; user_id: number; family_id: string; expired: boolean; rotated_at: string | null; revoked_at: string | null }>(
        'SELECT id, user_id, family_id, expires_at <= now() AS expired, rotated_at, revoked_at FROM office.refresh_tokens WHERE token_hash = $1 FOR UPDATE',
        [hash],
      );
      const t = rows[0];
      if (!t) return { error: 'unknown' as const };
      if (t.revoked_at) return { error: 'revoked' as const, t };
      if (t.rotated_at) {
        // A rotated token presented again: someone else has (had) it. Revoke the whole login's family.
        await tx.query('UPDATE office.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [t.family_id]);
        return { error: 'reused' as const, t };
      }
      if (t.expired) return { error: 'expired' as const, t };
      await tx.query('UPDATE office.refresh_tokens SET rotated_at = now() WHERE id = $1', [t.id]);
      return { t };
    });
    if ('error' in result) {
      const user = result.t ? await this.user(result.t.user_id) : undefined;
      if (result.error === 'reused') await this.audit('refresh_token_reused', user?.name ?? null, address, { family: result.t!.family_id, revoked: 'family' });
      throw new AuthHttpError(401, 'invalid-refresh-token', 'the refresh token is not valid: sign in again');
    }
    const user = await this.user(result.t.user_id);
    if (!user || user.disabled_at) throw new AuthHttpError(401, 'invalid-refresh-token', 'the refresh token is not valid: sign in again');
    return this.issue(user, address, result.t.family_id, 'refresh');
  }

  /** Revokes the refresh token's family (this sign-in), or with `everywhere` all the user's and their access tokens. */
  async logout(token: unknown, everywhere: boolean, headers: Record<string, string | string[] | undefined>, address: string): Promise<void> {
    if (everywhere) {
      let session: SessionContext;
      try {
        session = await this.authenticate(headers);
      } catch (err) {
        if (err instanceof AuthError) throw new AuthHttpError(401, err.code, err.message);
        throw err;
      }
      const userId = Number(session.session['x-hasura-user-id']);
      const user = Number.isInteger(userId) ? await this.user(userId) : undefined;
      if (!user || session.session['x-hasura-api-token-id']) throw new AuthHttpError(403, 'access-denied', 'sign out everywhere needs a user access token');
      await this.db.query('UPDATE office.refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
      await this.db.query('UPDATE office.users SET token_version = token_version + 1 WHERE id = $1', [user.id]);
      this.invalidate(user.id);
      await this.audit('token_revoked', user.name, address, { scope: 'everywhere' });
      return;
    }
    if (typeof token !== 'string' || !token) return;
    const { rows } = await this.db.query<{ family_id: string; user_id: number }>(
      'UPDATE office.refresh_tokens SET revoked_at = now() WHERE family_id = (SELECT family_id FROM office.refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL RETURNING family_id, user_id',
      [hashToken(token)],
    );
    if (rows[0]) await this.audit('token_revoked', (await this.user(rows[0].user_id))?.name ?? null, address, { scope: 'sign-in', family: rows[0].family_id });
  }

  /** The local window's token: the first owner's, without a password (the caller checked loopback and control key). */
  async localToken(address: string): Promise<LoginAnswer> {
    const { rows } = await this.db.query<UserRow>(`SELECT * FROM office.users WHERE role = 'owner' AND disabled_at IS NULL ORDER BY id LIMIT 1`);
    if (!rows[0]) throw new AuthHttpError(409, 'setup-required', 'the office has no owner yet: create one first');
    return this.issue(rows[0], address, randomUUID(), 'local');
  }

  /** An access token for the CLI and scripts (`token --role R [--user U] [--ttl 15m]`). */
  async mintForCli(role: string, userName: string | undefined, ttlSeconds: number): Promise<string> {
    if (!isRole(role)) throw new AuthHttpError(400, 'invalid-input', `role must be one of ${ROLES.join(', ')}`);
    const { rows } = userName
      ? await this.db.query<UserRow>('SELECT * FROM office.users WHERE lower(name) = lower($1)', [userName])
      : await this.db.query<UserRow>(`SELECT * FROM office.users WHERE role = 'owner' AND disabled_at IS NULL ORDER BY id LIMIT 1`);
    const user = rows[0];
    if (!user) throw new AuthHttpError(404, 'not-found', userName ? `no user ${userName}` : 'no owner yet: add one with `user add --role owner`');
    if (user.disabled_at) throw new AuthHttpError(400, 'invalid-input', `user ${user.name} is disabled`);
    const allowed = allowedRolesOf(user.role);
    if (!allowed.includes(role)) throw new AuthHttpError(400, 'invalid-input', `user ${user.name} (${user.role}) may not act as ${role}`);
    const groups = user.group_ids.length ? { 'x-hasura-group-ids': `{${user.group_ids.join(',')}}` } : undefined;
    const t = mintAccessToken(this.key, { userId: user.id, version: user.token_version, role, allowedRoles: [role], extra: groups, ttlSeconds });
    await this.audit('token_issued', user.name, 'cli', { via: 'cli', role, ttl_s: ttlSeconds, jti: t.jti });
    return t.token;
  }

  // ---- Owner: users, API tokens, audit --------------------------------------------------------------------

  async listUsers(): Promise<PublicUser[]> {
    const { rows } = await this.db.query<UserRow>('SELECT * FROM office.users ORDER BY id');
    return rows.map(publicUser);
  }

  async addUser(body: Record<string, unknown>, actor: string | null, address: string): Promise<PublicUser> {
    const { name, password, role } = body;
    if (typeof name !== 'string' || !name.trim() || name.length > 64) throw new AuthHttpError(400, 'invalid-input', 'name is required (at most 64 characters)');
    if (!isRole(role)) throw new AuthHttpError(400, 'invalid-input', `role must be one of ${ROLES.join(', ')}`);
    try {
      checkPasswordPolicy(password);
    } catch (err) {
      if (err instanceof PasswordPolicyError) throw new AuthHttpError(400, 'weak-password', err.message);
      throw err;
    }
    const groups = groupIdsOf(body.group_ids);
    const hash = await hashPassword(password);
    try {
      const { rows } = await this.db.query<UserRow>('INSERT INTO office.users (name, role, password_hash, group_ids) VALUES ($1, $2, $3, $4) RETURNING *', [name.trim(), role, hash, groups]);
      await this.audit('user_created', rows[0]!.name, address, { role, by: actor, group_ids: groups });
      return publicUser(rows[0]!);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new AuthHttpError(409, 'already-exists', `a user named ${name.trim()} exists`);
      throw err;
    }
  }

  async updateUser(id: number, body: Record<string, unknown>, actor: { userId: number | null; name: string | null }, address: string): Promise<PublicUser> {
    const before = await this.user(id);
    if (!before) throw new AuthHttpError(404, 'not-found', `no user ${id}`);
    const sets: string[] = [];
    const params: unknown[] = [];
    const detail: Record<string, unknown> = { by: actor.name };
    let bump = false;
    if (body.role !== undefined) {
      if (!isRole(body.role)) throw new AuthHttpError(400, 'invalid-input', `role must be one of ${ROLES.join(', ')}`);
      if (before.role === OWNER_ROLE && body.role !== OWNER_ROLE && (await this.otherActiveOwners(id)) === 0) throw new AuthHttpError(409, 'last-owner', 'the farm needs at least one owner');
      if (body.role !== before.role) {
        params.push(body.role);
        sets.push(`role = $${params.length}`);
        detail.role = { from: before.role, to: body.role };
        bump = true;
      }
    }
    if (body.password !== undefined) {
      try {
        checkPasswordPolicy(body.password);
      } catch (err) {
        if (err instanceof PasswordPolicyError) throw new AuthHttpError(400, 'weak-password', err.message);
        throw err;
      }
      params.push(await hashPassword(body.password));
      sets.push(`password_hash = $${params.length}`);
      detail.password = 'changed';
      bump = true;
    }
    if (body.disabled !== undefined) {
      if (typeof body.disabled !== 'boolean') throw new AuthHttpError(400, 'invalid-input', 'disabled must be true or false');
      if (body.disabled && before.role === OWNER_ROLE && (await this.otherActiveOwners(id)) === 0) throw new AuthHttpError(409, 'last-owner', 'the farm needs at least one owner');
      sets.push(body.disabled ? 'disabled_at = coalesce(disabled_at, now())' : 'disabled_at = NULL');
      detail.disabled = body.disabled;
      bump ||= body.disabled;
    }
    if (body.group_ids !== undefined) {
      params.push(groupIdsOf(body.group_ids));
      sets.push(`group_ids = $${params.length}`);
      detail.group_ids = params[params.length - 1];
      bump = true;
    }
    if (!sets.length) return publicUser(before);
    if (bump) sets.push('token_version = token_version + 1');
    params.push(id);
    const { rows } = await this.db.query<UserRow>(`UPDATE office.users SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params);
    if (bump) await this.db.query('UPDATE office.refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [id]);
    this.invalidate(id);
    await this.audit(detail.role ? 'role_changed' : 'user_changed', before.name, address, detail);
    return publicUser(rows[0]!);
  }

  private async otherActiveOwners(id: number): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM office.users WHERE role = 'owner' AND disabled_at IS NULL AND id <> $1`, [id]);
    return rows[0]!.n;
  }

  async listAudit(limit: number): Promise<unknown[]> {
    const { rows } = await this.db.query('SELECT id, ts, event, "user", address, detail FROM office.security_audit ORDER BY id DESC LIMIT $1', [Math.min(Math.max(1, limit || 100), 1000)]);
    return rows;
  }

  async listApiTokens(): Promise<unknown[]> {
    const { rows } = await this.db.query('SELECT id, name, role, created_at, expires_at, revoked_at, last_used_at FROM office.api_tokens ORDER BY id');
    return rows;
  }

  async createApiToken(body: Record<string, unknown>, actor: { userId: number | null; name: string | null }, address: string): Promise<unknown> {
    const { name, role } = body;
    const days = body.expires_in_days ?? 90;
    if (typeof name !== 'string' || !name.trim()) throw new AuthHttpError(400, 'invalid-input', 'name is required');
    if (!isRole(role)) throw new AuthHttpError(400, 'invalid-input', `role must be one of ${ROLES.join(', ')}`);
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) throw new AuthHttpError(400, 'invalid-input', 'expires_in_days must be a whole number of days, 1–3650');
    const token = generateToken(API_TOKEN_PREFIX, 32);
    const { rows } = await this.db.query<Record<string, unknown>>(
      `INSERT INTO office.api_tokens (name, role, token_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))
       RETURNING id, name, role, created_at, expires_at, revoked_at, last_used_at`,
      [name.trim(), role, hashToken(token), actor.userId, days],
    );
    await this.audit('api_token_issued', actor.name, address, { id: rows[0]!.id, name: name.trim(), role, expires_in_days: days });
    return { ...rows[0], token };
  }

  async revokeApiToken(id: number, actor: { name: string | null }, address: string): Promise<void> {
    const { rows } = await this.db.query<{ name: string }>('UPDATE office.api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING name', [id]);
    if (!rows[0]) throw new AuthHttpError(404, 'not-found', `no API token ${id}`);
    await this.audit('api_token_revoked', actor.name, address, { id, name: rows[0].name });
  }
}

export { ACCESS_TOKEN_SECONDS };

// Issue 5, server side: accounts, JWTs, roles through GraphQL, lockout, remote access, the signing key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';
import { jwtKeyOf } from './keys.ts';
import { CLAIMS_NAMESPACE, JWT_AUDIENCE, JWT_ISSUER } from './jwt.ts';
import { Lockout } from './lockout.ts';
import { startServe } from '../../../e2e/support/processes.ts';

let office: TestOffice;
let key: Buffer;
const PASSWORD = 'correct horse battery';

async function api(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${office.apiUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}
const gql = (query: string, headers: Record<string, string>) => api('/v1/graphql', { body: { query }, headers });
const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });

let ownerToken: string;
const tokens: Record<string, string> = {};

before(async () => {
  office = await startTestOffice();
  key = jwtKeyOf({ dataDir: office.dataDir, jwtSecret: undefined });
  await office.db.exec(`
    INSERT INTO groups (name) VALUES ('Barn A'), ('Barn B');
    INSERT INTO animals (tag, name, group_id) VALUES ('101', 'Berta', 1), ('102', 'Clara', 2);
    INSERT INTO alerts (animal_id, category, cause, reason, onset, raised_at) VALUES (1, 'Health', 'AnimalTemperature', 'fever', now(), now());`);
});
after(() => office.close());

test('status, setup once from loopback, then login answers the contract and sets the refresh cookie', async () => {
  assert.deepEqual((await api('/auth/status')).body, { setup_required: true, remote_access: false, remote_access_next_start: false });
  const setup = await api('/auth/setup', { body: { name: 'farmer', password: PASSWORD } });
  assert.equal(setup.status, 200);
  assert.equal((await api('/auth/setup', { body: { name: 'x', password: PASSWORD } })).status, 409);
  const login = await api('/auth/login', { body: { name: 'farmer', password: PASSWORD } });
  assert.equal(login.status, 200);
  assert.equal(login.body.token_type, 'Bearer');
  assert.equal(login.body.expires_in, 900);
  assert.deepEqual(login.body.user, { id: 1, name: 'farmer', role: 'owner', allowed_roles: ['owner', 'manager', 'vet', 'worker', 'viewer'] });
  assert.match(login.headers.get('set-cookie')!, /^ys_refresh=[^;]+; HttpOnly; SameSite=Strict; Path=\/auth/);
  const claims = jwt.decode(login.body.access_token) as Record<string, any>;
  assert.equal(claims.iss, 'yoctosehns');
  assert.equal(claims.aud, 'yoctosehns-api');
  assert.equal(claims.exp - claims.iat, 900);
  assert.ok(claims.jti && claims.sub === '1' && claims.ver === 1);
  assert.equal(claims[CLAIMS_NAMESPACE]['x-hasura-default-role'], 'owner');
  ownerToken = login.body.access_token;
  assert.deepEqual((await gql('{ groups(order_by: {id: asc}) { name } }', bearer(ownerToken))).body, { data: { groups: [{ name: 'Barn A' }, { name: 'Barn B' }] } });

  const wrong = await api('/auth/login', { body: { name: 'farmer', password: 'nope nope nope' } });
  const unknown = await api('/auth/login', { body: { name: 'nobody', password: 'nope nope nope' } });
  assert.deepEqual(wrong, { ...wrong, status: 401, body: { error: 'wrong name or password', code: 'invalid-credentials' } });
  assert.deepEqual(unknown.body, wrong.body);
});

test('refresh rotates; a reused refresh token revokes its family; logout revokes', async () => {
  const login = await api('/auth/login', { body: { name: 'farmer', password: PASSWORD } });
  const r1 = await api('/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
  assert.equal(r1.status, 200);
  assert.notEqual(r1.body.refresh_token, login.body.refresh_token);
  const cookie = r1.headers.get('set-cookie')!.split(';')[0]!;
  const reuse = await api('/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
  assert.deepEqual([reuse.status, reuse.body.code], [401, 'invalid-refresh-token']);
  const afterReuse = await api('/auth/refresh', { body: {}, headers: { cookie } });
  assert.equal(afterReuse.status, 401, 'the whole family is revoked');
  const l2 = await api('/auth/login', { body: { name: 'farmer', password: PASSWORD } });
  assert.equal((await api('/auth/logout', { body: { refresh_token: l2.body.refresh_token } })).status, 204);
  assert.equal((await api('/auth/refresh', { body: { refresh_token: l2.body.refresh_token } })).status, 401);
});

test('owner creates users of each role; API and token routes are owner-only', async () => {
  for (const [name, role, group_ids] of [['mia', 'manager'], ['vera', 'vet', [1]], ['wim', 'worker'], ['viv', 'viewer']] as const) {
    const r = await api('/auth/users', { body: { name, role, password: PASSWORD, group_ids }, headers: bearer(ownerToken) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    tokens[role] = (await api('/auth/login', { body: { name, password: PASSWORD } })).body.access_token;
  }
  const list = await api('/auth/users', { headers: bearer(ownerToken) });
  assert.deepEqual(list.body.users.map((u: any) => u.role), ['owner', 'manager', 'vet', 'worker', 'viewer']);
  assert.ok(!JSON.stringify(list.body).includes('scrypt'), 'no password hash leaves the office');
  assert.equal((await api('/auth/users', { headers: bearer(tokens.manager!) })).status, 403);
  assert.equal((await api('/auth/users')).status, 401);
  const created = await api('/auth/api-tokens', { body: { name: 'dashboard', role: 'viewer', expires_in_days: 30 }, headers: bearer(ownerToken) });
  assert.equal(created.status, 201);
  const apiToken = created.body.token.token as string;
  assert.deepEqual((await gql('{ groups(limit: 1) { name } }', bearer(apiToken))).body, { data: { groups: [{ name: 'Barn A' }] } });
  assert.equal((await api(`/auth/api-tokens/${created.body.token.id}`, { method: 'DELETE', headers: bearer(ownerToken) })).status, 204);
  assert.equal((await gql('{ groups { name } }', bearer(apiToken))).body.errors[0].extensions.code, 'invalid-jwt');
  const audit = await api('/auth/audit?limit=200', { headers: bearer(ownerToken) });
  const events = new Set(audit.body.events.map((e: any) => e.event));
  for (const e of ['login_ok', 'login_failed', 'token_issued', 'token_revoked', 'user_created', 'api_token_issued', 'api_token_revoked', 'refresh_token_reused']) assert.ok(events.has(e), e);
});

test('the JWT attack matrix: each refused with a Hasura-style error', async () => {
  const now = Math.floor(Date.now() / 1000);
  const ns = { 'x-hasura-allowed-roles': ['viewer'], 'x-hasura-default-role': 'viewer', 'x-hasura-user-id': '5' };
  const good = { sub: '5', ver: 1, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 600, [CLAIMS_NAMESPACE]: ns };
  const sign = (payload: object, k: jwt.Secret = key, options: jwt.SignOptions = { algorithm: 'HS256' }) => jwt.sign(payload, k, options);
  assert.deepEqual((await gql('{ groups { name } }', bearer(sign(good)))).body.data, { groups: [{ name: 'Barn A' }, { name: 'Barn B' }] }, 'the forged-looking but valid control case');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const valid = sign(good).split('.');
  const cases: [string, string, string, string?][] = [
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`, 'invalid-jwt'],
    ['RS256 token signed with a private key', sign(good, privateKey, { algorithm: 'RS256' }), 'invalid-jwt'],
    ['HS256 signed with the public key (RS/HS confusion)', `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(good)}.${(await import('node:crypto')).createHmac('sha256', publicKey.export({ type: 'spki', format: 'pem' })).update(`${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(good)}`).digest('base64url')}`, 'invalid-jwt'],
    ['wrong key', sign(good, Buffer.alloc(32, 7)), 'invalid-jwt', 'Could not verify JWT: JWSError JWSInvalidSignature'],
    ['tampered payload', `${valid[0]}.${b64({ ...good, [CLAIMS_NAMESPACE]: { ...ns, 'x-hasura-allowed-roles': ['owner'], 'x-hasura-default-role': 'owner' } })}.${valid[2]}`, 'invalid-jwt'],
    ['expired beyond the skew', sign({ ...good, iat: now - 1000, exp: now - 61 }), 'invalid-jwt', 'Could not verify JWT: JWTExpired'],
    ['nbf in the future', sign({ ...good, nbf: now + 120 }), 'invalid-jwt', 'Could not verify JWT: JWTNotYetValid'],
    ['wrong aud', sign({ ...good, aud: 'someone-else' }), 'invalid-jwt', 'Could not verify JWT: JWTNotInAudience'],
    ['wrong iss', sign({ ...good, iss: 'evil' }), 'invalid-jwt', 'Could not verify JWT: JWTNotInIssuer'],
    ['missing claims namespace', sign({ sub: '5', ver: 1, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 600 }), 'invalid-jwt', `claims key: '${CLAIMS_NAMESPACE}' not found`],
    ['outdated token_version', sign({ ...good, ver: 0 }), 'invalid-jwt'],
  ];
  for (const [name, token, code, message] of cases) {
    const r = await gql('{ groups { name } }', bearer(token));
    assert.equal(r.body.data, undefined, name);
    assert.equal(r.body.errors?.[0]?.extensions?.code, code, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.errors[0].extensions.path, '$', name);
    if (message) assert.equal(r.body.errors[0].message, message, name);
  }
  const notAllowed = await gql('{ groups { name } }', bearer(sign(good), { 'x-hasura-role': 'owner' }));
  assert.deepEqual(notAllowed.body, { errors: [{ message: 'Your requested role is not in allowed roles', extensions: { code: 'access-denied', path: '$' } }] });
  assert.deepEqual((await gql('{ groups { name } }', {})).body, { errors: [{ message: "Missing 'Authorization' header", extensions: { code: 'invalid-headers', path: '$' } }] });
  assert.equal((await gql('{ groups { name } }', { 'x-hasura-admin-secret': 'guess' })).body.errors[0].extensions.code, 'access-denied');
  assert.equal((await api('/v2/query', { body: { type: 'run_sql', args: { sql: 'SELECT 1' } } })).body.code, 'invalid-headers');
  assert.equal((await api('/v2/query', { body: { type: 'run_sql', args: { sql: 'SELECT 1' } }, headers: bearer(tokens.manager!) })).status, 403);
  assert.equal((await api('/v2/query', { body: { type: 'run_sql', args: { sql: 'SELECT 1' } }, headers: bearer(ownerToken) })).status, 200, 'owner is admin');

  // A role change (and a password change) kills outstanding access tokens.
  const before = tokens.viewer!;
  assert.equal((await api('/auth/users/5', { method: 'PATCH', body: { role: 'worker' }, headers: bearer(ownerToken) })).status, 200);
  assert.equal((await gql('{ groups { name } }', bearer(before))).body.errors[0].extensions.code, 'invalid-jwt');
  await api('/auth/users/5', { method: 'PATCH', body: { role: 'viewer' }, headers: bearer(ownerToken) });
  tokens.viewer = (await api('/auth/login', { body: { name: 'viv', password: PASSWORD } })).body.access_token;
});

test('per role through GraphQL: visible tables and columns, row filters, and refused mutations', async () => {
  const fields = async (role: string) => {
    const r = await gql('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }', bearer(tokens[role]!));
    return { q: new Set<string>(r.body.data.__schema.queryType.fields.map((f: any) => f.name)), m: new Set<string>((r.body.data.__schema.mutationType?.fields ?? []).map((f: any) => f.name)) };
  };
  const expect: Record<string, { reads: string[]; writes: string[]; notWrites: string[] }> = {
    manager: { reads: ['animals', 'nodes', 'alerts', 'events', 'readings', 'node_requests'], writes: ['insert_animals', 'update_alerts', 'insert_events', 'update_nodes'], notWrites: ['insert_nodes', 'delete_farm_settings'] },
    vet: { reads: ['animals', 'readings', 'alerts', 'events', 'groups'], writes: ['update_animals', 'insert_readings', 'update_alerts', 'insert_events'], notWrites: ['insert_animals', 'delete_events', 'update_groups'] },
    worker: { reads: ['animals', 'alerts', 'groups'], writes: ['update_alerts', 'insert_events'], notWrites: ['update_animals', 'delete_alerts', 'insert_readings'] },
    viewer: { reads: ['animals', 'alerts', 'readings', 'groups'], writes: [], notWrites: ['update_alerts', 'insert_events'] },
  };
  for (const [role, e] of Object.entries(expect)) {
    const { q, m } = await fields(role);
    for (const t of e.reads) assert.ok(q.has(t), `${role} reads ${t}`);
    for (const t of e.writes) assert.ok(m.has(t), `${role} may ${t}`);
    for (const t of e.notWrites) assert.ok(!m.has(t), `${role} may not ${t}`);
    for (const t of q) assert.ok(!/users|tokens|audit|graphql_permissions/.test(t), `${role} never sees ${t}`);
    const node = await gql('{ nodes { token_hash } }', bearer(tokens[role]!));
    assert.equal(node.body.errors[0].extensions.code, 'validation-failed', `${role} never sees nodes.token_hash`);
  }
  // The vet assigned to Barn A sees only Barn A's animals; the manager sees all.
  assert.deepEqual((await gql('{ animals(order_by: {tag: asc}) { tag } }', bearer(tokens.vet!))).body.data.animals, [{ tag: '101' }]);
  assert.deepEqual((await gql('{ animals(order_by: {tag: asc}) { tag } }', bearer(tokens.manager!))).body.data.animals, [{ tag: '101' }, { tag: '102' }]);
  // Worker: acknowledge an alert, add a note; not a treatment.
  const ack = await gql('mutation { update_alerts(where: {id: {_eq: 1}}, _set: {status: "acknowledged"}) { affected_rows } }', bearer(tokens.worker!));
  assert.deepEqual(ack.body, { data: { update_alerts: { affected_rows: 1 } } });
  const note = await gql('mutation { insert_events_one(object: {animal_id: 1, ts: "2026-03-01T00:00:00Z", note: "limping"}) { kind } }', bearer(tokens.worker!));
  assert.deepEqual(note.body, { data: { insert_events_one: { kind: 'note' } } });
  const treatment = await gql('mutation { insert_events_one(object: {animal_id: 1, kind: "treatment", ts: "2026-03-01T00:00:00Z"}) { id } }', bearer(tokens.worker!));
  assert.equal(treatment.body.errors[0].extensions.code, 'validation-failed');
  // Viewer: no mutations at all.
  const viewerWrite = await gql('mutation { update_alerts(where: {}, _set: {status: "resolved"}) { affected_rows } }', bearer(tokens.viewer!));
  assert.equal(viewerWrite.body.errors[0].extensions.code, 'validation-failed');
  // Vet: a treatment for Barn B's animal is outside the assigned groups.
  const vetB = await gql('mutation { insert_events_one(object: {animal_id: 2, kind: "treatment", ts: "2026-03-01T00:00:00Z"}) { id } }', bearer(tokens.vet!));
  assert.equal(vetB.body.errors[0].extensions.code, 'permission-error');
  // The owner may act as another role it is allowed.
  const asViewer = await gql('mutation { update_alerts(where: {}, _set: {status: "resolved"}) { affected_rows } }', bearer(ownerToken, { 'x-hasura-role': 'viewer' }));
  assert.equal(asViewer.body.errors[0].extensions.code, 'validation-failed');
  // The manager sets the farm's locale (0009_farm_locale.sql) like its zone and units; a tag of the wrong shape is
  // refused by the column's CHECK; the worker may not set it at all.
  const setLocale = (locale: string, role: string) =>
    gql(`mutation { update_farm_settings_by_pk(pk_columns: {id: 1}, _set: {locale: ${JSON.stringify(locale)}}) { locale } }`, bearer(tokens[role]!));
  assert.deepEqual((await setLocale('de-DE', 'manager')).body, { data: { update_farm_settings_by_pk: { locale: 'de-DE' } } });
  assert.ok((await setLocale('german', 'manager')).body.errors?.length, 'a malformed tag is refused');
  assert.equal((await setLocale('en-US', 'worker')).body.errors[0].extensions.code, 'validation-failed');
  assert.deepEqual((await gql('{ farm_settings { locale } }', bearer(tokens.viewer!))).body, { data: { farm_settings: [{ locale: 'de-DE' }] } });
  assert.deepEqual((await setLocale('en-GB', 'manager')).body, { data: { update_farm_settings_by_pk: { locale: 'en-GB' } } });
});

test('brute force: 100 wrong passwords lock the account; the right one is refused while locked', async () => {
  let locked = 0;
  for (let i = 0; i < 100; i++) {
    const r = await api('/auth/login', { body: { name: 'wim', password: `wrong-${i}-password` } });
    if (r.status === 429) locked++;
    else assert.equal(r.status, 401);
  }
  assert.ok(locked >= 90, `locked answers: ${locked}`);
  const right = await api('/auth/login', { body: { name: 'wim', password: PASSWORD } });
  assert.equal(right.status, 429);
  assert.ok(Number(right.headers.get('retry-after')) > 0);
  assert.equal(right.body.code, 'locked');

  // The backoff itself, on a clock the test controls.
  let now = 0;
  const lockout = new Lockout({ freeAttempts: 5, baseMs: 1000, maxMs: 60_000 }, () => now);
  for (let i = 0; i < 5; i++) assert.equal(lockout.fail('k').locked, false);
  assert.deepEqual(lockout.fail('k'), { locked: true, failures: 6, ms: 1000 });
  assert.deepEqual(lockout.fail('k'), { locked: true, failures: 7, ms: 2000 });
  assert.equal(lockout.retryAfterMs('k'), 2000);
  now += 2000;
  assert.equal(lockout.retryAfterMs('k'), 0, 'the backoff has passed');
});

test('local token: loopback with the control key only', async () => {
  assert.equal((await api('/auth/local-token', { body: {} })).status, 401);
  assert.equal((await api('/auth/local-token', { body: {}, headers: bearer('wrong') })).status, 401);
  const r = await api('/auth/local-token', { body: {}, headers: bearer(office.adminHeaders['x-hasura-admin-secret']!) });
  assert.equal(r.status, 200);
  assert.equal(r.body.user.name, 'farmer');
});

/** An address of this machine that is not loopback (the farm LAN's, in production), if it has one. */
function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

test('remote access off: only the ingest port answers on the LAN address; on: a LAN login works and no token is refused', async (t) => {
  const lan = lanAddress();
  if (!lan) return t.skip('this machine has no non-loopback IPv4 address to reach the office from');
  const dataDir = mkdtempSync(join(tmpdir(), 'ys-remote-'));
  try {
    // Off (the default), even with host 0.0.0.0: the API is on loopback only; the ingest listener is on every address.
    const off = await startServe(dataDir, {}, ['--host', '0.0.0.0', '--ingest-host', '0.0.0.0']);
    try {
      assert.match(new URL(off.api).hostname, /^127\./);
      await assert.rejects(fetch(`http://${lan}:${new URL(off.api).port}/v1/health`), 'the API does not answer on the LAN address');
      assert.equal((await fetch(`http://${lan}:${new URL(off.ingest).port}/v1/health`)).status, 200, 'the ingest listener does');
    } finally {
      await off.stop();
    }
    const on = await startServe(dataDir, { YOCTOSEHNS_REMOTE_ACCESS: 'true' }, ['--host', '0.0.0.0']);
    try {
      const base = `http://${lan}:${new URL(on.api).port}`;
      // The owner is created on the office PC itself (setup is loopback only), then signs in from the LAN.
      const local = `http://127.0.0.1:${new URL(on.api).port}`;
      const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      assert.equal((await post(`${base}/auth/setup`, { name: 'farmer', password: PASSWORD })).status, 403, 'no owner from the LAN');
      assert.equal((await post(`${local}/auth/setup`, { name: 'farmer', password: PASSWORD })).status, 200);
      const login = await post(`${base}/auth/login`, { name: 'farmer', password: PASSWORD });
      assert.equal(login.status, 200);
      const { access_token } = (await login.json()) as { access_token: string };
      const query = { query: '{ groups { name } }' };
      const anonymous = (await (await post(`${base}/v1/graphql`, query)).json()) as { errors: { extensions: { code: string } }[] };
      assert.equal(anonymous.errors[0]!.extensions.code, 'invalid-headers');
      const signedIn = (await (await post(`${base}/v1/graphql`, query, { authorization: `Bearer ${access_token}` })).json()) as { data: unknown };
      assert.deepEqual(signedIn.data, { groups: [] });
    } finally {
      await on.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a signing key shorter than 256 bits stops the start with one clear line and exit code 2', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ys-shortkey-'));
  try {
    await assert.rejects(startServe(dataDir, { YOCTOSEHNS_JWT_SECRET: 'too-short-secret' }), (err: any) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr, /^yoctosehns: YOCTOSEHNS_JWT_SECRET: the JWT signing key must be at least 256 bits/m);
      return true;
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the owner turns remote access on for the next start from the dashboard; others may not; it is logged', async () => {
  const put = (body: unknown, headers: Record<string, string>) => api('/auth/remote-access', { method: 'PUT', body, headers });
  assert.equal((await put({ enabled: true }, {})).status, 401);
  assert.equal((await put({ enabled: true }, bearer(tokens.manager!))).status, 403);
  const bad = await put({ enabled: 'yes' }, bearer(ownerToken));
  assert.deepEqual({ status: bad.status, code: bad.body.code }, { status: 400, code: 'invalid-input' });

  const on = await put({ enabled: true }, bearer(ownerToken));
  assert.deepEqual(on, { ...on, status: 200, body: { remote_access: false, remote_access_next_start: true } });
  const file = join(office.dataDir, 'config.json');
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).remoteAccess, true);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual((await api('/auth/status')).body, { setup_required: false, remote_access: false, remote_access_next_start: true });
  const { rows } = await office.db.query<{ event: string; user: string }>(`SELECT event, "user" FROM office.security_audit WHERE event LIKE 'remote_access_%' ORDER BY id`);
  assert.deepEqual(rows.at(-1), { event: 'remote_access_on', user: 'farmer' });

  assert.equal((await put({ enabled: false }, bearer(ownerToken))).body.remote_access_next_start, false);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).remoteAccess, false);
});

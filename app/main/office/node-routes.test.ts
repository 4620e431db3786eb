// POST /office/nodes (provision, rotate, revoke) and GET /office/info against a real office.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';

let office: TestOffice;
const PASSWORD = 'correct horse battery';
const tokens: Record<string, string> = {};

async function api(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const res = await fetch(`${office.apiUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

before(async () => {
  office = await startTestOffice();
  await office.db.exec(`INSERT INTO animals (tag, name) VALUES ('DE01', 'Berta')`);
  tokens.owner = (await api('/auth/setup', { body: { name: 'farmer', password: PASSWORD } })).body.access_token;
  for (const role of ['manager', 'worker']) {
    assert.equal((await api('/auth/users', { body: { name: role, password: PASSWORD, role }, token: tokens.owner })).status, 201);
    tokens[role] = (await api('/auth/login', { body: { name: role, password: PASSWORD } })).body.access_token;
  }
});
after(() => office.close());

test('GET /office/info tells a signed-in user where nodes post; nobody else', async () => {
  const info = await api('/office/info', { token: tokens.worker });
  assert.equal(info.status, 200);
  assert.equal(info.body.ingest_url, office.ingestUrl);
  assert.equal((await api('/office/info')).status, 401);
});

test('a manager provisions a node; its token works at once on the ingest listener, and the change is live', async () => {
  let told = 0;
  const onChange = (what: string) => what === 'nodes' && told++;
  office.events.on('change', onChange);
  const created = await api('/office/nodes', { body: { name: 'collar-7', kind: 'collar', animal: 'DE01' }, token: tokens.manager });
  office.events.off('change', onChange);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.name, 'collar-7');
  assert.match(created.body.token, /^ysn_/);
  assert.ok(told >= 1, 'the office heard about the new node');

  const rows = await office.graphql(`{ nodes(where: {name: {_eq: "collar-7"}}) { id kind animal { tag } } }`);
  assert.deepEqual(rows.data.nodes, [{ id: created.body.id, kind: 'collar', animal: { tag: 'DE01' } }]);
  const ts = new Date(Date.now() - 60_000).toISOString();
  const posted = await office.post(created.body.token, { readings: [{ metric: 'temperature', ts, value: 38.6 }] });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  assert.equal(posted.body.accepted, 1);
});

test('a pen node creates its pen', async () => {
  const created = await api('/office/nodes', { body: { name: 'climate-1', kind: 'climate', pen: 'Barn A', metric: 'ambient_temperature' }, token: tokens.owner });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const rows = await office.graphql(`{ nodes(where: {name: {_eq: "climate-1"}}) { group { name kind } metric_id } }`);
  assert.deepEqual(rows.data.nodes, [{ group: { name: 'Barn A', kind: 'pen' }, metric_id: 8 }]);
});

test('bad input is answered in words', async () => {
  const noName = await api('/office/nodes', { body: { kind: 'collar' }, token: tokens.owner });
  assert.equal(noName.status, 400);
  assert.deepEqual(noName.body, { error: 'a node needs a name', code: 'invalid-input' });
  const badKind = await api('/office/nodes', { body: { name: 'x', kind: 'toaster' }, token: tokens.owner });
  assert.equal(badKind.status, 400);
  assert.match(badKind.body.error, /unknown node kind "toaster"/);
  const noAnimal = await api('/office/nodes', { body: { name: 'x', kind: 'collar', animal: 'nope' }, token: tokens.owner });
  assert.equal(noAnimal.status, 400);
  assert.match(noAnimal.body.error, /no animal with tag or official ID "nope"/);
  assert.equal((await api('/office/nodes/999/rotate', { body: {}, token: tokens.owner })).status, 404);
  const notJson = await fetch(`${office.apiUrl}/office/nodes`, { method: 'POST', headers: { authorization: `Bearer ${tokens.owner}` }, body: '{' });
  assert.equal(notJson.status, 400);
});

test('only the owner and managers may provision, rotate or revoke', async () => {
  const byWorker = await api('/office/nodes', { body: { name: 'w', kind: 'collar' }, token: tokens.worker });
  assert.equal(byWorker.status, 403);
  assert.equal(byWorker.body.code, 'access-denied');
  assert.equal((await api('/office/nodes', { body: { name: 'w', kind: 'collar' } })).status, 401);
  assert.equal((await api('/office/nodes', { body: { name: 'w', kind: 'collar' }, token: 'nonsense' })).status, 401);
  assert.equal((await api('/office/nodes/1/revoke', { body: {}, token: tokens.worker })).status, 403);
  const count = await office.graphql(`{ nodes_aggregate(where: {name: {_eq: "w"}}) { aggregate { count } } }`);
  assert.equal(count.data.nodes_aggregate.aggregate.count, 0);
});

test('rotate gives a new token and the old one stops working; revoke stops the node', async () => {
  const created = await api('/office/nodes', { body: { name: 'bolus-3', kind: 'bolus' }, token: tokens.owner });
  const ts = new Date(Date.now() - 60_000).toISOString();
  const body = { readings: [{ animal: 'DE01', metric: 'temperature', ts, value: 38.9 }] };
  const rotated = await api(`/office/nodes/${created.body.id}/rotate`, { body: {}, token: tokens.manager });
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.token, created.body.token);
  assert.equal((await office.post(created.body.token, body)).status, 401, 'the old token is refused');
  assert.equal((await office.post(rotated.body.token, body)).status, 200);

  const revoked = await api(`/office/nodes/${created.body.id}/revoke`, { body: {}, token: tokens.manager });
  assert.deepEqual(revoked, { status: 200, body: { id: created.body.id, name: 'bolus-3' } });
  assert.equal((await office.post(rotated.body.token, body)).status, 401, 'a revoked node is refused');
  const again = await api(`/office/nodes/${created.body.id}/rotate`, { body: {}, token: tokens.owner });
  assert.equal(again.status, 400);
  assert.match(again.body.error, /revoked/);
});

test('an unknown /office route is a 404', async () => {
  assert.equal((await api('/office/nope', { token: tokens.owner })).status, 404);
});

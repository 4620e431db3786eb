import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';
import { nameRelationships, pluralize, type TableInfo } from './catalog.ts';

let office: TestOffice;
before(async () => {
  office = await startTestOffice();
  await office.db.exec(`
    INSERT INTO groups (name) VALUES ('Barn A'), ('Barn B');
    INSERT INTO animals (tag, name, group_id, unconfirmed) VALUES
      ('101', 'Berta', 1, false), ('102', 'Clara', 1, false), ('103', NULL, 2, true), ('104', 'O''Hara', NULL, false);`);
  const { token } = await office.addNode('b1', 'bolus');
  await office.post(token, [
    { animal: '101', metric: 'temperature', ts: '2026-01-01T00:00:00Z', value: 38.5 },
    { animal: '101', metric: 'temperature', ts: '2026-01-01T00:10:00Z', value: 38.6 },
    { animal: '102', metric: 'temperature', ts: '2026-01-01T00:00:00Z', value: 39.4 },
  ]);
});
after(() => office.close());

test('list with where, order_by, limit and relationships in one request', async () => {
  const res = await office.graphql(`{
    animals(where: {group: {name: {_eq: "Barn A"}}}, order_by: [{tag: desc}]) {
      tag name group { name }
      latest_readings { metric { key } value }
      readings(order_by: {ts: asc}, limit: 1) { value ts }
    }
  }`);
  assert.equal(res.errors, undefined);
  assert.deepEqual(res.data.animals, [
    { tag: '102', name: 'Clara', group: { name: 'Barn A' }, latest_readings: [{ metric: { key: 'temperature' }, value: 39.4 }], readings: [{ value: 39.4, ts: '2026-01-01T00:00:00+00:00' }] },
    { tag: '101', name: 'Berta', group: { name: 'Barn A' }, latest_readings: [{ metric: { key: 'temperature' }, value: 38.6 }], readings: [{ value: 38.5, ts: '2026-01-01T00:00:00+00:00' }] },
  ]);
});

test('boolean expressions: _or, _not, _in, _is_null, _ilike, array-relationship exists; values are bound, not interpolated', async () => {
  const q = async (where: unknown) =>
    (await office.graphql(`query($w: animals_bool_exp) { animals(where: $w, order_by: {tag: asc}) { tag } }`, { w: where })).data.animals.map(
      (a: { tag: string }) => a.tag,
    );
  assert.deepEqual(await q({ _or: [{ tag: { _eq: '101' } }, { unconfirmed: { _eq: true } }] }), ['101', '103']);
  assert.deepEqual(await q({ _not: { tag: { _in: ['101', '102'] } } }), ['103', '104']);
  assert.deepEqual(await q({ group_id: { _is_null: true } }), ['104']);
  assert.deepEqual(await q({ name: { _ilike: "o'h%" } }), ['104']);
  assert.deepEqual(await q({ readings: { value: { _gt: 39 } } }), ['102']);
  assert.deepEqual(await q({ name: { _eq: "x' OR 1=1 --" } }), []);
});

test('by primary key, aliases, fragments and @include', async () => {
  const res = await office.graphql(
    `query($id: Int!, $withGroup: Boolean!) {
      first: animals_by_pk(id: $id) { ...A g: group @include(if: $withGroup) { name } }
      missing: animals_by_pk(id: 999) { tag }
    }
    fragment A on animals { tag label: name __typename }`,
    { id: 1, withGroup: true },
  );
  assert.deepEqual(res.data, { first: { tag: '101', label: 'Berta', __typename: 'animals', g: { name: 'Barn A' } }, missing: null });
});

test('the schema follows the catalog: a table added by DDL appears after a rebuild, without code', async () => {
  await office.db.exec(`CREATE TABLE paddocks (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO paddocks (name) VALUES ('North')`);
  const before = await office.graphql('{ paddocks { name } }');
  assert.ok(before.errors, 'not in the schema before the rebuild');
  await office.graphqlEngine.rebuild();
  const afterRebuild = await office.graphql('{ paddocks { name } }');
  assert.deepEqual(afterRebuild.data, { paddocks: [{ name: 'North' }] });
});

test('relationship names follow Hasura console suggestions, with a rule for clashes', () => {
  assert.equal(pluralize('article'), 'articles');
  assert.equal(pluralize('readings'), 'readings');
  assert.equal(pluralize('category'), 'categories');
  const t = (name: string, cols: string[]): TableInfo => ({ name, kind: 'table', primaryKey: ['id'], uniqueConstraints: [], relationships: [], columns: cols.map((c) => ({ name: c, pgType: 'int4', notNull: false, hasDefault: false })) });
  const tables = new Map([
    ['animals', t('animals', ['id', 'sire_id', 'dam_id', 'group_id', 'group'])],
    ['groups', t('groups', ['id'])],
  ]);
  nameRelationships(tables, [
    { table_name: 'animals', target: 'animals', columns: ['sire_id'], target_columns: ['id'] },
    { table_name: 'animals', target: 'animals', columns: ['dam_id'], target_columns: ['id'] },
    { table_name: 'animals', target: 'groups', columns: ['group_id'], target_columns: ['id'] },
  ]);
  const names = (table: string) => tables.get(table)!.relationships.map((r) => `${r.kind}:${r.name}`).sort();
  assert.deepEqual(names('animals'), ['array:animals_by_dam_id', 'array:animals_by_sire_id', 'object:dam', 'object:group_by_group_id', 'object:sire']);
  assert.deepEqual(names('groups'), ['array:animals']);
});

test('GET requests work for queries (graphql-http)', async () => {
  const url = `${office.apiUrl}/v1/graphql?query=${encodeURIComponent('{ farm_settings { name } }')}`;
  const res = await fetch(url, { headers: { accept: 'application/graphql-response+json', ...office.adminHeaders } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { data: { farm_settings: [{ name: 'My farm' }] } });
});

test('compiled statements are reused per variables and session variables, and compiled anew after a permission change', async () => {
  const byPk = 'query($id: Int!) { animals_by_pk(id: $id) { tag } }';
  for (const id of [1, 2, 1, 3, 2, 1]) {
    assert.deepEqual(await office.graphql(byPk, { id }), { data: { animals_by_pk: { tag: ['101', '102', '103'][id - 1] } } }, `id ${id}`);
  }
  const count = 'query($g: Int!) { animals_aggregate(where: {group_id: {_eq: $g}}) { aggregate { count } } }';
  for (const [g, n] of [[1, 2], [2, 1], [1, 2], [3, 0]]) {
    assert.deepEqual(await office.graphql(count, { g }), { data: { animals_aggregate: { aggregate: { count: n } } } }, `group ${g}`);
  }
  // The same text and no variables, as the vet of one barn and then of the other: the session decides the rows.
  const asVet = async (groups: string) => {
    const res = await fetch(`${office.apiUrl}/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...office.adminHeaders, 'x-hasura-role': 'vet', 'x-hasura-group-ids': groups, 'x-hasura-all-groups': '0' },
      body: JSON.stringify({ query: '{ animals(order_by: {tag: asc}) { tag } }' }),
    });
    const body = (await res.json()) as { data?: { animals: { tag: string }[] }; errors?: unknown };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!.animals.map((a) => a.tag);
  };
  assert.deepEqual(await asVet('{1}'), ['101', '102']);
  assert.deepEqual(await asVet('{2}'), ['103']);
  assert.deepEqual(await asVet('{1}'), ['101', '102']);
  // A narrower permission: the next request, same text and session, follows it.
  const [saved] = (await office.db.query<{ permission: unknown }>(`SELECT permission FROM office.graphql_permissions WHERE role = 'vet' AND table_name = 'animals' AND action = 'select'`)).rows;
  assert.ok(saved, 'the farm roles give the vet a select permission on animals');
  try {
    await office.db.query(`UPDATE office.graphql_permissions SET permission = jsonb_set(permission, '{filter}', '{"tag": {"_eq": "102"}}') WHERE role = 'vet' AND table_name = 'animals' AND action = 'select'`);
    await office.graphqlEngine.rebuild();
    assert.deepEqual(await asVet('{1}'), ['102']);
  } finally {
    await office.db.query(`UPDATE office.graphql_permissions SET permission = $1 WHERE role = 'vet' AND table_name = 'animals' AND action = 'select'`, [JSON.stringify(saved.permission)]);
    await office.graphqlEngine.rebuild();
  }
  assert.deepEqual(await asVet('{1}'), ['101', '102']);
});

test('a query sent again reuses its coerced variables and arguments: other variables, @include by a variable, a wrong variable and another role are answered for themselves', async () => {
  const q = `query($g: Int!, $withName: Boolean!) { animals(where: {group_id: {_eq: $g}}, order_by: {tag: asc}) { tag name @include(if: $withName) } }`;
  const cases: [Record<string, unknown>, unknown][] = [
    [{ g: 1, withName: false }, [{ tag: '101' }, { tag: '102' }]],
    [{ g: 1, withName: false }, [{ tag: '101' }, { tag: '102' }]],
    [{ g: 1, withName: true }, [{ tag: '101', name: 'Berta' }, { tag: '102', name: 'Clara' }]],
    [{ g: 2, withName: true }, [{ tag: '103', name: null }]],
    [{ g: 1, withName: false }, [{ tag: '101' }, { tag: '102' }]],
  ];
  for (const [variables, animals] of cases) assert.deepEqual(await office.graphql(q, variables), { data: { animals } }, JSON.stringify(variables));
  // A value of the wrong type is refused each time it is sent, and does not spoil the good ones around it.
  for (let i = 0; i < 2; i++) {
    const res = await office.graphql(q, { g: 'one', withName: false });
    assert.equal(res.data, undefined);
    assert.equal(res.errors?.[0]?.extensions?.code, 'validation-failed', JSON.stringify(res.errors));
    assert.deepEqual(await office.graphql(q, { g: 2, withName: false }), { data: { animals: [{ tag: '103' }] } });
  }
  // The same text and variables as a vet of barn 1: her own schema and rows, not the admin's kept ones.
  const asVet = async (variables: Record<string, unknown>) =>
    (await (
      await fetch(`${office.apiUrl}/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...office.adminHeaders, 'x-hasura-role': 'vet', 'x-hasura-group-ids': '{1}', 'x-hasura-all-groups': '0' },
        body: JSON.stringify({ query: q, variables }),
      })
    ).json()) as unknown;
  assert.deepEqual(await asVet({ g: 2, withName: false }), { data: { animals: [] } });
  assert.deepEqual(await asVet({ g: 1, withName: false }), { data: { animals: [{ tag: '101' }, { tag: '102' }] } });
});

test('a body over 8 MiB is refused with 413 and a Hasura-shaped error; the next request on a new connection is answered', async () => {
  const big = JSON.stringify({ query: '{ farm_settings { name } }', variables: { pad: 'x'.repeat(9 * 1024 * 1024) } });
  const res = await fetch(`${office.apiUrl}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...office.adminHeaders }, body: big });
  assert.equal(res.status, 413);
  assert.equal(res.headers.get('connection'), 'close');
  const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
  assert.equal(body.errors[0]!.extensions.code, 'invalid-input');
  assert.deepEqual(await office.graphql('{ farm_settings { name } }'), { data: { farm_settings: [{ name: 'My farm' }] } });
});

test('manual relationships declared in column comments (readings.node, readings.metric) work like foreign keys', async () => {
  const res = await office.graphql(`{ readings(limit: 1, order_by: {ts: asc}, where: {metric: {key: {_eq: "temperature"}}}) { value node { name kind } metric { key unit } } metrics_by_pk(id: 1) { readings(limit: 1) { value } } }`);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  assert.deepEqual(res.data.readings, [{ value: 38.5, node: { name: 'b1', kind: 'bolus' }, metric: { key: 'temperature', unit: '°C' } }]);
  assert.equal(res.data.metrics_by_pk.readings.length, 1);
});

test('a node or metric with readings cannot be deleted (their references are not foreign keys)', async () => {
  await assert.rejects(office.db.query(`DELETE FROM nodes WHERE name = 'b1'`), /has readings: revoke it/);
  await assert.rejects(office.db.query(`DELETE FROM metrics WHERE key = 'temperature'`), /has readings and cannot be deleted/);
  await office.db.query(`DELETE FROM metrics WHERE key = 'lying'`); // unused: allowed
});

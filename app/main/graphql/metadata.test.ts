import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';

let office: TestOffice;
before(async () => {
  office = await startTestOffice();
  // These tests manage permissions from nothing: without the farm roles the accounts migration seeds.
  await office.db.exec(`
    DELETE FROM office.graphql_permissions; DELETE FROM office.graphql_roles;
    INSERT INTO groups (name) VALUES ('Barn A'), ('Barn B');
    INSERT INTO animals (tag, name, group_id) VALUES ('101', 'Berta', 1), ('102', 'Clara', 2);`);
  await office.graphqlEngine.rebuild();
});
after(() => office.close());

async function metadata(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${office.apiUrl}/v1/metadata`, { method: 'POST', headers: { 'content-type': 'application/json', ...office.adminHeaders, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
const SUCCESS = { status: 200, body: { message: 'success' } };

async function graphqlAs(role: string, query: string): Promise<any> {
  const res = await fetch(`${office.apiUrl}/v1/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...office.adminHeaders, 'x-hasura-role': role },
    body: JSON.stringify({ query }),
  });
  return res.json();
}

test('create a select permission, see it in export_metadata and in what the role may query, then drop it', async () => {
  const created = await metadata({
    type: 'pg_create_select_permission',
    args: {
      source: 'default',
      table: 'animals',
      role: 'vet',
      permission: { columns: ['id', 'tag'], filter: { group: { name: { _eq: 'Barn A' } } }, allow_aggregations: false },
      comment: 'the vet sees barn A',
    },
  });
  assert.deepEqual(created, SUCCESS);

  const exported = await metadata({ type: 'export_metadata', args: {} });
  assert.equal(exported.status, 200);
  assert.equal(exported.body.version, 3);
  const source = exported.body.sources[0];
  assert.equal(source.name, 'default');
  const animals = source.tables.find((t: any) => t.table.name === 'animals');
  assert.deepEqual(animals, {
    table: { schema: 'public', name: 'animals' },
    select_permissions: [
      {
        role: 'vet',
        permission: { columns: ['id', 'tag'], filter: { group: { name: { _eq: 'Barn A' } } }, allow_aggregations: false },
        comment: 'the vet sees barn A',
      },
    ],
  });
  assert.ok(source.tables.some((t: any) => t.table.name === 'groups' && !t.select_permissions), 'every served table is listed');

  // The engine was rebuilt: the role sees its rows and columns at once.
  const asVet = await graphqlAs('vet', '{ animals { tag } }');
  assert.equal(asVet.errors, undefined, JSON.stringify(asVet.errors));
  assert.deepEqual(asVet.data, { animals: [{ tag: '101' }] });
  assert.ok((await graphqlAs('vet', '{ animals { name } }')).errors, 'a column outside the permission is not in the role\'s schema');

  assert.deepEqual(await metadata({ type: 'pg_drop_select_permission', args: { table: { schema: 'public', name: 'animals' }, role: 'vet' } }), SUCCESS);
  const afterDrop = await metadata({ type: 'export_metadata', args: {} });
  assert.equal(afterDrop.body.sources[0].tables.find((t: any) => t.table.name === 'animals').select_permissions, undefined);
  assert.ok((await graphqlAs('vet', '{ animals { tag } }')).errors, 'without a permission the role cannot query the table');
});

test('creating a permission that exists is already-exists; dropping one that does not is not-exists', async () => {
  const args = { table: 'groups', role: 'farmhand', permission: { columns: '*', filter: {} } };
  assert.deepEqual(await metadata({ type: 'pg_create_select_permission', args }), SUCCESS);
  assert.deepEqual(await metadata({ type: 'pg_create_select_permission', args }), {
    status: 400,
    body: { error: 'select permission already defined on table "groups" with role "farmhand"', code: 'already-exists', path: '$.args' },
  });
  assert.deepEqual(await metadata({ type: 'pg_drop_update_permission', args: { table: 'groups', role: 'farmhand' } }), {
    status: 400,
    body: { error: 'update permission on "groups" for role "farmhand" does not exist', code: 'not-exists', path: '$.args' },
  });
});

test('the table and its columns must exist; filters must be boolean expressions on real columns and relationships', async () => {
  const create = (args: Record<string, unknown>, type = 'pg_create_select_permission') => metadata({ type, args: { role: 'vet', ...args } });
  assert.deepEqual(await create({ table: 'cows', permission: { columns: '*', filter: {} } }), {
    status: 400,
    body: { error: 'table "cows" does not exist in source: default', code: 'not-exists', path: '$.args.table' },
  });
  assert.equal((await create({ table: { schema: 'office', name: 'graphql_permissions' }, permission: { columns: '*', filter: {} } })).body.code, 'not-exists');
  assert.deepEqual(await create({ table: 'animals', permission: { columns: ['tag', 'horns'], filter: {} } }), {
    status: 400,
    body: { error: 'column "horns" does not exist in table "animals"', code: 'not-exists', path: '$.args.permission.columns[1]' },
  });
  assert.deepEqual(await create({ table: 'animals', permission: { columns: '*', filter: { _or: [{ tag: { _eq: '1' } }, { horns: { _eq: true } }] } } }), {
    status: 400,
    body: { error: 'no column or relationship "horns" in table "animals"', code: 'not-exists', path: '$.args.permission.filter._or[1].horns' },
  });
  assert.equal((await create({ table: 'animals', permission: { columns: '*', filter: { group: { barn: { _eq: 1 } } } } })).body.path, '$.args.permission.filter.group.barn');
  assert.deepEqual(await create({ table: 'animals', permission: { columns: '*', filter: [] } }), {
    status: 400,
    body: { error: 'expected a boolean expression (a JSON object), but encountered Array', code: 'validation-failed', path: '$.args.permission.filter' },
  });
  assert.deepEqual(await create({ table: 'animals', permission: { columns: '*', filter: { tag: { _equals: '1' } } } }), {
    status: 400,
    body: { error: 'unknown operator "_equals"', code: 'validation-failed', path: '$.args.permission.filter.tag._equals' },
  });
  assert.equal((await create({ table: 'animals', permission: { columns: '*', filter: { tag: 'X-Hasura-Tag' } } })).body.code, 'validation-failed');
  assert.equal((await create({ table: 'animals', permission: { columns: '*', filter: { _or: { tag: { _eq: '1' } } } } })).body.code, 'validation-failed');
  assert.deepEqual(await create({ table: 'animals', permission: { columns: '*' } }), {
    status: 400,
    body: { error: 'key "filter" not found', code: 'parse-failed', path: '$.args.permission' },
  });
  assert.equal((await create({ table: 'animals', permission: { check: 'yes' } }, 'pg_create_insert_permission')).body.code, 'validation-failed');
  assert.equal((await create({ table: 'animals', permission: { check: {}, set: { horns: 1 } } }, 'pg_create_insert_permission')).body.path, '$.args.permission.set.horns');
  assert.equal((await create({ table: 'animals', permission: { columns: '*', filter: {}, query_root_fields: ['select_by_pk'] } })).body.code, 'validation-failed');
  assert.equal((await create({ table: 'animals', permission: { columns: '*', filter: {}, limit: -1 } })).body.code, 'validation-failed');
  // Nothing of the refused requests was stored.
  const exported = await metadata({ type: 'export_metadata', args: {} });
  assert.equal(exported.body.sources[0].tables.find((t: any) => t.table.name === 'animals').select_permissions, undefined);
});

test('role names: as the database constraint says, and never admin', async () => {
  const perm = { columns: '*', filter: {} };
  assert.deepEqual(await metadata({ type: 'pg_create_select_permission', args: { table: 'animals', role: 'admin', permission: perm } }), {
    status: 400,
    body: { error: 'the admin role has every permission and no limits: it cannot be given permissions or limits', code: 'validation-failed', path: '$.args.role' },
  });
  assert.equal((await metadata({ type: 'pg_create_select_permission', args: { table: 'animals', role: '1st vet', permission: perm } })).body.code, 'validation-failed');
  assert.equal((await metadata({ type: 'pg_set_role_limits', args: { role: 'admin', max_depth: 3 } })).body.code, 'validation-failed');
});

test('insert, update and delete permissions, comments, and role limits', async () => {
  assert.deepEqual(
    await metadata({ type: 'pg_create_insert_permission', args: { table: 'animals', role: 'helper', permission: { check: { group_id: { _eq: 'X-Hasura-Group-Id' } }, columns: ['tag', 'name'], set: { group_id: 'X-Hasura-Group-Id' } } } }),
    SUCCESS,
  );
  assert.deepEqual(await metadata({ type: 'pg_create_update_permission', args: { table: 'animals', role: 'helper', permission: { columns: ['name'], filter: { group_id: { _eq: 'X-Hasura-Group-Id' } }, check: {} } } }), SUCCESS);
  assert.deepEqual(await metadata({ type: 'pg_create_delete_permission', args: { table: 'animals', role: 'helper', permission: { filter: { name: { _is_null: true } } } } }), SUCCESS);
  assert.deepEqual(await metadata({ type: 'pg_set_permission_comment', args: { table: 'animals', role: 'helper', type: 'delete', comment: 'only unnamed placeholders' } }), SUCCESS);
  assert.equal((await metadata({ type: 'pg_set_permission_comment', args: { table: 'animals', role: 'helper', type: 'select', comment: 'x' } })).body.code, 'not-exists');
  assert.deepEqual(await metadata({ type: 'pg_set_role_limits', args: { role: 'helper', max_depth: 4, max_aliases: 10, max_cost: 1000.5, statement_timeout_ms: 2000, introspection: false } }), SUCCESS);
  assert.equal((await metadata({ type: 'pg_set_role_limits', args: { role: 'helper', max_depth: 0 } })).body.code, 'validation-failed');

  const exported = (await metadata({ type: 'export_metadata', args: {} })).body;
  const animals = exported.sources[0].tables.find((t: any) => t.table.name === 'animals');
  assert.deepEqual(animals.insert_permissions.map((p: any) => p.role), ['helper']);
  assert.deepEqual(animals.update_permissions[0].permission, { columns: ['name'], filter: { group_id: { _eq: 'X-Hasura-Group-Id' } }, check: {} });
  assert.deepEqual(animals.delete_permissions, [{ role: 'helper', permission: { filter: { name: { _is_null: true } } }, comment: 'only unnamed placeholders' }]);
  assert.deepEqual(exported.graphql_schema_introspection, { disabled_for_roles: ['helper'] });
  assert.deepEqual(
    exported.role_limits.find((r: any) => r.role === 'helper'),
    { role: 'helper', max_depth: 4, max_aliases: 10, max_cost: 1000.5, statement_timeout_ms: 2000, introspection: false },
  );
});

test('bulk is all or nothing, with one answer per request', async () => {
  const failing = await metadata({
    type: 'bulk',
    args: [
      { type: 'pg_create_select_permission', args: { table: 'metrics', role: 'viewer', permission: { columns: '*', filter: {} } } },
      { type: 'pg_create_select_permission', args: { table: 'metrics', role: 'viewer2', permission: { columns: ['nope'], filter: {} } } },
    ],
  });
  assert.equal(failing.status, 400);
  assert.equal(failing.body.code, 'not-exists');
  assert.equal(failing.body.path, '$.args[1].args.permission.columns[0]');
  const exported = (await metadata({ type: 'export_metadata', args: {} })).body;
  assert.equal(exported.sources[0].tables.find((t: any) => t.table.name === 'metrics').select_permissions, undefined, 'the first create was rolled back');

  const ok = await metadata({
    type: 'bulk',
    args: [
      { type: 'pg_create_select_permission', args: { table: 'metrics', role: 'viewer', permission: { columns: '*', filter: {} } } },
      { type: 'pg_drop_select_permission', args: { table: 'metrics', role: 'viewer' } },
      { type: 'export_metadata', args: {} },
    ],
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.slice(0, 2), [{ message: 'success' }, { message: 'success' }]);
  assert.equal(ok.body[2].version, 3);
});

test('only the admin role may change or read metadata', async () => {
  assert.deepEqual(await metadata({ type: 'export_metadata', args: {} }, { 'x-hasura-role': 'vet' }), {
    status: 403,
    body: { error: 'restricted access : admin only', code: 'access-denied', path: '$.args' },
  });
  assert.equal((await metadata({ type: 'pg_create_select_permission', args: { table: 'animals', role: 'vet', permission: { columns: '*', filter: {} } } }, { 'x-hasura-role': 'vet' })).status, 403);
  assert.equal((await metadata({ type: 'replace_metadata', args: {} })).body.code, 'parse-failed');
});

test('a permission left on a table dropped with run_sql can still be dropped', async () => {
  const sql = (s: string) => fetch(`${office.apiUrl}/v2/query`, { method: 'POST', headers: office.adminHeaders, body: JSON.stringify({ type: 'run_sql', args: { sql: s } }) });
  await sql('CREATE TABLE pens (id serial PRIMARY KEY, name text)');
  assert.deepEqual(await metadata({ type: 'pg_create_select_permission', args: { table: 'pens', role: 'vet', permission: { columns: '*', filter: {} } } }), SUCCESS);
  await sql('DROP TABLE pens');
  const exported = (await metadata({ type: 'export_metadata', args: {} })).body;
  assert.ok(exported.sources[0].tables.find((t: any) => t.table.name === 'pens').select_permissions, 'still stored, still exported');
  assert.deepEqual(await metadata({ type: 'pg_drop_select_permission', args: { table: 'pens', role: 'vet' } }), SUCCESS);
  assert.deepEqual(await metadata({ type: 'pg_drop_select_permission', args: { table: 'pens', role: 'vet' } }), {
    status: 400,
    body: { error: 'table "pens" does not exist in source: default', code: 'not-exists', path: '$.args.table' },
  });
});

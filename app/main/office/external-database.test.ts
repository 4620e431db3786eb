// The external-database mode: a farm that outgrew one PC points the office at a real PostgreSQL server. The
// same office (migrations, ingest, GraphQL with permissions, restart) runs against the server that
// scripts/run-tests.mjs starts from Debian's postgresql package (YOCTOSEHNS_TEST_DATABASE_URL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';

const serverUrl = process.env.YOCTOSEHNS_TEST_DATABASE_URL;
const skip = serverUrl ? false : 'no PostgreSQL server: set YOCTOSEHNS_TEST_DATABASE_URL (npm test starts one when the postgresql package is installed)';

let admin: pg.Client | undefined;
let databaseUrl = '';
const dbName = `ys_test_${randomBytes(4).toString('hex')}`;

before(async () => {
  if (!serverUrl) return;
  admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  databaseUrl = u.toString();
});
after(async () => {
  if (!admin) return;
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

test('an office on a PostgreSQL server: migrations, ingest, GraphQL with permissions, and its data after a restart', { skip }, async () => {
  let office: TestOffice = await startTestOffice({ databaseUrl });
  try {
    assert.equal(office.db.kind, 'postgres');
    const { rows } = await office.db.query<{ n: number }>('SELECT count(*)::int AS n FROM office.schema_migrations');
    assert.ok(rows[0]!.n >= 3, 'every migration applied');

    // Ingest: a new tag becomes an unconfirmed placeholder; a resent batch stores nothing twice; an implausible
    // value is quarantined with its reason.
    const { token } = await office.addNode('collar-1');
    const batch = [
      { animal: 'DE0001', metric: 'temperature', ts: '2026-03-01T06:00:00Z', value: 38.6 },
      { animal: 'DE0001', metric: 'temp', ts: '2026-03-01T06:10:00Z', value: 38.7 },
      { animal: 'DE0001', metric: 'temperature', ts: '2026-03-01T06:20:00Z', value: 99 },
    ];
    let r = await office.post(token, batch);
    assert.equal(r.status, 200);
    assert.deepEqual({ accepted: r.body.accepted, duplicates: r.body.duplicates, quarantined: r.body.quarantined.length }, { accepted: 2, duplicates: 0, quarantined: 1 });
    r = await office.post(token, batch.slice(0, 2));
    assert.deepEqual({ accepted: r.body.accepted, duplicates: r.body.duplicates }, { accepted: 0, duplicates: 2 });

    // GraphQL over the server: relationships, aggregates, a mutation request that fails as a whole.
    let res = await office.graphql(`{
      animals { tag unconfirmed readings_aggregate { aggregate { count max { value } } } latest_readings { metric { key } value } }
    }`);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.deepEqual(res.data.animals, [
      { tag: 'DE0001', unconfirmed: true, readings_aggregate: { aggregate: { count: 2, max: { value: 38.7 } } }, latest_readings: [{ metric: { key: 'temperature' }, value: 38.7 }] },
    ]);
    res = await office.graphql(`mutation { a: insert_groups_one(object: {name: "Barn A"}) { id } b: insert_groups_one(object: {name: "Barn A"}) { id } }`);
    assert.equal(res.errors?.[0]?.extensions?.code, 'constraint-violation');
    res = await office.graphql(`{ groups { name } }`);
    assert.deepEqual(res.data.groups, [], 'the first insert was rolled back with the second');

    // A role's row filter with a session variable, compiled into the server's SQL.
    await office.db.exec(`INSERT INTO groups (name) VALUES ('Barn A'), ('Barn B');
      INSERT INTO animals (tag, group_id) SELECT '1', id FROM groups WHERE name = 'Barn A';
      INSERT INTO animals (tag, group_id) SELECT '2', id FROM groups WHERE name = 'Barn B';
      INSERT INTO office.graphql_permissions (role, table_name, action, permission)
        VALUES ('herdsman', 'animals', 'select', '{"columns": ["tag"], "filter": {"group_id": {"_eq": "X-Hasura-Group-Id"}}}')`);
    await office.graphqlEngine.rebuild();
    const barnB = (await office.db.query<{ id: number }>(`SELECT id FROM groups WHERE name = 'Barn B'`)).rows[0]!.id;
    const asHerdsman = await fetch(`${office.apiUrl}/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...office.adminHeaders, 'x-hasura-role': 'herdsman', 'x-hasura-group-id': String(barnB) },
      body: JSON.stringify({ query: '{ animals { tag } }' }),
    });
    assert.deepEqual(await asHerdsman.json(), { data: { animals: [{ tag: '2' }] } });
  } finally {
    await office.stop();
  }

  // A second office on the same server finds everything (a new data dir: the server holds the farm).
  office = await startTestOffice({ databaseUrl });
  try {
    const res = await office.graphql(`{ readings_aggregate { aggregate { count } } groups(order_by: {name: asc}) { name } }`);
    assert.deepEqual(res.data, { readings_aggregate: { aggregate: { count: 2 } }, groups: [{ name: 'Barn A' }, { name: 'Barn B' }] });
  } finally {
    await office.close();
  }
});

// Subscriptions against a real office over graphql-ws: streaming subscriptions deliver every new row once, in
// batches; live queries follow the role's permissions and are pushed only when their result changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';

let office: TestOffice;
let token: string;
const clients: Client[] = [];

function client(headers: Record<string, string> = {}): Client {
  const c = createClient({
    url: `${office.apiUrl.replace(/^http/, 'ws')}/v1/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { headers: { ...office.adminHeaders, ...headers } },
    retryAttempts: 0,
  });
  clients.push(c);
  return c;
}

/** Collects a subscription's messages; `next(n)` waits until n have arrived. */
function collect(c: Client, query: string, variables?: Record<string, unknown>) {
  const messages: FormattedExecutionResult<Record<string, any>, unknown>[] = [];
  let waiters: (() => void)[] = [];
  const stop = c.subscribe<Record<string, any>>(
    { query, variables },
    {
      next: (m) => {
        messages.push(m);
        for (const w of waiters) w();
        waiters = [];
      },
      error: (e) => messages.push({ errors: [{ message: String((e as Error).message ?? e) }] as any }),
      complete: () => {},
    },
  );
  return {
    messages,
    stop,
    async next(n: number, timeoutMs = 3000) {
      const end = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > end) throw new Error(`expected ${n} messages, got ${messages.length}: ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return messages[n - 1]!;
    },
  };
}

before(async () => {
  office = await startTestOffice();
  await office.db.exec(`
    INSERT INTO groups (name) VALUES ('Barn A'), ('Barn B');
    INSERT INTO animals (tag, name, group_id) VALUES ('101', 'Berta', 1), ('102', 'Clara', 1), ('201', 'Dora', 2);
    INSERT INTO office.graphql_permissions (role, table_name, action, permission) VALUES
      ('herdsman', 'animals', 'select', '{"columns": ["id", "tag", "name", "group_id"], "filter": {"group_id": {"_eq": "X-Hasura-Group-Id"}}}'),
      ('herdsman', 'latest_readings', 'select', '{"columns": ["animal_id", "metric_id", "value"], "filter": {"animal": {"group_id": {"_eq": "X-Hasura-Group-Id"}}}}');`);
  await office.graphqlEngine.rebuild();
  ({ token } = await office.addNode('gw', 'gateway'));
  const r = await office.post(token, [
    { animal: '101', metric: 'temperature', ts: '2026-01-01T00:00:00Z', value: 38.5 },
    { animal: '102', metric: 'temperature', ts: '2026-01-01T00:01:00Z', value: 38.6 },
    { animal: '201', metric: 'temperature', ts: '2026-01-01T00:02:00Z', value: 38.7 },
  ]);
  assert.equal(r.status, 200);
});
after(async () => {
  for (const c of clients) await c.dispose();
  await office?.close();
});

test('a streaming subscription sends the rows after its cursor in batches, then each new row once', async () => {
  const s = collect(
    client(),
    `subscription { readings_stream(batch_size: 2, cursor: {initial_value: {ts: "2025-12-31T00:00:00Z"}, ordering: ASC}) { value ts } }`,
  );
  assert.deepEqual((await s.next(1)).data, { readings_stream: [{ value: 38.5, ts: '2026-01-01T00:00:00+00:00' }, { value: 38.6, ts: '2026-01-01T00:01:00+00:00' }] });
  // The next batch comes when the office next hears of a change: a node's post.
  const r = await office.post(token, [{ animal: '101', metric: 'temperature', ts: '2026-01-01T00:03:00Z', value: 38.8 }]);
  assert.equal(r.status, 200);
  const rest = [];
  for (let i = 2; rest.length < 2; i++) rest.push(...((await s.next(i)).data!.readings_stream as unknown[]));
  assert.deepEqual(rest, [{ value: 38.7, ts: '2026-01-01T00:02:00+00:00' }, { value: 38.8, ts: '2026-01-01T00:03:00+00:00' }]);
  const count = s.messages.length;
  await office.post(token, [{ animal: '102', metric: 'temperature', ts: '2026-01-01T00:04:00Z', value: 38.9 }]);
  const last = await s.next(count + 1);
  assert.deepEqual(last.data, { readings_stream: [{ value: 38.9, ts: '2026-01-01T00:04:00+00:00' }] }, 'only the new row, not again the old ones');
  s.stop();
});

test("a live query follows the role's row filter and is pushed only when its result changed", async () => {
  const s = collect(client({ 'x-hasura-role': 'herdsman', 'x-hasura-group-id': '2' }), `subscription { animals(order_by: {tag: asc}) { tag latest_readings { value } } }`);
  assert.deepEqual((await s.next(1)).data, { animals: [{ tag: '201', latest_readings: [{ value: 38.7 }] }] });
  // A reading of a cow the herdsman may not see changes nothing he sees: nothing is sent.
  await office.post(token, [{ animal: '101', metric: 'temperature', ts: '2026-01-02T00:00:00Z', value: 39.1 }]);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(s.messages.length, 1, JSON.stringify(s.messages));
  // One of his cows: pushed.
  await office.post(token, [{ animal: '201', metric: 'temperature', ts: '2026-01-02T00:00:00Z', value: 39.2 }]);
  assert.deepEqual((await s.next(2)).data, { animals: [{ tag: '201', latest_readings: [{ value: 39.2 }] }] });
  // A mutation through GraphQL is a change event too.
  const res = await office.graphql(`mutation { update_animals(where: {tag: {_eq: "102"}}, _set: {group_id: 2}) { affected_rows } }`);
  assert.deepEqual(res.data, { update_animals: { affected_rows: 1 } });
  assert.deepEqual((await s.next(3)).data, {
    animals: [
      { tag: '102', latest_readings: [{ value: 38.9 }] }, // posted by the streaming test
      { tag: '201', latest_readings: [{ value: 39.2 }] },
    ],
  });
  s.stop();
});

test('a subscription the role may not make is refused with its error; the connection stays usable', async () => {
  const c = client({ 'x-hasura-role': 'herdsman', 'x-hasura-group-id': '2' });
  const bad = collect(c, `subscription { readings_stream(batch_size: 1, cursor: {initial_value: {ts: "2020-01-01T00:00:00Z"}}) { value } }`);
  const first = await bad.next(1);
  assert.ok(first.errors?.length, JSON.stringify(first));
  const good = collect(c, `subscription { animals(order_by: {tag: asc}) { tag } }`);
  assert.deepEqual((await good.next(1)).data, { animals: [{ tag: '102' }, { tag: '201' }] });
  good.stop();
});

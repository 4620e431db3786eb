// A GraphQL client library as farms' own tools would use it (urql, with graphql-ws for subscriptions)
// against a real office: Hasura's request shapes over HTTP and over WebSocket, and live updates pushed
// within a second of a node's post.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cacheExchange, Client, fetchExchange, subscriptionExchange, type OperationResult } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestOffice, type TestOffice } from '../testing/test-office.ts';

let office: TestOffice;
let ws: WsClient;
let token: string;

/** urql as its docs set it up: queries and mutations over HTTP (or all over the socket), subscriptions over graphql-ws. */
function urql(options: { allOverWs?: boolean } = {}): Client {
  return new Client({
    url: `${office.apiUrl}/v1/graphql`,
    fetchOptions: () => ({ headers: office.adminHeaders }),
    preferGetMethod: false,
    requestPolicy: 'network-only',
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        enableAllOperations: options.allOverWs,
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
      fetchExchange,
    ],
  });
}

before(async () => {
  office = await startTestOffice();
  await office.db.exec(`
    INSERT INTO groups (name) VALUES ('Barn A');
    INSERT INTO animals (tag, name, group_id, unconfirmed) VALUES ('101', 'Berta', 1, false), ('102', 'Clara', 1, false);`);
  ({ token } = await office.addNode('collar-1'));
  ws = createWsClient({
    url: `${office.apiUrl.replace(/^http/, 'ws')}/v1/graphql`,
    webSocketImpl: WebSocket,
    // Hasura's clients send their headers in connection_init's payload.
    connectionParams: { headers: { 'x-hasura-role': 'admin', ...office.adminHeaders } },
    retryAttempts: 0,
  });
});
after(async () => {
  await ws?.dispose();
  await office?.close();
});

function ok<T>(result: OperationResult<T>): T {
  assert.equal(result.error, undefined, result.error?.message);
  assert.ok(result.data, 'data');
  return result.data;
}

test('queries and a mutation over HTTP, as urql sends them', async () => {
  const client = urql();
  const herd = ok(await client.query<{ animals: { tag: string; name: string; group: { name: string } }[] }>(
    'query Herd { animals(order_by: {tag: asc}) { tag name group { name } } }', {}).toPromise());
  assert.deepEqual(herd.animals.map(({ tag, name, group }) => ({ tag, name, group: group.name })), [
    { tag: '101', name: 'Berta', group: 'Barn A' },
    { tag: '102', name: 'Clara', group: 'Barn A' },
  ]);
  // Normalised caches (urql's graphcache, Apollo) ask for __typename: Hasura answers with the table's name.
  const inserted = ok(await client.mutation<{ insert_groups_one: { id: number; name: string; __typename: string } }>(
    'mutation AddGroup($name: String!) { insert_groups_one(object: {name: $name}) { __typename id name } }', { name: 'Barn B' }).toPromise());
  assert.equal(inserted.insert_groups_one.name, 'Barn B');
  assert.equal(inserted.insert_groups_one.__typename, 'groups');
  assert.equal(typeof inserted.insert_groups_one.id, 'number');
});

test('queries and a mutation over the WebSocket', async () => {
  const client = urql({ allOverWs: true });
  const inserted = ok(await client.mutation<{ insert_groups_one: { id: number; name: string } }>(
    'mutation { insert_groups_one(object: {name: "Barn C"}) { id name } }', {}).toPromise());
  assert.equal(inserted.insert_groups_one.name, 'Barn C');
  const groups = ok(await client.query<{ groups: { name: string }[] }>('{ groups(order_by: {id: asc}) { name } }', {}).toPromise());
  assert.deepEqual(groups.groups.map((g) => g.name), ['Barn A', 'Barn B', 'Barn C']);
  const wrong = await client.query('{ groups { no_such_column } }', {}).toPromise();
  assert.match(wrong.error?.message ?? '', /no_such_column/);
});

test("a subscription gets a node's reading within a second of the post", async (t) => {
  const client = urql();
  type Latest = { latest_readings: { value: number; ts: string }[] };
  const results: { at: number; data: Latest }[] = [];
  let wake = () => {};
  const sub = client
    .subscription<Latest>('subscription Temp { latest_readings(where: {animal: {tag: {_eq: "101"}}}) { value ts } }', {})
    .subscribe((r) => {
      assert.equal(r.error, undefined, r.error?.message);
      if (r.data) results.push({ at: performance.now(), data: r.data });
      wake();
    });
  const next = (n: number, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no update ${n} within ${ms} ms`)), ms);
      wake = () => results.length >= n && (clearTimeout(timer), resolve());
      wake();
    });
  try {
    await next(1, 5000);
    assert.deepEqual(results[0]!.data.latest_readings, [], 'no reading yet');

    const posted = performance.now();
    const res = await office.post(token, [{ animal: '101', metric: 'temperature', value: 38.9 }]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await next(2, 2000);
    const delay = results[1]!.at - posted;
    t.diagnostic(`the update came ${Math.round(delay)} ms after the post began`);
    assert.ok(delay < 1000, `the update came ${Math.round(delay)} ms after the post`);
    assert.deepEqual(results[1]!.data.latest_readings.map((r) => r.value), [38.9]);

    // A post for another animal does not change this result: nothing is sent.
    await office.post(token, [{ animal: '102', metric: 'temperature', value: 39.1 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(results.length, 2);
  } finally {
    sub.unsubscribe();
  }
});

test('the herd subscription sees an animal a node reported for the first time', async () => {
  const client = urql();
  type Herd = { animals: { tag: string; unconfirmed: boolean; latest_readings: { value: number }[] }[] };
  let latest: Herd | undefined;
  let wake = () => {};
  const sub = client
    .subscription<Herd>('subscription Herd { animals(order_by: {tag: asc}) { tag unconfirmed latest_readings { value } } }', {})
    .subscribe((r) => {
      if (r.data) latest = r.data;
      wake();
    });
  const until = (pred: (h: Herd) => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not seen within ${ms} ms: ${JSON.stringify(latest)}`)), ms);
      wake = () => latest && pred(latest) && (clearTimeout(timer), resolve());
      wake();
    });
  try {
    await until((h) => h.animals.length === 2, 5000);
    const posted = performance.now();
    await office.post(token, [{ animal: '777', metric: 'temperature', value: 38.2 }]);
    await until((h) => h.animals.some((a) => a.tag === '777'), 2000);
    assert.ok(performance.now() - posted < 1000);
    assert.deepEqual(latest!.animals.find((a) => a.tag === '777'), { tag: '777', unconfirmed: true, latest_readings: [{ value: 38.2 }] });
  } finally {
    sub.unsubscribe();
  }
});

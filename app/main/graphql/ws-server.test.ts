// The WebSocket transport on its own: a real http server and real graphql-ws clients, with a small engine
// built from graphql-js and the live-query hub (the generated engine is tested against a real office in
// client-library.test.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, execute, print, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { silentLogger } from '../log.ts';
import { LiveQueryHub } from './live.ts';
import { sessionFromHeaders, type ChangeFeed, type OperationRequest } from './types.ts';
import { attachGraphqlWs, headersOf, type GraphqlWsEngine } from './ws-server.ts';

// These tests follow runs tick by tick; pacing (a pause between runs while changes keep coming) has its own test.
const NO_PACING = { minGapMs: 0, maxGapMs: 0, gapFactor: 0 };

const SDL = `
  type Query { counter: Int!  whoami: String!  fails: Int }
  type Subscription { counter: Int!  whoami: String! }
`;
const schemas: Record<string, GraphQLSchema> = {
  admin: buildSchema(`${SDL} type Mutation { bump: Int! }`),
  viewer: buildSchema(SDL),
};

let counter = 0;
const listeners = new Set<(tables: ReadonlySet<string>) => void>();
const feed: ChangeFeed = {
  onChange(l) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};
const hub = new LiveQueryHub(feed, undefined, NO_PACING);
const calls = { execute: 0, subscribe: 0, runs: 0 };
const roots = {
  counter: () => counter,
  whoami: (_: unknown, ctx: OperationRequest['context']) => `${ctx.role}:${ctx.session['x-hasura-user-id'] ?? '-'}`,
  fails: () => {
    throw new Error('a resolver failed');
  },
  bump: () => {
    counter++;
    for (const l of listeners) l(new Set(['counter']));
    return counter;
  },
};
const engine: GraphqlWsEngine = {
  schemaFor: (role) => schemas[role],
  async execute(req) {
    calls.execute++;
    if (req.operationName === 'Explode') throw new Error('the engine broke');
    return execute({ schema: schemas[req.context.role]!, document: req.query as DocumentNode, rootValue: roots, contextValue: req.context, variableValues: req.variables }) as ExecutionResult;
  },
  async subscribe(req) {
    calls.subscribe++;
    const document = req.query as DocumentNode;
    return hub.watch({
      shareKey: JSON.stringify([req.context, print(document), req.variables]),
      tables: new Set(['counter']),
      onlyChanges: true,
      run: async () => {
        calls.runs++;
        return execute({ schema: schemas[req.context.role]!, document, rootValue: roots, contextValue: req.context }) as ExecutionResult;
      },
    });
  },
};

const server = http.createServer((_req, res) => res.writeHead(404).end());
const ws = attachGraphqlWs(server, {
  path: '/v1/graphql',
  engine,
  contextFor: (request, params) => sessionFromHeaders(headersOf(request, params)),
  log: silentLogger,
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const url = `ws://127.0.0.1:${port}/v1/graphql`;
const clients: Client[] = [];
after(async () => {
  for (const c of clients) await c.dispose();
  await ws.close();
  await new Promise((resolve) => server.close(resolve));
  hub.close();
});

function client(headers?: Record<string, string>): Client {
  const c = createClient({ url, webSocketImpl: WebSocket, connectionParams: headers && { headers }, retryAttempts: 0, lazy: true });
  clients.push(c);
  return c;
}

/** One result of a query or mutation, or the protocol error it got. */
async function once(c: Client, query: string, operationName?: string): Promise<{ result?: ExecutionResult; error?: unknown }> {
  return new Promise((resolve) => {
    let result: ExecutionResult | undefined;
    c.subscribe({ query, operationName }, {
      next: (r) => (result = r as ExecutionResult),
      error: (error) => resolve({ error }),
      complete: () => resolve({ result }),
    });
  });
}

test('queries and mutations go to execute, subscriptions to subscribe and get pushed changes', async () => {
  const c = client();
  assert.deepEqual((await once(c, '{ counter }')).result, { data: { counter: 0 } });
  const before = { ...calls };
  const seen: number[] = [];
  let notify: () => void = () => {};
  const stop = c.subscribe<{ counter: number }>({ query: 'subscription { counter }' }, {
    next: (r) => {
      seen.push(r.data!.counter);
      notify();
    },
    error: (err) => assert.fail(String(err)),
    complete: () => {},
  });
  const waitFor = (n: number) => new Promise<void>((resolve) => ((notify = () => seen.length >= n && resolve()), notify()));
  await waitFor(1);
  assert.deepEqual((await once(c, 'mutation { bump }')).result, { data: { bump: 1 } });
  await waitFor(2);
  assert.deepEqual(seen, [0, 1]);
  assert.equal(calls.subscribe - before.subscribe, 1);
  assert.equal(calls.execute - before.execute, 1, 'the mutation ran through execute');
  stop();
  await until(() => hub.stats.watchers === 0);
});

test("the role comes from connection_init's headers; validation uses that role's schema", async () => {
  const viewer = client({ 'X-Hasura-Role': 'viewer', 'X-Hasura-User-Id': '7' });
  assert.deepEqual((await once(viewer, '{ whoami }')).result, { data: { whoami: 'viewer:7' } });
  const denied = await once(viewer, 'mutation { bump }');
  assert.ok(Array.isArray(denied.error), 'a validation failure is the protocol error message');
  assert.deepEqual(denied.error, [{ message: 'no mutations exist', extensions: { path: '$', code: 'validation-failed' } }]);
  // Worded as over HTTP (errors.ts, Hasura's words).
  const badField = (await once(viewer, '{ nope }')).error as { message: string; extensions: { code: string } }[];
  assert.equal(badField.length, 1);
  assert.equal(badField[0]!.message, "field 'nope' not found in type: 'Query'");
  assert.equal(badField[0]!.extensions.code, 'validation-failed');

  const nobody = client({ 'x-hasura-role': 'nobody' });
  const unknown = await once(nobody, '{ counter }');
  assert.deepEqual(unknown.error, [{ message: 'unknown role "nobody"', extensions: { code: 'access-denied' } }]);

  const syntax = await once(client(), '{ counter');
  assert.equal((syntax.error as { extensions: { code: string } }[])[0]!.extensions.code, 'validation-failed');
});

test('errors of an operation stay in that operation; the connection goes on', async () => {
  const c = client();
  const resolverError = await once(c, '{ fails }');
  assert.equal(resolverError.result?.errors?.[0]?.message, 'a resolver failed');
  const broken = await once(c, 'query Explode { counter }', 'Explode');
  assert.deepEqual(broken.result, { errors: [{ message: 'Internal server error', extensions: { code: 'unexpected' } }] });
  assert.deepEqual((await once(c, '{ counter }')).result, { data: { counter } });
});

test('fifty identical subscriptions share one run per change', async () => {
  const c = client();
  const seen = new Map<number, number[]>();
  const stops = Array.from({ length: 50 }, (_, i) =>
    c.subscribe<{ counter: number }>({ query: 'subscription { counter }' }, {
      next: (r) => seen.set(i, [...(seen.get(i) ?? []), r.data!.counter]),
      error: (err) => assert.fail(String(err)),
      complete: () => {},
    }),
  );
  await until(() => seen.size === 50);
  const runs = calls.runs;
  await once(c, 'mutation { bump }');
  await until(() => [...seen.values()].every((v) => v.length === 2));
  assert.equal(calls.runs - runs, 1);
  for (const stop of stops) stop();
  await until(() => hub.stats.entries === 0);
});

test('only the GraphQL path is upgraded, and only for the office’s own pages or non-browser clients', async () => {
  const refused = (path: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, 'graphql-transport-ws', { headers });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => reject(new Error('upgraded')));
      socket.on('error', () => {});
    });
  assert.equal(await refused('/elsewhere'), 404);
  assert.equal(await refused('/v1/graphql', { origin: 'https://evil.example' }), 403);

  const sameOrigin = new WebSocket(url, 'graphql-transport-ws', { headers: { origin: `http://127.0.0.1:${port}` } });
  await new Promise((resolve, reject) => sameOrigin.on('open', resolve).on('error', reject));
  assert.equal(sameOrigin.protocol, 'graphql-transport-ws');
  sameOrigin.close();
});

test('close() ends the subscriptions and lets the http server close', async () => {
  const s2 = http.createServer();
  const ws2 = attachGraphqlWs(s2, { path: '/g', engine, contextFor: () => sessionFromHeaders({}), log: silentLogger });
  await new Promise<void>((resolve) => s2.listen(0, '127.0.0.1', resolve));
  const c = createClient({ url: `ws://127.0.0.1:${(s2.address() as AddressInfo).port}/g`, webSocketImpl: WebSocket, retryAttempts: 0 });
  let closedWith: number | undefined;
  c.on('closed', (e) => (closedWith = (e as { code: number }).code));
  const first = new Promise<void>((resolve) => {
    c.subscribe({ query: 'subscription { counter }' }, { next: () => resolve(), error: () => {}, complete: () => {} });
  });
  await first;
  const watchers = hub.stats.watchers;
  assert.ok(watchers >= 1);
  const started = Date.now();
  await ws2.close();
  await new Promise((resolve) => s2.close(resolve));
  assert.ok(Date.now() - started < 2000, 'closing does not hang on open sockets');
  await until(() => hub.stats.watchers === watchers - 1);
  await until(() => closedWith !== undefined);
  assert.equal(closedWith, 1001);
  await c.dispose();
});

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// `npm run bench -- graphql [--only overhead,fanout] [--seconds 10]`: what the generated GraphQL API costs.
// - overhead: GraphQL over HTTP against the equivalent SQL run directly on the same database (same process,
//   same PGlite), for a by-pk query, a 100-row list with nested relationships, and an aggregate;
// - fanout: 50 live subscriptions on the herd while nodes post 1,000 readings/s (the office as its own process,
//   as deployed): update latency, and the ingest throughput with and without the subscriptions.
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { runCliCommand } from '../app/main/cli/client.ts';
import { readSecret } from '../app/main/security/secrets.ts';
import { startTestOffice } from '../app/main/testing/test-office.ts';
import { startServe, type ServeProcess } from '../e2e/support/processes.ts';

const ANIMALS = 200;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** A herd of ANIMALS cows in 4 groups, 20 days of hourly temperature and activity, and their latest values. */
const FIXTURE = `
  INSERT INTO groups (name) SELECT 'Group ' || g FROM generate_series(1, 4) g;
  INSERT INTO animals (tag, name, group_id) SELECT 'C' || lpad(i::text, 4, '0'), 'Cow ' || i, 1 + i % 4 FROM generate_series(1, ${ANIMALS}) i;
  INSERT INTO nodes (name, kind, token_hash) VALUES ('bench', 'gateway', 'x');
  INSERT INTO readings (animal_id, metric_id, ts, node_id, value)
    SELECT a.id, m, now() - h * interval '1 hour', (SELECT id FROM nodes WHERE name = 'bench'), CASE m WHEN 1 THEN 38.5 + random() ELSE 300 + random() * 400 END
      FROM animals a, generate_series(1, 2) m, generate_series(0, 480) h;
  INSERT INTO latest_readings (animal_id, metric_id, node_id, ts, value, received_at)
    SELECT DISTINCT ON (animal_id, metric_id) animal_id, metric_id, node_id, ts, value, ts FROM readings ORDER BY animal_id, metric_id, ts DESC;
`;

/**
 * A keep-alive HTTP/1.1 client on one socket that does no more than a load generator (wrk, autocannon) does:
 * writes the request, reads the status line, the headers and a content-length body. Node's http client spends
 * about 0.1–0.2 ms of its own per request on a 2-core machine (ClientRequest, agent bookkeeping); that is the
 * client's cost, not the API's, and is printed beside for comparison.
 */
async function leanClient(url: URL, headers: Record<string, string>): Promise<{ post(body: string): Promise<{ status: number; body: string }>; close(): void }> {
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const head = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}`;
  let waiting: { resolve: (r: { status: number; body: string }) => void; reject: (e: Error) => void } | undefined;
  let buffer: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const header = buffer.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(header)?.[1]);
    if (!Number.isFinite(length)) return waiting?.reject(new Error(`no content-length in ${header}`));
    if (buffer.length < end + 4 + length) return;
    const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    buffer = buffer.subarray(end + 4 + length);
    const w = waiting;
    waiting = undefined;
    w?.resolve({ status: Number(header.slice(9, 12)), body });
  });
  socket.on('error', (err) => waiting?.reject(err));
  socket.on('close', () => waiting?.reject(new Error('the server closed the connection')));
  return {
    post(body: string) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer in 30 s; received ${buffer.toString('latin1').slice(0, 300)}`)), 30_000);
        waiting = {
          resolve: (r) => (clearTimeout(timer), resolve(r)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        };
        socket.write(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
    },
    close: () => socket.destroy(),
  };
}

async function overhead(seconds: number): Promise<void> {
  const office = await startTestOffice();
  try {
    await office.db.exec(FIXTURE);
    // The office's rollups and alert rules catch up with the fixture's readings first: measured while they run,
    // both sides would wait behind them for seconds.
    await office.stats.settle();
    await office.db.exec('ANALYZE');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(`${office.apiUrl}/v1/graphql`);
    const check = (status: number | undefined, text: string) => {
      if (status !== 200 || text.includes('"errors"')) throw new Error(`HTTP ${status}: ${text}`);
      return text;
    };
    /** Node's own HTTP client (ClientRequest, an agent with keep-alive). */
    const nodeClient = (body: string) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...office.adminHeaders } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => {
              try {
                resolve(check(res.statusCode, text));
              } catch (err) {
                reject(err as Error);
              }
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const lean = await leanClient(url, { 'content-type': 'application/json', ...office.adminHeaders });
    const gql = async (body: string) => {
      const r = await lean.post(body);
      return check(r.status, r.body);
    };
    const cases: { name: string; graphql: (i: number) => string; sql: (i: number) => Promise<unknown> }[] = [
      {
        name: 'by pk (animal with its group)',
        graphql: (i) => JSON.stringify({ query: 'query($id: Int!) { animals_by_pk(id: $id) { id tag name group { name } } }', variables: { id: 1 + (i % ANIMALS) } }),
        sql: (i) => office.db.query('SELECT a.id, a.tag, a.name, g.name AS group_name FROM animals a LEFT JOIN groups g ON g.id = a.group_id WHERE a.id = $1', [1 + (i % ANIMALS)]),
      },
      {
        name: '100 animals with group and latest readings',
        graphql: () =>
          JSON.stringify({ query: '{ animals(limit: 100, order_by: {tag: asc}) { id tag name group { name } latest_readings { metric_id ts value } } }' }),
        sql: () =>
          office.db.query(
            `SELECT a.id, a.tag, a.name, g.name AS group_name, l.metric_id, l.ts, l.value
               FROM (SELECT * FROM animals ORDER BY tag LIMIT 100) a LEFT JOIN groups g ON g.id = a.group_id
               LEFT JOIN latest_readings l ON l.animal_id = a.id ORDER BY a.tag`,
          ),
      },
      {
        name: 'aggregate (one animal’s temperature)',
        graphql: (i) =>
          JSON.stringify({
            query: 'query($a: Int!) { readings_aggregate(where: {animal_id: {_eq: $a}, metric_id: {_eq: 1}}) { aggregate { count avg { value } max { value } min { value } } } }',
            variables: { a: 1 + (i % ANIMALS) },
          }),
        sql: (i) => office.db.query('SELECT count(*), avg(value), max(value), min(value) FROM readings WHERE animal_id = $1 AND metric_id = 1', [1 + (i % ANIMALS)]),
      },
    ];
    console.log(`overhead: GraphQL over HTTP vs the same data by SQL on the same database (${ANIMALS} animals, ${(ANIMALS * 2 * 481).toLocaleString('en')} readings), one client, ${seconds * 4} s per side and case`);
    console.log('  each side runs back to back in 1 s slices, the three sides taking turns, so drift on a shared machine hits all alike');
    for (const c of cases) {
      const g: number[] = [];
      const s: number[] = [];
      const n: number[] = [];
      const slice = async (into: number[] | undefined, fn: (i: number) => Promise<unknown>, seconds: number) => {
        const end = performance.now() + seconds * 1000;
        for (let i = 0; performance.now() < end; i++) {
          const t = performance.now();
          await fn(i);
          into?.push(performance.now() - t);
        }
      };
      const sides: [number[], (i: number) => Promise<unknown>][] = [
        [g, (i) => gql(c.graphql(i))],
        [s, (i) => c.sql(i)],
        [n, (i) => nodeClient(c.graphql(i))],
      ];
      for (const [, fn] of sides) await slice(undefined, fn, 0.3); // warm-up
      for (let k = 0; k < seconds * 4; k++) for (const [into, fn] of sides) await slice(into, fn, 1);
      const ratio = percentile(g, 50) / percentile(s, 50);
      console.log(
        `  ${c.name.padEnd(46)} GraphQL p50 ${ms(percentile(g, 50))} p95 ${ms(percentile(g, 95))} | SQL p50 ${ms(percentile(s, 50))} p95 ${ms(percentile(s, 95))} | ratio p50 ${ratio.toFixed(2)} (goal ≤ 1.2)` +
          ` | with Node's http client: GraphQL p50 ${ms(percentile(n, 50))}, ratio ${(percentile(n, 50) / percentile(s, 50)).toFixed(2)}`,
      );
    }
    lean.close();
    agent.destroy();
  } finally {
    await office.close();
  }
}

interface Poster {
  stop(): Promise<number>;
}

/** Nodes posting batches of 10 readings: every `intervalMs` each, or back to back when intervalMs is 0. */
function startPosting(ingest: string, tokens: string[], intervalMs: number): Poster {
  const agent = new http.Agent({ keepAlive: true, maxSockets: tokens.length });
  let running = true;
  let stored = 0;
  let seq = 0;
  const post = (token: string, body: string) =>
    new Promise<void>((resolve, reject) => {
      const u = new URL(`${ingest}/v1/readings`);
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const loops = tokens.map(async (token) => {
    while (running) {
      const started = performance.now();
      const ts = Date.now();
      const readings = Array.from({ length: 10 }, (_, k) => {
        const n = seq++;
        return { animal: `C${String(1 + (n % ANIMALS)).padStart(4, '0')}`, metric: k % 2 ? 'temperature' : 'rumination', ts: ts + (n % 1000) / 1000, value: k % 2 ? 38.6 : 30 };
      });
      await post(token, JSON.stringify({ readings }));
      stored += 10;
      if (intervalMs) await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (performance.now() - started))));
    }
  });
  const t0 = performance.now();
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return stored / ((performance.now() - t0) / 1000);
    },
  };
}

const HERD_SUBSCRIPTION = `subscription Herd { animals(order_by: {tag: asc}) { id tag official_id name status unconfirmed group { id name } latest_readings { metric_id ts value received_at } } }`;

async function fanout(seconds: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ys-bench-graphql-'));
  let office: ServeProcess | undefined;
  const clients: Client[] = [];
  try {
    office = await startServe(dataDir, { YOCTOSEHNS_LOG_LEVEL: 'warn' }, ['--rate-limit-per-second', '100000', '--rate-limit-burst', '100000']);
    const admin = { 'x-hasura-admin-secret': readSecret(dataDir, 'control.key')! };
    const sql = async (text: string) => {
      const r = await fetch(`${office!.api}/v2/query`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ type: 'run_sql', args: { sql: text } }) });
      if (!r.ok) throw new Error(await r.text());
    };
    await sql(`INSERT INTO groups (name) SELECT 'Group ' || g FROM generate_series(1, 4) g;
      INSERT INTO animals (tag, name, group_id) SELECT 'C' || lpad(i::text, 4, '0'), 'Cow ' || i, 1 + i % 4 FROM generate_series(1, ${ANIMALS}) i;`);
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await runCliCommand(['node', 'add', '--name', `gw-${i}`, '--kind', 'gateway', '--json'], { 'data-dir': dataDir });
      if (r.code !== 0) throw new Error(r.stderr);
      tokens.push((JSON.parse(r.stdout) as { token: string }).token);
    }
    const probe = await runCliCommand(['node', 'add', '--name', 'probe', '--kind', 'collar', '--animal', 'C0001', '--json'], { 'data-dir': dataDir });
    const probeToken = (JSON.parse(probe.stdout) as { token: string }).token;

    // Baseline: the nodes post back to back without subscriptions.
    let poster = startPosting(office.ingest, tokens, 0);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const baseline = await poster.stop();

    // 50 herd subscriptions (as 50 open dashboards).
    const wsUrl = office.api.replace(/^http/, 'ws') + '/v1/graphql';
    const latencies: number[] = [];
    const sentAt = new Map<number, number>();
    let updates = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams: { headers: admin } });
        clients.push(client);
        let seen = 0;
        await new Promise<void>((resolve, reject) => {
          client.subscribe<{ animals: { tag: string; latest_readings: { metric_id: number; value: number }[] }[] }>(
            { query: HERD_SUBSCRIPTION },
            {
              next: (msg) => {
                updates++;
                resolve();
                const cow = msg.data?.animals.find((a) => a.tag === 'C0001');
                const k = cow?.latest_readings.find((l) => l.metric_id === 2)?.value ?? 0;
                if (k > seen && sentAt.has(k)) latencies.push(performance.now() - sentAt.get(k)!);
                if (k > seen) seen = k;
              },
              error: reject,
              complete: () => {},
            },
          );
        });
      }),
    );

    // 1,000 readings/s from the nodes, and a probe every 100 ms whose value is its sequence number.
    updates = 0;
    poster = startPosting(office.ingest, tokens, 100);
    let k = 0;
    const probeAgent = new http.Agent({ keepAlive: true });
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      k++;
      sentAt.set(k, performance.now());
      const body = JSON.stringify({ readings: [{ metric: 'activity', value: k }] });
      await new Promise<void>((resolve, reject) => {
        const u = new URL(`${office!.ingest}/v1/readings`);
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: probeAgent, headers: { authorization: `Bearer ${probeToken}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(body);
      });
      await new Promise((r) => setTimeout(r, 100));
    }
    const offered = await poster.stop();
    await new Promise((r) => setTimeout(r, 1000));
    probeAgent.destroy();

    // Ingest flat out with the 50 subscriptions open.
    poster = startPosting(office.ingest, tokens, 0);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const withSubs = await poster.stop();

    console.log(`fanout: 50 herd subscriptions (${ANIMALS} animals), the office as its own process, ${seconds} s per phase`);
    console.log(`  nodes posting ${Math.round(offered).toLocaleString('en')} readings/s: ${updates.toLocaleString('en')} updates pushed; probe → update latency p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))} over ${latencies.length} updates (goal p95 ≤ 500 ms)`);
    console.log(`  ingest flat out without subscriptions ${Math.round(baseline).toLocaleString('en')} readings/s, with 50 ${Math.round(withSubs).toLocaleString('en')} readings/s: drop ${((1 - withSubs / baseline) * 100).toFixed(1)} % (goal ≤ 20 %)`);
  } finally {
    for (const c of clients) await c.dispose();
    await office?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string' }, seconds: { type: 'string', default: '10' } } });
  const only = new Set((values.only ?? 'overhead,fanout').split(','));
  const seconds = Number(values.seconds);
  if (only.has('overhead')) await overhead(Math.max(1, seconds / 4));
  if (only.has('fanout')) await fanout(seconds);
}

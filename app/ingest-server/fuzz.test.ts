// Property-based fuzzing of the ingest listener (fast-check), against a real office on loopback:
// no 5xx, no crash, nothing invalid stored as a reading, every valid reading stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestOffice, type TestOffice } from '../main/testing/test-office.ts';

let office: TestOffice;
let token: string;
let nodeId: number;
before(async () => {
  office = await startTestOffice({ rateLimitPerSecond: 100_000, rateLimitBurst: 100_000 });
  ({ token, id: nodeId } = await office.addNode('fuzz-collar', 'collar'));
});
after(() => office.close());

const DAY = 86_400_000;
const METRICS: [string, number, number][] = [
  ['temperature', 30, 45],
  ['temp', 30, 45],
  ['activity', 0, 20000],
  ['RUMINATION', 0, 60],
  ['water', 0, 500],
];
let tsCounter = 0;
/** Distinct, valid time stamps (within the last year), so no two generated readings collide. */
const nextTs = () => Date.now() - 365 * DAY + ++tsCounter * 1000;

type Gen = { item: unknown; valid: boolean; check?: { animal: string; metric: string; ts: number; value: number } };

const animalId = fc.oneof(fc.constantFrom('F1', 'F2', '276000987654321'), fc.stringMatching(/^[A-Za-z0-9ÄÖÜäöüß -]{1,20}$/).filter((s) => s.trim().length > 0));
const validItem: fc.Arbitrary<Gen> = fc
  .tuple(animalId, fc.constantFrom(...METRICS), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('iso', 'ms', 's'))
  .map(([animal, [metric, lo, hi], f, tsForm]) => {
    const ts = nextTs();
    const value = Math.fround(lo + f * (hi - lo));
    const tsValue = tsForm === 'iso' ? new Date(ts).toISOString() : tsForm === 'ms' ? ts : ts / 1000;
    return { item: { animal, metric, ts: tsValue, value }, valid: true, check: { animal: animal.trim(), metric, ts, value } };
  });
const invalidItem: fc.Arbitrary<Gen> = fc.oneof(
  fc.string().map((s) => ({ item: { animal: 'F1', metric: `x_${s}`, ts: nextTs(), value: 1 }, valid: false })),
  fc.constantFrom(...METRICS).map(([metric, , hi]) => ({ item: { animal: 'F1', metric, ts: nextTs(), value: hi + 1 + Math.random() * 100 }, valid: false })),
  fc.integer({ min: 10, max: 10_000 }).map((min) => ({ item: { animal: 'F1', metric: 'activity', ts: Date.now() + min * 60_000, value: 1 }, valid: false })),
  fc.integer({ min: 731, max: 20_000 }).map((days) => ({ item: { animal: 'F1', metric: 'activity', ts: Date.now() - days * DAY, value: 1 }, valid: false })),
  fc
    .oneof(fc.string().filter((s) => s.trim() === '' || !Number.isFinite(Number(s))), fc.boolean(), fc.constant(null), fc.object())
    .map((value) => ({ item: { animal: 'F1', metric: 'activity', ts: nextTs(), value }, valid: false })),
  fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer())).map((item) => ({ item, valid: false })),
  fc.string({ maxLength: 5 }).map((s) => ({ item: { animal: `\u0000${s}`, metric: 'activity', ts: nextTs(), value: 1 }, valid: false })),
  fc.constantFrom('\ud800', 'a\udc00', '\udbff\u0041').map((animal) => ({ item: { animal, metric: 'activity', ts: nextTs(), value: 1 }, valid: false })),
  fc.string().map((s) => ({ item: { animal: 'F1', metric: 'activity', ts: `2026-13-${s}`, value: 1 }, valid: false })),
);

test('random batches: invalid items quarantined, every valid reading stored, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof({ weight: 3, arbitrary: validItem }, { weight: 2, arbitrary: invalidItem }), { maxLength: 40 }),
      fc.constantFrom('json', 'array', 'ndjson'),
      fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
      async (gens, form, battery) => {
        const items = gens.map((g) => g.item);
        const headers: Record<string, string> = {};
        if (battery !== undefined && /^[\x20-\x7e]*$/.test(battery)) headers['x-node-battery'] = battery;
        let body: string;
        if (form === 'json') body = JSON.stringify({ readings: items });
        else if (form === 'array') body = JSON.stringify(items);
        else {
          body = items.map((i) => JSON.stringify(i)).join('\n');
          headers['content-type'] = 'application/x-ndjson';
        }
        const res = await office.post(token, body, headers);
        assert.ok(res.status < 500, `status ${res.status}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const invalid = gens.flatMap((g, i) => (g.valid ? [] : [i]));
        assert.deepEqual(res.body.quarantined.map((q: { index: number }) => q.index), invalid);
        assert.equal(res.body.accepted + res.body.duplicates, gens.length - invalid.length);
        for (const g of gens) {
          if (!g.check) continue;
          const { rows } = await office.db.query<{ value: number; key: string }>(
            `SELECT r.value, m.key FROM readings r JOIN animals a ON a.id = r.animal_id JOIN metrics m ON m.id = r.metric_id
              WHERE r.node_id = $1 AND r.ts = to_timestamp($2 / 1000.0) AND (a.tag = $3 OR a.official_id = $3)`,
            [nodeId, g.check.ts, g.check.animal],
          );
          assert.equal(rows.length, 1, `reading ${JSON.stringify(g.item)} is stored once`);
          // float4 comes back as its shortest decimal (38.7, 1e-45): compare as float4.
          assert.equal(Math.fround(rows[0]!.value), Math.fround(g.check.value));
        }
      },
    ),
    { numRuns: 60 },
  );
  // Nothing invalid became a reading: every stored value lies inside its metric's plausible range.
  const { rows } = await office.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE r.node_id = $1 AND (r.value < m.min_value OR r.value > m.max_value OR r.ts > now() + interval '5 minutes')`,
    [nodeId],
  );
  assert.equal(rows[0]!.n, 0);
});

test('arbitrary bytes, content types and headers never crash the listener or store anything', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 2000 }),
        fc.string({ maxLength: 500, unit: 'binary' }).map((s) => new TextEncoder().encode(s)),
        fc.json({ depthSize: 'small' }).map((j) => new TextEncoder().encode(j)),
        // Escapes JSON may carry but PostgreSQL text may not: NUL and lone surrogates.
        fc.constantFrom('{"readings":[{"animal":"\\u0000","metric":"x\\ud800","value":"\\udc00"}]}', '[{"metric":"temperature","value":38,"ts":"\\u0000"}]', '{"\\ud800":1}').map((s) => new TextEncoder().encode(s)),
      ),
      fc.constantFrom('application/json', 'application/x-ndjson', 'text/csv', 'text/plain', '', 'application/json; charset=latin1', 'multipart/form-data'),
      fc.constantFrom('/v1/readings', `/api/v1/${token}/telemetry`, `/api/v1/${token}/attributes`, '/api/data_stream/1/data?private_key=x', '/v1/../v1/readings'),
      fc.dictionary(fc.constantFrom('idempotency-key', 'x-node-rssi', 'x-node-firmware', 'x-node-battery'), fc.stringMatching(/^[\x21-\x7e]{0,30}$/)),
      async (bytes, type, path, extra) => {
        const res = await fetch(`${office.ingestUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}), ...extra },
          body: bytes,
        });
        await res.arrayBuffer();
        assert.ok(res.status < 500, `status ${res.status} for ${path} ${type}`);
      },
    ),
    { numRuns: 200 },
  );
  // Arbitrary JSON may by chance be a valid reading (e.g. {"temperature": 38} to ThingsBoard): allow only those in range.
  const { rows } = await office.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE r.value < m.min_value OR r.value > m.max_value`,
  );
  assert.equal(rows[0]!.n, 0);
});

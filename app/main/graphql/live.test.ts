import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { LiveQueryHub } from './live.ts';
import type { ChangeFeed, LiveQuerySpec } from './types.ts';

// These tests follow runs tick by tick; pacing (a pause between runs while changes keep coming) has its own test.
const NO_PACING = { minGapMs: 0, maxGapMs: 0, gapFactor: 0 };

/** A change feed under the test's control (the office's is event-driven by ingest and mutations). */
function fakeFeed() {
  const listeners = new Set<(tables: ReadonlySet<string>) => void>();
  const feed: ChangeFeed & { emit(...tables: string[]): void; readonly listeners: number } = {
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(...tables) {
      for (const l of [...listeners]) l(new Set(tables));
    },
    get listeners() {
      return listeners.size;
    },
  };
  return feed;
}

/** A query over a counter the test changes; each run can be held open until the test releases it. */
function countingQuery(options: { hold?: boolean } = {}) {
  let value = 0;
  let runs = 0;
  const held: (() => void)[] = [];
  return {
    set(v: number) {
      value = v;
    },
    get runs() {
      return runs;
    },
    /** Lets every run that is waiting finish. */
    release() {
      for (const r of held.splice(0)) r();
    },
    get waiting() {
      return held.length;
    },
    spec(extra: Partial<LiveQuerySpec> = {}): LiveQuerySpec {
      return {
        shareKey: 'herd',
        tables: new Set(['animals', 'latest_readings']),
        onlyChanges: true,
        run: async () => {
          runs++;
          if (options.hold) await new Promise<void>((resolve) => held.push(resolve));
          return { data: { value } };
        },
        ...extra,
      };
    },
  };
}

/** Waits until `predicate` holds, letting microtasks and immediates run (no wall-clock sleeps). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (predicate()) return;
    await tick();
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function nextValue(gen: AsyncGenerator<ExecutionResult>): Promise<ExecutionResult> {
  const r = await gen.next();
  assert.equal(r.done, false, 'the watch ended unexpectedly');
  return r.value;
}

/**
 * Asserts that nothing arrives for a few turns of the event loop, and returns the waiting next() so the test
 * can await the value it eventually gets (a next() once called takes the next result).
 */
async function expectNothing(gen: AsyncGenerator<ExecutionResult>, message?: string): Promise<{ next: Promise<IteratorResult<ExecutionResult>> }> {
  const next = gen.next();
  let settled = false;
  void next.then(() => (settled = true));
  for (let i = 0; i < 20; i++) await tick();
  assert.equal(settled, false, message ?? 'nothing should have been sent');
  return { next }; // wrapped: an async function returning a promise would wait for it
}

async function valueOf(waiting: { next: Promise<IteratorResult<ExecutionResult>> }): Promise<ExecutionResult> {
  const r = await waiting.next;
  assert.equal(r.done, false, 'the watch ended unexpectedly');
  return r.value;
}

test('runs at once, then again only when a table it reads changes', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const q = countingQuery();
  const gen = hub.watch(q.spec());
  assert.deepEqual(await nextValue(gen), { data: { value: 0 } });
  assert.equal(q.runs, 1);

  feed.emit('metrics'); // not read by this query
  await until(() => hub.stats.notifications === 1, 'the notification');
  const next = await expectNothing(gen);
  assert.equal(q.runs, 1, 'an unrelated table does not run the query');

  q.set(1);
  feed.emit('latest_readings', 'readings');
  assert.deepEqual(await valueOf(next), { data: { value: 1 } });
  assert.equal(q.runs, 2);
  hub.close();
});

test('watchers of one shareKey share runs and results: fifty subscriptions cost one query per change', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const q = countingQuery();
  const gens = Array.from({ length: 50 }, () => hub.watch(q.spec()));
  const first = await Promise.all(gens.map(nextValue));
  assert.equal(q.runs, 1);
  assert.ok(first.every((r) => r === first[0]), 'every watcher gets the same result object');
  assert.equal(hub.stats.entries, 1);
  assert.equal(hub.stats.watchers, 50);

  q.set(7);
  feed.emit('animals');
  const second = await Promise.all(gens.map(nextValue));
  assert.equal(q.runs, 2);
  assert.ok(second.every((r) => r.data?.value === 7));

  // A late joiner of an idle entry gets the current result without a run of its own.
  const late = hub.watch(q.spec());
  assert.deepEqual(await nextValue(late), { data: { value: 7 } });
  assert.equal(q.runs, 2);

  // A different key is its own entry.
  const other = hub.watch(q.spec({ shareKey: 'herd as user 2' }));
  await nextValue(other);
  assert.equal(q.runs, 3);
  assert.equal(hub.stats.entries, 2);
  hub.close();
});

test('coalescing: one run in flight; changes during it cause exactly one more run', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const q = countingQuery({ hold: true });
  const gen = hub.watch(q.spec());
  await until(() => q.waiting === 1, 'the first run');

  for (let i = 1; i <= 10; i++) {
    q.set(i);
    feed.emit('latest_readings');
  }
  await tick();
  assert.equal(q.runs, 1, 'no second run while the first is in flight');
  q.release();
  await until(() => q.waiting === 1, 'the catch-up run');
  assert.equal(q.runs, 2);
  q.release();
  await until(() => hub.stats.runs === 2 && q.waiting === 0, 'the runs to finish');
  await tick();
  assert.equal(q.runs, 2, 'ten changes during a run cost one more run, not ten');

  // The consumer did not read in between: it gets only the newest result.
  assert.deepEqual(await nextValue(gen), { data: { value: 10 } });
  await expectNothing(gen);

  // Notifications in the same tick share one run too.
  feed.emit('animals');
  feed.emit('latest_readings');
  feed.emit('animals', 'latest_readings');
  await until(() => q.waiting === 1, 'the run after three notifications');
  q.release();
  await until(() => hub.stats.runs === 3 && q.waiting === 0, 'the run to finish');
  await tick();
  assert.equal(q.runs, 3);
  hub.close();
});

test('tables a spec learns from its first run: a change during that run is not missed', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const read = new Set<string>();
  let release!: () => void;
  let runs = 0;
  const gen = hub.watch({
    shareKey: 'k',
    tables: read, // empty until the engine has run the query once
    onlyChanges: false,
    run: async () => {
      runs++;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      read.add('animals');
      return { data: { runs } };
    },
  });
  await until(() => runs === 1, 'the first run');
  feed.emit('animals'); // may have committed after the first run's snapshot
  release();
  assert.deepEqual(await nextValue(gen), { data: { runs: 1 } });
  assert.deepEqual(await nextValue(gen), { data: { runs: 2 } });
  feed.emit('groups');
  await tick();
  assert.equal(runs, 2, 'once known, the tables decide');
  feed.emit('animals');
  assert.deepEqual(await nextValue(gen), { data: { runs: 3 } });
  hub.close();
});

test("'*' in a notification (a schema change) or in a spec's tables matches everything", async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const q = countingQuery();
  const gen = hub.watch(q.spec({ onlyChanges: false }));
  await nextValue(gen);
  feed.emit('*');
  await nextValue(gen);
  assert.equal(q.runs, 2);

  const any = countingQuery();
  const gen2 = hub.watch(any.spec({ shareKey: 'unknown tables', tables: new Set(['*']), onlyChanges: false }));
  await nextValue(gen2);
  feed.emit('groups');
  await nextValue(gen2);
  assert.equal(any.runs, 2);
  hub.close();
});

test('onlyChanges: a result equal to the last one given is not sent again; streams get every result', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const q = countingQuery();
  const live = hub.watch(q.spec());
  const all = hub.watch(q.spec({ shareKey: undefined, onlyChanges: false }));
  assert.deepEqual(await nextValue(live), { data: { value: 0 } });
  assert.deepEqual(await nextValue(all), { data: { value: 0 } });

  feed.emit('animals'); // a change that does not change this result
  assert.deepEqual(await nextValue(all), { data: { value: 0 } }, 'the stream gets it');
  await until(() => hub.stats.runs === 4, 'both entries to run');
  const next = await expectNothing(live, 'the live query does not');

  q.set(2);
  feed.emit('animals');
  assert.deepEqual(await valueOf(next), { data: { value: 2 } });
  await until(() => hub.stats.runs === 6, 'both entries to run');

  // A slow live consumer (no next() waiting): 3, then back to the 2 it already has → nothing to send.
  q.set(3);
  feed.emit('animals');
  await until(() => hub.stats.runs === 8, 'the runs');
  q.set(2);
  feed.emit('animals');
  await until(() => hub.stats.runs === 10, 'the runs');
  await tick();
  assert.equal(hub.stats.superseded, 1);
  const waiting = await expectNothing(live, 'the intermediate 3 was superseded by a 2 it already has');
  q.set(4);
  feed.emit('animals');
  assert.deepEqual(await valueOf(waiting), { data: { value: 4 } });
  await until(() => hub.stats.runs === 12, 'the runs');

  // 5 then 6 while it does not read: it gets 6 only.
  q.set(5);
  feed.emit('animals');
  await until(() => hub.stats.runs === 14, 'the runs');
  q.set(6);
  feed.emit('animals');
  await until(() => hub.stats.runs === 16, 'the runs');
  assert.equal(hub.stats.superseded, 2);
  assert.deepEqual(await nextValue(live), { data: { value: 6 } });
  await expectNothing(live);
  hub.close();
});

test('a stream keeps every batch for a slow consumer; a run answering undefined sends nothing', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const batches: (number[] | undefined)[] = [[1, 2], undefined, [3], [4, 5]];
  let i = 0;
  const gen = hub.watch({
    tables: new Set(['readings']),
    onlyChanges: false,
    run: async () => {
      const rows = batches[i++];
      return rows && { data: { readings_stream: rows } };
    },
  });
  await until(() => hub.stats.runs === 1, 'the first run');
  for (let n = 0; n < 3; n++) {
    feed.emit('readings');
    await until(() => hub.stats.runs === n + 2, 'a run');
  }
  const got = [];
  for (let n = 0; n < 3; n++) got.push((await nextValue(gen)).data);
  assert.deepEqual(got, [{ readings_stream: [1, 2] }, { readings_stream: [3] }, { readings_stream: [4, 5] }]);
  await expectNothing(gen);
  hub.close();
});

test('return() or the signal unsubscribes, at once even while a next() waits; the last watcher frees the entry', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const q = countingQuery();
  const a = hub.watch(q.spec());
  const controller = new AbortController();
  const b = hub.watch(q.spec(), controller.signal);
  await nextValue(a);
  await nextValue(b);
  assert.deepEqual(hub.stats, { ...hub.stats, entries: 1, watchers: 2 });

  const waiting = a.next();
  assert.deepEqual(await a.return(undefined), { value: undefined, done: true });
  assert.deepEqual(await waiting, { value: undefined, done: true }, 'the waiting next() ends');
  assert.equal(hub.stats.watchers, 1);
  assert.equal(hub.stats.entries, 1);

  controller.abort();
  assert.deepEqual(await b.next(), { value: undefined, done: true });
  assert.equal(hub.stats.watchers, 0);
  assert.equal(hub.stats.entries, 0, 'the entry is freed with its last watcher');

  feed.emit('animals');
  await tick();
  assert.equal(q.runs, 1, 'a freed entry does not run');

  // for await … break is a return() too.
  const c = hub.watch(q.spec());
  for await (const r of c) {
    assert.deepEqual(r, { data: { value: 0 } });
    break;
  }
  assert.equal(hub.stats.entries, 0);

  // Already aborted: ends at once, runs nothing.
  const runs = q.runs;
  assert.deepEqual(await hub.watch(q.spec(), AbortSignal.abort()).next(), { value: undefined, done: true });
  await tick();
  assert.equal(q.runs, runs);
  hub.close();
});

test('errors from run() are sent as GraphQL errors and the watch goes on', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  let fail = true;
  const gen = hub.watch({
    shareKey: 'k',
    tables: new Set(['animals']),
    onlyChanges: true,
    run: async () => {
      if (fail) throw new GraphQLError('relation "animals" does not exist', { extensions: { code: 'unexpected' } });
      return { data: { animals: [] } };
    },
  });
  const first = await nextValue(gen);
  assert.equal(first.data, undefined);
  assert.equal(first.errors?.length, 1);
  assert.equal(first.errors?.[0]?.message, 'relation "animals" does not exist');
  assert.equal(typeof first.errors?.[0]?.toJSON, 'function', 'a GraphQLError, as graphql-ws serialises them');
  assert.equal(hub.stats.errors, 1);

  // The same failure again is not news to a live query.
  feed.emit('animals');
  await until(() => hub.stats.runs === 2, 'the second run');
  const next = await expectNothing(gen);

  fail = false;
  feed.emit('animals');
  assert.deepEqual(await valueOf(next), { data: { animals: [] } });

  // A run that throws synchronously does not break the hub either.
  const sync = hub.watch({
    tables: new Set(['x']),
    onlyChanges: false,
    run: (() => {
      throw new TypeError('boom');
    }) as LiveQuerySpec['run'],
  });
  const bare = (await nextValue(sync)).errors?.[0];
  assert.deepEqual(bare?.toJSON(), { message: 'Internal server error', extensions: { code: 'unexpected' } }, 'not the exception’s own words');
  assert.equal(hub.stats.errors, 3);
  hub.close();
});

test('close() ends every watcher and stops listening', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, NO_PACING);
  const q = countingQuery();
  const a = hub.watch(q.spec());
  const b = hub.watch(q.spec({ shareKey: 'other' }));
  await nextValue(a);
  await nextValue(b);
  const waiting = a.next();
  hub.close();
  assert.deepEqual(await waiting, { value: undefined, done: true });
  assert.deepEqual(await b.next(), { value: undefined, done: true });
  assert.equal(feed.listeners, 0);
  assert.deepEqual(await hub.watch(q.spec()).next(), { value: undefined, done: true });
  assert.equal(hub.stats.entries, 0);
});

test('pacing: while changes keep coming, a live query runs at most once per pause, and a lone change runs at once', async () => {
  const feed = fakeFeed();
  const hub = new LiveQueryHub(feed, undefined, { minGapMs: 100, maxGapMs: 100, gapFactor: 0 });
  let runs = 0;
  const gen = hub.watch({ shareKey: 'k', tables: new Set(['readings']), onlyChanges: false, run: async () => ({ data: { n: ++runs } }) });
  await nextValue(gen);
  // 50 changes over 500 ms: at most one run per 100 ms, and the last change is not lost.
  const started = performance.now();
  for (let i = 0; i < 50; i++) {
    feed.emit('readings');
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 250));
  const elapsed = performance.now() - started;
  assert.ok(runs - 1 <= Math.ceil(elapsed / 100) + 1, `${runs - 1} runs in ${elapsed.toFixed(0)} ms`);
  assert.ok(runs - 1 >= 3, `changes still run the query (${runs - 1} runs)`);
  const before = runs;
  await new Promise((r) => setTimeout(r, 200));
  feed.emit('readings');
  await until(() => runs === before + 1, 'the run after a quiet spell');
  await gen.return(undefined);
  hub.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAY,
  HOUR,
  MINUTE,
  EVENT_KINDS,
  createHerdModel,
  createRng,
  generateEvents,
  generateHerd,
  localOffsetFor,
  nodesForHerd,
  toGroundTruth,
  type HerdCow,
  type Metric,
  type SimEvent,
} from './model.ts';

// A fixed "now" (a Wednesday, 12:00 UTC), so the tests do not depend on the day they run.
const NOW = Date.UTC(2026, 4, 13, 12);
const START = NOW - 30 * DAY;
const STEP = 10 * MINUTE;

function month(seed: number, cows: number, kinds = EVENT_KINDS) {
  const herd = generateHerd({ seed, count: cows, now: NOW });
  const events = generateEvents({ seed, herd, start: START, end: NOW, kinds });
  return { herd, events, model: createHerdModel({ seed, herd, events }) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The cow's undisturbed readings at the same time of day on the `days` days before `t`. */
function sameHourBaseline(model: ReturnType<typeof createHerdModel>, cow: number, metric: Metric, t: number, days = 7): number {
  return mean(Array.from({ length: days }, (_, i) => model.value(cow, metric, t - (i + 1) * DAY, false)));
}

test('the PRNG is seeded: same seed, same sequence; another seed, another sequence', () => {
  const a = createRng(42), b = createRng(42), c = createRng(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('herd, events and readings are deterministic for a seed and differ between seeds', () => {
  const one = month(7, 30), two = month(7, 30), other = month(8, 30);
  assert.deepEqual(one.herd, two.herd);
  assert.deepEqual(one.events, two.events);
  const node = nodesForHerd(one.herd)[0]!;
  const readings = one.model.nodeReadings(node, START, NOW, STEP);
  assert.deepEqual(readings, two.model.nodeReadings(node, START, NOW, STEP));
  assert.notDeepEqual(readings, other.model.nodeReadings(node, START, NOW, STEP));
  assert.notDeepEqual(one.events, other.events);
});

test('readings at a time stamp do not depend on where a run starts (re-posting is idempotent)', () => {
  const { herd, model } = month(3, 5);
  const node = nodesForHerd(herd)[1]!;
  const whole = model.nodeReadings(node, START, START + DAY, STEP);
  const tail = model.nodeReadings(node, START + 7 * HOUR + 1, START + DAY, STEP);
  assert.deepEqual(whole.slice(whole.length - tail.length), tail);
  assert.ok(tail.every((r) => r.ts % STEP === 0), 'time stamps are aligned to the interval');
});

test('the herd: unique tags and EIDs, every group used, plausible birth dates', () => {
  const herd = generateHerd({ seed: 1, count: 60, now: NOW });
  assert.equal(herd.length, 60);
  assert.equal(new Set(herd.map((c) => c.tag)).size, 60);
  assert.equal(new Set(herd.map((c) => c.official_id)).size, 60);
  assert.ok(herd.every((c) => /^276\d{12}$/.test(c.official_id)));
  const groups = new Map<string, number>();
  for (const c of herd) groups.set(c.group, (groups.get(c.group) ?? 0) + 1);
  assert.deepEqual([...groups.keys()].sort(), ['Dry cows', 'Heifers', 'Lactating A', 'Lactating B']);
  assert.ok(groups.get('Dry cows')! >= 4 && groups.get('Lactating A')! > groups.get('Dry cows')!);
  for (const c of herd) {
    const age = (NOW - Date.parse(c.birth_date)) / (365.25 * DAY);
    assert.ok(c.category === 'heifer' ? age > 1 && age < 2.1 : age > 2 && age < 9, `${c.tag} ${c.category} aged ${age}`);
  }
  const custom = generateHerd({ seed: 1, count: 3, groups: ['Pen 1', 'Close-up', 'Young stock'], now: NOW });
  assert.deepEqual(custom.map((c) => c.category).sort(), ['dry', 'heifer', 'lactating']);
});

test('every reading stays in its plausible range over a month for 100 cows, events included', () => {
  const { herd, events, model } = month(11, 100);
  assert.ok(events.length > 50);
  const range: Record<Metric, [number, number]> = { temperature: [30, 45], activity: [0, 20_000], rumination: [0, 60] };
  let n = 0;
  for (const node of nodesForHerd(herd)) {
    for (const r of model.nodeReadings(node, START, NOW, STEP)) {
      const [min, max] = range[r.metric];
      if (!(Number.isFinite(r.value) && r.value >= min && r.value <= max)) assert.fail(`${node.name} ${r.metric} ${r.value} at ${new Date(r.ts).toISOString()}`);
      n++;
    }
  }
  assert.ok(n > 1_200_000);
});

test('daily rhythms: quiet nights, active mornings; rumination mostly at night; temperature peaks in the afternoon', () => {
  const { herd, model } = month(5, 40, []);
  const at = (metric: Metric, hour: number) =>
    mean(herd.flatMap((c) => Array.from({ length: 28 }, (_, d) => model.value(c.index, metric, START + d * DAY - 12 * HOUR + hour * HOUR))));
  assert.ok(at('activity', 2) * 2 < at('activity', 8), `activity 02:00 ${at('activity', 2)} vs 08:00 ${at('activity', 8)}`);
  assert.ok(at('rumination', 2) > at('rumination', 12) + 3, `rumination 02:00 ${at('rumination', 2)} vs 12:00 ${at('rumination', 12)}`);
  // Drinking dips pull the mean down at any hour; the median shows the rhythm.
  const med = (hour: number) => median(herd.flatMap((c) => Array.from({ length: 28 }, (_, d) => model.value(c.index, 'temperature', START + d * DAY - 12 * HOUR + hour * HOUR))));
  assert.ok(med(17) - med(5) > 0.4, `temperature 17:00 ${med(17)} vs 05:00 ${med(5)}`);
  const daily = herd.map((c) => mean(Array.from({ length: 144 }, (_, i) => model.value(c.index, 'rumination', START + i * STEP))));
  assert.ok(daily.every((v) => v > 15 && v < 40), `daily rumination means ${daily.map((v) => v.toFixed(1))}`);
});

test('the rhythm follows the farm time zone', () => {
  const offset = localOffsetFor('Europe/Berlin');
  assert.equal(offset(Date.UTC(2026, 0, 15)), HOUR);
  assert.equal(offset(Date.UTC(2026, 6, 15)), 2 * HOUR);
  const herd = generateHerd({ seed: 2, count: 10, now: NOW });
  const utc = createHerdModel({ seed: 2, herd });
  const berlin = createHerdModel({ seed: 2, herd, timeZone: 'Europe/Berlin' });
  // In May Berlin is two hours ahead: its cows do at 06:00 UTC what UTC cows do at 08:00 UTC.
  const at = (model: typeof utc, hour: number) =>
    mean(herd.flatMap((c) => Array.from({ length: 20 }, (_, d) => model.value(c.index, 'activity', Date.UTC(2026, 4, 1 + d, hour)))));
  for (const [b, u] of [[0, 2], [6, 8], [15, 17]] as const) {
    const ratio = at(berlin, b) / at(utc, u);
    assert.ok(ratio > 0.85 && ratio < 1.15, `Berlin ${b}:00 UTC vs UTC ${u}:00: ${ratio}`);
  }
});

test('drinking dips: several sudden drops of 2–8 °C a day that recover within about 2 h', () => {
  const { herd, model } = month(9, 20, []);
  let days = 0, daysWithDips = 0, dips = 0;
  for (const cow of herd) {
    for (let d = 0; d < 28; d++) {
      const day = Array.from({ length: 24 * 12 }, (_, i) => START + d * DAY + i * 5 * MINUTE);
      const temps = day.map((t) => model.value(cow.index, 'temperature', t));
      const base = median(temps);
      let inDip = false, count = 0;
      for (const v of temps) {
        if (!inDip && v < base - 1.5) count++;
        inDip = v < base - 0.5;
      }
      days++;
      if (count > 0) daysWithDips++;
      dips += count;
      assert.ok(Math.min(...temps) > base - 9, 'no drop deeper than 8 °C (plus the daily rhythm)');
    }
  }
  assert.ok(daysWithDips / days > 0.95, `${daysWithDips}/${days} days with dips`);
  assert.ok(dips / days >= 3, `${(dips / days).toFixed(1)} dips a day`);
  // Sudden (within a minute) and recovered two hours later, unless she drank again meanwhile.
  for (const cow of herd.slice(0, 5)) {
    const temps = Array.from({ length: 10 * 24 * 60 }, (_, i) => model.value(cow.index, 'temperature', START + i * MINUTE));
    const starts = temps.flatMap((v, i) => (i > 0 && temps[i - 1]! - v >= 1.2 ? [i] : []));
    assert.ok(starts.length >= 30, `${starts.length} sudden drops in 10 days`);
    for (const [k, i] of starts.entries()) {
      if ((starts[k + 1] ?? Infinity) - i <= 120 || i + 120 >= temps.length) continue;
      const drop = temps[i - 1]! - temps[i]!;
      assert.ok(drop <= 8.5, `a drop of ${drop} °C`);
      assert.ok(temps[i - 1]! - temps[i + 120]! < 0.6, `2 h after a ${drop} °C dip still ${temps[i - 1]! - temps[i + 120]!} °C low`);
    }
  }
});

function eventsOf(events: SimEvent[], kind: SimEvent['kind']): SimEvent[] {
  const found = events.filter((e) => e.kind === kind);
  assert.ok(found.length > 0, `no ${kind} scheduled`);
  return found;
}

test('a heat raises activity at least 2× the cow\'s same-hour baseline at its peak, and lowers rumination', () => {
  const { events, model } = month(4, 60);
  const heats = eventsOf(events, 'heat').filter((e) => e.onset > START + 8 * DAY);
  assert.ok(heats.length >= 10, `${heats.length} heats`);
  for (const h of heats) {
    const peak = Date.parse(String(h.details.peak));
    assert.ok(h.end! - h.onset >= 8 * HOUR && h.end! - h.onset <= 16 * HOUR);
    assert.ok(model.value(h.cow, 'activity', peak) >= 2 * model.value(h.cow, 'activity', peak, false));
    // Over the two hours around the peak, against the same hours on the week before.
    const hour = Array.from({ length: 13 }, (_, i) => peak + (i - 6) * 10 * MINUTE);
    const during = mean(hour.map((t) => model.value(h.cow, 'activity', t)));
    const before = mean(hour.map((t) => sameHourBaseline(model, h.cow, 'activity', t)));
    assert.ok(during >= 2 * before, `heat of ${h.animal}: ${during} vs baseline ${before}`);
    assert.ok(model.value(h.cow, 'rumination', peak) <= model.value(h.cow, 'rumination', peak, false));
  }
});

test('heats recur about every 21 days for a cycling cow', () => {
  const herd = generateHerd({ seed: 6, count: 40, now: NOW });
  const events = generateEvents({ seed: 6, herd, start: NOW - 120 * DAY, end: NOW, kinds: ['heat'] });
  const byCow = new Map<number, number[]>();
  for (const e of events) byCow.set(e.cow, [...(byCow.get(e.cow) ?? []), e.onset]);
  assert.ok(byCow.size >= 15 && byCow.size < 40, `${byCow.size} cycling cows`);
  for (const onsets of byCow.values()) {
    for (let i = 1; i < onsets.length; i++) {
      const gap = (onsets[i]! - onsets[i - 1]!) / DAY;
      assert.ok(gap > 17.5 && gap < 24.5, `gap of ${gap} days`);
    }
  }
  assert.ok(events.every((e) => herd[e.cow]!.category !== 'dry'));
});

test('a fever raises body temperature by 1–1.8 °C and lowers rumination and activity', () => {
  const { events, model } = month(12, 60);
  for (const f of eventsOf(events, 'fever')) {
    const mid = (f.onset + f.end!) / 2;
    const rise = model.value(f.cow, 'temperature', mid) - model.value(f.cow, 'temperature', mid, false);
    assert.ok(rise >= 0.99 && rise <= 1.81, `fever of ${f.animal}: +${rise} °C`);
    const plateau = Array.from({ length: 12 }, (_, i) => mid - 3 * HOUR + i * 30 * MINUTE);
    const t = median(plateau.map((x) => model.value(f.cow, 'temperature', x)));
    const base = median(plateau.map((x) => sameHourBaseline(model, f.cow, 'temperature', x)));
    assert.ok(t - base > 0.8, `fever of ${f.animal}: median ${t} vs same hours before ${base}`);
    const rum = model.value(f.cow, 'rumination', mid) / Math.max(1e-9, model.value(f.cow, 'rumination', mid, false));
    assert.ok(rum <= 0.85, `rumination at ${rum} of baseline`);
    assert.ok(model.value(f.cow, 'activity', mid) < model.value(f.cow, 'activity', mid, false));
  }
});

test('calving: temperature at least 0.3 °C lower in the day before, restless in the last hours, rumination down', () => {
  const { herd, events, model } = month(13, 60);
  const calvings = eventsOf(events, 'calving');
  for (const c of calvings) {
    assert.equal(herd[c.cow]!.category, 'dry');
    const at = Date.parse(String(c.details.calving_at));
    assert.ok(c.onset <= at - 24 * HOUR && c.end! > at);
    for (const h of [18, 12, 6, 2]) {
      const t = at - h * HOUR;
      const drop = model.value(c.cow, 'temperature', t, false) - model.value(c.cow, 'temperature', t);
      assert.ok(drop >= 0.3, `${c.animal} ${h} h before calving: drop ${drop}`);
    }
    const lastHours = [3, 2, 1].map((h) => at - h * HOUR);
    assert.ok(mean(lastHours.map((t) => model.value(c.cow, 'activity', t))) > 1.3 * mean(lastHours.map((t) => model.value(c.cow, 'activity', t, false))));
    assert.ok(model.value(c.cow, 'rumination', at) < 0.7 * model.value(c.cow, 'rumination', at, false) + 0.5);
    assert.match(String(c.details.due_date), /^\d{4}-\d{2}-\d{2}$/);
  }
});

test('a silent node posts nothing from its onset (to its end, if it has one); the cow\'s other node goes on', () => {
  const herd = generateHerd({ seed: 21, count: 12, now: NOW });
  const nodes = nodesForHerd(herd);
  const forever: SimEvent = { kind: 'silent_node', cow: 3, animal: herd[3]!.tag, node: nodes[6]!.name, onset: NOW - 5 * DAY, details: {} };
  const hours: SimEvent = { kind: 'silent_node', cow: 5, animal: herd[5]!.tag, node: nodes[11]!.name, onset: NOW - 3 * DAY, end: NOW - 3 * DAY + 6 * HOUR, details: {} };
  const model = createHerdModel({ seed: 21, herd, events: [forever, hours] });
  const quiet = model.nodeReadings(nodes[6]!, START, NOW, STEP);
  assert.ok(quiet.length > 0 && quiet.every((r) => r.ts < forever.onset));
  assert.ok(model.nodeReadings(nodes[7]!, forever.onset, NOW, STEP).length > 0, 'the other node of the cow still posts');
  const gap = model.nodeReadings(nodes[11]!, START, NOW, STEP).map((r) => r.ts);
  assert.ok(!gap.some((t) => t >= hours.onset && t < hours.end!));
  assert.ok(gap.some((t) => t >= hours.end!), 'it posts again after its silence');

  // The scheduled ones behave the same.
  const { events, herd: h2, model: m2 } = month(14, 30);
  for (const s of eventsOf(events, 'silent_node')) {
    const node = nodesForHerd(h2).find((n) => n.name === s.node)!;
    assert.ok(node, `the silent node ${s.node} exists`);
    const after = m2.nodeReadings(node, s.onset, s.end ?? NOW, STEP).filter((r) => r.ts < (s.end ?? Infinity));
    assert.deepEqual(after, []);
  }
});

test('the schedule: every kind in a month of 60 cows, only the kinds asked for, no overlapping events of one cow', () => {
  const { events } = month(1, 60);
  const kinds = new Set(events.map((e) => e.kind));
  assert.deepEqual([...kinds].sort(), ['calving', 'fever', 'heat', 'silent_node']);
  const heats = events.filter((e) => e.kind === 'heat').length;
  assert.ok(heats >= 25 && heats <= 80, `${heats} heats`);
  const health = events.filter((e) => e.kind !== 'silent_node');
  for (const a of health) {
    for (const b of health) {
      if (a !== b && a.cow === b.cow) assert.ok(a.end! <= b.onset || b.end! <= a.onset, `${a.kind} and ${b.kind} of ${a.animal} overlap`);
    }
  }
  assert.ok(events.every((e) => e.onset >= START - 30 * HOUR && e.onset < NOW));
  const herd = generateHerd({ seed: 1, count: 60, now: NOW });
  const onlyFever = generateEvents({ seed: 1, herd, start: START, end: NOW, kinds: ['fever'] });
  assert.ok(onlyFever.length > 0 && onlyFever.every((e) => e.kind === 'fever'));
  assert.deepEqual(generateEvents({ seed: 1, herd, start: START, end: NOW, kinds: [] }), []);
  // Short runs still see every kind.
  const short = generateEvents({ seed: 1, herd: generateHerd({ seed: 1, count: 10, now: NOW }), start: NOW - 3 * DAY, end: NOW, kinds: EVENT_KINDS });
  assert.deepEqual([...new Set(short.map((e) => e.kind))].sort(), ['calving', 'fever', 'silent_node'].concat(short.some((e) => e.kind === 'heat') ? ['heat'] : []).sort());
  // An extension window does not repeat a calving.
  const later = generateEvents({ seed: 1, herd, start: NOW, end: NOW + 30 * DAY, kinds: ['calving'], existing: events });
  const calved = new Set(events.filter((e) => e.kind === 'calving').map((e) => e.cow));
  assert.ok(later.every((e) => !calved.has(e.cow)));
});

test('ground-truth lines carry ISO time stamps', () => {
  const { events } = month(1, 20);
  const line = toGroundTruth(events.find((e) => e.kind === 'silent_node')!);
  assert.match(line.onset, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.ok(line.node && line.animal);
  const herd: HerdCow[] = generateHerd({ seed: 1, count: 20, now: NOW });
  assert.ok(herd.some((c) => c.tag === line.animal));
});

// The node simulator's pure part: a seeded PRNG, the herd, what each sensor would read at a moment, and the
// schedule of injected events. No I/O here, so every model property is checked by model.test.ts without an office.
//
// Every value is a function of (seed, cow, metric, time stamp): noise comes from hashing those, not from a
// stream, so re-running over the same time stamps reproduces the same readings whatever the run's start.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------------------
// Random numbers

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A 32-bit hash of integers (each up to ±2^53, so epoch milliseconds are fine). */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = mix32(h ^ (p >>> 0));
    h = mix32(h ^ (Math.floor(p / 4294967296) >>> 0) ^ 0x27d4eb2d);
  }
  return h;
}

/** A uniform number in [0, 1) determined by `parts`. */
export function unitHash(...parts: number[]): number {
  return hash32(...parts) / 4294967296;
}

/** A standard normal number determined by `parts` (Box–Muller on two hashes). */
export function gaussHash(...parts: number[]): number {
  const u1 = (hash32(...parts, 0x51) + 0.5) / 4294967296;
  const u2 = hash32(...parts, 0x52) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** mulberry32: a small, fast, seeded generator of uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  next(): number;
  range(min: number, max: number): number;
  int(min: number, maxInclusive: number): number;
  chance(p: number): boolean;
  gauss(): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: T[]): T[];
  poisson(mean: number): number;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const rng: Rng = {
    next,
    range: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor((max - min + 1) * next()),
    chance: (p) => next() < p,
    gauss: () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next()),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
    poisson: (mean) => {
      // Knuth's method: means here are small (a few events per window).
      const limit = Math.exp(-mean);
      let k = 0;
      for (let p = next(); p > limit; p *= next()) k++;
      return k;
    },
  };
  return rng;
}

// ---------------------------------------------------------------------------------------------------------
// Time

export const alignDown = (t: number, step: number) => Math.floor(t / step) * step;
export const alignUp = (t: number, step: number) => Math.ceil(t / step) * step;

/** Milliseconds to add to a UTC instant to get the wall-clock time of `timeZone` (cached per hour). */
export function localOffsetFor(timeZone: string): (t: number) => number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return () => 0;
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const cache = new Map<number, number>();
  return (t) => {
    const bucket = Math.floor(t / HOUR);
    let off = cache.get(bucket);
    if (off === undefined) {
      const at = bucket * HOUR;
      const parts = Object.fromEntries(fmt.formatToParts(new Date(at)).map((p) => [p.type, Number(p.value)]));
      off = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - at;
      if (cache.size > 50_000) cache.clear();
      cache.set(bucket, off);
    }
    return off;
  };
}

const smoothstep = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));

/** A bell around `center` (hours of the day, wrapping at midnight), `width` its standard deviation in hours. */
function bump(hour: number, center: number, width: number): number {
  let d = Math.abs(hour - center) % 24;
  if (d > 12) d = 24 - d;
  return Math.exp(-0.5 * (d / width) ** 2);
}

/** 0 before `onset`, ramps up over `rise`, 1 on the plateau, ramps down over `fall` to 0 at `end`. */
function plateau(t: number, onset: number, end: number, rise: number, fall: number): number {
  if (t < onset || t >= end) return 0;
  return Math.min(smoothstep((t - onset) / rise), smoothstep((end - t) / fall));
}

// ---------------------------------------------------------------------------------------------------------
// The herd

export type GroupCategory = 'lactating' | 'dry' | 'heifer';
export const DEFAULT_GROUPS = ['Lactating A', 'Lactating B', 'Dry cows', 'Heifers'] as const;

/** What kind of animals a pen holds, judged from its name (it decides milking, cycling and calving). */
export function groupCategory(name: string): GroupCategory {
  if (/dry|close.?up|far.?off|springer|calving|trocken/i.test(name)) return 'dry';
  if (/heifer|young|calf|calves|färse|rind/i.test(name)) return 'heifer';
  return 'lactating';
}

const CATEGORY_SHARE: Record<GroupCategory, number> = { lactating: 0.68, dry: 0.12, heifer: 0.2 };

const BREEDS: readonly [string, number][] = [
  ['Holstein Friesian', 0.58],
  ['Fleckvieh', 0.15],
  ['Brown Swiss', 0.1],
  ['Jersey', 0.09],
  ['Red Holstein', 0.08],
];

const NAMES = [
  'Berta', 'Liesel', 'Daisy', 'Rosa', 'Elsa', 'Frieda', 'Hanna', 'Klara', 'Lotte', 'Mia', 'Nelly', 'Paula',
  'Resi', 'Susi', 'Toni', 'Vroni', 'Wilma', 'Zenzi', 'Anka', 'Bella', 'Clara', 'Dora', 'Emma', 'Flora',
  'Gerda', 'Heidi', 'Ida', 'Jule', 'Käthe', 'Lina', 'Marta', 'Nora', 'Olga', 'Pia', 'Quendel', 'Rieke',
  'Selma', 'Trude', 'Ulla', 'Vera', 'Wanda', 'Xenia', 'Yvonne', 'Zora', 'Alma', 'Betty', 'Cora', 'Dolly',
  'Erna', 'Fanny', 'Grete', 'Hilde', 'Irma', 'Josy', 'Karla', 'Luise', 'Molly', 'Nina', 'Ottilie', 'Primel',
  'Rita', 'Sina', 'Tilda', 'Uschi', 'Viola', 'Wendy', 'Annabell', 'Blume', 'Clementine', 'Dalia', 'Edda',
  'Fiona', 'Gina', 'Hera', 'Inge', 'Jolanda', 'Kira', 'Lady', 'Mona', 'Nixe',
];

export interface HerdCow {
  index: number;
  tag: string;
  official_id: string;
  name: string;
  sex: 'female';
  birth_date: string;
  breed: string;
  group: string;
  category: GroupCategory;
}

export interface HerdOptions {
  seed: number;
  count: number;
  /** Pen names; their names decide what they hold (see groupCategory). */
  groups?: readonly string[];
  /** The herd's "today": birth dates are in the past of it. */
  now: number;
}

/** How many of `count` cows go into each group: shares by category, every group non-empty when there are enough cows. */
function groupSizes(count: number, groups: readonly string[]): number[] {
  const categories = groups.map(groupCategory);
  const perCategory = new Map<GroupCategory, number>();
  for (const c of categories) perCategory.set(c, (perCategory.get(c) ?? 0) + 1);
  const weights = categories.map((c) => CATEGORY_SHARE[c] / perCategory.get(c)!);
  const total = weights.reduce((a, b) => a + b, 0);
  const min = count >= groups.length ? 1 : 0;
  const rest = count - min * groups.length;
  const exact = weights.map((w) => (rest * w) / total);
  const sizes = exact.map((e) => min + Math.floor(e));
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = count - sizes.reduce((a, b) => a + b, 0); k < left; k++) sizes[order[k % order.length]![1]]! += 1;
  return sizes;
}

const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);

export function generateHerd({ seed, count, groups = DEFAULT_GROUPS, now }: HerdOptions): HerdCow[] {
  if (groups.length === 0) throw new Error('a herd needs at least one group');
  const rng = createRng(hash32(seed, 0x4e5244));
  const sizes = groupSizes(count, groups);
  const assigned = rng.shuffle(groups.flatMap((g, i) => Array.from({ length: sizes[i]! }, () => g)));
  const names = rng.shuffle([...NAMES]);
  const farm = 100_000 + (hash32(seed, 0xfa) % 900_000);
  return assigned.map((group, index) => {
    const category = groupCategory(group);
    const ageYears = category === 'heifer' ? rng.range(1.1, 2.0) : category === 'dry' ? rng.range(2.8, 8.5) : rng.range(2.1, 8.0);
    let r = rng.next();
    const breed = BREEDS.find(([, share]) => (r -= share) < 0)?.[0] ?? BREEDS[0]![0];
    const round = Math.floor(index / names.length);
    return {
      index,
      tag: String(1001 + index),
      // An ISO 11784 EID as printed on German ear tags: country 276, then a national number.
      official_id: `276${String(farm).padStart(6, '0')}${String(index + 1).padStart(6, '0')}`,
      name: names[index % names.length]! + (round ? ` ${round + 1}` : ''),
      sex: 'female',
      birth_date: isoDate(now - ageYears * 365.25 * DAY),
      breed,
      group,
      category,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Nodes

export type Metric = 'temperature' | 'activity' | 'rumination';
export type SimNodeKind = 'collar' | 'bolus';

export interface SimNode {
  name: string;
  kind: SimNodeKind;
  cow: number;
  tag: string;
  metrics: readonly Metric[];
}

export const NODE_METRICS: Record<SimNodeKind, readonly Metric[]> = {
  collar: ['activity', 'rumination'],
  bolus: ['temperature'],
};

/** Each cow wears a collar (activity, rumination) and has a rumen bolus (temperature). */
export function nodesForHerd(herd: readonly HerdCow[]): SimNode[] {
  return herd.flatMap((cow) =>
    (['collar', 'bolus'] as const).map((kind) => ({ name: `${kind}-${cow.tag}`, kind, cow: cow.index, tag: cow.tag, metrics: NODE_METRICS[kind] })),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Per-cow physiology

export interface CowParams {
  tempBase: number;
  tempAmp: number;
  tempPeakHour: number;
  activityLevel: number;
  milkingPeakGain: number;
  milkingHours: number[];
  feedingHours: number[];
  ruminationBase: number;
  ruminationAmp: number;
  drinkingBouts: [min: number, max: number];
  dipScale: number;
}

/** Lactating pens are milked one after the other: the first at 05:00 and 16:00, the next 45 minutes later, … */
function milkingSlots(herd: readonly HerdCow[]): Map<string, number> {
  const lactating = [...new Set(herd.filter((c) => c.category === 'lactating').map((c) => c.group))].sort();
  return new Map(lactating.map((g, i) => [g, i]));
}

export function cowParams(seed: number, cow: HerdCow, milkingSlot: number | undefined): CowParams {
  const rng = createRng(hash32(seed, cow.index, 0xc0));
  const queue = rng.range(-0.25, 0.25); // where in the parlour queue she usually walks
  const slot = (milkingSlot ?? 0) * 0.75;
  const milked = cow.category === 'lactating' && milkingSlot !== undefined;
  return {
    tempBase: rng.range(38.5, 39.2),
    tempAmp: rng.range(0.3, 0.5),
    tempPeakHour: rng.range(16.5, 18.5),
    activityLevel: rng.range(90, 170) * (cow.category === 'heifer' ? 1.15 : 1),
    milkingPeakGain: rng.range(0.8, 1.25),
    milkingHours: milked ? [5 + slot + queue, 16 + slot + queue] : [],
    feedingHours: [7 + slot + rng.range(-0.2, 0.2), 18 + slot + rng.range(-0.2, 0.2)],
    ruminationBase: rng.range(22, 32),
    ruminationAmp: rng.range(0.18, 0.3),
    drinkingBouts: cow.category === 'lactating' ? [5, 8] : [3, 6],
    dipScale: rng.range(0.8, 1.15),
  };
}

/** Activity relative to the cow's level by hour of the day: quiet nights, walks to milking, bursts at feeding. */
function activityRhythm(hour: number, p: CowParams): number {
  const daylight = 1 / (1 + Math.exp(-(hour - 5.5) / 0.5)) / (1 + Math.exp((hour - 21.5) / 0.7));
  let r = 0.35 + 0.75 * daylight;
  for (const m of p.milkingHours) r += 1.4 * p.milkingPeakGain * bump(hour, m, 0.45);
  for (const f of p.feedingHours) r += 0.7 * bump(hour, f, 0.7);
  return r;
}

/** Rumination relative to the cow's base: most at night, least while she eats or walks to milking. */
function ruminationRhythm(hour: number, p: CowParams): number {
  let r = 1 + p.ruminationAmp * Math.cos((2 * Math.PI * (hour - 1.5)) / 24);
  for (const f of p.feedingHours) r -= 0.35 * bump(hour, f, 1.0);
  for (const m of p.milkingHours) r -= 0.25 * bump(hour, m, 0.5);
  return Math.max(0.05, r);
}

interface DrinkingBout {
  /** Local wall-clock milliseconds. */
  at: number;
  drop: number;
  tau: number;
}

function drinkingBouts(seed: number, cow: number, p: CowParams, day: number): DrinkingBout[] {
  const rng = createRng(hash32(seed, cow, day, 0xd41c));
  const hours: number[] = [];
  for (const m of p.milkingHours) if (rng.chance(0.85)) hours.push(m + rng.range(0.2, 0.9)); // the trough by the parlour exit
  const n = rng.int(p.drinkingBouts[0], p.drinkingBouts[1]);
  while (hours.length < n) hours.push(rng.range(6, 22));
  if (rng.chance(0.3)) hours.push(rng.range(0, 5));
  return hours.map((h) => ({
    at: day * DAY + h * HOUR,
    // Cold water: 2–8 °C, mostly the smaller drops; recovers to within 5 % in 1–2 h.
    drop: Math.min(8, (2 + 6 * rng.next() ** 1.6) * p.dipScale),
    tau: rng.range(20, 40) * MINUTE,
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Injected events

export type EventKind = 'heat' | 'fever' | 'calving' | 'silent_node';
export const EVENT_KINDS: readonly EventKind[] = ['heat', 'fever', 'calving', 'silent_node'];

/**
 * One injected event: exactly the ground-truth line (times as epoch milliseconds here, ISO in the file).
 * `onset` is when the data starts to deviate (for a calving the start of the pre-calving signs;
 * details.calving_at is the birth itself); `end` is when it is back to normal (absent: the rest of the run).
 */
export interface SimEvent {
  kind: EventKind;
  cow: number;
  animal: string;
  node?: string;
  onset: number;
  end?: number;
  details: Record<string, number | string | boolean>;
}

export interface GroundTruthLine {
  kind: EventKind;
  animal: string;
  node?: string;
  onset: string;
  end?: string;
  details: Record<string, number | string | boolean>;
}

export function toGroundTruth(e: SimEvent): GroundTruthLine {
  return {
    kind: e.kind,
    animal: e.animal,
    ...(e.node !== undefined ? { node: e.node } : {}),
    onset: new Date(e.onset).toISOString(),
    ...(e.end !== undefined ? { end: new Date(e.end).toISOString() } : {}),
    details: e.details,
  };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const iso = (t: number) => new Date(t).toISOString();

export interface ScheduleOptions {
  seed: number;
  herd: readonly HerdCow[];
  /** The stretch of time to place events in: [start, end). */
  start: number;
  end: number;
  kinds: readonly EventKind[];
  /** Events already scheduled (earlier windows): new ones do not overlap them for the same cow. */
  existing?: readonly SimEvent[];
}

const overlaps = (a: { onset: number; end?: number }, onset: number, end: number) => a.onset < end && (a.end ?? Infinity) > onset;

/** Cows whose oestrous cycle runs: open lactating cows and most heifers (the rest are pregnant). */
export function isCycling(seed: number, cow: HerdCow): boolean {
  if (cow.category === 'dry') return false;
  return unitHash(seed, cow.index, 0xc1c) < (cow.category === 'heifer' ? 0.85 : 0.55);
}

/** A cycling cow's oestrous cycle: 19.5–22.5 days, its phase anchored to the epoch. */
function heatCycle(seed: number, cow: HerdCow): { cycle: number; phase: number } {
  const cycle = (19.5 + 3 * unitHash(seed, cow.index, 0xcc)) * DAY;
  return { cycle, phase: unitHash(seed, cow.index, 0xcf) * cycle };
}

/** The k-th heat of a cycling cow, anchored to the epoch so that any window finds the same heats. */
function heatOf(seed: number, cow: HerdCow, k: number): SimEvent {
  const { cycle, phase } = heatCycle(seed, cow);
  const onset = Math.round((phase + k * cycle + (unitHash(seed, cow.index, k, 0x1) - 0.5) * 1.5 * DAY) / MINUTE) * MINUTE;
  const hours = 8 + 8 * unitHash(seed, cow.index, k, 0x2);
  const end = onset + Math.round(hours * 60) * MINUTE;
  return {
    kind: 'heat',
    cow: cow.index,
    animal: cow.tag,
    onset,
    end,
    details: {
      peak: iso((onset + end) / 2),
      duration_h: round(hours, 1),
      activity_factor: round(2.4 + 1.6 * unitHash(seed, cow.index, k, 0x3), 2),
      rumination_drop: round(0.1 + 0.15 * unitHash(seed, cow.index, k, 0x4), 2),
      cycle_days: round(cycle / DAY, 1),
    },
  };
}

/**
 * Places events in [start, end) at realistic rates: heats every ~21 days for cycling cows; fevers ~6 % of
 * cows a month; calvings of dry cows within ~60 days; one silent node per window. A window of two days or
 * more gets at least one fever and one calving (if there are dry cows), so short runs still show every kind.
 */
export function generateEvents({ seed, herd, start, end, kinds, existing = [] }: ScheduleOptions): SimEvent[] {
  const out: SimEvent[] = [];
  const length = end - start;
  if (length <= 0 || herd.length === 0) return out;
  const rng = createRng(hash32(seed, Math.floor(start / MINUTE), Math.floor(end / MINUTE), 0xe7, ...kinds.map((k) => EVENT_KINDS.indexOf(k))));
  const all = () => [...existing, ...out];
  const busy = (cow: number, onset: number, until: number, margin = 12 * HOUR) =>
    all().some((e) => e.cow === cow && e.kind !== 'silent_node' && overlaps(e, onset - margin, until + margin));

  if (kinds.includes('calving')) {
    const calved = new Set(all().filter((e) => e.kind === 'calving').map((e) => e.cow));
    const candidates = herd.filter((c) => c.category === 'dry' && !calved.has(c.index));
    const chosen = candidates.filter(() => rng.chance(Math.min(1, length / (60 * DAY))));
    if (chosen.length === 0 && candidates.length && length >= 2 * DAY) chosen.push(rng.pick(candidates));
    for (const cow of chosen) {
      const lead = Math.min(36 * HOUR, length / 2);
      const calvingAt = Math.round(rng.range(start + lead, end - HOUR) / MINUTE) * MINUTE;
      const onset = calvingAt - 30 * HOUR;
      out.push({
        kind: 'calving',
        cow: cow.index,
        animal: cow.tag,
        onset,
        end: calvingAt + 24 * HOUR,
        details: {
          calving_at: iso(calvingAt),
          due_date: isoDate(calvingAt + Math.round(rng.gauss() * 3) * DAY),
          temperature_drop_c: round(rng.range(0.35, 0.6), 2),
          restlessness_factor: round(rng.range(1.6, 2.2), 2),
          rumination_drop: round(rng.range(0.35, 0.6), 2),
        },
      });
    }
  }

  if (kinds.includes('heat')) {
    for (const cow of herd) {
      if (!isCycling(seed, cow)) continue;
      const { cycle, phase } = heatCycle(seed, cow);
      for (let k = Math.floor((start - phase) / cycle) - 1; k <= Math.ceil((end - phase) / cycle) + 1; k++) {
        const heat = heatOf(seed, cow, k);
        if (heat.onset < start || heat.onset >= end) continue;
        if (busy(cow.index, heat.onset, heat.end!, 0)) continue;
        out.push(heat);
      }
    }
  }

  if (kinds.includes('fever') && length >= HOUR) {
    let count = rng.poisson((herd.length * length * 0.06) / (30 * DAY));
    if (count === 0 && length >= 2 * DAY) count = 1;
    for (let i = 0; i < count; i++) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const cow = rng.pick(herd);
        const hours = rng.range(24, 72);
        const onset = Math.round(rng.range(start, end - Math.min(length / 4, DAY)) / MINUTE) * MINUTE;
        const until = onset + Math.round(hours * 60) * MINUTE;
        if (busy(cow.index, onset, until)) continue;
        out.push({
          kind: 'fever',
          cow: cow.index,
          animal: cow.tag,
          onset,
          end: until,
          details: {
            duration_h: round(hours, 1),
            temperature_rise_c: round(rng.range(1.0, 1.8), 2),
            rise_h: round(rng.range(4, 10), 1),
            fall_h: round(rng.range(8, 16), 1),
            rumination_drop: round(rng.range(0.2, 0.4), 2),
            activity_drop: round(rng.range(0.15, 0.35), 2),
          },
        });
        break;
      }
    }
  }

  if (kinds.includes('silent_node') && length >= 2 * HOUR) {
    const cow = rng.pick(herd);
    const kind = rng.pick(['collar', 'bolus'] as const);
    const onset = Math.round(rng.range(start + 0.1 * length, end - 0.1 * length) / MINUTE) * MINUTE;
    const hours = rng.range(2, 12);
    const resumes = rng.chance(0.5);
    out.push({
      kind: 'silent_node',
      cow: cow.index,
      animal: cow.tag,
      node: `${kind}-${cow.tag}`,
      onset,
      ...(resumes ? { end: onset + Math.round(hours * 60) * MINUTE } : {}),
      details: { node_kind: kind, ...(resumes ? { silent_h: round(hours, 1) } : { rest_of_run: true }) },
    });
  }
  return out.sort((a, b) => a.onset - b.onset || a.cow - b.cow);
}

// ---------------------------------------------------------------------------------------------------------
// The readings

export interface Effects {
  temperature: number;
  activity: number;
  rumination: number;
}

type Effect = (t: number, into: Effects) => void;

const num = (v: number | string | boolean | undefined, fallback: number) => (typeof v === 'number' ? v : fallback);

function compileEffect(e: SimEvent): Effect | undefined {
  const d = e.details;
  if (e.kind === 'heat') {
    const end = e.end!;
    const ramp = 0.35 * (end - e.onset);
    const factor = num(d.activity_factor, 3);
    const rumDrop = num(d.rumination_drop, 0.15);
    return (t, into) => {
      const s = plateau(t, e.onset, end, ramp, ramp);
      if (s === 0) return;
      into.activity *= 1 + (factor - 1) * s;
      into.rumination *= 1 - rumDrop * s;
    };
  }
  if (e.kind === 'fever') {
    const end = e.end!;
    const half = (end - e.onset) / 2;
    const rise = Math.min(num(d.rise_h, 6) * HOUR, half);
    const fall = Math.min(num(d.fall_h, 12) * HOUR, half);
    const delta = num(d.temperature_rise_c, 1.4);
    const rumDrop = num(d.rumination_drop, 0.3);
    const actDrop = num(d.activity_drop, 0.25);
    return (t, into) => {
      const s = plateau(t, e.onset, end, rise, fall);
      if (s === 0) return;
      into.temperature += delta * s;
      into.rumination *= 1 - rumDrop * s;
      into.activity *= 1 - actDrop * s;
    };
  }
  if (e.kind === 'calving') {
    const at = Date.parse(String(d.calving_at));
    const drop = num(d.temperature_drop_c, 0.45);
    const restless = num(d.restlessness_factor, 1.8);
    const rumDrop = num(d.rumination_drop, 0.5);
    return (t, into) => {
      if (t < e.onset || t >= at + 24 * HOUR) return;
      // Progesterone falls: body temperature sinks over ~10 h, stays low until the birth, recovers within 12 h.
      const temp = t < at ? smoothstep((t - (at - 30 * HOUR)) / (10 * HOUR)) : 1 - smoothstep((t - at) / (12 * HOUR));
      into.temperature -= drop * temp;
      // Restless in the last hours (up, down, walking), quiet for some hours after.
      if (t < at) into.activity *= 1 + (restless - 1) * smoothstep((t - (at - 8 * HOUR)) / (6 * HOUR));
      else into.activity *= 1 - 0.3 * (1 - smoothstep((t - at) / (18 * HOUR)));
      // Rumination falls from a day before and recovers over the day after.
      const rum = t < at ? smoothstep((t - (at - 24 * HOUR)) / (22 * HOUR)) : 1 - smoothstep((t - at - 2 * HOUR) / (22 * HOUR));
      into.rumination *= 1 - rumDrop * rum;
    };
  }
  return undefined;
}

export interface Reading {
  metric: Metric;
  ts: number;
  value: number;
}

export interface HerdModel {
  readonly herd: readonly HerdCow[];
  readonly params: readonly CowParams[];
  /** The cow's reading of `metric` at `t`; `withEvents: false` gives her undisturbed baseline (same noise). */
  value(cow: number, metric: Metric, t: number, withEvents?: boolean): number;
  /** Whether the node has gone quiet at `t` (an injected silent_node event). */
  isSilent(nodeName: string, t: number): boolean;
  /** The node's readings at each multiple of `step` in [from, to], leaving out the times it is silent. */
  nodeReadings(node: SimNode, from: number, to: number, step: number): Reading[];
}

export interface ModelOptions {
  seed: number;
  herd: readonly HerdCow[];
  events?: readonly SimEvent[];
  /** The farm's time zone: daily rhythms follow its wall clock. */
  timeZone?: string;
}

const METRIC_SALT: Record<Metric, number> = { temperature: 0x71, activity: 0xac, rumination: 0x70 };

export function createHerdModel({ seed, herd, events = [], timeZone = 'UTC' }: ModelOptions): HerdModel {
  const slots = milkingSlots(herd);
  const params = herd.map((cow) => cowParams(seed, cow, slots.get(cow.group)));
  const offset = localOffsetFor(timeZone);
  const effects = herd.map(() => [] as Effect[]);
  const silences = new Map<string, { onset: number; end: number }[]>();
  for (const e of events) {
    if (e.kind === 'silent_node') {
      if (!e.node) continue;
      const list = silences.get(e.node) ?? [];
      list.push({ onset: e.onset, end: e.end ?? Infinity });
      silences.set(e.node, list);
      continue;
    }
    const effect = compileEffect(e);
    if (effect && effects[e.cow]) effects[e.cow]!.push(effect);
  }

  const bouts = new Map<number, DrinkingBout[]>();
  const boutsOf = (cow: number, day: number) => {
    const key = cow * 1_000_000 + day;
    let list = bouts.get(key);
    if (!list) {
      if (bouts.size > 100_000) bouts.clear();
      list = drinkingBouts(seed, cow, params[cow]!, day);
      bouts.set(key, list);
    }
    return list;
  };

  /** Slow, smooth wander: normal noise at each multiple of `period`, interpolated between them. */
  const wander = (cow: number, salt: number, t: number, period: number) => {
    const k = Math.floor(t / period);
    const f = smoothstep(t / period - k);
    return gaussHash(seed, cow, salt, k) * (1 - f) + gaussHash(seed, cow, salt, k + 1) * f;
  };

  function value(cow: number, metric: Metric, t: number, withEvents = true): number {
    const p = params[cow];
    if (!p) throw new RangeError(`no cow ${cow} in the herd`);
    const local = t + offset(t);
    const hour = (((local % DAY) + DAY) % DAY) / HOUR;
    const minute = Math.floor(t / MINUTE);
    const salt = METRIC_SALT[metric];
    const fx: Effects = { temperature: 0, activity: 1, rumination: 1 };
    if (withEvents) for (const effect of effects[cow]!) effect(t, fx);

    if (metric === 'temperature') {
      let v = p.tempBase + p.tempAmp * Math.cos((2 * Math.PI * (hour - p.tempPeakHour)) / 24);
      v += 0.07 * wander(cow, salt, t, DAY) + 0.03 * wander(cow, salt + 1, t, 2 * HOUR) + 0.03 * gaussHash(seed, cow, salt, minute);
      v += fx.temperature;
      const day = Math.floor(local / DAY);
      let dip = 0;
      for (const d of [day - 1, day]) {
        for (const b of boutsOf(cow, d)) {
          const since = local - b.at;
          if (since >= 0 && since < 8 * b.tau) dip += b.drop * Math.exp(-since / b.tau);
        }
      }
      v -= Math.min(dip, 8.5);
      return round(Math.min(44.5, Math.max(30.5, v)), 2);
    }
    if (metric === 'activity') {
      const noise = Math.exp(Math.max(-0.6, Math.min(0.6, 0.18 * gaussHash(seed, cow, salt, minute) + 0.1 * wander(cow, salt, t, 3 * HOUR))));
      const v = p.activityLevel * activityRhythm(hour, p) * noise * fx.activity;
      return Math.round(Math.min(19_000, Math.max(0, v)));
    }
    const v = p.ruminationBase * ruminationRhythm(hour, p) * fx.rumination + 3.5 * gaussHash(seed, cow, salt, minute) + 2 * wander(cow, salt, t, 4 * HOUR);
    return round(Math.min(60, Math.max(0, v)), 1);
  }

  function isSilent(nodeName: string, t: number): boolean {
    const list = silences.get(nodeName);
    return !!list && list.some((s) => t >= s.onset && t < s.end);
  }

  function nodeReadings(node: SimNode, from: number, to: number, step: number): Reading[] {
    const out: Reading[] = [];
    for (let ts = alignUp(from, step); ts <= to; ts += step) {
      if (isSilent(node.name, ts)) continue;
      for (const metric of node.metrics) out.push({ metric, ts, value: value(node.cow, metric, ts) });
    }
    return out;
  }

  return { herd, params, value, isSilent, nodeReadings };
}

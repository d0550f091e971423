/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) with the helpers the
 * renderer needs. Integer arithmetic only, so every JS engine draws the same
 * sequence for the same seed.
 */

/** A deterministic random source. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  range(min: number, max: number): number;
  /** Integer uniform in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** Standard normal (Box–Muller through the deterministic log/cos in det-math). */
  normal(): number;
  /** Approximately normal (sum of the 4 bytes of one draw, scaled to unit variance): cheap, for pixel noise. */
  roughNormal(): number;
  /** A child source whose sequence depends only on this one's next draw. */
  fork(): Random;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A random source for `seed` (any finite number; non-integers and negatives are folded into 32 bits).
 */
export function createRandom(seed: number): Random {
  const init = splitmix32(Math.floor(seed) ^ Math.floor(seed / 4294967296));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint();
  let spare: number | undefined;
  const random: Random = {
    next: () => nextUint() / 4294967296,
    range: (min, max) => min + (max - min) * random.next(),
    int: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
    chance: (p) => random.next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(random.next() * items.length)];
      if (item === undefined) throw new RangeError('pick() needs a non-empty list.');
      return item;
    },
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      const u = 1 - random.next();
      const v = random.next();
      const r = Math.sqrt(-2 * detLog(u));
      spare = r * detSin(2 * Math.PI * v);
      return r * detCos(2 * Math.PI * v);
    },
    roughNormal: () => {
      const u = nextUint();
      return ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) / 147.80054127;
    },
    fork: () => createRandom(nextUint()),
  };
  return random;
}

/** Shuffles `values` in place (Fisher–Yates, drawing from `random`) and returns them. */
export function shuffle<T>(random: Random, values: T[]): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const held = values[i] as T;
    values[i] = values[j] as T;
    values[j] = held;
  }
  return values;
}

/** 0 … count − 1 in a random order. */
export function shuffledIndices(random: Random, count: number): number[] {
  return shuffle(
    random,
    Array.from({ length: count }, (_, i) => i),
  );
}

// --- deterministic elementary functions -------------------------------------
// Math.exp/log/sin/pow are not required to be correctly rounded, and engines
// differ in the last bit; the renderer promises the same bytes in Node and in
// every browser, so it uses these (only +, −, ×, ÷, sqrt, floor: exact in IEEE 754).

const LN2 = 0.6931471805599453;

/** e^x from a range reduction to |r| ≤ ln2/2 and a Taylor series. */
export function detExp(x: number): number {
  if (x > 700) return Infinity;
  if (x < -700) return 0;
  const k = Math.floor(x / LN2 + 0.5);
  const r = x - k * LN2;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 18; i++) {
    term = (term * r) / i;
    sum += term;
  }
  let scale = 1;
  const base = k >= 0 ? 2 : 0.5;
  for (let i = 0; i < Math.abs(k); i++) scale *= base;
  return sum * scale;
}

/** ln x (x > 0) from a reduction to m ∈ [0.75, 1.5) and the atanh series. */
export function detLog(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  let m = x;
  let e = 0;
  while (m >= 1.5) {
    m /= 2;
    e++;
  }
  while (m < 0.75) {
    m *= 2;
    e--;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = 0;
  for (let i = 1; i < 80; i += 2) {
    const add = term / i;
    sum += add;
    if (add < 1e-18 && add > -1e-18) break;
    term *= s2;
  }
  return 2 * sum + e * LN2;
}

/** a^b for a > 0. */
export function detPow(a: number, b: number): number {
  if (a === 0) return 0;
  return detExp(b * detLog(a));
}

/** sin x from a reduction to [−π, π] and a Taylor series. */
export function detSin(x: number): number {
  const twoPi = 2 * Math.PI;
  let r = x - twoPi * Math.floor(x / twoPi + 0.5);
  let sign = 1;
  if (r > Math.PI / 2) r = Math.PI - r;
  else if (r < -Math.PI / 2) r = -Math.PI - r;
  if (r < 0) {
    r = -r;
    sign = -1;
  }
  const r2 = r * r;
  let term = r;
  let sum = r;
  for (let i = 1; i < 12; i++) {
    term = (-term * r2) / (2 * i * (2 * i + 1));
    sum += term;
  }
  return sign * sum;
}

/** cos x. */
export function detCos(x: number): number {
  return detSin(x + Math.PI / 2);
}

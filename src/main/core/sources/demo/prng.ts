// Deterministic randomness for the demo fleet.
//
// Two kinds are needed: a sequential PRNG for one-off setup (archetype shuffles, static
// per-GPU quirks) and a stateless hash for time-indexed noise, so the value of any field at any
// collect tick is a pure function of (seed, GPU, channel, tick) and never depends on how often
// or in what order the exporter was scraped.

/** mulberry32: tiny, fast, good enough statistical quality for a simulation. */
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

/** 32-bit finaliser (lowbias32); spreads every input bit over the output. */
function mix32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over a string, for folding host names into seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Combine integers into one 32-bit hash. Accepts values beyond 2^32 (tick numbers). */
export function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    h = mix32(h ^ lo);
    h = mix32(h ^ hi ^ 0x85ebca6b);
  }
  return h;
}

/** Uniform [0, 1) from a hash of the parts. */
export function unit(...parts: number[]): number {
  return hash(...parts) / 4294967296;
}

/**
 * Smooth value noise in [0, 1): random values at knots every `periodSec` seconds, cosine
 * interpolated between them. Gives slow wander (a job's load drifting) without any state.
 */
export function smoothNoise(key: number, channel: number, tSec: number, periodSec: number): number {
  const x = tSec / periodSec;
  const k = Math.floor(x);
  const f = x - k;
  const a = unit(key, channel, k);
  const b = unit(key, channel, k + 1);
  const w = (1 - Math.cos(f * Math.PI)) / 2;
  return a + (b - a) * w;
}

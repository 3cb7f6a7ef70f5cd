/**
 * Reproducible randomness for simulations and tests that must replay: the
 * same seed gives the same sequence on any runtime. Not for secrets.
 *
 * @module
 */

/**
 * A small deterministic PRNG (mulberry32) giving numbers in [0, 1): the
 * same seed gives the same sequence, on any runtime. Not for secrets.
 *
 * @example
 * ```ts
 * const r = seededRandom(42);
 * r(); // always the same first number for seed 42
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

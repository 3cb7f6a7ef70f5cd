/**
 * Jittered exponential backoff for redials: the first delay, doubled after
 * each use up to a cap, each one scaled by a random factor in
 * [1 − jitter, 1 + jitter] so that many clients cut off at once do not
 * come back at once. Pure: randomness is injected.
 *
 * @module
 */

/**
 * How a {@linkcode Backoff} grows: first delay, cap (both ms), jitter as a
 * fraction, and a random source in [0, 1).
 *
 * @example
 * ```ts
 * const o: BackoffOptions = { firstMs: 500, maxMs: 30_000, jitter: 0.2, random: Math.random };
 * ```
 */
export interface BackoffOptions {
  firstMs: number;
  maxMs: number;
  jitter: number;
  random: () => number;
}

/**
 * The delays before successive redials.
 *
 * @example
 * ```ts
 * const b = new Backoff({ firstMs: 500, maxMs: 30_000, jitter: 0.2, random: () => 0.5 });
 * b.next(); // 500
 * b.next(); // 1000
 * b.reset();
 * b.next(); // 500
 * ```
 */
export class Backoff {
  readonly #o: BackoffOptions;
  #base: number;

  constructor(options: BackoffOptions) {
    this.#o = options;
    this.#base = options.firstMs;
  }

  /** The next delay in ms, jittered; the one after it is twice as long, up to the cap. */
  next(): number {
    const { maxMs, jitter, random } = this.#o;
    const delay = Math.min(this.#base, maxMs) * (1 + jitter * (2 * random() - 1));
    this.#base = Math.min(this.#base * 2, maxMs);
    return delay;
  }

  /** Start again from the first delay (the connection held). */
  reset(): void {
    this.#base = this.#o.firstMs;
  }
}

/**
 * Calls that may fail only in the ways a parser is allowed to: a property
 * checks the value or the error it got, and anything else fails it.
 *
 * @module
 */

/**
 * Calls `f`; returns the error it threw if it is one of `allowed`, and
 * rethrows anything else (which fails the property).
 *
 * @example
 * ```ts
 * const cfg = outcome(() => parseOptions(argv, ARGS), UsageError);
 * if (cfg instanceof UsageError) expect(cfg.message).not.toContain("\n");
 * ```
 */
export function outcome<T, C extends Array<new (...a: never[]) => Error>>(
  f: () => T,
  ...allowed: C
): T | InstanceType<C[number]> {
  try {
    return f();
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return err as InstanceType<C[number]>;
    throw err;
  }
}

/**
 * Waiting: a promise that resolves after a delay, and a deadline for any
 * promise. Neither leaves a timer behind that would keep the process alive.
 *
 * @module
 */

/**
 * The value {@linkcode withTimeout} resolves to when time ran out first; a
 * symbol, so it can never be confused with a value the promise produced.
 *
 * @example
 * ```ts
 * if ((await withTimeout(reply, 5000)) === TIMED_OUT) return EX.TEMPFAIL;
 * ```
 */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Resolve after `ms` milliseconds.
 *
 * @example
 * ```ts
 * await sleep(500); // reconnect back-off
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Settle like `promise`, or resolve to {@linkcode TIMED_OUT} if it has not
 * settled within `ms` milliseconds. The timer is cleared as soon as either
 * happens, so a settled race never holds the process open. A rejection of
 * `promise` within the time passes through; when time runs out first,
 * `promise` keeps running and its outcome, even a rejection, is dropped.
 *
 * @example
 * ```ts
 * const line = await withTimeout(reader.until(LF, 512), 2000);
 * if (line === TIMED_OUT) socket.destroy();
 * ```
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

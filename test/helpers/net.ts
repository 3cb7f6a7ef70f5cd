/** Waiting for conditions and servers, and finding free ports, for tests. */
import { createConnection } from "node:net";
import { existsSync } from "node:fs";

export { freePort } from "../../lib/net/stream-sockets.ts";

/** How often {@link waitFor} re-checks a condition nothing signals. */
const POLL_MS = 10;

/**
 * Something that can make a condition true: {@link waitFor} re-checks at
 * once when it is notified, instead of on the next poll.
 */
export class Signal {
  readonly #waiters = new Set<() => void>();

  notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves at the next {@link notify}, or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
    });
  }
}

/** Options for {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this many ms (default 10 s: plenty on a loaded machine, and success returns at once). */
  timeout?: number;
  /** Re-check whenever this is notified (the condition is polled as well). */
  wake?: Signal;
  /** What there is instead, for the timeout message. */
  state?: () => string;
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Resolve with the first truthy value `check` returns, checked at once,
 * then every few ms; reject after the timeout, naming `what` was awaited.
 * The one way tests wait: for a condition, never for a fixed time.
 *
 * @example
 * ```ts
 * await waitFor("the socket", () => existsSync(path));
 * const pid = await waitFor("the pid file", () => readFileSync(pidFile, "utf8").trim());
 * ```
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  options: number | WaitOptions = {},
): Promise<Truthy<T>> {
  const { timeout = 10_000, wake, state } = typeof options === "number" ? { timeout: options } : options;
  const until = performance.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    const left = until - performance.now();
    if (left <= 0) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${state ? `; have ${state()}` : ""}`);
    }
    await (wake ? wake.next(Math.min(POLL_MS, left)) : new Promise((r) => setTimeout(r, Math.min(POLL_MS, left))));
  }
}

/** Whether a UNIX socket accepts connections. */
export function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ path });
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

/** Wait until a UNIX socket exists and accepts a connection. */
export function waitForSocket(path: string, timeout = 10_000): Promise<true> {
  return waitFor(`socket ${path}`, async () => existsSync(path) && (await socketAccepts(path)), timeout);
}

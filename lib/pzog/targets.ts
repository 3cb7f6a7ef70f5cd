/**
 * psprog's choice of entry node for each message (§7): a uniformly random
 * member, ring order, or one fixed host; when connecting fails before
 * anything was written, which candidates to try next; and the reason a
 * `down` record gives.
 *
 * @module
 */

/** How psprog picks entry nodes. */
export type Strategy = "random" | "round-robin" | "specific";

/**
 * Candidate order for each message: the first is the chosen entry node,
 * the rest are fallbacks (none for a specific host).
 *
 * @example
 * ```ts
 * const t = new TargetPicker("round-robin", 5, Math.random);
 * t.next(); // [0, 1, 2, 3, 4]
 * t.next(); // [1, 2, 3, 4, 0]
 * ```
 */
export class TargetPicker {
  readonly #strategy: Strategy;
  readonly #count: number;
  readonly #random: () => number;
  #cursor = 0;

  constructor(strategy: Strategy, count: number, random: () => number) {
    this.#strategy = strategy;
    this.#count = count;
    this.#random = random;
  }

  /** Candidate indexes for the next message. */
  next(): number[] {
    if (this.#strategy === "specific") return [0];
    if (this.#strategy === "round-robin") {
      const first = this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#count;
      return Array.from({ length: this.#count }, (_, k) => (first + k) % this.#count);
    }
    const first = Math.floor(this.#random() * this.#count);
    const rest = Array.from({ length: this.#count }, (_, i) => i).filter((i) => i !== first);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    return [first, ...rest];
  }
}

/**
 * Why psprog could not connect to a member, as its `down` record says:
 * the connection was refused (nothing listens), timed out (`--timeout`),
 * the host or network is unreachable, the name did not resolve, the
 * connection was reset while opening, or another error.
 *
 * @example
 * ```ts
 * const why: DownCause = "refused";
 * ```
 */
export type DownCause = "refused" | "timeout" | "unreachable" | "unresolved" | "reset" | "error";

const CAUSES: ReadonlyMap<string, DownCause> = new Map([
  ["ECONNREFUSED", "refused"],
  ["ETIMEDOUT", "timeout"],
  ["EHOSTUNREACH", "unreachable"],
  ["ENETUNREACH", "unreachable"],
  ["EHOSTDOWN", "unreachable"],
  ["ENETDOWN", "unreachable"],
  ["EADDRNOTAVAIL", "unreachable"],
  ["ENOTFOUND", "unresolved"],
  ["EAI_AGAIN", "unresolved"],
  ["EAI_FAIL", "unresolved"],
  ["EAI_NONAME", "unresolved"],
  ["EAI_NODATA", "unresolved"],
  ["ECONNRESET", "reset"],
  ["ECONNABORTED", "reset"],
  ["EPIPE", "reset"],
]);

/**
 * The `down` cause for a failed connection's errno code.
 *
 * @example
 * ```ts
 * downCause("ECONNREFUSED"); // "refused"
 * downCause("EHOSTUNREACH"); // "unreachable"
 * downCause(undefined);      // "error"
 * ```
 */
export function downCause(code: string | undefined): DownCause {
  return (code !== undefined && CAUSES.get(code)) || "error";
}

/**
 * The forwarding planner (§5.1, §5.6): which peers a line goes to next,
 * and with which wrap. Every step counts from the receiver, because the
 * wire does not say who sent a line (§5.2 explains why v0.2 failed).
 *
 * @module
 */
import type { Mode, Wrap } from "./codec.ts";

/**
 * One copy to enqueue: for ring member `target`, with wrap digit `wrap`.
 *
 * @example
 * ```ts
 * const f: Forward = { target: 3, wrap: 2 };
 * ```
 */
export interface Forward {
  target: number;
  wrap: Wrap;
}

/** Member `i` of a ring of `n`, counting round. */
const at = (i: number, n: number) => ((i % n) + n) % n;

/**
 * The forwards for a line arriving at node `self`:
 *
 * | line | forwards |
 * |---|---|
 * | client data | (self+1, 2), (self+2, 2) |
 * | peer, wrap 2 | (self+2, 0) |
 * | peer, wrap 1 | (self+1, 0) |
 * | peer, wrap 0 | none |
 *
 * In 0.3 a client line bypasses a first-hop target t whose link is down
 * (`linkUp[t]` false): t gets (t, 0), to log on return without
 * forwarding, and its leaf gets (t+2, 0) now. 0.2.2 never bypasses. `wrap`
 * is ignored for client lines and `linkUp` for peer lines, whose copies
 * simply wait in the queue of a down target (§5.6: only the entry node
 * bypasses, only on its first hop). `linkUp` has one entry per member: its
 * length is the ring's size.
 *
 * @example
 * ```ts
 * plan("0.3", "client", 2, 2, [true, true, true, true, true]); // [{ target: 3, wrap: 2 }, { target: 4, wrap: 2 }]
 * plan("0.3", "client", 2, 2, [true, true, true, false, true]);
 * // [{ target: 3, wrap: 0 }, { target: 0, wrap: 0 }, { target: 4, wrap: 2 }]
 * plan("0.2.2", "peer", 2, 3, [true, true, true, true, true]); // [{ target: 0, wrap: 0 }]
 * ```
 */
export function plan(
  mode: Mode,
  source: "client" | "peer",
  wrap: Wrap,
  self: number,
  linkUp: readonly boolean[],
): Forward[] {
  const n = linkUp.length;
  if (source === "client") {
    const out: Forward[] = [];
    for (const t of [at(self + 1, n), at(self + 2, n)]) {
      if (mode === "0.3" && !linkUp[t]) out.push({ target: t, wrap: 0 }, bypassFor(t, n));
      else out.push({ target: t, wrap: 2 });
    }
    return out;
  }
  if (wrap === 2) return [{ target: at(self + 2, n), wrap: 0 }];
  if (wrap === 1) return [{ target: at(self + 1, n), wrap: 0 }];
  return [];
}

/**
 * The extra copy an entry node sends when its link to first-hop target
 * `t` in a ring of `n` goes from up to down (0.3): t's leaf, t+2, with
 * wrap 0, for each queued wrap-2 line the node rewrites to wrap 0 for t.
 *
 * @example
 * ```ts
 * bypassFor(3, 5); // { target: 0, wrap: 0 }
 * ```
 */
export function bypassFor(t: number, n: number): Forward {
  return { target: at(t + 2, n), wrap: 0 };
}

/**
 * The `stop` record, the last line a node writes to error.log however it
 * ends: its name, why it ended, the exit status, the lines it leaves queued
 * for each peer (resent at the next start), and for a failure the message
 * it printed on stderr.
 *
 * ```
 * stop lg sigterm status=0 undelivered la=0 test=0 sm=0 g=0
 * stop lg bind status=71 undelivered la=0 test=0 sm=3 g=0 "bind: 127.0.0.3:55551: Address already in use"
 * ```
 *
 * @module
 */
import { escapeBytes } from "./escape.ts";

/**
 * Why a node ended: a signal (a normal stop, status 0), a listener that
 * could not bind (71), its configuration (78), a log or spool file it could
 * not open (73), a write that failed while running (70), or any other
 * internal error (70).
 *
 * @example
 * ```ts
 * const reason: StopReason = "sigterm";
 * ```
 */
export type StopReason = "sigterm" | "sigint" | "bind" | "config" | "files" | "write" | "internal";

/** What a `stop` record says. */
export interface StopFacts {
  /** The node's member name. */
  name: string;
  reason: StopReason;
  /** The exit status. */
  status: number;
  /** Unacknowledged lines per peer, in ring order; left out when the queues were never opened. */
  undelivered?: ReadonlyArray<readonly [peer: string, lines: number]>;
  /** The failure's one-line message, as printed on stderr. */
  message?: string;
}

const encoder = new TextEncoder();

/**
 * The text of a `stop` record (without its timestamp). The message is
 * quoted and escaped like a `bad-line`'s bytes, so it cannot break the line.
 *
 * @example
 * ```ts
 * stopRecord({ name: "lg", reason: "sigterm", status: 0, undelivered: [["la", 0], ["sm", 2]] });
 * // "stop lg sigterm status=0 undelivered la=0 sm=2"
 * stopRecord({ name: "lg", reason: "bind", status: 71, message: "bind: 127.0.0.3:55551: Address already in use" });
 * // 'stop lg bind status=71 "bind: 127.0.0.3:55551: Address already in use"'
 * ```
 */
export function stopRecord(facts: StopFacts): string {
  const words = ["stop", facts.name, facts.reason, `status=${facts.status}`];
  if (facts.undelivered) words.push("undelivered", ...facts.undelivered.map(([peer, n]) => `${peer}=${n}`));
  if (facts.message !== undefined) words.push(escapeBytes(encoder.encode(facts.message), 1024));
  return words.join(" ");
}

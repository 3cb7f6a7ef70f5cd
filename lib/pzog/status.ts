/**
 * What `pzog status` reports about a running node: the snapshot the node
 * takes of itself, the JSON document its status socket answers with, and
 * the text the command prints.
 *
 * @module
 */
import type { Mode } from "./codec.ts";
import type { DownReason, LinkState } from "./link.ts";
import type { NodeCounters } from "./relay.ts";

/**
 * One outbound peer link and its queue.
 *
 * @example
 * ```ts
 * const sm: PeerStatus = {
 *   name: "sm", index: 3, address: "127.0.0.4:55552", link: "up", since: 1348578188000,
 *   lastFailure: null, queued: 0, queuedBytes: 0, inFlight: 0, spoolBytes: 3120,
 * };
 * ```
 */
export interface PeerStatus {
  name: string;
  index: number;
  /** The peer's `host:port`, as the ring names it. */
  address: string;
  link: LinkState;
  /** When the link last came up or went down (ms since the epoch); the start if it has not. */
  since: number;
  /** Why its last connection failed, if one has since the start. */
  lastFailure: DownReason | null;
  /** Lines not yet acknowledged, and their bytes. */
  queued: number;
  queuedBytes: number;
  /** Lines sent and awaiting their `ok`. */
  inFlight: number;
  /** The spool file's size, acknowledged lines included. */
  spoolBytes: number;
}

/**
 * A node's snapshot of itself (RingNode.status).
 *
 * @example
 * ```ts
 * const s: NodeStatus = node.status(Date.now());
 * s.peers.filter((p) => p.link !== "up").map((p) => p.name); // the links that are not up
 * ```
 */
export interface NodeStatus {
  name: string;
  index: number;
  /** The members' names in ring order. */
  ring: string[];
  protocol: Mode;
  /** This run's epoch (0.3); null in 0.2.2, whose lines carry no ids. */
  epoch: number | null;
  /** `stopping` once SIGTERM or SIGINT came, while the queues drain. */
  state: "running" | "stopping";
  /** When the node started, and the time of the snapshot (ms since the epoch). */
  startedAt: number;
  now: number;
  clients: number;
  maxClients: number;
  /** Inbound connections on the peer port. */
  peerConnections: number;
  /** Backpressure: reading clients, or the link from the node's -1, is paused. */
  paused: { clients: boolean; relay: boolean };
  counters: NodeCounters;
  peers: PeerStatus[];
}

/**
 * The document a running pzog's status socket answers with: the node's
 * snapshot, the program's version and its process id.
 *
 * @example
 * ```ts
 * const doc: StatusDocument = { program: "pzog", version: "0.3.0", pid: 4242, ...node.status(Date.now()) };
 * ```
 */
export type StatusDocument = NodeStatus & { program: "pzog"; version: string; pid: number };

/**
 * Whether a parsed JSON value looks like a {@link StatusDocument} (the
 * fields the text needs are there).
 *
 * @example
 * ```ts
 * isStatusDocument(JSON.parse(answer)); // true for a pzog's answer
 * ```
 */
export function isStatusDocument(value: unknown): value is StatusDocument {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<StatusDocument>;
  return v.program === "pzog" && typeof v.name === "string" && Array.isArray(v.peers) &&
    typeof v.counters === "object" && v.counters !== null && typeof v.now === "number";
}

/**
 * A duration in ms as `3d04h`, `1h02m`, `5m07s` or `12s`: the two largest
 * units.
 *
 * @example
 * ```ts
 * duration(3_723_000); // "1h02m"
 * ```
 */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d${two(h)}h`;
  if (h > 0) return `${h}h${two(m)}m`;
  if (m > 0) return `${m}m${two(s % 60)}s`;
  return `${s}s`;
}

/** Rows as columns padded to their widest cell, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
}

/**
 * The text `pzog status` prints: who, since when, clients and
 * backpressure, the message counters, then one line per peer link.
 *
 * @example
 * ```ts
 * printOut(formatStatus(doc));
 * // lg (index 2 of la test lg sm g): pzog 0.3.0, pid 4242, protocol 0.3, epoch 1348578187
 * // running, up 1h02m
 * // clients 3 (max 256), inbound peer links 4, paused no
 * // counters accepted=10 relayed=40 duplicates=0 bad=0 bypassed=0
 * // peer  address          link  for    queued  bytes  in-flight  spool  last-failure
 * // la    127.0.0.1:55552  up    1h02m  0       0      0          1480   -
 * // …
 * ```
 */
export function formatStatus(doc: StatusDocument): string {
  const c = doc.counters;
  const paused = [doc.paused.clients ? "clients" : "", doc.paused.relay ? "relay" : ""].filter(Boolean);
  const rows = [
    ["peer", "address", "link", "for", "queued", "bytes", "in-flight", "spool", "last-failure"],
    ...doc.peers.map((p) => [
      p.name,
      p.address,
      p.link,
      duration(doc.now - p.since),
      String(p.queued),
      String(p.queuedBytes),
      String(p.inFlight),
      String(p.spoolBytes),
      p.lastFailure ?? "-",
    ]),
  ];
  return [
    `${doc.name} (index ${doc.index} of ${doc.ring.join(" ")}): pzog ${doc.version}, pid ${doc.pid}, ` +
    `protocol ${doc.protocol}${doc.epoch === null ? "" : `, epoch ${doc.epoch}`}`,
    `${doc.state}, up ${duration(doc.now - doc.startedAt)}`,
    `clients ${doc.clients} (max ${doc.maxClients}), inbound peer links ${doc.peerConnections}, ` +
    `paused ${paused.length === 0 ? "no" : paused.join(",")}`,
    `counters accepted=${c.accepted} relayed=${c.relayed} duplicates=${c.duplicates} bad=${c.badLines} ` +
    `bypassed=${c.bypassed}`,
    ...table(rows),
  ].join("\n") + "\n";
}

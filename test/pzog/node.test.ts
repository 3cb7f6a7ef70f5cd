/**
 * The ring node's core (lib/pzog/node.ts) without sockets or files: the
 * commit order (§5.4), admission and `refused` records (§8), idle timeouts
 * (§4.7), reply backlog and backpressure (§8), bypass on a link going down
 * (§5.6), drops at the spool cap (§5.5), the stop and its drain (§6.3) —
 * and five nodes wired to each other in memory, under backpressure, with
 * fast-check choosing the order of every delivery: the ring never
 * deadlocks and every line reaches every log once.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ConnId, StreamAddress, StreamPeer } from "../../lib/core.ts";
import type { Mode } from "../../lib/pzog/codec.ts";
import type { FsyncPolicy } from "../../lib/pzog/config.ts";
import type { LinkState } from "../../lib/pzog/link.ts";
import { type Durability, type LogFile, type NodeEffects, type NodeSettings, RingNode } from "../../lib/pzog/node.ts";
import { PeerQueue, type SpoolStore } from "../../lib/pzog/queue.ts";
import { defaultRing } from "../../lib/pzog/ring.ts";
import { SeenSet } from "../../lib/pzog/seen.ts";
import type { PeerStatus } from "../../lib/pzog/status.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (text: string) => enc.encode(text);
/** A log append as text (records come as text, logged lines as bytes). */
const text = (data: string | Uint8Array) => (typeof data === "string" ? data : dec.decode(data));
/** What an append wrote: the string, or the first `length` bytes of the array. */
const part = (data: string | Uint8Array, length?: number) =>
  typeof data === "string" || length === undefined ? data : data.subarray(0, length);
const ring = defaultRing(true, 55552);
const ip = (i: number) => `127.0.0.${i + 1}`;

/** A spool in memory. */
class MemoryStore implements SpoolStore {
  #bytes: number[] = [];
  append(line: Uint8Array): void {
    for (const x of line) this.#bytes.push(x);
  }
  read(offset: number, length: number): Uint8Array {
    return Uint8Array.from(this.#bytes.slice(offset, offset + length));
  }
  patch(offset: number, byte: number): void {
    this.#bytes[offset] = byte;
  }
  storeCursor(): void {}
  restart(): void {
    this.#bytes = [];
  }
}

function settings(self: number, o: Partial<NodeSettings> = {}): NodeSettings {
  return {
    mode: "0.3" as Mode,
    ring,
    self,
    utc: true,
    keepaliveMs: 300_000,
    ackTimeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    redialMaxMs: 60_000,
    window: 128,
    fsync: "interval" as FsyncPolicy,
    fsyncIntervalMs: 1000,
    spoolMaxBytes: 256 << 20,
    maxClients: 256,
    clientIdleMs: 600_000,
    drainTimeoutMs: 10_000,
    ...o,
  };
}

function queuesFor(self: number): Map<number, PeerQueue> {
  const queues = new Map<number, PeerQueue>();
  for (const m of ring) {
    if (m.index !== self) {
      queues.set(m.index, new PeerQueue(m.name, new MemoryStore(), { size: 0, ack: 0, lines: 0 }));
    }
  }
  return queues;
}

const MEMBERS = new Map(ring.map((m) => [m.host, m.index]));

type Call =
  | ["append", LogFile, string]
  | ["commit", Durability]
  | ["send", ConnId, string]
  | ["close", ConnId]
  | ["abort", ConnId]
  | ["pause", ConnId]
  | ["resume", ConnId]
  | ["dial", ConnId, string]
  | ["done"];

/** Node effects recorded in order (diagnostics and snapshots left out). */
class Recorder {
  calls: Call[] = [];
  readonly effects: NodeEffects = {
    append: (file, data, length) =>
      this.calls.push(["append", file, text(part(data, length)).replace(/^\S+ \S+ /, "")]),
    commit: (durability) => this.calls.push(["commit", durability]),
    send: (conn, bytes) => this.calls.push(["send", conn, dec.decode(bytes)]),
    close: (conn) => this.calls.push(["close", conn]),
    abort: (conn) => this.calls.push(["abort", conn]),
    pause: (conn) => this.calls.push(["pause", conn]),
    resume: (conn) => this.calls.push(["resume", conn]),
    dial: (conn, to) => this.calls.push(["dial", conn, "host" in to ? to.host : to.path]),
    done: () => this.calls.push(["done"]),
    log: () => {},
    snapshotSeen: () => {},
  };
  take(): Call[] {
    return this.calls.splice(0);
  }
  records(): string[] {
    return this.take().flatMap((c) => (c[0] === "append" && c[1] === "errors" ? [c[2].trimEnd()] : []));
  }
}

const CLIENT: StreamPeer = { listener: "client", address: "127.0.0.9", port: 40312 };
const peerFrom = (i: number): StreamPeer => ({ listener: "peer", address: ip(i), port: 51000 + i });

/** Node `self` at time 0, its links dialed; `up` lists the peers whose links are brought up. */
function makeNode(self: number, o: Partial<NodeSettings> = {}, up: number[] = []) {
  const fx = new Recorder();
  const queues = queuesFor(self);
  const node = new RingNode(settings(self, o), {
    epoch: 1000,
    seen: new SeenSet({ maxSparse: 1000 }),
    queues,
    members: MEMBERS,
    localAddress: ip(self),
    random: () => 0.5,
  }, fx.effects);
  node.start(0);
  const dials = new Map<number, ConnId>();
  for (const c of fx.take()) if (c[0] === "dial") dials.set(MEMBERS.get(c[2])!, c[1]);
  for (const p of up) {
    node.opened(dials.get(p)!, { listener: undefined, address: ip(p), port: 55552 }, 0);
    node.received(dials.get(p)!, b("ack\r\n"), 0);
  }
  node.tick(0);
  fx.take();
  return { node, fx, queues, dials };
}

describe("RingNode: a turn commits before it replies (§5.4)", () => {
  test("a client line is spooled and logged, committed, forwarded, and only then answered", () => {
    const { node, fx, dials } = makeNode(2, {}, [3, 4]);
    node.opened(1, CLIENT, 0);
    node.received(1, b("hello ring\r\n"), 0);
    expect(fx.calls.filter((c) => c[0] === "send")).toEqual([]);
    expect(node.nextDeadline()).toBe(0);
    node.tick(0);
    expect(fx.take()).toEqual([
      ["append", "access", "hello ring\n"],
      ["append", "journal", "2.1000.1\n"],
      ["commit", "written"],
      ["send", dials.get(3)!, "2#2.1000.1 hello ring\r\n"],
      ["send", dials.get(4)!, "2#2.1000.1 hello ring\r\n"],
      ["send", 1, "ok\r\n"],
    ]);
  });

  test("a relay's forward of a peer line leaves before its ok to the sender", () => {
    const { node, fx, dials } = makeNode(3, {}, [0]);
    node.opened(1, peerFrom(2), 0);
    node.received(1, b("2#2.1000.1 hi\r\n"), 0);
    node.tick(0);
    expect(fx.take().filter((c) => c[0] === "send")).toEqual([
      ["send", dials.get(0)!, "0#2.1000.1 hi\r\n"],
      ["send", 1, "ok\r\n"],
    ]);
  });

  test("with --fsync always every turn is synced; with interval, an fsync starts in the background at each interval", () => {
    const always = makeNode(0, { fsync: "always" });
    always.node.opened(1, CLIENT, 0);
    always.node.received(1, b("a\r\n"), 5);
    always.node.tick(5);
    expect(always.fx.take().filter((c) => c[0] === "commit")).toEqual([["commit", "synced"]]);
    const interval = makeNode(0, { fsync: "interval", fsyncIntervalMs: 1000 });
    expect(interval.node.nextDeadline()).toBe(1000);
    interval.node.tick(1000);
    expect(interval.fx.take()).toEqual([["commit", "syncing"]]);
    expect(interval.node.nextDeadline()).toBe(2000);
  });

  test("a keepalive's ack waits for the turn's commit like any reply", () => {
    const { node, fx } = makeNode(0);
    node.opened(1, CLIENT, 0);
    node.received(1, b("keepalive\r\n"), 0);
    node.tick(0);
    expect(fx.take()).toEqual([["commit", "written"], ["send", 1, "ack\r\n"]]);
  });
});

describe("RingNode admission (§8)", () => {
  test("a non-member on the peer port is closed and recorded at most once a minute per address", () => {
    const { node, fx } = makeNode(0);
    node.opened(1, { listener: "peer", address: "127.0.0.9", port: 4000 }, 0);
    node.opened(2, { listener: "peer", address: "127.0.0.9", port: 4001 }, 59_999);
    node.opened(3, { listener: "peer", address: "127.0.0.9", port: 4002 }, 60_000);
    const calls = fx.take();
    expect(calls.filter((c) => c[0] === "close")).toEqual([["close", 1], ["close", 2], ["close", 3]]);
    expect(calls.filter((c) => c[0] === "append").map((c) => c[2])).toEqual([
      "refused 127.0.0.9:4000 not-a-member\n",
      "refused 127.0.0.9:4002 not-a-member\n",
    ]);
    expect(node.connections).toBe(0);
  });

  test("clients over --max-clients are refused; a closed one makes room", () => {
    const { node, fx } = makeNode(0, { maxClients: 2 });
    node.opened(1, CLIENT, 0);
    node.opened(2, CLIENT, 0);
    node.opened(3, CLIENT, 0);
    expect(fx.records()).toEqual(["refused 127.0.0.9:40312 too-many-clients"]);
    node.closed(1, undefined, 0);
    node.opened(4, CLIENT, 0);
    expect(fx.take()).toEqual([]);
    expect(node.connections).toBe(2);
  });

  test("members, including ones sharing an address, are admitted on the peer port", () => {
    const shared = new Map([["127.0.0.2", -1]]);
    const { node, fx } = makeNode(0);
    node.membersResolved(shared);
    node.opened(1, peerFrom(1), 0);
    node.opened(2, peerFrom(2), 0);
    expect(fx.take()).toEqual([["append", "errors", "refused 127.0.0.3:51002 not-a-member\n"], ["close", 2]]);
  });
});

describe("RingNode idle timeouts (§4.7)", () => {
  test("a silent client is closed at --client-idle, a silent inbound peer at twice the keepalive", () => {
    const { node, fx } = makeNode(0, { clientIdleMs: 5000, keepaliveMs: 1000 });
    node.opened(1, CLIENT, 0);
    node.opened(2, peerFrom(1), 0);
    expect(node.nextDeadline()).toBe(1000); // the sync/cursor timer comes first
    node.tick(1000);
    expect(node.nextDeadline()).toBe(2000);
    node.received(2, b("keepalive\r\n"), 1500);
    node.tick(1500);
    fx.take();
    node.tick(2000);
    expect(fx.take().filter((c) => c[0] === "close")).toEqual([]);
    node.tick(3500);
    expect(fx.take().filter((c) => c[0] === "close")).toEqual([["close", 2]]);
    node.tick(5000);
    expect(fx.take().filter((c) => c[0] === "close")).toEqual([["close", 1]]);
  });
});

describe("RingNode flow control (§8)", () => {
  test("a client not reading its oks is paused past 4 KiB of unsent replies and resumed when writable", () => {
    const { node, fx } = makeNode(0);
    node.opened(1, CLIENT, 0);
    node.received(1, b("keepalive\r\n".repeat(900)), 0);
    node.tick(0);
    expect(fx.take().filter((c) => c[0] === "pause" || c[0] === "resume")).toEqual([["pause", 1]]);
    node.writable(1, 1);
    expect(fx.take()).toEqual([["resume", 1]]);
  });

  test("an up peer's queue behind by more than 8 windows pauses clients and the link from self-1, until within 2", () => {
    const window = 2;
    const { node, fx, dials } = makeNode(2, { window }, [0, 1, 3, 4]);
    node.opened(1, CLIENT, 0);
    node.opened(2, peerFrom(1), 0); // self-1: its lines all feed self+2's queue
    node.opened(3, peerFrom(0), 0); // self-2: never paused
    const lines = Array.from({ length: 8 * window + 3 }, (_, i) => `l${i}\r\n`).join("");
    node.received(1, b(lines), 0);
    node.tick(0);
    const flow = (calls: Call[]) => calls.filter((c) => c[0] === "pause" || c[0] === "resume");
    expect(flow(fx.take())).toEqual([["pause", 1], ["pause", 2]]);
    // Acknowledge everything in flight until both queues are within two windows.
    let now = 1;
    for (let round = 0; round < 20; round++) {
      for (const p of [3, 4]) node.received(dials.get(p)!, b("ok\r\n".repeat(window)), now);
      node.tick(now++);
    }
    expect(flow(fx.take())).toEqual([["resume", 1], ["resume", 2]]);
  });
});

describe("RingNode bypass and drops (§5.6, §5.5)", () => {
  test("a first-hop link going down demotes its queued lines and copies each to the leaf", () => {
    const { node, fx, queues, dials } = makeNode(2, {}, [0, 1, 3, 4]);
    node.opened(1, CLIENT, 0);
    node.received(1, b("a\r\nb\r\n"), 0);
    node.tick(0);
    fx.take();
    node.closed(dials.get(3)!, "ECONNRESET", 1000);
    expect(fx.records()).toEqual(["peer-down sm 127.0.0.4:55552 reset queued=2", "bypass sm count=2"]);
    const leaf = queues.get(0)!;
    expect([dec.decode(leaf.next()), dec.decode(leaf.next())]).toEqual(["0#2.1000.1 a\r\n", "0#2.1000.2 b\r\n"]);
    const sm = queues.get(3)!;
    sm.rewind();
    expect([dec.decode(sm.next()), dec.decode(sm.next())]).toEqual(["0#2.1000.1 a\r\n", "0#2.1000.2 b\r\n"]);
  });

  test("a leaf link going down is only recorded; 0.2.2 never demotes", () => {
    const leafDown = makeNode(2, {}, [0, 1, 3, 4]);
    leafDown.node.closed(leafDown.dials.get(0)!, undefined, 0);
    expect(leafDown.fx.records()).toEqual(["peer-down la 127.0.0.1:55552 eof queued=0"]);
    const old = makeNode(2, { mode: "0.2.2" }, [0, 1, 3, 4]);
    old.node.opened(1, CLIENT, 0);
    old.node.received(1, b("a\r\n"), 0);
    old.node.closed(old.dials.get(3)!, undefined, 0);
    expect(old.queues.get(0)!.depth).toBe(0);
  });

  test("over --spool-max for a down peer the oldest lines are dropped with one queue-drop record", () => {
    const line = "0#2.1000.1 x\r\n".length;
    // sm is down: the entry node queues wrap 0 for sm and a copy for sm's leaf la, both down.
    const { node, fx } = makeNode(2, { spoolMaxBytes: 2 * line }, [4]);
    node.opened(1, CLIENT, 0);
    node.received(1, b("x\r\ny\r\nz\r\n"), 0);
    const drops = fx.records().filter((r) => r.startsWith("queue-drop"));
    expect(drops).toEqual([
      "queue-drop sm count=1 first=2.1000.1 last=2.1000.1",
      "queue-drop la count=1 first=2.1000.1 last=2.1000.1",
    ]);
  });
});

describe("RingNode stop (§6.3)", () => {
  test("stop sends the oks owed, closes every connection, and is done once the queues drain", () => {
    const { node, fx, dials } = makeNode(2, {}, [3, 4]);
    node.opened(1, CLIENT, 0);
    node.received(1, b("a\r\n"), 0);
    node.stop(0, "SIGTERM");
    node.opened(2, CLIENT, 0);
    node.tick(0);
    const calls = fx.take();
    expect(calls.filter((c) => c[0] === "send" || c[0] === "close")).toEqual([
      ["close", 2],
      ["send", dials.get(3)!, "2#2.1000.1 a\r\n"],
      ["send", dials.get(4)!, "2#2.1000.1 a\r\n"],
      ["send", 1, "ok\r\n"],
      ["close", 1],
    ]);
    node.received(dials.get(3)!, b("ok\r\n"), 1);
    expect(node.nextDeadline()).toBeGreaterThan(1);
    node.received(dials.get(4)!, b("ok\r\n"), 2);
    expect(node.nextDeadline()).toBe(2);
    node.tick(2);
    const end = fx.take();
    expect(end.filter((c) => c[0] === "abort").length).toBe(4);
    expect(end.slice(-3)).toEqual([
      ["append", "errors", "stop lg sigterm status=0 undelivered la=0 test=0 sm=0 g=0\n"],
      ["commit", "synced"],
      ["done"],
    ]);
  });

  test("the drain ends at --drain-timeout; a second stop ends it at once", () => {
    const slow = makeNode(2, { drainTimeoutMs: 500 }, [3, 4]);
    slow.node.opened(1, CLIENT, 0);
    slow.node.received(1, b("a\r\n"), 0);
    slow.node.stop(0, "SIGTERM");
    slow.node.tick(0);
    expect(slow.node.nextDeadline()).toBe(500);
    slow.node.tick(500);
    expect(slow.fx.records()).toContain("stop lg sigterm status=0 undelivered la=0 test=0 sm=1 g=1");
    const twice = makeNode(2, {}, [3]);
    twice.node.stop(0, "SIGTERM");
    twice.node.stop(1, "SIGINT");
    expect(twice.fx.take().at(-1)).toEqual(["done"]);
  });
});

describe("RingNode status (pzog status)", () => {
  test("the snapshot shows each link, its queue and in-flight lines, clients and counters, with no effects", () => {
    const { node, fx } = makeNode(2, {}, [3, 4]);
    node.opened(1, CLIENT, 5);
    node.received(1, b("a\r\n"), 5);
    node.tick(5);
    fx.take();
    const line = "2#2.1000.1 a\r\n".length;
    const s = node.status(10);
    expect(fx.take()).toEqual([]);
    expect(s).toMatchObject({
      name: "lg",
      index: 2,
      ring: ["la", "test", "lg", "sm", "g"],
      protocol: "0.3",
      epoch: 1000,
      state: "running",
      startedAt: 0,
      now: 10,
      clients: 1,
      maxClients: 256,
      peerConnections: 0,
      paused: { clients: false, relay: false },
      counters: { accepted: 1, relayed: 0, duplicates: 0, badLines: 0, bypassed: 0 },
    });
    const peer = (index: number, link: LinkState, queued: number, bytes: number, inFlight: number): PeerStatus => ({
      name: ring[index]!.name,
      index,
      address: `${ip(index)}:55552`,
      link,
      since: 0,
      lastFailure: null,
      queued,
      queuedBytes: bytes,
      inFlight,
      spoolBytes: bytes,
    });
    expect(s.peers).toEqual([
      peer(0, "connecting", 0, 0, 0),
      peer(1, "connecting", 0, 0, 0),
      peer(3, "up", 1, line, 1),
      peer(4, "up", 1, line, 1),
    ]);
  });

  test("a link that fails is down since then, with its reason; an acknowledged line stays in the spool", () => {
    const { node, dials } = makeNode(2, {}, [3, 4]);
    node.opened(1, CLIENT, 5);
    node.received(1, b("a\r\n"), 5);
    node.tick(5);
    node.received(dials.get(4)!, b("ok\r\n"), 6);
    node.closed(dials.get(3)!, "ECONNRESET", 20);
    node.tick(20);
    const peers = new Map(node.status(30).peers.map((p) => [p.name, p]));
    expect(peers.get("sm")).toMatchObject({ link: "down", since: 20, lastFailure: "reset", queued: 1, inFlight: 0 });
    expect(peers.get("g")).toMatchObject({ link: "up", since: 0, queued: 0, queuedBytes: 0, inFlight: 0 });
    expect(peers.get("g")!.spoolBytes).toBe("2#2.1000.1 a\r\n".length);
    node.stop(40, "SIGTERM");
    expect(node.status(40).state).toBe("stopping");
  });
});

// ---------------------------------------------------------------------------
// Five nodes wired together in memory.

interface Pipe {
  /** The two ends: node index and connection id on that node. */
  a: { node: number; conn: ConnId };
  b: { node: number; conn: ConnId };
  /** Bytes on their way, per direction: [a → b, b → a]. */
  queued: [number[], number[]];
  /** Each end's reading state (a paused end's incoming bytes wait). */
  reading: [boolean, boolean];
  /** Each end asked to close once its bytes are out. */
  closing: [boolean, boolean];
  closed: boolean;
}

/**
 * Five RingNodes whose effects are carried out by an in-memory network:
 * dials connect to the member's peer listener, sends queue bytes that a
 * scheduler delivers in chunks of its choosing, pause and resume hold and
 * release a direction, and a drained direction reports writable.
 */
class SimRing {
  readonly nodes: RingNode[] = [];
  readonly logs: string[][] = ring.map(() => []);
  readonly pipes: Pipe[] = [];
  readonly pauses = ring.map(() => 0);
  now = 0;
  #accepted = ring.map(() => 0);

  constructor(window: number) {
    for (const m of ring) {
      const i = m.index;
      const fx: NodeEffects = {
        append: (file, data, length) => {
          if (file === "access") this.logs[i]!.push(text(part(data, length)).slice(20, -1));
        },
        commit: () => {},
        snapshotSeen: () => {},
        log: () => {},
        done: () => {},
        send: (conn, bytes) => {
          const [pipe, side] = this.#find(i, conn);
          if (pipe && !pipe.closing[side]) pipe.queued[side]!.push(...bytes);
        },
        close: (conn) => {
          const [pipe, side] = this.#find(i, conn);
          if (pipe) pipe.closing[side] = true;
        },
        abort: (conn) => {
          const [pipe] = this.#find(i, conn);
          if (pipe) this.#shut(pipe, "ECONNRESET");
        },
        pause: (conn) => this.#read(i, conn, false),
        resume: (conn) => this.#read(i, conn, true),
        dial: (conn, to) => this.#dial(i, conn, to),
      };
      const queues = queuesFor(i);
      this.nodes.push(
        new RingNode(settings(i, { window }), {
          epoch: 1000,
          seen: new SeenSet({ maxSparse: 100_000 }),
          queues,
          members: MEMBERS,
          localAddress: ip(i),
          random: () => 0.5,
        }, fx),
      );
    }
    for (const n of this.nodes) n.start(0);
  }

  /** A client connection to node `i`, sending `lines` at once. */
  client(i: number, lines: string[]): void {
    const conn = ++this.#accepted[i]!;
    const pipe: Pipe = {
      a: { node: -1, conn: 0 },
      b: { node: i, conn },
      queued: [[...b(lines.map((l) => `${l}\r\n`).join(""))], []],
      reading: [true, true],
      closing: [false, false],
      closed: false,
    };
    this.pipes.push(pipe);
    this.nodes[i]!.opened(conn, CLIENT, this.now);
  }

  /** Directions with bytes a reading end can take. */
  deliverable(): Array<[Pipe, 0 | 1]> {
    const out: Array<[Pipe, 0 | 1]> = [];
    for (const p of this.pipes) {
      if (p.closed) continue;
      if (p.queued[0].length > 0 && p.reading[1]) out.push([p, 0]);
      if (p.queued[1].length > 0 && p.reading[0]) out.push([p, 1]);
    }
    return out;
  }

  /** Bytes waiting behind a paused end. */
  stuck(): number {
    return this.pipes.reduce((n, p) => n + (p.closed ? 0 : p.queued[0].length + p.queued[1].length), 0);
  }

  /** Deliver up to `size` bytes in direction `dir` of `pipe`. */
  deliver(pipe: Pipe, dir: 0 | 1, size: number): void {
    const to = dir === 0 ? pipe.b : pipe.a;
    const from = dir === 0 ? pipe.a : pipe.b;
    const chunk = pipe.queued[dir]!.splice(0, size);
    if (to.node >= 0) this.nodes[to.node]!.received(to.conn, Uint8Array.from(chunk), this.now);
    if (pipe.queued[dir]!.length === 0 && from.node >= 0) {
      this.nodes[from.node]!.writable(from.conn, this.now);
      if (pipe.closing[dir]) this.#shut(pipe, undefined);
    }
    this.settle();
  }

  /** End every node's turn: tick those whose deadline has come. */
  settle(): void {
    for (let round = 0; round < 10; round++) {
      let ticked = false;
      for (const n of this.nodes) {
        const due = n.nextDeadline();
        if (due !== undefined && due <= this.now) {
          n.tick(this.now);
          ticked = true;
        }
      }
      if (!ticked) return;
    }
  }

  #find(node: number, conn: ConnId): [Pipe | undefined, 0 | 1] {
    for (const p of this.pipes) {
      if (p.closed) continue;
      if (p.a.node === node && p.a.conn === conn) return [p, 0];
      if (p.b.node === node && p.b.conn === conn) return [p, 1];
    }
    return [undefined, 0];
  }

  #read(node: number, conn: ConnId, on: boolean): void {
    const [pipe, side] = this.#find(node, conn);
    if (!pipe) return;
    pipe.reading[side] = on;
    if (!on) this.pauses[node]!++;
  }

  #dial(from: number, conn: ConnId, to: StreamAddress): void {
    const target = "host" in to ? MEMBERS.get(to.host)! : -1;
    const accepted = ++this.#accepted[target]!;
    const pipe: Pipe = {
      a: { node: from, conn },
      b: { node: target, conn: accepted },
      queued: [[], []],
      reading: [true, true],
      closing: [false, false],
      closed: false,
    };
    this.pipes.push(pipe);
    this.nodes[target]!.opened(accepted, peerFrom(from), this.now);
    this.nodes[from]!.opened(conn, { listener: undefined, address: ip(target), port: 55552 }, this.now);
  }

  #shut(pipe: Pipe, error: string | undefined): void {
    if (pipe.closed) return;
    pipe.closed = true;
    for (const end of [pipe.a, pipe.b]) if (end.node >= 0) this.nodes[end.node]!.closed(end.conn, error, this.now);
  }
}

describe("five RingNodes in memory", () => {
  test("under backpressure, in any delivery order, the ring never deadlocks and all five logs get every line once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 5 }),
        fc.infiniteStream(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 }))),
        (window, counts, choices) => {
          const sim = new SimRing(window);
          sim.settle();
          const sent: string[] = [];
          counts.forEach((n, i) => {
            const lines = Array.from({ length: n }, (_, k) => `n${i} line ${k}`);
            sent.push(...lines);
            sim.client(i, lines);
          });
          sim.settle();
          const pick = choices[Symbol.iterator]();
          for (let step = 0; step < 200_000; step++) {
            const ready = sim.deliverable();
            if (ready.length === 0) break;
            const [which, size] = pick.next().value as [number, number];
            const [pipe, dir] = ready[which % ready.length]!;
            sim.deliver(pipe, dir, size);
          }
          // Nothing can move: every byte must have been delivered (no deadlock).
          expect(sim.stuck()).toBe(0);
          const want = [...sent].sort();
          for (const [i, log] of sim.logs.entries()) {
            expect({ node: i, log: [...log].sort() }).toEqual({ node: i, log: want });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("the test above does exercise backpressure: a burst makes nodes pause their feeders", () => {
    const sim = new SimRing(1);
    sim.settle();
    for (let i = 0; i < 5; i++) sim.client(i, Array.from({ length: 60 }, (_, k) => `burst ${i} ${k}`));
    sim.settle();
    // Each client's whole burst arrives in one read, before any link moves.
    for (const [pipe, dir] of sim.deliverable().filter(([p]) => p.a.node < 0)) sim.deliver(pipe, dir, 1 << 20);
    for (let ready = sim.deliverable(); ready.length > 0; ready = sim.deliverable()) {
      sim.deliver(ready[0]![0], ready[0]![1], 7);
    }
    expect(sim.stuck()).toBe(0);
    expect(sim.pauses.some((n) => n > 0)).toBe(true);
    for (const log of sim.logs) expect(log.length).toBe(300);
  });
});

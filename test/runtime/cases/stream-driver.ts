/** lib/net/runner.ts and lib/net/stream-driver.ts: a core's clock and turns, and its stream sockets. */
import assert from "node:assert/strict";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { setImmediate } from "node:timers";
import type { ConnId, StreamCore, StreamEffects, StreamPeer } from "../../../lib/core.ts";
import { createLog } from "../../../lib/log.ts";
import { CoreRunner } from "../../../lib/net/runner.ts";
import { StreamDriver } from "../../../lib/net/stream-driver.ts";
import { listenStream } from "../../../lib/net/stream-sockets.ts";
import { type Case, waitFor, withTempDir } from "./support.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A core that records what it hears and lets each case script its answers. */
class ScriptedCore implements StreamCore {
  readonly heard: string[] = [];
  readonly peers = new Map<ConnId, StreamPeer>();
  readonly closes = new Map<ConnId, Array<string | undefined>>();
  readonly ticks: number[] = [];
  deadline: number | undefined;
  onReceived: (conn: ConnId, text: string) => void = () => {};
  onOpened: (conn: ConnId) => void = () => {};
  fx!: StreamEffects;

  opened(conn: ConnId, peer: StreamPeer): void {
    this.peers.set(conn, peer);
    this.heard.push(`opened ${conn}`);
    this.onOpened(conn);
  }
  received(conn: ConnId, bytes: Uint8Array): void {
    const text = dec.decode(bytes);
    this.heard.push(`received ${conn} ${text}`);
    this.onReceived(conn, text);
  }
  writable(conn: ConnId): void {
    this.heard.push(`writable ${conn}`);
  }
  closed(conn: ConnId, error: string | undefined): void {
    this.closes.set(conn, [...(this.closes.get(conn) ?? []), error]);
    this.heard.push(`closed ${conn}`);
  }
  tick(now: number): void {
    this.ticks.push(now);
  }
  nextDeadline(): number | undefined {
    return this.deadline;
  }
}

/** A core behind a runner and a stream driver, listening on loopback TCP. */
async function harness() {
  const runner = new CoreRunner<StreamCore>(createLog("test"));
  const streams = new StreamDriver(runner);
  const core = new ScriptedCore();
  core.fx = streams.effects;
  runner.start(core);
  const server = await listenStream({ host: "127.0.0.1", port: 0 });
  streams.serve("main", server);
  const port = (server.address() as { port: number }).port;
  const stop = async () => {
    streams.destroyAll();
    await streams.stopListening();
    runner.stop();
    await runner.finished;
  };
  return { runner, streams, core, port, stop };
}

/** A raw client: its bytes so far, and whether the server closed. */
function client(port: number): { socket: Socket; got: () => string; ended: () => boolean } {
  const socket = createConnection({ host: "127.0.0.1", port });
  let text = "";
  let ended = false;
  socket.on("data", (b: Buffer) => (text += b.toString("utf8")));
  socket.on("close", () => (ended = true));
  socket.on("error", () => {});
  return { socket, got: () => text, ended: () => ended };
}

export const cases: Case[] = [
  {
    name: "an accepted connection is opened with its listener and address, and its bytes reach the core",
    run: async () => {
      const h = await harness();
      try {
        h.core.onReceived = (conn, text) => h.core.fx.send(conn, enc.encode(text.toUpperCase()));
        const c = client(h.port);
        c.socket.write("hello");
        await waitFor("the echo", () => c.got() === "HELLO");
        const peer = h.core.peers.get(1)!;
        assert.deepEqual([peer.listener, peer.address, typeof peer.port], ["main", "127.0.0.1", "number"]);
        c.socket.destroy();
      } finally {
        await h.stop();
      }
    },
  },
  {
    name: "a UNIX-domain connection has an empty address and port 0",
    run: () =>
      withTempDir(async (dir) => {
        const runner = new CoreRunner<StreamCore>(createLog("test"));
        const streams = new StreamDriver(runner);
        const core = new ScriptedCore();
        runner.start(core);
        const path = join(dir, "s");
        streams.serve("unix", await listenStream({ path }));
        const socket = createConnection({ path });
        socket.on("error", () => {});
        await waitFor("the connection", () => core.peers.size === 1);
        assert.deepEqual(core.peers.get(1), { listener: "unix", address: "", port: 0 });
        socket.destroy();
        streams.destroyAll();
        await streams.stopListening();
        runner.stop();
        await runner.finished;
      }),
  },
  {
    name: "sends of one turn arrive in order, and writable follows once they have left",
    run: async () => {
      const h = await harness();
      try {
        h.core.onReceived = (conn) => {
          for (const part of ["a", "b", "c"]) h.core.fx.send(conn, enc.encode(part));
        };
        const c = client(h.port);
        c.socket.write("go");
        await waitFor("the replies", () => c.got() === "abc");
        await waitFor("writable", () => h.core.heard.includes("writable 1"));
        c.socket.destroy();
      } finally {
        await h.stop();
      }
    },
  },
  {
    name: "a paused connection's bytes wait until it is resumed",
    run: async () => {
      const h = await harness();
      try {
        h.core.onOpened = (conn) => h.core.fx.pause(conn);
        const c = client(h.port);
        await waitFor("the connection", () => h.core.peers.size === 1);
        c.socket.write("early");
        // A round trip on a second connection shows the loop has run past the write.
        h.core.onReceived = (conn, text) => h.core.fx.send(conn, enc.encode(text));
        h.core.onOpened = () => {};
        const probe = client(h.port);
        probe.socket.write("ping");
        await waitFor("the probe's echo", () => probe.got() === "ping");
        assert.ok(!h.core.heard.some((e) => e.startsWith("received 1")));
        h.core.fx.resume(1);
        await waitFor("the held bytes", () => h.core.heard.includes("received 1 early"));
        c.socket.destroy();
        probe.socket.destroy();
      } finally {
        await h.stop();
      }
    },
  },
  {
    name: "close sends what is queued first; abort drops it; each connection is closed exactly once",
    run: async () => {
      const h = await harness();
      try {
        h.core.onReceived = (conn, text) => {
          h.core.fx.send(conn, enc.encode("bye"));
          if (text === "close") h.core.fx.close(conn);
          else h.core.fx.abort(conn);
        };
        const polite = client(h.port);
        polite.socket.write("close");
        await waitFor("the polite close", () => polite.ended());
        assert.equal(polite.got(), "bye");
        const rude = client(h.port);
        rude.socket.write("abort");
        await waitFor("the abort", () => rude.ended());
        assert.equal(rude.got(), "");
        await waitFor("both closed", () => h.core.closes.size === 2);
        assert.deepEqual([...h.core.closes.values()].map((c) => c.length), [1, 1]);
      } finally {
        await h.stop();
      }
    },
  },
  {
    name: "a dial the core numbers opens with no listener; a refused one is closed with ECONNREFUSED",
    run: async () => {
      const h = await harness();
      try {
        h.core.fx.dial(-1, { host: "127.0.0.1", port: h.port }, "127.0.0.1");
        await waitFor("both ends", () => h.core.peers.has(-1) && h.core.peers.has(1));
        assert.deepEqual(h.core.peers.get(-1), { listener: undefined, address: "127.0.0.1", port: h.port });
        const refused = await listenStream({ host: "127.0.0.1", port: 0 });
        const deadPort = (refused.address() as { port: number }).port;
        await new Promise<void>((resolve) => refused.close(() => resolve()));
        h.core.fx.dial(-2, { host: "127.0.0.1", port: deadPort });
        await waitFor("the refusal", () => h.core.closes.has(-2));
        assert.deepEqual(h.core.closes.get(-2), ["ECONNREFUSED"]);
        assert.ok(!h.core.peers.has(-2));
      } finally {
        await h.stop();
      }
    },
  },
  {
    name: "the core is ticked at its deadline, and at the end of a turn when the deadline has passed",
    run: async () => {
      const h = await harness();
      try {
        const start = Date.now();
        h.core.deadline = start + 60;
        h.runner.touch();
        await waitFor("the tick", () => h.core.ticks.length > 0);
        assert.ok(h.core.ticks[0]! >= start + 60, `ticked at +${h.core.ticks[0]! - start} ms`);
        h.core.deadline = 0;
        h.core.onReceived = () => {};
        const c = client(h.port);
        c.socket.write("x");
        await waitFor("the turn's tick", () => h.core.ticks.length >= 2);
        h.core.deadline = undefined;
        c.socket.destroy();
      } finally {
        await h.stop();
      }
    },
  },
  {
    name: "a core without a deadline is never ticked by a timer",
    run: async () => {
      const h = await harness();
      try {
        h.core.deadline = undefined;
        const ticks = h.core.ticks.length;
        // Another runner's deadline shows time passing on the same loop.
        const other = new CoreRunner(createLog("test"));
        const t0 = Date.now();
        let otherTicks = 0;
        other.start({
          tick: () => void otherTicks++,
          nextDeadline: () => (otherTicks < 3 ? t0 + 20 * (otherTicks + 1) : undefined),
        });
        await waitFor("time to pass", () => otherTicks >= 3);
        other.stop();
        await other.finished;
        assert.equal(h.core.ticks.length, ticks);
      } finally {
        await h.stop();
      }
    },
  },
  {
    name: "a turn ends at each microtask checkpoint by default, and once per event-loop pass with turn pass",
    run: async () => {
      const checkpoint = () => new Promise<void>((resolve) => queueMicrotask(resolve));
      const pass = () => new Promise<void>((resolve) => setImmediate(resolve));
      for (const turn of ["callback", "pass"] as const) {
        const runner = new CoreRunner(createLog("test"), { turn });
        let due = false;
        let ticks = 0;
        runner.start({
          tick: () => {
            ticks++;
            due = false;
          },
          nextDeadline: () => (due ? 0 : undefined),
        });
        await pass();
        // Two callbacks' worth of events, with a microtask checkpoint after each.
        for (let i = 0; i < 2; i++) {
          due = true;
          runner.touch();
          await checkpoint();
          await checkpoint();
        }
        assert.equal(ticks, turn === "pass" ? 0 : 2, turn);
        await pass();
        assert.equal(ticks, turn === "pass" ? 1 : 2, turn);
        runner.stop();
        await runner.finished;
      }
    },
  },
  {
    name: "with turn pass, the replies to what several connections sent all leave",
    run: async () => {
      const runner = new CoreRunner<StreamCore>(createLog("test"), { turn: "pass" });
      const streams = new StreamDriver(runner);
      const core = new ScriptedCore();
      core.fx = streams.effects;
      core.onReceived = (conn, text) => core.fx.send(conn, enc.encode(text.toUpperCase()));
      runner.start(core);
      const server = await listenStream({ host: "127.0.0.1", port: 0 });
      streams.serve("main", server);
      const clients = [1, 2, 3].map(() => client((server.address() as { port: number }).port));
      try {
        for (const c of clients) c.socket.write("ping");
        await waitFor("every reply", () => clients.every((c) => c.got() === "PING"));
      } finally {
        for (const c of clients) c.socket.destroy();
        streams.destroyAll();
        await streams.stopListening();
        runner.stop();
        await runner.finished;
      }
    },
  },
  {
    name: "done ends the run: finished resolves",
    run: async () => {
      const runner = new CoreRunner(createLog("test"));
      runner.start({ tick: () => runner.effects.done(), nextDeadline: () => 0 });
      await runner.finished;
    },
  },
];

/** lib/net/datagram-driver.ts: a datagram core over UDP. */
import assert from "node:assert/strict";
import type { DatagramCore, DatagramEffects, DatagramPeer } from "../../../lib/core.ts";
import { createLog } from "../../../lib/log.ts";
import { DatagramDriver } from "../../../lib/net/datagram-driver.ts";
import { CoreRunner } from "../../../lib/net/runner.ts";
import { bindUdp, type Datagram } from "../../../lib/net/udp.ts";
import { type Case, waitFor } from "./support.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Answers each datagram with its text upper-cased, from the socket it came in on. */
class ShoutCore implements DatagramCore {
  readonly heard: Array<{ text: string; from: DatagramPeer; listener: string }> = [];
  fx!: DatagramEffects;
  received(bytes: Uint8Array, from: DatagramPeer, listener: string): void {
    const text = dec.decode(bytes);
    this.heard.push({ text, from, listener });
    this.fx.sendTo(listener, from, enc.encode(text.toUpperCase()));
  }
  tick(): void {}
  nextDeadline(): undefined {
    return undefined;
  }
}

async function harness() {
  const runner = new CoreRunner<DatagramCore>(createLog("test"));
  const udp = new DatagramDriver(runner);
  const core = new ShoutCore();
  core.fx = udp.effects;
  runner.start(core);
  return { runner, udp, core };
}

export const cases: Case[] = [
  {
    name: "past a socket's queue limit, a datagram is dropped and the drop reported, never queued",
    run: async () => {
      const { runner, udp, core } = await harness();
      const dropped: DatagramPeer[] = [];
      const mailbox = await udp.bind("mailbox", "127.0.0.1", 0, { queueLimit: 0, onDropped: (to) => dropped.push(to) });
      const replies: Datagram[] = [];
      const peer = await bindUdp("127.0.0.1", 0, { onMessage: (d) => replies.push(d) });
      try {
        await peer.send(enc.encode("hello"), "127.0.0.1", mailbox.local.port);
        await waitFor("the drop", () => dropped.length === 1);
        assert.deepEqual(dropped, [{ address: "127.0.0.1", port: peer.local.port }]);
        assert.equal(core.heard.length, 1);
        assert.equal(replies.length, 0);
      } finally {
        await peer.close();
        await udp.close();
        runner.stop();
        await runner.finished;
      }
    },
  },
  {
    name: "a datagram reaches the core with its sender and socket name; the reply leaves from that socket",
    run: async () => {
      const { runner, udp, core } = await harness();
      const mailbox = await udp.bind("mailbox", "127.0.0.1", 0);
      const replies: Datagram[] = [];
      const peer = await bindUdp("127.0.0.1", 0, { onMessage: (d) => replies.push(d) });
      try {
        await peer.send(enc.encode("hello"), "127.0.0.1", mailbox.local.port);
        await waitFor("the reply", () => replies.length === 1);
        assert.deepEqual(core.heard, [{
          text: "hello",
          from: { address: "127.0.0.1", port: peer.local.port },
          listener: "mailbox",
        }]);
        assert.equal(dec.decode(replies[0]!.data), "HELLO");
        assert.equal(replies[0]!.port, mailbox.local.port);
      } finally {
        await peer.close();
        await udp.close();
        runner.stop();
        await runner.finished;
      }
    },
  },
  {
    name: "two sockets are told apart by name, and each answers from itself",
    run: async () => {
      const { runner, udp, core } = await harness();
      const a = await udp.bind("a", "127.0.0.1", 0);
      const b = await udp.bind("b", "127.0.0.1", 0);
      const replies: Datagram[] = [];
      const peer = await bindUdp("127.0.0.1", 0, { onMessage: (d) => replies.push(d) });
      try {
        await peer.send(enc.encode("to a"), "127.0.0.1", a.local.port);
        await peer.send(enc.encode("to b"), "127.0.0.1", b.local.port);
        await waitFor("both replies", () => replies.length === 2);
        assert.deepEqual(core.heard.map((h) => `${h.listener}:${h.text}`).sort(), ["a:to a", "b:to b"]);
        assert.deepEqual(replies.map((r) => `${r.port === a.local.port ? "a" : "b"}:${dec.decode(r.data)}`).sort(), [
          "a:TO A",
          "b:TO B",
        ]);
      } finally {
        await peer.close();
        await udp.close();
        runner.stop();
        await runner.finished;
      }
    },
  },
  {
    name: "a second bind of the same address fails with EADDRINUSE",
    run: async () => {
      const { runner, udp } = await harness();
      const first = await udp.bind("mailbox", "127.0.0.1", 0);
      try {
        await assert.rejects(udp.bind("again", "127.0.0.1", first.local.port), { code: "EADDRINUSE" });
      } finally {
        await udp.close();
        runner.stop();
        await runner.finished;
      }
    },
  },
];

/** lib/net/udp.ts */
import assert from "node:assert/strict";
import { errorCode } from "../../../lib/errno.ts";
import { bindUdp, type Datagram, type UdpOptions, type UdpSocket } from "../../../lib/net/udp.ts";
import { type Case, waitFor } from "./support.ts";

/** A bound socket and the datagrams it received so far. */
interface Mailbox {
  socket: UdpSocket;
  inbox: Datagram[];
}

/** Bind, collecting what arrives. */
async function mailbox(host: string, port = 0, opts: Omit<UdpOptions, "onMessage"> = {}): Promise<Mailbox> {
  const inbox: Datagram[] = [];
  const socket = await bindUdp(host, port, { ...opts, onMessage: (d) => inbox.push(d) });
  return { socket, inbox };
}

/** Run `fn` with mailboxes bound on `hosts`, all closed afterwards. */
async function withMailboxes(hosts: string[], fn: (...boxes: Mailbox[]) => void | Promise<void>): Promise<void> {
  const boxes: Mailbox[] = [];
  try {
    for (const host of hosts) boxes.push(await mailbox(host));
    await fn(...boxes);
  } finally {
    await Promise.all(boxes.map((b) => b.socket.close()));
  }
}

const text = (d: Datagram | undefined) => new TextDecoder().decode(d?.data);
const code = (want: string) => (err: unknown) => errorCode(err) === want;

export const cases: Case[] = [
  {
    name: "binding to port 0 on IPv4 loopback gets an ephemeral port, shown with the address and family",
    run: () =>
      withMailboxes(["127.0.0.1"], ({ socket }) => {
        assert.equal(socket.local.address, "127.0.0.1");
        assert.equal(socket.local.family, "IPv4");
        assert.ok(socket.local.port > 0 && socket.local.port < 65536);
      }),
  },
  {
    name: "a datagram arrives whole with the sender's address and port",
    run: () =>
      withMailboxes(["127.0.0.1", "127.0.0.1"], async (a, b) => {
        await a.socket.send(
          new TextEncoder().encode("0x1 STAT log.dat udp!127.0.0.1!7101\0"),
          "127.0.0.1",
          b.socket.local.port,
        );
        await waitFor("the datagram", () => b.inbox.length === 1);
        const [got] = b.inbox;
        assert.equal(text(got), "0x1 STAT log.dat udp!127.0.0.1!7101\0");
        assert.deepEqual({ ...got, data: undefined }, { ...a.socket.local, data: undefined });
        assert.equal(a.socket.pending, 0);
      }),
  },
  {
    name: "IPv6 loopback works both ways",
    run: () =>
      withMailboxes(["::1", "::1"], async (a, b) => {
        assert.equal(a.socket.local.address, "::1");
        assert.equal(a.socket.local.family, "IPv6");
        await a.socket.send(new TextEncoder().encode("ping"), "::1", b.socket.local.port);
        await waitFor("the ping", () => b.inbox.length === 1);
        assert.equal(b.inbox[0]!.address, "::1");
        assert.equal(b.inbox[0]!.family, "IPv6");
        await b.socket.send(new TextEncoder().encode("pong"), b.inbox[0]!.address, b.inbox[0]!.port);
        await waitFor("the pong", () => a.inbox.length === 1);
        assert.equal(text(a.inbox[0]), "pong");
      }),
  },
  {
    name: "IPv4 traffic on a dual-stack socket shows the peer as IPv4, and replies reach it",
    run: () =>
      withMailboxes(["::", "127.0.0.1"], async (dual, v4) => {
        assert.equal(dual.socket.local.address, "::");
        await v4.socket.send(new TextEncoder().encode("hi"), "127.0.0.1", dual.socket.local.port);
        await waitFor("the datagram", () => dual.inbox.length === 1);
        const [got] = dual.inbox;
        assert.equal(got!.address, "127.0.0.1");
        assert.equal(got!.family, "IPv4");
        assert.equal(got!.port, v4.socket.local.port);
        await dual.socket.send(new TextEncoder().encode("back"), got!.address, got!.port);
        await dual.socket.send(new TextEncoder().encode("mapped"), `::ffff:${got!.address}`, got!.port);
        await waitFor("the replies", () => v4.inbox.length === 2);
        assert.deepEqual(v4.inbox.map(text).sort(), ["back", "mapped"]);
      }),
  },
  {
    name: "an empty datagram is delivered as empty data",
    run: () =>
      withMailboxes(["127.0.0.1"], async (a) => {
        await a.socket.send(new Uint8Array(0), "127.0.0.1", a.socket.local.port);
        await waitFor("the datagram", () => a.inbox.length === 1);
        assert.equal(a.inbox[0]!.data.length, 0);
      }),
  },
  {
    name: "a second bind to a taken address fails with EADDRINUSE, unless every socket asks to share it",
    run: () =>
      withMailboxes(["127.0.0.1"], async (a) => {
        await assert.rejects(mailbox("127.0.0.1", a.socket.local.port), code("EADDRINUSE"));
        const first = await mailbox("127.0.0.1", 0, { reuseAddress: true });
        try {
          const second = await mailbox("127.0.0.1", first.socket.local.port, { reuseAddress: true });
          assert.equal(second.socket.local.port, first.socket.local.port);
          await second.socket.close();
        } finally {
          await first.socket.close();
        }
      }),
  },
  {
    name: "a datagram too large for UDP fails with EMSGSIZE",
    run: () =>
      withMailboxes(["127.0.0.1"], async (a) => {
        await assert.rejects(a.socket.send(new Uint8Array(65508), "127.0.0.1", a.socket.local.port), code("EMSGSIZE"));
        await a.socket.send(new Uint8Array(65507), "127.0.0.1", a.socket.local.port);
        await waitFor("the largest datagram", () => a.inbox.length === 1);
        assert.equal(a.inbox[0]!.data.length, 65507);
        assert.equal(a.socket.pending, 0);
      }),
  },
  {
    name: "host names are refused with EINVAL, to bind and to send: there is no DNS here",
    run: () =>
      withMailboxes(["127.0.0.1"], async (a) => {
        await assert.rejects(mailbox("localhost"), code("EINVAL"));
        await assert.rejects(a.socket.send(new Uint8Array(1), "localhost", 9), code("EINVAL"));
      }),
  },
  {
    name: "a peer of the other family fails with EAFNOSUPPORT or ENETUNREACH, as the kernel would say",
    run: () =>
      withMailboxes(["127.0.0.1", "::1"], async (v4, v6) => {
        await assert.rejects(v4.socket.send(new Uint8Array(1), "::1", v6.socket.local.port), code("EAFNOSUPPORT"));
        await assert.rejects(v6.socket.send(new Uint8Array(1), "127.0.0.1", v4.socket.local.port), code("ENETUNREACH"));
        const only6 = await mailbox("::", 0, { ipv6Only: true });
        try {
          await assert.rejects(only6.socket.send(new Uint8Array(1), "127.0.0.1", 9), code("ENETUNREACH"));
        } finally {
          await only6.socket.close();
        }
      }),
  },
  {
    name: "binding an address this host does not have fails with EADDRNOTAVAIL",
    run: async () => {
      await assert.rejects(mailbox("192.0.2.1"), code("EADDRNOTAVAIL"));
    },
  },
  {
    name: "after close nothing more arrives, sending fails with EBADF, and closing again is harmless",
    run: async () => {
      const a = await mailbox("127.0.0.1");
      const b = await mailbox("127.0.0.1");
      try {
        await a.socket.close();
        await a.socket.close();
        await assert.rejects(a.socket.send(new Uint8Array(1), "127.0.0.1", b.socket.local.port), code("EBADF"));
        await b.socket.send(new Uint8Array(1), "127.0.0.1", a.socket.local.port);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(a.inbox.length, 0);
      } finally {
        await b.socket.close();
      }
    },
  },
];

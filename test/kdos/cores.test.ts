/**
 * The two transport cores without a network: the mailbox core's
 * anti-reflection rule and terminators with injected sources, the gateway's
 * line framing however the bytes arrive, over-long lines, bad tags,
 * back-pressure and the stall timeout, and the log's rate limit.
 */
import { describe, expect, test } from "bun:test";
import type { DatagramEffects, DatagramPeer, StreamEffects } from "../../lib/core.ts";
import { Executor } from "../../lib/kdos/exec.ts";
import { GatewayCore } from "../../lib/kdos/gateway-core.ts";
import { KdosLog } from "../../lib/kdos/log.ts";
import { MailboxCore } from "../../lib/kdos/mailbox-core.ts";
import { MemoryStore } from "./memory-store.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function executor(): Executor {
  return new Executor({
    store: new MemoryStore(),
    window: undefined,
    config: {
      subdirs: false,
      noclobber: false,
      flags: "linux",
      maxFds: 64,
      maxFdsPerOwner: 0,
      sharedHandles: false,
      maxTransfer: 1 << 20,
      maxInline: 32768,
      syncClose: false,
    },
  });
}

function quietLog(lines: string[] = []): KdosLog {
  return new KdosLog({
    debug: false,
    vperror: true,
    rate: 1000,
    now: () => 0,
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
  });
}

describe("the mailbox core", () => {
  function mailbox(opts: { allowRemote?: boolean; udpEol?: "mirror" | "none" | "nul" | "lf" } = {}) {
    const sent: { to: DatagramPeer; text: string }[] = [];
    const logs: string[] = [];
    const fx: DatagramEffects = {
      sendTo: (_listener, to, bytes) => sent.push({ to, text: dec(bytes) }),
      log: () => {},
      done: () => {},
    };
    const core = new MailboxCore(fx, {
      executor: executor(),
      own: [{ ip: "127.0.0.1", port: 7010 }],
      allowRemote: opts.allowRemote ?? false,
      maxCommand: 65507,
      udpEol: opts.udpEol ?? "mirror",
      log: quietLog(logs),
    });
    const from = (address: string, port: number, text: string) =>
      core.received(enc(text), { address, port }, "mailbox", 0);
    return { core, sent, logs, from };
  }

  test("answers at the named mailbox when it is on the sender's host, or both are loopback", () => {
    const m = mailbox();
    m.from("127.0.0.1", 40001, "a 127.0.0.1:40001 STATX x");
    m.from("127.0.0.1", 40001, "b 127.0.0.2:40002 STATX x");
    m.from("::1", 40001, "c 127.0.0.1:40003 STATX x");
    m.from("10.0.0.5", 40001, "d 10.0.0.5:40004 STATX x");
    expect(m.sent.map((s) => `${s.to.address}:${s.to.port} ${s.text}`)).toEqual([
      "127.0.0.1:40001 a 2 -1 ENOENT",
      "127.0.0.2:40002 b 2 -1 ENOENT",
      "127.0.0.1:40003 c 2 -1 ENOENT",
      "10.0.0.5:40004 d 2 -1 ENOENT",
    ]);
  });

  test("refuses to aim a reply at another host, at port 0 or at itself, and runs nothing", () => {
    const m = mailbox();
    m.from("10.0.0.5", 40001, "a 192.0.2.1:9 OPEN x O_WRONLY|O_CREAT");
    m.from("::ffff:10.0.0.5", 40001, "b 10.0.0.6:9 STATX x");
    m.from("127.0.0.1", 40001, "c 127.0.0.1:7010 STATX x");
    m.from("127.0.0.1", 40001, "d udp!127.0.0.1!0 STATX x");
    m.from("127.0.0.1", 40001, "e nosuchname STATX x");
    expect(m.sent).toEqual([]);
    expect(m.logs.filter((l) => l.startsWith("(kdos_command)")).length).toBe(5);
    m.from("10.0.0.5", 40001, "f 10.0.0.5:9 LISTX 0");
    expect(m.sent.map((s) => s.text)).toEqual(["f 2 -1 ENOENT"]);
  });

  test("an IPv4-mapped IPv6 sender is its IPv4 address", () => {
    const m = mailbox();
    m.from("::ffff:10.0.0.5", 40001, "a 10.0.0.5:40001 STATX x");
    expect(m.sent.map((s) => s.text)).toEqual(["a 2 -1 ENOENT"]);
  });

  test("--allow-remote-replies waives the same-host rule, never the own-endpoint one", () => {
    const m = mailbox({ allowRemote: true });
    m.from("10.0.0.5", 40001, "a 192.0.2.1:9 STATX x");
    m.from("10.0.0.5", 40001, "b 127.0.0.1:7010 STATX x");
    expect(m.sent.map((s) => `${s.to.address} ${s.text}`)).toEqual(["192.0.2.1 a 2 -1 ENOENT"]);
  });

  test("the reply ends as the command did (mirror), or as --udp-eol says", () => {
    const mirror = mailbox();
    mirror.from("127.0.0.1", 1, "a 127.0.0.1:1 STATX x\0");
    mirror.from("127.0.0.1", 1, "b 127.0.0.1:1 STATX x\r\n");
    mirror.from("127.0.0.1", 1, "c 127.0.0.1:1 STATX x\n\n\n\n");
    expect(mirror.sent.map((s) => JSON.stringify(s.text))).toEqual([
      JSON.stringify("a 2 -1 ENOENT\0"),
      JSON.stringify("b 2 -1 ENOENT\r\n"),
      JSON.stringify("c 2 -1 ENOENT"),
    ]);
    const lf = mailbox({ udpEol: "lf" });
    lf.from("127.0.0.1", 1, "a 127.0.0.1:1 STATX x\0");
    expect(lf.sent[0]!.text).toBe("a 2 -1 ENOENT\n");
  });

  test("empty datagrams are ignored; garbage is logged and dropped", () => {
    const m = mailbox();
    m.from("127.0.0.1", 1, "");
    m.core.received(new Uint8Array([0xff, 0, 0x20]), { address: "127.0.0.1", port: 1 }, "mailbox", 0);
    expect(m.sent).toEqual([]);
    expect(m.logs.length).toBe(1);
  });
});

describe("the gateway core", () => {
  function gateway(opts: { maxConns?: number; maxCommand?: number } = {}) {
    const out = new Map<number, string>();
    const events: string[] = [];
    const logs: string[] = [];
    const fx: StreamEffects = {
      send: (conn, bytes) => out.set(conn, (out.get(conn) ?? "") + dec(bytes)),
      close: (conn) => events.push(`close ${conn}`),
      abort: (conn) => events.push(`abort ${conn}`),
      pause: (conn) => events.push(`pause ${conn}`),
      resume: (conn) => events.push(`resume ${conn}`),
      dial: () => {},
      log: () => {},
      done: () => events.push("done"),
    };
    const core = new GatewayCore(fx, {
      executor: executor(),
      maxCommand: opts.maxCommand ?? 65507,
      maxConns: opts.maxConns ?? 16,
      stallTimeoutMs: 30_000,
      log: quietLog(logs),
    });
    const open = (conn: number) => core.opened(conn, { listener: "gw", address: "127.0.0.1", port: 50000 + conn }, 0);
    return { core, out, events, logs, open };
  }

  test("the same replies however the bytes are split, even byte by byte", () => {
    const text = "a - OPEN f O_RDWR|O_CREAT\nb - WRITEX 3 0 0 aGk=\r\n\n\r\n\0\r\nc - READX 3 9 0 0\nd - CLOSE 3\n";
    const whole = gateway();
    whole.open(1);
    whole.core.received(1, enc(text), 0);
    const bytewise = gateway();
    bytewise.open(1);
    for (const b of enc(text)) bytewise.core.received(1, new Uint8Array([b]), 0);
    expect(whole.out.get(1)).toBe("a 0 3\nb 0 2\nc 0 2 aGk=\nd 0 0\n");
    expect(bytewise.out.get(1)).toBe(whole.out.get(1));
  });

  test("1000 pipelined commands are answered in order", () => {
    const g = gateway();
    g.open(1);
    g.core.received(1, enc(Array.from({ length: 1000 }, (_, i) => `t${i} - LISTX 0\n`).join("")), 0);
    const lines = g.out.get(1)!.trimEnd().split("\n");
    expect(lines.length).toBe(1000);
    expect(lines.every((l, i) => l === `t${i} 2 -1 ENOENT`)).toBe(true);
  });

  test("an over-long line is EMSGSIZE if its tag and mailbox came whole, else the connection closes", () => {
    const g = gateway({ maxCommand: 600 });
    g.open(1);
    g.core.received(1, enc(`big - STATX ${"a".repeat(700)}\nok - LISTX 0\n`), 0);
    expect(g.out.get(1)).toBe("big 90 -1 EMSGSIZE\nok 2 -1 ENOENT\n");
    g.open(2);
    g.core.received(2, enc(`${"t".repeat(700)}\n`), 0);
    expect(g.events).toContain("close 2");
  });

  test("a line whose first token is no tag closes the connection, and its handles", () => {
    const g = gateway();
    g.open(1);
    g.core.received(1, enc("a - OPEN f O_RDWR|O_CREAT\n\u00ff\n"), 0);
    expect(g.out.get(1)).toBe("a 0 3\n");
    expect(g.events).toContain("close 1");
    g.open(2);
    g.core.received(2, enc("b - CLOSE 3\n"), 0);
    expect(g.out.get(2)).toBe("b 9 -1 EBADF\n");
  });

  test("a connection's handles are its own and close with it", () => {
    const g = gateway();
    g.open(1);
    g.open(2);
    g.core.received(1, enc("a - OPEN f O_RDWR|O_CREAT\n"), 0);
    g.core.received(2, enc("b - CLOSE 3\n"), 0);
    expect(g.out.get(2)).toBe("b 9 -1 EBADF\n");
    g.core.closed(1, undefined, 0);
    g.open(3);
    g.core.received(3, enc("c - OPEN f O_RDONLY\n"), 0);
    expect(g.out.get(3)).toBe("c 0 3\n");
  });

  test("connections over --max-conns are closed as they come", () => {
    const g = gateway({ maxConns: 2 });
    g.open(1);
    g.open(2);
    g.open(3);
    expect(g.events).toEqual(["abort 3"]);
  });

  test("a client leaving over 1 MiB of replies unread is paused, resumed when it reads, closed after the stall timeout", () => {
    const g = gateway();
    g.open(1);
    const many = Array.from({ length: 60_000 }, (_, i) => `t${i} - LISTX 0\n`).join("");
    g.core.received(1, enc(many), 1000);
    expect(g.events).toEqual(["pause 1"]);
    g.core.writable(1, 2000);
    expect(g.events).toEqual(["pause 1", "resume 1"]);
    g.core.received(1, enc(many), 3000);
    expect(g.core.nextDeadline()).toBe(33_000);
    g.core.tick(33_000);
    expect(g.events.at(-1)).toBe("close 1");
  });
});

describe("the log", () => {
  test("keeps to --log-rate lines a second per output and sums up the rest", () => {
    const lines: string[] = [];
    let now = 0;
    const log = new KdosLog({
      debug: true,
      vperror: true,
      rate: 2,
      now: () => now,
      out: (t) => lines.push(t),
      err: () => {},
    });
    for (let i = 0; i < 5; i++) log.debug(`line ${i}`);
    now = 1000;
    log.debug("later");
    expect(lines).toEqual(["kdosd: line 0\n", "kdosd: line 1\n", "kdosd: 3 messages suppressed\n", "kdosd: later\n"]);
  });

  test("is silent unless asked, and vperror has libgpl's two-line form", () => {
    const out: string[] = [];
    const quiet = new KdosLog({
      debug: false,
      vperror: false,
      rate: 9,
      now: () => 0,
      out: (t) => out.push(t),
      err: (t) => out.push(t),
    });
    quiet.debug("x");
    quiet.vperror("kdos_open", 'Error opening "log.dat".', "open: No such file or directory");
    expect(out).toEqual([]);
    const loud = new KdosLog({
      debug: false,
      vperror: true,
      rate: 9,
      now: () => 0,
      out: () => {},
      err: (t) => out.push(t),
    });
    loud.vperror("kdos_open", 'Error opening "log.dat".', "open: No such file or directory");
    expect(out).toEqual(['(kdos_open) Error opening "log.dat".\nopen: No such file or directory\n']);
  });
});

import { describe, expect, test } from "bun:test";
import {
  formatMailbox,
  inCidr,
  type MailboxAddress,
  mayReply,
  parseCidrList,
  parseMailbox,
  parseMailboxTable,
} from "../../lib/kdos/mailbox.ts";
import { none, TABLE } from "../fuzz/targets/kdos/mailbox.ts";

describe("parseMailbox", () => {
  test("reads host:port, [v6]:port and localhost:port", () => {
    expect(parseMailbox("127.0.0.1:7101", none)).toEqual({ ip: "127.0.0.1", port: 7101 });
    expect(parseMailbox("[::1]:7101", none)).toEqual({ ip: "::1", port: 7101 });
    expect(parseMailbox("localhost:7101", none)).toEqual({ ip: "127.0.0.1", port: 7101 });
  });

  test("reads udp!host!port dial strings, bracketed IPv6 too", () => {
    expect(parseMailbox("udp!127.0.0.1!7101", none)).toEqual({ ip: "127.0.0.1", port: 7101 });
    expect(parseMailbox("udp!::1!7101", none)).toEqual({ ip: "::1", port: 7101 });
    expect(parseMailbox("udp![::1]!7101", none)).toEqual({ ip: "::1", port: 7101 });
    expect(parseMailbox("udp!localhost!1", none)).toEqual({ ip: "127.0.0.1", port: 1 });
  });

  test("gives canonical IPs: IPv4-mapped IPv6 as IPv4, IPv6 compressed lower case", () => {
    expect(parseMailbox("[::FFFF:127.0.0.1]:7101", none)).toEqual({ ip: "127.0.0.1", port: 7101 });
    expect(parseMailbox("udp!::ffff:7f00:1!7101", none)).toEqual({ ip: "127.0.0.1", port: 7101 });
    expect(parseMailbox("udp!2001:DB8:0:0:0:0:0:1!9", none)).toEqual({ ip: "2001:db8::1", port: 9 });
  });

  test("resolves only udp! among dial forms", () => {
    for (const t of ["tcp!127.0.0.1!7101", "net!127.0.0.1!7101", "unix!/run/x", "udp!127.0.0.1", "udp!*!7101"]) {
      expect(parseMailbox(t, none)).toBeUndefined();
    }
  });

  test("looks no host name up but localhost", () => {
    for (const t of ["example.org:7101", "udp!example.org!7101", "LOCALHOST:7101", "localhost.:7101"]) {
      expect(parseMailbox(t, none)).toBeUndefined();
    }
  });

  test("takes ports 1–65535 only", () => {
    expect(parseMailbox("127.0.0.1:65535", none)).toEqual({ ip: "127.0.0.1", port: 65535 });
    for (const t of ["127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "127.0.0.1:-1", "udp!::1!0", "[::1]"]) {
      expect(parseMailbox(t, none)).toBeUndefined();
    }
  });

  test("looks symbols up in the table", () => {
    expect(parseMailbox("sensorA", TABLE)).toEqual({ ip: "127.0.0.1", port: 7101 });
    expect(parseMailbox("plc-2.lab_x", TABLE)).toEqual({ ip: "10.0.0.5", port: 7200 });
    expect(parseMailbox("sensorB", TABLE)).toBeUndefined();
    expect(parseMailbox("sensora", TABLE)).toBeUndefined();
    expect(parseMailbox("-", TABLE)).toBeUndefined();
  });

  test("refuses what is not a symbol, even if a table had it", () => {
    expect(parseMailbox("x".repeat(65), TABLE)).toBeUndefined();
    expect(parseMailbox("", TABLE)).toBeUndefined();
    expect(parseMailbox("a/b", TABLE)).toBeUndefined();
  });
});

describe("formatMailbox", () => {
  test("writes udp!<ip>!<port>, canonical even for an address from a socket", () => {
    expect(formatMailbox({ ip: "127.0.0.1", port: 7101 })).toBe("udp!127.0.0.1!7101");
    expect(formatMailbox({ ip: "::1", port: 7101 })).toBe("udp!::1!7101");
    expect(formatMailbox({ ip: "::ffff:10.0.0.1", port: 40001 })).toBe("udp!10.0.0.1!40001");
    expect(formatMailbox({ ip: "2001:DB8::0:1", port: 1 })).toBe("udp!2001:db8::1!1");
  });
});

describe("mayReply: the anti-reflection rule", () => {
  const own: MailboxAddress[] = [{ ip: "127.0.0.1", port: 7010 }];
  const at = (ip: string, port: number): MailboxAddress => ({ ip, port });

  test("answers a mailbox on the sender's own IP", () => {
    expect(mayReply(at("127.0.0.1", 40001), at("127.0.0.1", 40001), own, false)).toBe(true);
    expect(mayReply(at("10.0.0.7", 40001), at("10.0.0.7", 40002), own, false)).toBe(true);
    expect(mayReply(at("2001:db8::7", 1), at("2001:db8::7", 2), own, false)).toBe(true);
  });

  test("answers between loopback addresses, whatever the family", () => {
    expect(mayReply(at("127.0.0.1", 40001), at("127.0.0.2", 40001), own, false)).toBe(true);
    expect(mayReply(at("::1", 40001), at("127.0.0.1", 40001), own, false)).toBe(true);
    expect(mayReply(at("::ffff:127.0.0.1", 40001), at("::1", 40002), own, false)).toBe(true);
  });

  test("treats IPv4-mapped IPv6 as its IPv4", () => {
    expect(mayReply(at("::ffff:10.0.0.7", 40001), at("10.0.0.7", 40001), own, false)).toBe(true);
    expect(mayReply(at("10.0.0.7", 40001), at("::ffff:10.0.0.8", 40001), own, false)).toBe(false);
    expect(mayReply(at("::ffff:10.0.0.7", 1), at("::ffff:7f00:1", 7010), own, true)).toBe(false);
  });

  test("refuses a mailbox on another host unless --allow-remote-replies", () => {
    expect(mayReply(at("10.0.0.7", 40001), at("192.0.2.9", 53), own, false)).toBe(false);
    expect(mayReply(at("127.0.0.1", 40001), at("10.0.0.7", 40001), own, false)).toBe(false);
    expect(mayReply(at("10.0.0.7", 40001), at("127.0.0.1", 40001), own, false)).toBe(false);
    expect(mayReply(at("10.0.0.7", 40001), at("192.0.2.9", 53), own, true)).toBe(true);
  });

  test("never answers port 0 or kdosd's own endpoints, even with --allow-remote-replies", () => {
    for (const allowRemote of [false, true]) {
      expect(mayReply(at("127.0.0.1", 40001), at("127.0.0.1", 0), own, allowRemote)).toBe(false);
      expect(mayReply(at("127.0.0.1", 40001), at("127.0.0.1", 7010), own, allowRemote)).toBe(false);
      expect(mayReply(at("::ffff:127.0.0.1", 1), at("::ffff:127.0.0.1", 7010), own, allowRemote)).toBe(false);
    }
    // Another loopback address on the same port is not our socket.
    expect(mayReply(at("127.0.0.2", 40001), at("127.0.0.2", 7010), own, false)).toBe(true);
  });

  test("takes an own endpoint bound to every address as its port on any IP", () => {
    for (const wild of ["*", "0.0.0.0", "::"]) {
      const all = [at(wild, 7010)];
      expect(mayReply(at("10.0.0.7", 1), at("10.0.0.7", 7010), all, false)).toBe(false);
      expect(mayReply(at("::1", 1), at("::1", 7010), all, true)).toBe(false);
      expect(mayReply(at("10.0.0.7", 1), at("10.0.0.7", 7011), all, false)).toBe(true);
    }
  });
});

describe("parseMailboxTable", () => {
  test("reads name-address lines, skipping comments and blank lines", () => {
    const text = [
      "# kdosd mailboxes",
      "",
      "sensorA 127.0.0.1:7101",
      "  plc\tudp!plc.lab!7200   # resolved at load",
      "v6 [::1]:7102\r",
      "host-name localhost:7103",
    ].join("\n");
    expect(parseMailboxTable(text)).toEqual([
      { name: "sensorA", address: "127.0.0.1:7101" },
      { name: "plc", address: "udp!plc.lab!7200" },
      { name: "v6", address: "[::1]:7102" },
      { name: "host-name", address: "localhost:7103" },
    ]);
    expect(parseMailboxTable("")).toEqual([]);
  });

  test("names the first bad line and why", () => {
    const cases: [string, number, string][] = [
      ["a 127.0.0.1:1\nb", 2, "field"],
      ["a 127.0.0.1:1 extra", 1, "field"],
      ["a/b 127.0.0.1:1", 1, "bad name"],
      [`${"x".repeat(65)} 127.0.0.1:1`, 1, "bad name"],
      ["a 127.0.0.1:1\n# c\na [::1]:2", 3, "twice"],
      ["a 127.0.0.1", 1, "bad address"],
      ["a 127.0.0.1:0", 1, "port"],
      ["a tcp!127.0.0.1!1", 1, "UDP"],
      ["a unix!/run/x", 1, "unix"],
      ["a udp!*!7010", 1, "*"],
      ["a sensorA", 1, "bad address"],
    ];
    for (const [text, line, why] of cases) {
      const r = parseMailboxTable(text);
      expect(r).toMatchObject({ line });
      expect((r as { reason: string }).reason).toContain(why);
    }
  });
});

describe("--allow-from", () => {
  const list = (text: string) => {
    const r = parseCidrList(text);
    if (typeof r === "string") throw new Error(r);
    return r;
  };

  test("matches IPv4 and IPv6 networks and single addresses", () => {
    const l = list("127.0.0.0/8, 10.1.0.0/16,192.0.2.7,fd00::/8,::1");
    for (const ip of ["127.0.0.1", "127.255.255.255", "10.1.200.3", "192.0.2.7", "fd12::5", "::1"]) {
      expect(inCidr(ip, l)).toBe(true);
    }
    for (const ip of ["128.0.0.1", "10.2.0.1", "192.0.2.8", "fe80::1", "::2", "localhost", ""]) {
      expect(inCidr(ip, l)).toBe(false);
    }
  });

  test("an IPv4-mapped IPv6 source matches its IPv4 networks", () => {
    expect(inCidr("::ffff:10.1.2.3", list("10.0.0.0/8"))).toBe(true);
    expect(inCidr("::FFFF:0a01:0203", list("10.0.0.0/8"))).toBe(true);
    expect(inCidr("::ffff:11.1.2.3", list("10.0.0.0/8"))).toBe(false);
  });

  test("a zone on the source is ignored", () => {
    expect(inCidr("fe80::1%eth0", list("fe80::/10"))).toBe(true);
  });

  test("/0 covers a family", () => {
    expect(inCidr("203.0.113.9", list("0.0.0.0/0"))).toBe(true);
    expect(inCidr("2001:db8::1", list("0.0.0.0/0"))).toBe(false);
    expect(inCidr("2001:db8::1", list("::/0"))).toBe(true);
  });

  test("refuses malformed lists with a usage message", () => {
    for (
      const text of [
        "",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/",
        "10.0.0.0/08",
        "10.0.0/8",
        "host/8",
        "10.0.0.0/8,",
        "a,b",
      ]
    ) {
      expect(parseCidrList(text)).toStartWith("--allow-from: ");
    }
    expect(parseCidrList("10.0.0.1/8")).toContain("/8");
  });
});

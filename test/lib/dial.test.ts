import { describe, expect, test } from "bun:test";
import {
  canonicalIp,
  type DialAddress,
  DialError,
  type DialOptions,
  formatDial,
  formatHostPort,
  ipKind,
  ipValue,
  isLoopback,
  parseDial,
} from "../../lib/dial.ts";

/** The DialError message parseDial throws for `text`, or the address it returned. */
function attempt(text: string, opts?: DialOptions): string | DialAddress {
  try {
    return parseDial(text, opts);
  } catch (e) {
    if (e instanceof DialError) return e.message;
    throw e;
  }
}

describe("parseDial: dial strings", () => {
  test("tcp!host!port", () => {
    expect(parseDial("tcp!example.org!6667")).toEqual({ net: "tcp", host: "example.org", port: 6667 });
  });

  test("udp!host!port", () => {
    expect(parseDial("udp!10.0.0.1!53")).toEqual({ net: "udp", host: "10.0.0.1", port: 53 });
  });

  test("net!host!port is taken as tcp", () => {
    expect(parseDial("net!example.org!80", { defaultNet: "udp" })).toEqual({
      net: "tcp",
      host: "example.org",
      port: 80,
    });
  });

  test("an IPv6 host is written unbracketed", () => {
    expect(parseDial("tcp!2001:db8::1!80")).toEqual({ net: "tcp", host: "2001:db8::1", port: 80 });
  });

  test("a bracketed IPv6 host is also accepted and stored without brackets", () => {
    expect(parseDial("tcp![::1]!80")).toEqual({ net: "tcp", host: "::1", port: 80 });
    expect(attempt("tcp![example.org]!80")).toBe('bad IPv6 address "example.org" in "tcp![example.org]!80"');
  });

  test("unix!path takes everything after the first bang as the path", () => {
    expect(parseDial("unix!/run/kdosd.sock")).toEqual({ net: "unix", path: "/run/kdosd.sock" });
    expect(parseDial("unix!/tmp/a!b c")).toEqual({ net: "unix", path: "/tmp/a!b c" });
  });

  test("unix sockets can be refused", () => {
    expect(attempt("unix!/tmp/s", { allowUnix: false })).toBe('unix sockets not allowed in "unix!/tmp/s"');
  });

  test("an empty unix path is refused", () => {
    expect(attempt("unix!")).toBe('missing socket path in "unix!"');
  });

  test("a NUL in a unix path is refused", () => {
    expect(attempt("unix!/tmp/\0x")).toBe('NUL in socket path in "unix!/tmp/\\u0000x"');
  });

  test("the wildcard host needs allowWildcard", () => {
    expect(parseDial("tcp!*!564", { allowWildcard: true })).toEqual({ net: "tcp", host: "*", port: 564 });
    expect(parseDial("udp!*!53", { allowWildcard: true })).toEqual({ net: "udp", host: "*", port: 53 });
    expect(attempt("tcp!*!564")).toBe('wildcard host "*" not allowed in "tcp!*!564"');
  });

  test("a missing port is an error unless there is a default", () => {
    expect(attempt("tcp!host")).toBe('missing port in "tcp!host"');
    expect(attempt("tcp!host!")).toBe('missing port in "tcp!host!"');
    expect(parseDial("tcp!host", { defaultPort: 6667 })).toEqual({ net: "tcp", host: "host", port: 6667 });
  });

  test("an extra field is an error", () => {
    expect(attempt("tcp!host!80!extra")).toBe('too many fields in "tcp!host!80!extra" (net!host!port)');
  });

  test("an empty host is an error", () => {
    expect(attempt("tcp!!80")).toBe('missing host in "tcp!!80"');
  });

  test("unknown networks are refused", () => {
    expect(attempt("il!host!80")).toBe('unknown network "il" in "il!host!80" (tcp, udp, net or unix)');
    expect(attempt("TCP!host!80")).toBe('unknown network "TCP" in "TCP!host!80" (tcp, udp, net or unix)');
    expect(attempt("!host!80")).toBe('unknown network "" in "!host!80" (tcp, udp, net or unix)');
  });

  test("service names are not ports", () => {
    expect(attempt("tcp!host!http")).toBe('bad port "http" in "tcp!host!http" (0-65535)');
  });
});

describe("parseDial: host:port", () => {
  test("host:port uses the default network", () => {
    expect(parseDial("example.org:6667")).toEqual({ net: "tcp", host: "example.org", port: 6667 });
    expect(parseDial("10.1.2.3:53", { defaultNet: "udp" })).toEqual({ net: "udp", host: "10.1.2.3", port: 53 });
  });

  test("[ipv6]:port", () => {
    expect(parseDial("[::1]:8080")).toEqual({ net: "tcp", host: "::1", port: 8080 });
    expect(parseDial("[::ffff:192.0.2.1]:80")).toEqual({ net: "tcp", host: "::ffff:192.0.2.1", port: 80 });
  });

  test("a bare host, [ipv6] or IPv6 literal takes the default port", () => {
    const opts = { defaultPort: 564 };
    expect(parseDial("fs.example.org", opts)).toEqual({ net: "tcp", host: "fs.example.org", port: 564 });
    expect(parseDial("192.0.2.7", opts)).toEqual({ net: "tcp", host: "192.0.2.7", port: 564 });
    expect(parseDial("[2001:db8::7]", opts)).toEqual({ net: "tcp", host: "2001:db8::7", port: 564 });
    expect(parseDial("2001:db8::7", opts)).toEqual({ net: "tcp", host: "2001:db8::7", port: 564 });
  });

  test("a bare host without a default port is an error", () => {
    expect(attempt("example.org")).toBe('missing port in "example.org"');
    expect(attempt("[::1]")).toBe('missing port in "[::1]"');
  });

  test("an IPv6 literal without brackets cannot carry a port", () => {
    expect(attempt("::1")).toBe('missing port in "::1" (an IPv6 address with a port is written [addr]:port)');
    expect(attempt("::1", { defaultPort: 80 })).toEqual({ net: "tcp", host: "::1", port: 80 });
    expect(attempt("a:b:c")).toBe(
      'bad address "a:b:c" in "a:b:c" (an IPv6 address with a port is written [addr]:port)',
    );
  });

  test("an empty port after a colon is an error even with a default", () => {
    expect(attempt("host:", { defaultPort: 80 })).toBe('missing port in "host:"');
    expect(attempt("[::1]:", { defaultPort: 80 })).toBe('missing port in "[::1]:"');
  });

  test("an unclosed bracket is an error", () => {
    expect(attempt("[::1")).toBe('missing "]" in "[::1"');
    expect(attempt("[::1:80")).toBe('missing "]" in "[::1:80"');
  });

  test("only IPv6 goes in brackets", () => {
    expect(attempt("[1.2.3.4]:80")).toBe('bad IPv6 address "1.2.3.4" in "[1.2.3.4]:80"');
    expect(attempt("[example.org]:80")).toBe('bad IPv6 address "example.org" in "[example.org]:80"');
  });

  test("text after the closing bracket must be a port", () => {
    expect(attempt("[::1]80")).toBe('junk after "]" in "[::1]80"');
  });

  test("the wildcard is only written as a dial string", () => {
    expect(attempt("*:80")).toBe('bad host "*" in "*:80" (a wildcard is written tcp!*!port)');
    expect(attempt("*:80", { allowWildcard: true })).toBe('bad host "*" in "*:80" (a wildcard is written tcp!*!port)');
  });

  test("an empty host is an error", () => {
    expect(attempt(":80")).toBe('missing host in ":80"');
    expect(attempt("", { defaultPort: 80 })).toBe('missing host in ""');
  });
});

describe("parseDial: hosts", () => {
  const ok = (host: string) => expect(parseDial(`tcp!${host}!1`)).toEqual({ net: "tcp", host, port: 1 });

  test("DNS names may use letters, digits, hyphens, underscores and a final dot", () => {
    for (
      const h of ["localhost", "a", "irc.example.org", "x-1.example", "_srv.example.org", "example.org.", "3com.com"]
    ) {
      ok(h);
    }
  });

  test("a label may not start or end with a hyphen, nor be empty or over 63 chars", () => {
    for (const h of ["-a.org", "a-.org", "a..org", ".org", `${"a".repeat(64)}.org`, "a b", "a/b", "ex@mple"]) {
      expect(attempt(`tcp!${h}!1`)).toBe(`bad host ${JSON.stringify(h)} in ${JSON.stringify(`tcp!${h}!1`)}`);
    }
  });

  test("names are limited to 253 chars", () => {
    const label = "a".repeat(63);
    const name = [label, label, label, "a".repeat(61)].join(".");
    expect(name).toHaveLength(253);
    ok(name);
    expect(attempt(`tcp!${name}a!1`)).toStartWith("bad host");
  });

  test("IPv4 octets are 0-255 without leading zeros", () => {
    ok("0.0.0.0");
    ok("255.255.255.255");
    expect(attempt("1.2.3.256:80")).toBe('bad IPv4 address "1.2.3.256" in "1.2.3.256:80"');
    expect(attempt("010.0.0.1:80")).toBe('bad IPv4 address "010.0.0.1" in "010.0.0.1:80"');
    expect(attempt("1.2.3:80")).toBe('bad IPv4 address "1.2.3" in "1.2.3:80"');
    expect(attempt("1.2.3.4.5:80")).toBe('bad IPv4 address "1.2.3.4.5" in "1.2.3.4.5:80"');
  });

  test("IPv6 literals may be full, compressed or end in a dotted quad", () => {
    for (
      const h of [
        "2001:db8:0:0:0:0:0:1",
        "2001:DB8::1",
        "::",
        "::1",
        "fe80::",
        "::ffff:10.0.0.1",
        "64:ff9b::192.0.2.33",
      ]
    ) {
      ok(h);
    }
  });

  test("malformed IPv6 literals are refused", () => {
    for (const h of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::1.2.3.4:5", "fe80::1%eth0", ":1", "1:"]) {
      expect(attempt(`tcp!${h}!1`)).toBe(`bad IPv6 address ${JSON.stringify(h)} in ${JSON.stringify(`tcp!${h}!1`)}`);
    }
  });
});

describe("parseDial: ports", () => {
  test("ports run from 0 to 65535", () => {
    expect(parseDial("h:0")).toEqual({ net: "tcp", host: "h", port: 0 });
    expect(parseDial("h:65535")).toEqual({ net: "tcp", host: "h", port: 65535 });
    expect(attempt("h:65536")).toBe('bad port "65536" in "h:65536" (0-65535)');
    expect(attempt("tcp!x!70000")).toBe('bad port "70000" in "tcp!x!70000" (0-65535)');
  });

  test("signs, spaces and other notations are not ports", () => {
    for (const p of ["+80", "-1", " 80", "80 ", "0x50", "8e1", "80.0", "١٢"]) {
      expect(attempt(`h:${p}`)).toBe(`bad port ${JSON.stringify(p)} in ${JSON.stringify(`h:${p}`)} (0-65535)`);
    }
  });

  test("minPort raises the lowest port accepted", () => {
    expect(attempt("h:0", { minPort: 1 })).toBe('bad port "0" in "h:0" (1-65535)');
    expect(parseDial("h:1", { minPort: 1 })).toEqual({ net: "tcp", host: "h", port: 1 });
  });

  test("a default port outside the range is reported as a DialError", () => {
    expect(attempt("h", { defaultPort: 70000 })).toBe('bad default port 70000 in "h" (0-65535)');
    expect(attempt("h", { defaultPort: 0, minPort: 1 })).toBe('bad default port 0 in "h" (1-65535)');
  });
});

describe("DialError", () => {
  test("is an Error named DialError", () => {
    const e = (() => {
      try {
        parseDial("tcp!host");
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(DialError);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).name).toBe("DialError");
  });

  test("quotes control characters and shortens long input", () => {
    expect(attempt("tcp!\x1b[2J!1")).toBe('bad host "\\u001b[2J" in "tcp!\\u001b[2J!1"');
    const cut = `"${"a".repeat(77)}..."`;
    expect(attempt("a".repeat(300))).toBe(`bad host ${cut} in ${cut}`);
  });
});

describe("formatDial and formatHostPort", () => {
  test("format each kind of address", () => {
    const v4: DialAddress = { net: "udp", host: "10.0.0.1", port: 53 };
    const v6: DialAddress = { net: "tcp", host: "::1", port: 80 };
    const unix: DialAddress = { net: "unix", path: "/tmp/s" };
    expect([formatDial(v4), formatDial(v6), formatDial(unix)]).toEqual([
      "udp!10.0.0.1!53",
      "tcp!::1!80",
      "unix!/tmp/s",
    ]);
    expect([formatHostPort(v4), formatHostPort(v6), formatHostPort(unix)]).toEqual([
      "10.0.0.1:53",
      "[::1]:80",
      "/tmp/s",
    ]);
  });
});

describe("IP literals", () => {
  test("canonicalIp gives RFC 5952 text for IPv6", () => {
    const cases: [string, string][] = [
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["2001:0db8::0001", "2001:db8::1"],
      ["0:0:0:0:0:0:0:0", "::"],
      ["0:0:0:0:0:0:0:1", "::1"],
      ["1:0:0:2:0:0:0:3", "1:0:0:2::3"], // the longest run is compressed
      ["1:0:0:2:3:0:0:4", "1::2:3:0:0:4"], // the first of equal runs
      ["1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"], // a single zero group stays
      ["1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"],
      ["::1.2.3.4", "::102:304"],
      ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ];
    for (const [input, canonical] of cases) expect(canonicalIp(input)).toBe(canonical);
  });

  test("canonicalIp turns IPv4-mapped IPv6 into IPv4", () => {
    expect(canonicalIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(canonicalIp("0:0:0:0:0:FFFF:c000:0201")).toBe("192.0.2.1");
  });

  test("canonicalIp keeps IPv4 and rejects non-literals", () => {
    expect(canonicalIp("192.0.2.1")).toBe("192.0.2.1");
    for (const s of ["", "[::1]", "example.org", "1.2.3.04", "1.2.3", "::1%lo", " ::1", "1.2.3.4 "]) {
      expect(canonicalIp(s)).toBeNull();
    }
  });

  test("ipKind tells IPv4, IPv6 and neither apart", () => {
    expect(ipKind("192.0.2.1")).toBe(4);
    expect(ipKind("::ffff:192.0.2.1")).toBe(6);
    expect(ipKind("::")).toBe(6);
    expect(ipKind("localhost")).toBe(0);
    expect(ipKind("")).toBe(0);
  });

  test("isLoopback covers 127/8 and ::1 in any spelling", () => {
    for (const s of ["127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "::FFFF:7f00:1"]) {
      expect(isLoopback(s)).toBe(true);
    }
    for (const s of ["128.0.0.1", "10.127.0.1", "::2", "::", "::127.0.0.1", "localhost", "[::1]", "", "127.0.0.01"]) {
      expect(isLoopback(s)).toBe(false);
    }
  });

  test("ipValue puts both families on one 128-bit scale, IPv4 as IPv4-mapped", () => {
    expect(ipValue("::")).toBe(0n);
    expect(ipValue("::1")).toBe(1n);
    expect(ipValue("10.0.0.1")).toBe((0xffffn << 32n) | 0x0a000001n);
    expect(ipValue("::ffff:10.0.0.1")).toBe(ipValue("10.0.0.1"));
    expect(ipValue("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(2n ** 128n - 1n);
    for (const s of ["", "localhost", "[::1]", "1.2.3.04", "::1%lo"]) expect(ipValue(s)).toBeNull();
  });
});

/**
 * Fuzz target `dial`: the operator's addresses (lib/dial.ts), dial strings,
 * `host:port` and the IP literal helpers.
 *
 * @module
 */
import { expect } from "bun:test";
import { isIP } from "node:net";
import fc from "fast-check";
import {
  canonicalIp,
  type DialAddress,
  DialError,
  formatDial,
  formatHostPort,
  ipKind,
  ipValue,
  isLoopback,
  parseDial,
} from "../../../../lib/dial.ts";
import { outcome } from "../../expect.ts";
import { defineTarget } from "../../target.ts";

// Octets at and past the bound (255, 256), and with leading zeros, which IPv4 literals refuse.
const octet = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.constantFrom("255", "256", "999", "00", "01", "0255", ""),
);
// Groups of 0 to 5 hex digits, 6 to 9 of them, with or without one `::`: IPv6 near its bounds.
const group = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF".split("")), maxLength: 5 });
const nearV6 = fc.tuple(fc.array(group, { minLength: 6, maxLength: 9 }), fc.nat(9), fc.boolean()).map(
  ([groups, at, compress]) => {
    if (!compress) return groups.join(":");
    const cut = Math.min(at, groups.length);
    return `${groups.slice(0, cut).join(":")}::${groups.slice(cut).join(":")}`;
  },
);

// Strings in the neighbourhood of IP literals, to exercise near misses.
const ipLike = fc.oneof(
  fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join(".")),
  nearV6,
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV6().map((s) => s.toUpperCase()),
  fc.ipV4Extended(),
  // IPv4-mapped forms, which canonicalIp turns into IPv4.
  fc.tuple(fc.constantFrom("::ffff:", "::FFFF:", "0:0:0:0:0:ffff:"), fc.ipV4()).map(([p, v4]) => p + v4),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.".split("")), maxLength: 45 }),
);

const dialLike = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(..."tcpudnix!*[]:.0123456789abf-/".split("")), maxLength: 30 }),
  // Near misses of every form: a network, a host (or brackets), a port.
  fc.tuple(
    fc.constantFrom("tcp!", "udp!", "net!", "unix!", "il!", "", "["),
    fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.constantFrom("*", "", "[::1]", "[x]", "-a.b", "1.2.3.256")),
    fc.constantFrom("", "!", "!80", "!0", "!65536", "!x", "!1!2", ":", ":80", "]:80", "]", "]x", "\0"),
  ).map((parts) => parts.join("")),
);

const port = fc.integer({ min: 0, max: 65535 });
const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
const address: fc.Arbitrary<DialAddress> = fc.oneof(
  fc.record({ net: fc.constantFrom("tcp" as const, "udp" as const), host: fc.oneof(host, fc.constant("*")), port }),
  fc.record({
    net: fc.constant("unix" as const),
    path: fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).filter((p) => !p.includes("\0")),
  }),
);

const options = fc.record({
  defaultNet: fc.constantFrom("tcp" as const, "udp" as const),
  defaultPort: fc.option(fc.integer({ min: -1, max: 70000 }), { nil: undefined }),
  allowWildcard: fc.boolean(),
  allowUnix: fc.boolean(),
  minPort: fc.integer({ min: 0, max: 2 }),
});

/** The dial-string parser and IP literal helpers. */
export const dial = defineTarget({
  name: "dial",
  about: "dial strings (tcp!host!port, unix!path), host:port and IP literals",
  sources: ["lib/dial.ts"],
  properties: {
    "parseDial throws nothing but DialError on arbitrary strings": {
      property: () =>
        fc.property(dialLike, options, (text, o) => {
          const e = outcome(() => parseDial(text, o), DialError);
          // The message quotes the input (cut at code points, so no pair is split).
          if (e instanceof DialError) {
            expect(e.message).toContain(JSON.stringify(Array.from(text).slice(0, 20).join("")).slice(0, -1));
          }
        }),
      testRuns: 3000,
    },
    "formatDial output parses back to the same address": {
      property: () =>
        fc.property(address, (a) => {
          expect(parseDial(formatDial(a), { allowWildcard: true })).toEqual(a);
        }),
      testRuns: 2000,
    },
    "formatHostPort output parses back to the same address": {
      property: () =>
        fc.property(fc.constantFrom("tcp" as const, "udp" as const), host, port, (net, h, p) => {
          const a: DialAddress = { net, host: h, port: p };
          expect(parseDial(formatHostPort(a), { defaultNet: net })).toEqual(a);
        }),
      testRuns: 2000,
    },
    "canonicalIp agrees with net.isIP on what is an IP, and ipKind on which kind": {
      property: () =>
        fc.property(ipLike, (s) => {
          expect(ipKind(s)).toBe(isIP(s) as 0 | 4 | 6);
          expect(canonicalIp(s) !== null).toBe(isIP(s) !== 0);
        }),
      testRuns: 3000,
    },
    "canonicalIp is idempotent and matches the WHATWG URL serialisation of IPv6": {
      property: () =>
        fc.property(ipLike, (s) => {
          const c = canonicalIp(s);
          if (c === null) return;
          expect(canonicalIp(c)).toBe(c);
          // Bun's URL parser wrongly rejects some literals with a dotted-quad tail.
          const url = `http://[${s}]/`;
          if (ipKind(c) === 6 && URL.canParse(url)) expect(`[${c}]`).toBe(new URL(url).hostname);
        }),
      testRuns: 3000,
    },
    "isLoopback does not depend on the spelling of the address": {
      property: () =>
        fc.property(ipLike, (s) => {
          const c = canonicalIp(s);
          expect(isLoopback(s)).toBe(c !== null && isLoopback(c));
        }),
      testRuns: 2000,
    },
    "ipValue is null exactly for non-literals and does not depend on the spelling": {
      property: () =>
        fc.property(ipLike, (s) => {
          const v = ipValue(s);
          const c = canonicalIp(s);
          expect(v === null).toBe(c === null);
          if (c === null || v === null) return;
          expect(ipValue(c)).toBe(v);
          expect(v >= 0n && v < 1n << 128n).toBe(true);
        }),
      testRuns: 300,
    },
  },
});

/**
 * pzog-ring: lib/pzog/ring.ts, the ring file and the `--ring` list (§3.2)
 * and the `+k` arithmetic on the ring they give.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import {
  defaultRing,
  type Member,
  memberByName,
  parseRingFile,
  parseRingList,
  plus,
  type Ring,
  RING_NAMES,
  RingError,
} from "../../../../lib/pzog/ring.ts";
import { outcome } from "../../expect.ts";
import { defineTarget } from "../../target.ts";

const PEER_PORT = 55552;

/** A valid member name: 1..32 of [A-Za-z0-9_.-], not starting with punctuation. */
const nameArb = fc.tuple(
  fc.constantFrom(..."aZ09lgsm"),
  fc.string({ unit: fc.constantFrom(..."aZ9_.-"), maxLength: 31 }),
).map(([a, b]) => a + b);

/** Hosts as a ring may write them: IPv4, names, IPv6 literals (kept unbracketed). */
const hostArb = fc.oneof(
  fc.ipV4(),
  fc.domain(),
  fc.constantFrom("::1", "fe80::1", "2001:db8::7", "::ffff:10.0.0.1", "localhost"),
);

const portArb = fc.oneof(fc.constantFrom(1, 65535, PEER_PORT), fc.integer({ min: 1, max: 65535 }));

interface Spec {
  name: string;
  host: string;
  peerPort: number | undefined;
  clientPort: number | undefined;
}

const memberSpec = (clientPorts: boolean): fc.Arbitrary<Spec> =>
  fc.record({
    name: nameArb,
    host: hostArb,
    peerPort: fc.option(portArb, { nil: undefined }),
    clientPort: clientPorts ? fc.option(portArb, { nil: undefined }) : fc.constant(undefined),
  });

/** Five members with distinct names and distinct listening host:ports (as the ring compares them). */
const ringSpec = (clientPorts: boolean) =>
  fc.uniqueArray(memberSpec(clientPorts), { minLength: 5, maxLength: 5, selector: (m) => m.name })
    .filter((ms) => {
      const seen = new Set<string>();
      for (const m of ms) {
        const host = m.host.toLowerCase();
        for (const p of [m.peerPort ?? PEER_PORT, ...(m.clientPort === undefined ? [] : [m.clientPort])]) {
          // Hosts differ textually here; ::ffff:10.0.0.1 is the one that canonicalises to IPv4.
          const key = `${host === "::ffff:10.0.0.1" ? "10.0.0.1" : host}:${p}`;
          if (seen.has(key)) return false;
          seen.add(key);
        }
      }
      return true;
    });

const address = (m: Spec) => {
  const host = m.host.includes(":") ? `[${m.host}]` : m.host;
  return m.peerPort === undefined ? host : `${host}:${m.peerPort}`;
};

const expected = (specs: Spec[]): Member[] =>
  specs.map((m, index) => ({
    index,
    name: m.name,
    host: m.host,
    peerPort: m.peerPort ?? PEER_PORT,
    clientPort: m.clientPort,
  }));

const ws = fc.string({ unit: fc.constantFrom(" ", "\t"), minLength: 1, maxLength: 3 });
const edge = fc.string({ unit: fc.constantFrom(" ", "\t"), maxLength: 2 });
const comment = fc.option(fc.string({ maxLength: 12 }).map((s) => `#${s.replace(/[\r\n]/g, "")}`), { nil: "" });

/** Arbitrary text, and text built of ring-file and ring-list pieces. */
const ringishText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom("la=tcp!a!1,test=b,lg=c,sm=d,g=e", "la udp!a!1\n", "la=::1:5555", "la ::1\n"),
  fc.array(
    fc.oneof(
      fc.constantFrom(
        " ",
        "\t",
        "\n",
        "\r\n",
        "#",
        ",",
        "=",
        ":",
        "[",
        "]",
        "!",
        "la",
        "127.0.0.1",
        "::1",
        "65536",
        "0",
      ),
      nameArb,
      hostArb,
      portArb.map(String),
    ),
    { maxLength: 24 },
  ).map((p) => p.join("")),
);

function expectRingError(f: () => Ring): void {
  const ring = outcome(f, RingError);
  if (ring instanceof RingError) {
    expect(ring.message).not.toContain("\n");
    expect(ring.message).toMatch(/^ring (line|entry) \d+: |^ring has \d+ members?, need 5$/);
    return;
  }
  expect(ring.length).toBe(5);
  ring.forEach((m, i) => expect(m.index).toBe(i));
}

/** pzog's ring file and list. */
export const ring = defineTarget({
  name: "pzog-ring",
  about: "pzog's ring file (name host[:port] [clientport]) and --ring list",
  sources: ["lib/pzog/ring.ts"],
  properties: {
    "arbitrary text is a ring of five or a one-line RingError, as a file and as a list": {
      property: () =>
        fc.property(ringishText, (text) => {
          expectRingError(() => parseRingFile(text, PEER_PORT));
          expectRingError(() => parseRingList(text, PEER_PORT));
        }),
    },
    "a written ring file parses back to its members, whatever the spacing, comments and line ends": {
      property: () =>
        fc.property(
          ringSpec(true),
          fc.array(fc.tuple(edge, ws, ws, edge, comment, fc.boolean()), { minLength: 5, maxLength: 5 }),
          fc.boolean(),
          (specs, layout, bom) => {
            const lines = specs.map((m, i) => {
              const [lead, a, b, tail, note, crlf] = layout[i]!;
              const client = m.clientPort === undefined ? "" : `${b}${m.clientPort}`;
              const sep = note === "" ? "" : " ";
              return `${lead}${m.name}${a}${address(m)}${client}${tail}${sep}${note}${crlf ? "\r" : ""}\n${note}\n`;
            });
            const text = `${bom ? "\uFEFF" : ""}${lines.join("")}`;
            expect(parseRingFile(text, PEER_PORT)).toEqual(expected(specs));
          },
        ),
    },
    "a written --ring list parses back to its members": {
      property: () =>
        fc.property(ringSpec(false), fc.array(fc.tuple(edge, edge), { minLength: 5, maxLength: 5 }), (specs, pads) => {
          const list = specs.map((m, i) => `${pads[i]![0]}${m.name}=${address(m)}${pads[i]![1]}`).join(",");
          expect(parseRingList(list, PEER_PORT)).toEqual(expected(specs));
        }),
    },
    "a client port is taken from 1 to 65535 and refused outside": {
      property: () =>
        fc.property(
          fc.oneof(fc.constantFrom(0, 1, 65535, 65536, -1, PEER_PORT), fc.integer({ min: 0, max: 70000 })).map(String),
          (port) => {
            const text = `la 10.0.0.1 ${port}\ntest 10.0.0.2\nlg 10.0.0.3\nsm 10.0.0.4\ng 10.0.0.5\n`;
            const n = Number(port);
            if (n < 1 || n > 65535) {
              expect(() => parseRingFile(text, PEER_PORT)).toThrow(`ring line 1: bad client port "${port}"`);
            } else if (n === PEER_PORT) {
              // The member's own peer port, on the same address.
              expect(() => parseRingFile(text, PEER_PORT)).toThrow("ring line 1: duplicate host:port 10.0.0.1:55552");
            } else expect(parseRingFile(text, PEER_PORT)[0]!.clientPort).toBe(n);
          },
        ),
    },
    "other than five members, a repeated name or a shared host:port is refused": {
      property: () =>
        fc.property(
          ringSpec(false),
          fc.integer({ min: 1, max: 7 }),
          fc.integer({ min: 0, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.constantFrom("count", "name", "address"),
          (specs, count, i, d, fault) => {
            const j = (i + d) % 5;
            let members = specs;
            if (fault === "count") {
              members = Array.from(
                { length: count === 5 ? 6 : count },
                (_, k) => ({ ...specs[k % 5]!, name: `m${k}`, peerPort: k + 1 }),
              );
            }
            if (fault === "name") {
              members = specs.map((m, k) => (k === Math.max(i, j) ? { ...m, name: specs[Math.min(i, j)]!.name } : m));
            }
            if (fault === "address") {
              members = specs.map((m, k) => (k === Math.max(i, j)
                ? { ...m, host: specs[Math.min(i, j)]!.host, peerPort: specs[Math.min(i, j)]!.peerPort ?? PEER_PORT }
                : m)
              );
            }
            const list = members.map((m) =>
              `${m.name}=${address(m)}`
            ).join(",");
            const message = fault === "count"
              ? /^ring has \d+ members?, need 5$/
              : fault === "name"
              ? /^ring entry \d: duplicate name /
              : /^ring entry \d: duplicate host:port /;
            expect(() => parseRingList(list, PEER_PORT)).toThrow(message);
          },
        ),
    },
    "+k of i is the member (i + k) mod 5, and a member is found by its name": {
      property: () =>
        fc.property(
          fc.boolean(),
          portArb,
          fc.integer({ min: -20, max: 20 }),
          fc.integer({ min: -20, max: 20 }),
          (testing, port, i, k) => {
            const r = defaultRing(testing, port);
            expect(r.map((m) => m.name)).toEqual([...RING_NAMES]);
            const m = plus(r, i, k);
            expect(m.index).toBe((((i + k) % 5) + 5) % 5);
            expect(memberByName(r, m.name)).toBe(m);
            expect(m.host).toBe(testing ? `127.0.0.${m.index + 1}` : m.name);
            expect(memberByName(r, `${m.name}x`)).toBeUndefined();
            expect(() => plus([], i, k)).toThrow(RangeError);
          },
        ),
    },
  },
});

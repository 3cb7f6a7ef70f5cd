/**
 * kdos-mailbox: response mailboxes, the `--mailboxes` table and the
 * `--allow-from` CIDR list (lib/kdos/mailbox.ts), and the anti-reflection
 * rule that decides where a reply may go.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import {
  type Cidr,
  formatMailbox,
  inCidr,
  type MailboxAddress,
  mayReply,
  parseCidrList,
  parseMailbox,
  parseMailboxTable,
} from "../../../../lib/kdos/mailbox.ts";
import { defineTarget } from "../../target.ts";

/**
 * A `--mailboxes` table: two plain names and one of 65 characters.
 *
 * @example
 * ```ts
 * parseMailbox("sensorA", TABLE); // { ip: "127.0.0.1", port: 7101 }
 * ```
 */
export const TABLE: ReadonlyMap<string, MailboxAddress> = new Map([
  ["sensorA", { ip: "127.0.0.1", port: 7101 }],
  ["plc-2.lab_x", { ip: "10.0.0.5", port: 7200 }],
  ["x".repeat(65), { ip: "127.0.0.1", port: 1 }],
]);
/**
 * No mailbox table.
 *
 * @example
 * ```ts
 * parseMailbox("sensorA", none); // undefined: no such mailbox
 * ```
 */
export const none: ReadonlyMap<string, MailboxAddress> = new Map();

const symbol = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."aZ09._-"), minLength: min, maxLength: max });

/** Addresses a table line may give, each valid. */
const tableAddress = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([ip, p]) => `${ip}:${p}`),
  fc.tuple(fc.constantFrom("::1", "fe80::1", "2001:db8::7"), fc.integer({ min: 1, max: 65535 })).map(([ip, p]) =>
    `[${ip}]:${p}`
  ),
  fc.tuple(fc.domain(), fc.constantFrom(1, 65535, 7200)).map(([h, p]) => `udp!${h}!${p}`),
  fc.constantFrom("localhost:7103", "udp!127.0.0.1!1"),
);

/** The 32-bit value of a dotted quad, written independently of lib/dial.ts. */
const v4 = (ip: string) => ip.split(".").reduce((v, o) => v * 256 + Number(o), 0);

/** kdosd's mailboxes and address lists. */
export const mailbox = defineTarget({
  name: "kdos-mailbox",
  about: "kdosd's response mailboxes, --mailboxes table, --allow-from CIDR list and reply rule",
  sources: ["lib/kdos/mailbox.ts"],
  properties: {
    "a mailbox never throws, and what it gives formats and parses back to itself": {
      testRuns: 3000,
      property: () => {
        const token = fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.string({ unit: fc.constantFrom(..."udp!:[]0123456789.afAF*localhost".split("")), maxLength: 30 }),
          fc.constantFrom("sensorA", "plc-2.lab_x", "x".repeat(65), "tcp!127.0.0.1!1", "udp!127.0.0.1!0", "a:65536"),
          tableAddress,
        );
        return fc.property(token, (t) => {
          const a = parseMailbox(t, TABLE);
          if (a) expect(parseMailbox(formatMailbox(a), none)).toEqual(a);
        });
      },
    },
    "no source can make kdosd answer its own endpoints or port 0": {
      property: () => {
        const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4().map((a) => `::ffff:${a}`), fc.constant("127.0.0.1"));
        const address = fc.record({ ip, port: fc.integer({ min: 0, max: 65535 }) });
        return fc.property(address, fc.array(address, { maxLength: 3 }), fc.boolean(), (source, owns, allowRemote) => {
          for (const o of owns) expect(mayReply(source, o, owns, allowRemote)).toBe(false);
          expect(mayReply(source, { ip: source.ip, port: 0 }, owns, allowRemote)).toBe(false);
          // Waiving rule (2) never refuses what it would answer.
          if (mayReply(source, source, owns, false)) expect(mayReply(source, source, owns, true)).toBe(true);
        });
      },
    },
    "a written mailbox table reads back, whatever the spacing, comments and blank lines": {
      property: () =>
        fc.property(
          fc.uniqueArray(fc.tuple(symbol(1, 64), tableAddress), { maxLength: 6, selector: ([n]) => n }),
          fc.array(
            fc.tuple(fc.constantFrom("", " ", "\t"), fc.constantFrom(" ", "\t", " \t "), fc.boolean(), fc.boolean()),
          ),
          (entries, layout) => {
            const text = entries.map(([name, address], i) => {
              const [lead, gap, note, cr] = layout[i] ?? ["", " ", false, false];
              return `${lead}${name}${gap}${address}${note ? " # note" : ""}${cr ? "\r" : ""}\n${note ? "#x\n\n" : ""}`;
            }).join("");
            expect(parseMailboxTable(text)).toEqual(entries.map(([name, address]) => ({ name, address })));
          },
        ),
    },
    "any table text is its entries or the first bad line, one line of reason": {
      property: () =>
        fc.property(
          fc.array(
            fc.oneof(
              fc.constantFrom(
                "a 127.0.0.1:1",
                "a [::1]:2",
                "b x",
                "c tcp!h!1",
                "d unix!/x",
                "e udp!*!1",
                "f 1.2.3.4:0",
              ),
              fc.tuple(fc.oneof(symbol(63, 65), fc.string({ maxLength: 6 })), tableAddress).map(([n, a]) =>
                `${n} ${a}`
              ),
              fc.string({ maxLength: 20 }),
            ),
            { maxLength: 6 },
          ),
          (lines) => {
            const r = parseMailboxTable(lines.join("\n"));
            if (Array.isArray(r)) return expect(new Set(r.map((e) => e.name)).size).toBe(r.length);
            expect(r.line).toBeGreaterThanOrEqual(1);
            expect(r.line).toBeLessThanOrEqual(lines.join("\n").split("\n").length);
            expect(r.reason).not.toContain("\n");
          },
        ),
    },
    "an address is in its own /32 or /128 and in no empty list": {
      property: () =>
        fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
          const own = parseCidrList(ip) as readonly Cidr[];
          expect(inCidr(ip, own)).toBe(true);
          expect(inCidr(ip, [])).toBe(false);
        }),
    },
    "IPv4 networks match as their prefix says, and prefixes past /32 are refused": {
      property: () =>
        fc.property(
          fc.ipV4(),
          fc.ipV4(),
          fc.oneof(fc.constantFrom(0, 1, 31, 32, 33), fc.integer({ min: 0, max: 33 })),
          fc.boolean(),
          (net, ip, len, mapped) => {
            const shift = 32 - Math.min(len, 32);
            const netValue = shift === 32 ? 0 : Math.floor(v4(net) / 2 ** shift) * 2 ** shift;
            const first = [24, 16, 8, 0].map((s) => Math.floor(netValue / 2 ** s) % 256).join(".");
            const list = parseCidrList(`${first}/${len}`);
            if (len > 32) return expect(list).toStartWith("--allow-from: bad network");
            if (first !== net && netValue !== v4(net)) {
              expect(parseCidrList(`${net}/${len}`)).toContain(`past /${len}`);
            }
            const inside = Math.floor(v4(ip) / 2 ** shift) === Math.floor(netValue / 2 ** shift);
            expect(inCidr(mapped ? `::ffff:${ip}` : ip, list as readonly Cidr[])).toBe(inside);
          },
        ),
    },
    "IPv6 prefixes take 0..128, and a list is refused at its first bad item": {
      property: () =>
        fc.property(
          fc.array(
            fc.oneof(
              fc.constantFrom(
                "::/0",
                "::1/128",
                "fd00::/8",
                "::1/129",
                "fd00::/08",
                "10.0.0.0/8",
                "10.0.0.1/8",
                "host/8",
                "",
              ),
              fc.ipV6(),
            ),
            { minLength: 1, maxLength: 4 },
          ),
          (items) => {
            const r = parseCidrList(items.join(","));
            const bad = items.some((i) => i === "" || /\/(129|08)$|^host|^10\.0\.0\.1\//.test(i));
            if (bad) expect(r).toStartWith("--allow-from: ");
            else expect(r).toHaveLength(items.length);
          },
        ),
    },
  },
});

/**
 * kdos-config: kdosd's command lines (lib/kdos/config.ts, the `call`
 * sub-command's lib/kdos/call-args.ts) and the sizes they take
 * (lib/kdos/sizes.ts), probed at and past every bound.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseOptions, UsageError } from "../../../../lib/cli.ts";
import { KDOSD_CALL_ARGS } from "../../../../lib/kdos/call-args.ts";
import { KDOSD_ARGS, KDOSD_SINGLE_DASH, kdosdConfig, parseMode, windowOption } from "../../../../lib/kdos/config.ts";
import { parseSize } from "../../../../lib/kdos/sizes.ts";
import { outcome } from "../../expect.ts";
import { commandLines, optionWords } from "../../argv.ts";
import { defineTarget } from "../../target.ts";

const config = (argv: string[], vperrorPrint?: string) =>
  kdosdConfig(parseOptions(argv, KDOSD_ARGS, KDOSD_SINGLE_DASH), vperrorPrint);

const UNITS = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const;

/** Size options: their range in bytes and where the value lands. */
const SIZES = [
  { option: "--max-inline", min: 1, max: 48000, key: "maxInline" },
  { option: "--max-transfer", min: 1, max: 2 ** 30, key: "maxTransfer" },
  { option: "--max-command", min: 512, max: 65507, key: "maxCommand" },
] as const;

/** Plain number options: their range, and the factor to the configuration's unit. */
const NUMBERS = [
  { option: "--max-fds", min: 1, max: 65536, key: "maxFds", scale: 1 },
  { option: "--max-fds-per-owner", min: 0, max: 65536, key: "maxFdsPerOwner", scale: 1 },
  { option: "--idle-close", min: 0, max: 86400 * 365, key: "idleCloseMs", scale: 1000 },
  { option: "--max-conns", min: 1, max: 65536, key: "maxConns", scale: 1 },
  { option: "--stall-timeout", min: 1, max: 86400, key: "stallTimeoutMs", scale: 1000 },
  { option: "--reply-queue", min: 1, max: 1_000_000, key: "replyQueue", scale: 1 },
  { option: "--log-rate", min: 1, max: 1_000_000, key: "logRate", scale: 1 },
] as const;

/** A size spelled with the largest unit that divides it, or as bytes. */
const sizeSpellings = (bytes: number) =>
  fc.constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[]))
    .map((u) => (bytes > 0 && bytes % UNITS[u] === 0 ? `${bytes / UNITS[u]}${u}` : String(bytes)));

const WORDS = optionWords(KDOSD_ARGS, [...KDOSD_SINGLE_DASH.map((k) => `-${k}`), "--", "-x", "--nope"]);

/** Command lines of kdosd's options with plausible and implausible values. */
const argvArb = commandLines(
  WORDS,
  fc.constantFrom("0", "1", "511", "512", "65507", "65508", "48000", "48001", "1K", "1G", "2G", "0660", "8", "17777"),
  fc.constantFrom("none", "/w:4K:0", "/w:4097:0", "udp!127.0.0.1!7010", "unix!/run/k", "linux", "legacy", "lf"),
  fc.constantFrom("--mailbox=none", "--gateway=unix!/run/k", "--window=none", "--flags=legacy"),
);

/** kdosd's command lines. */
export const kdosConfig = defineTarget({
  name: "kdos-config",
  about: "kdosd's and kdosd call's command lines: sizes, modes, windows and limits",
  sources: ["lib/kdos/config.ts", "lib/kdos/call-args.ts", "lib/kdos/sizes.ts"],
  properties: {
    "any command line resolves or fails with a one-line usage error": {
      property: () =>
        fc.property(argvArb, fc.option(fc.constantFrom("1", "0", "-01", "yes", ""), { nil: undefined }), (argv, vp) => {
          const cfg = outcome(() => config(argv, vp), UsageError);
          if (cfg instanceof UsageError) {
            expect(cfg.message).not.toContain("\n");
            return;
          }
          expect(cfg.mailbox !== undefined || cfg.gateways.length > 0).toBe(true);
          expect(cfg.maxCommand).toBeGreaterThanOrEqual(512);
          expect(cfg.maxInline).toBeLessThanOrEqual(48000);
          expect(cfg.createMode).toBeLessThanOrEqual(0o7777);
        }),
    },
    "every size option takes exactly its range in any unit, probed at and past its bounds": {
      property: () =>
        fc.property(
          fc.constantFrom(...SIZES).chain((s) =>
            fc.tuple(
              fc.constant(s),
              fc.oneof(
                fc.constantFrom(s.min - 1, s.min, s.max, s.max + 1, s.max + 1024, 0),
                fc.integer({ min: s.min, max: s.max }),
              ).chain(sizeSpellings),
            )
          ),
          ([s, text]) => {
            const bytes = Number(parseSize(text));
            if (bytes >= s.min && bytes <= s.max) expect(config([s.option, text])[s.key]).toBe(bytes);
            else expect(() => config([s.option, text])).toThrow(`${s.option}: bad size "${text}"`);
          },
        ),
    },
    "sizes are 1..16 digits and an upper-case K, M or G": {
      property: () =>
        fc.property(
          fc.string({ unit: fc.constantFrom(..."0123456789KMGkmgT -"), maxLength: 18 }),
          (text) => {
            const m = /^([0-9]{1,16})([KMG]?)$/.exec(text);
            expect(parseSize(text)).toBe(m ? BigInt(m[1]!) * BigInt(UNITS[m[2] as keyof typeof UNITS]) : undefined);
          },
        ),
    },
    "every number option takes exactly its range, probed at and past its bounds": {
      property: () =>
        fc.property(
          fc.constantFrom(...NUMBERS).chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.oneof(fc.constantFrom(n.min - 1, n.min, n.max, n.max + 1), fc.integer({ min: n.min, max: n.max })),
            )
          ),
          ([n, v]) => {
            if (v >= n.min && v <= n.max) expect(config([`${n.option}=${v}`])[n.key]).toBe(v * n.scale);
            else expect(() => config([`${n.option}=${v}`])).toThrow(`${n.option}: bad value`);
          },
        ),
    },
    "modes are 1..5 octal digits up to 07777": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.constantFrom("7777", "07777", "10000", "17777", "00000", "000000", "8", "", "-1", "0o7"),
            fc.string({ unit: fc.constantFrom(..."012345678"), maxLength: 6 }),
          ),
          fc.constantFrom("--create-mode", "--gateway-mode", "--window-mode"),
          (text, option) => {
            const want = /^[0-7]{1,5}$/.test(text) && parseInt(text, 8) <= 0o7777 ? parseInt(text, 8) : undefined;
            expect(parseMode(text)).toBe(want);
            if (want === undefined) expect(() => config([option, text])).toThrow(`${option}: bad mode`);
          },
        ),
    },
    "a window option is a window, none, or one usage error naming --window": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.constantFrom(
              "none",
              "/w:4K:0",
              "/w:4K:FFFFFFFFFFFFF001",
              "w:4K:0",
              "/w:4K",
              "/w:1025G:0",
              "/w:4K:(nil)",
            ),
            fc.string({ maxLength: 20 }),
          ),
          (text) => {
            const w = outcome(() => windowOption(text), UsageError);
            if (w instanceof UsageError) {
              expect(w.message).toStartWith("--window: ");
              expect(w.message).not.toStartWith("--window: --window: ");
              expect(w.message).not.toContain("\n");
            } else if (w === undefined) expect(text).toBe("none");
            else expect(w.size % 4096n).toBe(0n);
          },
        ),
    },
    "VPERROR_PRINT turns vperror on exactly for a non-zero integer": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.string({ unit: fc.constantFrom(..."+-0129 x"), maxLength: 5 }),
            fc.constantFrom("1", "0", "-0", "007"),
          ),
          (vp) => {
            const integer = /^[+-]?[0-9]+$/.test(vp);
            expect(config([], vp).vperror).toBe(integer && /[1-9]/.test(vp));
          },
        ),
    },
    "kdosd call's options take its words in order, or fail with a usage error": {
      property: () =>
        fc.property(
          fc.array(
            fc.oneof(
              fc.constantFrom("--to", "--from", "--tag", "--timeout", "--raw", "--decode", "--", "--nope", "-x"),
              fc.constantFrom("STAT", "a", "READX", "3", "udp!127.0.0.1!7010", "-1"),
            ),
            { maxLength: 8 },
          ),
          (argv: string[]) => {
            const args = outcome(() => parseOptions(argv, KDOSD_CALL_ARGS), UsageError);
            if (args instanceof UsageError) return;
            expect(args.words.every((w) => argv.includes(w))).toBe(true);
            expect(args.to).toBeString();
            expect(args.timeout).toBeString();
          },
        ),
    },
  },
});

/**
 * psprog-options: psprog's command line (lib/pzog/psprog-options.ts, §7)
 * resolved to its targets, timings and content, and its `-j` report.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseOptions, UsageError } from "../../../../lib/cli.ts";
import { Fatal } from "../../../../lib/exit.ts";
import { PSPROG_ARGS, psprogConfig, showPsprogConfig } from "../../../../lib/pzog/psprog-options.ts";
import { outcome } from "../../expect.ts";
import { commandLines, optionWords } from "../../argv.ts";
import { defineTarget } from "../../target.ts";

const enc = new TextEncoder();

function psprog(argv: string[], ringText?: string, seed = 42) {
  const warnings: string[] = [];
  const cfg = psprogConfig(parseOptions(argv, PSPROG_ARGS), ringText, seed, (t) => warnings.push(t));
  return { cfg, warnings };
}

const WORDS = optionWords(PSPROG_ARGS, [
  "-r",
  "-s",
  "-T",
  "-i",
  "-n",
  "-m",
  "-p",
  "-j",
  "-v",
  "-V",
  "--",
  "-x",
]);

const RING_FILE = "la 10.0.0.1 7001\ntest 10.0.0.2\nlg 10.0.0.3\nsm 10.0.0.4\ng 10.0.0.5\n";

/** Command lines of psprog's options with plausible and implausible values. */
const argvArb = commandLines(
  WORDS,
  fc.constantFrom(
    "0",
    "1",
    "-1",
    "0.5",
    "86400",
    "86401",
    "65536",
    "4294967295",
    "4294967296",
    "la",
    "lg",
    "10.0.0.3",
  ),
  fc.constantFrom("hello", "keepalive", "quit", "", "a\tb", "a\u0001", "x".repeat(61), "x".repeat(480)),
  fc.constantFrom("la=a,test=b,lg=c,sm=d,g=e", "la=a"),
);

/** Valid fixed content per §4.2, judged independently of the codec: 1..479 octets, no controls, no keyword. */
function validContent(text: string): boolean {
  const octets = enc.encode(text).length;
  // deno-lint-ignore no-control-regex
  return octets >= 1 && octets <= 479 && !/[\x00-\x08\x0a-\x1f\x7f]/.test(text) &&
    !["keepalive", "keepAlive", "quit"].includes(text) && !/\p{Cs}/u.test(text);
}

/** Text of a length near 60 and 479 octets, with multi-octet characters. */
const messageArb = fc.oneof(
  fc.constantFrom(59, 60, 61, 478, 479, 480).chain((n) =>
    fc.constantFrom("a", "é", "€", "🚀").map((c) => {
      let s = "";
      while (enc.encode(s + c).length <= n) s += c;
      return s + "z".repeat(n - enc.encode(s).length);
    })
  ),
  fc.string({ maxLength: 80 }),
  fc.constantFrom("keepalive", "keepAlive", "quit", "", "\u0085", "a\u007fb"),
);

/** psprog's command line. */
export const psprogOptions = defineTarget({
  name: "psprog-options",
  about: "psprog's command line resolved to targets, timings and content, and its -j report",
  sources: ["lib/pzog/psprog-options.ts"],
  properties: {
    "any command line resolves or fails with a one-line usage or configuration error": {
      property: () =>
        fc.property(
          argvArb,
          fc.option(fc.constantFrom(RING_FILE, "la a\n"), { nil: undefined }),
          fc.nat(),
          (argv, ringText, seed) => {
            const cfg = outcome(() => psprog(argv, ringText, seed).cfg, UsageError, Fatal);
            if (cfg instanceof Error) {
              expect(cfg.message).not.toContain("\n");
              return;
            }
            expect(cfg.targets.length).toBe(cfg.strategy === "specific" ? 1 : 5);
            const c = cfg.content();
            expect(validContent(c)).toBe(true);
            const shown = showPsprogConfig(cfg).split("\n");
            expect(shown[0]).toBe(`strategy ${cfg.strategy}`);
            expect(shown).toContain(`count ${cfg.count}`);
            expect(shown).toContain(`interval ${cfg.intervalMs / 1000}`);
            expect(shown.slice(shown.indexOf("targets") + 1, -1)).toEqual(
              cfg.targets.map((t) => `  ${t.label} ${t.host}:${t.port}`),
            );
          },
        ),
    },
    "-m takes exactly valid content, and warns past 60 octets": {
      property: () =>
        fc.property(messageArb, (text) => {
          if (!validContent(text)) {
            expect(() => psprog(["-m", text])).toThrow(UsageError);
            return;
          }
          const { cfg, warnings } = psprog(["-m", text]);
          expect(cfg.content()).toBe(text);
          expect(warnings.length).toBe(enc.encode(text).length > 60 ? 1 : 0);
        }),
    },
    "-s picks a member by name, else by address in a given ring, else the host itself": {
      property: () =>
        fc.property(
          fc.constantFrom("lg", "g", "10.0.0.3", "127.0.0.3", "elsewhere", "LG"),
          fc.constantFrom<string[]>([], ["-T"], ["--ring", "la=a,test=b,lg=10.0.0.3,sm=d,g=e"], ["-r"]),
          fc.boolean(),
          (host, more, file) => {
            const argv = ["-s", host, ...more];
            if (more[0] === "-r") return expect(() => psprog(argv)).toThrow("-r and -s exclude each other");
            const { cfg } = psprog(argv, file ? RING_FILE : undefined);
            expect(cfg.strategy).toBe("specific");
            const [t] = cfg.targets;
            const addressed = file || more.length > 0;
            const ring = more[0] === "--ring"
              ? ["a", "b", "10.0.0.3", "d", "e"]
              : file
              ? ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]
              : more[0] === "-T"
              ? ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
              : ["la", "test", "lg", "sm", "g"];
            const names = ["la", "test", "lg", "sm", "g"];
            const i = names.includes(host) ? names.indexOf(host) : addressed ? ring.indexOf(host) : -1;
            if (i >= 0) expect(t).toMatchObject({ label: names[i], host: ring[i] });
            else expect(t).toEqual({ label: host, host, port: 55551 });
          },
        ),
    },
    "numbers take exactly their ranges, probed at and past the bounds": {
      property: () => {
        const cases = [
          { option: "--port", min: 1, max: 65535, fraction: false },
          { option: "--seed", min: 0, max: 2 ** 32 - 1, fraction: false },
          { option: "--interval", min: 0, max: 86400, fraction: true },
          { option: "--msgCount", min: -1, max: Number.MAX_SAFE_INTEGER, fraction: false },
          { option: "--timeout", min: 0.001, max: 86400, fraction: true },
        ] as const;
        return fc.property(fc.constantFrom(...cases), fc.constantFrom(-1, 0, 1), fc.boolean(), (c, d, atMax) => {
          const step = c.fraction ? 0.001 : 1;
          const v = (atMax ? c.max : c.min) + d * step;
          const text = c.fraction ? String(Math.round(v * 1000) / 1000) : String(v);
          const ok = v >= c.min && v <= c.max;
          if (!ok) return expect(() => psprog([`${c.option}=${text}`])).toThrow(new RegExp(`^${c.option}: bad value`));
          const { cfg } = psprog([`${c.option}=${text}`]);
          if (c.option === "--port") expect(cfg.targets.every((t) => t.port === v)).toBe(true);
          if (c.option === "--interval") expect(cfg.intervalMs).toBe(Math.round(v * 1000));
          if (c.option === "--timeout") expect(cfg.timeoutMs).toBe(Math.round(v * 1000));
          if (c.option === "--msgCount") expect(cfg.count).toBe(v);
        });
      },
    },
  },
});

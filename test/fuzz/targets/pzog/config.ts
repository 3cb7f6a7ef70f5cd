/**
 * pzog-config: pzog's command line (lib/pzog/config.ts, §3.3) resolved to
 * a configuration, with the ring it chooses, and its `-j` report.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseOptions, UsageError } from "../../../../lib/cli.ts";
import { Fatal } from "../../../../lib/exit.ts";
import { chooseRing, ConfigError, daemonConfig, PZOG_ARGS, showConfig } from "../../../../lib/pzog/config.ts";
import { outcome } from "../../expect.ts";
import { commandLines, optionWords } from "../../argv.ts";
import { defineTarget } from "../../target.ts";

const pzog = (argv: string[], hostname = "lg.example.org", ringText?: string) =>
  daemonConfig(parseOptions(argv, PZOG_ARGS), hostname, ringText);

const YEAR = 86400 * 365;

/** Every number option: its range, whether it takes fractions, and where the result lands. */
const NUMBERS: Array<
  { option: string; min: number; max: number; fraction: boolean; read: (v: number) => [string, number] }
> = [
  { option: "--port", min: 1, max: 65535, fraction: false, read: (v) => ["clientPort", v] },
  { option: "--peer-port", min: 1, max: 65535, fraction: false, read: (v) => ["ring", v] },
  { option: "--window", min: 1, max: 65536, fraction: false, read: (v) => ["window", v] },
  { option: "--seen-max", min: 1, max: 1e8, fraction: false, read: (v) => ["seenMax", v] },
  { option: "--max-clients", min: 1, max: 1e6, fraction: false, read: (v) => ["maxClients", v] },
  { option: "--spool-max", min: 0.001, max: 1 << 20, fraction: true, read: (v) => ["spoolMaxBytes", v * (1 << 20)] },
  ...([
    ["--keepalive", "keepaliveMs", 0.001],
    ["--ack-timeout", "ackTimeoutMs", 0.001],
    ["--connect-timeout", "connectTimeoutMs", 0.001],
    ["--redial-max", "redialMaxMs", 1],
    ["--fsync-interval", "fsyncIntervalMs", 0.001],
    ["--client-idle", "clientIdleMs", 0.001],
    ["--drain-timeout", "drainTimeoutMs", 0],
  ] as const).map(([option, key, min]) => ({
    option,
    min,
    max: YEAR,
    fraction: true,
    read: (v: number): [string, number] => [key, Math.round(v * 1000)],
  })),
];

/** A plain decimal spelling of `v` (no exponent), as an operator writes it. */
const spell = (v: number) => String(Number(v.toFixed(6)));

/** Values at, just inside and just outside an option's bounds, and anywhere between. */
const numberCase = fc.constantFrom(...NUMBERS).chain((n) => {
  const step = n.fraction ? 0.001 : 1;
  return fc.tuple(
    fc.constant(n),
    fc.oneof(
      fc.constantFrom(n.min, n.max, n.min - step, n.max + step, n.min + step, n.max - step, 0, -1),
      n.fraction
        ? fc.integer({ min: 0, max: Math.min(n.max, 1e6) * 1000 }).map((m) => m / 1000)
        : fc.integer({ min: n.min, max: n.max }),
      fc.integer({ min: -5, max: 5 }).map((k) => n.min + k * step / 2),
    ),
  );
});

const WORDS = optionWords(PZOG_ARGS, [
  "-p",
  "-T",
  "-j",
  "-v",
  "-V",
  "-t",
  "-e",
  "--client-port",
  "--showVersion",
  "--",
  "-",
  "-x",
  "--nope",
]);

/** Command lines of pzog's options with plausible and implausible values. */
const argvArb = commandLines(
  WORDS,
  fc.constantFrom(
    "0",
    "1",
    "65535",
    "65536",
    "0.001",
    "-1",
    "1.5",
    "la",
    "lg",
    "g",
    "0.2.2",
    "0.3",
    "never",
    "interval",
    "",
  ),
  fc.tuple(
    fc.constantFrom(...WORDS.filter((w) => w.startsWith("--"))),
    fc.constantFrom("1", "x", "", "0.3", "la=a,test=b,lg=c,sm=d,g=e"),
  )
    .map(([o, v]) => `${o}=${v}`),
);

/** The `-j` report as key → value, ring lines as one entry. */
function report(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.trimEnd().split("\n")) {
    const sp = line.indexOf(" ");
    out.set(sp < 0 ? line : line.slice(0, sp), sp < 0 ? "" : line.slice(sp + 1));
  }
  return out;
}

/** pzog's command line. */
export const config = defineTarget({
  name: "pzog-config",
  about: "pzog's command line and ring choice, resolved to its configuration, and the -j report",
  sources: ["lib/pzog/config.ts"],
  properties: {
    "any command line resolves or fails with a one-line usage or configuration error": {
      property: () =>
        fc.property(
          argvArb,
          fc.constantFrom("lg.example.org", "la", "nowhere", ""),
          fc.option(
            fc.constantFrom(
              "la 10.0.0.1 7001\ntest 10.0.0.2\nlg 10.0.0.3\nsm 10.0.0.4\ng 10.0.0.5\n",
              "la 10.0.0.1\n",
              "oops",
            ),
            { nil: undefined },
          ),
          (argv, host, ringText) => {
            const cfg = outcome(() => pzog(argv, host, ringText), UsageError, Fatal);
            if (cfg instanceof Error) {
              expect(cfg.message).not.toContain("\n");
              if (cfg instanceof ConfigError) expect(cfg.status).toBe(78);
              return;
            }
            expect(cfg.ring[cfg.self]!.name).toBe(cfg.name);
            const shown = report(showConfig(cfg));
            expect(shown.get("name")).toBe(cfg.name);
            expect(shown.get("index")).toBe(String(cfg.self));
            expect(shown.get("client-port")).toBe(String(cfg.clientPort));
            expect(shown.get("window")).toBe(String(cfg.window));
            expect(shown.get("bind")).toBe(cfg.bind ?? cfg.ring[cfg.self]!.host);
            expect(shown.get("fsync")!.split(" ")[0]).toBe(cfg.fsync);
            expect(showConfig(cfg).split("\n").filter((l) => /^ {2}\d /.test(l))).toHaveLength(5);
          },
        ),
    },
    "every number option takes exactly its range, probed at and past its bounds": {
      property: () =>
        fc.property(numberCase, ([n, v]) => {
          const text = spell(v);
          const inRange = v >= n.min && v <= n.max && (n.fraction || Number.isInteger(v));
          if (!inRange) {
            expect(() => pzog([`${n.option}=${text}`])).toThrow(new RegExp(`^${n.option}: bad value`));
            return;
          }
          const cfg = pzog([`${n.option}=${text}`]);
          const [key, want] = n.read(Number(text));
          if (key === "ring") expect(cfg.ring.map((m) => m.peerPort)).toEqual([want, want, want, want, want]);
          else expect(cfg[key as keyof typeof cfg]).toBe(want);
        }),
    },
    "any valid window is taken as given": {
      property: () =>
        fc.property(fc.integer({ min: 1, max: 65536 }), (n) => pzog(["--window", String(n)]).window === n),
    },
    "a ring choice gives the list's ring, else the file's, else the built-in one": {
      property: () =>
        fc.property(
          fc.option(fc.constantFrom("la=a,test=b,lg=c,sm=d,g=e", "la=a", "x"), { nil: undefined }),
          fc.option(fc.constantFrom("la a\ntest b\nlg c\nsm d\ng e2\n", "la a\n"), { nil: undefined }),
          fc.boolean(),
          (list, file, testing) => {
            const ring = outcome(() => chooseRing({ ring: list, testing }, file, 6000), ConfigError);
            if (ring instanceof ConfigError) return;
            const last = ring[4]!.host;
            expect(last).toBe(list !== undefined ? "e" : file !== undefined ? "e2" : testing ? "127.0.0.5" : "g");
          },
        ),
    },
  },
});

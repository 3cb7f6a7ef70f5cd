/**
 * stand-config and burnerd-config: the command lines of standd and
 * burnerd, and helpers for command-line targets. Any argv is a configuration or
 * a usage error (a `Fatal` with its status for burnerd), and every number
 * option takes its bounds and refuses one past them.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseOptions, UsageError } from "../../../../lib/cli.ts";
import { EX, Fatal } from "../../../../lib/exit.ts";
import { BURNERD_ARGS, burnerdConfig } from "../../../../lib/stand/burnerd-config.ts";
import { STANDD_ARGS, standdConfig } from "../../../../lib/stand/config.ts";
import { outcome } from "../../expect.ts";
import { defineTarget } from "../../target.ts";
import { ADDRESSES, argvOf, edge, NUMBERS } from "./argv.ts";

/** standd's [min, max] per number option (the spec's bounds, §4.1). */
const STANDD_BOUNDS: Array<[string, number, number, boolean]> = [
  ["--asked-timeout", 0.001, 86_400, true],
  ["--reconnect-grace", 0.001, 86_400, true],
  ["--burner-idle-timeout", 0.001, 86_400, true],
  ["--max-attempts", 1, 1000, false],
  ["--cd-capacity", 1, Number.MAX_SAFE_INTEGER, false],
  ["--max-frame", 1024, 64 * 1024 * 1024, false],
  ["--max-queue", 1, 10_000_000, false],
  ["--max-conns", 1, 1_000_000, false],
  ["--history", 0, 10_000_000, false],
];

/** standd's command line. */
export const standd = defineTarget({
  name: "stand-config",
  about: "standd's command line (lib/stand/config.ts)",
  sources: ["lib/stand/config.ts"],
  properties: {
    "any command line is a configuration or a usage error": {
      property: () =>
        fc.property(
          argvOf(
            ["--listen", "--http", "--state-dir", "--command-token", "--command-token-file", "--history", "--debug"]
              .concat(STANDD_BOUNDS.map(([o]) => o), ["--open-on-complete", "--unsafe-no-fsync"]),
            [...NUMBERS, ...ADDRESSES],
          ),
          (argv) => {
            const cfg = outcome(() => standdConfig(parseOptions(argv, STANDD_ARGS)), UsageError);
            if (cfg instanceof Error) return;
            expect(cfg.listen.port).toBeGreaterThanOrEqual(0);
            expect(cfg.settings.maxFrame).toBeGreaterThanOrEqual(1024);
          },
        ),
      testRuns: 300,
    },
    "a number option takes its bounds and refuses one past them": {
      property: () =>
        fc.property(
          fc.constantFrom(...STANDD_BOUNDS),
          fc.boolean(),
          fc.boolean(),
          ([option, min, max, frac], hi, past) => {
            const text = edge(min, max, frac, hi, past);
            const cfg = outcome(() => standdConfig(parseOptions([option, text], STANDD_ARGS)), UsageError);
            if (past) expect(cfg).toBeInstanceOf(UsageError);
            else expect(cfg).not.toBeInstanceOf(Error);
          },
        ),
      testRuns: 100,
    },
    "listen addresses: TCP with a wildcard host, --http off, one token source": {
      property: () =>
        fc.property(fc.nat(65535), fc.constantFrom("127.0.0.1", "*", "[::1]", "stand.local"), (port, host) => {
          const listen = host === "*" ? `tcp!*!${port}` : `${host}:${port}`;
          const cfg = standdConfig(parseOptions(["--listen", listen, "--http", "off"], STANDD_ARGS));
          expect(cfg.listen).toEqual({ host: host === "*" ? "0.0.0.0" : host.replace(/[[\]]/g, ""), port });
          expect(cfg.http).toBeUndefined();
          for (
            const argv of [
              ["--listen", `unix:/tmp/s${port}`],
              ["--http", `${host}:${port + 65536}`],
              ["--command-token", "t", "--command-token-file", "f"],
              ["--command-token="],
            ]
          ) expect(outcome(() => standdConfig(parseOptions(argv, STANDD_ARGS)), UsageError)).toBeInstanceOf(UsageError);
        }),
      testRuns: 50,
    },
  },
});

/** burnerd's command line. */
export const burnerd = defineTarget({
  name: "burnerd-config",
  about: "burnerd's command line (lib/stand/burnerd-config.ts)",
  sources: ["lib/stand/burnerd-config.ts"],
  properties: {
    "any command line is a configuration, a usage error or a missing --iso-dir": {
      property: () =>
        fc.property(
          argvOf(
            ["--server", "--device", "--fake", "--iso-dir", "--tool", "--speed", "--id-file", "--drive-type"]
              .concat(["--stdio-rate", "--keep-disc", "--stall-timeout", "-v"]),
            [
              ...NUMBERS,
              ...ADDRESSES,
              "/dev/sr0",
              "sr0",
              "stdio:",
              "stdio:out.iso",
              "/i",
              "isos",
              "xorriso",
              "wodim",
              "CDR",
              "DVD",
              "type=DVD",
              "rate=0",
            ],
          ),
          (argv) => {
            const cfg = outcome(() => burnerdConfig(parseOptions(argv, BURNERD_ARGS), "/home/op"), UsageError, Fatal);
            if (cfg instanceof Fatal) expect<number[]>([EX.USAGE, EX.NOINPUT]).toContain(cfg.status);
            if (cfg instanceof Error) return;
            expect(cfg.isoDir.startsWith("/")).toBe(true);
            expect(cfg.idFile.endsWith(".id") || argv.some((a) => a.startsWith("--id-file"))).toBe(true);
          },
        ),
      testRuns: 300,
    },
    "a device is /dev/… or stdio:PATH, and its basename names the id file": {
      property: () =>
        fc.property(
          fc.constantFrom("/dev/", "stdio:", "stdio:/tmp/", "dev/", ""),
          fc.stringMatching(/^[a-z0-9._-]{0,12}$/),
          fc.constantFrom("cdrskin", "wodim", "xorriso"),
          (prefix, name, tool) => {
            const device = prefix + name;
            const cfg = outcome(
              () =>
                burnerdConfig(parseOptions(["--device", device, "--tool", tool, "--iso-dir", "i"], BURNERD_ARGS), "/w"),
              UsageError,
            );
            const stdio = prefix.startsWith("stdio:");
            const ok = (prefix === "/dev/" || (stdio && device !== "stdio:")) && !(stdio && tool === "wodim");
            expect(cfg instanceof Error).toBe(!ok);
            if (cfg instanceof Error) return;
            expect(cfg.drive).toEqual({ kind: "device", device });
            expect(cfg.driveType).toBe(stdio ? "CDR" : undefined);
            expect(cfg.isoDir).toBe("/w/i");
          },
        ),
      testRuns: 100,
    },
    "numbers take their bounds and refuse one past them": {
      property: () =>
        fc.property(
          fc.constantFrom<[string, number, number]>(["--speed", 1, 999], ["--stall-timeout", 1, 86400], [
            "--stdio-rate",
            1,
            1e12,
          ]),
          fc.boolean(),
          fc.boolean(),
          ([option, min, max], hi, past) => {
            const text = edge(min, max, false, hi, past);
            const argv = ["--device", "stdio:x", option, text, "--iso-dir", "/i", "--drive-type", "DVD"];
            const cfg = outcome(() => burnerdConfig(parseOptions(argv, BURNERD_ARGS), "/"), UsageError);
            if (past) expect(cfg).toBeInstanceOf(UsageError);
            else {
              expect(cfg).not.toBeInstanceOf(Error);
              expect(cfg).toMatchObject({ driveType: "DVD" });
            }
          },
        ),
      testRuns: 60,
    },
    "--server takes HOST[:PORT] with port 1..65535": {
      property: () =>
        fc.property(fc.integer({ min: 0, max: 65536 }), fc.boolean(), (port, unix) => {
          const server = unix ? `unix:/s${port}` : `stand.local:${port}`;
          const cfg = outcome(
            () =>
              burnerdConfig(parseOptions(["--fake=seed=2", "--server", server, "--iso-dir", "/i"], BURNERD_ARGS), "/"),
            UsageError,
          );
          if (unix || port < 1 || port > 65535) expect(cfg).toBeInstanceOf(UsageError);
          else expect(cfg).toMatchObject({ server: { host: "stand.local", port }, idFile: "/var/lib/burnerd/fake.id" });
        }),
      testRuns: 60,
    },
  },
});

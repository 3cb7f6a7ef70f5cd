/**
 * spreed's command line resolved to its configuration: any argv gives a
 * configuration that holds its invariants, or a usage error (64), or the
 * configuration error of a set without the lobby (78), never another
 * exception.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseOptions, UsageError } from "../../../../lib/cli.ts";
import { EX, Fatal } from "../../../../lib/exit.ts";
import { MAX_MSIZE, MIN_MSIZE } from "../../../../lib/ninep/version.ts";
import { SPREED_ARGS, type SpreedConfig, spreedConfig } from "../../../../lib/spree/config.ts";
import { defineTarget } from "../../target.ts";

const ENGINES = ["lobby", "gather", "othello", "chat"];

/** The command line resolved, or the error it was refused with. */
function resolve(argv: readonly string[]): SpreedConfig | Error {
  try {
    return spreedConfig(parseOptions(argv, SPREED_ARGS));
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Fatal && err.status === EX.CONFIG)) return err;
    throw err;
  }
}

/** The number options and their ranges. */
const NUMBERS = [
  { option: "--msize", key: "msize", min: MIN_MSIZE, max: MAX_MSIZE },
  { option: "--max-conns", key: "maxConns", min: 1, max: 1_000_000 },
  { option: "--max-fids", key: "maxFids", min: 1, max: 1_000_000 },
  { option: "--max-cliques", key: "maxCliques", min: 1, max: 1_000_000 },
  { option: "--max-members", key: "maxMembers", min: 1, max: 1_000_000 },
  { option: "--queue-limit", key: "queueLimit", min: 4096, max: 2 ** 30 },
] as const;

/** Option words, values good and bad, and junk. */
const wordArb = fc.oneof(
  fc.constantFrom(
    "-a",
    "--listen",
    "--msize",
    "--users",
    "--catalogue",
    "--engines",
    "--no-new",
    "--inferno",
    "--max-conns",
    "--max-fids",
    "--max-members",
    "--max-cliques",
    "--queue-limit",
    "--debug",
    "--bogus",
    "-x",
    "--",
  ),
  fc.constantFrom(
    "tcp!*!3242",
    "tcp!127.0.0.1!0",
    "unix!/tmp/spree.sock",
    "udp!*!3242",
    "tcp!host",
    "bogus!x!y",
    "256",
    "255",
    "8216",
    "1048601",
    "4096",
    "0",
    "1x",
    "",
    "lobby",
    "lobby,chat",
    " chat , lobby ,,lobby",
    "chat,othello",
    "lobby,whist",
    "default",
    "inferno",
    "/etc/spree/catalogue",
    "operand",
  ),
  fc.string({ maxLength: 8 }),
);

/** lib/spree/config.ts. */
export const config = defineTarget({
  name: "spree-config",
  about: "spreed's command line (listeners, msize, engines, catalogue, limits) resolved to its configuration",
  sources: ["lib/spree/config.ts"],
  properties: {
    "any command line resolves to a consistent configuration or a usage or configuration error": {
      testRuns: 300,
      property: () =>
        fc.property(fc.array(wordArb, { maxLength: 8 }), (argv) => {
          const cfg = resolve(argv);
          if (cfg instanceof Error) return;
          expect(cfg.listen.length).toBeGreaterThan(0);
          for (const l of cfg.listen) expect(l.address.net).not.toBe("udp");
          expect(cfg.engines).toContain("lobby");
          for (const e of cfg.engines) expect(ENGINES).toContain(e);
          expect(new Set(cfg.engines).size).toBe(cfg.engines.length);
          for (const n of NUMBERS) {
            expect(cfg[n.key]).toBeGreaterThanOrEqual(n.min);
            expect(cfg[n.key]).toBeLessThanOrEqual(n.max);
          }
          const args = parseOptions(argv, SPREED_ARGS);
          expect(cfg.newFile).toBe(!args["no-new"] && !args.inferno);
        }),
    },
    "every number option takes its minimum and maximum and refuses one past either": {
      testRuns: 100,
      property: () =>
        fc.property(fc.constantFrom(...NUMBERS), fc.boolean(), fc.constantFrom(0, 1), (n, high, past) => {
          const value = high ? n.max + past : n.min - past;
          const cfg = resolve([`${n.option}=${value}`]);
          if (past === 1) expect(cfg).toBeInstanceOf(UsageError);
          else expect((cfg as SpreedConfig)[n.key]).toBe(value);
        }),
    },
    "an engine list is its known names once each, in order; an unknown name or no lobby is refused": {
      testRuns: 200,
      property: () =>
        fc.property(
          fc.array(fc.constantFrom(...ENGINES, "whist", ""), { maxLength: 6 }),
          fc.constantFrom(",", " ,", ", "),
          (names, sep) => {
            const cfg = resolve(["--engines", names.join(sep)]);
            const given = names.filter((n) => n !== "");
            if (given.some((n) => !ENGINES.includes(n))) expect(cfg).toBeInstanceOf(UsageError);
            else if (!given.includes("lobby")) expect((cfg as Fatal).status).toBe(EX.CONFIG);
            else expect((cfg as SpreedConfig).engines).toEqual([...new Set(given)]);
          },
        ),
    },
    "listeners: tcp and unix dial strings are taken, udp and bad ones refused": {
      testRuns: 100,
      property: () =>
        fc.property(
          fc.array(fc.constantFrom("tcp!*!1", "tcp!127.0.0.1!0", "unix!/tmp/s", "udp!*!1", "nonsense"), {
            maxLength: 3,
          }),
          fc.constantFrom("default", "inferno", "", "/some/file"),
          (listens, catalogue) => {
            const cfg = resolve([...listens.flatMap((l) => ["-a", l]), "--catalogue", catalogue]);
            if (listens.some((l) => l === "udp!*!1" || l === "nonsense") || catalogue === "") {
              expect(cfg).toBeInstanceOf(UsageError);
              return;
            }
            const ok = cfg as SpreedConfig;
            expect(ok.listen.map((l) => l.text)).toEqual(listens.length > 0 ? listens : ["tcp!*!3242"]);
            expect(ok.catalogue).toEqual(
              catalogue === "/some/file"
                ? { kind: "file", path: catalogue }
                : { kind: catalogue as "default" | "inferno" },
            );
          },
        ),
    },
  },
});

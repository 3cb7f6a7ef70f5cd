/**
 * psprog's command line (§7), resolved into what the client needs, and
 * its `-j` report. Pure: the caller reads the ring file and supplies the
 * clock seed.
 *
 * @module
 */
import { numberOption, type OptionsDef, type ParsedOptions, UsageError } from "../cli.ts";
import { contentMax, parseClientLine } from "./codec.ts";
import { chooseRing, CLIENT_PORT, PEER_PORT, RING_ARGS } from "./config.ts";
import { randomContent } from "./content.ts";
import { seededRandom } from "../random.ts";
import { PSPROG_VERSION } from "./help.ts";
import type { Strategy } from "./targets.ts";

/** One place psprog can send to. */
export interface Target {
  /** Member name (or the host, for a host outside the ring). */
  label: string;
  host: string;
  port: number;
}

/** psprog's resolved options. */
export interface PsprogConfig {
  targets: Target[];
  strategy: Strategy;
  intervalMs: number;
  /** Messages to send; -1 for ever. */
  count: number;
  /** Fixed content, or a generator of random content. */
  content: () => string;
  timeoutMs: number;
  logDir: string;
  utc: boolean;
  /** Echo log lines on stdout. */
  verbose: boolean;
  random: () => number;
}

/**
 * psprog's options; numbers stay strings here and are checked by
 * {@link psprogConfig}.
 *
 * @example
 * ```ts
 * parseOptions(["-n", "-1"], PSPROG_ARGS).msgCount; // "-1"
 * ```
 */
export const PSPROG_ARGS = {
  roundRobin: { type: "boolean", alias: ["r"], description: "send to the members in ring order, from index 0" },
  specificHost: {
    type: "string",
    alias: ["s"],
    valueHint: "HOST",
    description: "always send to HOST (member name, host name or IP)",
  },
  testing: RING_ARGS.testing,
  interval: {
    type: "string",
    alias: ["i"],
    valueHint: "SECS",
    description: "delay between sends; fractions allowed; 0 = back to back",
    default: "10",
  },
  msgCount: {
    type: "string",
    alias: ["n"],
    valueHint: "N",
    description: "messages to send; -1 for ever",
    default: "-1",
  },
  message: {
    type: "string",
    alias: ["m"],
    valueHint: "TEXT",
    description: "fixed content (default: random printable text, 32..60 octets)",
  },
  port: {
    type: "string",
    alias: ["p"],
    valueHint: "N",
    description: "client port (a ring-file client-port field overrides it)",
    default: String(CLIENT_PORT),
  },
  ring: RING_ARGS.ring,
  "ring-file": RING_ARGS["ring-file"],
  timeout: { type: "string", valueHint: "SECS", description: "wait this long for each ok", default: "30" },
  seed: { type: "string", valueHint: "N", description: "seed for reproducible random content (default: the clock)" },
  "log-dir": { type: "string", valueHint: "DIR", description: "where psprog.log goes", default: "logs" },
  utc: { type: "boolean", description: "UTC timestamps in psprog.log" },
  justShow: { type: "boolean", alias: ["j"], description: "print the configuration and exit" },
  verbose: { type: "boolean", alias: ["v"], description: "also echo each log line on stdout" },
  // The spec spells it --showVersion; -V and --version are every program's.
  version: { type: "boolean", alias: ["V", "showVersion"], description: `print "psprog ${PSPROG_VERSION}" and exit` },
} as const satisfies OptionsDef;

/**
 * psprog's parsed options.
 *
 * @example
 * ```ts
 * const args: PsprogArgs = parseOptions(process.argv.slice(2), PSPROG_ARGS);
 * ```
 */
export type PsprogArgs = ParsedOptions<typeof PSPROG_ARGS>;

/**
 * Resolve psprog's options. Throws UsageError (64) or ConfigError (78).
 * `warn` receives non-fatal complaints (a fixed message over 60 octets).
 *
 * @example
 * ```ts
 * psprogConfig(parseOptions(["-T", "-s", "lg"], PSPROG_ARGS), undefined, Date.now(), console.warn).targets;
 * // [{ label: "lg", host: "127.0.0.3", port: 55551 }]
 * ```
 */
export function psprogConfig(
  args: PsprogArgs,
  ringFileText: string | undefined,
  seed: number,
  warn: (text: string) => void,
): PsprogConfig {
  if (args.roundRobin && args.specificHost !== undefined) throw new UsageError("-r and -s exclude each other");
  const port = numberOption("--port", args.port, { min: 1, max: 65535 });
  // -T chooses the ring, as pzog's -T does: the built-in names on 127.0.0.1..127.0.0.5.
  const ring = chooseRing({ ring: args.ring, testing: args.testing }, ringFileText, PEER_PORT);
  const members: Target[] = ring.map((m) => ({ label: m.name, host: m.host, port: m.clientPort ?? port }));
  const specific = args.specificHost;
  let targets = members;
  let strategy: Strategy = args.roundRobin ? "round-robin" : "random";
  if (specific !== undefined) {
    strategy = "specific";
    const addressed = ringFileText !== undefined || args.ring !== undefined || args.testing;
    const member = members.find((m) => m.label === specific) ??
      (addressed ? members.find((m) => m.host === specific) : undefined);
    targets = [member ?? { label: specific, host: specific, port }];
  }
  const random = seededRandom(
    args.seed === undefined ? seed : numberOption("--seed", args.seed, { min: 0, max: 2 ** 32 - 1 }),
  );
  let content = () => randomContent(random);
  if (args.message !== undefined) {
    const text = args.message;
    const frame = parseClientLine(new TextEncoder().encode(text), "0.3");
    if ("bad" in frame || frame.kind !== "data") {
      throw new UsageError(`-m: not valid content (printable UTF-8, 1..${contentMax("0.3")} octets, not a keyword)`);
    }
    const octets = new TextEncoder().encode(text).length;
    if (octets > 60) warn(`-m: ${octets}-octet message makes access.log lines over 80 columns`);
    content = () => text;
  }
  return {
    targets,
    strategy,
    intervalMs: Math.round(numberOption("--interval", args.interval, { min: 0, max: 86400, fraction: true }) * 1000),
    count: numberOption("--msgCount", args.msgCount, { min: -1, max: Number.MAX_SAFE_INTEGER }),
    content,
    timeoutMs: Math.round(numberOption("--timeout", args.timeout, { min: 0.001, max: 86400, fraction: true }) * 1000),
    logDir: args["log-dir"],
    utc: args.utc,
    verbose: args.verbose,
    random,
  };
}

/**
 * The `-j` report: the resolved configuration, one `key value` per line,
 * then the targets.
 *
 * @example
 * ```ts
 * showPsprogConfig(cfg).split("\n")[0]; // "strategy random"
 * ```
 */
export function showPsprogConfig(cfg: PsprogConfig): string {
  const targets = cfg.targets.map((t) => `  ${t.label} ${t.host}:${t.port}`);
  return [
    `strategy ${cfg.strategy}`,
    `interval ${cfg.intervalMs / 1000}`,
    `count ${cfg.count}`,
    `timeout ${cfg.timeoutMs / 1000}`,
    `log-dir ${cfg.logDir}`,
    "targets",
    ...targets,
  ].join("\n") + "\n";
}

/**
 * pzog's command line (§3.3) and the configuration it resolves to.
 * Pure: the caller passes the parsed arguments, the host name and the
 * ring file's text.
 *
 * @module
 */
import { numberOption, type OptionsDef, type ParsedOptions } from "../cli.ts";
import { EX, Fatal } from "../exit.ts";
import type { Mode } from "./codec.ts";
import { defaultRing, memberByName, parseRingFile, parseRingList, type Ring, RingError } from "./ring.ts";

/**
 * When writes reach the disk (§5.4).
 *
 * @example
 * ```ts
 * const policy: FsyncPolicy = "interval";
 * ```
 */
export type FsyncPolicy = "always" | "interval" | "never";

/**
 * The product version `-V` prints.
 *
 * @example
 * ```ts
 * `pzog ${PZOG_VERSION}`; // "pzog 0.3.0"
 * ```
 */
export const PZOG_VERSION = "0.3.0";

/**
 * The default client port.
 *
 * @example
 * ```ts
 * numberOption("--port", String(CLIENT_PORT), { min: 1, max: 65535 }); // 55551
 * ```
 */
export const CLIENT_PORT = 55551;

/**
 * The default peer port.
 *
 * @example
 * ```ts
 * defaultRing(true, PEER_PORT)[0].peerPort; // 55552
 * ```
 */
export const PEER_PORT = 55552;

/**
 * The default `--window`: unacknowledged lines in flight per outbound link.
 * 512, not the spec's 128, from bench/pzog.ts's window sweep (issue 11; see
 * docs/pzog.md, PERFORMANCE): 128 left the links waiting for `ok`s and the
 * ring at three quarters of its rate at 512; 1024 gained nothing more.
 *
 * @example
 * ```ts
 * numberOption("--window", String(DEFAULT_WINDOW), { min: 1, max: 65536 }); // 512
 * ```
 */
export const DEFAULT_WINDOW = 512;

/**
 * A configuration error: exit 78 (EX_CONFIG).
 *
 * @example
 * ```ts
 * throw new ConfigError('name "x" is not in the ring (la, test, lg, sm, g)');
 * ```
 */
export class ConfigError extends Fatal {
  constructor(message: string) {
    super(message, EX.CONFIG);
    this.name = "ConfigError";
  }
}

/**
 * Options shared by pzog and psprog for choosing the ring.
 *
 * @example
 * ```ts
 * const PSPROG_RING = { ring: RING_ARGS.ring, "ring-file": RING_ARGS["ring-file"] };
 * ```
 */
export const RING_ARGS = {
  ring: {
    type: "string",
    valueHint: "LIST",
    description: "the ring inline: name=host[:port],… (five members, in ring order)",
  },
  "ring-file": {
    type: "string",
    valueHint: "PATH",
    description: "the ring from a file: lines `name host[:port] [clientport]`",
  },
  testing: { type: "boolean", alias: ["T"], description: "the built-in ring on 127.0.0.1..127.0.0.5" },
} as const satisfies OptionsDef;

/**
 * pzog's options; numbers stay strings here and are checked by
 * {@link daemonConfig}.
 *
 * @example
 * ```ts
 * daemonConfig(parseOptions(["-T", "--name", "lg"], PZOG_ARGS), "myhost", undefined).self; // 2
 * ```
 */
export const PZOG_ARGS = {
  name: {
    type: "string",
    valueHint: "NAME",
    description: "own ring member (default: the host name up to the first dot)",
  },
  ...RING_ARGS,
  port: {
    type: "string",
    alias: ["p", "client-port"],
    valueHint: "N",
    description: "client port",
    default: String(CLIENT_PORT),
  },
  "peer-port": {
    type: "string",
    valueHint: "N",
    description: "peer port for ring entries without one",
    default: String(PEER_PORT),
  },
  bind: {
    type: "string",
    valueHint: "ADDR",
    description: "address both listeners bind (default: own member's address)",
  },
  "log-dir": { type: "string", valueHint: "DIR", description: "where access.log and error.log live", default: "logs" },
  "spool-dir": {
    type: "string",
    valueHint: "DIR",
    description: "peer queues, epoch, seen journal, pzog.pid",
    default: "spool",
  },
  utc: { type: "boolean", description: "UTC timestamps (same 19-character format)" },
  protocol: {
    type: "enum",
    options: ["0.2.2", "0.3"],
    valueHint: "V",
    description: "0.2.2: the strict 2012 bytes; 0.3: ids, durable resend, dedup, bypass",
    default: "0.3",
  },
  keepalive: {
    type: "string",
    valueHint: "SECS",
    description: "idle time before an outbound link says keepalive",
    default: "300",
  },
  "ack-timeout": {
    type: "string",
    valueHint: "SECS",
    description: "wait for ok/ack before a link is declared down",
    default: "30",
  },
  "connect-timeout": { type: "string", valueHint: "SECS", description: "per dial", default: "10" },
  "redial-max": { type: "string", valueHint: "SECS", description: "redial backoff cap", default: "60" },
  window: {
    type: "string",
    valueHint: "N",
    description: "unacknowledged lines in flight per outbound link",
    default: String(DEFAULT_WINDOW),
  },
  fsync: {
    type: "enum",
    options: ["always", "interval", "never"],
    description: "when logs and spools reach the disk",
    default: "interval",
  },
  "fsync-interval": { type: "string", valueHint: "SECS", description: "period for --fsync interval", default: "1" },
  "spool-max": { type: "string", valueHint: "MB", description: "spool cap per peer", default: "256" },
  "seen-max": { type: "string", valueHint: "N", description: "sparse dedup entries (0.3)", default: "100000" },
  "max-clients": { type: "string", valueHint: "N", description: "concurrent client connections", default: "256" },
  "client-idle": {
    type: "string",
    valueHint: "SECS",
    description: "idle client connections are closed",
    default: "600",
  },
  "drain-timeout": {
    type: "string",
    valueHint: "SECS",
    description: "how long SIGTERM waits for peer queues to drain",
    default: "10",
  },
  trace: { type: "string", valueHint: "PATH", description: "(benchmarks) append `<µs> <content>` per logged line" },
  justShow: { type: "boolean", alias: ["j"], description: "print the configuration and exit" },
  verbose: { type: "boolean", alias: ["v"], description: "diagnostics on stderr" },
  // The spec spells it --showVersion; -V and --version are every program's.
  version: { type: "boolean", alias: ["V", "showVersion"], description: `print "pzog ${PZOG_VERSION}" and exit` },
  t: { type: "boolean", description: "legacy, accepted, no effect" },
  e: { type: "boolean", description: "legacy, accepted, no effect" },
} as const satisfies OptionsDef;

/**
 * The options `pzog status` adds to pzog's own (it takes the daemon's
 * command line, and uses its `--spool-dir`).
 *
 * @example
 * ```ts
 * parseOptions(["--json", "--spool-dir", "/var/lib/pzog/spool"], { ...PZOG_ARGS, ...PZOG_STATUS_ARGS }).json; // true
 * ```
 */
export const PZOG_STATUS_ARGS = {
  json: { type: "boolean", description: "print the daemon's JSON document instead of text" },
} as const satisfies OptionsDef;

/**
 * pzog's parsed options.
 *
 * @example
 * ```ts
 * const args: PzogArgs = parseOptions(process.argv.slice(2), PZOG_ARGS);
 * ```
 */
export type PzogArgs = ParsedOptions<typeof PZOG_ARGS>;

/**
 * Everything the daemon needs, resolved and checked.
 *
 * @example
 * ```ts
 * const cfg: DaemonConfig = daemonConfig(args, hostname(), ringText);
 * ```
 */
export interface DaemonConfig {
  name: string;
  self: number;
  ring: Ring;
  mode: Mode;
  clientPort: number;
  bind: string | undefined;
  logDir: string;
  spoolDir: string;
  utc: boolean;
  keepaliveMs: number;
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  redialMaxMs: number;
  window: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  spoolMaxBytes: number;
  seenMax: number;
  maxClients: number;
  clientIdleMs: number;
  drainTimeoutMs: number;
  trace: string | undefined;
  verbose: boolean;
}

/**
 * The options that choose a ring besides `--ring-file`: `--ring`'s list
 * and `-T`.
 *
 * @example
 * ```ts
 * const choice: RingChoice = { ring: "la=a,test=b,lg=c,sm=d,g=e" };
 * ```
 */
export interface RingChoice {
  ring?: string | undefined;
  testing?: boolean;
}

const PORT = { min: 1, max: 65535 };
const seconds = (option: string, text: string, min = 0) =>
  Math.round(numberOption(option, text, { min, max: 86400 * 365, fraction: true }) * 1000);

/**
 * The ring the options choose: `--ring`, else `--ring-file` (its text read
 * by the caller), else the built-in one. Throws ConfigError.
 *
 * @example
 * ```ts
 * chooseRing({ testing: true }, undefined, 55552)[2]; // { name: "lg", host: "127.0.0.3", … }
 * ```
 */
export function chooseRing(choice: RingChoice, ringFileText: string | undefined, peerPort: number): Ring {
  try {
    if (choice.ring !== undefined) return parseRingList(choice.ring, peerPort);
    if (ringFileText !== undefined) return parseRingFile(ringFileText, peerPort);
    return defaultRing(choice.testing === true, peerPort);
  } catch (err) {
    if (err instanceof RingError) throw new ConfigError(err.message);
    throw err;
  }
}

/**
 * Resolve pzog's parsed options. Throws UsageError (exit 64) for a bad
 * number and ConfigError (exit 78) for a bad ring or an unknown own name.
 *
 * @example
 * ```ts
 * daemonConfig(parseOptions(["-T", "--name", "lg"], PZOG_ARGS), "myhost", undefined).self; // 2
 * ```
 */
export function daemonConfig(args: PzogArgs, hostname: string, ringFileText: string | undefined): DaemonConfig {
  const peerPort = numberOption("--peer-port", args["peer-port"], PORT);
  const clientPort = numberOption("--port", args.port, PORT);
  const ring = chooseRing(args, ringFileText, peerPort);
  const name = args.name ?? hostname.split(".")[0]!;
  const self = memberByName(ring, name)?.index ?? -1;
  if (self < 0) throw new ConfigError(`name "${name}" is not in the ring (${ring.map((m) => m.name).join(", ")})`);
  return {
    name,
    self,
    ring,
    mode: args.protocol,
    clientPort: ring[self]!.clientPort ?? clientPort,
    bind: args.bind,
    logDir: args["log-dir"],
    spoolDir: args["spool-dir"],
    utc: args.utc,
    keepaliveMs: seconds("--keepalive", args.keepalive, 0.001),
    ackTimeoutMs: seconds("--ack-timeout", args["ack-timeout"], 0.001),
    connectTimeoutMs: seconds("--connect-timeout", args["connect-timeout"], 0.001),
    redialMaxMs: seconds("--redial-max", args["redial-max"], 1),
    window: numberOption("--window", args.window, { min: 1, max: 65536 }),
    fsync: args.fsync,
    fsyncIntervalMs: seconds("--fsync-interval", args["fsync-interval"], 0.001),
    spoolMaxBytes: numberOption("--spool-max", args["spool-max"], { min: 0.001, max: 1 << 20, fraction: true }) *
      (1 << 20),
    seenMax: numberOption("--seen-max", args["seen-max"], { min: 1, max: 1e8 }),
    maxClients: numberOption("--max-clients", args["max-clients"], { min: 1, max: 1e6 }),
    clientIdleMs: seconds("--client-idle", args["client-idle"], 0.001),
    drainTimeoutMs: seconds("--drain-timeout", args["drain-timeout"]),
    trace: args.trace,
    verbose: args.verbose,
  };
}

/**
 * The `-j` report: the resolved configuration, one `key value` per line.
 *
 * @example
 * ```ts
 * showConfig(cfg).split("\n")[0]; // "name lg"
 * ```
 */
export function showConfig(c: DaemonConfig): string {
  const ring = c.ring.map((m) =>
    `  ${m.index} ${m.name} ${m.host}:${m.peerPort}${m.clientPort ? ` client=${m.clientPort}` : ""}`
  );
  return [
    `name ${c.name}`,
    `index ${c.self}`,
    `protocol ${c.mode}`,
    `client-port ${c.clientPort}`,
    `bind ${c.bind ?? c.ring[c.self]!.host}`,
    `log-dir ${c.logDir}`,
    `spool-dir ${c.spoolDir}`,
    `timestamps ${c.utc ? "utc" : "local"}`,
    `keepalive ${c.keepaliveMs / 1000}`,
    `ack-timeout ${c.ackTimeoutMs / 1000}`,
    `connect-timeout ${c.connectTimeoutMs / 1000}`,
    `redial-max ${c.redialMaxMs / 1000}`,
    `window ${c.window}`,
    `fsync ${c.fsync}${c.fsync === "interval" ? ` ${c.fsyncIntervalMs / 1000}` : ""}`,
    `spool-max ${c.spoolMaxBytes / (1 << 20)}`,
    `seen-max ${c.seenMax}`,
    `max-clients ${c.maxClients}`,
    `client-idle ${c.clientIdleMs / 1000}`,
    `drain-timeout ${c.drainTimeoutMs / 1000}`,
    "ring",
    ...ring,
  ].join("\n") + "\n";
}

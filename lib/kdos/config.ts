/**
 * kdosd's command line (spec §9) and the configuration it resolves to.
 * Pure: files named here (the root, the window, the mailbox table) are
 * opened by the program (lib/kdos/io/).
 *
 * @module
 */
import { numberOption, type OptionsDef, type ParsedOptions, UsageError } from "../cli.ts";
import { parseWindowSpec } from "./region.ts";
import { parseSize } from "./sizes.ts";

/**
 * The product version `-version` prints.
 *
 * @example
 * ```ts
 * `kdosd ${KDOSD_VERSION}`; // "kdosd 1.0.0"
 * ```
 */
export const KDOSD_VERSION = "1.0.0";

/**
 * The long options also accepted after one dash, as the original took them.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta, args: KDOSD_ARGS, singleDash: KDOSD_SINGLE_DASH, run });
 * ```
 */
export const KDOSD_SINGLE_DASH = ["debug", "vperror", "help", "version"] as const;

/**
 * kdosd's options; values stay strings here and are checked by
 * {@linkcode kdosdConfig}.
 *
 * @example
 * ```ts
 * kdosdConfig(parseOptions(["--root", "/srv/kdos"], KDOSD_ARGS)).root; // "/srv/kdos"
 * ```
 */
export const KDOSD_ARGS = {
  debug: { type: "boolean", description: "debug lines (a start-up summary, one line per command) to stdout" },
  vperror: { type: "boolean", description: "vperror messages to stderr (also VPERROR_PRINT=1)" },
  mailbox: {
    type: "string",
    valueHint: "ADDR|none",
    default: "udp!127.0.0.1!7010",
    description: "the UDP command mailbox (udp!*!PORT: every IPv4 address; none: gateways only)",
  },
  gateway: {
    type: "string",
    multiple: true,
    valueHint: "DIAL",
    description: "a stream gateway, tcp!HOST!PORT or unix!/PATH (repeatable)",
  },
  "gateway-mode": { type: "string", valueHint: "MODE", default: "0660", description: "mode of a unix gateway socket" },
  mailboxes: { type: "string", valueHint: "FILE", description: "the mailbox table: lines `name address`" },
  "allow-remote-replies": { type: "boolean", description: "answer a mailbox on another host than the sender's" },
  "allow-from": { type: "string", valueHint: "CIDR,…", description: "accept commands only from these networks" },
  root: { type: "string", valueHint: "DIR", default: "/var/lib/kdosd", description: "the file store" },
  subdirs: { type: "boolean", description: "allow `/` in names (a tree below the root)" },
  noclobber: { type: "boolean", description: "RENAME never replaces an existing file" },
  "create-mode": { type: "string", valueHint: "MODE", default: "0640", description: "mode of created files" },
  flags: {
    type: "enum",
    options: ["linux", "legacy"],
    valueHint: "TABLE",
    default: "linux",
    description: "numeric OPEN flags: linux (generic Linux values) or legacy (BSD/VxWorks)",
  },
  window: {
    type: "string",
    valueHint: "PATH:SIZE:BASE|none",
    default: "/dev/shm/kdosd.window:4M:0",
    description: "the buffer window file, its size and its base address",
  },
  "window-mode": { type: "string", valueHint: "MODE", default: "0660", description: "mode of a created window" },
  "max-fds": { type: "string", valueHint: "N", default: "64", description: "live handles" },
  "max-fds-per-owner": { type: "string", valueHint: "N", default: "0", description: "handles per owner (0: off)" },
  "shared-handles": { type: "boolean", description: "any mailbox may use any handle" },
  "idle-close": {
    type: "string",
    valueHint: "SECS",
    default: "0",
    description: "close handles idle this long (0: off)",
  },
  "sync-close": { type: "boolean", description: "fsync written handles on CLOSE and at shutdown" },
  "max-transfer": { type: "string", valueHint: "BYTES", default: "1M", description: "window READ clamp, WRITE limit" },
  "max-inline": { type: "string", valueHint: "BYTES", default: "32768", description: "READX clamp, WRITEX limit" },
  "max-command": { type: "string", valueHint: "BYTES", default: "65507", description: "longest datagram or line" },
  "max-conns": { type: "string", valueHint: "N", default: "16", description: "stream connections" },
  "stall-timeout": { type: "string", valueHint: "SECS", default: "30", description: "unread replies this long close" },
  "reply-queue": { type: "string", valueHint: "N", default: "256", description: "UDP replies waiting to leave" },
  "udp-eol": {
    type: "enum",
    options: ["mirror", "none", "nul", "lf"],
    valueHint: "EOL",
    default: "mirror",
    description: "UDP reply terminator: the command's own (mirror), none, NUL or LF",
  },
  "log-rate": { type: "string", valueHint: "N", default: "100", description: "log lines per second per output" },
} as const satisfies OptionsDef;

/** A parsed `--window`. */
export interface WindowChoice {
  readonly path: string;
  readonly size: bigint;
  readonly base: bigint;
}

/**
 * What kdosd runs with.
 *
 * @example
 * ```ts
 * const cfg = kdosdConfig(parseOptions([], KDOSD_ARGS));
 * cfg.maxTransfer; // 1048576
 * ```
 */
export interface KdosdConfig {
  debug: boolean;
  /** From `-vperror` or a non-zero VPERROR_PRINT (the program passes its environment). */
  vperror: boolean;
  mailbox: string | undefined;
  gateways: string[];
  gatewayMode: number;
  mailboxes: string | undefined;
  allowRemoteReplies: boolean;
  allowFrom: string | undefined;
  root: string;
  subdirs: boolean;
  noclobber: boolean;
  createMode: number;
  flags: "linux" | "legacy";
  window: WindowChoice | undefined;
  windowMode: number;
  maxFds: number;
  maxFdsPerOwner: number;
  sharedHandles: boolean;
  idleCloseMs: number;
  syncClose: boolean;
  maxTransfer: number;
  maxInline: number;
  maxCommand: number;
  maxConns: number;
  stallTimeoutMs: number;
  replyQueue: number;
  udpEol: "mirror" | "none" | "nul" | "lf";
  logRate: number;
}

/** Largest UDP payload over IPv4 (65,535 − 20 − 8). */
const MAX_DATAGRAM = 65507;
const MAX_INLINE = 48000;

/**
 * An octal mode such as `0660`; undefined if malformed or above 0o7777.
 *
 * @example
 * ```ts
 * parseMode("0640"); // 416
 * ```
 */
export function parseMode(text: string): number | undefined {
  if (!/^[0-7]{1,5}$/.test(text)) return undefined;
  const mode = parseInt(text, 8);
  return mode <= 0o7777 ? mode : undefined;
}

function sizeOption(option: string, text: string, min: number, max: number): number {
  const size = parseSize(text);
  if (size === undefined || size < BigInt(min) || size > BigInt(max)) {
    throw new UsageError(`${option}: bad size "${text}" (${min}..${max}, K/M/G allowed)`);
  }
  return Number(size);
}

function modeOption(option: string, text: string): number {
  const mode = parseMode(text);
  if (mode === undefined) throw new UsageError(`${option}: bad mode "${text}" (octal, such as 0660)`);
  return mode;
}

/**
 * `--window PATH:SIZE:BASE` (spec §4, lib/kdos/region.ts), or undefined for
 * `none`; UsageError when malformed.
 *
 * @example
 * ```ts
 * windowOption("/dev/shm/kdosd.window:4M:0x80000000")?.base; // 2147483648n
 * ```
 */
export function windowOption(text: string): WindowChoice | undefined {
  const window = parseWindowSpec(text);
  if (typeof window === "string") throw new UsageError(window);
  return window;
}

/**
 * Resolve the parsed command line; throws UsageError (64) for a bad value.
 * `vperrorPrint` is the VPERROR_PRINT environment variable.
 *
 * @example
 * ```ts
 * kdosdConfig(parseOptions(["-debug"], KDOSD_ARGS, KDOSD_SINGLE_DASH)).debug; // true
 * ```
 */
export function kdosdConfig(args: ParsedOptions<typeof KDOSD_ARGS>, vperrorPrint?: string): KdosdConfig {
  if (args._.length > 0) throw new UsageError(`unexpected operand "${args._[0]}"`);
  const mailbox = args.mailbox === "none" ? undefined : args.mailbox;
  if (mailbox === undefined && args.gateway.length === 0) {
    throw new UsageError("--mailbox none needs a --gateway: commands would have no way in");
  }
  const maxInline = sizeOption("--max-inline", args["max-inline"], 1, MAX_INLINE);
  return {
    debug: args.debug,
    vperror: args.vperror || /^[+-]?0*[1-9][0-9]*$/.test(vperrorPrint ?? ""),
    mailbox,
    gateways: args.gateway,
    gatewayMode: modeOption("--gateway-mode", args["gateway-mode"]),
    mailboxes: args.mailboxes,
    allowRemoteReplies: args["allow-remote-replies"],
    allowFrom: args["allow-from"],
    root: args.root,
    subdirs: args.subdirs,
    noclobber: args.noclobber,
    createMode: modeOption("--create-mode", args["create-mode"]),
    flags: args.flags,
    window: windowOption(args.window),
    windowMode: modeOption("--window-mode", args["window-mode"]),
    maxFds: numberOption("--max-fds", args["max-fds"], { min: 1, max: 65536 }),
    maxFdsPerOwner: numberOption("--max-fds-per-owner", args["max-fds-per-owner"], { min: 0, max: 65536 }),
    sharedHandles: args["shared-handles"],
    idleCloseMs: numberOption("--idle-close", args["idle-close"], { min: 0, max: 86400 * 365 }) * 1000,
    syncClose: args["sync-close"],
    maxTransfer: sizeOption("--max-transfer", args["max-transfer"], 1, 2 ** 30),
    maxInline,
    maxCommand: sizeOption("--max-command", args["max-command"], 512, MAX_DATAGRAM),
    maxConns: numberOption("--max-conns", args["max-conns"], { min: 1, max: 65536 }),
    stallTimeoutMs: numberOption("--stall-timeout", args["stall-timeout"], { min: 1, max: 86400 }) * 1000,
    replyQueue: numberOption("--reply-queue", args["reply-queue"], { min: 1, max: 1_000_000 }),
    udpEol: args["udp-eol"],
    logRate: numberOption("--log-rate", args["log-rate"], { min: 1, max: 1_000_000 }),
  };
}

/**
 * The `spreed 9p` command line: its commands (ls, stat, read, write,
 * rdwr), what each resolves to, and the command definition a program
 * mounts. The client itself (lib/ninep/io/tool.ts) is loaded only when a
 * command runs, so `--help` loads no socket code.
 *
 * @module
 */
import { defineGnuCommand, type GnuCommand, numberOption, type ParsedOptions } from "../../cli.ts";
import type { ToolStdio } from "../io/tool.ts";
import { MIN_MSIZE } from "../version.ts";
import {
  NINEP_ARGS,
  NINEP_LS_ARGS,
  NINEP_LS_MANUAL,
  NINEP_LS_META,
  NINEP_MANUAL,
  NINEP_MAX_MSIZE,
  NINEP_META,
  NINEP_RDWR_ARGS,
  NINEP_RDWR_MANUAL,
  NINEP_RDWR_META,
  NINEP_READ_ARGS,
  NINEP_READ_MANUAL,
  NINEP_READ_META,
  NINEP_STAT_ARGS,
  NINEP_STAT_MANUAL,
  NINEP_STAT_META,
  NINEP_WRITE_ARGS,
  NINEP_WRITE_MANUAL,
  NINEP_WRITE_META,
} from "./help.ts";

/**
 * Where `spreed 9p` connects and how it attaches.
 *
 * @example
 * ```ts
 * const settings: NinepSettings = { address: "tcp!127.0.0.1!3242", user: "alice", msize: 8216, aname: "" };
 * ```
 */
export interface NinepSettings {
  /** Dial string. */
  address: string;
  /** Tattach's uname. */
  user: string;
  /** Tversion's msize. */
  msize: number;
  /** Tattach's aname. */
  aname: string;
}

/**
 * One command to run, with its operands and options.
 *
 * @example
 * ```ts
 * const request: NinepRequest = { command: "rdwr", path: "new", keepNewline: false };
 * ```
 */
export type NinepRequest =
  | { command: "ls"; paths: string[]; long: boolean }
  | { command: "stat"; path: string; raw: boolean }
  | { command: "read"; path: string; count: number | undefined }
  | { command: "write"; path: string; lines: boolean }
  | { command: "rdwr"; path: string; keepNewline: boolean };

/**
 * The settings the options give; without `-u`, `user` is `envUser` (the
 * environment's USER) unless that is empty, else `none`.
 *
 * @throws {UsageError} for an msize out of range.
 * @example
 * ```ts
 * ninepSettings(parseOptions(["-m", "300"], NINEP_ARGS), "alice");
 * // { address: "tcp!127.0.0.1!3242", user: "alice", msize: 300, aname: "" }
 * ```
 */
export function ninepSettings(args: ParsedOptions<typeof NINEP_ARGS>, envUser: string | undefined): NinepSettings {
  return {
    address: args.address,
    user: args.user ?? (envUser || "none"),
    msize: numberOption("-m", args.msize, { min: MIN_MSIZE, max: NINEP_MAX_MSIZE }),
    aname: args.aname ?? "",
  };
}

/**
 * `spreed 9p` with its commands, printing through `stdio` (default: the
 * process's standard input, output and error). A program mounts it as a
 * sub-command; each command resolves to its exit status.
 *
 * @example
 * ```ts
 * runProgram(defineGnuCommand({ meta: SPREED_META, subCommands: { serve, "9p": ninepCommand() } }));
 * const status = await dispatch(ninepCommand(testStdio), ["-a", address, "ls", "/"], print);
 * ```
 */
export function ninepCommand(stdio?: ToolStdio): GnuCommand {
  const start = async (args: ParsedOptions<typeof NINEP_ARGS>, request: NinepRequest) => {
    const settings = ninepSettings(args, process.env.USER);
    return (await import("../io/tool.ts")).runNinep(settings, request, stdio);
  };
  return defineGnuCommand({
    meta: NINEP_META,
    manual: NINEP_MANUAL,
    args: NINEP_ARGS,
    subCommands: {
      ls: defineGnuCommand({
        meta: NINEP_LS_META,
        manual: NINEP_LS_MANUAL,
        args: { ...NINEP_ARGS, ...NINEP_LS_ARGS },
        run: ({ args }) => start(args, { command: "ls", paths: args.paths, long: args.long }),
      }),
      stat: defineGnuCommand({
        meta: NINEP_STAT_META,
        manual: NINEP_STAT_MANUAL,
        args: { ...NINEP_ARGS, ...NINEP_STAT_ARGS },
        run: ({ args }) => start(args, { command: "stat", path: args.path, raw: args.raw }),
      }),
      read: defineGnuCommand({
        meta: NINEP_READ_META,
        manual: NINEP_READ_MANUAL,
        args: { ...NINEP_ARGS, ...NINEP_READ_ARGS },
        run: ({ args }) => {
          const count = args.count === undefined
            ? undefined
            : numberOption("-c", args.count, { min: 1, max: NINEP_MAX_MSIZE });
          return start(args, { command: "read", path: args.path, count });
        },
      }),
      write: defineGnuCommand({
        meta: NINEP_WRITE_META,
        manual: NINEP_WRITE_MANUAL,
        args: { ...NINEP_ARGS, ...NINEP_WRITE_ARGS },
        run: ({ args }) => start(args, { command: "write", path: args.path, lines: args.lines }),
      }),
      rdwr: defineGnuCommand({
        meta: NINEP_RDWR_META,
        manual: NINEP_RDWR_MANUAL,
        args: { ...NINEP_ARGS, ...NINEP_RDWR_ARGS },
        run: ({ args }) => start(args, { command: "rdwr", path: args.path, keepNewline: args["keep-newline"] }),
      }),
    },
  });
}

/**
 * `spreed 9p` on the process's standard input, output and error: what
 * cmd/spreed.ts mounts as its `9p` sub-command.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: SPREED_META, subCommands: { serve, "9p": NINEP_COMMAND }, default: "serve" });
 * ```
 */
export const NINEP_COMMAND: GnuCommand = ninepCommand();

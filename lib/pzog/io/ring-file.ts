/**
 * Reading the ring file a command line names (`--ring-file`, unless
 * `--ring` takes precedence), for pzog and psprog alike.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { describeError } from "../../errno.ts";
import { ConfigError, type RingChoice } from "../config.ts";

/**
 * The ring file's text, or undefined when none is to be read. Throws
 * ConfigError (exit 78) when it cannot be read.
 *
 * @example
 * ```ts
 * const ringText = readRingFileOption({ "ring-file": "/etc/pzog/ring" });
 * ```
 */
export function readRingFileOption(args: RingChoice & { "ring-file"?: string | undefined }): string | undefined {
  const path = args["ring-file"];
  if (path === undefined || args.ring !== undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`ring file ${path}: ${describeError(err)}`);
  }
}

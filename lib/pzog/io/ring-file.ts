/**
 * Reading the ring file a command line names (`--ring-file`, unless
 * `--ring` takes precedence), for pzog and psprog alike.
 *
 * @module
 */
import { describeError } from "../../errno.ts";
import { ConfigError, type RingChoice } from "../config.ts";

/**
 * The ring file's text, or undefined when none is to be read. Throws
 * ConfigError (exit 78) when it cannot be read.
 *
 * @example
 * ```ts
 * const ringText = await readRingFileOption({ "ring-file": "/etc/pzog/ring" });
 * ```
 */
export async function readRingFileOption(
  args: RingChoice & { "ring-file"?: string | undefined },
): Promise<string | undefined> {
  const path = args["ring-file"];
  if (path === undefined || args.ring !== undefined) return undefined;
  // node:fs is loaded only for a ring file: loading it with this module
  // would cost every run about 1 ms, --help and -V included.
  const { readFileSync } = await import("node:fs");
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`ring file ${path}: ${describeError(err)}`);
  }
}

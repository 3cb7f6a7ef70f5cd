/**
 * A server's answer to Tversion (version(5), spreed spec §2.2): the msize
 * both sides will use and the version the server speaks.
 *
 * @module
 */

/**
 * The smallest msize a server accepts: below it a Tversion is refused with
 * `message size too small`.
 *
 * @example
 * ```ts
 * answerVersion(255, "9P2000", 8216); // { error: "message size too small" }
 * ```
 */
export const MIN_MSIZE = 256;

/**
 * The msize a server offers unless configured otherwise, and a client asks
 * for: 8 KiB of data plus the 24-byte header of a read or write (Inferno's).
 *
 * @example
 * ```ts
 * DEFAULT_MSIZE - IOHDRSZ; // 8192
 * ```
 */
export const DEFAULT_MSIZE = 8216;

/**
 * The largest msize spreed may be configured to offer: 1 MiB of data plus
 * the header.
 *
 * @example
 * ```ts
 * numberOption("--msize", "65560", { min: MIN_MSIZE, max: MAX_MSIZE }); // 65560
 * ```
 */
export const MAX_MSIZE = 1048600;

/**
 * The one version this library speaks.
 *
 * @example
 * ```ts
 * encode({ type: "Tversion", tag: NOTAG, msize: 8216, version: VERSION_9P2000 });
 * ```
 */
export const VERSION_9P2000 = "9P2000";

/**
 * What a server replies to Tversion: an Rversion's fields, or the string of
 * an Rerror (the connection's state then stays as it was).
 *
 * @example
 * ```ts
 * const answer: VersionAnswer = { msize: 8216, version: "9P2000" };
 * ```
 */
export type VersionAnswer =
  | { msize: number; version: typeof VERSION_9P2000 | "unknown" }
  | { error: "message size too small" };

/**
 * The version a server offering only 9P2000 answers to a client's version
 * string: `9P` and digits, cut at the first `.`, no lower than `9P2000` in
 * plain string order; anything else is `unknown`.
 *
 * @example
 * ```ts
 * answerVersionString("9P2000.u"); // "9P2000"
 * answerVersionString("9P3000"); // "9P2000"
 * answerVersionString("9P2000L"); // "unknown"
 * answerVersionString("9P1999"); // "unknown"
 * ```
 */
export function answerVersionString(version: string): typeof VERSION_9P2000 | "unknown" {
  if (version.length < 2 || !version.startsWith("9P")) return "unknown";
  let end = 2;
  for (; end < version.length; end++) {
    const c = version[end]!;
    if (c === ".") break;
    if (c < "0" || c > "9") return "unknown";
  }
  return version.slice(0, end) < VERSION_9P2000 ? "unknown" : VERSION_9P2000;
}

/**
 * A server's whole answer to `Tversion msize version`, its msize capped at
 * `cap`.
 *
 * @example
 * ```ts
 * answerVersion(100000, "9P2000", 8216); // { msize: 8216, version: "9P2000" }
 * answerVersion(300, "9P2000", 8216); // { msize: 300, version: "9P2000" }
 * answerVersion(100, "9P2000", 8216); // { error: "message size too small" }
 * answerVersion(8216, "foo", 8216); // { msize: 8216, version: "unknown" }
 * ```
 */
export function answerVersion(msize: number, version: string, cap: number): VersionAnswer {
  const agreed = Math.min(msize, cap);
  if (agreed < MIN_MSIZE) return { error: "message size too small" };
  return { msize: agreed, version: answerVersionString(version) };
}

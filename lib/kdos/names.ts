/**
 * The file-name rules of kdosd (spec §5.2–§5.4): which names a client may
 * use, which DELETE patterns it may send, and which files LIST shows. Names
 * are bytes compared as bytes: nothing is expanded, decoded or folded.
 *
 * @module
 */
import type { Failure } from "./store.ts";

/** Longest component (spec §5.2). */
const MAX_COMPONENT = 255;
/** Longest root-relative name (spec §5.2). */
const MAX_NAME = 1024;

const SLASH = 0x2f;
const EINVAL: Failure = { errno: "EINVAL" };
const ENAMETOOLONG: Failure = { errno: "ENAMETOOLONG" };

/** Whether `c` may appear in a name: %x21-7E without `* ? [ ] \` and `/`. */
function nameByte(c: number): boolean {
  return c >= 0x21 && c <= 0x7e && c !== 0x2a && c !== 0x3f && c !== 0x5b && c !== 0x5d && c !== 0x5c && c !== SLASH;
}

/** Whether `c` may appear in a pattern's last component: a name byte or `* ? [ ]`. */
function patternByte(c: number): boolean {
  return nameByte(c) || c === 0x2a || c === 0x3f || c === 0x5b || c === 0x5d;
}

/** The name without its leading run of `/`. */
function stripRoot(name: string): string {
  let i = 0;
  while (name.charCodeAt(i) === SLASH) i++;
  return name.slice(i);
}

/**
 * Check the components of `path` (already stripped), each byte tested by
 * `ok` except the `/` between components, which `subdirs` allows; the last
 * component's bytes are tested by `okLast`.
 */
function checkPath(
  path: string,
  subdirs: boolean,
  ok: (c: number) => boolean,
  okLast: (c: number) => boolean,
): Failure | undefined {
  const last = path.lastIndexOf("/");
  let start = 0;
  let tooLong = path.length > MAX_NAME;
  for (let i = 0; i <= path.length; i++) {
    const c = i === path.length ? SLASH : path.charCodeAt(i);
    if (c !== SLASH) {
      if (!(i > last ? okLast(c) : ok(c))) return EINVAL;
      continue;
    }
    if (i < path.length && !subdirs) return EINVAL;
    const n = i - start;
    // "", "." and ".." would leave the name's place in the tree.
    if (n === 0 || (n <= 2 && path.charCodeAt(start) === 0x2e && path.charCodeAt(i - 1) === 0x2e)) return EINVAL;
    if (n > MAX_COMPONENT) tooLong = true;
    start = i + 1;
  }
  return tooLong ? ENAMETOOLONG : undefined;
}

/**
 * A client's file name checked by spec §5.2: the leading run of `/` is
 * stripped (KDOS names were absolute within KDOS); then only bytes
 * %x21-7E other than `* ? [ ] \` are allowed, `/` only when `subdirs`;
 * components `.`, `..` and empty ones are refused (EINVAL); a component
 * over 255 bytes or a name over 1,024 bytes (counted after stripping) is
 * ENAMETOOLONG. EINVAL wins when both apply. Gives the root-relative name.
 *
 * @example
 * ```ts
 * checkName("/log.dat", false); // "log.dat"
 * checkName("a/b", false); // { errno: "EINVAL" }
 * checkName("a/b", true); // "a/b"
 * checkName("a/../b", true); // { errno: "EINVAL" }
 * checkName("x".repeat(256), false); // { errno: "ENAMETOOLONG" }
 * ```
 */
export function checkName(name: string, subdirs: boolean): string | Failure {
  const path = stripRoot(name);
  return checkPath(path, subdirs, nameByte, nameByte) ?? path;
}

/**
 * A DELETE `fileSpec` checked by spec §5.3: the rules of
 * {@linkcode checkName}, except that `* ? [ ]` may appear in the last
 * component; the directory part (only with `subdirs`) is literal. Gives the
 * directory (`""` for the root) and the last component, the pattern, which
 * lib/kdos/glob.ts compiles (and which may still be malformed, such as an
 * unterminated `[`).
 *
 * @example
 * ```ts
 * checkPattern("*.dat", false); // { dir: "", pattern: "*.dat" }
 * checkPattern("/logs/2024-*", true); // { dir: "logs", pattern: "2024-*" }
 * checkPattern("lo*s/x", true); // { errno: "EINVAL" }: wildcards only in the last component
 * ```
 */
export function checkPattern(fileSpec: string, subdirs: boolean): { dir: string; pattern: string } | Failure {
  const path = stripRoot(fileSpec);
  const failure = checkPath(path, subdirs, nameByte, patternByte);
  if (failure) return failure;
  const last = path.lastIndexOf("/");
  return { dir: last === -1 ? "" : path.slice(0, last), pattern: path.slice(last + 1) };
}

/**
 * Whether a root-relative name found on disk may be shown by LIST and
 * touched by DELETE (spec §5.4): it must be exactly a name
 * {@linkcode checkName} accepts, so a file a client could not name is
 * invisible (spaces, non-ASCII, wildcard bytes, over-long names).
 *
 * @example
 * ```ts
 * visibleName("log.dat", false); // true
 * visibleName("my file", false); // false
 * visibleName("a/b", false); // false: a tree needs --subdirs
 * visibleName("a/b", true); // true
 * ```
 */
export function visibleName(name: string, subdirs: boolean): boolean {
  return name.charCodeAt(0) !== SLASH && checkName(name, subdirs) === name;
}

/**
 * The errno numbers kdosd answers with (spec §7): generic Linux numbers,
 * the same on x86-64, ARM, arm64 and RISC-V, whatever the host.
 *
 * @module
 */

import type { Failure } from "./store.ts";

/**
 * Every errno of spec §7, by symbolic name.
 *
 * @example
 * ```ts
 * ERRNO.EBADF; // 9
 * ```
 */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EXDEV: 18,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ELOOP: 40,
  EOVERFLOW: 75,
  EMSGSIZE: 90,
  EDQUOT: 122,
} as const;

/**
 * A symbolic name of spec §7.
 *
 * @example
 * ```ts
 * const name: ErrnoName = "ENOENT";
 * ```
 */
export type ErrnoName = keyof typeof ERRNO;

/** A code from outside the table as one word of reply text: bytes `%x21-7E`, others as `?`. */
function printable(code: string): string {
  return code.replace(/[^\x21-\x7e]/g, "?");
}

/**
 * The errno number and reply text of a failure: the text is the symbolic
 * name, then the failure's extra words. A name outside the table (an OS
 * code kdosd does not map) becomes `EIO` with `code=<NAME>`.
 *
 * @example
 * ```ts
 * errnoOf({ errno: "EACCES", text: "deleted=3 failed=1" }); // { errno: 13, text: "EACCES deleted=3 failed=1" }
 * errnoOf({ errno: "ESTALE" }); // { errno: 5, text: "EIO code=ESTALE" }
 * ```
 */
export function errnoOf(failure: Failure): { errno: number; text: string } {
  const known = Object.hasOwn(ERRNO, failure.errno);
  const head = known ? failure.errno : `EIO code=${printable(failure.errno)}`;
  const text = failure.text ? `${head} ${failure.text}` : head;
  return { errno: known ? ERRNO[failure.errno as ErrnoName] : ERRNO.EIO, text };
}

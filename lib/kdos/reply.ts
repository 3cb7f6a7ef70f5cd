/**
 * KDOS replies (spec §3): `tag SP errno SP value [SP text]`, written by the
 * daemon and read back by clients such as `kdosd call`.
 *
 * @module
 */

/**
 * A reply line without terminator. `value` is −1 on failure and `text` then
 * starts with the errno's name (lib/kdos/errno.ts); an absent or empty text
 * is left out, so a READX of 0 bytes ends at its value.
 *
 * @example
 * ```ts
 * formatReply("0x5000", 0, 3); // "0x5000 0 3"
 * formatReply("0x5002", 9, -1, "EBADF"); // "0x5002 9 -1 EBADF"
 * ```
 */
export function formatReply(tag: string, errno: number, value: bigint | number, text?: string): string {
  const head = `${tag} ${errno} ${value}`;
  return text === undefined || text === "" ? head : `${head} ${text}`;
}

/**
 * A reply as a client reads it; `text` is undefined when the line ends at
 * the value.
 *
 * @example
 * ```ts
 * const r: Reply = { tag: "0x5001", errno: 0, value: 6n, text: undefined };
 * ```
 */
export interface Reply {
  readonly tag: string;
  readonly errno: number;
  readonly value: bigint;
  readonly text: string | undefined;
}

/** Linux errno numbers stay below 4096 (the kernel's MAX_ERRNO). */
const MAX_ERRNO = 4095n;

/** A tag of spec §3: 1–64 bytes of %x21-7E. */
const TAG = /^[\x21-\x7e]{1,64}$/;

/** errno and value in the daemon's form: canonical decimal, only the value signed. */
const ERRNO_VALUE = /^(0|[1-9][0-9]*) (0|-?[1-9][0-9]*)$/;

/**
 * Read one reply, after stripping a trailing run of NUL/CR/LF (whatever
 * `--udp-eol` or a gateway added). Fields are separated by exactly one SP,
 * numbers are canonical decimal, the errno below 4096, and every character
 * is `%x20-7E`; anything else is malformed (`undefined`).
 *
 * @example
 * ```ts
 * parseReply("0x5003 2 -1 ENOENT\n"); // { tag: "0x5003", errno: 2, value: -1n, text: "ENOENT" }
 * parseReply("0x5003 2"); // undefined
 * ```
 */
export function parseReply(line: string): Reply | undefined {
  let end = line.length;
  while (end > 0 && isTerminator(line.charCodeAt(end - 1))) end--;
  const body = line.slice(0, end);
  if (!/^[\x20-\x7e]*$/.test(body)) return undefined;
  const first = body.indexOf(" ");
  const second = body.indexOf(" ", first + 1);
  const third = second < 0 ? -1 : body.indexOf(" ", second + 1);
  if (first < 0 || second < 0) return undefined;
  const tag = body.slice(0, first);
  const numbers = ERRNO_VALUE.exec(body.slice(first + 1, third < 0 ? end : third));
  if (!TAG.test(tag) || !numbers) return undefined;
  const errno = BigInt(numbers[1]!);
  if (errno > MAX_ERRNO) return undefined;
  return {
    tag,
    errno: Number(errno),
    value: BigInt(numbers[2]!),
    text: third < 0 ? undefined : body.slice(third + 1),
  };
}

/** NUL, CR or LF. */
function isTerminator(c: number): boolean {
  return c === 0 || c === 0x0d || c === 0x0a;
}

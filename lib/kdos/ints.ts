/**
 * The integer and pointer tokens of KDOS commands (spec §3), read exactly as
 * BigInt: no precision is lost near 2⁵³, 2⁶³ or 2⁶⁴, and nothing is octal.
 *
 * @module
 */

const PLUS = 0x2b;
const MINUS = 0x2d;
const ZERO = 0x30;
const LOWER_X = 0x78;

/** Whether `s[from..]` is all decimal digits, or all hex digits with `hex`. */
function allDigits(s: string, from: number, hex: boolean): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) continue;
    const lower = c | 0x20;
    if (hex && lower >= 0x61 && lower <= 0x66) continue;
    return false;
  }
  return true;
}

/** Whether `s` has a `0x`/`0X` prefix at `at`. */
function hexPrefix(s: string, at: number): boolean {
  return s.charCodeAt(at) === ZERO && (s.charCodeAt(at + 1) | 0x20) === LOWER_X;
}

/**
 * An integer field (`index`, `maxBytes`, `numBytes`, `offset`, `whence`,
 * `fd`): `[+-]?` then decimal digits or `0x`/`0X` and hex digits. Leading
 * zeros are decimal, as the original's `%d`-style fields were; a token that
 * does not match gives `undefined`. Ranges are the caller's.
 *
 * @example
 * ```ts
 * parseInteger("010"); // 10n
 * parseInteger("-0X1f"); // -31n
 * parseInteger("9223372036854775808"); // 2n ** 63n
 * parseInteger("0x"); // undefined
 * ```
 */
export function parseInteger(token: string): bigint | undefined {
  const first = token.charCodeAt(0);
  let i = first === PLUS || first === MINUS ? 1 : 0;
  const hex = hexPrefix(token, i);
  if (hex) i += 2;
  if (i === token.length || !allDigits(token, i, hex)) return undefined;
  const digits = token.slice(i);
  const magnitude = BigInt(hex ? `0x${digits}` : digits);
  return first === MINUS ? -magnitude : magnitude;
}

/**
 * A `buffer` field as C's `%p` wrote it: optional `0x`/`0X` and 1–16 hex
 * digits (always hex, even without the prefix), or glibc's `(nil)` for 0.
 * No sign. Anything else gives `undefined`.
 *
 * @example
 * ```ts
 * parsePointer("1000"); // 0x1000n
 * parsePointer("0xFFFFFFFFFFFFFFFF"); // 2n ** 64n - 1n
 * parsePointer("(nil)"); // 0n
 * parsePointer("-1"); // undefined
 * ```
 */
export function parsePointer(token: string): bigint | undefined {
  if (token === "(nil)") return 0n;
  const i = hexPrefix(token, 0) ? 2 : 0;
  const digits = token.length - i;
  if (digits < 1 || digits > 16 || !allDigits(token, i, true)) return undefined;
  return BigInt(`0x${token.slice(i)}`);
}

/**
 * Text for pzog's logs: the escaped bytes of a `bad-line` record (§6.2)
 * and the 19-character timestamp that starts every log line (§6.1).
 *
 * @module
 */
import { latin1Bytes } from "../bytes.ts";

/** Escapes for the octets that have a short form; the rest use `\xHH`. */
const SHORT: Readonly<Record<number, string>> = {
  0x5c: "\\\\",
  0x22: '\\"',
  0x0d: "\\r",
  0x0a: "\\n",
  0x09: "\\t",
};

/**
 * Quote untrusted bytes for a log line: at most the first `max` octets,
 * inside double quotes; `\\`, `\"`, `\r`, `\n`, `\t` as shown, and any other
 * octet outside 0x20–0x7E as `\xHH` (lower-case hex). The result is
 * printable ASCII, so hostile input cannot forge log lines or send terminal
 * escapes, and distinct inputs of at most `max` octets give distinct
 * results, so the record identifies the bytes exactly. Multi-byte UTF-8 is
 * escaped octet by octet too: the record is about bytes, valid or not.
 *
 * @example
 * ```ts
 * escapeBytes(new TextEncoder().encode('hi "x"\n'));  // '"hi \\"x\\"\\n"', printed as "hi \"x\"\n"
 * escapeBytes(new Uint8Array([0x00, 0xff]));         // printed as "\x00\xff"
 * escapeBytes(new TextEncoder().encode("abcdef"), 3); // printed as "abc"
 * ```
 */
export function escapeBytes(bytes: Uint8Array, max = 512): string {
  let out = '"';
  const end = Math.min(bytes.length, Math.max(0, max));
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    const short = SHORT[b];
    if (short !== undefined) out += short;
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `${out}"`;
}

const two = (n: number) => String(n).padStart(2, "0");

/**
 * The log timestamp `YYYY-MM-DD HH:MM:SS` for a time in milliseconds since
 * the epoch: local time (as v0.1 wrote it), or UTC with `--utc`; no zone
 * suffix either way, so the prefix with its space is always 20 characters.
 *
 * @example
 * ```ts
 * logTimestamp(Date.UTC(2012, 8, 25, 14, 3, 7), true); // "2012-09-25 14:03:07"
 * logTimestamp(Date.now(), false);                     // local time, 19 characters
 * ```
 */
export function logTimestamp(ms: number, utc: boolean): string {
  const d = new Date(ms);
  const [y, mo, day, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${String(y).padStart(4, "0")}-${two(mo + 1)}-${two(day)} ${two(h)}:${two(mi)}:${two(s)}`;
}

/**
 * {@linkcode logTimestamp} for a clock that mostly stays within one second
 * between lines: the text (and its bytes, with the trailing space) is
 * formatted once per second instead of once per line.
 *
 * @example
 * ```ts
 * const stamps = new LogTimestamps(true);
 * stamps.text(Date.UTC(2012, 8, 25, 14, 3, 7, 250)); // "2012-09-25 14:03:07"
 * stamps.prefix(Date.UTC(2012, 8, 25, 14, 3, 7, 900)); // bytes of "2012-09-25 14:03:07 ", not formatted again
 * ```
 */
export class LogTimestamps {
  readonly #utc: boolean;
  #second = NaN;
  #text = "";
  #prefix: Uint8Array = new Uint8Array(0);

  constructor(utc: boolean) {
    this.#utc = utc;
  }

  /** The timestamp of `ms`, as {@linkcode logTimestamp}. */
  text(ms: number): string {
    this.#at(ms);
    return this.#text;
  }

  /** The timestamp of `ms` and a space, as ASCII bytes (do not modify them). */
  prefix(ms: number): Uint8Array {
    this.#at(ms);
    return this.#prefix;
  }

  #at(ms: number): void {
    // Zone offsets change on whole seconds, so one second has one local time.
    const second = Math.floor(ms / 1000);
    if (second === this.#second) return;
    this.#second = second;
    this.#text = logTimestamp(ms, this.#utc);
    this.#prefix = latin1Bytes(`${this.#text} `);
  }
}

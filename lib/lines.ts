/**
 * Splitting a child process's output into text lines, for progress and
 * status parsers: tools end lines with `\n`, redraw progress with `\r`, or
 * mix both.
 *
 * @module
 */

/** Options for {@linkcode LineSplitter}. */
export interface LineSplitterOptions {
  /** Longest line kept whole, in bytes without its break; default 4096. */
  maxBytes?: number;
  /**
   * What ends a line: `"any"` (default) is `\n`, `\r` or `\r\n` (one
   * break); `"lf"` is `\n` alone, and a `\r` is part of the line.
   */
  breaks?: "any" | "lf";
  /**
   * Drop lines that are empty or hold only ASCII white space (space, tab,
   * `\v`, `\f`, `\r`), as progress parsers want: cdrskin starts its progress
   * with a line of spaces, and `\r\r\n` would otherwise yield an empty line.
   * Default false: every line is reported.
   */
  dropBlank?: boolean;
}

/**
 * One line, without its break, decoded as UTF-8 (invalid bytes become
 * U+FFFD). `cut` is true if the line was longer than `maxBytes`: `text`
 * then holds its first `maxBytes` bytes and the rest was dropped.
 */
export interface Line {
  text: string;
  cut: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const BLANK = /^[\t\v\f\r ]*$/;
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Splits pushed chunks of a byte stream into lines. Output does not depend
 * on how the stream is chunked (a `\r\n` split across chunks is one break,
 * a UTF-8 character split across chunks is decoded whole), and at most
 * `maxBytes` bytes are buffered whatever the input.
 *
 * @throws {RangeError} from the constructor if `maxBytes` is not a positive integer.
 * @example
 * ```ts
 * const lines = new LineSplitter();
 * const enc = new TextEncoder();
 * lines.push(enc.encode("1 of 300 MB\r2 of")); // [{ text: "1 of 300 MB", cut: false }]
 * lines.push(enc.encode(" 300 MB\r\n")); // [{ text: "2 of 300 MB", cut: false }]
 * lines.finish(); // []
 * ```
 */
export class LineSplitter {
  readonly #max: number;
  readonly #anyBreak: boolean;
  readonly #dropBlank: boolean;
  readonly #buf: Uint8Array;
  #length = 0;
  // The current line overflowed: its bytes past #max are being dropped.
  #cut = false;
  // The last chunk ended in a CR, so a LF opening the next one is part of its break.
  #afterCR = false;

  constructor(opts: LineSplitterOptions = {}) {
    const max = opts.maxBytes ?? 4096;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxBytes ${max} is not a positive integer`);
    this.#max = max;
    this.#anyBreak = (opts.breaks ?? "any") === "any";
    this.#dropBlank = opts.dropBlank ?? false;
    this.#buf = new Uint8Array(max);
  }

  /**
   * Bytes held for the unfinished line; never more than `maxBytes`.
   *
   * @example
   * ```ts
   * const lines = new LineSplitter();
   * lines.push(new TextEncoder().encode("a\nbc"));
   * lines.buffered; // 2
   * ```
   */
  get buffered(): number {
    return this.#length;
  }

  /**
   * Feed the next chunk and return the lines it completes.
   *
   * @example
   * ```ts
   * const lines = new LineSplitter({ breaks: "lf" });
   * lines.push(new TextEncoder().encode("a\r\nb\n")); // [{ text: "a\r", cut: false }, { text: "b", cut: false }]
   * ```
   */
  push(chunk: Uint8Array): Line[] {
    const out: Line[] = [];
    let at = 0;
    if (this.#afterCR && chunk.length > 0) {
      if (chunk[0] === LF) at = 1;
      this.#afterCR = false;
    }
    // Next break positions, found with native scans and reused until passed,
    // so each chunk is scanned once whatever its mix of CR and LF.
    let nextLF = -2;
    let nextCR = this.#anyBreak ? -2 : -1;
    while (at < chunk.length) {
      if (nextLF !== -1 && nextLF < at) nextLF = chunk.indexOf(LF, at);
      if (nextCR !== -1 && nextCR < at) nextCR = chunk.indexOf(CR, at);
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      this.#append(chunk, at, end === -1 ? chunk.length : end);
      if (end === -1) break;
      this.#emit(out);
      at = end + 1;
      if (chunk[end] === CR) {
        if (at === chunk.length) this.#afterCR = true;
        else if (chunk[at] === LF) at++;
      }
    }
    return out;
  }

  /**
   * Signal end of stream: the unterminated tail, if any, becomes a last
   * line. The splitter is left empty, ready for a new stream.
   *
   * @example
   * ```ts
   * const lines = new LineSplitter();
   * lines.push(new TextEncoder().encode("no newline"));
   * lines.finish(); // [{ text: "no newline", cut: false }]
   * ```
   */
  finish(): Line[] {
    const out: Line[] = [];
    if (this.#length > 0 || this.#cut) this.#emit(out);
    this.#afterCR = false;
    return out;
  }

  /** Add `chunk[from, to)` to the current line, keeping at most #max bytes. */
  #append(chunk: Uint8Array, from: number, to: number): void {
    if (this.#cut || from === to) return;
    const room = this.#max - this.#length;
    const n = to - from;
    this.#buf.set(chunk.subarray(from, from + Math.min(n, room)), this.#length);
    this.#length += Math.min(n, room);
    if (n > room) this.#cut = true;
  }

  /** End the current line: report it (unless blank and dropped) and start afresh. */
  #emit(out: Line[]): void {
    const line = { text: decoder.decode(this.#buf.subarray(0, this.#length)), cut: this.#cut };
    this.#length = 0;
    this.#cut = false;
    if (!(this.#dropBlank && BLANK.test(line.text))) out.push(line);
  }
}

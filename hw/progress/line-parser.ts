/**
 * Running a per-line parser over a tool's output stream.
 *
 * @module
 */

import { LineSplitter } from "../../lib/lines.ts";

/**
 * Feeds chunks of one output stream through a {@linkcode LineSplitter}
 * (breaks `\r`, `\n`, `\r\n`; blank lines dropped; lines over 4 KiB cut) and
 * hands each right-trimmed line to `parseLine`, collecting the events it
 * returns. Cut lines are skipped: their tail is lost, so their numbers
 * cannot be trusted. The events do not depend on how the stream is chunked.
 *
 * @example
 * ```ts
 * const p = new LineParser((t) => t === "done" ? { kind: "done" } : undefined);
 * p.push(new TextEncoder().encode("working\rdo")); // []
 * p.push(new TextEncoder().encode("ne\n")); // [{ kind: "done" }]
 * p.finish(); // []
 * ```
 */
export class LineParser<E> {
  readonly #lines = new LineSplitter({ dropBlank: true });

  constructor(private readonly parseLine: (text: string) => E | undefined) {}

  /**
   * Feed the next chunk; the events of the lines it completes.
   *
   * @example
   * ```ts
   * new LineParser((t) => t).push(new TextEncoder().encode("a  \nb")); // ["a"]
   * ```
   */
  push(chunk: Uint8Array): E[] {
    return this.#parse(this.#lines.push(chunk));
  }

  /**
   * End of stream: the events of an unterminated last line.
   *
   * @example
   * ```ts
   * const p = new LineParser((t) => t);
   * p.push(new TextEncoder().encode("tail"));
   * p.finish(); // ["tail"]
   * ```
   */
  finish(): E[] {
    return this.#parse(this.#lines.finish());
  }

  #parse(lines: { text: string; cut: boolean }[]): E[] {
    const out: E[] = [];
    for (const line of lines) {
      if (line.cut) continue;
      const e = this.parseLine(line.text.trimEnd());
      if (e !== undefined) out.push(e);
    }
    return out;
  }
}

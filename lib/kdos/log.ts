/**
 * kdosd's two diagnostic streams (spec §9): debug lines on stdout with
 * `-debug`, libgpl-style vperror messages on stderr with `-vperror` (or
 * VPERROR_PRINT), each limited to `--log-rate` lines a second with the
 * excess summed up, and never a byte of file data.
 *
 * @module
 */
import type { Request } from "./command.ts";

/**
 * Where kdosd's diagnostics go.
 *
 * @example
 * ```ts
 * const log = new KdosLog({ debug: true, vperror: false, rate: 100, now: Date.now, out: printOut, err: printErr });
 * log.debug("udp!127.0.0.1!40001 0x1 STATX log.dat -> 0 0 41us");
 * ```
 */
export class KdosLog {
  /** Whether debug lines are wanted (so callers can skip building them). */
  readonly debugging: boolean;
  readonly #vperror: boolean;
  readonly #rate: number;
  readonly #now: () => number;
  readonly #streams: { out: RateWindow; err: RateWindow };

  constructor(opts: {
    debug: boolean;
    vperror: boolean;
    rate: number;
    now: () => number;
    out: (text: string) => void;
    err: (text: string) => void;
  }) {
    this.debugging = opts.debug;
    this.#vperror = opts.vperror;
    this.#rate = opts.rate;
    this.#now = opts.now;
    this.#streams = { out: new RateWindow(opts.out), err: new RateWindow(opts.err) };
  }

  /** A debug line (stdout), `kdosd: ` prefixed. */
  debug(line: string): void {
    if (this.debugging) this.#emit(this.#streams.out, `kdosd: ${line}\n`);
  }

  /**
   * A vperror message (stderr): `(function) message`, then the failing call
   * and its OS error on a second line when there is one.
   */
  vperror(fn: string, message: string, cause?: string): void {
    if (this.#vperror) this.#emit(this.#streams.err, `(${fn}) ${message}\n${cause === undefined ? "" : `${cause}\n`}`);
  }

  #emit(stream: RateWindow, text: string): void {
    stream.emit(text, this.#now(), this.#rate);
  }
}

/** One output's rate limit: a one-second window, with a count of what it held back. */
class RateWindow {
  #since = -Infinity;
  #written = 0;
  #suppressed = 0;

  constructor(readonly write: (text: string) => void) {}

  emit(text: string, now: number, rate: number): void {
    if (now - this.#since >= 1000) {
      if (this.#suppressed > 0) this.write(`kdosd: ${this.#suppressed} messages suppressed\n`);
      this.#since = now;
      this.#written = 0;
      this.#suppressed = 0;
    }
    if (this.#written >= rate) {
      this.#suppressed++;
      return;
    }
    this.#written++;
    this.write(text);
  }
}

/**
 * A token for a log line: bytes outside %x21-7E escaped as `\xNN`, so a
 * name or tag can never forge a line.
 *
 * @example
 * ```ts
 * escapeToken("a\tb"); // "a\\x09b"
 * ```
 */
export function escapeToken(token: string): string {
  let out = "";
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    out += c >= 0x21 && c <= 0x7e ? token[i] : `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/**
 * A request as the debug line shows it: the operation and its arguments,
 * inline data as `<N bytes>` (never the data itself).
 *
 * @example
 * ```ts
 * describeCommand({ op: "WRITEX", fd: 3n, offset: 0n, whence: 1n, data: "aGVsbG8K" }); // "WRITEX 3 0 1 <6 bytes>"
 * ```
 */
export function describeCommand(r: Request): string {
  switch (r.op) {
    case "CLOSE":
      return `CLOSE ${r.fd}`;
    case "DELETE":
      return `DELETE ${escapeToken(r.fileSpec)}`;
    case "LIST":
      return `LIST ${r.index} 0x${r.buffer.toString(16)} ${r.maxBytes} ${r.offset} ${r.whence}`;
    case "OPEN":
      return `OPEN ${escapeToken(r.fileName)} ${escapeToken(r.flags)}`;
    case "READ":
      return `READ ${r.fd} 0x${r.buffer.toString(16)} ${r.maxBytes} ${r.offset} ${r.whence}`;
    case "RENAME":
      return `RENAME ${escapeToken(r.oldName)} ${escapeToken(r.newName)}`;
    case "STAT":
      return `STAT ${escapeToken(r.fileName)} 0x${r.buffer.toString(16)}`;
    case "WRITE":
      return `WRITE ${r.fd} 0x${r.buffer.toString(16)} ${r.numBytes} ${r.offset} ${r.whence}`;
    case "READX":
      return `READX ${r.fd} ${r.maxBytes} ${r.offset} ${r.whence}`;
    case "WRITEX":
      return `WRITEX ${r.fd} ${r.offset} ${r.whence} <${decodedLength(r.data)} bytes>`;
    case "LISTX":
      return `LISTX ${r.index}`;
    case "STATX":
      return `STATX ${escapeToken(r.fileName)}`;
  }
}

/** The byte count base64 text stands for (valid or not: the log only counts). */
function decodedLength(data: string): number {
  const pad = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - pad);
}

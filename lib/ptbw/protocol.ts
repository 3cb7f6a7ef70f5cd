/**
 * ptbw wire protocol 0.4: the manager's command-stream decoder and the
 * reply grammar both sides share.
 *
 * After connecting, a client sends its credentials (a decimal pid, an
 * optional ignored `@host`, one whitespace byte); then every byte is a
 * command, except that decimal digits accumulate into a per-connection
 * number `n` that the next command uses.
 *
 * @module
 */
import { ByteQueue, latin1Bytes as latin1 } from "../bytes.ts";
import type { MakeJobserver } from "./makeflags.ts";

/** The protocol version the `V` command reports. */
export const PROTOCOL_VERSION = "0.4";

/** `n` saturates here (the original wrapped a C unsigned). */
export const N_MAX = 4294967295;

/** Longest credentials line, terminator included. */
export const CREDENTIALS_MAX = 1024;

/** Largest pid a client may announce (pid_t is a signed 32-bit int). */
export const PID_MAX = 2147483647;

/** What the decoder found next in a connection's byte stream. */
export type StreamEvent =
  | { kind: "credentials"; pid: number }
  | { kind: "refused"; reason: string }
  | { kind: "command"; op: string; n: number };

const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/**
 * Decoder for the bytes a client sends the manager. Pull-driven, so that a
 * connection whose `G` is queued simply stops being asked for events and its
 * later bytes wait, in order.
 *
 * @example
 * ```ts
 * const s = new CommandStream();
 * s.push(new TextEncoder().encode("12345\n3G"));
 * s.next(); // { kind: "credentials", pid: 12345 }
 * s.next(); // { kind: "command", op: "G", n: 3 }
 * s.next(); // undefined: needs more bytes
 * ```
 */
export class CommandStream {
  /** The accumulated number; the manager clears or keeps it per command. */
  n = 0;
  readonly #input = new ByteQueue();
  #phase: "credentials" | "commands" | "refused" = "credentials";
  #pidDigits = "";
  #inHost = false;
  #credentialBytes = 0;

  /** Bytes received and not yet decoded. */
  get buffered(): number {
    return this.#input.length;
  }

  /** Whether the credentials have been accepted. */
  get identified(): boolean {
    return this.#phase === "commands";
  }

  /** Append received bytes. */
  push(bytes: Uint8Array): void {
    if (this.#phase !== "refused") this.#input.push(bytes);
  }

  /** The next event, or undefined until more bytes arrive. */
  next(): StreamEvent | undefined {
    while (this.#input.length > 0) {
      const b = this.#input.peek(1)[0]!;
      this.#input.skip(1);
      if (this.#phase === "commands") {
        if (isDigit(b)) {
          this.n = Math.min(this.n * 10 + (b - 0x30), N_MAX);
          continue;
        }
        return { kind: "command", op: String.fromCharCode(b), n: this.n };
      }
      if (this.#phase === "refused") return undefined;
      const event = this.#credentialByte(b);
      if (event) return event;
    }
    return undefined;
  }

  #credentialByte(b: number): StreamEvent | undefined {
    this.#credentialBytes++;
    if (isSpace(b)) {
      const pid = this.#pidDigits === "" ? 0 : Number(this.#pidDigits);
      if (pid < 1 || pid > PID_MAX) return this.#refuse(`bad pid "${this.#pidDigits}"`);
      this.#phase = "commands";
      return { kind: "credentials", pid };
    }
    if (this.#credentialBytes >= CREDENTIALS_MAX) return this.#refuse("credentials too long");
    if (this.#inHost) return undefined;
    if (isDigit(b)) {
      // Leading zeros add nothing; keep the digit string short.
      if (this.#pidDigits.length < 12) {
        this.#pidDigits = (this.#pidDigits + String.fromCharCode(b)).replace(/^0+(?=\d)/, "");
      }
      return undefined;
    }
    if (b === 0x40 && this.#pidDigits !== "") {
      this.#inHost = true;
      return undefined;
    }
    return this.#refuse(`bad byte 0x${b.toString(16).padStart(2, "0")} in credentials`);
  }

  #refuse(reason: string): StreamEvent {
    this.#phase = "refused";
    this.#input.clear();
    return { kind: "refused", reason };
  }
}

/**
 * Replies the manager sends, as bytes.
 *
 * @example
 * ```ts
 * reply.line(4);           // "4\n"
 * reply.indexes([0, 1]);   // "0,1\n"
 * reply.NO;                // "-No\n"
 * ```
 */
export const reply = {
  NO: latin1("-No\n"),
  NOT_YET: latin1("-Not yet\n"),
  BUSY: latin1("-Busy\n"),
  /** A number (or any ASCII text) and a newline. */
  line: (value: number | string): Uint8Array => latin1(`${value}\n`),
  /** A grant: the indexes, comma-separated. */
  indexes: (list: readonly number[]): Uint8Array => latin1(`${list.join(",")}\n`),
  /** `N`: `+name\n`. */
  name: (name: Uint8Array): Uint8Array => {
    const out = new Uint8Array(name.length + 2);
    out[0] = 0x2b;
    out.set(name, 1);
    out[name.length + 1] = 0x0a;
    return out;
  },
  /** `U`: the type byte, the source, NUL. */
  source: (type: number, name: Uint8Array): Uint8Array => {
    const out = new Uint8Array(name.length + 2);
    out[0] = type;
    out.set(name, 1);
    return out;
  },
  /** `K` (our extension): the jobserver exported to make, `LEVEL AUTH\n` (a fifo path in UTF-8). */
  jobserver: (js: MakeJobserver): Uint8Array => new TextEncoder().encode(`${js.level} ${js.auth}\n`),
  /** `C`: `LEN\n` and the comment bytes. */
  comments: (text: Uint8Array): Uint8Array => {
    const head = latin1(`${text.length}\n`);
    const out = new Uint8Array(head.length + text.length);
    out.set(head);
    out.set(text, head.length);
    return out;
  },
};

/**
 * Credentials as our client sends them.
 *
 * @example
 * ```ts
 * credentials(12345); // "12345\n"
 * ```
 */
export function credentials(pid: number): Uint8Array {
  return latin1(`${pid}\n`);
}

/**
 * A command with its number, as a client sends it.
 *
 * @example
 * ```ts
 * command("G", 3); // "3G"
 * command("S");    // "S"
 * ```
 */
export function command(op: string, n?: number): Uint8Array {
  return latin1(n === undefined ? op : `${n}${op}`);
}

/**
 * Parse the `S` reply line (without its newline): `COUNT,SPACE`.
 *
 * @example
 * ```ts
 * parseStatus("4,23"); // { count: 4, space: 23 }
 * parseStatus("-1,-1"); // null
 * ```
 */
export function parseStatus(line: string): { count: number; space: number } | null {
  const m = /^(\d{1,10}),(\d{1,10})$/.exec(line);
  return m ? { count: Number(m[1]), space: Number(m[2]) } : null;
}

/**
 * Parse a grant (`G`, `Y`) reply line: exactly `want` comma-separated
 * indexes. Null for a refusal (`-1`, `-No`, a `-` anywhere, as the original
 * library judged) or a list of the wrong length.
 *
 * @example
 * ```ts
 * parseGrant("0,1,2", 3); // [0, 1, 2]
 * parseGrant("-1", 3);    // null
 * ```
 */
export function parseGrant(line: string, want: number): number[] | null {
  if (line.includes("-")) return null;
  const parts = line.split(",");
  if (parts.length !== want || parts.some((p) => !/^\d{1,10}$/.test(p))) return null;
  return parts.map(Number);
}

/**
 * Parse an `N` reply (without its newline): `+name`. Null for `-No`.
 *
 * @example
 * ```ts
 * parseName(new TextEncoder().encode("+alpha")); // bytes of "alpha"
 * ```
 */
export function parseName(bytes: Uint8Array): Uint8Array | null {
  return bytes[0] === 0x2b ? bytes.subarray(1) : null;
}

/**
 * Parse a numeric reply line (`M`, `O`, `J`, `R`, `Q`, `F`, `D`, `P`):
 * the number, or null for `-No` and anything that is not a decimal integer.
 *
 * @example
 * ```ts
 * parseNumber("12345"); // 12345
 * parseNumber("-1");    // -1
 * parseNumber("-No");   // null
 * ```
 */
export function parseNumber(line: string): number | null {
  return /^-?\d{1,10}$/.test(line) ? Number(line) : null;
}

/**
 * Parse a `K` reply line (without its newline): `LEVEL AUTH`. Null for
 * `-No` (no jobserver, or a manager without the extension).
 *
 * @example
 * ```ts
 * parseJobserver("0 3,4"); // { level: 0, auth: "3,4" }
 * parseJobserver("-No");   // null
 * ```
 */
export function parseJobserver(line: string): MakeJobserver | null {
  const m = /^(\d{1,10}) (\S.*)$/.exec(line);
  return m ? { level: Number(m[1]), auth: m[2]! } : null;
}

/** How the `U` reply's type byte names a token source. */
export type SourceKind = "function" | "file" | "error" | "key";

/**
 * Classify a `U` type byte.
 *
 * @example
 * ```ts
 * sourceKind("="); // "function"
 * ```
 */
export function sourceKind(type: string): SourceKind {
  if (type === "=") return "function";
  if (type === "+") return "file";
  if (type === "-") return "error";
  return "key";
}

/**
 * Split a `C` reply's body into comment lines (each sent with a newline).
 *
 * @example
 * ```ts
 * commentLines("#a\n#b\n"); // ["#a", "#b"]
 * ```
 */
export function commentLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

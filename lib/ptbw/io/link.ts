/**
 * A client's connection to a ptbw manager (ours or the original): connect
 * with the original's patient retries (or, under a deadline, waiting for
 * the socket to appear), announce our pid, and the request/reply sequences
 * of ksb's client library.
 *
 * @module
 */
import { errorCode, strerror } from "../../errno.ts";
import { sleep, TIMED_OUT, withTimeout } from "../../runtime/time.ts";
import { dialUnix, type UnixStream } from "../../runtime/unix-stream.ts";
import { command, credentials, parseGrant, parseName, parseNumber, parseStatus } from "../protocol.ts";
import type { TableauData } from "../tableau.ts";

/** Longest reply line we accept (names are bounded by the manager's J). */
const LINE_MAX = 1 << 20;
const NL = 0x0a;

/** Under a deadline, how often a socket that does not exist yet is looked for: first, and at most. */
const APPEAR_POLL_FIRST_MS = 10;
const APPEAR_POLL_MAX_MS = 250;

/**
 * A failure with the errno code the original library would have set, and
 * why, when we know more than the code says. The message is strerror(3)'s
 * text, then the reason in parentheses.
 *
 * @example
 * ```ts
 * new LinkError("ENETRESET", "the pool has only 3 tokens").message;
 * // "Connection reset by network (the pool has only 3 tokens)"
 * ```
 */
export class LinkError extends Error {
  constructor(readonly code: string, reason?: string) {
    super(reason === undefined ? strerror(code) : `${strerror(code)} (${reason})`);
    this.name = "LinkError";
  }
}

/** The deadline passed (`--timeout`). */
export class TimedOut extends Error {
  constructor() {
    super("timed out");
    this.name = "TimedOut";
  }
}

const decoder = new TextDecoder();
const text = (bytes: Uint8Array) => decoder.decode(bytes);

/** Outcome of a non-blocking request (`Y`). */
export type TryResult = { granted: number[] } | { refused: "busy" | "unsupported" };

/** The manager went away while we waited for a reply. */
const lost = () => new LinkError("ENETRESET", "the manager closed the connection");

/**
 * One connection attempt, failing with the errno code and what it means
 * for a manager's socket. Only a failed one looks at the file (stat(2)'s
 * code wins, as it would checked first): node:fs is not loaded on the path
 * every wrapped job takes.
 */
async function dial(path: string): Promise<UnixStream> {
  try {
    return await dialUnix(path);
  } catch (err) {
    const code = errorCode(err) ?? "EIO";
    if (code === "ENAMETOOLONG") throw new LinkError(code);
    let isSocket: boolean;
    try {
      isSocket = process.getBuiltinModule("node:fs").statSync(path).isSocket();
    } catch (statErr) {
      throw new LinkError(errorCode(statErr) ?? "ENOENT");
    }
    if (code !== "ECONNREFUSED") throw new LinkError(code);
    throw new LinkError(code, isSocket ? "no manager listens on this socket" : "not a socket");
  }
}

/** ksb's patience: a refused connection is tried ten times, sleeping 0, 1, … 9 seconds. */
async function dialPatiently(path: string): Promise<UnixStream> {
  for (let attempt = 0;; attempt++) {
    try {
      return await dial(path);
    } catch (err) {
      if (!(err instanceof LinkError) || err.code !== "ECONNREFUSED") throw err;
      await sleep(attempt * 1000);
      if (attempt === 9) throw err;
    }
  }
}

/** Until `deadline`: a socket that does not exist yet is waited for; a refusal fails at once. */
async function dialBefore(path: string, deadline: number): Promise<UnixStream> {
  for (let pause = APPEAR_POLL_FIRST_MS;; pause = Math.min(2 * pause, APPEAR_POLL_MAX_MS)) {
    try {
      return await dial(path);
    } catch (err) {
      if (!(err instanceof LinkError) || err.code !== "ENOENT" || Date.now() >= deadline) throw err;
      await sleep(Math.min(pause, deadline - Date.now()));
    }
  }
}

/** "only 3 tokens", "only 1 token". */
function only(count: number): string {
  return `only ${count} token${count === 1 ? "" : "s"}`;
}

/**
 * An open, identified connection to a manager.
 *
 * @example
 * ```ts
 * const link = await ManagerLink.connect(process.env.ptbw_1!, process.pid);
 * const names = await link.allocate(2); // e.g. ["0", "1"] as bytes
 * link.close();
 * ```
 */
export class ManagerLink {
  readonly #stream: UnixStream;
  /** The `S` reply. */
  readonly count: number;
  readonly space: number;

  private constructor(stream: UnixStream, count: number, space: number) {
    this.#stream = stream;
    this.count = count;
    this.space = space;
  }

  /**
   * Connect to `path` and identify as `pid`. Without `deadline`, as ksb's
   * library: a refused connection (a manager still starting, or a stale
   * socket) is retried ten times, sleeping 0, 1, … 9 seconds, and other
   * errors fail at once. With `deadline` (ms since the epoch, `--timeout`):
   * a socket that does not exist yet is waited for until then, and a
   * refused one fails at once, so a dead manager never looks busy. With
   * `answerBy` (ms since the epoch), a manager that accepts but has not
   * answered the handshake by then fails with ETIMEDOUT.
   *
   * @throws {LinkError} with the errno code and reason of the failure.
   */
  static async connect(path: string, pid: number, deadline?: number, answerBy?: number): Promise<ManagerLink> {
    const stream = deadline === undefined ? await dialPatiently(path) : await dialBefore(path, deadline);
    stream.write(credentials(pid));
    stream.write(command("S"));
    const line = await answered(stream.until(NL, 64), answerBy);
    if (line === TIMED_OUT) {
      stream.close();
      throw new LinkError("ETIMEDOUT", "the manager accepted the connection but did not answer");
    }
    const status = line && parseStatus(text(line));
    if (!status) {
      stream.close();
      throw new LinkError("EPROTO", line === null ? "closed during the handshake" : "not a ptbw manager");
    }
    return new ManagerLink(stream, status.count, status.space);
  }

  /** Send a command that has no reply (`I`). */
  tell(op: string, n?: number): void {
    this.#stream.write(command(op, n));
  }

  /** Send a command and read one reply line (without its newline). */
  async ask(op: string, n?: number): Promise<string | null> {
    this.#stream.write(command(op, n));
    const line = await this.#stream.until(NL, LINE_MAX);
    return line && text(line);
  }

  /**
   * `nG`, blocking until granted, then each token's name. Throws LinkError
   * ENETRESET when refused or cut off, as the original library did, with
   * the reason.
   */
  async allocate(n: number): Promise<Uint8Array[]> {
    const list = await this.ask("G", n);
    if (list === null) throw lost();
    const indexes = parseGrant(list, n);
    if (!indexes) throw this.#refusal(n, list);
    return this.names(indexes);
  }

  /**
   * `nY`: the non-blocking request of our `--try`/`--timeout`; a refusal
   * throws as for {@link allocate}, no answer by `answerBy` (ms since the
   * epoch) throws {@link TimedOut}.
   */
  async tryAllocate(n: number, answerBy?: number): Promise<TryResult> {
    const line = await answered(this.ask("Y", n), answerBy);
    if (line === TIMED_OUT) throw new TimedOut();
    if (line === null) throw lost();
    if (line === "-Busy") return { refused: "busy" };
    if (line === "-No") return { refused: "unsupported" };
    const indexes = parseGrant(line, n);
    if (!indexes) throw this.#refusal(n, line);
    return { granted: indexes };
  }

  /** A manager refuses a grant only for more tokens than it has; anything else is a bad reply. */
  #refusal(n: number, reply: string): LinkError {
    if (n > this.count) return new LinkError("ENETRESET", `the pool has ${only(this.count)}`);
    return new LinkError("ENETRESET", `the manager answered ${JSON.stringify(reply.slice(0, 40))}`);
  }

  /** The names of granted tokens (`N` each, pipelined). */
  async names(indexes: number[]): Promise<Uint8Array[]> {
    if (indexes.length > 0) this.#stream.write(indexes.map((i) => `${i}N`).join(""));
    const names: Uint8Array[] = [];
    for (let k = 0; k < indexes.length; k++) {
      const line = await this.#stream.until(NL, LINE_MAX);
      const name = line && parseName(line);
      if (!name) throw line === null ? lost() : new LinkError("EPROTOTYPE");
      names.push(name.slice());
    }
    return names;
  }

  /** `U`: the token source's type byte and name. */
  async source(): Promise<{ type: string; name: Uint8Array } | null> {
    this.#stream.write(command("U"));
    const type = await this.#stream.exactly(1);
    const name = type && (await this.#stream.until(0, LINE_MAX));
    return type && name ? { type: String.fromCharCode(type[0]!), name } : null;
  }

  /** `C`: the tags file's comment lines, as one text. */
  async comments(): Promise<string | null> {
    const length = parseNumber((await this.ask("C")) ?? "");
    if (length === null || length < 0) return null;
    const body = await this.#stream.exactly(length);
    return body && text(body);
  }

  /** `Q`: true if the manager will finish, false for `-No`, null if lost. */
  async quit(): Promise<boolean | null> {
    const line = await this.ask("Q");
    return line === null ? null : !line.startsWith("-");
  }

  /**
   * Everything the tableau shows. Rejects with the original's exit status
   * for the step that failed (38: `T` cut short, 40: `R`, 41: `J`,
   * 37: `U` or `O` lost).
   */
  async tableau(): Promise<TableauData> {
    this.#stream.write(command("T"));
    const table = await this.#stream.exactly(this.space);
    if (!table) throw new TableauFailure(38);
    this.#stream.write("RJU");
    const request = parseNumber(text((await this.#stream.until(NL, 64)) ?? new Uint8Array([0x2d])));
    if (request === null) throw new TableauFailure(40);
    const width = parseNumber(text((await this.#stream.until(NL, 64)) ?? new Uint8Array([0x2d])));
    if (width === null) throw new TableauFailure(41);
    const type = await this.#stream.exactly(1);
    const sourceName = type && (await this.#stream.until(0, LINE_MAX));
    if (!type || !sourceName) throw new TableauFailure(37);
    const tokens = splitNul(table, this.count);
    if (this.count > 0) this.#stream.write(Array.from({ length: this.count }, (_, i) => `${i}O`).join(""));
    const locks: string[] = [];
    for (let i = 0; i < this.count; i++) {
      const line = await this.#stream.until(NL, 64);
      if (!line) throw new TableauFailure(37);
      locks.push(text(line));
    }
    return {
      count: this.count,
      space: this.space,
      width,
      request,
      sourceType: String.fromCharCode(type[0]!),
      sourceName,
      tokens,
      locks,
    };
  }

  /** Close the connection; a manager frees whatever our pid holds. */
  close(): void {
    this.#stream.close();
  }
}

/** The tableau could not be read; `status` is the exit status to use. */
export class TableauFailure extends Error {
  constructor(readonly status: number) {
    super(`tableau: protocol failure (${status})`);
    this.name = "TableauFailure";
  }
}

/** Split the `T` reply into `count` names (missing ones come out empty). */
function splitNul(table: Uint8Array, count: number): Uint8Array[] {
  const names: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    let end = table.indexOf(0, start);
    if (end < 0) end = table.length;
    names.push(table.subarray(start, end));
    start = Math.min(end + 1, table.length);
  }
  return names;
}

/** `reply`, or TIMED_OUT once `answerBy` (ms since the epoch) has passed; no bound without it. */
function answered<T>(reply: Promise<T>, answerBy: number | undefined): Promise<T | typeof TIMED_OUT> {
  return answerBy === undefined ? reply : withTimeout(reply, Math.max(0, answerBy - Date.now()));
}

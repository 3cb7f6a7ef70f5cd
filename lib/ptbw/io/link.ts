/**
 * A client's connection to a ptbw manager (ours or the original): connect
 * with the original's patient retries, announce our pid, and the
 * request/reply sequences of ksb's client library.
 *
 * @module
 */
import type { Socket } from "node:net";
import { statSync } from "node:fs";
import { errorCode } from "../../errno.ts";
import { SocketReader } from "../../net/reader.ts";
import { connectStream } from "../../net/stream-sockets.ts";
import { sleep } from "../../runtime/time.ts";
import { command, credentials, parseGrant, parseName, parseNumber, parseStatus } from "../protocol.ts";
import type { TableauData } from "../tableau.ts";

/** Longest reply line we accept (names are bounded by the manager's J). */
const LINE_MAX = 1 << 20;
const NL = 0x0a;

/** A failure with the errno code the original library would have set. */
export class LinkError extends Error {
  constructor(readonly code: string, message = code) {
    super(message);
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
export type TryResult = { granted: number[] } | { refused: "too-many" | "busy" | "unsupported" };

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
  readonly socket: Socket;
  readonly reader: SocketReader;
  /** The `S` reply. */
  readonly count: number;
  readonly space: number;

  private constructor(socket: Socket, reader: SocketReader, count: number, space: number) {
    this.socket = socket;
    this.reader = reader;
    this.count = count;
    this.space = space;
  }

  /**
   * Connect to `path` and identify as `pid`. A refused connection (a manager
   * still starting, or a stale socket) is retried ten times, sleeping 0, 1,
   * … 9 seconds; other errors fail at once. With `deadline` (ms since the
   * epoch) the retries stop there with {@link TimedOut}.
   */
  static async connect(path: string, pid: number, deadline?: number): Promise<ManagerLink> {
    try {
      statSync(path);
    } catch (err) {
      throw new LinkError(errorCode(err) ?? "ENOENT");
    }
    let socket: Socket | undefined;
    for (let attempt = 0; !socket; attempt++) {
      try {
        socket = await connectStream({ path });
      } catch (err) {
        const code = errorCode(err) ?? "EIO";
        if (code !== "ECONNREFUSED") throw new LinkError(code);
        const wait = attempt * 1000;
        if (deadline !== undefined && Date.now() + wait >= deadline) {
          await sleep(Math.max(0, deadline - Date.now()));
          throw new TimedOut();
        }
        await sleep(wait);
        if (attempt === 9) throw new LinkError(code);
      }
    }
    const reader = new SocketReader(socket);
    socket.write(credentials(pid));
    socket.write(command("S"));
    const line = await reader.until(NL, 64);
    const status = line && parseStatus(text(line));
    if (!status) {
      socket.destroy();
      throw new LinkError("EPROTO");
    }
    return new ManagerLink(socket, reader, status.count, status.space);
  }

  /** Send a command and read one reply line (without its newline). */
  async ask(op: string, n?: number): Promise<string | null> {
    this.socket.write(command(op, n));
    const line = await this.reader.until(NL, LINE_MAX);
    return line && text(line);
  }

  /**
   * `nG`, blocking until granted, then each token's name. Throws LinkError
   * ENETRESET when refused or cut off, as the original library did.
   */
  async allocate(n: number): Promise<Uint8Array[]> {
    const list = await this.ask("G", n);
    const indexes = list === null ? null : parseGrant(list, n);
    if (!indexes) throw new LinkError("ENETRESET");
    return this.names(indexes);
  }

  /** `nY`: the non-blocking request of our `--try`/`--timeout`. */
  async tryAllocate(n: number): Promise<TryResult> {
    const line = await this.ask("Y", n);
    if (line === null) throw new LinkError("ENETRESET");
    if (line === "-Busy") return { refused: "busy" };
    if (line === "-No") return { refused: "unsupported" };
    const indexes = parseGrant(line, n);
    return indexes ? { granted: indexes } : { refused: "too-many" };
  }

  /** The names of granted tokens (`N` each, pipelined). */
  async names(indexes: number[]): Promise<Uint8Array[]> {
    if (indexes.length > 0) this.socket.write(indexes.map((i) => `${i}N`).join(""));
    const names: Uint8Array[] = [];
    for (let k = 0; k < indexes.length; k++) {
      const line = await this.reader.until(NL, LINE_MAX);
      const name = line && parseName(line);
      if (!name) throw new LinkError(line === null ? "ENETRESET" : "EPROTOTYPE");
      names.push(name.slice());
    }
    return names;
  }

  /** `U`: the token source's type byte and name. */
  async source(): Promise<{ type: string; name: Uint8Array } | null> {
    this.socket.write(command("U"));
    const type = await this.reader.exactly(1);
    const name = type && (await this.reader.until(0, LINE_MAX));
    return type && name ? { type: String.fromCharCode(type[0]!), name } : null;
  }

  /** `C`: the tags file's comment lines, as one text. */
  async comments(): Promise<string | null> {
    const length = parseNumber((await this.ask("C")) ?? "");
    if (length === null || length < 0) return null;
    const body = await this.reader.exactly(length);
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
    this.socket.write(command("T"));
    const table = await this.reader.exactly(this.space);
    if (!table) throw new TableauFailure(38);
    this.socket.write("RJU");
    const request = parseNumber(text((await this.reader.until(NL, 64)) ?? new Uint8Array([0x2d])));
    if (request === null) throw new TableauFailure(40);
    const width = parseNumber(text((await this.reader.until(NL, 64)) ?? new Uint8Array([0x2d])));
    if (width === null) throw new TableauFailure(41);
    const type = await this.reader.exactly(1);
    const sourceName = type && (await this.reader.until(0, LINE_MAX));
    if (!type || !sourceName) throw new TableauFailure(37);
    const tokens = splitNul(table, this.count);
    if (this.count > 0) this.socket.write(Array.from({ length: this.count }, (_, i) => `${i}O`).join(""));
    const locks: string[] = [];
    for (let i = 0; i < this.count; i++) {
      const line = await this.reader.until(NL, 64);
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
    this.socket.destroy();
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

/**
 * A spree member driven by a program: one `ctl` fid (or `new`) opened
 * read-write over a 9P client, its update lines read continuously and
 * collected, commands written one per Twrite. For scripts, the demo and the
 * benchmark; people use `spreed 9p rdwr`.
 *
 * @module
 */
import { ORDWR } from "../../ninep/constants.ts";
import type { Client, Fid } from "../../ninep/io/client.ts";

/** Read size: the default msize's data. */
const READ_COUNT = 8192;

/**
 * One member of a clique.
 *
 * @example
 * ```ts
 * const client = await Client.connect("tcp!127.0.0.1!3242");
 * await client.version();
 * const alice = await SpreeMember.join(client, "alice", "0/ctl");
 * await alice.command("chat hello");
 * await alice.waitFor((line) => line === "chat alice hello ");
 * alice.close();
 * ```
 */
export class SpreeMember {
  /** Every update line read so far, without its newline. */
  readonly lines: string[] = [];
  /** Set once the server ends the stream (EOF) or the connection fails. */
  ended = false;
  /** Called with each line as it arrives. */
  onLine: ((line: string) => void) | undefined;
  readonly #fid: Fid;
  readonly #waiters = new Set<() => void>();
  readonly #decoder = new TextDecoder();

  private constructor(fid: Fid) {
    this.#fid = fid;
  }

  /**
   * Attach as `uname`, open `path` (such as `0/ctl`, or `new`) read-write,
   * write `text` (`join`, `watch`, `create chat`) and start reading.
   * Rejects with the server's error if the open or the write fails.
   */
  static async join(client: Client, uname: string, path: string, text = "join"): Promise<SpreeMember> {
    const root = await client.attach(uname);
    const fid = await root.walk(path.split("/").filter((p) => p !== ""));
    await root.clunk();
    await fid.open(ORDWR);
    const member = new SpreeMember(fid);
    await fid.write(text);
    void member.#readLoop();
    return member;
  }

  /** Write one command; rejects with the engine's error. */
  async command(text: string): Promise<void> {
    await this.#fid.write(text);
  }

  /**
   * Resolve with the first line (from `from` on) that `match` accepts;
   * reject if the stream ends first or after `timeoutMs`.
   */
  waitFor(match: (line: string) => boolean, opts: { from?: number; timeoutMs?: number } = {}): Promise<string> {
    let at = opts.from ?? 0;
    return new Promise((resolve, reject) => {
      const check = () => {
        for (; at < this.lines.length; at++) {
          if (match(this.lines[at]!)) {
            done();
            resolve(this.lines[at]!);
            return;
          }
        }
        if (this.ended) {
          done();
          reject(new Error("the server ended the stream"));
        }
      };
      const timer = setTimeout(() => {
        done();
        const last = this.lines.slice(-3).map((l) => JSON.stringify(l)).join(", ");
        reject(new Error(`no matching update line within ${opts.timeoutMs ?? 10_000} ms (last: ${last || "none"})`));
      }, opts.timeoutMs ?? 10_000);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Leave: clunk the fid (a held read gets EOF). */
  close(): void {
    void this.#fid.clunk().catch(() => {});
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        const data = await this.#fid.read(READ_COUNT);
        if (data.length === 0) break;
        let text = this.#decoder.decode(data);
        // `\n*` after the last line: more is queued (the next read gets it).
        if (text.endsWith("\n*")) text = text.slice(0, -1);
        for (const line of text.split("\n").slice(0, -1)) {
          this.lines.push(line);
          this.onLine?.(line);
        }
        for (const wake of this.#waiters) wake();
      }
    } catch {
      // The connection went, or the fid was clunked under the read.
    }
    this.ended = true;
    for (const wake of this.#waiters) wake();
  }
}

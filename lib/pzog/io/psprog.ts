/**
 * psprog, the ring's load client (§7): sends lines to ring members, one
 * connection per member reused, waits for each `ok`, logs every outcome.
 *
 * @module
 */
import type { Socket } from "node:net";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { SocketReader } from "../../net/reader.ts";
import { connectStream } from "../../net/stream-sockets.ts";
import { AppendFile } from "../../runtime/append-file.ts";
import { onSignals } from "../../runtime/signals.ts";
import { printOut } from "../../runtime/stdio.ts";
import { sleep, TIMED_OUT, withTimeout } from "../../runtime/time.ts";
import { encodeClientLine, KEEPALIVE, QUIT } from "../codec.ts";
import { logTimestamp } from "../escape.ts";
import type { PsprogConfig, Target } from "../psprog-options.ts";
import { type DownCause, downCause, TargetPicker } from "../targets.ts";

/** Outcome of one message: `down` carries why the last candidate could not be reached. */
export type Result = "ok" | "noack" | `down ${DownCause}`;

const KEEPALIVE_IDLE_MS = 300_000;
const QUIT_WAIT_MS = 5000;
const LF = 0x0a;

/** A reused connection to one member. */
class MemberConnection {
  readonly #socket: Socket;
  readonly #reader: SocketReader;
  lastUsed = Date.now();

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#reader = new SocketReader(socket);
  }

  static async open(target: Target, timeoutMs: number): Promise<MemberConnection> {
    return new MemberConnection(await connectStream({ host: target.host, port: target.port }, timeoutMs));
  }

  get alive(): boolean {
    return !this.#socket.destroyed && !this.#reader.ended;
  }

  /** Send a line and wait for the expected reply within `timeoutMs`. */
  async request(bytes: Uint8Array, expect: "ok" | "ack", timeoutMs: number): Promise<boolean> {
    this.lastUsed = Date.now();
    this.#socket.write(bytes);
    const line = await withTimeout(this.#reader.until(LF, 512), timeoutMs);
    return line !== TIMED_OUT && line !== null && new TextDecoder().decode(line) === `${expect}\r`;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/**
 * Run psprog; resolves to the exit status (0 if every message got `ok`, 75
 * if any did not).
 *
 * @example
 * ```ts
 * process.exitCode = await runPsprog(cfg);
 * ```
 */
export async function runPsprog(cfg: PsprogConfig): Promise<number> {
  try {
    mkdirSync(cfg.logDir, { recursive: true });
  } catch (err) {
    throw new Fatal(`cannot create log directory ${cfg.logDir}: ${describeError(err)}`, EX.CANTCREAT);
  }
  const log = new AppendFile(join(cfg.logDir, "psprog.log"));
  const picker = new TargetPicker(cfg.strategy, cfg.targets.length, cfg.random);
  const connections = new Map<number, MemberConnection>();
  let stopping = false;
  const off = onSignals({ shutdown: () => (stopping = true) });
  let failures = 0;

  const keepalive = setInterval(() => {
    for (const [i, c] of connections) {
      if (Date.now() - c.lastUsed < KEEPALIVE_IDLE_MS) continue;
      void c.request(KEEPALIVE, "ack", cfg.timeoutMs).then((ok) => {
        if (!ok) {
          c.close();
          connections.delete(i);
        }
      });
    }
  }, 10_000);
  keepalive.unref();

  const connect = async (i: number): Promise<MemberConnection | DownCause> => {
    const existing = connections.get(i);
    if (existing?.alive) return existing;
    connections.delete(i);
    try {
      const c = await MemberConnection.open(cfg.targets[i]!, cfg.timeoutMs);
      connections.set(i, c);
      return c;
    } catch (err) {
      return downCause(errorCode(err));
    }
  };

  for (let sent = 0; (cfg.count < 0 || sent < cfg.count) && !stopping; sent++) {
    if (sent > 0 && cfg.intervalMs > 0) await sleep(cfg.intervalMs);
    const content = cfg.content();
    let result: Result = "down error";
    let label = cfg.targets[0]!.label;
    for (const i of picker.next()) {
      label = cfg.targets[i]!.label;
      const c = await connect(i);
      if (typeof c === "string") {
        result = `down ${c}`;
        continue;
      }
      // Written but unanswered is not resent: another entry node would log it again.
      result = (await c.request(encodeClientLine(content), "ok", cfg.timeoutMs)) ? "ok" : "noack";
      if (result === "noack") {
        c.close();
        connections.delete(i);
      }
      break;
    }
    if (result !== "ok") failures++;
    const line = `${logTimestamp(Date.now(), cfg.utc)} ${label} ${result} ${content}\n`;
    log.append(line);
    log.flush();
    if (cfg.verbose) printOut(line);
  }

  clearInterval(keepalive);
  await Promise.all([...connections.values()].map(async (c) => {
    await c.request(QUIT, "ok", QUIT_WAIT_MS);
    c.close();
  }));
  log.close();
  off();
  return failures === 0 ? EX.OK : EX.TEMPFAIL;
}

/**
 * The round-trip baselines of bench/kdosd.ts (spec §12, S-1, S-16, G-1):
 * a bare UDP echo on a `Bun.udpSocket` and a bare line echo on a
 * UNIX-domain stream socket, with nothing behind them. So that each echo
 * moves as many bytes as kdosd does, a request says how long its answer
 * is: `TAG LENGTH …` (any padding after), answered with LENGTH bytes that
 * start with the request's own (`TAG LENGTH …`), padded with `x` — over the
 * stream, one line each way, the answer followed by LF.
 *
 * Usage: `bun bench/kdosd-echo.ts --unix PATH`. It binds UDP on an
 * ephemeral port of 127.0.0.1, listens on PATH, and says so on stderr
 * (`kdosd-echo: listening on udp!127.0.0.1!PORT and unix!PATH`); it exits
 * on SIGTERM or SIGINT, or when its stdin (a pipe from the bench) ends.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { Framer } from "../lib/framer.ts";
import { createLog } from "../lib/log.ts";
import { listenStream } from "../lib/net/stream-sockets.ts";
import { onSignals } from "../lib/runtime/signals.ts";
import { bun } from "./bun.ts";

/** The largest UDP payload over IPv4, and so the longest answer. */
const MAX_ANSWER = 65_507;
const SPACE = 0x20;
const LF = new Uint8Array([0x0a]);

/** The LENGTH of `TAG LENGTH …`; NaN if there is none. */
function answerLength(request: Uint8Array): number {
  let i = request.indexOf(SPACE) + 1;
  if (i === 0) return NaN;
  let n = 0;
  for (let c = request[i]!; c >= 0x30 && c <= 0x39; c = request[++i]!) n = n * 10 + c - 0x30;
  return i > 0 && request[i - 1]! >= 0x30 && n <= MAX_ANSWER ? n : NaN;
}

/**
 * Answers built in one scratch buffer: the request's bytes, then the `x`
 * padding left there (requests hold no LF, so neither do answers).
 */
class Answers {
  readonly #scratch = Buffer.alloc(MAX_ANSWER, "x");

  /** The answer to `request`, valid until the next call; undefined for a malformed request. */
  to(request: Uint8Array): Uint8Array | undefined {
    const n = answerLength(request);
    if (Number.isNaN(n)) return undefined;
    if (n <= request.length) return request.subarray(0, n);
    this.#scratch.set(request);
    return this.#scratch.subarray(0, n);
  }
}

/** One stream connection: every complete line answered, the answers of one read written together. */
function serveLines(socket: Socket, answers: Answers): void {
  const framer = new Framer({ delimiter: "\n", maxBytes: MAX_ANSWER + 1 });
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: Uint8Array) => {
    const out: Uint8Array[] = [];
    framer.feed(chunk, (event) => {
      const answer = event.kind === "frame" ? answers.to(event.bytes) : undefined;
      if (answer === undefined) return void socket.destroy();
      out.push(Buffer.from(answer), LF);
    });
    if (out.length > 0) socket.write(Buffer.concat(out));
  });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--unix");
  const path = process.argv[at + 1];
  if (at < 0 || path === undefined) throw new Error("usage: bun bench/kdosd-echo.ts --unix PATH");
  const log = createLog("kdosd-echo", "verbose");
  const answers = new Answers();
  const udp = await bun().udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, request, port, address) {
        const answer = answers.to(request);
        if (answer !== undefined) socket.send(answer, port, address);
      },
    },
  });
  const server = await listenStream({ path });
  const connections = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    serveLines(socket, answers);
  });
  log.info(`listening on udp!127.0.0.1!${udp.port} and unix!${path}`);
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const off = onSignals({ shutdown: stop });
  process.stdin.on("end", stop).on("error", stop).resume();
  await stopped;
  off();
  udp.close();
  server.close();
  for (const socket of connections) socket.destroy();
  process.stdin.pause();
}

if (import.meta.main) await main();

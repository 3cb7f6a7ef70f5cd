/**
 * `kdosd call` (spec §9): send one command to a kdosd — over UDP from a
 * bound `--from` mailbox, or over a gateway — and print the reply whose tag
 * matches.
 *
 * @module
 */
import { connectStream } from "../../net/stream-sockets.ts";
import { SocketReader } from "../../net/reader.ts";
import { bindUdp } from "../../net/udp.ts";
import { parseDial } from "../../dial.ts";
import { describeError } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { TIMED_OUT, withTimeout } from "../../runtime/time.ts";
import { printErr, printLast, printOut } from "../../runtime/stdio.ts";
import { decodeBase64 } from "../base64.ts";
import { formatMailbox } from "../mailbox.ts";
import { parseReply } from "../reply.ts";

/**
 * What `kdosd call` was asked.
 *
 * @example
 * ```ts
 * const c: CallRequest = { to: "udp!127.0.0.1!7010", from: "udp!127.0.0.1!0", tag: "0x1", timeoutMs: 5000, raw: false, decode: false, words: ["STATX", "log.dat"] };
 * ```
 */
export interface CallRequest {
  to: string;
  from: string;
  tag: string;
  timeoutMs: number;
  raw: boolean;
  decode: boolean;
  words: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Send the command, await the reply, print it; resolves to the exit status
 * (0 errno 0, 1 another errno, 75 timeout, 65 malformed reply; 69 via Fatal).
 *
 * @example
 * ```ts
 * process.exitCode = await runCall(request);
 * ```
 */
export async function runCall(c: CallRequest): Promise<number> {
  const to = parseDial(c.to, { defaultNet: "udp" });
  const tagOf = (command: string) => command.trim().split(/[ \t]+/)[0] ?? "";
  const command = (mailbox: string) => (c.raw ? c.words.join(" ") : [c.tag, mailbox, ...c.words].join(" "));
  let line: string | typeof TIMED_OUT;
  if (to.net === "udp") {
    const from = parseDial(c.from, { defaultNet: "udp" });
    if (from.net !== "udp") throw new Fatal(`--from ${c.from}: a mailbox is udp!HOST!PORT`, EX.USAGE);
    let settle!: (line: string) => void;
    const answered = new Promise<string>((resolve) => (settle = resolve));
    let text = "";
    const socket = await bindUdp(from.host, from.port, {
      onMessage: (d) => {
        const reply = decoder.decode(d.data).replace(/[\0\r\n]+$/, "");
        if (tagOf(reply) === tagOf(text)) settle(reply);
      },
    }).catch((err) => {
      throw new Fatal(`cannot bind ${c.from}: ${describeError(err)}`, EX.UNAVAILABLE);
    });
    try {
      text = command(formatMailbox({ ip: socket.local.address, port: socket.local.port }));
      await socket.send(encoder.encode(text), to.host, to.port);
      line = await withTimeout(answered, c.timeoutMs);
    } finally {
      await socket.close();
    }
  } else {
    const socket = await connectStream(
      to.net === "unix" ? { path: to.path } : { host: to.host, port: to.port },
      c.timeoutMs,
    )
      .catch((err) => {
        throw new Fatal(`cannot connect to ${c.to}: ${describeError(err)}`, EX.UNAVAILABLE);
      });
    try {
      const text = command("-");
      const reader = new SocketReader(socket);
      socket.write(`${text}\n`);
      const read = async (): Promise<string> => {
        for (;;) {
          const bytes = await reader.until(0x0a, 1 << 20);
          if (bytes === null) throw new Fatal(`${c.to} closed the connection without a reply`, EX.UNAVAILABLE);
          const reply = decoder.decode(bytes).replace(/[\0\r]+$/, "");
          if (tagOf(reply) === tagOf(text)) return reply;
        }
      };
      line = await withTimeout(read(), c.timeoutMs);
    } finally {
      socket.destroy();
    }
  }
  if (line === TIMED_OUT) {
    printErr(`kdosd call: no reply from ${c.to} within ${c.timeoutMs / 1000} s\n`);
    return EX.TEMPFAIL;
  }
  const reply = parseReply(line);
  if (reply === undefined) {
    printErr(`kdosd call: a malformed reply: ${JSON.stringify(line)}\n`);
    return EX.DATAERR;
  }
  if (c.decode && reply.errno === 0) {
    const data = decodeBase64(reply.text ?? "");
    if (data === undefined) {
      printErr(`kdosd call: the reply's data is not base64\n`);
      return EX.DATAERR;
    }
    printErr(`${reply.tag} ${reply.errno} ${reply.value}\n`);
    printOut(data);
  } else await printLast(`${line}\n`);
  return reply.errno === 0 ? EX.OK : 1;
}

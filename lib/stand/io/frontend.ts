/**
 * standd's frontend sub-commands (spec §3.7) as clients of the wire
 * protocol: connect, read IDENT, identify as DISPLAY or COMMAND (with the
 * command token when there is one), then pipeline the requests and read
 * the replies in order. Exit statuses: 0 ok, 65 refused (QNO, an unknown
 * image or burner), 66 an unreadable file, 69 no server, 76 a reply that
 * makes no sense, 77 DENIED.
 *
 * @module
 */
import type { Socket } from "node:net";
import { readFile } from "node:fs/promises";
import { isatty } from "node:tty";
import { formatHostPort, parseDial } from "../../dial.ts";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { connectStream } from "../../net/stream-sockets.ts";
import { md5File } from "../../runtime/hash-file.ts";
import { onSignals } from "../../runtime/signals.ts";
import { printLast, printOut } from "../../runtime/stdio.ts";
import { TIMED_OUT, withTimeout } from "../../runtime/time.ts";
import { encode } from "../codec.ts";
import { FRAME_MAX, FrameReader, type ReadEvent } from "../framing.ts";
import type { BurnerRow, Ctype, Message, MessageOf, QueueRow } from "../messages.ts";
import {
  catalogueOf,
  diffSnapshots,
  type FrontendConfig,
  type FrontendRequest,
  type ImageInfo,
  parseTarget,
  pickToken,
  renderBurners,
  renderChanges,
  renderOk,
  renderQueue,
  renderQueued,
  renderScreen,
  renderWhatis,
  resolveBurner,
  resolveName,
  type Snapshot,
} from "../frontend.ts";

/** Default ports of `--server` and `--http` given without one. */
const PROTOCOL_PORT = 1337;
const HTTP_PORT = 1338;

/**
 * Where a frontend's output goes and what it asks of its surroundings;
 * tests give their own.
 *
 * @example
 * ```ts
 * const io: FrontendIo = { print: (t) => out.push(t), tty: false, now: () => 0, stop: controller.signal };
 * ```
 */
export interface FrontendIo {
  /** Prints on standard output; awaited. */
  print(text: string): unknown;
  /** Whether standard output is a terminal (`watch` redraws). */
  tty: boolean;
  /** The clock `watch` stamps its lines with. */
  now(): number;
  /** Ends `watch`; without it SIGTERM and SIGINT do. */
  stop?: AbortSignal;
}

/** One connection's replies, read in order. */
class Connection {
  readonly #socket: Socket;
  readonly #reader = new FrameReader();
  #events: ReadEvent[] = [];
  #at = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(socket: Socket, readonly server: string, readonly timeoutMs: number) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      for (const event of this.#reader.push(chunk)) this.#events.push(event);
      this.#poke();
    });
    const end = () => {
      this.#ended = true;
      this.#poke();
    };
    socket.on("end", end);
    socket.on("close", end);
  }

  /** Sends the messages in one write. */
  send(messages: readonly Message[]): void {
    const frames = messages.map(encode);
    const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of frames) {
      bytes.set(frame, at);
      at += frame.length;
    }
    this.#socket.write(bytes);
  }

  /** The next reply, which must be one of `types`; anything else ends the run with its status. */
  async reply<T extends Message["type"]>(...types: T[]): Promise<MessageOf<T>> {
    const next = await withTimeout(this.#next(), this.timeoutMs);
    if (next === TIMED_OUT) {
      throw new Fatal(`${this.server}: no reply within ${this.timeoutMs / 1000} s`, EX.UNAVAILABLE);
    }
    if ((types as string[]).includes(next.type)) return next as MessageOf<T>;
    if (next.type === "ERROR") {
      if (next.code === "DENIED") throw new Fatal(`${this.server} denied the request: ${next.text}`, EX.NOPERM);
      throw new Fatal(`${this.server} answered ERROR ${next.code}: ${next.text}`, EX.PROTOCOL);
    }
    const verb = (type: string) => type.replace(/_.*/, "");
    throw new Fatal(
      `${this.server} sent ${verb(next.type)} where ${types.map(verb).join(" or ")} was due`,
      EX.PROTOCOL,
    );
  }

  close(): void {
    this.#socket.destroy();
  }

  async #next(): Promise<Message> {
    for (;;) {
      const event = this.#events[this.#at];
      if (event !== undefined) {
        this.#at++;
        if (this.#at === this.#events.length) [this.#events, this.#at] = [[], 0];
        if (event.kind === "message") return event.message;
        if (event.kind === "bad") {
          throw new Fatal(`${this.server} sent a bad frame: ${event.failure.text}`, EX.PROTOCOL);
        }
        throw new Fatal(`${this.server} sent a frame over ${FRAME_MAX} bytes`, EX.PROTOCOL);
      }
      if (this.#ended) throw new Fatal(`${this.server} closed the connection`, EX.UNAVAILABLE);
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** The command token, read from `--token-file` if that is how it is given. */
async function commandToken(cfg: FrontendConfig): Promise<string | undefined> {
  const { flag, file, env } = cfg.token;
  let fileText: string | undefined;
  if (flag === undefined && file !== undefined) {
    try {
      fileText = await readFile(file, "utf8");
    } catch (err) {
      throw new Fatal(`--token-file ${file}: ${describeError(err)}`, EX.NOINPUT);
    }
  }
  return pickToken({ flag, fileText, env });
}

/** Connect and go through the handshake (§2.3) as `ctype`. */
async function connect(cfg: FrontendConfig, ctype: Ctype): Promise<Connection> {
  const token = ctype === "COMMAND" ? await commandToken(cfg) : undefined;
  const at = parseDial(cfg.server, { defaultPort: PROTOCOL_PORT, allowUnix: false, minPort: 1 });
  if (at.net === "unix") throw new Fatal(`--server ${cfg.server}: standd listens on TCP`, EX.USAGE);
  let socket: Socket;
  try {
    socket = await connectStream({ host: at.host, port: at.port }, cfg.timeoutMs);
  } catch (err) {
    throw new Fatal(`cannot connect to standd at ${cfg.server}: ${describeError(err)}`, EX.UNAVAILABLE);
  }
  const conn = new Connection(socket, cfg.server, cfg.timeoutMs);
  try {
    await conn.reply("IDENT");
    const id = globalThis.crypto.randomUUID();
    conn.send([{ type: "ID", ver: "V1", ctype, id, ...(token === undefined ? {} : { token }) }]);
    await conn.reply("CAPAB").catch((err) => {
      if (err instanceof Fatal && err.status === EX.NOPERM && token === undefined) {
        err.message += " (give --token, --token-file or STANDD_COMMAND_TOKEN)";
      }
      throw err;
    });
    conn.send([{ type: "CAP", ctype, hashes: [] }]);
    return conn;
  } catch (err) {
    conn.close();
    throw err;
  }
}

/** What WHATIS said, per hash, for one run; unknown hashes are asked again. */
class Images {
  readonly #known = new Map<string, ImageInfo>();

  /** Asks about every hash not known yet, pipelined. */
  async learn(conn: Connection, hashes: Iterable<string>): Promise<void> {
    const ask = [...new Set(hashes)].filter((h) => !this.#known.has(h));
    if (ask.length === 0) return;
    conn.send(ask.map((hash) => ({ type: "WHATIS", hash })));
    for (const hash of ask) {
      const reply = await conn.reply("INFO", "INFO_ENOIDEA");
      if (reply.type === "INFO") this.#known.set(hash, reply);
    }
  }

  info(hash: string): ImageInfo | undefined {
    return this.#known.get(hash);
  }

  readonly name = (hash: string): string | undefined => this.#known.get(hash)?.filename;
}

/** The hash of the image a queue target names (§3.7). */
async function targetHash(cfg: FrontendConfig, target: string, http: string): Promise<string> {
  const t = parseTarget(target);
  if (t.kind === "hash") return t.hash;
  if (t.kind === "name") return await hashByName(cfg, t.name, http);
  try {
    return (await md5File(t.path)).md5;
  } catch (err) {
    if (errorCode(err) === "ENOENT" && t.fallbackName !== undefined) return await hashByName(cfg, t.fallbackName, http);
    throw new Fatal(`${t.path}: ${describeError(err)}`, EX.NOINPUT);
  }
}

/** A name looked up in the dashboard's catalogue (`GET /api/state`). */
async function hashByName(cfg: FrontendConfig, name: string, http: string): Promise<string> {
  const at = parseDial(http, { defaultPort: HTTP_PORT, allowUnix: false, minPort: 1 });
  const url = `http://${formatHostPort(at)}/api/state`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(cfg.timeoutMs) });
  } catch (err) {
    throw new Fatal(
      `cannot reach the dashboard at ${http} to look up ${JSON.stringify(name)} (${describeError(err)}): ` +
        "give the image's hash, a local .iso, or --http",
      EX.UNAVAILABLE,
    );
  }
  if (!response.ok) throw new Fatal(`${url}: HTTP ${response.status}`, EX.PROTOCOL);
  const catalogue = catalogueOf(await response.json().catch(() => undefined));
  if (catalogue === undefined) throw new Fatal(`${url}: not a standd state document`, EX.PROTOCOL);
  const found = resolveName(name, catalogue);
  if (!found.ok) throw new Fatal(found.why, EX.DATAERR);
  return found.value;
}

/** Resolves once the burner list is in, and the burner `text` means in it. */
async function burnerId(conn: Connection, text: string): Promise<string> {
  conn.send([{ type: "SREPORT" }]);
  const { burners } = await conn.reply("SLIST");
  const found = resolveBurner(text, burners);
  if (!found.ok) throw new Fatal(found.why, EX.DATAERR);
  return found.value;
}

/** Sends one command and prints `ok` or `refused`. */
async function command(conn: Connection, message: Message, cfg: FrontendConfig, io: FrontendIo): Promise<number> {
  conn.send([message]);
  const reply = await conn.reply("QOK", "QNO");
  await io.print(renderOk(reply.type === "QOK", cfg.json));
  return reply.type === "QOK" ? EX.OK : EX.DATAERR;
}

/** One `watch` poll: both lists and the filenames of the queued images. */
async function poll(conn: Connection, images: Images): Promise<Snapshot> {
  conn.send([{ type: "QREPORT" }, { type: "SREPORT" }]);
  const queue: QueueRow[] = (await conn.reply("QLIST")).items;
  const burners: BurnerRow[] = (await conn.reply("SLIST")).burners;
  await images.learn(conn, queue.map((r) => r.hash));
  return { queue, burners };
}

/** `work`'s value, or undefined as soon as `signal` aborts. */
function unlessStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(undefined);
    const stop = () => resolve(undefined);
    signal.addEventListener("abort", stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return unlessStopped(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal).then(() => {});
}

/** `standd watch`: polls until stopped, printing what changed. */
async function watch(cfg: FrontendConfig, intervalMs: number, io: FrontendIo, stop: AbortSignal): Promise<number> {
  const conn = await connect(cfg, "DISPLAY");
  const images = new Images();
  let last: Snapshot | undefined;
  try {
    while (!stop.aborted) {
      const now = await unlessStopped(poll(conn, images), stop);
      if (now === undefined) break;
      const changes = diffSnapshots(last, now);
      if (io.tty && !cfg.json) {
        if (last === undefined || changes.length > 0) {
          await io.print(renderScreen(now, images.name, cfg.server, io.now()));
        }
      } else if (changes.length > 0) {
        await io.print(renderChanges(changes, images.name, io.now(), cfg.json));
      }
      last = now;
      await pause(intervalMs, stop);
    }
  } finally {
    conn.close();
  }
  return EX.OK;
}

/** Runs `watch` until SIGTERM or SIGINT when no other stop is given. */
async function watchUntilSignalled(cfg: FrontendConfig, intervalMs: number, io: FrontendIo): Promise<number> {
  if (io.stop !== undefined) return await watch(cfg, intervalMs, io, io.stop);
  const controller = new AbortController();
  const off = onSignals({ shutdown: () => controller.abort() });
  try {
    return await watch(cfg, intervalMs, io, controller.signal);
  } finally {
    off();
  }
}

/** The request's exchange on an open connection; resolves to the exit status. */
async function exchange(
  conn: Connection,
  cfg: FrontendConfig,
  req: Exclude<FrontendRequest, { verb: "watch" }>,
  io: FrontendIo,
  hash: string,
): Promise<number> {
  switch (req.verb) {
    case "queue": {
      conn.send(Array.from({ length: req.copies }, () => ({ type: "QUEUE", hash, prio: req.prio }) as const));
      let queued = 0;
      for (let i = 0; i < req.copies; i++) if ((await conn.reply("QOK", "QNO")).type === "QOK") queued++;
      await io.print(renderQueued(hash, queued, req.copies - queued, cfg.json));
      return queued === req.copies ? EX.OK : EX.DATAERR;
    }
    case "qreport": {
      conn.send([{ type: "QREPORT" }]);
      const { items } = await conn.reply("QLIST");
      const images = new Images();
      await images.learn(conn, items.map((r) => r.hash));
      await io.print(renderQueue(items, images.name, cfg.json));
      return EX.OK;
    }
    case "sreport": {
      conn.send([{ type: "SREPORT" }]);
      await io.print(renderBurners((await conn.reply("SLIST")).burners, cfg.json));
      return EX.OK;
    }
    case "whatis": {
      const images = new Images();
      await images.learn(conn, [req.hash]);
      const info = images.info(req.hash);
      await io.print(renderWhatis(req.hash, info, cfg.json));
      return info === undefined ? EX.DATAERR : EX.OK;
    }
    case "open":
      return await command(conn, { type: "OPEN_BURNER", burnerId: await burnerId(conn, req.burner) }, cfg, io);
    case "name":
      return await command(conn, { type: "NAME", id: await burnerId(conn, req.burner), label: req.label }, cfg, io);
    case "qdel":
      return await command(conn, { type: "QDEL", item: req.item }, cfg, io);
  }
}

/**
 * Run one frontend sub-command against standd; resolves to its exit
 * status, or throws {@link Fatal} with it (69 no server, 76 bad reply,
 * 77 denied…).
 *
 * @example
 * ```ts
 * return await runFrontend(
 *   { server: "127.0.0.1:1337", token: {}, json: false, timeoutMs: 30000 },
 *   { verb: "queue", target: "24ea1163ea6c9f5dae77de8c49ee7c03", prio: 50, copies: 3, http: "127.0.0.1:1338" },
 * ); // prints "queued 3"
 * ```
 */
export async function runFrontend(
  cfg: FrontendConfig,
  req: FrontendRequest,
  given: Partial<FrontendIo> = {},
): Promise<number> {
  const io: FrontendIo = {
    print: given.print ?? (req.verb === "watch" ? printOut : printLast),
    tty: given.tty ?? isatty(1),
    now: given.now ?? Date.now,
    stop: given.stop,
  };
  if (req.verb === "watch") return await watchUntilSignalled(cfg, req.intervalMs, io);
  // A file is hashed and a name looked up before connecting: hashing a DVD image takes a while.
  const hash = req.verb === "queue" ? await targetHash(cfg, req.target, req.http) : "";
  const commands = req.verb === "queue" || req.verb === "open" || req.verb === "name" || req.verb === "qdel";
  const conn = await connect(cfg, commands ? "COMMAND" : "DISPLAY");
  try {
    return await exchange(conn, cfg, req, io, hash);
  } finally {
    conn.close();
  }
}

/**
 * Protocol-level stand clients for tests: a frontend that asks and reads
 * replies in order, and simulated burners that burn at once (the benchmark's
 * kind of burner), reconnecting at once when standd goes away.
 */
import { connect, type Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { encode } from "../../lib/stand/codec.ts";
import { FrameReader } from "../../lib/stand/framing.ts";
import type { Ctype, Message } from "../../lib/stand/messages.ts";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openJournal } from "../../lib/stand/io/journal.ts";
import { scanJournal } from "../../lib/stand/journal.ts";
import type { JournalJob } from "../../lib/stand/records.ts";
import type { StandState } from "../../lib/stand/state.ts";
import { freePort, waitFor } from "./net.ts";
import { type Background, background, programArgv } from "./process.ts";

/** A connection that queues decoded messages until the test takes them. */
export class StandConn {
  readonly #reader = new FrameReader();
  readonly #inbox: Message[] = [];
  #closed = false;
  #listener?: (m: Message) => void;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const e of this.#reader.push(chunk)) {
        if (e.kind !== "message") continue;
        if (this.#listener) this.#listener(e.message);
        else this.#inbox.push(e.message);
      }
    });
    socket.on("close", () => (this.#closed = true));
    socket.on("error", () => {});
  }

  /** Connect to standd on 127.0.0.1:`port` and finish the handshake as `ctype`. */
  static async open(port: number, ctype: Ctype, opts: { id?: string; token?: string; hashes?: string[] } = {}) {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const c = new StandConn(socket);
    await c.next("IDENT");
    const id = opts.id ?? randomUUID();
    c.send({ type: "ID", ver: "V1", ctype, id, ...(opts.token === undefined ? {} : { token: opts.token }) });
    await c.next("CAPAB");
    c.send({ type: "CAP", ctype, hashes: opts.hashes ?? [] });
    return c;
  }

  /** Hand every message, those already received first, to `listener` instead of queueing it. */
  listen(listener: (m: Message) => void): void {
    this.#listener = listener;
    for (const m of this.#inbox.splice(0)) listener(m);
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(...messages: Message[]): void {
    if (!this.#closed) this.socket.write(Buffer.concat(messages.map((m) => encode(m))));
  }

  /** The next message, or the next of `type` (others before it are dropped). */
  async next(type?: Message["type"], timeout = 10_000): Promise<Message> {
    return await waitFor(`a ${type ?? "message"} from standd`, () => {
      while (this.#inbox.length > 0) {
        const m = this.#inbox.shift()!;
        if (type === undefined || m.type === type) return m;
      }
      if (this.#closed) throw new Error(`closed while waiting for ${type ?? "a message"}`);
      return undefined;
    }, timeout);
  }

  /** Send requests and read one reply per request, in order. */
  async ask(...requests: Message[]): Promise<Message[]> {
    this.send(...requests);
    const replies: Message[] = [];
    for (let i = 0; i < requests.length; i++) replies.push(await this.next());
    return replies;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A burner that answers every BURN at once with `0`, `100 TIME 0` and a
 * verdict (PASS unless `fail` says otherwise), then AVAIL again; it
 * reconnects at once when its connection drops, until stopped.
 */
export class SimBurner {
  conn: StandConn | undefined;
  /** Hashes it was told to burn, in order. */
  readonly burned: string[] = [];
  #stopped = false;

  constructor(
    readonly port: number,
    readonly id: string,
    readonly ctype: "BURNCDR" | "BURNDVD",
    readonly hashes: string[],
    readonly fail: (hash: string, n: number) => boolean = () => false,
    /** How long a simulated burn takes, in ms (0: at once). */
    readonly burnMs = 0,
  ) {}

  async start(): Promise<void> {
    while (!this.#stopped) {
      try {
        const conn = await StandConn.open(this.port, this.ctype, { id: this.id, hashes: this.hashes });
        this.conn = conn;
        const media = this.ctype === "BURNDVD" ? "DVD" : "CDR";
        conn.listen((m) => {
          if (m.type === "BURN") {
            this.burned.push(m.hash);
            const verdict = this.fail(m.hash, this.burned.length) ? "FAIL" : "PASS";
            conn.send({ type: "STATUS_PROGRESS", hash: m.hash, pct: 0 });
            const finish = () =>
              conn.send(
                { type: "STATUS_PROGRESS", hash: m.hash, pct: 100, time: 0 },
                { type: "STATUS_VERDICT", hash: m.hash, verdict },
                { type: "STATUS_MEDIA", media, state: "AVAIL" },
              );
            if (this.burnMs === 0) finish();
            else setTimeout(finish, this.burnMs);
          } else if (m.type === "WHATIS") {
            conn.send({ type: "INFO", hash: m.hash, filename: `${m.hash}.iso`, description: "simulated", bytes: 1000 });
          }
        });
        conn.send({ type: "STATUS_MEDIA", media, state: "AVAIL" });
        // The connection may have closed already, before this listener could hear it.
        await new Promise<void>((resolve) => conn.closed ? resolve() : conn.socket.once("close", () => resolve()));
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    this.conn?.close();
  }
}

/** A dist/standd serving on a free loopback port over `stateDir`. */
export interface Standd {
  proc: Background;
  port: number;
  httpPort: number | undefined;
  stateDir: string;
}

/**
 * Start dist/standd on `port` (free if omitted) over `stateDir`; resolves
 * once it serves. `--http` is off unless `http` is set.
 */
export async function startStandd(
  stateDir: string,
  opts: { port?: number; http?: boolean; args?: string[] } = {},
): Promise<Standd> {
  const port = opts.port ?? await freePort(["127.0.0.1"]);
  const httpPort = opts.http ? await freePort(["127.0.0.1"], [port]) : undefined;
  const proc = background([
    ...programArgv("standd"),
    "--listen",
    `127.0.0.1:${port}`,
    "--http",
    httpPort === undefined ? "off" : `127.0.0.1:${httpPort}`,
    "--state-dir",
    stateDir,
    ...(opts.args ?? []),
  ]);
  await waitFor("standd to serve", () => {
    if (proc.child.exitCode !== null) throw new Error(`standd exited: ${proc.stderr()}`);
    return proc.stderr().includes("serving on");
  }, { state: () => proc.stderr() });
  return { proc, port, httpPort, stateDir };
}

/** The state standd left in `stateDir` (it must not be running). */
export function readState(stateDir: string): StandState {
  const quiet = { error() {}, warn() {}, info() {}, debug() {} };
  const { journal } = openJournal(stateDir, { historyMax: 1_000_000, log: quiet });
  const state = journal.state;
  journal.close();
  return state;
}

/**
 * Replay the journal in `stateDir` and check every dispatch (`bind`) took
 * the minimum `(prio, seq)` among the queued jobs the burner could take at
 * that moment: an image it had announced and the catalogue knew (jobs of an
 * image wait for its INFO), a DVD job only on a DVD burner. Returns the
 * violations (none is good). Exclusions after refusals are not journalled,
 * nor is giving up waiting for an INFO, so this is for runs where burners
 * answer WHATIS and refuse nothing.
 */
export function dispatchViolations(stateDir: string, cdCapacity: number): string[] {
  if (existsSync(join(stateDir, "snapshot.json"))) throw new Error("compacted: the whole journal is gone");
  const files = readdirSync(stateDir).filter((f) => /^journal\.\d+$/.test(f))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  const queue = new Map<number, JournalJob>();
  const jobs = new Map<number, JournalJob>();
  const burners = new Map<string, { ctype: string; hashes: Set<string> }>();
  const sizes = new Map<string, { bytes?: number; dvdOnly?: boolean }>();
  const bad: string[] = [];
  const isDvd = (hash: string) => {
    const iso = sizes.get(hash);
    return iso !== undefined && (iso.dvdOnly === true || (iso.bytes ?? 0) > cdCapacity);
  };
  let after = 0;
  for (const [i, f] of files.entries()) {
    const scan = scanJournal(readFileSync(join(stateDir, f)), i === files.length - 1, after);
    if (scan.error) throw new Error(`${f}: ${scan.error.reason}`);
    for (const r of scan.records) {
      after = r.seq;
      if (r.type === "enq" || r.type === "requeue") {
        queue.set(r.job.item, r.job);
        jobs.set(r.job.item, r.job);
      } else if (r.type === "qdel") queue.delete(r.item);
      else if (r.type === "restore") queue.set(r.item, jobs.get(r.item)!);
      else if (r.type === "burner") {
        burners.set(r.burner.id, { ctype: r.burner.ctype, hashes: new Set(r.burner.hashes) });
      } else if (r.type === "iso") sizes.set(r.iso.hash, r.iso);
      else if (r.type === "bind") {
        const b = burners.get(r.burner);
        let best: JournalJob | undefined;
        for (const j of queue.values()) {
          if (!b?.hashes.has(j.hash) || !sizes.has(j.hash) || (isDvd(j.hash) && b.ctype !== "BURNDVD")) continue;
          if (best === undefined || j.prio < best.prio || (j.prio === best.prio && j.qseq < best.qseq)) best = j;
        }
        if (best?.item !== r.item) bad.push(`record ${r.seq}: ${r.burner} took item ${r.item}, not ${best?.item}`);
        queue.delete(r.item);
      }
    }
  }
  return bad;
}

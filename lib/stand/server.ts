/**
 * standd's protocol core (spec §2, §3, §7): a `StreamCore` that speaks the
 * stand protocol to burners and frontends, keeps the queue, the burner
 * registry and the ISO catalogue, and journals every state change before
 * anything that depends on it leaves.
 *
 * The commit rule (§3.5) is kept by holding output: everything sent in a
 * turn waits in order, and at the end of the turn (`tick`) the records the
 * turn appended are committed with one fsync, then the held bytes go out.
 * So QOK never precedes its `enq`, and BURN never precedes its `bind`.
 *
 * Scheduling and the failure rules live in lib/stand/burners.ts; this core
 * turns their decisions into records and messages.
 *
 * @module
 */
import type { ConnId, StreamCore, StreamEffects, StreamPeer } from "../core.ts";
import { answer, encode } from "./codec.ts";
import type { DashboardInput } from "./dashboard.ts";
import { Burners, type Decision, type Phase } from "./burners.ts";
import { FrameReader, tooBig } from "./framing.ts";
import type { Journal } from "./journal.ts";
import type { BurnerRow, Ctype, Message, MessageOf } from "./messages.ts";
import { JobQueue, type QueueItem } from "./queue.ts";
import type { BurnerEntry, JournalJob } from "./records.ts";

/**
 * What standd's options set (§3.1, §7), in milliseconds and bytes.
 *
 * @example
 * ```ts
 * const s: StanddSettings = { ...STANDD_DEFAULTS, commandToken: "booth-7" };
 * ```
 */
export interface StanddSettings {
  askedTimeoutMs: number;
  reconnectGraceMs: number;
  idleTimeoutMs: number;
  maxAttempts: number;
  cdCapacity: number;
  openOnComplete: boolean;
  maxFrame: number;
  maxQueue: number;
  maxConns: number;
  commandToken?: string;
  /** A connection must send ID within this (§7). */
  identTimeoutMs: number;
  /** This many ERRORs sent to one connection within `errorWindowMs` close it (§7). */
  errorLimit: number;
  errorWindowMs: number;
  /** Output a client has not read beyond this closes it (§7). */
  maxUnsent: number;
  /**
   * Bytes of unfinished frames held for all connections together: past
   * it, the connection that sent the last bytes is closed, so that many
   * slow or hostile clients cannot make standd hold `--max-conns` ×
   * `--max-frame` bytes.
   */
  maxPartial: number;
  /** Compaction after this many records, or this long after the first uncompacted one (§3.5). */
  compactRecords: number;
  compactMs: number;
}

/**
 * The defaults of §3.1 and §7.
 *
 * @example
 * ```ts
 * STANDD_DEFAULTS.askedTimeoutMs; // 30000
 * ```
 */
export const STANDD_DEFAULTS: StanddSettings = {
  askedTimeoutMs: 30_000,
  reconnectGraceMs: 120_000,
  idleTimeoutMs: 35_000,
  maxAttempts: 3,
  cdCapacity: 737_280_000,
  openOnComplete: false,
  maxFrame: 256 * 1024,
  maxQueue: 100_000,
  maxConns: 2048,
  identTimeoutMs: 30_000,
  errorLimit: 100,
  errorWindowMs: 10_000,
  maxUnsent: 8 * 1024 * 1024,
  maxPartial: 32 * 1024 * 1024,
  compactRecords: 10_000,
  compactMs: 300_000,
};

/**
 * How long jobs of an image wait for the answer to a WHATIS about it, so
 * that a DVD-sized image is not sent to a CD burner in the moment between a
 * burner's CAP and its INFO. A burner that never answers (the original's
 * INFO may lack the size anyway) delays them no longer than this.
 */
const SIZE_WAIT_MS = 10_000;
const FILENAME_MAX = 255;
const DESCRIPTION_MAX = 4096;
const RATES_KEPT = 20;

/** One client connection. */
interface Client {
  readonly conn: ConnId;
  readonly reader: FrameReader;
  readonly openedAt: number;
  ctype?: Ctype;
  /** The burner id, for burners. */
  id?: string;
  /** When the ERRORs sent lately went out (§7). */
  errors: number[];
  /** Bytes handed to the driver since it last said the connection drained. */
  unsent: number;
  /** WHATIS already sent on this connection. */
  asked: Set<string>;
  /** Closed by us (take-over, idle, limits): its `closed` changes nothing else. */
  dropped: boolean;
}

/** What the dashboard shows of a burner beyond the scheduler's view. */
interface BurnerExtra {
  since: number;
  phase: Phase;
  consecutiveFails: number;
  lastError?: string;
  rates: number[];
}

/** An output held until the turn's records are durable. */
type Held = { conn: ConnId; bytes: Uint8Array } | { conn: ConnId; close: true };

/**
 * standd's core. Construct it over a journal already replayed: the queue,
 * the registry (all burners DISCONN) and the in-flight bindings (held for
 * a fresh grace period) come back from the journal's state.
 *
 * @example
 * ```ts
 * const core = new StandServer(driver.effects, journal, STANDD_DEFAULTS, Date.now(), () => dashboard.changed());
 * runner.start(core);
 * ```
 */
export class StandServer implements StreamCore {
  readonly #fx: StreamEffects;
  readonly #journal: Journal;
  readonly #settings: StanddSettings;
  readonly #changed: () => void;
  readonly #queue: JobQueue;
  readonly #burners: Burners;
  readonly #clients = new Map<ConnId, Client>();
  /** Connections that have not sent ID yet, oldest first. */
  readonly #anonymous = new Map<ConnId, Client>();
  readonly #burnerConn = new Map<string, ConnId>();
  readonly #extra = new Map<string, BurnerExtra>();
  readonly #startedAt: number;
  #held: Held[] = [];
  #version = 0;
  #shownVersion = 0;
  #firstUncompacted: number | undefined;
  #stopping = false;
  #broken = false;
  #token: string | undefined;
  /** Bytes held in every connection's unfinished frame. */
  #partial = 0;
  /** Images a WHATIS asked about, unanswered, and since when: their jobs wait. */
  readonly #sizing = new Map<string, number>();

  constructor(fx: StreamEffects, journal: Journal, settings: StanddSettings, now: number, changed = () => {}) {
    this.#fx = fx;
    this.#journal = journal;
    this.#settings = settings;
    this.#changed = changed;
    this.#startedAt = now;
    this.#token = settings.commandToken;
    const state = journal.state;
    this.#queue = new JobQueue(settings.maxQueue, state.nextItem, state.nextQseq);
    for (const job of state.queue.values()) this.#queue.restore(queueItem(job));
    this.#burners = new Burners(this.#queue, {
      askedTimeoutMs: settings.askedTimeoutMs,
      reconnectGraceMs: settings.reconnectGraceMs,
      idleTimeoutMs: settings.idleTimeoutMs,
      maxAttempts: settings.maxAttempts,
      isDvd: (hash) => this.#isDvd(hash),
      waits: (hash) => this.#sizing.has(hash),
    });
    const bound = new Map<string, { job: QueueItem; phase: "ASKED" | "BURNING" | "CHECKING" }>();
    for (const f of state.inFlight.values()) bound.set(f.burner, { job: queueItem(f.job), phase: f.phase });
    for (const b of state.burners.values()) {
      this.#burners.restore(b.id, b.ctype, b.hashes, bound.get(b.id), now);
      this.#extra.set(b.id, { since: now, phase: "DISCONN", consecutiveFails: 0, rates: [] });
    }
    if (journal.sinceSnapshot > 0) this.#firstUncompacted = now;
  }

  /** The state version the dashboard's events carry; it grows with every change. */
  get version(): number {
    return this.#version;
  }

  /**
   * Replace the command token (SIGHUP re-reads --command-token-file);
   * undefined lets every COMMAND client in.
   *
   * @example
   * ```ts
   * core.setCommandToken("booth-8");
   * ```
   */
  setCommandToken(token: string | undefined): void {
    this.#token = token;
  }

  /** True once the journal could not be written: the core stopped serving. */
  get failed(): boolean {
    return this.#broken;
  }

  /** Connections open. */
  get connections(): number {
    return this.#clients.size;
  }

  opened(conn: ConnId, _peer: StreamPeer, now: number): void {
    if (this.#stopping || this.#clients.size >= this.#settings.maxConns) {
      this.#fx.log(
        "warn",
        `refused a connection: ${this.#stopping ? "stopping" : `--max-conns ${this.#settings.maxConns} reached`}`,
      );
      this.#fx.abort(conn);
      return;
    }
    const client: Client = {
      conn,
      reader: new FrameReader(this.#settings.maxFrame),
      openedAt: now,
      errors: [],
      unsent: 0,
      asked: new Set(),
      dropped: false,
    };
    this.#clients.set(conn, client);
    this.#anonymous.set(conn, client);
    this.#send(client, { type: "IDENT", ver: "V1" });
  }

  received(conn: ConnId, bytes: Uint8Array, now: number): void {
    const c = this.#clients.get(conn);
    if (c === undefined || c.dropped) return;
    this.#partial -= c.reader.buffered;
    const events = c.reader.push(bytes);
    this.#partial += c.reader.buffered;
    if (this.#partial > this.#settings.maxPartial && c.reader.buffered > 0) {
      this.#fx.log(
        "warn",
        `${who(c)}: unfinished frames of all clients over ${this.#settings.maxPartial} bytes; closed`,
      );
      this.#drop(c);
      return;
    }
    for (const event of events) {
      if (c.dropped) return;
      if (event.kind === "toobig") {
        this.#fx.log("warn", `${who(c)}: frame over ${this.#settings.maxFrame} bytes; closed`);
        this.#send(c, tooBig(this.#settings.maxFrame));
        this.#drop(c);
      } else if (event.kind === "bad") {
        const reply = answer(event.failure);
        this.#fx.log("debug", `${who(c)}: ${event.failure.text}`);
        if (reply?.type === "ERROR") this.#error(c, reply.code, reply.text, now);
        else if (reply !== undefined) this.#send(c, reply);
        // VERSION closes (§2.8); so does a frame that is no message at all (no verb, not UTF-8).
        if (event.failure.code === "VERSION" || event.failure.verb === "") {
          this.#fx.log("warn", `${who(c)}: ${event.failure.text}; closed`);
          this.#drop(c);
        }
      } else this.#message(c, event.message, now);
    }
  }

  writable(conn: ConnId): void {
    const c = this.#clients.get(conn);
    if (c !== undefined) c.unsent = 0;
  }

  closed(conn: ConnId, _error: string | undefined, now: number): void {
    const c = this.#clients.get(conn);
    if (c === undefined) return;
    if (!c.dropped) this.#partial -= c.reader.buffered;
    this.#clients.delete(conn);
    this.#anonymous.delete(conn);
    if (c.id === undefined || this.#burnerConn.get(c.id) !== conn) return;
    this.#burnerConn.delete(c.id);
    this.#apply(this.#burners.lost(c.id, now), now);
    this.#seen(c.id, now);
  }

  tick(now: number): void {
    if (this.#broken) return;
    let sized = false;
    for (const [hash, since] of this.#sizing) {
      if (now < since + SIZE_WAIT_MS) break;
      this.#sizing.delete(hash);
      sized = true;
    }
    if (sized) this.#apply(this.#burners.rematch(now), now);
    this.#apply(this.#burners.tick(now), now);
    for (const [id, conn] of this.#burnerConn) {
      if (this.#burners.get(id)?.connected) continue;
      const c = this.#clients.get(conn)!;
      this.#fx.log("info", `burner ${id}: silent for ${this.#settings.idleTimeoutMs / 1000} s; closed`);
      this.#burnerConn.delete(id);
      this.#seen(id, now);
      this.#drop(c);
    }
    for (const c of this.#anonymous.values()) {
      if (now < c.openedAt + this.#settings.identTimeoutMs) break;
      this.#fx.log("info", `${who(c)}: no ID within ${this.#settings.identTimeoutMs / 1000} s; closed`);
      this.#drop(c);
    }
    this.#commit(now);
  }

  nextDeadline(): number | undefined {
    if (this.#broken) return undefined;
    if (this.#held.length > 0 || this.#journal.pending > 0 || this.#version !== this.#shownVersion) return 0;
    let next = this.#burners.nextDeadline();
    const at = (t: number) => {
      if (next === undefined || t < next) next = t;
    };
    const first = this.#anonymous.values().next();
    if (!first.done) at(first.value.openedAt + this.#settings.identTimeoutMs);
    if (this.#firstUncompacted !== undefined) at(this.#firstUncompacted + this.#settings.compactMs);
    const sizing = this.#sizing.values().next();
    if (!sizing.done) at(sizing.value + SIZE_WAIT_MS);
    return next;
  }

  /**
   * SIGTERM: commit, send what is held, close every connection, and end.
   *
   * @example
   * ```ts
   * core.stop(Date.now());
   * runner.touch();
   * ```
   */
  stop(now: number): void {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const c of this.#clients.values()) this.#drop(c);
    this.#commit(now);
    this.#fx.done();
  }

  /**
   * What the dashboard shows, as of `now`.
   *
   * @example
   * ```ts
   * core.view(Date.now()).queue.length; // items queued
   * ```
   */
  view(now: number): DashboardInput {
    const state = this.#journal.state;
    const inFlight = new Map<string, { boundAt: number; startedAt?: number }>();
    for (const f of state.inFlight.values()) inFlight.set(f.burner, f);
    const rows = this.#rows();
    const holders = new Map<string, number>();
    for (const b of this.#burners.all()) {
      if (!b.connected) continue;
      for (const h of b.hashes) holders.set(h, (holders.get(h) ?? 0) + 1);
    }
    return {
      now,
      startedAt: this.#startedAt,
      version: this.#version,
      burners: this.#burners.all().map((b, i) => {
        const entry = state.burners.get(b.id);
        const extra = this.#extraOf(b.id, now);
        const flight = inFlight.get(b.id);
        const hash = b.binding?.job.hash;
        const bytes = hash === undefined ? undefined : state.isos.get(hash)?.bytes;
        return {
          id: b.id,
          ctype: b.ctype,
          ...(entry?.label ? { label: entry.label } : {}),
          connected: b.connected,
          state: rows[i]!.state,
          subject: rows[i]!.subject,
          phase: b.phase,
          hashes: [...b.hashes],
          since: extra.since,
          ...(flight === undefined ? {} : { boundAt: flight.boundAt }),
          ...(flight?.startedAt === undefined ? {} : { startedAt: flight.startedAt }),
          ...(bytes === undefined ? {} : { imageBytes: bytes }),
          passes: entry?.passes ?? 0,
          fails: entry?.fails ?? 0,
          consecutiveFails: extra.consecutiveFails,
          ...(extra.lastError === undefined ? {} : { lastError: extra.lastError }),
          pastWriteRates: [...extra.rates],
        };
      }),
      queue: this.#queue.items(),
      catalogue: [...state.isos.values()].filter((iso) => iso.filename !== "").map((iso) => ({
        ...iso,
        holders: holders.get(iso.hash) ?? 0,
        dvd: this.#isDvd(iso.hash),
      })),
      history: state.history,
    };
  }

  #message(c: Client, m: Message, now: number): void {
    if (c.ctype === undefined) {
      if (m.type === "ID") this.#identify(c, m, now);
      else if (m.type !== "ERROR") this.#error(c, "BADSTATE", `${verbOf(m)}: send ID first`, now);
      return;
    }
    const burner = c.ctype === "BURNCDR" || c.ctype === "BURNDVD" ? c.id : undefined;
    switch (m.type) {
      case "ID":
        return this.#error(c, "BADSTATE", "ID: already identified", now);
      case "CAP":
        if (burner !== undefined) this.#cap(c, burner, m.hashes, now);
        return;
      case "ASKCAP":
        return this.#send(c, { type: "CAPAB" });
      case "WHATIS":
        return this.#send(c, this.#info(m.hash));
      case "INFO":
        if (burner === undefined) return;
        this.#learn(burner, m);
        if (this.#sizing.delete(m.hash)) this.#apply(this.#burners.rematch(now), now);
        return;
      case "INFO_ENOIDEA":
        return;
      case "STATUS_MEDIA":
      case "STATUS_PROGRESS":
      case "STATUS_VERDICT":
        if (burner === undefined) return this.#error(c, "DENIED", "STATUS: only burners send STATUS", now);
        this.#status(burner, m, now);
        return;
      case "ERROR":
        if (burner !== undefined) this.#burnerError(burner, m, now);
        return;
      case "QREPORT":
        return this.#send(c, { type: "QLIST", items: this.#queue.rows() });
      case "SREPORT":
        return this.#send(c, { type: "SLIST", burners: this.#rows() });
      case "QUEUE":
      case "QDEL":
      case "NAME":
      case "OPEN_BURNER":
        if (c.ctype !== "COMMAND") return this.#error(c, "DENIED", `${verbOf(m)}: only COMMAND clients may`, now);
        return this.#command(c, m, now);
      default:
        return this.#error(c, "BADSTATE", `${verbOf(m)}: only the server sends ${verbOf(m)}`, now);
    }
  }

  #identify(c: Client, m: MessageOf<"ID">, now: number): void {
    const token = this.#token;
    if (m.ctype === "COMMAND" && token !== undefined && !sameText(m.token ?? "", token)) {
      this.#fx.log("warn", `${who(c)}: COMMAND client with a bad or missing command token; closed`);
      this.#send(c, { type: "ERROR", code: "DENIED", text: "bad or missing command token" });
      this.#drop(c);
      return;
    }
    this.#anonymous.delete(c.conn);
    c.ctype = m.ctype;
    if (m.ctype === "BURNCDR" || m.ctype === "BURNDVD") {
      c.id = m.id;
      const old = this.#burnerConn.get(m.id);
      if (old !== undefined) {
        this.#fx.log("info", `burner ${m.id}: a new connection takes over`);
        this.#drop(this.#clients.get(old)!);
      }
      this.#burnerConn.set(m.id, c.conn);
      this.#apply(this.#burners.connect(m.id, m.ctype, now), now);
      this.#extraOf(m.id, now);
      this.#moved(m.id, now);
      const known = this.#journal.state.burners.get(m.id);
      this.#upsert({
        id: m.id,
        ctype: m.ctype,
        ...(known?.label ? { label: known.label } : {}),
        hashes: known?.hashes ?? [],
        firstSeen: known?.firstSeen ?? now,
        lastSeen: now,
        passes: known?.passes ?? 0,
        fails: known?.fails ?? 0,
      });
    }
    this.#send(c, { type: "CAPAB" });
  }

  #cap(c: Client, id: string, hashes: string[], now: number): void {
    const known = this.#journal.state.burners.get(id)!;
    if (!sameList(known.hashes, hashes)) this.#upsert({ ...known, hashes: [...hashes], lastSeen: now });
    for (const hash of hashes) {
      if (this.#known(hash) || c.asked.has(hash)) continue;
      c.asked.add(hash);
      if (!this.#sizing.has(hash)) this.#sizing.set(hash, now);
      this.#send(c, { type: "WHATIS", hash });
    }
    this.#apply(this.#burners.cap(id, hashes, now), now);
  }

  /** A burner's INFO (§3.6): the first wins; a later one may only fill in the size. */
  #learn(id: string, m: MessageOf<"INFO">): void {
    const old = this.#journal.state.isos.get(m.hash);
    const filename = m.filename.slice(0, FILENAME_MAX);
    const description = m.description.slice(0, DESCRIPTION_MAX);
    if (old === undefined || old.filename === "") {
      this.#journal.append({
        type: "iso",
        iso: {
          hash: m.hash,
          filename,
          description,
          ...(m.bytes === undefined ? {} : { bytes: m.bytes }),
          ...(old?.dvdOnly ? { dvdOnly: true } : {}),
        },
      });
      return;
    }
    if (old.filename !== filename) {
      this.#fx.log("info", `burner ${id} calls ${m.hash} "${filename}"; keeping "${old.filename}"`);
    }
    if (old.bytes === undefined && m.bytes !== undefined) {
      this.#journal.append({ type: "iso", iso: { ...old, bytes: m.bytes } });
    }
  }

  #status(id: string, m: MessageOf<"STATUS_MEDIA" | "STATUS_PROGRESS" | "STATUS_VERDICT">, now: number): void {
    const b = this.#burners.get(id);
    const before = b?.binding?.job.hash;
    const pct = b?.pct;
    const decisions = this.#burners.status(id, m, now);
    if (b?.pct !== pct) this.#version++;
    if (m.type !== "STATUS_MEDIA" && decisions.length === 0 && before !== m.hash) {
      this.#fx.log("info", `burner ${id}: STATUS for ${m.hash}, which it is not burning; ignored`);
    }
    this.#apply(decisions, now);
    this.#moved(id, now);
  }

  #burnerError(id: string, m: MessageOf<"ERROR">, now: number): void {
    const b = this.#burners.get(id);
    if (b === undefined) return;
    this.#extraOf(id, now).lastError = `${m.code}: ${m.text}`;
    const hash = b.binding?.phase === "ASKED" ? b.binding.job.hash : undefined;
    if (m.code === "MEDIA" && hash !== undefined && b.media === "CDR") {
      const iso = this.#journal.state.isos.get(hash);
      if (iso?.bytes === undefined && !iso?.dvdOnly) {
        this.#journal.append({
          type: "iso",
          iso: { hash, filename: "", description: "", ...iso, dvdOnly: true },
        });
      }
    }
    this.#apply(this.#burners.error(id, m.code, now), now);
    this.#moved(id, now);
    this.#version++;
  }

  #command(c: Client, m: MessageOf<"QUEUE" | "QDEL" | "NAME" | "OPEN_BURNER">, now: number): void {
    if (m.type === "QUEUE") {
      const queued = this.#burners.enqueue(m.hash, m.prio, now);
      if (queued === undefined) return this.#send(c, { type: "QNO" });
      this.#journal.append({ type: "enq", job: journalJob(queued.job) });
      this.#apply(queued.decisions, now);
    } else if (m.type === "QDEL") {
      if (this.#queue.take(m.item) === undefined) return this.#send(c, { type: "QNO" });
      this.#journal.append({ type: "qdel", item: m.item, at: now });
    } else if (m.type === "NAME") {
      if (!this.#journal.state.burners.has(m.id)) return this.#send(c, { type: "QNO" });
      this.#journal.append({ type: "name", id: m.id, label: m.label });
    } else {
      const conn = this.#burnerConn.get(m.burnerId);
      if (conn === undefined) return this.#send(c, { type: "QNO" });
      this.#send(this.#clients.get(conn)!, { type: "OPEN" });
    }
    this.#version++;
    this.#send(c, { type: "QOK" });
  }

  /** Journal the scheduler's decisions and send what they say, in order. */
  #apply(decisions: Decision[], now: number): void {
    if (decisions.length === 0) return;
    this.#version++;
    const j = this.#journal;
    for (const d of decisions) {
      switch (d.type) {
        case "burn": {
          j.append({ type: "bind", item: d.job.item, burner: d.burner, at: now });
          const conn = this.#burnerConn.get(d.burner);
          if (conn !== undefined) this.#send(this.#clients.get(conn)!, { type: "BURN", hash: d.job.hash });
          break;
        }
        case "start":
          j.append({ type: "start", item: d.job.item, at: now });
          break;
        case "written": {
          j.append({ type: "written", item: d.job.item, at: now, ...(d.time === undefined ? {} : { time: d.time }) });
          const bytes = j.state.isos.get(d.job.hash)?.bytes;
          if (bytes !== undefined && d.time !== undefined && d.time > 0) {
            const rates = this.#extraOf(d.burner, now).rates;
            rates.push(bytes / d.time);
            if (rates.length > RATES_KEPT) rates.shift();
          }
          break;
        }
        case "pass":
        case "late-pass":
        case "extra":
          j.append({
            type: "pass",
            item: d.job.item,
            hash: d.job.hash,
            burner: d.burner,
            at: now,
            ...(d.type === "pass" ? {} : { late: true }),
            ...(d.type === "extra" ? { extra: true } : {}),
          });
          if (d.type === "late-pass" && d.deleted !== undefined) {
            j.append({ type: "qdel", item: d.deleted.item, at: now });
          }
          if (d.type === "extra") {
            this.#fx.log("info", `EXTRA: burner ${d.burner} passed item ${d.job.item} late; its copy was burned too`);
          }
          this.#count(d.burner, "PASS", now);
          if (this.#settings.openOnComplete) this.#tray(d.burner);
          break;
        case "fail":
          j.append({ type: "fail", item: d.job.item, hash: d.job.hash, burner: d.burner, at: now });
          this.#count(d.burner, "FAIL", now);
          break;
        case "giveup":
          j.append({ type: "giveup", item: d.job.item, hash: d.job.hash, at: now });
          this.#fx.log("warn", `GAVEUP: item ${d.job.item} (${d.job.hash}) failed ${d.job.attempt} times`);
          break;
        case "requeue":
          j.append({ type: "requeue", from: d.from.item, job: journalJob(d.to), at: now });
          break;
        case "restore":
          j.append({ type: "restore", item: d.job.item, at: now });
          break;
        case "rebind":
          j.append({ type: "bind", item: d.job.item, burner: d.burner, at: now });
          j.append({ type: "start", item: d.job.item, at: now });
          break;
      }
    }
  }

  #count(id: string, verdict: "PASS" | "FAIL", now: number): void {
    const entry = this.#journal.state.burners.get(id);
    const extra = this.#extraOf(id, now);
    extra.consecutiveFails = verdict === "PASS" ? 0 : extra.consecutiveFails + 1;
    if (entry === undefined) return;
    this.#upsert({
      ...entry,
      lastSeen: now,
      passes: entry.passes + (verdict === "PASS" ? 1 : 0),
      fails: entry.fails + (verdict === "FAIL" ? 1 : 0),
    });
  }

  #tray(id: string): void {
    const conn = this.#burnerConn.get(id);
    if (conn !== undefined) this.#send(this.#clients.get(conn)!, { type: "OPEN" });
  }

  #upsert(entry: BurnerEntry): void {
    this.#journal.append({ type: "burner", burner: entry });
    this.#version++;
  }

  /** A burner left: its registry entry remembers when it was last seen. */
  #seen(id: string, now: number): void {
    const entry = this.#journal.state.burners.get(id);
    if (entry !== undefined) this.#upsert({ ...entry, lastSeen: now });
    this.#moved(id, now);
  }

  /** Note when a burner's phase changed, for the dashboard's elapsed times. */
  #moved(id: string, now: number): void {
    const phase = this.#burners.get(id)?.phase;
    const extra = this.#extraOf(id, now);
    if (phase === undefined || phase === extra.phase) return;
    extra.phase = phase;
    extra.since = now;
    this.#version++;
  }

  #extraOf(id: string, now: number): BurnerExtra {
    let extra = this.#extra.get(id);
    if (extra === undefined) {
      extra = { since: now, phase: "NEW", consecutiveFails: 0, rates: [] };
      this.#extra.set(id, extra);
    }
    return extra;
  }

  #rows(): BurnerRow[] {
    const registry = this.#journal.state.burners;
    return this.#burners.rows().map((row) => {
      const label = registry.get(row.id)?.label;
      return label ? { ...row, label } : row;
    });
  }

  #known(hash: string): boolean {
    const iso = this.#journal.state.isos.get(hash);
    return iso !== undefined && iso.filename !== "";
  }

  #info(hash: string): Message {
    const iso = this.#journal.state.isos.get(hash);
    if (iso === undefined || iso.filename === "") return { type: "INFO_ENOIDEA" };
    return {
      type: "INFO",
      hash,
      filename: iso.filename,
      description: iso.description,
      ...(iso.bytes === undefined ? {} : { bytes: iso.bytes }),
    };
  }

  /** The media rule (§3.3): larger than a CD, or marked DVD-only. */
  #isDvd(hash: string): boolean {
    const iso = this.#journal.state.isos.get(hash);
    return iso !== undefined && (iso.dvdOnly === true || (iso.bytes ?? 0) > this.#settings.cdCapacity);
  }

  #error(c: Client, code: string, text: string, now: number): void {
    this.#send(c, { type: "ERROR", code, text });
    const recent = c.errors.filter((t) => now - t < this.#settings.errorWindowMs);
    recent.push(now);
    c.errors = recent;
    if (recent.length >= this.#settings.errorLimit) {
      this.#fx.log(
        "warn",
        `${who(c)}: ${recent.length} ERRORs within ${this.#settings.errorWindowMs / 1000} s; closed`,
      );
      this.#drop(c);
    }
  }

  #send(c: Client, m: Message): void {
    if (c.dropped) return;
    this.#held.push({ conn: c.conn, bytes: encode(m) });
  }

  /** Close after what is held for it has gone out; nothing more is read or sent. */
  #drop(c: Client): void {
    if (c.dropped) return;
    c.dropped = true;
    this.#partial -= c.reader.buffered;
    this.#anonymous.delete(c.conn);
    this.#held.push({ conn: c.conn, close: true });
  }

  /** End of turn: make the turn's records durable, then let the held output go, and compact when due. */
  #commit(now: number): void {
    const j = this.#journal;
    if (j.pending > 0) {
      try {
        j.commit();
      } catch (err) {
        this.#broken = true;
        this.#fx.log("error", `cannot write the journal: ${err instanceof Error ? err.message : err}; stopping`);
        for (const c of this.#clients.values()) this.#fx.abort(c.conn);
        this.#fx.done();
        return;
      }
      this.#firstUncompacted ??= now;
    }
    const held = this.#held;
    this.#held = [];
    for (const h of held) {
      const c = this.#clients.get(h.conn);
      if (c === undefined) continue;
      if ("close" in h) {
        this.#fx.close(h.conn);
        continue;
      }
      this.#fx.send(h.conn, h.bytes);
      c.unsent += h.bytes.length;
      if (c.unsent > this.#settings.maxUnsent && !c.dropped) {
        this.#fx.log("warn", `${who(c)}: over ${this.#settings.maxUnsent} bytes unread; closed`);
        c.dropped = true;
        this.#fx.abort(h.conn);
      }
    }
    const due = this.#firstUncompacted !== undefined &&
      (j.sinceSnapshot >= this.#settings.compactRecords || now >= this.#firstUncompacted + this.#settings.compactMs);
    if (due && j.sinceSnapshot > 0) {
      try {
        j.compact();
        this.#firstUncompacted = undefined;
      } catch (err) {
        this.#fx.log("warn", `compaction failed, the journal goes on: ${err instanceof Error ? err.message : err}`);
        this.#firstUncompacted = now;
      }
    }
    if (this.#version !== this.#shownVersion) {
      this.#shownVersion = this.#version;
      this.#changed();
    }
  }
}

function queueItem(job: JournalJob): QueueItem {
  return {
    item: job.item,
    hash: job.hash,
    prio: job.prio,
    seq: job.qseq,
    attempt: job.attempt,
    queuedAt: job.queuedAt,
    ...(job.origin === undefined ? {} : { origin: job.origin }),
  };
}

function journalJob(job: QueueItem): JournalJob {
  return {
    item: job.item,
    hash: job.hash,
    prio: job.prio,
    qseq: job.seq,
    attempt: job.attempt,
    queuedAt: job.queuedAt,
    ...(job.origin === undefined ? {} : { origin: job.origin }),
  };
}

/** The verb a message is sent with. */
function verbOf(m: Message): string {
  switch (m.type) {
    case "STATUS_MEDIA":
    case "STATUS_PROGRESS":
    case "STATUS_VERDICT":
      return "STATUS";
    case "INFO_ENOIDEA":
      return "INFO";
    case "OPEN_BURNER":
      return "OPEN";
    default:
      return m.type;
  }
}

function who(c: Client): string {
  return c.id !== undefined ? `burner ${c.id}` : `connection ${c.conn}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Compare a secret in time that depends only on the lengths (§7: constant time). */
function sameText(given: string, secret: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(secret);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i]!;
  return diff === 0;
}

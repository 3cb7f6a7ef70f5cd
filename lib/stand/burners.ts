/**
 * standd's burner registry and state machine, server view (spec §3.2), with
 * matching (§3.3) and the failure, loss and timeout rules (§3.4). Pure: the
 * server reports connections, messages and time (`now`, ms), and each call
 * returns the decisions to carry out (BURN to send, items closed, re-queued
 * or restored); deadlines are computed from `now`, never read from a clock.
 *
 * Invariant: a job is in exactly one place — queued, or bound to one burner.
 * Dispatch takes it out of the queue; only unbinding (verdict, refusal,
 * timeout, abandonment, expired grace) puts it, or its replacement, back.
 *
 * @module
 */
import type { BurnerRow, Ctype, Media, MediaState, MessageOf } from "./messages.ts";
import { type JobQueue, PRIO_REQUEUE, type QueueItem } from "./queue.ts";

/**
 * A burner's state (§3.2). `BURNING` carries its percentage separately.
 *
 * @example
 * ```ts
 * const state: Phase = "CHECKING";
 * ```
 */
export type Phase = "NEW" | MediaState | "ASKED" | "BURNING" | "CHECKING" | "PASS" | "FAIL" | "DISCONN";

/**
 * What a burner event decides; the server journals and carries these out in
 * order.
 * - `burn`: send BURN for `job.hash` to `burner` (job bound);
 * - `start` / `written`: the bound job started (`STATUS h 0`) / was
 *   written (`STATUS h 100`, with the burner's TIME in seconds);
 * - `pass` / `fail`: the item closed with that verdict;
 * - `requeue`: `from` closed (FAIL or loss), `to` queued in its place;
 * - `giveup`: a FAIL beyond `--max-attempts`;
 * - `restore`: an item that never started went back to its place;
 * - `late-pass`: a PASS for the burner's last job lost within the hour
 *   (§3.4): it counts as the success, and `deleted` is its replacement,
 *   taken out of the queue (none if it had been dispatched: see `extra`);
 * - `extra`: that late PASS came after the replacement was dispatched:
 *   one disc more than queued, logged;
 * - `rebind`: a late `STATUS h 0` for a restored item still queued: it is
 *   bound to this burner again, already started.
 *
 * @example
 * ```ts
 * const d: Decision = { type: "restore", burner: "233c343e144c59081b9ea1da568a72e8", job: { item: 1, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 50, seq: 1, attempt: 1, queuedAt: 0 } };
 * ```
 */
export type Decision =
  | { type: "burn" | "start" | "rebind"; burner: string; job: QueueItem }
  | { type: "written"; burner: string; job: QueueItem; time?: number }
  | { type: "pass" | "fail" | "giveup" | "restore" | "extra"; burner: string; job: QueueItem }
  | { type: "late-pass"; burner: string; job: QueueItem; deleted?: QueueItem }
  | { type: "requeue"; burner: string; from: QueueItem; to: QueueItem };

/** How long a lost binding may still be reconciled by a late result (§3.4). */
export const LATE_RESULT_MS = 3_600_000;

/**
 * Timeouts (ms) and limits of §3.1, and the media rule's per-hash verdict.
 *
 * @example
 * ```ts
 * const s: BurnerSettings = { askedTimeoutMs: 30_000, reconnectGraceMs: 120_000, idleTimeoutMs: 35_000, maxAttempts: 3, isDvd: () => false };
 * ```
 */
export interface BurnerSettings {
  readonly askedTimeoutMs: number;
  readonly reconnectGraceMs: number;
  readonly idleTimeoutMs: number;
  readonly maxAttempts: number;
  readonly isDvd: (hash: string) => boolean;
  /** Images whose jobs wait (their size is being asked for): no burner takes them for now. */
  readonly waits?: (hash: string) => boolean;
}

/**
 * A binding released without a verdict (loss, timeout, refusal), kept for
 * late results: the job, when, and the item that took its place (the job
 * itself when it was restored).
 */
interface Released {
  job: QueueItem;
  at: number;
  successor: QueueItem;
}

/** A job bound to a burner, and whether the binding is held through a loss. */
interface Binding {
  job: QueueItem;
  phase: "ASKED" | "BURNING" | "CHECKING";
  askedUntil: number;
  /** Set while the burner is lost, or reconnected but silent on the job: grace ends then. */
  graceUntil?: number;
}

/**
 * One registered burner as the server sees it.
 *
 * @example
 * ```ts
 * const phase = stand.get("233c343e144c59081b9ea1da568a72e8")?.phase; // e.g. "AVAIL"
 * ```
 */
export interface Burner {
  readonly id: string;
  ctype: Ctype;
  phase: Phase;
  pct: number;
  /** The media token of the latest media STATUS. */
  media: Media;
  /** The latest media STATUS as `media state`: MEDIA exclusions last until it changes. */
  report: string;
  hashes: Set<string>;
  connected: boolean;
  lastSeen: number;
  /** When the current AVAIL began: the longest AVAIL is served first. */
  availSince: number;
  binding?: Binding;
  /** The hash of the latest verdict, for SLIST's PASS/FAIL subject. */
  verdictHash?: string;
  /** NOISO exclusions (until the next CAP) and MEDIA exclusions (until a media change). */
  noIso: Set<string>;
  noMedia: Set<string>;
  /** The last binding released without a verdict, for late results (§3.4). */
  released?: Released;
}

/**
 * The registry of burners and the scheduler over a job queue.
 *
 * @example
 * ```ts
 * const q = new JobQueue();
 * const stand = new Burners(q, settings);
 * stand.connect(B1, "BURNCDR", 0);
 * stand.cap(B1, [H1], 0);
 * stand.enqueue(H1, 50, 0);
 * stand.status(B1, { type: "STATUS_MEDIA", media: "CDR", state: "AVAIL" }, 0); // [{ type: "burn", … }]
 * ```
 */
export class Burners {
  readonly #burners = new Map<string, Burner>();

  constructor(readonly queue: JobQueue, readonly settings: BurnerSettings) {}

  /**
   * The burner with this id, if registered.
   *
   * @example
   * ```ts
   * stand.get("233c343e144c59081b9ea1da568a72e8")?.phase; // "AVAIL"
   * ```
   */
  get(id: string): Burner | undefined {
    return this.#burners.get(id);
  }

  /**
   * Every registered burner, in first-registration order.
   *
   * @example
   * ```ts
   * stand.all().length; // 3
   * ```
   */
  all(): Burner[] {
    return [...this.#burners.values()];
  }

  /**
   * What SLIST shows (§2.6), without labels.
   *
   * @example
   * ```ts
   * stand.rows()[0]; // { id: B1, ctype: "BURNCDR", subject: "CDR", state: "AVAIL" }
   * ```
   */
  rows(): BurnerRow[] {
    return this.all().map((b) => ({
      id: b.id,
      ctype: b.ctype,
      subject: b.binding?.job.hash ??
        (b.phase === "PASS" || b.phase === "FAIL" ? b.verdictHash ?? b.media : b.media),
      state: b.phase === "BURNING" ? b.pct : b.phase === "CHECKING" ? 100 : b.phase,
    }));
  }

  /**
   * A burner sent ID. A known id comes back as NEW and keeps a bound job
   * through the grace period; an id already connected is taken over.
   *
   * @example
   * ```ts
   * stand.connect("233c343e144c59081b9ea1da568a72e8", "BURNDVD", now); // []
   * ```
   */
  connect(id: string, ctype: Ctype, now: number): Decision[] {
    const known = this.#burners.get(id);
    if (known === undefined) {
      this.#burners.set(id, fresh(id, ctype, [], true, now));
      return [];
    }
    if (known.connected) this.#lose(known, now);
    known.ctype = ctype;
    known.phase = "NEW";
    known.connected = true;
    known.lastSeen = now;
    return [];
  }

  /**
   * Bring back a burner known before a restart (§3.5): DISCONN, with the
   * hashes of its last CAP and, if it had a job in flight, that binding,
   * held for a fresh grace period from `now`.
   *
   * @example
   * ```ts
   * stand.restore(B1, "BURNCDR", [H1], { job, phase: "BURNING" }, now);
   * ```
   */
  restore(
    id: string,
    ctype: Ctype,
    hashes: readonly string[],
    bound: { job: QueueItem; phase: "ASKED" | "BURNING" | "CHECKING" } | undefined,
    now: number,
  ): void {
    const b = fresh(id, ctype, hashes, false, now);
    b.phase = "DISCONN";
    if (bound !== undefined) {
      b.binding = { ...bound, askedUntil: now, graceUntil: now + this.settings.reconnectGraceMs };
    }
    this.#burners.set(id, b);
  }

  /**
   * Match again after something outside the registry changed what may be
   * dispatched (an image's size became known).
   *
   * @example
   * ```ts
   * stand.rematch(now); // [{ type: "burn", … }] if a waiting job may now go
   * ```
   */
  rematch(now: number): Decision[] {
    return this.#match(now);
  }

  /**
   * A burner's CAP: the hashes it holds; lifts its NOISO exclusions.
   *
   * @example
   * ```ts
   * stand.cap(B1, [H1, H2], now); // may dispatch
   * ```
   */
  cap(id: string, hashes: readonly string[], now: number): Decision[] {
    const b = this.#live(id, now);
    if (b === undefined) return [];
    b.hashes = new Set(hashes);
    b.noIso.clear();
    return this.#match(now);
  }

  /**
   * Queue a job (QUEUE); undefined for QNO, else the item and any dispatch.
   *
   * @example
   * ```ts
   * stand.enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 50, now)?.job.item;
   * ```
   */
  enqueue(hash: string, prio: number, now: number): { job: QueueItem; decisions: Decision[] } | undefined {
    const job = this.queue.enqueue(hash, prio, now);
    return job === undefined ? undefined : { job, decisions: this.#match(now) };
  }

  /**
   * A STATUS from a burner (§2.4, §3.2, §3.4).
   *
   * @example
   * ```ts
   * stand.status(B1, { type: "STATUS_PROGRESS", hash: H1, pct: 0 }, now); // ASKED → BURNING
   * ```
   */
  status(
    id: string,
    msg: MessageOf<"STATUS_MEDIA" | "STATUS_PROGRESS" | "STATUS_VERDICT">,
    now: number,
  ): Decision[] {
    const b = this.#live(id, now);
    if (b === undefined) return [];
    if (msg.type === "STATUS_MEDIA") return this.#media(b, msg.media, msg.state, now);
    const binding = b.binding;
    if (binding === undefined || binding.job.hash !== msg.hash) return this.#late(b, msg, now);
    // The burner is on the job again: a held binding simply continues.
    delete binding.graceUntil;
    if (msg.type === "STATUS_PROGRESS") {
      const was = binding.phase;
      if (msg.pct === 100) {
        binding.phase = "CHECKING";
        b.phase = "CHECKING";
        if (was === "CHECKING") return [];
        return [
          ...(was === "ASKED" ? [{ type: "start" as const, burner: b.id, job: binding.job }] : []),
          { type: "written", burner: b.id, job: binding.job, ...(msg.time === undefined ? {} : { time: msg.time }) },
        ];
      }
      if (was === "CHECKING") {
        b.phase = "CHECKING";
        return [];
      }
      binding.phase = "BURNING";
      b.phase = "BURNING";
      b.pct = msg.pct;
      return was === "ASKED" ? [{ type: "start", burner: b.id, job: binding.job }] : [];
    }
    return [...this.#verdict(b, binding.job, msg.verdict, now), ...this.#match(now)];
  }

  /**
   * A burner's ERROR. NOISO, NOTREADY and MEDIA refuse a BURN: the job is
   * restored and the burner waits, NEW, for its next AVAIL; NOISO excludes
   * the hash until the next CAP, MEDIA until a media change.
   *
   * @example
   * ```ts
   * stand.error(B1, "NOISO", now); // [{ type: "restore", … }]
   * ```
   */
  error(id: string, code: string, now: number): Decision[] {
    const b = this.#live(id, now);
    const binding = b?.binding;
    if (b === undefined || binding === undefined || binding.phase !== "ASKED") return [];
    if (code === "NOISO") b.noIso.add(binding.job.hash);
    else if (code === "MEDIA") b.noMedia.add(binding.job.hash);
    else if (code !== "NOTREADY") return [];
    b.phase = "NEW";
    return [...this.#unbind(b, now), ...this.#match(now)];
  }

  /**
   * A burner's socket closed: DISCONN, and a bound job is held for the grace
   * period.
   *
   * @example
   * ```ts
   * stand.lost(B1, now); // []
   * ```
   */
  lost(id: string, now: number): Decision[] {
    const b = this.#burners.get(id);
    if (b?.connected) this.#lose(b, now);
    return [];
  }

  /**
   * When `tick` is next due: an ASKED timeout, an idle timeout or the end
   * of a grace period; undefined if nothing waits.
   *
   * @example
   * ```ts
   * stand.nextDeadline(); // e.g. now + 30_000 after a BURN
   * ```
   */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    const at = (t: number) => {
      if (next === undefined || t < next) next = t;
    };
    for (const b of this.#burners.values()) {
      if (b.connected) at(b.lastSeen + this.settings.idleTimeoutMs);
      const binding = b.binding;
      if (binding?.graceUntil !== undefined) at(binding.graceUntil);
      else if (binding?.phase === "ASKED") at(binding.askedUntil);
    }
    return next;
  }

  /**
   * Do what is due at `now`: idle burners are lost, ASKED timeouts restore
   * their job (the burner goes NEW), expired grace restores an ASKED job and
   * re-queues a started one at priority 5.
   *
   * @example
   * ```ts
   * stand.tick(now + 30_000); // [{ type: "restore", … }] if B1 never answered BURN
   * ```
   */
  tick(now: number): Decision[] {
    const out: Decision[] = [];
    for (const b of this.#burners.values()) {
      if (b.connected && now >= b.lastSeen + this.settings.idleTimeoutMs) this.#lose(b, now);
      const binding = b.binding;
      if (binding === undefined) continue;
      if (binding.graceUntil !== undefined) {
        if (now >= binding.graceUntil) out.push(...this.#unbind(b, now));
      } else if (binding.phase === "ASKED" && now >= binding.askedUntil) {
        b.phase = "NEW";
        out.push(...this.#unbind(b, now));
      }
    }
    return [...out, ...this.#match(now)];
  }

  /** A connected burner, its last-seen time refreshed. */
  #live(id: string, now: number): Burner | undefined {
    const b = this.#burners.get(id);
    if (b === undefined || !b.connected) return undefined;
    b.lastSeen = now;
    return b;
  }

  #lose(b: Burner, now: number): void {
    b.connected = false;
    b.phase = "DISCONN";
    if (b.binding !== undefined) b.binding.graceUntil ??= now + this.settings.reconnectGraceMs;
  }

  #media(b: Burner, media: Media, state: MediaState, now: number): Decision[] {
    const out: Decision[] = [];
    const binding = b.binding;
    if (binding !== undefined) {
      // A heartbeat that crossed BURN; a held binding is still the job's.
      if (binding.phase === "ASKED" && binding.graceUntil === undefined) return [];
      // The burner abandoned the job, or came back without it.
      out.push(...this.#unbind(b, now));
    }
    if (`${media} ${state}` !== b.report) b.noMedia.clear();
    b.report = `${media} ${state}`;
    if (state === "AVAIL" && b.phase !== "AVAIL") b.availSince = now;
    b.media = media;
    b.phase = state;
    return [...out, ...this.#match(now)];
  }

  #verdict(b: Burner, job: QueueItem, verdict: "PASS" | "FAIL", now: number): Decision[] {
    delete b.binding;
    b.phase = verdict;
    b.verdictHash = job.hash;
    if (verdict === "PASS") return [{ type: "pass", burner: b.id, job }];
    const closed: Decision = { type: "fail", burner: b.id, job };
    if (job.attempt >= this.settings.maxAttempts) return [closed, { type: "giveup", burner: b.id, job }];
    const to = this.queue.requeue(job, PRIO_REQUEUE, now, job.attempt + 1);
    return [closed, { type: "requeue", burner: b.id, from: job, to }];
  }

  /** Release a binding that ended without a verdict: restore if it never started, else re-queue at 5. */
  #unbind(b: Burner, now: number): Decision[] {
    const binding = b.binding!;
    delete b.binding;
    if (binding.phase === "ASKED") {
      this.queue.restore(binding.job);
      b.released = { job: binding.job, at: now, successor: binding.job };
      return [{ type: "restore", burner: b.id, job: binding.job }];
    }
    const to = this.queue.requeue(binding.job, PRIO_REQUEUE, now);
    b.released = { job: binding.job, at: now, successor: to };
    return [{ type: "requeue", burner: b.id, from: binding.job, to }];
  }

  /**
   * A job STATUS for a hash the burner is not bound to: a late result of
   * its last released binding (§3.4), or logged and ignored (no decision).
   */
  #late(
    b: Burner,
    msg: MessageOf<"STATUS_PROGRESS" | "STATUS_VERDICT">,
    now: number,
  ): Decision[] {
    const released = b.released;
    if (released === undefined || released.job.hash !== msg.hash || now - released.at > LATE_RESULT_MS) return [];
    const queued = this.queue.get(released.successor.item) !== undefined;
    if (msg.type === "STATUS_VERDICT") {
      if (msg.verdict === "FAIL") return [];
      delete b.released;
      if (b.binding === undefined) {
        b.phase = "PASS";
        b.verdictHash = msg.hash;
      }
      if (!queued) return [{ type: "extra", burner: b.id, job: released.job }];
      const deleted = this.queue.take(released.successor.item)!;
      return [{ type: "late-pass", burner: b.id, job: released.job, deleted }];
    }
    // A late 0 re-binds only an item that was restored (never started) and still waits.
    if (msg.pct !== 0 || released.successor !== released.job || !queued || b.binding !== undefined) return [];
    delete b.released;
    const job = this.queue.take(released.job.item)!;
    b.binding = { job, phase: "BURNING", askedUntil: now };
    b.phase = "BURNING";
    b.pct = 0;
    return [{ type: "rebind", burner: b.id, job }];
  }

  /** Bind jobs to AVAIL burners, longest AVAIL first (ties: lower id), until no eligible pair is left. */
  #match(now: number): Decision[] {
    const ready = this.all()
      .filter((b) => b.connected && b.phase === "AVAIL" && b.binding === undefined)
      .sort((x, y) => x.availSince - y.availSince || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const out: Decision[] = [];
    for (const b of ready) {
      const excluded = new Set([...b.noIso, ...b.noMedia]);
      const waits = this.settings.waits;
      if (waits !== undefined) { for (const h of b.hashes) if (waits(h)) excluded.add(h); }
      const cap = { hashes: b.hashes, dvd: b.ctype === "BURNDVD" && b.media === "DVD", excluded };
      const next = this.queue.candidate(cap, this.settings.isDvd);
      if (next === undefined) continue;
      const job = this.queue.take(next.item)!;
      b.binding = { job, phase: "ASKED", askedUntil: now + this.settings.askedTimeoutMs };
      b.phase = "ASKED";
      out.push({ type: "burn", burner: b.id, job });
    }
    return out;
  }
}

/** A registry entry for a burner first seen now. */
function fresh(id: string, ctype: Ctype, hashes: readonly string[], connected: boolean, now: number): Burner {
  return {
    id,
    ctype,
    phase: "NEW",
    pct: 0,
    media: ctype === "BURNDVD" ? "DVD" : "CDR",
    report: "",
    hashes: new Set(hashes),
    connected,
    lastSeen: now,
    availSince: now,
    noIso: new Set(),
    noMedia: new Set(),
  };
}

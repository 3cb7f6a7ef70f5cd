/**
 * standd's dashboard model (spec §3.8): from what the server knows, the
 * JSON the web dashboard shows — burner tiles with elapsed time and ETA,
 * the queue's head, the catalogue, recent history, totals and alerts. Pure:
 * time arrives as `now` (ms since the epoch).
 *
 * Choices where the spec is silent:
 * - "today" is the UTC calendar day of `now`;
 * - a passed disc is a `PASS` or an `EXTRA` (a late PASS whose replacement
 *   already ran: still a good disc); a failed disc is a `FAIL`; `LOST` and
 *   `GAVEUP` close jobs, not discs;
 * - discs per hour = passed discs of the last 60 minutes, scaled up when
 *   standd has run for less than that (but at least a minute);
 * - ETA is for writing only (null while verifying): `elapsed × (100 − p) / p`
 *   once p ≥ 25; before that the image size over the burner's median past
 *   write rate, less the time already spent, floored at 0; null when either
 *   is unknown;
 * - alerts for a GAVEUP job last 24 hours; a DVD job that no connected DVD
 *   burner can take raises only the DVD alert, not also the "no burner"
 *   one.
 *
 * @module
 */
import type { BurnerState, Ctype } from "./messages.ts";
import type { Phase } from "./burners.ts";
import type { QueueItem } from "./queue.ts";
import type { HistoryEntry, IsoEntry, Outcome } from "./records.ts";

/**
 * One burner as the server sees it, for its tile.
 *
 * @example
 * ```ts
 * const b: BurnerView = {
 *   id: "233c343e144c59081b9ea1da568a72e8", ctype: "BURNDVD", connected: true, state: 50,
 *   subject: "d3d8bdfb7ef65711e707103deb1de8b2", phase: "BURNING", since: 0, startedAt: 0,
 *   imageBytes: 314947584, passes: 3, fails: 0, consecutiveFails: 0, pastWriteRates: [4_000_000],
 *   hashes: ["d3d8bdfb7ef65711e707103deb1de8b2"],
 * };
 * ```
 */
export interface BurnerView {
  id: string;
  ctype: Ctype;
  label?: string;
  connected: boolean;
  /** SLIST's state: a word or a percentage. */
  state: BurnerState;
  /** SLIST's subject: the bound or verdict hash, or a media token. */
  subject: string;
  /** BURNING and CHECKING tell a burn from its verification. */
  phase: Phase;
  /** When the current phase began (ms since the epoch). */
  since: number;
  /** The current job's bind and start times. */
  boundAt?: number;
  startedAt?: number;
  /** The current job's image size, when known. */
  imageBytes?: number;
  passes: number;
  fails: number;
  consecutiveFails: number;
  /** The last ERROR text from this burner. */
  lastError?: string;
  /** Bytes per second of its past writes (image bytes / TIME), oldest first. */
  pastWriteRates: number[];
  /**
   * The image hashes of its latest CAP. Without them the "no burner" alert
   * trusts the catalogue's `holders` and cannot tell which burner holds an
   * image (a DVD image held only by CD burners goes unflagged).
   */
  hashes?: readonly string[];
}

/**
 * Everything the dashboard is computed from.
 *
 * @example
 * ```ts
 * const input: DashboardInput = { now: 0, startedAt: 0, version: 1, burners: [], queue: [], catalogue: [], history: [] };
 * ```
 */
export interface DashboardInput {
  now: number;
  /** When this standd started. */
  startedAt: number;
  /** Grows with every change of state: the SSE event id. */
  version: number;
  /** In registration order. */
  burners: readonly BurnerView[];
  /** Every queued item, in dispatch order. */
  queue: readonly QueueItem[];
  /** `holders` = connected burners holding the image; `dvd` = DVD class. */
  catalogue: readonly (IsoEntry & { holders: number; dvd: boolean })[];
  /** Closed jobs, oldest first (by `endedAt`). */
  history: readonly HistoryEntry[];
}

/**
 * A tile's colour class: `idle` covers NEW, ASKED, EMPTY and OPEN.
 *
 * @example
 * ```ts
 * const c: TileClass = "burning";
 * ```
 */
export type TileClass = "avail" | "burning" | "verify" | "pass" | "fail" | "idle" | "disconn";

/**
 * One burner tile.
 *
 * @example
 * ```ts
 * const t: Tile = {
 *   id: "233c343e144c59081b9ea1da568a72e8", name: "left-1", media: "DVD", state: 50, tileClass: "burning",
 *   stateText: "BURNING 50%", percent: 50, filename: "test.iso", hash: "d3d8bdfb7ef65711e707103deb1de8b2",
 *   elapsedMs: 60_000, etaMs: 60_000, passes: 3, fails: 0, consecutiveFails: 0,
 * };
 * ```
 */
export interface Tile {
  id: string;
  /** The label, or the id's first 8 characters. */
  name: string;
  label?: string;
  media: "CD" | "DVD";
  state: BurnerState;
  tileClass: TileClass;
  stateText: string;
  /** The burn's percentage while writing, else null. */
  percent: number | null;
  /** The current (or just judged) image: its filename when catalogued, and hash. */
  filename?: string;
  hash?: string;
  /** Time in the current job (from start, else from bind), else in the current state. */
  elapsedMs: number;
  etaMs: number | null;
  passes: number;
  fails: number;
  consecutiveFails: number;
  lastError?: string;
}

/**
 * One row of the queue table.
 *
 * @example
 * ```ts
 * const r: QueueRowView = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", shortHash: "d3d8bdfb", filename: "test.iso", prio: 5, ageMs: 1000, attempt: 2 };
 * ```
 */
export interface QueueRowView {
  item: number;
  hash: string;
  shortHash: string;
  filename?: string;
  prio: number;
  ageMs: number;
  attempt: number;
}

/**
 * One catalogue row.
 *
 * @example
 * ```ts
 * const c: CatalogueRow = { hash: "d3d8bdfb7ef65711e707103deb1de8b2", filename: "test.iso", bytes: 314947584, media: "CD", holders: 2 };
 * ```
 */
export interface CatalogueRow {
  hash: string;
  filename: string;
  bytes?: number;
  media: "CD" | "DVD";
  holders: number;
}

/**
 * One history row, newest first.
 *
 * @example
 * ```ts
 * const h: HistoryRow = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", shortHash: "d3d8bdfb", outcome: "PASS", attempt: 1, endedAt: 0 };
 * ```
 */
export interface HistoryRow {
  item: number;
  hash: string;
  shortHash: string;
  filename?: string;
  /** The burner's id and its tile name. */
  burner?: string;
  burnerName?: string;
  outcome: Outcome;
  attempt: number;
  endedAt: number;
  /** The burner's write time, seconds. */
  time?: number;
}

/**
 * What the totals line shows.
 *
 * @example
 * ```ts
 * const t: Totals = { passedSinceStart: 10, failedSinceStart: 1, passedToday: 4, failedToday: 0, discsPerHour: 12.5 };
 * ```
 */
export interface Totals {
  passedSinceStart: number;
  failedSinceStart: number;
  passedToday: number;
  failedToday: number;
  discsPerHour: number;
}

/**
 * The kinds of alert (§3.8), in the order they are listed.
 *
 * @example
 * ```ts
 * const k: AlertKind = "dvd-no-burner";
 * ```
 */
export type AlertKind = "no-burner" | "dvd-no-burner" | "burner-failing" | "gaveup" | "burner-idle";

/**
 * One alert: its kind, one line of text, and what it is about.
 *
 * @example
 * ```ts
 * const a: Alert = { kind: "gaveup", text: "item 41, test.iso (d3d8bdfb), gave up after 3 attempts", item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2" };
 * ```
 */
export interface Alert {
  kind: AlertKind;
  text: string;
  burner?: string;
  hash?: string;
  item?: number;
}

/**
 * The dashboard's JSON (`/api/state`, and each SSE `state` event).
 *
 * @example
 * ```ts
 * const s: DashboardState = dashboardState({ now: 0, startedAt: 0, version: 1, burners: [], queue: [], catalogue: [], history: [] });
 * s.queue.total; // 0
 * ```
 */
export interface DashboardState {
  version: number;
  now: number;
  startedAt: number;
  burners: Tile[];
  queue: { total: number; items: QueueRowView[] };
  catalogue: CatalogueRow[];
  history: HistoryRow[];
  totals: Totals;
  alerts: Alert[];
}

/** Queue rows shown. */
export const QUEUE_SHOWN = 200;
/** History rows shown. */
export const HISTORY_SHOWN = 50;
/** ETA from the percentage from this many percent on. */
export const ETA_FROM_PERCENT = 25;
/** FAILs in a row that raise an alert. */
export const FAILS_ALERT = 3;
/** A burner OPEN or EMPTY for longer than this while jobs wait raises an alert. */
export const IDLE_ALERT_MS = 5 * 60_000;
/** How long a GAVEUP job stays an alert. */
export const GAVEUP_ALERT_MS = 24 * 3600_000;

const HOUR = 3600_000;
const DAY = 24 * HOUR;
// C0 and C1 controls and DEL: never shown (§7).
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;
const SHORT = 8;
const TEXT_MAX = 512;

/** A network-supplied string made safe to show: controls become spaces, length capped. */
function clean(text: string, max = TEXT_MAX): string {
  const flat = text.replace(CONTROL, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The median of `values`, or undefined for none.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * median([1, 2, 3, 4]); // 2.5
 * ```
 */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A burn's time left in ms (§3.8): `elapsed × (100 − p) / p` once `p` is
 * at least 25; before that the image size over the median past write rate,
 * less `elapsed`, floored at 0; null when that cannot be known.
 *
 * @example
 * ```ts
 * burnEta(50, 60_000, undefined, []); // 60000
 * burnEta(0, 10_000, 100_000_000, [1_000_000]); // 90000
 * burnEta(10, 10_000, undefined, [1_000_000]); // null
 * ```
 */
export function burnEta(
  percent: number,
  elapsedMs: number,
  imageBytes: number | undefined,
  pastWriteRates: readonly number[],
): number | null {
  if (percent >= ETA_FROM_PERCENT) return Math.round(elapsedMs * (100 - percent) / percent);
  const rate = median(pastWriteRates.filter((r) => Number.isFinite(r) && r > 0));
  if (rate === undefined || imageBytes === undefined) return null;
  return Math.max(0, Math.round(imageBytes / rate * 1000 - elapsedMs));
}

const STATE_TEXT: Record<TileClass, string> = {
  avail: "AVAIL",
  burning: "BURNING",
  verify: "VERIFY",
  pass: "✓ PASS",
  fail: "✗ FAIL",
  idle: "",
  disconn: "DISCONN",
};

/** A burner's colour class. */
function tileClass(b: BurnerView): TileClass {
  if (!b.connected || b.phase === "DISCONN") return "disconn";
  switch (b.phase) {
    case "AVAIL":
      return "avail";
    case "BURNING":
      return "burning";
    case "CHECKING":
      return "verify";
    case "PASS":
      return "pass";
    case "FAIL":
      return "fail";
    default:
      return "idle";
  }
}

/** The tile of one burner. */
function tile(b: BurnerView, now: number, filenames: ReadonlyMap<string, string>): Tile {
  const cls = tileClass(b);
  const percent = cls === "burning" ? (typeof b.state === "number" ? b.state : 0) : null;
  const jobPhase = b.phase === "ASKED" || b.phase === "BURNING" || b.phase === "CHECKING" ||
    b.phase === "PASS" || b.phase === "FAIL";
  const hash = jobPhase && /^[0-9a-f]{32}$/.test(b.subject) ? b.subject : undefined;
  const from = jobPhase && b.phase !== "PASS" && b.phase !== "FAIL" ? b.startedAt ?? b.boundAt ?? b.since : b.since;
  const elapsedMs = Math.max(0, now - from);
  const out: Tile = {
    id: b.id,
    name: b.label ? clean(b.label, 64) : b.id.slice(0, SHORT),
    media: b.ctype === "BURNDVD" ? "DVD" : "CD",
    state: b.state,
    tileClass: cls,
    stateText: cls === "burning" ? `BURNING ${percent}%` : STATE_TEXT[cls] || String(b.phase),
    percent,
    elapsedMs,
    etaMs: percent === null ? null : burnEta(percent, elapsedMs, b.imageBytes, b.pastWriteRates),
    passes: b.passes,
    fails: b.fails,
    consecutiveFails: b.consecutiveFails,
  };
  if (hash !== undefined) {
    out.hash = hash;
    const filename = filenames.get(hash);
    if (filename !== undefined) out.filename = filename;
  }
  if (b.label) out.label = clean(b.label, 64);
  if (b.lastError) out.lastError = clean(b.lastError);
  return out;
}

/** The totals, and the GAVEUP jobs still worth an alert, from one backward pass over history. */
function scanHistory(input: DashboardInput): { totals: Totals; gaveUp: HistoryEntry[] } {
  const { now, startedAt, history } = input;
  const today = now - now % DAY;
  const hourAgo = now - HOUR;
  const gaveUpAfter = now - GAVEUP_ALERT_MS;
  const stop = Math.min(startedAt, today, hourAgo, gaveUpAfter);
  const totals: Totals = { passedSinceStart: 0, failedSinceStart: 0, passedToday: 0, failedToday: 0, discsPerHour: 0 };
  const gaveUp: HistoryEntry[] = [];
  let lastHour = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (h.endedAt < stop) break;
    const passed = h.outcome === "PASS" || h.outcome === "EXTRA";
    const failed = h.outcome === "FAIL";
    if (h.endedAt >= startedAt) {
      if (passed) totals.passedSinceStart++;
      if (failed) totals.failedSinceStart++;
    }
    if (h.endedAt >= today) {
      if (passed) totals.passedToday++;
      if (failed) totals.failedToday++;
    }
    if (passed && h.endedAt > hourAgo) lastHour++;
    if (h.outcome === "GAVEUP" && h.endedAt >= gaveUpAfter) gaveUp.push(h);
  }
  const span = Math.min(HOUR, Math.max(60_000, now - startedAt));
  totals.discsPerHour = Math.round(lastHour * HOUR / span * 10) / 10;
  return { totals, gaveUp };
}

/** `filename (abcdef12)`, or the short hash alone. */
function imageName(hash: string, filenames: ReadonlyMap<string, string>): string {
  const filename = filenames.get(hash);
  return filename === undefined ? hash.slice(0, SHORT) : `${filename} (${hash.slice(0, SHORT)})`;
}

/** "1 job" / "3 jobs". */
function jobs(n: number): string {
  return n === 1 ? "1 job" : `${n} jobs`;
}

/** The alerts of §3.8, in {@linkcode AlertKind} order. */
function alerts(
  input: DashboardInput,
  tiles: readonly Tile[],
  gaveUp: readonly HistoryEntry[],
  filenames: ReadonlyMap<string, string>,
): Alert[] {
  const dvdHashes = new Set(input.catalogue.filter((c) => c.dvd).map((c) => c.hash));
  const holders = new Map(input.catalogue.map((c) => [c.hash, c.holders]));
  const holds = (b: BurnerView, hash: string) =>
    b.hashes === undefined ? (holders.get(hash) ?? 0) > 0 : b.hashes.includes(hash);
  const connected = input.burners.filter((b) => b.connected && b.phase !== "DISCONN");
  const anyDvdBurner = connected.some((b) => b.ctype === "BURNDVD");
  const waiting = new Map<string, number>();
  for (const job of input.queue) waiting.set(job.hash, (waiting.get(job.hash) ?? 0) + 1);
  const noBurner: Alert[] = [];
  const noDvd: Alert[] = [];
  for (const [hash, count] of waiting) {
    const dvd = dvdHashes.has(hash);
    if (dvd && !anyDvdBurner) {
      noDvd.push({
        kind: "dvd-no-burner",
        text: `${jobs(count)} for DVD image ${imageName(hash, filenames)}: no DVD burner is connected`,
        hash,
      });
    } else if (!connected.some((b) => (!dvd || b.ctype === "BURNDVD") && holds(b, hash))) {
      noBurner.push({
        kind: "no-burner",
        text: `${jobs(count)} for ${imageName(hash, filenames)}: no connected ${
          dvd ? "DVD " : ""
        }burner holds the image`,
        hash,
      });
    }
  }
  const failing: Alert[] = tiles.filter((t) => t.consecutiveFails >= FAILS_ALERT).map((t) => ({
    kind: "burner-failing",
    text: `burner ${t.name}: ${t.consecutiveFails} FAILs in a row`,
    burner: t.id,
  }));
  const gave: Alert[] = gaveUp.map((h) => ({
    kind: "gaveup",
    text: `item ${h.item}, ${imageName(h.hash, filenames)}, gave up after ${h.attempt} attempts`,
    hash: h.hash,
    item: h.item,
  }));
  const idle: Alert[] = [];
  if (input.queue.length > 0) {
    input.burners.forEach((b, i) => {
      if (!b.connected || (b.phase !== "OPEN" && b.phase !== "EMPTY")) return;
      if (input.now - b.since <= IDLE_ALERT_MS) return;
      const minutes = Math.floor((input.now - b.since) / 60_000);
      idle.push({
        kind: "burner-idle",
        text: `burner ${tiles[i]!.name}: ${b.phase} for ${minutes} min with ${jobs(input.queue.length)} queued`,
        burner: b.id,
      });
    });
  }
  return [...noBurner, ...noDvd, ...failing, ...gave, ...idle];
}

/**
 * The dashboard's state for `input`.
 *
 * @example
 * ```ts
 * const state = dashboardState({ now: 0, startedAt: 0, version: 7, burners: [], queue: [], catalogue: [], history: [] });
 * state.version; // 7
 * state.alerts; // []
 * ```
 */
export function dashboardState(input: DashboardInput): DashboardState {
  const { now } = input;
  const filenames = new Map(input.catalogue.map((c) => [c.hash, clean(c.filename, 255)]));
  const tiles = input.burners.map((b) => tile(b, now, filenames));
  const names = new Map(tiles.map((t) => [t.id, t.name]));
  const { totals, gaveUp } = scanHistory(input);
  const items = input.queue.slice(0, QUEUE_SHOWN).map((q): QueueRowView => {
    const row: QueueRowView = {
      item: q.item,
      hash: q.hash,
      shortHash: q.hash.slice(0, SHORT),
      prio: q.prio,
      ageMs: Math.max(0, now - q.queuedAt),
      attempt: q.attempt,
    };
    const filename = filenames.get(q.hash);
    if (filename !== undefined) row.filename = filename;
    return row;
  });
  const catalogue = input.catalogue.map((c): CatalogueRow => {
    const row: CatalogueRow = {
      hash: c.hash,
      filename: filenames.get(c.hash) ?? "",
      media: c.dvd ? "DVD" : "CD",
      holders: c.holders,
    };
    if (c.bytes !== undefined) row.bytes = c.bytes;
    return row;
  });
  const history = input.history.slice(-HISTORY_SHOWN).reverse().map((h): HistoryRow => {
    const row: HistoryRow = {
      item: h.item,
      hash: h.hash,
      shortHash: h.hash.slice(0, SHORT),
      outcome: h.outcome,
      attempt: h.attempt,
      endedAt: h.endedAt,
    };
    const filename = filenames.get(h.hash);
    if (filename !== undefined) row.filename = filename;
    if (h.burner !== undefined) {
      row.burner = h.burner;
      row.burnerName = names.get(h.burner) ?? h.burner.slice(0, SHORT);
    }
    if (h.time !== undefined) row.time = h.time;
    return row;
  });
  return {
    version: input.version,
    now,
    startedAt: input.startedAt,
    burners: tiles,
    queue: { total: input.queue.length, items },
    catalogue,
    history,
    totals,
    alerts: alerts(input, tiles, gaveUp, filenames),
  };
}

/**
 * What standd's frontend sub-commands (spec §3.7) decide without IO: what
 * a queue target names, which burner `open` and `name` mean, how replies
 * are printed (aligned text or JSON), and, for `watch`, what changed
 * between two polls and how that is shown: one timestamped line per change,
 * or a redrawn screen on a terminal.
 *
 * @module
 */
import { UsageError } from "../cli.ts";
import type { BurnerRow, QueueRow } from "./messages.ts";

const HASH = /^[0-9a-fA-F]{32}$/;
const ID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const ISO = /\.iso$/i;
/** The shortest id prefix `open` and `name` accept, as the dashboard's short ids are. */
const PREFIX_MIN = 4;
/** Clears a terminal and puts the cursor home, before a redraw. */
const CLEAR = "\x1b[H\x1b[2J";

/**
 * What `standd queue` was given: an image hash (lowercased), a local
 * `.iso` file to hash, or a catalogue name. A file operand without a slash
 * falls back to the name of the same text when no such file exists, so
 * `standd queue ubuntu-8.10-desktop-i386.iso` works from anywhere.
 *
 * @example
 * ```ts
 * const t: Target = { kind: "file", path: "isos/test.iso", fallbackName: undefined };
 * ```
 */
export type Target =
  | { kind: "hash"; hash: string }
  | { kind: "file"; path: string; fallbackName: string | undefined }
  | { kind: "name"; name: string };

/**
 * Classify a queue operand: 32 hex digits are a hash, a path ending in
 * `.iso` (any case) is a file, anything else a name.
 *
 * @example
 * ```ts
 * parseTarget("24EA1163EA6C9F5DAE77DE8C49EE7C03"); // { kind: "hash", hash: "24ea1163ea6c9f5dae77de8c49ee7c03" }
 * parseTarget("/srv/isos/test.ISO"); // { kind: "file", path: "/srv/isos/test.ISO", fallbackName: undefined }
 * parseTarget("Xubuntu 8.10"); // { kind: "name", name: "Xubuntu 8.10" }
 * ```
 */
export function parseTarget(text: string): Target {
  if (HASH.test(text)) return { kind: "hash", hash: text.toLowerCase() };
  if (ISO.test(text)) return { kind: "file", path: text, fallbackName: text.includes("/") ? undefined : text };
  return { kind: "name", name: text };
}

/**
 * One image of the dashboard's catalogue (`GET /api/state`), as far as
 * name resolution needs it.
 *
 * @example
 * ```ts
 * const e: CatalogueEntry = { hash: "24ea1163ea6c9f5dae77de8c49ee7c03", filename: "ubuntu-8.10-desktop-i386.iso" };
 * ```
 */
export interface CatalogueEntry {
  hash: string;
  filename: string;
}

/**
 * The catalogue in a `/api/state` document, or undefined if the document
 * has none of the expected shape (entries without a hash or filename
 * string are skipped).
 *
 * @example
 * ```ts
 * catalogueOf({ catalogue: [{ hash: "24ea1163ea6c9f5dae77de8c49ee7c03", filename: "u.iso", bytes: 1 }] });
 * // [{ hash: "24ea1163ea6c9f5dae77de8c49ee7c03", filename: "u.iso" }]
 * catalogueOf({}); // undefined
 * ```
 */
export function catalogueOf(state: unknown): CatalogueEntry[] | undefined {
  if (typeof state !== "object" || state === null) return undefined;
  const list = (state as { catalogue?: unknown }).catalogue;
  if (!Array.isArray(list)) return undefined;
  const entries: CatalogueEntry[] = [];
  for (const entry of list) {
    if (typeof entry !== "object" || entry === null) continue;
    const { hash, filename } = entry as { hash?: unknown; filename?: unknown };
    if (typeof hash === "string" && HASH.test(hash) && typeof filename === "string") {
      entries.push({ hash: hash.toLowerCase(), filename });
    }
  }
  return entries;
}

/**
 * What a resolution came to: the one match, or why there is none (to be
 * printed as it is).
 *
 * @example
 * ```ts
 * const r: Resolved = { ok: false, why: 'no image called "x" in the catalogue' };
 * ```
 */
export type Resolved = { ok: true; value: string } | { ok: false; why: string };

/**
 * The hash of the image called `name`: the filename exactly, else ignoring
 * case, else ignoring case and a `.iso` ending. The first rule that
 * matches decides; two images matching it make the name ambiguous.
 *
 * @example
 * ```ts
 * const cat = [{ hash: "24ea1163ea6c9f5dae77de8c49ee7c03", filename: "ubuntu-8.10-desktop-i386.iso" }];
 * resolveName("Ubuntu-8.10-Desktop-i386", cat); // { ok: true, value: "24ea1163ea6c9f5dae77de8c49ee7c03" }
 * resolveName("kubuntu", cat).ok; // false
 * ```
 */
export function resolveName(name: string, catalogue: readonly CatalogueEntry[]): Resolved {
  const fold = (text: string) => text.toLowerCase();
  const bare = (text: string) => fold(text).replace(ISO, "");
  const rules = [
    (e: CatalogueEntry) => e.filename === name,
    (e: CatalogueEntry) => fold(e.filename) === fold(name),
    (e: CatalogueEntry) => bare(e.filename) === bare(name),
  ];
  for (const rule of rules) {
    const hashes = new Map<string, string>();
    for (const entry of catalogue) if (rule(entry)) hashes.set(entry.hash, entry.filename);
    if (hashes.size === 1) return { ok: true, value: [...hashes.keys()][0]! };
    if (hashes.size > 1) {
      const which = [...hashes].map(([hash, filename]) => `${hash} (${filename})`).join(", ");
      return { ok: false, why: `${JSON.stringify(name)} names ${hashes.size} images: ${which}; queue one by hash` };
    }
  }
  return { ok: false, why: `no image called ${JSON.stringify(name)} in the catalogue; give its hash or a local .iso` };
}

/**
 * The burner `open` or `name` means by `text`: an SLIST id, else a label
 * (which must be unique), else a unique id prefix of at least four
 * characters, else an id-shaped text as it is (the server then says
 * whether it knows it).
 *
 * @example
 * ```ts
 * const rows: BurnerRow[] = [{ id: "4a8e2f1a79f1f8507d5cdbdebb993219", ctype: "BURNCDR", subject: "CDR", state: "AVAIL", label: "left-1" }];
 * resolveBurner("left-1", rows); // { ok: true, value: "4a8e2f1a79f1f8507d5cdbdebb993219" }
 * resolveBurner("4a8e", rows); // the same
 * resolveBurner("right", rows).ok; // false
 * ```
 */
export function resolveBurner(text: string, rows: readonly BurnerRow[]): Resolved {
  const lower = text.toLowerCase();
  if (rows.some((r) => r.id === lower)) return { ok: true, value: lower };
  const labelled = rows.filter((r) => r.label === text);
  if (labelled.length === 1) return { ok: true, value: labelled[0]!.id };
  if (labelled.length > 1) {
    return { ok: false, why: `${labelled.length} burners are labelled ${JSON.stringify(text)}: give an id` };
  }
  const prefixed = lower.length >= PREFIX_MIN ? rows.filter((r) => r.id.startsWith(lower)) : [];
  if (prefixed.length === 1) return { ok: true, value: prefixed[0]!.id };
  if (prefixed.length > 1) return { ok: false, why: `id prefix ${JSON.stringify(text)} is not unique` };
  if (ID.test(lower)) return { ok: true, value: lower };
  return { ok: false, why: `no burner with id or label ${JSON.stringify(text)}` };
}

/**
 * What the server said about one image (WHATIS): its INFO, or undefined
 * for `INFO\tENOIDEA`.
 *
 * @example
 * ```ts
 * const info: ImageInfo = { hash: "d3d8bdfb7ef65711e707103deb1de8b2", filename: "test.iso", description: "Test disc", bytes: 314947584 };
 * ```
 */
export interface ImageInfo {
  hash: string;
  filename: string;
  description: string;
  bytes?: number;
}

/** Filenames by hash, as far as WHATIS told them. */
type Names = (hash: string) => string | undefined;

/**
 * Rows as aligned columns: every column but the last padded to its widest
 * cell, two spaces between columns.
 *
 * @example
 * ```ts
 * table([["ITEM", "PRIO"], ["41", "5"]]); // "ITEM  PRIO\n41    5\n"
 * ```
 */
export function table(rows: readonly (readonly string[])[]): string {
  const width = (text: string) => [...text].length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - width(cell)))).join("  ")
      .trimEnd() + "\n"
  ).join("");
}

const json = (value: unknown) => `${JSON.stringify(value)}\n`;

const stateText = (state: BurnerRow["state"]) => (typeof state === "number" ? `${state}%` : state);

function queueCells(row: QueueRow, names: Names): string[] {
  return [String(row.item), String(row.prio), row.hash, names(row.hash) ?? "-"];
}

function burnerCells(row: BurnerRow): string[] {
  return [row.id, row.label ?? "-", row.ctype, stateText(row.state), row.subject];
}

function queueObject(row: QueueRow, names: Names) {
  return { item: row.item, prio: row.prio, hash: row.hash, filename: names(row.hash) ?? null };
}

function burnerObject(row: BurnerRow) {
  return { id: row.id, label: row.label ?? null, ctype: row.ctype, state: row.state, subject: row.subject };
}

/**
 * `standd qreport`: the queue in dispatch order under the heading `ITEM
 * PRIO HASH FILENAME` (`-` for a filename the server does not know), or a
 * JSON array of `{item, prio, hash, filename}` (filename null if unknown).
 *
 * @example
 * ```ts
 * renderQueue([{ item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5 }], () => "test.iso", false);
 * // "ITEM  PRIO  HASH                              FILENAME\n41    5     d3d8bdfb7ef65711e707103deb1de8b2  test.iso\n"
 * ```
 */
export function renderQueue(rows: readonly QueueRow[], names: Names, asJson: boolean): string {
  if (asJson) return json(rows.map((r) => queueObject(r, names)));
  return table([["ITEM", "PRIO", "HASH", "FILENAME"], ...rows.map((r) => queueCells(r, names))]);
}

/**
 * `standd sreport`: the burners under the heading `ID LABEL TYPE STATE
 * SUBJECT` (`-` for no label, a burn's state as `50%`), or a JSON array of
 * `{id, label, ctype, state, subject}` with the state as on the wire.
 *
 * @example
 * ```ts
 * renderBurners([{ id: "4a8e2f1a79f1f8507d5cdbdebb993219", ctype: "BURNCDR", subject: "CDR", state: "AVAIL" }], false);
 * // "ID                                LABEL  TYPE     STATE  SUBJECT\n4a8e2f1a79f1f8507d5cdbdebb993219  -      BURNCDR  AVAIL  CDR\n"
 * ```
 */
export function renderBurners(rows: readonly BurnerRow[], asJson: boolean): string {
  if (asJson) return json(rows.map(burnerObject));
  return table([["ID", "LABEL", "TYPE", "STATE", "SUBJECT"], ...rows.map(burnerCells)]);
}

/**
 * `standd whatis`: the filename, then the description's lines (a line the
 * wire wrote as one space is empty again), or `unknown`; as JSON the INFO's
 * fields with `known`.
 *
 * @example
 * ```ts
 * renderWhatis("d3d8bdfb7ef65711e707103deb1de8b2", { hash: "d3d8bdfb7ef65711e707103deb1de8b2", filename: "test.iso", description: "Test disc\r\n \r\nRandom data." }, false);
 * // "test.iso\nTest disc\n\nRandom data.\n"
 * renderWhatis("d3d8bdfb7ef65711e707103deb1de8b2", undefined, false); // "unknown\n"
 * ```
 */
export function renderWhatis(hash: string, info: ImageInfo | undefined, asJson: boolean): string {
  if (asJson) {
    if (info === undefined) return json({ hash, known: false });
    return json({
      hash,
      known: true,
      filename: info.filename,
      description: descriptionText(info.description),
      bytes: info.bytes ?? null,
    });
  }
  if (info === undefined) return "unknown\n";
  return `${info.filename}\n${descriptionText(info.description)}\n`;
}

/** A wire description (§2.1) as plain lines. */
function descriptionText(description: string): string {
  return description.split("\r\n").map((line) => (line === " " ? "" : line)).join("\n");
}

/**
 * `standd queue`: `queued N` when every copy was accepted, `refused` when
 * none was, `queued N, refused M` in between; as JSON `{hash, queued,
 * refused}`.
 *
 * @example
 * ```ts
 * renderQueued("24ea1163ea6c9f5dae77de8c49ee7c03", 3, 0, false); // "queued 3\n"
 * renderQueued("24ea1163ea6c9f5dae77de8c49ee7c03", 0, 1, false); // "refused\n"
 * ```
 */
export function renderQueued(hash: string, queued: number, refused: number, asJson: boolean): string {
  if (asJson) return json({ hash, queued, refused });
  if (refused === 0) return `queued ${queued}\n`;
  return queued === 0 ? "refused\n" : `queued ${queued}, refused ${refused}\n`;
}

/**
 * `standd open`, `qdel` and `name`: `ok` or `refused`; as JSON `{ok}`.
 *
 * @example
 * ```ts
 * renderOk(true, false); // "ok\n"
 * renderOk(false, true); // '{"ok":false}\n'
 * ```
 */
export function renderOk(ok: boolean, asJson: boolean): string {
  if (asJson) return json({ ok });
  return ok ? "ok\n" : "refused\n";
}

/**
 * What one `watch` poll saw: the QLIST and SLIST rows.
 *
 * @example
 * ```ts
 * const s: Snapshot = { queue: [], burners: [] };
 * ```
 */
export interface Snapshot {
  queue: readonly QueueRow[];
  burners: readonly BurnerRow[];
}

/**
 * One change between two polls: a burner new or different in any field,
 * an item that joined the queue, an item that left it (dispatched or
 * deleted: the lists cannot tell which).
 *
 * @example
 * ```ts
 * const c: Change = { event: "queued", row: { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5 } };
 * ```
 */
export type Change =
  | { event: "burner"; row: BurnerRow }
  | { event: "queued" | "dequeued"; row: QueueRow };

const burnerKey = (r: BurnerRow) => `${r.ctype}\t${r.subject}\t${r.state}\t${r.label ?? ""}`;

/**
 * The changes from `before` (undefined: the first poll, so everything is
 * new) to `after`: burners first in SLIST order, then items that left the
 * queue, then items that joined it, each in list order.
 *
 * @example
 * ```ts
 * const row = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5 };
 * diffSnapshots({ queue: [row], burners: [] }, { queue: [], burners: [] }); // [{ event: "dequeued", row }]
 * ```
 */
export function diffSnapshots(before: Snapshot | undefined, after: Snapshot): Change[] {
  const changes: Change[] = [];
  const burners = new Map((before?.burners ?? []).map((r) => [r.id, burnerKey(r)]));
  for (const row of after.burners) if (burners.get(row.id) !== burnerKey(row)) changes.push({ event: "burner", row });
  const was = new Set((before?.queue ?? []).map((r) => r.item));
  const is = new Set(after.queue.map((r) => r.item));
  for (const row of before?.queue ?? []) if (!is.has(row.item)) changes.push({ event: "dequeued", row });
  for (const row of after.queue) if (!was.has(row.item)) changes.push({ event: "queued", row });
  return changes;
}

/**
 * A time as watch prints it: ISO 8601 in UTC, to the second.
 *
 * @example
 * ```ts
 * stamp(Date.UTC(2026, 11, 4, 22, 30, 1, 500)); // "2026-12-04T22:30:01Z"
 * ```
 */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * `watch` off a terminal: one line per change, stamped with `now`, in the
 * columns of the reports: `TIME burner ID LABEL TYPE STATE SUBJECT`,
 * `TIME queued|dequeued ITEM PRIO HASH FILENAME`; as JSON one object per
 * line with `time` and `event` added to the report's fields.
 *
 * @example
 * ```ts
 * const row = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5 };
 * renderChanges([{ event: "queued", row }], () => "test.iso", Date.UTC(2026, 11, 4, 22, 30, 1), false);
 * // "2026-12-04T22:30:01Z queued 41 5 d3d8bdfb7ef65711e707103deb1de8b2 test.iso\n"
 * ```
 */
export function renderChanges(changes: readonly Change[], names: Names, now: number, asJson: boolean): string {
  const time = stamp(now);
  let out = "";
  for (const c of changes) {
    if (asJson) {
      const fields = c.event === "burner" ? burnerObject(c.row) : queueObject(c.row, names);
      out += json({ time, event: c.event, ...fields });
    } else {
      const cells = c.event === "burner" ? burnerCells(c.row) : queueCells(c.row, names);
      out += `${time} ${c.event} ${cells.join(" ")}\n`;
    }
  }
  return out;
}

/**
 * `watch` on a terminal: the whole screen, cleared and drawn again: a
 * heading with the server and the time of the last change, the burners as
 * `sreport` shows them, then the queue as `qreport` does.
 *
 * @example
 * ```ts
 * const screen = renderScreen({ queue: [], burners: [] }, () => undefined, "127.0.0.1:1337", 0);
 * screen.includes("queue: 0 items"); // true
 * ```
 */
export function renderScreen(snapshot: Snapshot, names: Names, server: string, now: number): string {
  const items = snapshot.queue.length;
  return CLEAR +
    `standd ${server}  ${stamp(now)}\n\n` +
    `burners: ${snapshot.burners.length}\n` + renderBurners(snapshot.burners, false) + "\n" +
    `queue: ${items} item${items === 1 ? "" : "s"}\n` + renderQueue(snapshot.queue, names, false);
}

/**
 * The command token from the ways to give it, in order of precedence: the
 * `--token` option, the `--token-file` file's one line (surrounding
 * white space dropped, as standd reads `--command-token-file`), the
 * environment variable; undefined if none. A token must be printable
 * ASCII (it is the ID's fifth field).
 *
 * @throws {UsageError} naming the source of an empty or unusable token.
 * @example
 * ```ts
 * pickToken({ fileText: "s3cret\n", env: "other" }); // "s3cret"
 * pickToken({}); // undefined
 * ```
 */
export function pickToken(given: { flag?: string; fileText?: string; env?: string }): string | undefined {
  const [token, source] = given.flag !== undefined
    ? [given.flag, "--token"]
    : given.fileText !== undefined
    ? [given.fileText.trim(), "--token-file"]
    : given.env !== undefined && given.env !== ""
    ? [given.env, "STANDD_COMMAND_TOKEN"]
    : [undefined, ""];
  if (token === undefined) return undefined;
  if (!/^[\x20-\x7e]+$/.test(token)) throw new UsageError(`${source}: a command token is non-empty printable ASCII`);
  return token;
}

/**
 * What every frontend sub-command was given: the server as typed (`HOST:PORT`),
 * the ways a command token may come (read and chosen by {@linkcode pickToken}),
 * `--json`, and how long to wait to connect and for each reply.
 *
 * @example
 * ```ts
 * const c: FrontendConfig = { server: "127.0.0.1:1337", token: { env: "s3cret" }, json: false, timeoutMs: 30000 };
 * ```
 */
export interface FrontendConfig {
  server: string;
  token: { flag?: string; file?: string; env?: string };
  json: boolean;
  timeoutMs: number;
}

/**
 * One sub-command's own request. `queue` carries the `--http` address
 * that resolves names; `open` and `name` a burner as typed (see
 * {@linkcode resolveBurner}).
 *
 * @example
 * ```ts
 * const r: FrontendRequest = { verb: "queue", target: "test.iso", prio: 50, copies: 2, http: "127.0.0.1:1338" };
 * ```
 */
export type FrontendRequest =
  | { verb: "queue"; target: string; prio: number; copies: number; http: string }
  | { verb: "qreport" }
  | { verb: "sreport" }
  | { verb: "whatis"; hash: string }
  | { verb: "open"; burner: string }
  | { verb: "qdel"; item: number }
  | { verb: "name"; burner: string; label: string }
  | { verb: "watch"; intervalMs: number };

/**
 * The 'Buntu Stand message set (spec §2.3–§2.8), both directions and our
 * extensions, as a tagged union on `type`. Field names follow the spec's
 * tables; a verb with several shapes (STATUS, INFO, OPEN) gets one type per
 * shape.
 *
 * @module
 */

/**
 * Client type (§2.2); the ID's ctype governs a connection's role.
 *
 * @example
 * ```ts
 * const burner: Ctype = "BURNDVD";
 * ```
 */
export type Ctype = "BURNCDR" | "BURNDVD" | "DISPLAY" | "COMMAND";

/**
 * Disc or drive type (§2.2).
 *
 * @example
 * ```ts
 * const media: Media = "CDR";
 * ```
 */
export type Media = "CDR" | "DVD";

/**
 * What a media STATUS reports (§2.4).
 *
 * @example
 * ```ts
 * const state: MediaState = "AVAIL"; // STATUS\tCDR\tAVAIL
 * ```
 */
export type MediaState = "AVAIL" | "EMPTY" | "OPEN";

/**
 * A burner's state as SLIST shows it (§2.6): a word, or a burn's percentage.
 *
 * @example
 * ```ts
 * const states: BurnerState[] = ["AVAIL", 50, "DISCONN"];
 * ```
 */
export type BurnerState = "NEW" | "AVAIL" | "EMPTY" | "OPEN" | "ASKED" | "PASS" | "FAIL" | "DISCONN" | number;

/**
 * One QLIST line: a queued item in dispatch order (§2.6).
 *
 * @example
 * ```ts
 * const row: QueueRow = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5 };
 * ```
 */
export interface QueueRow {
  item: number;
  hash: string;
  prio: number;
}

/**
 * One SLIST line: a known burner (§2.6). `subject` is the bound hash or a
 * media token; `label` only when set.
 *
 * @example
 * ```ts
 * const row: BurnerRow = { id: "4a8e2f1a79f1f8507d5cdbdebb993219", ctype: "BURNCDR", subject: "CDR", state: "AVAIL" };
 * ```
 */
export interface BurnerRow {
  id: string;
  ctype: Ctype;
  subject: string;
  state: BurnerState;
  label?: string;
}

/**
 * Every message of the protocol. Notes on shapes:
 * - `ASKCAP` stands for both spellings (`ASKCAP`, `ASKCAPAB`);
 * - `INFO_ENOIDEA` is `INFO\tENOIDEA`, the answer to an unknown hash;
 * - `STATUS_MEDIA`, `STATUS_PROGRESS` (`time` only with pct 100) and
 *   `STATUS_VERDICT` are the three shapes of STATUS;
 * - `OPEN` is the server's bare tray command, `OPEN_BURNER` a COMMAND
 *   client's `OPEN\t<burnerId>`;
 * - `QUEUE` always carries `prio`: a QUEUE without one decodes as 50.
 *
 * @example
 * ```ts
 * const burn: Message = { type: "BURN", hash: "d3d8bdfb7ef65711e707103deb1de8b2" };
 * const cap: Message = { type: "CAP", ctype: "DISPLAY", hashes: [] };
 * ```
 */
export type Message =
  | { type: "IDENT"; ver: string }
  | { type: "ID"; ver: string; ctype: Ctype; id: string; token?: string }
  | { type: "CAPAB" }
  | { type: "CAP"; ctype: Ctype; hashes: string[] }
  | { type: "ASKCAP" }
  | { type: "WHATIS"; hash: string }
  | { type: "INFO"; hash: string; filename: string; description: string; bytes?: number }
  | { type: "INFO_ENOIDEA" }
  | { type: "STATUS_MEDIA"; media: Media; state: MediaState }
  | { type: "STATUS_PROGRESS"; hash: string; pct: number; time?: number }
  | { type: "STATUS_VERDICT"; hash: string; verdict: "PASS" | "FAIL" }
  | { type: "BURN"; hash: string }
  | { type: "OPEN" }
  | { type: "OPEN_BURNER"; burnerId: string }
  | { type: "QUEUE"; hash: string; prio: number }
  | { type: "QDEL"; item: number }
  | { type: "NAME"; id: string; label: string }
  | { type: "QOK" }
  | { type: "QNO" }
  | { type: "QREPORT" }
  | { type: "SREPORT" }
  | { type: "QLIST"; items: QueueRow[] }
  | { type: "SLIST"; burners: BurnerRow[] }
  | { type: "ERROR"; code: string; text: string };

/**
 * The message of one `type`.
 *
 * @example
 * ```ts
 * const status: MessageOf<"STATUS_MEDIA"> = { type: "STATUS_MEDIA", media: "CDR", state: "AVAIL" };
 * ```
 */
export type MessageOf<T extends Message["type"]> = Extract<Message, { type: T }>;

/**
 * Update lines and how a `ctl` read packs them (spec §4.4, §6.1, §6.6). A
 * member's queue holds lines fixed when queued, `set` lines rendered only
 * when a read packs them (value and visibility at that moment), and breaks.
 *
 * @module
 */

import type { Attribute, CliqueObject } from "./objects.ts";

const encoder = new TextEncoder();

/**
 * A queued update: a line fixed at queue time (its UTF-8 bytes), a `set` of
 * an attribute under the reader's id for its object, or a break.
 *
 * @example
 * ```ts
 * const u: Update = { kind: "line", bytes: actionLine("clienttype lobby", [], "") };
 * ```
 */
export type Update =
  | { readonly kind: "line"; readonly bytes: Uint8Array }
  | SetUpdate
  | { readonly kind: "break" };

/**
 * A queued `set`: rendered from `attr` when packed, and dropped then if the
 * reader may not see it.
 *
 * @example
 * ```ts
 * const u: SetUpdate = { kind: "set", id: 16, obj: session, attr: session.attrs.get("title")! };
 * ```
 */
export interface SetUpdate {
  readonly kind: "set";
  /** The reader's id of the object, fixed at queue time. */
  readonly id: number;
  readonly obj: CliqueObject;
  readonly attr: Attribute;
}

/** Text as it goes into a line: a newline inside would split it, so it becomes a space (spec §6.1 [ext]). */
function flat(text: string): string {
  return text.includes("\n") ? text.replaceAll("\n", " ") : text;
}

/**
 * `create <id> <parent> <vis> <type>`, `nil` for an empty type.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(createLine(0, -1, true, "")); // "create 0 -1 1 nil\n"
 * ```
 */
export function createLine(id: number, parent: number, vis: boolean, type: string): Uint8Array {
  return encoder.encode(`create ${id} ${parent} ${vis ? 1 : 0} ${type === "" ? "nil" : flat(type)}\n`);
}

/**
 * `tx <src> <dst> <start> <end> <index>`.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(txLine(3, 4, 0, 2, 1)); // "tx 3 4 0 2 1\n"
 * ```
 */
export function txLine(src: number, dst: number, start: number, end: number, index: number): Uint8Array {
  return encoder.encode(`tx ${src} ${dst} ${start} ${end} ${index}\n`);
}

/**
 * `del <parent> <start> <end> <id>…`.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(delLine(1, 0, 1, [2])); // "del 1 0 1 2\n"
 * ```
 */
export function delLine(parent: number, start: number, end: number, ids: readonly number[]): Uint8Array {
  let text = `del ${parent} ${start} ${end}`;
  for (const id of ids) text += ` ${id}`;
  return encoder.encode(`${text}\n`);
}

/**
 * `vis <id> <0|1>`.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(visLine(5, false)); // "vis 5 0\n"
 * ```
 */
export function visLine(id: number, vis: boolean): Uint8Array {
  return encoder.encode(`vis ${id} ${vis ? 1 : 0}\n`);
}

/**
 * An action: the command, ` <id>` per object, then a space and the rest —
 * always that space, so an empty rest leaves a trailing one.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(actionLine("clienttype lobby", [], "")); // "clienttype lobby \n"
 * new TextDecoder().decode(actionLine("move", [4, -1], "x")); // "move 4 -1 x\n"
 * ```
 */
export function actionLine(cmd: string, ids: readonly number[], rest: string): Uint8Array {
  let text = flat(cmd);
  for (const id of ids) text += ` ${id}`;
  return encoder.encode(`${text} ${flat(rest)}\n`);
}

/**
 * A `set` line as it reads now: `set <id> <attr> <value>`.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(renderSet(u)); // "set 16 title (othello)\n"
 * ```
 */
export function renderSet(u: SetUpdate): Uint8Array {
  return encoder.encode(`set ${u.id} ${flat(u.attr.name)} ${flat(u.attr.value)}\n`);
}

/**
 * One reader's FIFO of updates, counting the bytes it holds (a `set` counts
 * as long as it was when queued, a break as one).
 *
 * @example
 * ```ts
 * const q = new UpdateQueue();
 * q.push({ kind: "break" });
 * q.length; // 1
 * ```
 */
export class UpdateQueue {
  #items: ({ u: Update; size: number } | undefined)[] = [];
  #head = 0;
  #bytes = 0;

  /** Updates queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The bytes `u` adds to a queue. */
  static sizeOf(u: Update): number {
    return u.kind === "line" ? u.bytes.length : u.kind === "set" ? renderSet(u).length : 1;
  }

  /** Append `u`; `size` is its {@linkcode UpdateQueue.sizeOf}, when the caller has it. */
  push(u: Update, size: number = UpdateQueue.sizeOf(u)): void {
    this.#items.push({ u, size });
    this.#bytes += size;
  }

  /** The oldest update, if any. */
  peek(): Update | undefined {
    return this.#items[this.#head]?.u;
  }

  /** Remove the oldest update. */
  shift(): void {
    const item = this.#items[this.#head];
    if (item === undefined) return;
    this.#items[this.#head++] = undefined;
    this.#bytes -= item.size;
    // Reclaim the consumed prefix once it is most of the array.
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Drop everything. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}

/** What ends a read that more updates wait behind. */
const CONTINUATION = encoder.encode("\n*");

/**
 * Pack one `ctl` read of `count` bytes from `q` (spec §4.4): whole lines in
 * order within `count − 2` bytes; a `set` that `keep` refuses is dropped; a
 * break is dropped before the first line and ends the read after one; a line
 * that does not fit stops packing. Returns the data (ending `\n*` if updates
 * remain), `"short read"` if the first line does not fit (it stays queued),
 * or undefined when nothing is left to send (the read waits).
 *
 * @example
 * ```ts
 * const q = new UpdateQueue();
 * q.push({ kind: "line", bytes: actionLine("clienttype lobby", [], "") });
 * q.push({ kind: "break" });
 * q.push({ kind: "line", bytes: actionLine("name alice", [], "") });
 * pack(q, 19, () => true); // "short read"
 * new TextDecoder().decode(pack(q, 20, () => true) as Uint8Array); // "clienttype lobby \n\n*"
 * ```
 */
export function pack(
  q: UpdateQueue,
  count: number,
  keep: (u: SetUpdate) => boolean,
): Uint8Array | "short read" | undefined {
  const avail = count - CONTINUATION.length;
  const lines: Uint8Array[] = [];
  let used = 0;
  for (let u = q.peek(); u !== undefined; u = q.peek()) {
    if (u.kind === "break") {
      q.shift();
      if (used > 0) break;
      continue;
    }
    if (u.kind === "set" && !keep(u)) {
      q.shift();
      continue;
    }
    const bytes = u.kind === "set" ? renderSet(u) : u.bytes;
    if (used + bytes.length > avail) break;
    q.shift();
    lines.push(bytes);
    used += bytes.length;
  }
  if (used === 0) return q.length === 0 ? undefined : "short read";
  const more = q.length > 0;
  const data = new Uint8Array(used + (more ? CONTINUATION.length : 0));
  let at = 0;
  for (const line of lines) {
    data.set(line, at);
    at += line.length;
  }
  if (more) data.set(CONTINUATION, at);
  return data;
}

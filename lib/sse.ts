/**
 * Server-sent events framing (the `text/event-stream` format of the HTML
 * standard): one event or comment in, the text to write out.
 *
 * @module
 */

/**
 * One event. Absent fields are not written; an event without `data` only
 * sets `retry` or `id` on the client and dispatches nothing.
 */
export interface SseEvent {
  /** Event type (`addEventListener(type)`); the client's default is "message". */
  event?: string;
  /** Payload; each of its lines (split at `\r\n`, `\r` or `\n`) becomes a `data:` line. */
  data?: string;
  /** Last event id the client sends back as `Last-Event-ID` when it reconnects. */
  id?: string | number;
  /** Reconnection delay for the client, in milliseconds. */
  retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

/** Throw unless `value` fits on one field line (and, for an id, holds no NUL, which clients ignore). */
function checkField(name: string, value: string, noNul: boolean): void {
  if (/[\r\n]/.test(value) || (noNul && value.includes("\0"))) {
    throw new RangeError(`SSE ${name} ${JSON.stringify(value)} cannot be sent`);
  }
}

/**
 * The text of one event, ending in the blank line that dispatches it. The
 * client gets `data` back with its line breaks turned into `\n`.
 *
 * @throws {RangeError} if `event` or `id` holds a line break (or `id` a
 * NUL), or `retry` is not a non-negative integer.
 * @example
 * ```ts
 * formatEvent({ event: "state", id: 7, data: "{\"a\":1}\n{\"b\":2}" });
 * // "event: state\nid: 7\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n"
 * ```
 */
export function formatEvent(ev: SseEvent): string {
  let out = "";
  if (ev.retry !== undefined) {
    if (!Number.isSafeInteger(ev.retry) || ev.retry < 0) throw new RangeError(`SSE retry ${ev.retry} is not a delay`);
    out += `retry: ${ev.retry}\n`;
  }
  if (ev.event !== undefined) {
    checkField("event", ev.event, false);
    out += `event: ${ev.event}\n`;
  }
  if (ev.id !== undefined) {
    const id = String(ev.id);
    checkField("id", id, true);
    out += `id: ${id}\n`;
  }
  if (ev.data !== undefined) {
    for (const line of ev.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  return `${out}\n`;
}

/**
 * A comment, which clients ignore: a keepalive that stops proxies and the
 * client from timing out an idle stream. Each line of `text` becomes one
 * comment line.
 *
 * @example
 * ```ts
 * formatComment("keepalive"); // ": keepalive\n\n"
 * ```
 */
export function formatComment(text: string): string {
  return `${text.split(LINE_BREAK).map((line) => `: ${line}\n`).join("")}\n`;
}

/**
 * A small `text/event-stream` parser after the HTML standard's rules, to
 * check what lib/sse.ts and lib/net/http.ts send as a browser would read it.
 */

/** An event as a client's EventSource dispatches it. */
export interface ParsedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/** What a stream held: dispatched events, the last retry, and comment lines. */
export interface ParsedStream {
  events: ParsedEvent[];
  retry: number | undefined;
  comments: string[];
}

/** Parse `text`; an unterminated last line and an event not followed by a blank line are not dispatched. */
export function parseSse(text: string): ParsedStream {
  const out: ParsedStream = { events: [], retry: undefined, comments: [] };
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop();
  let type = "";
  let data = "";
  let lastEventId = "";
  for (const line of lines) {
    if (line === "") {
      if (data !== "") out.events.push({ type: type || "message", data: data.slice(0, -1), lastEventId });
      type = "";
      data = "";
      continue;
    }
    if (line.startsWith(":")) {
      out.comments.push(line.slice(1).replace(/^ /, ""));
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value;
    else if (field === "data") data += `${value}\n`;
    else if (field === "id" && !value.includes("\0")) lastEventId = value;
    else if (field === "retry" && /^\d+$/.test(value)) out.retry = Number(value);
  }
  return out;
}

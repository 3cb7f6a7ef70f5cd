/**
 * The captures of the original spree (test/fixtures/spree/transcripts.txt,
 * a copy of the shared fixture) as data: each section's lines in order, each
 * line's label and its reply turned back into the bytes the original sent.
 * The golden replays take their expected replies from here, not from copies
 * in the tests, so that a test and the capture cannot drift apart.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hex, pyBytes } from "../ninep/hex.ts";

/** A captured reply: a message type and its body, or no reply at all. */
export type Captured =
  | { kind: "reply"; type: string; body: Uint8Array; notation: string }
  | { kind: "none"; notation: string };

/** One line of a section. */
export interface CapturedLine {
  label: string;
  reply: Captured;
}

const PATH = join(import.meta.dir, "..", "fixtures", "spree", "transcripts.txt");
const REPLY =
  /(?:^|\s)(R(?:version|error|attach|walk|open|read|write|clunk|flush|stat)\b.*|\(no reply.*|\(nothing\)|None)$/;

/**
 * Every section of the capture file by name (`probe2`, `probe3b`…), its
 * `--- (a)` sub-headings dropped.
 */
export function loadTranscripts(): Map<string, CapturedLine[]> {
  const sections = new Map<string, CapturedLine[]>();
  let current: CapturedLine[] | undefined;
  for (const line of readFileSync(PATH, "utf8").split("\n")) {
    if (line.startsWith("######## ")) {
      current = [];
      sections.set(line.slice(9).split(" ")[0]!, current);
      continue;
    }
    if (current === undefined || line.startsWith("#") || line.startsWith("---") || line.trim() === "") continue;
    const bar = line.indexOf(" | ");
    if (bar >= 0) {
      current.push({ label: line.slice(0, bar), reply: parseReply(line.slice(bar + 3)) });
      continue;
    }
    const m = REPLY.exec(line);
    if (m) current.push({ label: line.slice(0, m.index).trim().replace(/ ->$/, ""), reply: parseReply(m[1]!) });
  }
  return sections;
}

/** `Rwalk 0100…`, `Rread b'…'`, `Rerror 'text'`, `(no reply)`: the bytes the notation stands for. */
export function parseReply(notation: string): Captured {
  notation = notation.trim();
  if (!notation.startsWith("R")) return { kind: "none", notation };
  const space = notation.indexOf(" ");
  const type = space < 0 ? notation : notation.slice(0, space);
  const rest = space < 0 ? "" : notation.slice(space + 1).trim();
  let body: Uint8Array;
  if (type === "Rerror") body = stringBody(unquote(rest));
  else if (rest.startsWith("b'") || rest.startsWith('b"')) body = pythonBytes(rest);
  else body = hex(rest);
  return { kind: "reply", type, body, notation };
}

function unquote(text: string): string {
  const q = text[0];
  return (q === "'" || q === '"') && text.endsWith(q) ? text.slice(1, -1) : text;
}

function stringBody(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text);
  const body = new Uint8Array(2 + utf8.length);
  new DataView(body.buffer).setUint16(0, utf8.length, true);
  body.set(utf8, 2);
  return body;
}

/** A Python bytes literal, `b'…'` or `b"…"`. */
export function pythonBytes(literal: string): Uint8Array {
  return pyBytes(literal.slice(2, -1));
}

/** Bytes as the capture writes them, for readable failures. */
export function asPython(bytes: Uint8Array): string {
  let s = "b'";
  for (const b of bytes) {
    if (b === 10) s += "\\n";
    else if (b === 39) s += "\\'";
    else if (b === 92) s += "\\\\";
    else if (b >= 32 && b < 127) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `${s}'`;
}

/** One message of the relayed Inferno client session: direction, type, tag and body as captured (cut at 100 bytes). */
export interface RelayedMessage {
  from: "client" | "server";
  type: string;
  tag: number;
  body: Uint8Array;
}

/** The last section, a real Inferno client's session traced by a relay, message by message. */
export function loadRelayedSession(): RelayedMessage[] {
  const text = readFileSync(PATH, "utf8");
  const start = text.indexOf("######## Real Inferno client");
  const out: RelayedMessage[] = [];
  for (const line of text.slice(start).split("\n")) {
    const m = /^(->|<-) (\w+) tag=(\d+) (b['"].*['"])$/.exec(line);
    if (m) {
      out.push({ from: m[1] === "->" ? "client" : "server", type: m[2]!, tag: Number(m[3]), body: pythonBytes(m[4]!) });
    }
  }
  return out;
}

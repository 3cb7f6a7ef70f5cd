/**
 * The client's report of a manager's table: the classic tableau text and
 * the `--json` line.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { commentLines, PROTOCOL_VERSION, sourceKind } from "./protocol.ts";

/** What a client learned from a manager for the report. */
export interface TableauData {
  count: number;
  space: number;
  /** The `J` reply. */
  width: number;
  /** The `R` reply. */
  request: number;
  /** The `U` reply's type byte, as a one-character string. */
  sourceType: string;
  sourceName: Uint8Array;
  /** The names from the `T` reply, in table order. */
  tokens: Uint8Array[];
  /** Each token's `O` reply line, verbatim. */
  locks: string[];
}

const encoder = new TextEncoder();
// A leading byte-order mark is part of a token, not an encoding hint.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const KIND_TEXT = { function: "the internal function: ", file: "file: ", error: "error: " } as const;

/**
 * The tableau, byte for byte as the original prints it (tokens and source
 * are copied as raw bytes).
 *
 * @example
 * ```ts
 * formatTableau("ptbw", data);
 * // ptbw: master has 4 tokens, max length 1 (total space 8)
 * //  Master tokens from the internal function: iota
 * //  Index\tLock\tTokens (request in groups of 2)
 * //      0\t0\t0 …
 * ```
 */
export function formatTableau(prog: string, d: TableauData): Uint8Array {
  const kind = sourceKind(d.sourceType);
  const kindText = kind === "key" ? `key ${d.sourceType}: ` : KIND_TEXT[kind];
  const parts: Uint8Array[] = [
    encoder.encode(
      `${prog}: master has ${d.count} tokens, max length ${d.width} (total space ${d.space})\n` +
        ` Master tokens from ${kindText}`,
    ),
    d.sourceName,
    encoder.encode(`\n Index\tLock\tTokens (request in groups of ${d.request})\n`),
  ];
  d.tokens.forEach((token, i) => {
    parts.push(encoder.encode(`${String(i).padStart(6)}\t${d.locks[i] ?? ""}\t`), token, encoder.encode("\n"));
  });
  return concatBytes(parts);
}

function textOf(bytes: Uint8Array): { text: string; hex?: string } {
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    return { text: utf8.decode(bytes), hex: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
}

/**
 * The `--json` report: one line, keys in a fixed order.
 *
 * @example
 * ```ts
 * formatJson(data, "/tmp/ptbdAb12Cd/sta0", "#hdr comment\n");
 * // {"protocol":"0.4","socket":"/tmp/ptbdAb12Cd/sta0","count":4,…}
 * ```
 */
export function formatJson(d: TableauData, socket: string, comments: string): string {
  const source = textOf(d.sourceName);
  const report = {
    protocol: PROTOCOL_VERSION,
    socket,
    count: d.count,
    space: d.space,
    width: d.width,
    request: d.request,
    source: { type: d.sourceType, kind: sourceKind(d.sourceType), name: source.text },
    comments: commentLines(comments),
    tokens: d.tokens.map((token, index) => {
      const { text, hex } = textOf(token);
      const lock = /^-?\d+$/.test(d.locks[index] ?? "") ? Number(d.locks[index]) : d.locks[index] ?? null;
      return hex === undefined ? { index, token: text, lock } : { index, token: text, hex, lock };
    }),
  };
  return JSON.stringify(report);
}

/**
 * Framing a 9P2000 byte stream: the shared {@linkcode Framer} reading
 * `size[4]`-prefixed frames between 7 bytes and the connection's limit,
 * and the diagnostics for a frame out of those bounds.
 *
 * @module
 */

import { type FrameEvent, Framer } from "../framer.ts";
import { HEADER_SIZE } from "./constants.ts";

/**
 * A framer for one 9P connection: whole frames (size field included) of
 * 7 to `maxBytes` bytes. Start with the msize cap, and lower `maxBytes` to
 * the negotiated msize after Rversion; a frame out of bounds stops it.
 *
 * @throws {RangeError} if `maxBytes` is not an integer of at least 7.
 * @example
 * ```ts
 * const framer = ninepFramer(8216);
 * for (const event of framer.push(chunk)) {
 *   if (event.kind === "frame") handle(decodeT(event.bytes));
 *   else log(framingError(event));
 * }
 * ```
 */
export function ninepFramer(maxBytes: number): Framer {
  return new Framer({ sizePrefix: "u32le", minBytes: HEADER_SIZE, maxBytes });
}

/**
 * The diagnostic for a framing failure (after which the connection is
 * closed): `invalid 9P message size` for a size below 7,
 * `9P message longer than agreed` for one above the limit; undefined for
 * a frame or a partial tail.
 *
 * @example
 * ```ts
 * framingError({ kind: "undersize", bytes: new Uint8Array([3, 0, 0, 0]) }); // "invalid 9P message size"
 * ```
 */
export function framingError(event: FrameEvent): string | undefined {
  if (event.kind === "undersize") return "invalid 9P message size";
  if (event.kind === "oversize") return "9P message longer than agreed";
  return undefined;
}

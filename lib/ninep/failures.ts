/**
 * How a 9P request can fail on the client's side: the server refused it
 * (Rerror), it was aborted (flushed, or reset by a Tversion), the server
 * broke the protocol, or the connection went away.
 *
 * @module
 */

/**
 * The server answered Rerror; `message` is its string, verbatim.
 *
 * @example
 * ```ts
 * const e = new NinepError("file does not exist");
 * e.message; // "file does not exist"
 * ```
 */
export class NinepError extends Error {
  override readonly name = "NinepError";
}

/**
 * The request will never be answered: a Tflush overtook it (its Rflush
 * came before any reply), or a Tversion reset the session.
 *
 * @example
 * ```ts
 * new RequestAborted("flushed");
 * ```
 */
export class RequestAborted extends Error {
  override readonly name = "RequestAborted";
}

/**
 * The server sent something 9P2000 does not allow: an undecodable or
 * out-of-bounds frame, a reply to a tag with no request, or a reply of the
 * wrong kind. The connection cannot be trusted after it.
 *
 * @example
 * ```ts
 * new ProtocolViolation("Rwalk answering Tread (tag 3)");
 * ```
 */
export class ProtocolViolation extends Error {
  override readonly name = "ProtocolViolation";
}

/**
 * The connection ended (EOF, a socket error, or our own close) with the
 * request unanswered.
 *
 * @example
 * ```ts
 * new ConnectionLost("connection closed by the server");
 * ```
 */
export class ConnectionLost extends Error {
  override readonly name = "ConnectionLost";
}

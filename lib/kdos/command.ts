/**
 * A KDOS command as the grammar (spec §3) gives it to the core: the tag and
 * response mailbox as sent, the operation, and its arguments checked for
 * syntax and range. Names, patterns and flags stay as their tokens: what they
 * mean (spec §5, §6) is decided when the command runs.
 *
 * @module
 */

/**
 * A request's operation and arguments (spec §3.1, §3.2). Integers are
 * bigints holding the exact value; `buffer` is the `%p` address.
 *
 * @example
 * ```ts
 * const r: Request = { op: "READX", fd: 3n, maxBytes: 4096n, offset: 0n, whence: 0n };
 * ```
 */
export type Request =
  | { op: "CLOSE"; fd: bigint }
  | { op: "DELETE"; fileSpec: string }
  | { op: "LIST"; index: bigint; buffer: bigint; maxBytes: bigint; offset: bigint; whence: bigint }
  | { op: "OPEN"; fileName: string; flags: string }
  | { op: "READ"; fd: bigint; buffer: bigint; maxBytes: bigint; offset: bigint; whence: bigint }
  | { op: "RENAME"; oldName: string; newName: string }
  | { op: "STAT"; fileName: string; buffer: bigint }
  | { op: "WRITE"; fd: bigint; buffer: bigint; numBytes: bigint; offset: bigint; whence: bigint }
  | { op: "READX"; fd: bigint; maxBytes: bigint; offset: bigint; whence: bigint }
  | { op: "WRITEX"; fd: bigint; offset: bigint; whence: bigint; data: string }
  | { op: "LISTX"; index: bigint }
  | { op: "STATX"; fileName: string };

/**
 * An operation's name.
 *
 * @example
 * ```ts
 * const op: Op = "STAT";
 * ```
 */
export type Op = Request["op"];

/**
 * What one command (a datagram or a gateway line) parses to:
 * - `request`: run it and answer `tag` at `mailbox`;
 * - `refused`: answer `tag` at `mailbox` with this errno at once (EINVAL,
 *   ENOSYS, EMSGSIZE), running nothing;
 * - `dropped`: no tag or mailbox could be had: no reply (UDP: log and drop;
 *   a gateway closes the connection).
 *
 * `terminator` is the stripped trailing run of NUL/CR/LF bytes (for the
 * `--udp-eol mirror` reply).
 *
 * @example
 * ```ts
 * const p: Parsed = { kind: "refused", tag: "0x1", mailbox: "-", errno: "ENOSYS", terminator: "" };
 * ```
 */
export type Parsed =
  | { kind: "request"; tag: string; mailbox: string; request: Request; terminator: string }
  | { kind: "refused"; tag: string; mailbox: string; errno: "EINVAL" | "ENOSYS" | "EMSGSIZE"; terminator: string }
  | { kind: "dropped"; reason: string };

/**
 * The ring (§3.2): five ordered members, from a ring file, an inline
 * `--ring` list or the built-in default, and the `+k` arithmetic on it.
 *
 * @module
 */
import { canonicalIp, DialError, parseDial } from "../dial.ts";

/**
 * One ring member. `index` is its position; `host` is kept as written (an
 * IPv6 literal without brackets); `clientPort` is set only when the ring
 * file gives one (the extension that lets members share an address).
 *
 * @example
 * ```ts
 * const m: Member = { index: 2, name: "lg", host: "192.168.1.12", peerPort: 55552, clientPort: undefined };
 * ```
 */
export interface Member {
  index: number;
  name: string;
  host: string;
  peerPort: number;
  clientPort: number | undefined;
}

/**
 * Exactly five members, `ring[i].index === i`.
 *
 * @example
 * ```ts
 * const ring: Ring = defaultRing(true, 55552);
 * ring[2]!.name; // "lg"
 * ```
 */
export type Ring = readonly Member[];

/**
 * A ring that cannot be used; the message names the line (or `--ring`
 * entry) and the problem, without the `pzog: ` prefix. The daemon exits 78.
 *
 * @example
 * ```ts
 * try {
 *   parseRingList("la=a,lg=b,lg=c,sm=d,g=e", 55552);
 * } catch (e) {
 *   if (e instanceof RingError) console.error(`pzog: ${e.message}`); // pzog: ring entry 3: duplicate name "lg"
 * }
 * ```
 */
export class RingError extends Error {
  override readonly name = "RingError";
}

/**
 * The member names of the 2012 ring, in ring order.
 *
 * @example
 * ```ts
 * RING_NAMES[0]; // "la"
 * ```
 */
export const RING_NAMES: readonly string[] = ["la", "test", "lg", "sm", "g"];

const RING_SIZE = 5;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const DIGITS = /^[0-9]+$/;

/** A member as parsed, before the ring-wide checks. */
interface Entry {
  where: string;
  name: string;
  host: string;
  peerPort: number;
  clientPort: number | undefined;
}

/** Parse `host[:port]`; `fail` throws with the caller's location. */
function hostPort(text: string, defaultPeerPort: number, fail: (msg: string) => never): { host: string; port: number } {
  // parseDial also reads dial strings and unbracketed IPv6 literals; the
  // ring takes neither: in `::1:5555` the port would be part of the host.
  if (text.includes("!")) fail(`bad address ${JSON.stringify(text)} (write host[:port])`);
  if (!text.startsWith("[") && text.indexOf(":") !== text.lastIndexOf(":")) {
    fail(`bad address ${JSON.stringify(text)} (an IPv6 address is written [addr] or [addr]:port)`);
  }
  try {
    const a = parseDial(text, { defaultPort: defaultPeerPort, minPort: 1, allowUnix: false });
    if (a.net === "unix") return fail(`bad address ${JSON.stringify(text)}`);
    return { host: a.host, port: a.port };
  } catch (e) {
    if (e instanceof DialError) return fail(e.message);
    throw e;
  }
}

/** Names and addresses compare the way resolvers and sockets see them. */
function addressKey(host: string, port: number): string {
  const h = canonicalIp(host) ?? host.toLowerCase().replace(/\.$/, "");
  return h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
}

/** The ring-wide checks: count, unique names, unique listening addresses. */
function build(entries: Entry[]): Ring {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) throw new RingError(`${e.where}: duplicate name ${JSON.stringify(e.name)}`);
    names.add(e.name);
    // Every port a member listens on must be its own, or two daemons
    // would compete for one socket.
    const ports = e.clientPort === undefined ? [e.peerPort] : [e.peerPort, e.clientPort];
    for (const port of ports) {
      const key = addressKey(e.host, port);
      if (addresses.has(key)) throw new RingError(`${e.where}: duplicate host:port ${key}`);
      addresses.add(key);
    }
  }
  if (entries.length !== RING_SIZE) {
    throw new RingError(`ring has ${entries.length} member${entries.length === 1 ? "" : "s"}, need ${RING_SIZE}`);
  }
  return Object.freeze(
    entries.map((e, index): Member => ({
      index,
      name: e.name,
      host: e.host,
      peerPort: e.peerPort,
      clientPort: e.clientPort,
    })),
  );
}

/**
 * Parse a ring file: one member per line in ring order,
 * `name host[:port] [clientport]`, fields separated by spaces or tabs; `#`
 * starts a comment; blank lines are ignored. `port` is the peer port,
 * `defaultPeerPort` when absent.
 *
 * @throws {RingError} for an unparsable line, a duplicate name or
 * host:port, or other than five members.
 * @example
 * ```ts
 * parseRingFile("la 10.0.0.1\ntest 10.0.0.2\nlg 10.0.0.3:6000\nsm 10.0.0.4\ng 10.0.0.5 7000\n", 55552);
 * // [{ index: 0, name: "la", host: "10.0.0.1", peerPort: 55552, clientPort: undefined }, ...,
 * //  { index: 2, name: "lg", host: "10.0.0.3", peerPort: 6000, ... }, ...,
 * //  { index: 4, name: "g", host: "10.0.0.5", peerPort: 55552, clientPort: 7000 }]
 * ```
 */
export function parseRingFile(text: string, defaultPeerPort: number): Ring {
  const entries: Entry[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const where = `ring line ${i + 1}`;
    const fail = (msg: string): never => {
      throw new RingError(`${where}: ${msg}`);
    };
    const hash = raw.indexOf("#");
    const fields = (hash === -1 ? raw : raw.slice(0, hash)).split(/[ \t]+/).filter((f) => f !== "");
    if (fields.length === 0) continue;
    if (fields.length > 3) fail(`too many fields (name host[:port] [clientport])`);
    const [name = "", address, client] = fields;
    if (!NAME.test(name)) fail(`bad name ${JSON.stringify(name)}`);
    if (address === undefined) fail(`missing host for ${JSON.stringify(name)}`);
    const { host, port } = hostPort(address!, defaultPeerPort, fail);
    let clientPort: number | undefined;
    if (client !== undefined) {
      clientPort = DIGITS.test(client) ? Number(client) : NaN;
      if (!(clientPort >= 1 && clientPort <= 65535)) fail(`bad client port ${JSON.stringify(client)} (1-65535)`);
    }
    entries.push({ where, name, host, peerPort: port, clientPort });
  }
  return build(entries);
}

/**
 * Parse `--ring`: comma-separated `name=host[:port]` entries in ring order
 * (no client ports). Errors name the entry by its 1-based position.
 *
 * @throws {RingError} as {@linkcode parseRingFile}.
 * @example
 * ```ts
 * parseRingList("la=10.0.0.1,test=10.0.0.2:55552,lg=10.0.0.3,sm=10.0.0.4,g=[::1]:6000", 55552);
 * // ring[4]: { index: 4, name: "g", host: "::1", peerPort: 6000, clientPort: undefined }
 * ```
 */
export function parseRingList(list: string, defaultPeerPort: number): Ring {
  const entries: Entry[] = [];
  for (const [i, item] of list.split(",").entries()) {
    const where = `ring entry ${i + 1}`;
    const fail = (msg: string): never => {
      throw new RingError(`${where}: ${msg}`);
    };
    const text = item.trim();
    const eq = text.indexOf("=");
    if (eq === -1) fail(`${JSON.stringify(text)} is not name=host[:port]`);
    const name = text.slice(0, eq);
    if (!NAME.test(name)) fail(`bad name ${JSON.stringify(name)}`);
    const { host, port } = hostPort(text.slice(eq + 1), defaultPeerPort, fail);
    entries.push({ where, name, host, peerPort: port, clientPort: undefined });
  }
  return build(entries);
}

/**
 * The built-in ring: la, test, lg, sm, g, each host its own name (the
 * system resolver finds it); with `testing`, the same names on 127.0.0.1
 * to 127.0.0.5, which Linux routes to loopback without any setup.
 *
 * @example
 * ```ts
 * defaultRing(false, 55552)[2]; // { index: 2, name: "lg", host: "lg", peerPort: 55552, clientPort: undefined }
 * defaultRing(true, 55552)[2]!.host; // "127.0.0.3"
 * ```
 */
export function defaultRing(testing: boolean, peerPort: number): Ring {
  return Object.freeze(
    RING_NAMES.map((name, index): Member => ({
      index,
      name,
      host: testing ? `127.0.0.${index + 1}` : name,
      peerPort,
      clientPort: undefined,
    })),
  );
}

/**
 * The member called `name` (exact match), if any.
 *
 * @example
 * ```ts
 * memberByName(defaultRing(true, 55552), "sm")?.index; // 3
 * memberByName(defaultRing(true, 55552), "xx");        // undefined
 * ```
 */
export function memberByName(ring: Ring, name: string): Member | undefined {
  return ring.find((m) => m.name === name);
}

/**
 * Member "+k of i": the one at position (i + k) mod 5; k may be negative.
 *
 * @example
 * ```ts
 * plus(ring, 3, 2).name; // "la" (index 0)
 * plus(ring, 0, -1).name; // "g"
 * ```
 */
export function plus(ring: Ring, i: number, k: number): Member {
  const n = ring.length;
  const m = ring[(((i + k) % n) + n) % n];
  if (!m) throw new RangeError(`no member +${k} of ${i} in a ring of ${n}`);
  return m;
}

/**
 * MEDS mailboxes as kdosd has them (spec §2.1): UDP endpoints named by
 * `host:port`, `udp!host!port` or a symbol of the mailbox table; the
 * anti-reflection rule that decides whether a reply may go to one; the
 * table file; and the `--allow-from` source filter. No DNS here: the only
 * host name resolved is `localhost`; the table's names are the program's.
 *
 * @module
 */
import { canonicalIp, DialError, ipKind, ipValue, isLoopback, parseDial } from "../dial.ts";

/**
 * A UDP mailbox: an IP literal in canonical form (IPv4 dotted quad, IPv4-
 * mapped IPv6 as IPv4, IPv6 compressed lower case) and a port.
 *
 * @example
 * ```ts
 * const sensor: MailboxAddress = { ip: "127.0.0.1", port: 7101 };
 * ```
 */
export interface MailboxAddress {
  readonly ip: string;
  readonly port: number;
}

const SYMBOL = /^[A-Za-z0-9._-]{1,64}$/;
const DIAL_OPTIONS = { defaultNet: "udp", allowUnix: false, minPort: 1 } as const;

/** `parseDial` for a mailbox: a UDP address with a port of 1–65535, or the reason it is not one. */
function dialMailbox(token: string): { host: string; port: number } | string {
  try {
    const a = parseDial(token, DIAL_OPTIONS);
    return a.net === "udp" ? a : `not a UDP mailbox: ${JSON.stringify(token)} (host:port or udp!host!port)`;
  } catch (e) {
    if (e instanceof DialError) return e.message;
    throw e;
  }
}

/** The canonical text of an IP literal, or the text itself when it is none. */
function canonical(ip: string): string {
  return canonicalIp(ip) ?? ip;
}

/**
 * Resolve a response-mailbox token (spec §2.1): one with `!` is a dial
 * string, of which only `udp!host!port` resolves; else one with `:` is
 * `host:port` or `[v6]:port`; else it is a symbol (`[A-Za-z0-9._-]{1,64}`)
 * looked up in `table`. Hosts are IP literals or `localhost`
 * (127.0.0.1): there is no DNS on the request path. Ports are 1–65535.
 * Undefined when the token does not resolve.
 *
 * @example
 * ```ts
 * parseMailbox("[::FFFF:127.0.0.1]:7101", new Map()); // { ip: "127.0.0.1", port: 7101 }
 * parseMailbox("udp!localhost!7101", new Map()); // { ip: "127.0.0.1", port: 7101 }
 * parseMailbox("tcp!127.0.0.1!7101", new Map()); // undefined
 * parseMailbox("sensorA", new Map([["sensorA", { ip: "10.0.0.5", port: 7101 }]])); // { ip: "10.0.0.5", port: 7101 }
 * ```
 */
export function parseMailbox(token: string, table: ReadonlyMap<string, MailboxAddress>): MailboxAddress | undefined {
  if (!token.includes("!") && !token.includes(":")) return SYMBOL.test(token) ? table.get(token) : undefined;
  const a = dialMailbox(token);
  if (typeof a === "string") return undefined;
  const ip = a.host === "localhost" ? "127.0.0.1" : canonicalIp(a.host);
  return ip === null ? undefined : { ip, port: a.port };
}

/**
 * A mailbox's canonical text, `udp!<ip>!<port>`: what handle ownership and
 * logs use. An address straight from a socket (`::ffff:10.0.0.1`) is
 * written canonically too.
 *
 * @example
 * ```ts
 * formatMailbox({ ip: "::ffff:10.0.0.1", port: 40001 }); // "udp!10.0.0.1!40001"
 * formatMailbox({ ip: "::1", port: 7101 }); // "udp!::1!7101"
 * ```
 */
export function formatMailbox(a: MailboxAddress): string {
  return `udp!${canonical(a.ip)}!${a.port}`;
}

/** Own endpoints bound to every address: `udp!*!port`, or as the socket reports it. */
const ANY_ADDRESS = new Set(["*", "0.0.0.0", "::"]);

/**
 * The anti-reflection rule [fix] (spec §2.1): a command from `source`
 * naming `dest` as its response mailbox is run and answered only if (1)
 * `dest`'s port is not 0 and `dest` is none of kdosd's `own` endpoints (an
 * own endpoint bound to every address, `*`, `0.0.0.0` or `::`, stands for
 * its port on any IP); and (2) `dest` and `source` have the same IP or are
 * both loopback. `allowRemote` (`--allow-remote-replies`) waives (2),
 * never (1). IPs compare canonically, so IPv4-mapped IPv6 is its IPv4.
 *
 * @example
 * ```ts
 * const own = [{ ip: "127.0.0.1", port: 7010 }];
 * mayReply({ ip: "127.0.0.1", port: 40001 }, { ip: "127.0.0.1", port: 40001 }, own, false); // true
 * mayReply({ ip: "::ffff:127.0.0.1", port: 40001 }, { ip: "::1", port: 40002 }, own, false); // true: both loopback
 * mayReply({ ip: "127.0.0.1", port: 40001 }, { ip: "127.0.0.1", port: 7010 }, own, true); // false: our own mailbox
 * mayReply({ ip: "10.0.0.7", port: 40001 }, { ip: "192.0.2.9", port: 53 }, own, false); // false: another host
 * ```
 */
export function mayReply(
  source: MailboxAddress,
  dest: MailboxAddress,
  own: readonly MailboxAddress[],
  allowRemote: boolean,
): boolean {
  if (dest.port === 0) return false;
  const to = canonical(dest.ip);
  for (const o of own) {
    if (o.port === dest.port && (ANY_ADDRESS.has(o.ip) || canonical(o.ip) === to)) return false;
  }
  if (allowRemote) return true;
  const from = canonical(source.ip);
  return from === to || (isLoopback(from) && isLoopback(to));
}

/**
 * Parse a mailbox table file (`--mailboxes`, spec §2.1): lines
 * `name address`, the name a symbol (`[A-Za-z0-9._-]{1,64}`), the address
 * `host:port`, `[v6]:port` or `udp!host!port` with a port of 1–65535; `#`
 * starts a comment, blank lines are skipped. Host names are kept as
 * written, for the program to resolve once at load. The entries in file
 * order, or the first bad line (1-based) and why: a malformed line, a bad
 * name or address, or a name given twice.
 *
 * @example
 * ```ts
 * parseMailboxTable("# lab\nsensorA 127.0.0.1:7101\nplc udp!plc.lab!7200\n");
 * // [{ name: "sensorA", address: "127.0.0.1:7101" }, { name: "plc", address: "udp!plc.lab!7200" }]
 * parseMailboxTable("a 127.0.0.1:1\na [::1]:2\n"); // { line: 2, reason: "name \"a\" given twice" }
 * ```
 */
export function parseMailboxTable(
  text: string,
): { name: string; address: string }[] | { line: number; reason: string } {
  const entries: { name: string; address: string }[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf("#");
    const body = (hash === -1 ? lines[i]! : lines[i]!.slice(0, hash)).trim();
    if (body === "") continue;
    const fail = (reason: string) => ({ line: i + 1, reason });
    const fields = body.split(/[ \t]+/);
    if (fields.length !== 2) return fail(`want "name address", got ${fields.length} field(s)`);
    const [name, address] = fields as [string, string];
    if (!SYMBOL.test(name)) return fail(`bad name ${JSON.stringify(name)} ([A-Za-z0-9._-], at most 64)`);
    if (seen.has(name)) return fail(`name ${JSON.stringify(name)} given twice`);
    if (!address.includes("!") && !address.includes(":")) {
      return fail(`bad address ${JSON.stringify(address)} (host:port or udp!host!port)`);
    }
    const a = dialMailbox(address);
    if (typeof a === "string") return fail(a);
    seen.add(name);
    entries.push({ name, address });
  }
  return entries;
}

/**
 * A network of `--allow-from`, on the 128-bit scale of IPv6 where IPv4 is
 * IPv4-mapped: `value` with its top `prefix` bits significant.
 *
 * @example
 * ```ts
 * const loopback: Cidr = { value: 0xffff7f000000n, prefix: 104 }; // 127.0.0.0/8
 * ```
 */
export interface Cidr {
  readonly value: bigint;
  readonly prefix: number;
}

/**
 * Parse `--allow-from CIDR[,CIDR…]`: IPv4 or IPv6 networks `ip/len`, or a
 * bare IP for that one address; spaces around commas are allowed. Bits set
 * past the prefix (`10.0.0.1/8`) are refused as a likely typo. The
 * networks, or a one-line usage message.
 *
 * @example
 * ```ts
 * parseCidrList("127.0.0.0/8,::1"); // two networks
 * parseCidrList("10.0.0.1/8"); // "--allow-from: \"10.0.0.1/8\" has bits set past /8 (write the network's first address)"
 * ```
 */
export function parseCidrList(text: string): readonly Cidr[] | string {
  const list: Cidr[] = [];
  for (const raw of text.split(",")) {
    const item = raw.trim();
    const bad = `--allow-from: bad network ${JSON.stringify(item)} (such as 10.0.0.0/8, 192.0.2.7 or fd00::/8)`;
    const slash = item.indexOf("/");
    const ip = slash === -1 ? item : item.slice(0, slash);
    const value = ipValue(ip);
    if (value === null) return bad;
    const bits = ipKind(ip) === 4 ? 32 : 128;
    const lenText = slash === -1 ? String(bits) : item.slice(slash + 1);
    const len = /^(?:0|[1-9][0-9]{0,2})$/.test(lenText) ? Number(lenText) : NaN;
    if (!(len <= bits)) return bad;
    const prefix = 128 - bits + len;
    const host = (1n << BigInt(128 - prefix)) - 1n;
    if ((value & host) !== 0n) {
      return `--allow-from: ${JSON.stringify(item)} has bits set past /${len} (write the network's first address)`;
    }
    list.push({ value, prefix });
  }
  return list;
}

/**
 * Whether the IP literal `ip` lies in one of the networks of `list`; false
 * for anything that is not an IP literal. A zone (`fe80::1%eth0`) is
 * ignored, and an IPv4-mapped IPv6 source matches its IPv4 networks.
 *
 * @example
 * ```ts
 * const list = parseCidrList("10.0.0.0/8") as readonly Cidr[];
 * inCidr("10.1.2.3", list); // true
 * inCidr("::ffff:10.1.2.3", list); // true
 * inCidr("192.0.2.1", list); // false
 * ```
 */
export function inCidr(ip: string, list: readonly Cidr[]): boolean {
  const zone = ip.indexOf("%");
  const value = ipValue(zone === -1 ? ip : ip.slice(0, zone));
  if (value === null) return false;
  for (const c of list) {
    const shift = BigInt(128 - c.prefix);
    if (value >> shift === c.value >> shift) return true;
  }
  return false;
}

/**
 * Network addresses as operators type them: Inferno/Plan 9 dial strings
 * (`tcp!host!port`, `unix!/path`) and `host:port` / `[v6]:port`; plus IP
 * literal helpers.
 *
 * @module
 */

/** A parsed address; IPv6 hosts are stored without brackets. */
export type DialAddress =
  | { net: "tcp" | "udp"; host: string; port: number }
  | { net: "unix"; path: string };

/** Options for {@linkcode parseDial}. */
export interface DialOptions {
  /** Network for `host:port` forms (default `"tcp"`). */
  defaultNet?: "tcp" | "udp";
  /** Port used when the text has none; without it a port is required. */
  defaultPort?: number;
  /** Accept host `*` (all local addresses) in dial strings, for listeners. */
  allowWildcard?: boolean;
  /** Accept `unix!/path` (default true). */
  allowUnix?: boolean;
  /** Lowest acceptable port (default 0); 1 for addresses that must be dialled. */
  minPort?: number;
}

/**
 * A malformed or disallowed address. The message is short, meant for the
 * operator, and quotes the input.
 *
 * @example
 * ```ts
 * try {
 *   parseDial("tcp!x!70000");
 * } catch (e) {
 *   if (e instanceof DialError) console.error(e.message);
 *   // bad port "70000" in "tcp!x!70000" (0-65535)
 * }
 * ```
 */
export class DialError extends Error {
  override readonly name = "DialError";
}

// Quoting with JSON escapes control characters, so a hostile argument
// cannot smuggle terminal escapes into a log; long input is cut short.
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const DNS_LABEL = /^(?:[A-Za-z0-9_]|[A-Za-z0-9_][A-Za-z0-9_-]{0,61}[A-Za-z0-9_])$/;
const DIGITS = /^[0-9]+$/;

function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const p of parts) {
    if (!IPV4_OCTET.test(p) || Number(p) > 255) return null;
    octets.push(Number(p));
  }
  return octets;
}

/** The eight 16-bit groups of an IPv6 literal (no zone id), or null. */
function parseIPv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string | undefined, last: boolean): number[] | null => {
    if (!half) return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? "";
      if (HEX_GROUP.test(p)) {
        out.push(parseInt(p, 16));
      } else if (last && i === parts.length - 1) {
        // A dotted quad may only end the whole address.
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  // "::" stands for at least one zero group.
  const zeros = 8 - head.length - tail.length;
  return zeros >= 1 ? [...head, ...new Array<number>(zeros).fill(0), ...tail] : null;
}

/**
 * Whether `text` is an IPv4 literal (4), an IPv6 literal (6) or neither (0),
 * like Node's `net.isIP` but without zone ids. IPv4 octets may not have
 * leading zeros (`010` is ambiguous: octal to some resolvers).
 *
 * @example
 * ```ts
 * ipKind("10.0.0.1"); // 4
 * ipKind("::ffff:10.0.0.1"); // 6
 * ipKind("example.org"); // 0
 * ```
 */
export function ipKind(text: string): 4 | 6 | 0 {
  if (parseIPv4(text)) return 4;
  if (text.includes(":") && parseIPv6(text)) return 6;
  return 0;
}

/**
 * The canonical text of an IP literal, or null if `text` is not one: IPv4
 * as a dotted quad; IPv6 in RFC 5952 form (lower case, no leading zeros,
 * the first longest run of two or more zero groups shown as `::`); an
 * IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its IPv4 form, since it
 * names the same peer.
 *
 * @example
 * ```ts
 * canonicalIp("2001:DB8:0:0:0:0:0:01"); // "2001:db8::1"
 * canonicalIp("::ffff:192.0.2.1"); // "192.0.2.1"
 * canonicalIp("[::1]"); // null
 * ```
 */
export function canonicalIp(text: string): string | null {
  if (parseIPv4(text)) return text;
  const g = text.includes(":") ? parseIPv6(text) : null;
  if (!g) return null;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    const [hi = 0, lo = 0] = g.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  let runAt = -1;
  let runLen = 1; // a lone zero group is not compressed
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > runLen) [runAt, runLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (runAt === -1) return hex(g);
  return `${hex(g.slice(0, runAt))}::${hex(g.slice(runAt + runLen))}`;
}

/**
 * Whether the IP literal `ip` is a loopback address (127.0.0.0/8 or ::1,
 * including IPv4-mapped forms); false for anything that is not a literal.
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.53"); // true
 * isLoopback("0:0:0:0:0:0:0:1"); // true
 * isLoopback("localhost"); // false: a name, not a literal
 * ```
 */
export function isLoopback(ip: string): boolean {
  const c = canonicalIp(ip);
  return c === "::1" || (c?.startsWith("127.") ?? false);
}

/**
 * The 128-bit value of an IP literal, or null if `text` is not one. IPv4
 * is given as its IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), so both
 * families compare on one scale, as prefixes (CIDR) need.
 *
 * @example
 * ```ts
 * ipValue("::1"); // 1n
 * ipValue("10.0.0.1") === ipValue("::ffff:10.0.0.1"); // true
 * ipValue("localhost"); // null
 * ```
 */
export function ipValue(text: string): bigint | null {
  const v4 = parseIPv4(text);
  const groups = v4
    ? [0, 0, 0, 0, 0, 0xffff, ((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)]
    : text.includes(":")
    ? parseIPv6(text)
    : null;
  return groups ? groups.reduce((value, g) => (value << 16n) | BigInt(g), 0n) : null;
}

/** Whether `host` is a DNS name: dot-separated labels, optional final dot. */
function isDnsName(host: string): boolean {
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  // An all-digit last label would make "1.2.3.256" a name rather than a bad IP.
  return labels.every((l) => DNS_LABEL.test(l)) && !DIGITS.test(labels[labels.length - 1] ?? "");
}

/** Parser state for one call: the whole input, for messages, and the options. */
class DialParser {
  readonly text: string;
  readonly opts: DialOptions;

  constructor(text: string, opts: DialOptions) {
    this.text = text;
    this.opts = opts;
  }

  fail(what: string, hint = ""): never {
    throw new DialError(`${what} in ${quote(this.text)}${hint ? ` (${hint})` : ""}`);
  }

  host(host: string, dialForm: boolean): string {
    if (host === "") this.fail("missing host");
    if (host === "*") {
      if (!dialForm) this.fail(`bad host "*"`, "a wildcard is written tcp!*!port");
      if (!this.opts.allowWildcard) this.fail(`wildcard host "*" not allowed`);
      return host;
    }
    if (dialForm && host.startsWith("[") && host.endsWith("]")) {
      // Brackets are not Inferno syntax but harmless around an IPv6 literal.
      const inner = host.slice(1, -1);
      if (ipKind(inner) !== 6) this.fail(`bad IPv6 address ${quote(inner)}`);
      return inner;
    }
    if (ipKind(host) !== 0 || isDnsName(host)) return host;
    if (/^[0-9.]+$/.test(host)) this.fail(`bad IPv4 address ${quote(host)}`);
    if (host.includes(":")) this.fail(`bad IPv6 address ${quote(host)}`);
    return this.fail(`bad host ${quote(host)}`);
  }

  /** Parse `port`; undefined means the text has no port field at all. */
  port(port: string | undefined): number {
    const min = this.opts.minPort ?? 0;
    const range = `${min}-65535`;
    if (port === "") this.fail("missing port");
    if (port === undefined) {
      const dflt = this.opts.defaultPort;
      if (dflt === undefined) return this.fail("missing port");
      if (!Number.isInteger(dflt) || dflt < min || dflt > 65535) {
        this.fail(`bad default port ${dflt}`, range);
      }
      return dflt;
    }
    const n = DIGITS.test(port) ? Number(port) : NaN;
    if (!(n >= min && n <= 65535)) this.fail(`bad port ${quote(port)}`, range);
    return n;
  }

  /** `net!host!port` or `unix!path`; `bang` is the index of the first `!`. */
  dialString(bang: number): DialAddress {
    const net = this.text.slice(0, bang);
    const rest = this.text.slice(bang + 1);
    if (net === "unix") {
      if (this.opts.allowUnix === false) this.fail("unix sockets not allowed");
      if (rest === "") this.fail("missing socket path");
      if (rest.includes("\0")) this.fail("NUL in socket path");
      return { net, path: rest };
    }
    if (net !== "tcp" && net !== "udp" && net !== "net") {
      this.fail(`unknown network ${quote(net)}`, "tcp, udp, net or unix");
    }
    const parts = rest.split("!");
    if (parts.length > 2) this.fail("too many fields", "net!host!port");
    const host = this.host(parts[0] ?? "", true);
    return { net: net === "udp" ? "udp" : "tcp", host, port: this.port(parts[1]) };
  }

  /** `host:port`, `[v6]:port`, or without the port when there is a default. */
  hostPort(): DialAddress {
    const text = this.text;
    const net = this.opts.defaultNet ?? "tcp";
    if (text.startsWith("[")) {
      const close = text.indexOf("]");
      if (close === -1) this.fail(`missing "]"`);
      const host = text.slice(1, close);
      if (ipKind(host) !== 6) this.fail(`bad IPv6 address ${quote(host)}`);
      const after = text.slice(close + 1);
      if (after !== "" && !after.startsWith(":")) this.fail(`junk after "]"`);
      return { net, host, port: this.port(after === "" ? undefined : after.slice(1)) };
    }
    const colon = text.indexOf(":");
    if (colon === -1) return { net, host: this.host(text, false), port: this.port(undefined) };
    if (colon === text.lastIndexOf(":")) {
      return { net, host: this.host(text.slice(0, colon), false), port: this.port(text.slice(colon + 1)) };
    }
    // More colons: an unbracketed IPv6 literal, which cannot carry a port.
    const hint = "an IPv6 address with a port is written [addr]:port";
    if (ipKind(text) !== 6) this.fail(`bad address ${quote(text)}`, hint);
    if (this.opts.defaultPort === undefined) this.fail("missing port", hint);
    return { net, host: text, port: this.port(undefined) };
  }
}

/**
 * Parse an address typed by an operator. Accepted forms:
 * - dial strings `tcp!host!port`, `udp!host!port`, `net!host!port` (tcp),
 *   `unix!/path/to/socket`, and with `allowWildcard` `tcp!*!port`;
 * - `host:port` and `[ipv6]:port` on `defaultNet`;
 * - with `defaultPort`, also `tcp!host`, a bare `host`, `[ipv6]` or IPv6
 *   literal.
 *
 * Hosts are DNS names, IPv4 dotted quads or IPv6 literals, kept as typed
 * (IPv6 without brackets). Ports are decimal, `minPort`-65535.
 *
 * @throws {DialError} for anything else, and nothing but DialError.
 * @example
 * ```ts
 * parseDial("tcp!example.org!6667"); // { net: "tcp", host: "example.org", port: 6667 }
 * parseDial("[::1]:53", { defaultNet: "udp" }); // { net: "udp", host: "::1", port: 53 }
 * parseDial("unix!/run/kdosd.sock"); // { net: "unix", path: "/run/kdosd.sock" }
 * parseDial("irc.example.org", { defaultPort: 6667 }); // port 6667
 * parseDial("tcp!x!70000"); // throws DialError: bad port "70000" in "tcp!x!70000" (0-65535)
 * ```
 */
export function parseDial(text: string, opts: DialOptions = {}): DialAddress {
  const p = new DialParser(text, opts);
  const bang = p.text.indexOf("!");
  return bang === -1 ? p.hostPort() : p.dialString(bang);
}

/**
 * Format an address as a dial string, `net!host!port` or `unix!path`;
 * IPv6 hosts stay unbracketed, as in Inferno.
 *
 * @example
 * ```ts
 * formatDial({ net: "tcp", host: "::1", port: 80 }); // "tcp!::1!80"
 * formatDial({ net: "unix", path: "/tmp/s" }); // "unix!/tmp/s"
 * ```
 */
export function formatDial(a: DialAddress): string {
  return a.net === "unix" ? `unix!${a.path}` : `${a.net}!${a.host}!${a.port}`;
}

/**
 * Format an address as `host:port`, bracketing IPv6 hosts (`[::1]:80`);
 * a unix address gives its path.
 *
 * @example
 * ```ts
 * formatHostPort({ net: "tcp", host: "::1", port: 80 }); // "[::1]:80"
 * formatHostPort({ net: "udp", host: "10.0.0.1", port: 53 }); // "10.0.0.1:53"
 * ```
 */
export function formatHostPort(a: DialAddress): string {
  if (a.net === "unix") return a.path;
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

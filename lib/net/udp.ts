/**
 * UDP sockets over `node:dgram`, the same on either runtime: bind, learn the
 * bound address, receive datagrams with their sender, send to an IP literal,
 * close. A thin adapter with errno-coded failures and no protocol policy.
 *
 * Addresses are IP literals only, both ways: there is no DNS on this path,
 * and an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is reported as the
 * IPv4 address it is.
 *
 * @module
 */
import { createSocket, type Socket } from "node:dgram";
import { isIP } from "node:net";

/** An address family. */
export type UdpFamily = "IPv4" | "IPv6";

/** An endpoint: IP literal, port and family. */
export interface UdpAddress {
  address: string;
  port: number;
  family: UdpFamily;
}

/** A received datagram and where it came from. */
export interface Datagram extends UdpAddress {
  data: Uint8Array;
}

/** Options for {@linkcode bindUdp}. */
export interface UdpOptions {
  /** Called with every datagram received. */
  onMessage: (datagram: Datagram) => void;
  /** Called with socket errors after the bind; they are ignored otherwise. */
  onError?: (err: Error) => void;
  /** SO_REUSEADDR: let several sockets that all ask for it bind the same address. Default false. */
  reuseAddress?: boolean;
  /** For an IPv6 socket: IPV6_V6ONLY, refusing IPv4-mapped traffic. Default false (dual stack on `::`). */
  ipv6Only?: boolean;
}

/** An Error carrying an errno code, as the OS would have reported it. */
function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** `address` and `family` with IPv4-mapped IPv6 shown as IPv4. */
function plain(address: string, family: string): { address: string; family: UdpFamily } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: "IPv4" };
  return { address, family: family === "IPv6" || family === "6" ? "IPv6" : "IPv4" };
}

/**
 * A bound UDP socket.
 *
 * @example
 * ```ts
 * const socket = await bindUdp("127.0.0.1", 7010, {
 *   onMessage: (d) => socket.send(reply(d.data), d.address, d.port).catch(logLostReply),
 * });
 * ```
 */
export class UdpSocket {
  /** The bound address, with the port chosen when 0 was asked. */
  readonly local: UdpAddress;
  readonly #socket: Socket;
  // Whether IPv4 peers are reachable: an IPv4 socket, or an IPv6 one on
  // "::" that accepts IPv4-mapped traffic.
  readonly #reachesIPv4: boolean;
  #pending = 0;
  #closed: Promise<void> | undefined;

  /** Wraps a `node:dgram` socket bound with `ipv6Only`; use {@linkcode bindUdp}. */
  constructor(socket: Socket, ipv6Only: boolean) {
    this.#socket = socket;
    const bound = socket.address();
    this.local = { ...plain(bound.address, String(bound.family)), port: bound.port };
    this.#reachesIPv4 = this.local.family === "IPv4" || (bound.address === "::" && !ipv6Only);
  }

  /**
   * Datagrams handed to `send` whose outcome is not known yet: the
   * caller's measure of backpressure.
   *
   * @example
   * ```ts
   * if (socket.pending > 256) dropped++;
   * else socket.send(reply, peer.address, peer.port).catch(logLostReply);
   * ```
   */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Send `data` as one datagram to `address` (an IP literal) and `port`.
   * Resolves once the OS took it; rejects with the errno-coded error:
   * EMSGSIZE for a datagram too large, EINVAL for a host name, EBADF after
   * `close`, EAFNOSUPPORT for an IPv6 peer of an IPv4 socket, ENETUNREACH
   * for an IPv4 peer of an IPv6 socket not bound to a dual-stack `::`.
   * The last two are decided here, as the kernel would, because not every
   * runtime passes the kernel's code on (rarer failures may come as
   * `UNKNOWN`). Handle the rejection even when not awaiting the promise.
   *
   * @example
   * ```ts
   * await socket.send(new TextEncoder().encode("0x1 0 0\0"), "127.0.0.1", 7101);
   * ```
   */
  send(data: Uint8Array, address: string, port: number): Promise<void> {
    if (this.#closed) return Promise.reject(errnoError("EBADF", "send on a closed UDP socket"));
    const version = isIP(address);
    if (version === 0) return Promise.reject(errnoError("EINVAL", `${address} is not an IP address`));
    const peer = plain(address, version === 6 ? "IPv6" : "IPv4");
    if (peer.family === "IPv6" && this.local.family === "IPv4") {
      return Promise.reject(errnoError("EAFNOSUPPORT", `${address}: an IPv6 peer of an IPv4 socket`));
    }
    if (peer.family === "IPv4" && !this.#reachesIPv4) {
      return Promise.reject(errnoError("ENETUNREACH", `${address}: an IPv4 peer of an IPv6 socket not on "::"`));
    }
    this.#pending++;
    return new Promise((resolve, reject) => {
      this.#socket.send(data, port, peer.address, (err) => {
        this.#pending--;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /**
   * Close the socket; no more datagrams are delivered. Closing again
   * returns the same promise.
   *
   * @example
   * ```ts
   * await socket.close();
   * ```
   */
  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => this.#socket.close(() => resolve()));
    return this.#closed;
  }
}

/**
 * Bind a UDP socket to `host` (an IPv4 or IPv6 literal; `0.0.0.0` or `::`
 * for all addresses) and `port` (0: an ephemeral port). Rejects with the
 * errno-coded error: EADDRINUSE if the address is taken (unless every
 * socket on it asked for `reuseAddress`), EADDRNOTAVAIL, EACCES, or EINVAL
 * for a host that is not an IP literal.
 *
 * @example
 * ```ts
 * const socket = await bindUdp("::1", 0, { onMessage: (d) => console.log(d.address, d.port, d.data) });
 * socket.local.port; // the ephemeral port
 * ```
 */
export function bindUdp(host: string, port: number, opts: UdpOptions): Promise<UdpSocket> {
  const version = isIP(host);
  if (version === 0) return Promise.reject(errnoError("EINVAL", `${host} is not an IP address`));
  const socket = createSocket({
    type: version === 6 ? "udp6" : "udp4",
    reuseAddr: opts.reuseAddress ?? false,
    ipv6Only: opts.ipv6Only ?? false,
  });
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      socket.close();
      reject(err);
    };
    socket.once("error", fail);
    socket.on("message", (data, rinfo) => {
      opts.onMessage({ data, ...plain(rinfo.address, String(rinfo.family)), port: rinfo.port });
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off("error", fail);
      socket.on("error", (err) => opts.onError?.(err));
      resolve(new UdpSocket(socket, opts.ipv6Only ?? false));
    });
  });
}

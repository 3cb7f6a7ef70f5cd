/**
 * The driver for datagram cores (lib/core.ts) over UDP: it owns the bound
 * sockets, hands each datagram to the core with its sender and the name of
 * the socket it came in on, and sends what the core asks at the end of the
 * turn. It decides nothing.
 *
 * @module
 */
import type { DatagramCore, DatagramEffects, DatagramPeer } from "../core.ts";
import { describeError } from "../errno.ts";
import type { CoreRunner } from "./runner.ts";
import { bindUdp, type UdpOptions, type UdpSocket } from "./udp.ts";

/**
 * A bound socket's bound on datagrams the OS has not yet taken: past
 * `queueLimit` a new one is dropped and `onDropped` told (a daemon that
 * must never wait for a slow or missing peer, kdosd's `--reply-queue`).
 *
 * @example
 * ```ts
 * await datagrams.bind("mailbox", "127.0.0.1", 7010, { queueLimit: 256, onDropped: () => lost++ });
 * ```
 */
export interface BindLimits {
  queueLimit?: number;
  onDropped?: (to: DatagramPeer) => void;
}

interface Outgoing {
  listener: string;
  to: DatagramPeer;
  bytes: Uint8Array;
}

/**
 * Runs a {@link DatagramCore} over node:dgram sockets.
 *
 * @example
 * ```ts
 * const runner = new CoreRunner(log);
 * const udp = new DatagramDriver(runner);
 * const core = new MailboxCore(udp.effects);
 * runner.start(core);
 * await udp.bind("mailbox", "127.0.0.1", 7010);
 * ```
 */
export class DatagramDriver {
  /** What the core is given to act on the world (plus the runner's `log` and `done`). */
  readonly effects: DatagramEffects;
  readonly #runner: CoreRunner<DatagramCore>;
  readonly #sockets = new Map<string, UdpSocket>();
  readonly #limits = new Map<string, BindLimits>();
  #outgoing: Outgoing[] = [];

  constructor(runner: CoreRunner<DatagramCore>) {
    this.#runner = runner;
    runner.onTurnEnd(() => this.#flush());
    this.effects = {
      ...runner.effects,
      sendTo: (listener, to, bytes) => {
        this.#outgoing.push({ listener, to, bytes });
        runner.touch();
      },
    };
  }

  /**
   * Bind a socket the core knows as `name` to `host` (an IP literal) and
   * `port` (0: ephemeral). Rejects with the errno-coded error (EADDRINUSE…).
   * Resolves to the bound socket, whose `local` address tells the port.
   */
  async bind(
    name: string,
    host: string,
    port: number,
    opts: Pick<UdpOptions, "reuseAddress" | "ipv6Only"> & BindLimits = {},
  ): Promise<UdpSocket> {
    const socket = await bindUdp(host, port, {
      ...opts,
      onMessage: (d) => {
        this.#runner.core?.received(d.data, { address: d.address, port: d.port }, name, this.#runner.now());
        this.#runner.touch();
      },
    });
    this.#sockets.set(name, socket);
    if (opts.queueLimit !== undefined) {
      this.#limits.set(name, { queueLimit: opts.queueLimit, onDropped: opts.onDropped });
    }
    return socket;
  }

  /** Close every socket. */
  async close(): Promise<void> {
    const sockets = [...this.#sockets.values()];
    this.#sockets.clear();
    await Promise.all(sockets.map((s) => s.close()));
  }

  #flush(): void {
    const outgoing = this.#outgoing;
    this.#outgoing = [];
    for (const { listener, to, bytes } of outgoing) {
      const socket = this.#sockets.get(listener);
      if (!socket) continue;
      const limits = this.#limits.get(listener);
      if (limits?.queueLimit !== undefined && socket.pending >= limits.queueLimit) {
        limits.onDropped?.(to);
        continue;
      }
      socket.send(bytes, to.address, to.port).catch((err) => {
        this.effects.log("warn", `send to ${to.address}:${to.port}: ${describeError(err)}`);
      });
    }
  }
}

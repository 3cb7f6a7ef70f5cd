/**
 * The few Bun APIs bench/kdosd.ts and its echo use directly (spec §12 asks
 * for `Bun.udpSocket` and `Bun.nanoseconds`), typed here rather than
 * through bun-types: its globals clash with Deno's when `deno check` reads
 * the bench directory together with everything else.
 *
 * @module
 */
import type { Buffer } from "node:buffer";

/** A `Bun.udpSocket`; `send` takes no address on a connected one. Returns false under backpressure. */
export interface BunUdpSocket {
  readonly port: number;
  send(data: string | Uint8Array, port?: number, address?: string): boolean;
  close(): void;
}

/** Options of `Bun.udpSocket`. */
export interface BunUdpOptions {
  hostname: string;
  port: number;
  /** Connect to this peer: only its datagrams arrive, and `send` needs no address. */
  connect?: { hostname: string; port: number };
  socket?: {
    data?(socket: BunUdpSocket, data: Buffer, port: number, address: string): void;
    /** The kernel takes datagrams again after a `send` returned false. */
    drain?(socket: BunUdpSocket): void;
  };
}

/** What the benchmarks use of the `Bun` global. */
export interface BunApi {
  /** Nanoseconds since the process started. */
  nanoseconds(): number;
  udpSocket(options: BunUdpOptions): Promise<BunUdpSocket>;
}

/**
 * The `Bun` global; throws when run by another runtime.
 *
 * @example
 * ```ts
 * const t0 = bun().nanoseconds();
 * ```
 */
export function bun(): BunApi {
  const api = (globalThis as { Bun?: BunApi }).Bun;
  if (api === undefined) throw new Error("run the benchmark with bun");
  return api;
}

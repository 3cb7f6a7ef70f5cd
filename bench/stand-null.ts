/**
 * The null server of bench/stand.ts: the socket layer and framing standd
 * runs on (lib/net/stream-driver.ts, lib/net/runner.ts, the stand frame
 * reader and codec of lib/stand/framing.ts) with no scheduling and no
 * persistence behind them. It speaks just enough of the protocol for the
 * bench's simulated burners and COMMAND client: IDENT on accept, CAPAB
 * after ID, QOK for every QUEUE, an empty QLIST for QREPORT, and BURN of
 * one fixed hash for every AVAIL while a QUEUE is left unserved (an AVAIL
 * with none left waits for the next QUEUE). Everything else is read and
 * ignored.
 *
 * Usage: `bun bench/stand-null.ts HASH`. It listens on an ephemeral port
 * of 127.0.0.1 and says so on stderr as standd does
 * (`stand-null: serving on 127.0.0.1:PORT`); it exits on SIGTERM or SIGINT,
 * or when its stdin (a pipe from the bench) ends.
 *
 * @module
 */
import type { ConnId, StreamCore, StreamEffects } from "../lib/core.ts";
import { encode } from "../lib/stand/codec.ts";
import { FrameReader } from "../lib/stand/framing.ts";
import { serveBaseline } from "./baseline-server.ts";

/**
 * A stand "server" that answers without a queue (see the module doc).
 *
 * @example
 * ```ts
 * runner.start(new NullCore(streams.effects, "d3d8bdfb7ef65711e707103deb1de8b2"));
 * ```
 */
export class NullCore implements StreamCore {
  readonly #readers = new Map<ConnId, FrameReader>();
  /** Burners that said AVAIL while no QUEUE was unserved, oldest first. */
  readonly #idle: ConnId[] = [];
  #unserved = 0;
  readonly #ident = encode({ type: "IDENT", ver: "V1" });
  readonly #capab = encode({ type: "CAPAB" });
  readonly #qok = encode({ type: "QOK" });
  readonly #qlist = encode({ type: "QLIST", items: [] });
  readonly #burn: Uint8Array;

  constructor(private readonly fx: StreamEffects, hash: string) {
    this.#burn = encode({ type: "BURN", hash });
  }

  opened(conn: ConnId): void {
    this.#readers.set(conn, new FrameReader());
    this.fx.send(conn, this.#ident);
  }

  received(conn: ConnId, bytes: Uint8Array): void {
    const reader = this.#readers.get(conn);
    if (reader === undefined) return;
    for (const event of reader.push(bytes)) {
      if (event.kind !== "message") continue;
      switch (event.message.type) {
        case "ID":
          this.fx.send(conn, this.#capab);
          break;
        case "QUEUE":
          this.fx.send(conn, this.#qok);
          if (this.#idle.length > 0) this.fx.send(this.#idle.shift()!, this.#burn);
          else this.#unserved++;
          break;
        case "QREPORT":
          this.fx.send(conn, this.#qlist);
          break;
        case "STATUS_MEDIA":
          if (event.message.state !== "AVAIL") break;
          if (this.#unserved > 0) {
            this.#unserved--;
            this.fx.send(conn, this.#burn);
          } else this.#idle.push(conn);
          break;
      }
    }
  }

  writable(): void {}

  closed(conn: ConnId): void {
    this.#readers.delete(conn);
    const at = this.#idle.indexOf(conn);
    if (at >= 0) this.#idle.splice(at, 1);
  }

  tick(): void {}

  nextDeadline(): undefined {
    return undefined;
  }
}

async function main(): Promise<void> {
  const hash = process.argv[2];
  if (hash === undefined || !/^[0-9a-f]{32}$/.test(hash)) throw new Error("usage: bun bench/stand-null.ts HASH");
  await serveBaseline("stand-null", (fx) => new NullCore(fx, hash), (port) => `serving on 127.0.0.1:${port}`);
}

if (import.meta.main) await main();

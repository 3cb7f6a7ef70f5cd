/**
 * The child side of a benchmark's baseline server: a lean core on the
 * suite's own socket layer, on a free loopback port, until SIGTERM or until
 * the parent closes our stdin (so a parent that dies takes it along).
 *
 * @module
 */
import type { StreamCore, StreamEffects } from "../lib/core.ts";
import { createLog } from "../lib/log.ts";
import { CoreRunner } from "../lib/net/runner.ts";
import { StreamDriver } from "../lib/net/stream-driver.ts";
import { listenStream } from "../lib/net/stream-sockets.ts";
import { onSignals } from "../lib/runtime/signals.ts";

/**
 * Serve `makeCore`'s core on 127.0.0.1 and log `announce(port)` once it
 * listens (the parent reads the port from that line); resolves when stopped.
 *
 * @example
 * ```ts
 * await serveBaseline("stand-null", (fx) => new NullCore(fx, hash), (port) => `serving on 127.0.0.1:${port}`);
 * ```
 */
export async function serveBaseline(
  name: string,
  makeCore: (fx: StreamEffects) => StreamCore,
  announce: (port: number) => string,
): Promise<void> {
  const log = createLog(name, "verbose");
  const runner = new CoreRunner<StreamCore>(log);
  const streams = new StreamDriver(runner);
  runner.start(makeCore(streams.effects));
  const listener = await listenStream({ host: "127.0.0.1", port: 0 });
  streams.serve(name, listener);
  const address = listener.address();
  log.info(announce(typeof address === "object" && address !== null ? address.port : 0));
  const stop = () => {
    void streams.stopListening();
    streams.destroyAll();
    runner.stop();
  };
  const off = onSignals({ shutdown: stop });
  process.stdin.on("end", stop).on("error", stop).resume();
  await runner.finished;
  off();
  process.stdin.pause();
}

/**
 * Signal handling every program shares, in one place: SIGTERM and SIGINT
 * mean a clean shutdown, SIGHUP is a hook (reopen logs, or clean up and
 * die), SIGUSR1 a report, and SIGPIPE never kills us (a failed write is
 * handled where it happens).
 *
 * @module
 */

/** What to do on each signal; omitted hooks keep the default action. */
export interface SignalHooks {
  /** SIGTERM or SIGINT: stop cleanly. */
  shutdown?: (signal: "SIGTERM" | "SIGINT") => void;
  /** SIGHUP. */
  hangup?: () => void;
  /** SIGUSR1 (a daemon's status report). */
  user1?: () => void;
}

/**
 * Install the hooks. Returns a function that removes them again.
 *
 * @example
 * ```ts
 * const off = onSignals({ shutdown: () => server.close(), hangup: () => log.reopen() });
 * ```
 */
export function onSignals(hooks: SignalHooks): () => void {
  const installed: Array<[NodeJS.Signals, () => void]> = [];
  const add = (sig: NodeJS.Signals, fn: () => void) => {
    process.on(sig, fn);
    installed.push([sig, fn]);
  };
  if (hooks.shutdown) {
    const shutdown = hooks.shutdown;
    add("SIGTERM", () => shutdown("SIGTERM"));
    add("SIGINT", () => shutdown("SIGINT"));
  }
  if (hooks.hangup) add("SIGHUP", hooks.hangup);
  if (hooks.user1) add("SIGUSR1", hooks.user1);
  // A listener replaces the default (terminate) action of SIGPIPE.
  add("SIGPIPE", () => {});
  return () => {
    for (const [sig, fn] of installed) process.off(sig, fn);
  };
}

/**
 * Die of `signal`, as if it had never been caught: drop our listeners so the
 * default action applies, then send it to ourselves. Parents see the signal
 * in the wait status (the shell's 128+N).
 *
 * @example
 * ```ts
 * onSignals({ hangup: () => { cleanUp(); dieOf("SIGHUP"); } });
 * ```
 */
export function dieOf(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

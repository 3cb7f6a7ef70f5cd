/**
 * The IO half of the core contract (lib/core.ts) that every transport
 * shares: a core's clock, its turns and its end. Drivers (stream, datagram)
 * hand events to the core and then `touch` the runner; at the end of the
 * turn — the microtask checkpoint after the callback that delivered the
 * events — the runner ticks the core if its deadline has come, lets each
 * driver flush what the core sent, and arms one timer for the core's next
 * deadline. Nothing is polled.
 *
 * A runner made with `turn: "pass"` ends a turn once per event-loop pass
 * instead (setImmediate), after every callback of the pass: a core that
 * holds its replies until its writes are committed (pzog's node, standd's
 * server) then commits, and fsyncs, once for all the reads of a pass, not
 * once per read. It is not the default because a pass costs request/reply
 * round trips: it cost ptbw's manager 30 % of its round trips under Bun,
 * where setImmediate costs a pass of its own.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { CoreEffects, LogLevel, Timed } from "../core.ts";
import type { Log } from "../log.ts";

/** Options for a {@link CoreRunner}. */
export interface CoreRunnerOptions {
  /** The clock every event's `now` comes from (default `Date.now`). */
  now?: () => number;
  /**
   * When a turn ends: `"callback"` (default) at the microtask checkpoint
   * after each callback that delivered events; `"pass"` once per
   * event-loop pass, after all of its callbacks.
   */
  turn?: "callback" | "pass";
}

/**
 * Runs one core.
 *
 * @example
 * ```ts
 * const runner = new CoreRunner(createLog("ptbw"));
 * // or, for a core that commits before it replies: new CoreRunner(log, { turn: "pass" })
 * const streams = new StreamDriver(runner);
 * const core = new Broker(config, { ...streams.effects, ...host });
 * runner.start(core);
 * streams.serve("manager", await listenStream({ path }));
 * await runner.finished;
 * ```
 */
export class CoreRunner<C extends Timed = Timed> {
  /** The effects every core has: `log` to the program's diagnostics, `done` to end the run. */
  readonly effects: CoreEffects;
  /** Resolves when the core says `done`, or the program calls {@link stop}. */
  readonly finished: Promise<void>;
  readonly #now: () => number;
  readonly #perPass: boolean;
  readonly #flushers: Array<() => void> = [];
  #core: C | undefined;
  #end!: () => void;
  #turnQueued = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #stopped = false;

  constructor(log: Log, opts: CoreRunnerOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#perPass = opts.turn === "pass";
    this.finished = new Promise((resolve) => (this.#end = resolve));
    const write: Record<LogLevel, (text: string) => void> = {
      error: (t) => log.error(t),
      warn: (t) => log.warn(t),
      info: (t) => log.info(t),
      debug: (t) => log.debug(t),
    };
    this.effects = {
      log: (level, text) => write[level](text),
      done: () => this.stop(),
    };
  }

  /** The core, once started; drivers deliver events to it. */
  get core(): C | undefined {
    return this.#core;
  }

  /** The clock every event's `now` comes from. */
  now(): number {
    return this.#now();
  }

  /** Begin: from now on drivers deliver events to `core`, and it is ticked at its deadlines. */
  start(core: C): void {
    this.#core = core;
    this.touch();
  }

  /** Something happened: end this turn with a tick (if due), the drivers' flushes and a new timer. */
  touch(): void {
    if (this.#turnQueued || this.#stopped) return;
    this.#turnQueued = true;
    if (this.#perPass) setImmediate(this.#turn);
    else queueMicrotask(this.#turn);
  }

  /** Run `flush` at the end of every turn, after the core's tick (a driver sends what the core queued). */
  onTurnEnd(flush: () => void): void {
    this.#flushers.push(flush);
  }

  /** End the run: no more ticks; {@link finished} resolves after a last flush. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // What the core sent in its last turn still goes out.
    queueMicrotask(() => {
      for (const flush of this.#flushers) flush();
      this.#end();
    });
  }

  readonly #turn = (): void => {
    this.#turnQueued = false;
    const core = this.#core;
    if (!core || this.#stopped) return;
    const due = core.nextDeadline();
    if (due !== undefined && due <= this.#now()) core.tick(this.#now());
    for (const flush of this.#flushers) flush();
    if (!this.#stopped) this.#arm(core.nextDeadline());
  };

  #arm(at: number | undefined): void {
    if (at === undefined || at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#turn();
    }, Math.max(0, at - this.#now()));
  }
}

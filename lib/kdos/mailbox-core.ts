/**
 * The UDP command mailbox (spec §2.1) as a datagram core: one datagram is
 * one command; it is parsed, its response mailbox resolved and checked
 * against the anti-reflection rule, run by the executor, and answered from
 * the same socket. Nothing here waits: a command runs to completion inside
 * `received`, and its reply is queued for the driver.
 *
 * @module
 */
import type { DatagramCore, DatagramEffects, DatagramPeer } from "../core.ts";
import type { Executor } from "./exec.ts";
import { ERRNO } from "./errno.ts";
import { parseCommand } from "./grammar.ts";
import { formatMailbox, type MailboxAddress, mayReply, parseMailbox } from "./mailbox.ts";
import { formatReply } from "./reply.ts";
import type { KdosLog } from "./log.ts";
import { describeCommand } from "./log.ts";

/**
 * How the mailbox core is set up.
 *
 * @example
 * ```ts
 * const opts: MailboxCoreOptions = { executor, own: [self], allowRemote: false, maxCommand: 65507, udpEol: "mirror", log };
 * ```
 */
export interface MailboxCoreOptions {
  readonly executor: Executor;
  /** kdosd's own endpoints: never a response mailbox. */
  readonly own: readonly MailboxAddress[];
  /** `--allow-remote-replies`: waive "same host as the sender". */
  readonly allowRemote: boolean;
  /** `--allow-from`: whether a source may send commands at all (undefined: anyone who reaches the socket). */
  readonly allowed?: (ip: string) => boolean;
  /** `--max-command`. */
  readonly maxCommand: number;
  /** `--udp-eol`. */
  readonly udpEol: "mirror" | "none" | "nul" | "lf";
  readonly log: KdosLog;
  /** Microseconds from some fixed point, for the debug line's timing. */
  readonly micros?: () => number;
}

const EOL = { none: "", nul: "\0", lf: "\n" } as const;

/** A response mailbox as resolved for one sender: the owner of its handles, and where replies go (undefined: refused). */
interface Route {
  readonly mailbox: string;
  readonly address: string;
  readonly port: number;
  readonly dest: MailboxAddress | undefined;
  readonly owner: string;
  readonly to: DatagramPeer | undefined;
}
const encoder = new TextEncoder();

/**
 * The command mailbox.
 *
 * @example
 * ```ts
 * const core = new MailboxCore(datagrams.effects, { executor, own, allowRemote: false, maxCommand: 65507, udpEol: "mirror", log });
 * ```
 */
export class MailboxCore implements DatagramCore {
  readonly #fx: DatagramEffects;
  readonly #opts: MailboxCoreOptions;
  #table: ReadonlyMap<string, MailboxAddress> = new Map();
  #last: Route | undefined;
  #stopped = false;

  constructor(fx: DatagramEffects, opts: MailboxCoreOptions) {
    this.#fx = fx;
    this.#opts = opts;
  }

  /**
   * The mailbox table (`--mailboxes`), replaced whole at start-up and on SIGHUP.
   *
   * @example
   * ```ts
   * core.setTable(new Map([["sensorA", { ip: "127.0.0.1", port: 7101 }]]));
   * ```
   */
  setTable(table: ReadonlyMap<string, MailboxAddress>): void {
    this.#table = table;
    this.#last = undefined;
  }

  /** One datagram: one command, answered at its response mailbox if it may be. */
  received(bytes: Uint8Array, from: DatagramPeer, listener: string, now: number): void {
    const o = this.#opts;
    if (bytes.length === 0 || this.#stopped) return;
    if (o.allowed && !o.allowed(from.address)) return;
    const started = o.micros?.();
    const source: MailboxAddress = { ip: from.address, port: from.port };
    const parsed = parseCommand(bytes, { maxCommand: o.maxCommand });
    if (parsed.kind === "dropped") {
      o.log.vperror("kdos_command", `Dropped a command from ${formatMailbox(source)}: ${parsed.reason}.`);
      return;
    }
    const route = this.#route(parsed.mailbox, from);
    if (route.dest === undefined) {
      o.log.vperror("kdos_command", `Unresolvable response mailbox ${JSON.stringify(parsed.mailbox)}; dropped.`);
      return;
    }
    if (route.to === undefined) {
      o.log.vperror(
        "kdos_command",
        `Refused to answer ${route.owner} for ${formatMailbox(source)} (anti-reflection rule); dropped.`,
      );
      return;
    }
    const reply = parsed.kind === "refused"
      ? { errno: ERRNO[parsed.errno], value: -1, text: parsed.errno }
      : o.executor.run(route.owner, parsed.request, now);
    const eol = o.udpEol === "mirror" ? (parsed.terminator.length <= 3 ? parsed.terminator : "") : EOL[o.udpEol];
    const line = formatReply(parsed.tag, reply.errno, reply.value, reply.text);
    this.#fx.sendTo(listener, route.to, encoder.encode(line + eol));
    if (o.log.debugging) {
      const took = started === undefined ? "" : ` ${Math.round(o.micros!() - started)}us`;
      const what = parsed.kind === "request" ? describeCommand(parsed.request) : parsed.errno;
      o.log.debug(`${formatMailbox(source)} ${parsed.tag} ${what} -> ${reply.errno} ${reply.value}${took}`);
    }
  }

  /**
   * Where a command from `from` naming `mailbox` is answered: resolved and
   * judged once and kept, since a client names the same mailbox in command
   * after command (the table's replacement forgets it).
   */
  #route(mailbox: string, from: DatagramPeer): Route {
    const last = this.#last;
    if (last !== undefined && last.mailbox === mailbox && last.address === from.address && last.port === from.port) {
      return last;
    }
    const o = this.#opts;
    const dest = parseMailbox(mailbox, this.#table);
    const ok = dest !== undefined && mayReply({ ip: from.address, port: from.port }, dest, o.own, o.allowRemote);
    const route: Route = {
      mailbox,
      address: from.address,
      port: from.port,
      dest,
      owner: dest === undefined ? "" : formatMailbox(dest),
      to: ok ? { address: dest.ip, port: dest.port } : undefined,
    };
    this.#last = route;
    return route;
  }

  /**
   * Stop (SIGTERM): no more commands; the replies already queued go out.
   *
   * @example
   * ```ts
   * mailbox.stop();
   * ```
   */
  stop(): void {
    this.#stopped = true;
    this.#fx.done();
  }

  /** Idle handles close (`--idle-close`). */
  tick(now: number): void {
    this.#opts.executor.idle(now);
  }

  /** When the next handle falls idle. */
  nextDeadline(): number | undefined {
    return this.#opts.executor.nextIdle();
  }
}

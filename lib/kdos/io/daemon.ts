/**
 * kdosd as a program: opens the file store and the window, loads the
 * mailbox table, binds the command mailbox and the gateways, and runs the
 * two cores — one per transport, sharing one executor, so commands still
 * run one at a time — until SIGTERM or SIGINT.
 *
 * @module
 */
import { chmodSync, readFileSync } from "node:fs";
import type { Server } from "node:net";
import { lookup } from "node:dns/promises";
import { canonicalIp, isLoopback, parseDial } from "../../dial.ts";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { createLog } from "../../log.ts";
import { CoreRunner } from "../../net/runner.ts";
import { DatagramDriver } from "../../net/datagram-driver.ts";
import { StreamDriver } from "../../net/stream-driver.ts";
import { listenStream } from "../../net/stream-sockets.ts";
import { onSignals } from "../../runtime/signals.ts";
import { printErr, printOut } from "../../runtime/stdio.ts";
import { unlinkQuietly } from "../../runtime/files.ts";
import type { KdosdConfig } from "../config.ts";
import { Executor } from "../exec.ts";
import { GatewayCore } from "../gateway-core.ts";
import { KdosLog } from "../log.ts";
import { MailboxCore } from "../mailbox-core.ts";
import {
  formatMailbox,
  inCidr,
  type MailboxAddress,
  parseCidrList,
  parseMailbox,
  parseMailboxTable,
} from "../mailbox.ts";
import { DiskStore } from "./store.ts";
import { openWindow } from "./window.ts";

/**
 * Run kdosd with `cfg` until a stop signal; resolves to the exit status.
 * Start-up failures throw Fatal with the spec's status (§9).
 *
 * @example
 * ```ts
 * const status = await runKdosd(kdosdConfig(args, process.env.VPERROR_PRINT));
 * ```
 */
export async function runKdosd(cfg: KdosdConfig): Promise<number> {
  const log = new KdosLog({
    debug: cfg.debug,
    vperror: cfg.vperror,
    rate: cfg.logRate,
    now: Date.now,
    out: printOut,
    err: printErr,
  });
  const allowFrom = cfg.allowFrom === undefined ? undefined : cidrs(cfg.allowFrom);
  const allowed = allowFrom && ((ip: string) => inCidr(ip, allowFrom));
  const store = DiskStore.open(cfg.root, { subdirs: cfg.subdirs, createMode: cfg.createMode });
  const window = cfg.window && openWindow(cfg.window, cfg.windowMode);
  const table = cfg.mailboxes === undefined ? new Map<string, MailboxAddress>() : await loadTable(cfg.mailboxes);
  const executor = new Executor({
    store,
    window,
    config: {
      subdirs: cfg.subdirs,
      noclobber: cfg.noclobber,
      flags: cfg.flags,
      maxFds: cfg.maxFds,
      maxFdsPerOwner: cfg.maxFdsPerOwner,
      sharedHandles: cfg.sharedHandles,
      maxTransfer: cfg.maxTransfer,
      maxInline: cfg.maxInline,
      syncClose: cfg.syncClose,
      idleCloseMs: cfg.idleCloseMs,
    },
  });
  const micros = () => performance.now() * 1000;
  const diagnostics = createLog("kdosd");

  const mailboxRunner = new CoreRunner<MailboxCore>(diagnostics);
  const datagrams = new DatagramDriver(mailboxRunner);
  const gatewayRunner = new CoreRunner<GatewayCore>(diagnostics);
  const streams = new StreamDriver(gatewayRunner);
  const unixPaths: string[] = [];
  let lostReplies = 0;

  let mailbox: MailboxCore | undefined;
  if (cfg.mailbox !== undefined) {
    const at = mailboxAddress(cfg.mailbox);
    if (!isLoopback(at.host) && allowFrom === undefined) {
      throw new Fatal(`--mailbox ${cfg.mailbox}: a non-loopback mailbox needs --allow-from`, EX.CONFIG);
    }
    const socket = await bindOrFail(
      cfg.mailbox,
      () =>
        datagrams.bind("mailbox", at.host === "*" ? "0.0.0.0" : at.host, at.port, {
          queueLimit: cfg.replyQueue,
          onDropped: (to) => {
            lostReplies++;
            log.vperror("kdos_reply", `Lost a reply to udp!${to.address}!${to.port}: ${cfg.replyQueue} replies wait.`);
          },
        }),
    );
    const own = { ip: at.host === "*" ? "0.0.0.0" : canonicalIp(at.host) ?? at.host, port: socket.local.port };
    mailbox = new MailboxCore(datagrams.effects, {
      executor,
      own: [own],
      allowRemote: cfg.allowRemoteReplies,
      allowed,
      maxCommand: cfg.maxCommand,
      udpEol: cfg.udpEol,
      log,
      micros,
    });
    mailbox.setTable(table);
    mailboxRunner.start(mailbox);
    if (cfg.debug) printOut(`kdosd: command mailbox ${formatMailbox(own)}\n`);
  } else mailboxRunner.stop();

  const gateway = new GatewayCore(streams.effects, {
    executor,
    maxCommand: cfg.maxCommand,
    maxConns: cfg.maxConns,
    stallTimeoutMs: cfg.stallTimeoutMs,
    allowed,
    log,
    micros,
  });
  gatewayRunner.start(gateway);
  for (const [i, dial] of cfg.gateways.entries()) {
    const server = await bindGateway(dial, cfg.gatewayMode, allowFrom !== undefined, unixPaths);
    streams.serve(`gateway${i}`, server);
    if (cfg.debug) printOut(`kdosd: gateway ${dial}\n`);
  }
  if (cfg.gateways.length === 0) gateway.stop();

  const off = onSignals({
    shutdown: () => {
      void streams.stopListening();
      mailbox?.stop();
      gateway.stop();
      mailboxRunner.touch();
      gatewayRunner.touch();
    },
    hangup: () => {
      if (cfg.mailboxes === undefined || mailbox === undefined) return;
      loadTable(cfg.mailboxes).then(
        (t) => mailbox!.setTable(t),
        (err) => log.vperror("kdos_reload", `Kept the old mailbox table: ${err instanceof Error ? err.message : err}`),
      );
    },
    user1: () => printOut(`kdosd: ${JSON.stringify({ ...executor.stats(), lostReplies })}\n`),
  });
  try {
    await Promise.all([mailboxRunner.finished, gatewayRunner.finished]);
  } finally {
    off();
    executor.closeAll();
    streams.destroyAll();
    await datagrams.close();
    for (const path of unixPaths) unlinkQuietly(path);
  }
  return EX.OK;
}

function cidrs(text: string) {
  const list = parseCidrList(text);
  if (typeof list === "string") throw new Fatal(`--allow-from: ${list}`, EX.USAGE);
  return list;
}

function mailboxAddress(text: string): { host: string; port: number } {
  try {
    const a = parseDial(text, { defaultNet: "udp", allowWildcard: true, allowUnix: false });
    if (a.net !== "udp") throw new Fatal(`--mailbox ${text}: a mailbox is udp!HOST!PORT`, EX.USAGE);
    return { host: a.host, port: a.port };
  } catch (err) {
    if (err instanceof Fatal) throw err;
    throw new Fatal(`--mailbox: ${describeError(err)}`, EX.USAGE);
  }
}

async function bindOrFail<T>(what: string, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (err) {
    const inUse = errorCode(err) === "EADDRINUSE";
    const hint = inUse ? " (another kdosd, or another program, has it)" : "";
    throw new Fatal(`cannot bind ${what}: ${describeError(err)}${hint}`, inUse ? EX.UNAVAILABLE : EX.OSERR);
  }
}

async function bindGateway(dial: string, mode: number, filtered: boolean, unixPaths: string[]): Promise<Server> {
  let a;
  try {
    a = parseDial(dial, { allowWildcard: true });
  } catch (err) {
    throw new Fatal(`--gateway: ${describeError(err)}`, EX.USAGE);
  }
  if (a.net === "udp") throw new Fatal(`--gateway ${dial}: a gateway is tcp!HOST!PORT or unix!/PATH`, EX.USAGE);
  if (a.net === "unix") {
    if (!a.path.startsWith("/")) throw new Fatal(`--gateway ${dial}: the path must be absolute`, EX.USAGE);
    const server = await bindOrFail(dial, () => listenStream({ path: a.path }, { reclaimStale: true }));
    chmodSync(a.path, mode);
    unixPaths.push(a.path);
    return server;
  }
  if (!isLoopback(a.host === "*" ? "0.0.0.0" : a.host) && !filtered) {
    throw new Fatal(`--gateway ${dial}: a non-loopback gateway needs --allow-from`, EX.CONFIG);
  }
  return await bindOrFail(dial, () => listenStream({ host: a.host, port: a.port }));
}

/** The mailbox table, its host names resolved once (IPv4 first); Fatal 78 on any bad line. */
async function loadTable(path: string): Promise<Map<string, MailboxAddress>> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Fatal(`cannot read ${path}: ${describeError(err)}`, EX.CONFIG);
  }
  const entries = parseMailboxTable(text);
  if (!Array.isArray(entries)) throw new Fatal(`${path}:${entries.line}: ${entries.reason}`, EX.CONFIG);
  const table = new Map<string, MailboxAddress>();
  for (const { name, address } of entries) {
    const direct = parseMailbox(address, new Map());
    if (direct !== undefined) {
      table.set(name, direct);
      continue;
    }
    const m = /^(?:udp!([^!]+)!(\d+)|([^:[\]]+):(\d+))$/.exec(address);
    const host = m?.[1] ?? m?.[3];
    const port = Number(m?.[2] ?? m?.[4]);
    if (host === undefined) throw new Fatal(`${path}: ${name}: bad address "${address}"`, EX.CONFIG);
    try {
      const found = await lookup(host, { family: 0, order: "ipv4first" });
      table.set(name, parseMailbox(`udp!${found.address}!${port}`, new Map())!);
    } catch (err) {
      throw new Fatal(`${path}: ${name}: cannot resolve ${host}: ${describeError(err)}`, EX.CONFIG);
    }
  }
  return table;
}

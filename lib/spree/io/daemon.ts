/**
 * spreed as a program: reads the users and catalogue files, binds every
 * listener, and runs the 9P server loop (lib/ninep/server.ts) over the spree
 * namespace (lib/spree/namespace.ts) until SIGTERM or SIGINT.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { Server } from "node:net";
import { formatDial } from "../../dial.ts";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import type { Log } from "../../log.ts";
import { CoreRunner } from "../../net/runner.ts";
import { StreamDriver } from "../../net/stream-driver.ts";
import { listenStream } from "../../net/stream-sockets.ts";
import { NinepServer } from "../../ninep/server.ts";
import { onSignals } from "../../runtime/signals.ts";
import { catalogueFor, parseCatalogue } from "../catalogue.ts";
import type { Listen, SpreedConfig } from "../config.ts";
import type { CatalogueEntry } from "../engine.ts";
import { installEngines } from "../engines/registry.ts";
import { SpreeService } from "../namespace.ts";
import { parseUsers } from "../users.ts";

/**
 * Run spreed with `cfg` until a stop signal; resolves to the exit status.
 * Start-up failures throw Fatal: 66 unreadable file, 65 bad contents, 71 a
 * listener cannot bind.
 *
 * @example
 * ```ts
 * const status = await runSpreed(spreedConfig(args), createLog("spreed"));
 * ```
 */
export async function runSpreed(cfg: SpreedConfig, log: Log): Promise<number> {
  let users = cfg.usersFile === undefined ? undefined : readUsers(cfg.usersFile);
  const catalogue = readCatalogue(cfg);
  const runner = new CoreRunner<NinepServer<unknown, unknown>>(log);
  const streams = new StreamDriver(runner);
  const service = new SpreeService({
    modules: installEngines(cfg.engines, catalogue),
    newFile: cfg.newFile,
    maxCliques: cfg.maxCliques,
    queueLimit: cfg.queueLimit,
    maxMembers: cfg.maxMembers,
    users,
    log: runner.effects.log,
  });
  const server = new NinepServer(streams.effects, service, {
    msize: cfg.msize,
    maxConns: cfg.maxConns,
    maxFids: cfg.maxFids,
    trace: cfg.debug,
  });
  const listeners = await bindAll(cfg.listen, log);
  runner.start(server);
  listeners.forEach((listener, i) => streams.serve(`9p${i}`, listener));

  const off = onSignals({
    shutdown: () => {
      void streams.stopListening();
      server.stop();
      runner.touch();
    },
    hangup: () => {
      if (cfg.usersFile === undefined) return;
      try {
        users = readUsers(cfg.usersFile);
        service.setUsers(users);
        log.info(`reread ${cfg.usersFile}: ${users.size} users`);
      } catch (err) {
        log.error(`${err instanceof Error ? err.message : String(err)}; keeping the previous users`);
      }
    },
  });
  try {
    await runner.finished;
  } finally {
    off();
    streams.destroyAll();
  }
  return EX.OK;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new Fatal(`cannot read ${path}: ${describeError(err)}`, EX.NOINPUT);
  }
}

function readUsers(path: string): Set<string> {
  const users = parseUsers(readText(path));
  if (users instanceof Set) return users;
  throw new Fatal(`${path}:${users.line}: ${users.reason}`, EX.DATAERR);
}

function readCatalogue(cfg: SpreedConfig): readonly CatalogueEntry[] {
  if (cfg.catalogue.kind !== "file") return catalogueFor(cfg.catalogue.kind, cfg.engines);
  const parsed = parseCatalogue(readText(cfg.catalogue.path));
  if (Array.isArray(parsed)) return parsed;
  throw new Fatal(`${cfg.catalogue.path}:${parsed.line}: ${parsed.reason}`, EX.DATAERR);
}

/** Every listener bound, or none: 71 with the dial string and the reason. */
async function bindAll(listen: readonly Listen[], log: Log): Promise<Server[]> {
  const bound: Server[] = [];
  try {
    for (const l of listen) {
      const server = await bindOne(l);
      bound.push(server);
      log.info(`listening on ${boundDial(l, server)}`);
    }
  } catch (err) {
    for (const server of bound) server.close();
    throw err;
  }
  return bound;
}

async function bindOne(l: Listen): Promise<Server> {
  const a = l.address;
  try {
    if (a.net === "unix") return await listenStream({ path: a.path }, { reclaimStale: true });
    if (a.host !== "*") return await listenStream({ host: a.host, port: a.port });
    // All local addresses: IPv6's wildcard also takes IPv4 where the host has IPv6.
    try {
      return await listenStream({ host: "::", port: a.port });
    } catch (err) {
      const code = errorCode(err);
      if (code !== "EAFNOSUPPORT" && code !== "EADDRNOTAVAIL") throw err;
      return await listenStream({ host: "*", port: a.port });
    }
  } catch (err) {
    const hint = errorCode(err) === "EADDRINUSE" ? " (another program listens there, or a file is in the way)" : "";
    throw new Fatal(`cannot listen on ${l.text}: ${describeError(err)}${hint}`, EX.OSERR);
  }
}

/** The dial string with the port the kernel chose for port 0. */
function boundDial(l: Listen, server: Server): string {
  const a = l.address;
  if (a.net === "unix") return l.text;
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : a.port;
  return a.host === "*" ? `tcp!*!${port}` : formatDial({ ...a, port });
}

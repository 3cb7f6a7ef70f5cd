/**
 * ptbw's manager mode: build the token table, bind and publish the socket,
 * run the utility, and serve clients until the utility is gone and the last
 * connection has closed. All protocol decisions are the Broker's; this
 * module only does the IO around it.
 *
 * @module
 */
import {
  closeSync,
  constants as fsConstants,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmdirSync,
  statSync,
  writeSync,
} from "node:fs";
import type { Server } from "node:net";
import { describeError, strerror } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { CoreRunner } from "../../net/runner.ts";
import { StreamDriver } from "../../net/stream-driver.ts";
import { listenStream } from "../../net/stream-sockets.ts";
import { makeFifo } from "../../runtime/fifo.ts";
import { closeQuietly, unlinkQuietly } from "../../runtime/files.ts";
import { type Child, continueIfStopped, processAlive, startChild } from "../../runtime/process.ts";
import { onlineCpus } from "../../runtime/runtime.ts";
import { dieOf, onSignals } from "../../runtime/signals.ts";
import { detachStdio } from "../../runtime/stdio.ts";
import type { Log } from "../../log.ts";
import { Broker, type Jobserver } from "../broker.ts";
import { type Env, managerLevel, publish, selectManager } from "../discovery.ts";
import { type MakeJobserver, makeLevel, utilityMakeflags } from "../makeflags.ts";
import type { PtbwOptions } from "../options.ts";
import { iota, parseTags } from "../tags.ts";
import { defaultTokenCount } from "../usage.ts";
import type { ProgramContext } from "./client.ts";
import { LinkError, ManagerLink } from "./link.ts";

/** More tokens than this is a mistake, not a pool (and would eat memory). */
export const TOKENS_MAX = 1 << 20;

const encoder = new TextEncoder();

/** The table a manager serves and where it came from. */
interface TokenSource {
  tokens: Uint8Array[];
  sourceType: number;
  sourceName: Uint8Array;
  comments: Uint8Array;
}

/** Files and descriptors to remove at exit. */
class Leftovers {
  privateDir: string | undefined;
  socket: string | undefined;
  fifo: string | undefined;
  fifoFd: number | undefined;
  server: Server | undefined;

  cleanUp(): void {
    this.server?.close();
    this.server = undefined;
    if (this.fifoFd !== undefined) closeQuietly(this.fifoFd);
    this.fifoFd = undefined;
    for (const path of [this.socket, this.fifo]) {
      if (path !== undefined) unlinkQuietly(path);
    }
    this.socket = this.fifo = undefined;
    if (this.privateDir !== undefined) {
      try {
        rmdirSync(this.privateDir);
      } catch {
        // Not empty (someone else's file) or already gone: leave it.
      }
      this.privateDir = undefined;
    }
  }
}

/** What a manager has set up before it serves. */
interface Setup {
  /** The directory holding the socket (and the jobserver fifo). */
  space: string;
  source: TokenSource;
  server: Server;
  /** The utility's environment: the socket published, PTBW adjusted. */
  childEnv: Env;
  jobserver: JobserverFifo | undefined;
}

/**
 * Run ptbw as a manager; resolves to the exit status (the utility's) once
 * the utility is gone and the last client has closed, or to 0 on SIGTERM.
 *
 * @example
 * ```ts
 * const status = await runManager(options, { prog: "ptbw", env: process.env, log: createLog("ptbw") });
 * ```
 */
export async function runManager(o: PtbwOptions, ctx: ProgramContext): Promise<number> {
  const left = new Leftovers();
  // From the first moment: a manager blocked while borrowing still cleans up.
  let off = () => {};
  const stopped = new Promise<number>((resolve) => {
    off = onSignals({
      shutdown: () => resolve(EX.OK),
      hangup: () => {
        left.cleanUp();
        dieOf("SIGHUP");
      },
    });
  });
  const persistent = o.operands.length === 1 && o.operands[0] === ":";
  if (persistent && o.jobserver === "pipe") {
    throw new Fatal(
      "--jobserver: a persistent instance (:) has no utility to hand descriptors to, use --jobserver=fifo",
      1,
    );
  }
  const manage = async (): Promise<number> => {
    const setup = await prepare(o, ctx, left);
    const child = persistent ? undefined : await startUtility(o, ctx, setup);
    if (child === "failed") return EX.OSERR;
    const served = serve(o, setup, child, left, ctx.log);
    detachStdio();
    process.chdir(setup.space);
    return await served;
  };
  try {
    return await Promise.race([manage(), stopped]);
  } finally {
    off();
    left.cleanUp();
  }
}

/** Private directory, token table, socket, published environment, fifo. */
async function prepare(o: PtbwOptions, ctx: ProgramContext, left: Leftovers): Promise<Setup> {
  const level = managerLevel(ctx.env);
  const space = safePlace(ctx.env, left);
  const source = await loadTokens(o, ctx.env, ctx.log);
  const bound = await bindSocket(o, space, left);
  left.server = bound.server;
  const jobserver = o.jobserver
    ? openJobserver(`${bound.space}/jobserver`, o.jobserver, makeLevel(ctx.env.MAKELEVEL), left)
    : undefined;
  const childEnv = publish(ctx.env, bound.path, level, o.detach);
  if (jobserver) {
    childEnv.MAKEFLAGS = utilityMakeflags(ctx.env.MAKEFLAGS, source.tokens.length, jobserver.exported.auth);
  }
  return { space: bound.space, source, server: bound.server, childEnv, jobserver };
}

/** Start the utility with the original stdin/stdout; "failed" (exit 71) if it cannot run. */
async function startUtility(o: PtbwOptions, ctx: ProgramContext, setup: Setup): Promise<Child | "failed"> {
  const [word, ...args] = o.operands.length > 0 ? o.operands : [ctx.env.SHELL || "sh"];
  const js = setup.jobserver;
  const child = startChild(word!, args, {
    argv0: ctx.prog === "ptbw" ? word : ctx.prog,
    env: setup.childEnv,
    extraFds: js?.style === "pipe" ? [js.childRead!, js.childWrite!] : [],
  });
  if (js?.style === "pipe") {
    closeSync(js.childRead!);
    closeSync(js.childWrite!);
  }
  void child.ended.then((end) => {
    if ("execError" in end) ctx.log.error(`execvp: ${end.execError.message}`);
  });
  if (child.pid === undefined) {
    await child.ended;
    return "failed";
  }
  return child;
}

/**
 * Serve clients through the Broker until it is finished: the leader (the
 * utility, a `-p` process, or the instance itself until `Q`) is gone and no
 * connection is open. Resolves to the utility's status.
 */
async function serve(
  o: PtbwOptions,
  setup: Setup,
  child: Child | undefined,
  left: Leftovers,
  log: Log,
): Promise<number> {
  const { source, jobserver } = setup;
  const runner = new CoreRunner<Broker>(log);
  const streams = new StreamDriver(runner);
  const leader = child?.pid !== undefined
    ? { child: child.pid }
    : o.electedPid !== undefined
    ? { elected: o.electedPid }
    : "self";
  const broker = new Broker(
    {
      tokens: source.tokens,
      request: o.request ?? 1,
      sourceType: source.sourceType,
      sourceName: source.sourceName,
      comments: source.comments,
      policy: o.fifo ? "fifo" : "credit",
      selfPid: process.pid,
      leader,
    },
    { ...streams.effects, continueIfStopped: (pid) => void continueIfStopped(pid) },
    { isAlive: processAlive },
  );
  runner.start(broker);
  streams.serve("ptbw", setup.server);
  if (jobserver) broker.attachJobserver(jobserver.tokens, { implicitFor: child?.pid, exported: jobserver.exported });
  let status: number = EX.OK;
  void child?.ended.then((end) => {
    status = "execError" in end ? EX.OSERR : end.status;
    broker.leaderGone();
    closeJobserver(left);
    runner.touch();
  });
  await runner.finished;
  return status;
}

/**
 * Where the socket goes: beside an enclosing xclate's socket when we are the
 * outermost ptbw under one, else a fresh mode-0700 private directory.
 */
function safePlace(env: Env, left: Leftovers): string {
  if (env.ptbw_link === undefined) {
    const xclLink = env.xcl_link;
    if (xclLink !== undefined && xclLink.length <= 32 && /^[\dd]/.test(xclLink)) {
      const xcl = env[`xcl_${xclLink}`];
      const slash = xcl?.lastIndexOf("/") ?? -1;
      if (xcl !== undefined && slash > 0) return xcl.slice(0, slash);
    }
  }
  return makePrivateDir(env, left);
}

function makePrivateDir(env: Env, left: Leftovers): string {
  const base = env.TMPDIR || "/tmp";
  try {
    const dir = mkdtempSync(`${base}/ptbd`);
    left.privateDir = dir;
    return dir;
  } catch (err) {
    throw new Fatal(`mkdtemp: ${base}/ptbdXXXXXX: ${describeError(err)}`, EX.OSERR);
  }
}

/** Bind the service socket: `-N`, or the first free `staN` in our space. */
async function bindSocket(
  o: PtbwOptions,
  space: string,
  left: Leftovers,
): Promise<{ server: Server; path: string; space: string }> {
  const fail = (path: string, err: unknown) => new Fatal(`bind: ${path}: ${describeError(err)}`, EX.OSERR);
  if (o.bindPath !== undefined) {
    const path = o.bindPath.startsWith("/") ? o.bindPath : `${space}/${o.bindPath}`;
    try {
      const server = await listenStream({ path }, { reclaimStale: true });
      left.socket = path;
      return { server, path, space };
    } catch (err) {
      throw fail(path, err);
    }
  }
  for (let i = 0;; i++) {
    const path = `${space.replace(/\/$/, "")}/sta${i}`;
    if (exists(path)) continue;
    try {
      const server = await listenStream({ path });
      left.socket = path;
      return { server, path, space };
    } catch (err) {
      // A borrowed (xclate) directory we cannot bind in: try once in our own.
      if (left.privateDir !== undefined) throw fail(path, err);
      return bindSocket(o, makePrivateDir(process.env, left), left);
    }
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Build the token table from `-t` (file, borrowed manager) or iota. */
async function loadTokens(o: PtbwOptions, env: Env, log: Log): Promise<TokenSource> {
  const request = o.request ?? 1;
  const jobs = o.jobs === undefined ? undefined : Math.max(1, o.jobs);
  const goal = jobs !== undefined && o.request !== undefined
    ? jobs * request
    : jobs ?? (o.request !== undefined ? request : defaultTokenCount(onlineCpus()));

  let lines: number;
  let source: TokenSource;
  const tags = o.tags;
  if (tags === undefined || tags === "") {
    lines = goal;
    source = { tokens: [], sourceType: 0x3d, sourceName: encoder.encode("iota"), comments: new Uint8Array(0) };
  } else if (tags === "-" || isSocket(tags)) {
    const chosen = selectManager(env, tags, o.depth);
    if ("error" in chosen) throw new Fatal(chosen.error, chosen.status);
    source = await borrow(chosen.socket, request, goal, o.quit);
    lines = source.tokens.length;
  } else {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(tags);
    } catch (err) {
      throw new Fatal(`open: ${tags}: ${describeError(err)}`, EX.NOINPUT);
    }
    const parsed = parseTags(bytes);
    if ("problem" in parsed) throw new Fatal(`${tags}: line ${parsed.line}: NUL byte in token`, EX.DATAERR);
    if (parsed.lines === 0) throw new Fatal(`${tags}: contains no lines`, EX.DATAERR);
    lines = parsed.lines;
    source = { tokens: parsed.tokens, sourceType: 0x2b, sourceName: encoder.encode(tags), comments: parsed.comments };
  }

  if (lines < request) {
    throw new Fatal(`token count of ${lines} is less than required to run any task (${request})`, EX.DATAERR);
  }
  if (!o.quiet && (o.request !== undefined || o.jobs !== undefined) && lines < goal) {
    log.warn(`token count ${lines} less than suggested (${goal})`);
  }
  if (source.sourceType === 0x3d) {
    if (lines > TOKENS_MAX) {
      throw new Fatal(`token count ${lines} is more than a manager serves (${TOKENS_MAX})`, EX.DATAERR);
    }
    source.tokens = iota(lines);
  }
  if (lines === 0) throw new Fatal("no tokens generated", EX.DATAERR);
  if (source.tokens.length === 0) throw new Fatal("no tokens, only comments generated", EX.DATAERR);
  if (source.tokens.length > TOKENS_MAX) {
    throw new Fatal(`token count ${source.tokens.length} is more than a manager serves (${TOKENS_MAX})`, EX.DATAERR);
  }
  return source;
}

/**
 * Borrow part of an enclosing manager's pool: as many tokens as `goal`
 * (but at least one group of `request`), stepping down by `request` to fit
 * the upstream pool. The request blocks until granted.
 */
async function borrow(socket: string, request: number, goal: number, quit: boolean): Promise<TokenSource> {
  if (request === 0) throw new Fatal("no tokens generated", EX.DATAERR);
  let link: ManagerLink;
  try {
    link = await ManagerLink.connect(socket, process.pid);
  } catch (err) {
    throw new Fatal(`${socket}: ${err instanceof LinkError ? strerror(err.code) : describeError(err)}`, EX.DATAERR);
  }
  const upstream = await link.source();
  // The original asks for the comments and then drops them: its `C` is empty.
  await link.comments();
  if (!upstream) throw new Fatal(`${socket}: ${strerror("EPROTO")}`, EX.DATAERR);
  if (link.count < request) {
    throw new Fatal(
      `not enough tokens from our master to make even a single ${request} group (only ${link.count})`,
      EX.DATAERR,
    );
  }
  let tokens: Uint8Array[] = [];
  for (let ask = firstFit(goal, request, link.count); ask >= request; ask -= request) {
    try {
      tokens = await link.allocate(ask);
      break;
    } catch {
      // Refused or cut off: the original tried the next smaller group.
    }
  }
  if (quit) await link.quit();
  // The link is never closed: the borrowed tokens go back upstream when this
  // manager exits and the kernel closes the connection.
  return { tokens, sourceType: upstream.type.charCodeAt(0), sourceName: upstream.name, comments: new Uint8Array(0) };
}

/** max(goal, request), less whole groups of `request` until it fits `count`. */
function firstFit(goal: number, request: number, count: number): number {
  const start = BigInt(Math.max(goal, request));
  if (start <= BigInt(count)) return Number(start);
  const r = BigInt(request);
  const over = start - BigInt(count);
  return Number(start - ((over + r - 1n) / r) * r);
}

/** A jobserver fifo and the descriptors around it. */
interface JobserverFifo {
  style: "pipe" | "fifo";
  path: string;
  tokens: Jobserver;
  /** What the utility's MAKEFLAGS names, at the utility's make level (the `K` reply). */
  exported: MakeJobserver;
  /** Pipe style: the descriptors the utility gets as fds 3 and 4. */
  childRead?: number;
  childWrite?: number;
}

function openJobserver(path: string, style: "pipe" | "fifo", level: number, left: Leftovers): JobserverFifo {
  try {
    makeFifo(path, 0o600);
  } catch (err) {
    throw new Fatal(`mkfifo: ${path}: ${describeError(err)}`, EX.OSERR);
  }
  left.fifo = path;
  // Our read-write descriptor keeps the fifo open both ways, so the
  // utility's blocking opens below return at once and make never sees EOF.
  const own = openSync(path, fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
  left.fifoFd = own;
  const scratch = new Uint8Array(4096);
  const tokens: Jobserver = {
    take() {
      let total = 0;
      for (;;) {
        try {
          const n = readSync(own, scratch, 0, scratch.length, null);
          if (n <= 0) return total;
          total += n;
        } catch {
          return total;
        }
      }
    },
    give(count) {
      if (count === 0) return 0;
      try {
        return writeSync(own, new Uint8Array(count).fill(0x2b));
      } catch {
        return 0;
      }
    },
  };
  if (style === "fifo") return { style, path, tokens, exported: { level, auth: `fifo:${path}` } };
  const childRead = openSync(path, "r");
  const childWrite = openSync(path, "w");
  return { style, path, tokens, exported: { level, auth: "3,4" }, childRead, childWrite };
}

function closeJobserver(left: Leftovers): void {
  if (left.fifoFd !== undefined) closeQuietly(left.fifoFd);
  left.fifoFd = undefined;
  if (left.fifo !== undefined) unlinkQuietly(left.fifo);
  left.fifo = undefined;
}

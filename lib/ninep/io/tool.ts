/**
 * `spreed 9p`'s program: connect, agree on the version, attach, and run
 * one command (ls, stat, read, write, rdwr) with the 9P2000 client; each
 * failure becomes one line on standard error and an exit status.
 *
 * @module
 */
import { UsageError } from "../../cli.ts";
import { DialError } from "../../dial.ts";
import { describeError } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { stdinChunks } from "../../runtime/stdin.ts";
import { printErr, printOut } from "../../runtime/stdio.ts";
import { DMDIR, IOHDRSZ, MESSAGE_TYPES, ORDWR, OREAD, OWRITE } from "../constants.ts";
import { ConnectionLost, NinepError, ProtocolViolation, RequestAborted } from "../failures.ts";
import type { Stat } from "../messages.ts";
import type { NinepRequest, NinepSettings } from "../tool/command.ts";
import { longLine, statHex, statLines } from "../tool/format.ts";
import { blocks, lines } from "../tool/input.ts";
import { VERSION_9P2000 } from "../version.ts";
import { Client, type Fid } from "./client.ts";

/**
 * Where `spreed 9p` reads and prints: the process's descriptors, or a
 * test's streams.
 *
 * @example
 * ```ts
 * const out: Uint8Array[] = [];
 * const stdio: ToolStdio = { input: () => chunks, output: (d) => out.push(toBytes(d)), error: (t) => errors.push(t) };
 * ```
 */
export interface ToolStdio {
  /** Standard input; only write and rdwr call it, once. */
  input(): AsyncIterable<Uint8Array>;
  /** Write to standard output, now. */
  output(data: Uint8Array | string): void;
  /** Write a diagnostic line (newline included) to standard error, now. */
  error(text: string): void;
}

const PROCESS_STDIO: ToolStdio = {
  input: stdinChunks,
  output: (data) => void printOut(data),
  error: (text) => void printErr(text),
};

/** Offset of the stat entry in an Rstat frame: size[4] type[1] tag[2] n[2]. */
const RSTAT_ENTRY = 9;

/** Longest subject (a path, mostly) a message repeats whole. */
const SUBJECT_MAX = 80;

/** A request the server refused (or the command line made impossible), about `subject`. */
class Refused extends Error {
  constructor(subject: string, reason: string, readonly status: number) {
    super(`${subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 3)}...` : subject}: ${reason}`);
  }
}

/** Run `work`; an Rerror becomes {@link Refused} about `subject` (1), a request too big for the msize too (64). */
async function about<T>(subject: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof NinepError) throw new Refused(subject, err.message, 1);
    // Only a path element, a user or an aname too long for a message gets here.
    if (err instanceof RangeError) throw new Refused(subject, err.message, EX.USAGE);
    throw err;
  }
}

/**
 * A path's elements from the attach root: split at `/`, empty and `.`
 * elements skipped.
 */
function elements(path: string): string[] {
  return path.split("/").filter((e) => e !== "" && e !== ".");
}

/** Clunk, ignoring a refusal or a lost connection: the fid is done with either way. */
async function release(fid: Fid): Promise<void> {
  await fid.clunk().catch(() => {});
}

/** Walk to `path` and run `use` on the new fid, clunked afterwards; failures are about `path`. */
function withFile<T>(root: Fid, path: string, use: (fid: Fid) => Promise<T>): Promise<T> {
  return about(path, async () => {
    const fid = await root.walk(elements(path));
    try {
      return await use(fid);
    } finally {
      await release(fid);
    }
  });
}

/** What a command needs: the connection, the attached root, where to print. */
interface Session {
  client: Client;
  root: Fid;
  stdio: ToolStdio;
  /** Print `spreed 9p: <text>` on standard error. */
  say(text: string): void;
  /** The stat entry of the last Rstat, as it came. */
  lastStatEntry(): Uint8Array | undefined;
}

async function ls(s: Session, paths: readonly string[], long: boolean): Promise<number> {
  let status: number = EX.OK;
  for (const path of paths) {
    let stats: Stat[];
    try {
      stats = await withFile(s.root, path, async (fid) => {
        const stat = await fid.stat();
        if (!(stat.mode & DMDIR)) return [stat];
        await fid.open(OREAD);
        return await fid.readdir();
      });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      s.say(err.message);
      status = err.status;
      continue;
    }
    let out = "";
    for (const stat of stats) out += `${long ? longLine(stat) : stat.name}\n`;
    s.stdio.output(out);
  }
  return status;
}

async function stat(s: Session, path: string, raw: boolean): Promise<number> {
  const entry = await withFile(s.root, path, (fid) => fid.stat());
  s.stdio.output(raw ? `${statHex(s.lastStatEntry()!)}\n` : statLines(entry));
  return EX.OK;
}

async function read(s: Session, path: string, count: number | undefined): Promise<number> {
  await withFile(s.root, path, async (fid) => {
    await fid.open(OREAD);
    const most = count ?? (fid.iounit || s.client.msize - IOHDRSZ);
    for (;;) {
      const data = await fid.read(most);
      if (data.length === 0) return;
      s.stdio.output(data);
    }
  });
  return EX.OK;
}

async function write(s: Session, path: string, byLine: boolean): Promise<number> {
  await withFile(s.root, path, async (fid) => {
    await fid.open(OWRITE);
    const unit = Math.min(fid.iounit || Infinity, s.client.msize - IOHDRSZ);
    const pieces = byLine ? lines(s.stdio.input(), false) : blocks(s.stdio.input(), unit);
    let wrote = false;
    for await (const piece of pieces) {
      if (piece.length === 0) continue;
      wrote = true;
      const took = await fid.write(piece);
      if (took < piece.length) throw new Refused(path, `the server took ${took} of ${piece.length} bytes`, 1);
    }
    if (!wrote) await fid.write(new Uint8Array(0));
  });
  return EX.OK;
}

async function rdwr(s: Session, path: string, keepNewline: boolean): Promise<number> {
  const fid = await about(path, async () => {
    const opened = await s.root.walk(elements(path));
    try {
      await opened.open(ORDWR);
    } catch (err) {
      await release(opened);
      throw err;
    }
    return opened;
  });
  // Aborted when the writing side gives up: the held read is flushed and the command ends.
  const stop = new AbortController();
  let writeFailure: unknown;
  /** Whether the write went through; a refusal is printed and the command goes on. */
  const attempt = async (data: Uint8Array) => {
    try {
      await fid.write(data);
      return true;
    } catch (err) {
      if (!(err instanceof NinepError)) throw err;
      s.say(err.message);
      return false;
    }
  };
  const writing = async () => {
    for await (const line of lines(s.stdio.input(), keepNewline)) {
      if (stop.signal.aborted) return;
      if (line.length > 0) await attempt(line);
    }
    // A server that refuses the hang-up would never end the read.
    if (!(await attempt(new Uint8Array(0)))) stop.abort();
  };
  writing().catch((err: unknown) => {
    writeFailure = err;
    stop.abort();
  });
  try {
    await about(path, async () => {
      const count = fid.iounit || s.client.msize - IOHDRSZ;
      for (;;) {
        const data = await fid.read(count, { signal: stop.signal }).catch((err: unknown) => {
          if (err instanceof RequestAborted) return new Uint8Array(0);
          throw err;
        });
        if (data.length === 0) return;
        s.stdio.output(data);
      }
    });
    if (writeFailure !== undefined) throw writeFailure;
  } finally {
    stop.abort();
    await release(fid);
  }
  return EX.OK;
}

/**
 * Run one `spreed 9p` command against the server `settings` name and
 * resolve to the exit status: 0; 1 when the server refused a request
 * (`spreed 9p: PATH: <error>` on standard error); 69 when it cannot be
 * reached or the connection is lost; 74 when standard input cannot be
 * read; 76 when the server breaks the protocol.
 *
 * @throws {UsageError} for a malformed address.
 * @example
 * ```ts
 * const settings = { address: "tcp!127.0.0.1!3242", user: "alice", msize: 8216, aname: "" };
 * process.exitCode = await runNinep(settings, { command: "ls", paths: ["/"], long: true });
 * ```
 */
export async function runNinep(
  settings: NinepSettings,
  request: NinepRequest,
  stdio: ToolStdio = PROCESS_STDIO,
): Promise<number> {
  const say = (text: string) => stdio.error(`spreed 9p: ${text}\n`);
  let statFrame: Uint8Array | undefined;
  const raw = request.command === "stat" && request.raw;
  let client: Client;
  try {
    client = await Client.connect(settings.address, {
      msize: settings.msize,
      observe: raw
        ? (direction, frame) => {
          if (direction === "received" && frame[4] === MESSAGE_TYPES.Rstat) statFrame = frame.slice(RSTAT_ENTRY);
        }
        : undefined,
    });
  } catch (err) {
    if (err instanceof DialError) throw new UsageError(`-a: ${err.message}`);
    say(`cannot connect to ${settings.address}: ${describeError(err)}`);
    return EX.UNAVAILABLE;
  }
  try {
    const { version } = await about(`${settings.address}: version`, () => client.version(settings.msize));
    if (version !== VERSION_9P2000) throw new ProtocolViolation(`the server speaks ${version}, not ${VERSION_9P2000}`);
    const root = await about(
      `${settings.address}: attach as ${settings.user}`,
      () => client.attach(settings.user, settings.aname),
    );
    const s: Session = { client, root, stdio, say, lastStatEntry: () => statFrame };
    switch (request.command) {
      case "ls":
        return await ls(s, request.paths, request.long);
      case "stat":
        return await stat(s, request.path, request.raw);
      case "read":
        return await read(s, request.path, request.count);
      case "write":
        return await write(s, request.path, request.lines);
      case "rdwr":
        return await rdwr(s, request.path, request.keepNewline);
    }
  } catch (err) {
    if (err instanceof Refused || err instanceof Fatal) {
      say(err.message);
      return err.status;
    }
    if (err instanceof ProtocolViolation) {
      say(`${settings.address}: protocol violation: ${err.message}`);
      return EX.PROTOCOL;
    }
    if (err instanceof ConnectionLost) {
      say(`${settings.address}: connection lost: ${err.message}`);
      return EX.UNAVAILABLE;
    }
    throw err;
  } finally {
    client.close();
  }
}

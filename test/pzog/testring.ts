/**
 * A five-node pzog ring on 127.0.0.1..127.0.0.5 for tests: one client port
 * and one peer port, free on all five addresses, a ring file, a directory
 * per node, and helpers to start, stop, kill and inspect the nodes.
 */
import { afterAll, beforeAll } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StatusDocument } from "../../lib/pzog/status.ts";
import { tempDir } from "../helpers/fs.ts";
import { freePort, waitFor } from "../helpers/net.ts";
import { type Background, background, binary, type Finished, run } from "../helpers/process.ts";

export const NAMES = ["la", "test", "lg", "sm", "g"] as const;
export const ip = (i: number) => `127.0.0.${i + 1}`;

export interface RingOptions {
  /** Extra pzog arguments for every node. */
  args?: string[];
  /** Nodes not to start (a test stands in for them). */
  absent?: number[];
}

/** One node's directory, process and logs. */
export class Node {
  proc: Background | undefined;
  starts = 0;
  constructor(readonly ring: TestRing, readonly index: number, readonly dir: string) {}

  get name(): string {
    return NAMES[this.index]!;
  }

  /** access.log lines (current file). */
  access(file = "access.log"): string[] {
    const path = join(this.dir, "logs", file);
    if (!existsSync(path)) return [];
    const text = readFileSync(path, "utf8");
    return text === "" ? [] : text.trimEnd().split("\n");
  }

  /** Bodies (lines without the 20-character prefix), sorted. */
  bodies(file = "access.log"): string[] {
    return this.access(file).map((l) => l.slice(20)).sort();
  }

  errors(): string[] {
    const path = join(this.dir, "logs", "error.log");
    return existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n") : [];
  }

  /** Records since the latest `start`. */
  errorsSinceStart(): string[] {
    const all = this.errors();
    const at = all.findLastIndex((l) => / start /.test(l));
    return at < 0 ? [] : all.slice(at);
  }

  async start(extra: string[] = []): Promise<void> {
    this.starts++;
    this.proc = background(
      [
        binary("pzog"),
        "--name",
        this.name,
        "--ring-file",
        this.ring.ringFile,
        "-p",
        String(this.ring.clientPort),
        "--log-dir",
        "logs",
        "--spool-dir",
        "spool",
        ...this.ring.args,
        ...extra,
      ],
      { cwd: this.dir },
    );
    await waitFor(`${this.name} to listen`, () => this.errorsSinceStart().length > 0, 10_000);
  }

  /** What `pzog status --json` says of this node. */
  async status(): Promise<StatusDocument> {
    const r = await run([binary("pzog"), "status", "--json", "--spool-dir", "spool"], { cwd: this.dir });
    if (r.code !== 0) throw new Error(`pzog status of ${this.name}: exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** Wait until this node's four outbound links are up. */
  async up(count = 4): Promise<void> {
    await waitFor(
      `${this.name}'s peer links`,
      () => this.errorsSinceStart().filter((l) => / peer-up /.test(l)).length >= count,
      20_000,
    );
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<Finished> {
    const proc = this.proc!;
    process.kill(proc.pid, signal);
    const end = await proc.exited;
    this.proc = undefined;
    return end;
  }
}

/** The ring. */
export class TestRing {
  readonly dir = tempDir("ring");
  readonly ringFile = join(this.dir, "ring");
  readonly nodes: Node[];
  readonly args: string[];

  private constructor(readonly clientPort: number, readonly peerPort: number, opts: RingOptions) {
    this.args = opts.args ?? [];
    writeFileSync(this.ringFile, NAMES.map((n, i) => `${n} ${ip(i)}:${peerPort}\n`).join(""));
    this.nodes = NAMES.map((n, i) => {
      const dir = join(this.dir, n);
      mkdirSync(dir);
      return new Node(this, i, dir);
    });
  }

  /** Start all five nodes (but `absent` ones) and wait for their links. */
  static async start(opts: RingOptions = {}): Promise<TestRing> {
    const hosts = NAMES.map((_, i) => ip(i));
    const clientPort = await freePort(hosts);
    const peerPort = await freePort(hosts, [clientPort]);
    const ring = new TestRing(clientPort, peerPort, opts);
    const present = ring.nodes.filter((n) => !opts.absent?.includes(n.index));
    await Promise.all(present.map((n) => n.start()));
    await Promise.all(present.map((n) => n.up(present.length - 1)));
    return ring;
  }

  /** Run psprog against the ring (its own log directory). */
  psprog(args: string[], timeout = 60_000): Promise<Finished> {
    return run([
      binary("psprog"),
      "--ring-file",
      this.ringFile,
      "-p",
      String(this.clientPort),
      "--log-dir",
      join(this.dir, "plog"),
      ...args,
    ], {
      cwd: this.dir,
      timeout,
    });
  }

  /** psprog.log lines of the last runs. */
  psprogLog(): string[] {
    const path = join(this.dir, "plog", "psprog.log");
    return existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n") : [];
  }

  /** Wait until every listed node's access.log holds `count` lines. */
  async converge(count: number, nodes = this.nodes, timeout = 30_000): Promise<void> {
    await waitFor(
      `${count} lines on ${nodes.map((n) => n.name).join(",")}`,
      () => nodes.every((n) => n.access().length >= count),
      {
        timeout,
        state: () => nodes.map((n) => `${n.name}=${n.access().length}`).join(" "),
      },
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => n.proc).map((n) => n.stop()));
  }
}

/**
 * One ring for the tests of the enclosing file or describe block: started
 * before the first, stopped after the last, handed to `use` once it is up.
 *
 * @example
 * ```ts
 * let ring!: TestRing;
 * ringForTests((started) => (ring = started));
 * ```
 */
export function ringForTests(use: (ring: TestRing) => void, opts?: RingOptions): void {
  let ring: TestRing | undefined;
  beforeAll(async () => {
    ring = await TestRing.start(opts);
    use(ring);
  });
  afterAll(async () => {
    await ring?.stopAll();
  });
}

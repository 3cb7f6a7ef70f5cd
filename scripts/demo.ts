/**
 * `npm run demo`: the suite's main job on embedded defaults, self-checking.
 * Each program adds its scenario here; the demo exits non-zero if any
 * scenario's check fails.
 *
 * Usage: bun scripts/demo.ts   (after `bun scripts/build.ts`)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { freePort } from "../lib/net/stream-sockets.ts";
import { Client } from "../lib/ninep/io/client.ts";
import { playFirstLegal } from "../lib/spree/io/autoplay.ts";
import { SpreeMember } from "../lib/spree/io/member.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
  say(`  ok: ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every long-running process the demo starts, stopped at the end whatever happens. */
const daemons: ChildProcess[] = [];

/**
 * ptbw: a persistent manager with three named slots, eight parallel clients
 * that each hold one slot for a moment, the tableau while they run, and -Q.
 */
async function ptbwDemo(work: string): Promise<void> {
  say("== ptbw: a pool of 3 named slots shared by 8 parallel jobs");
  const ptbw = join(dist, "ptbw");
  const env: Record<string, string | undefined> = { ...process.env, TMPDIR: work, PATH: `${dist}:${process.env.PATH}` };
  for (const k of Object.keys(env)) if (/^(ptbw_|PTBW)/.test(k)) delete env[k];
  const tags = join(work, "slots");
  writeFileSync(tags, "# three build slots\nslot-a\nslot-b\nslot-c\n");
  const sock = join(work, "demo.ptbw");
  const log = join(work, "log");
  writeFileSync(log, "");

  const manager = spawn(ptbw, ["-m", "-t", tags, "-N", sock, ":"], { env, stdio: ["ignore", "ignore", "inherit"] });
  daemons.push(manager);
  const managerExit = new Promise<number | null>((resolve) => manager.on("close", (code) => resolve(code)));
  for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(20);
  check(existsSync(sock), `manager listening on ${sock}`);

  // Each job appends "+slot" when it starts and "-slot" when it ends.
  const job = `echo "+$ptbw_list" >>"${log}"; sleep 0.4; echo "-$ptbw_list" >>"${log}"`;
  const jobs = Array.from({ length: 8 }, () =>
    new Promise<number | null>((resolve) => {
      const c = spawn(ptbw, ["-t", sock, "-R1", "sh", "-c", job], { env, stdio: "inherit" });
      c.on("close", (code) => resolve(code));
    }));
  await sleep(200);
  say("  tableau while the jobs run:");
  const tableau = spawnSync(ptbw, ["-t", sock], { env, encoding: "utf8" });
  for (const line of tableau.stdout.trimEnd().split("\n")) say(`    ${line}`);
  const codes = await Promise.all(jobs);
  check(codes.every((c) => c === 0), "all 8 jobs exited 0");

  const events = readFileSync(log, "utf8").trim().split("\n");
  const holding = new Set<string>();
  let most = 0;
  let clean = true;
  for (const e of events) {
    const slot = e.slice(1);
    if (e.startsWith("+")) {
      if (holding.has(slot)) clean = false;
      holding.add(slot);
      most = Math.max(most, holding.size);
    } else {
      holding.delete(slot);
    }
  }
  check(events.length === 16, "16 start/end events logged");
  check(clean, "no slot was ever held by two jobs at once");
  check(most === 3, `at most 3 jobs ran at once (saw ${most})`);

  const quit = spawnSync(ptbw, ["-Q", "-t", sock, "-R0", "true"], { env });
  check(quit.status === 0, "ptbw -Q asked the persistent manager to finish");
  check((await managerExit) === 0, "manager exited 0");
  check(!existsSync(sock), "manager removed its socket");
}

/**
 * pzog: the five-node ring on 127.0.0.1..127.0.0.5 (the built-in testing
 * ring, on two free ports), a psprog burst of 500 lines to random members,
 * and a check that the five access.logs hold the same lines.
 */
async function pzogDemo(work: string): Promise<void> {
  say("== pzog: a five-node replicating log ring on 127.0.0.1..127.0.0.5");
  const names = ["la", "test", "lg", "sm", "g"];
  const hosts = names.map((_, i) => `127.0.0.${i + 1}`);
  const clientPort = await freePort(hosts);
  const peerPort = await freePort(hosts, [clientPort]);
  const ports = ["-p", String(clientPort), "--peer-port", String(peerPort)];
  const nodes = names.map((name) => {
    const dir = join(work, name);
    mkdirSync(dir);
    const proc = spawn(join(dist, "pzog"), ["-T", "--name", name, ...ports], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    daemons.push(proc);
    const exited = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
    return { name, dir, proc, exited };
  });
  const read = (dir: string, file: string) => {
    const path = join(dir, "logs", file);
    return existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n").filter(Boolean) : [];
  };
  for (
    let i = 0;
    i < 200 && !nodes.every((n) => read(n.dir, "error.log").filter((l) => / peer-up /.test(l)).length === 4);
    i++
  ) {
    await sleep(50);
  }
  check(
    nodes.every((n) => read(n.dir, "error.log").filter((l) => / peer-up /.test(l)).length === 4),
    "every node has its four peer links up",
  );

  const ring = names.map((n, i) => `${n}=${hosts[i]}:${peerPort}`).join(",");
  const burst = spawnSync(join(dist, "psprog"), [
    "--ring",
    ring,
    "-p",
    String(clientPort),
    "-n",
    "500",
    "-i",
    "0",
    "--log-dir",
    join(work, "plog"),
  ], {
    encoding: "utf8",
  });
  check(burst.status === 0, "psprog sent 500 lines to random members, every one acknowledged");
  const bodies = (dir: string) => read(dir, "access.log").map((l) => l.slice(20)).sort().join("\n");
  for (let i = 0; i < 100 && !nodes.every((n) => read(n.dir, "access.log").length === 500); i++) await sleep(50);
  say(`  access.log lines: ${nodes.map((n) => `${n.name}=${read(n.dir, "access.log").length}`).join(" ")}`);
  say(`  a line: ${read(nodes[2]!.dir, "access.log")[0]}`);
  check(nodes.every((n) => bodies(n.dir) === bodies(nodes[0]!.dir)), "the five access.logs hold the same 500 lines");
  check(new Set(read(nodes[0]!.dir, "access.log").map((l) => l.slice(20))).size === 500, "no line is logged twice");
  for (const n of nodes) n.proc.kill("SIGTERM");
  const codes = await Promise.all(nodes.map((n) => n.exited));
  check(codes.every((c) => c === 0), "SIGTERM stopped all five nodes cleanly");
}

/** Start dist/spreed on a free loopback port; resolves with its dial string once it listens. */
function startSpreed(): Promise<{ proc: ChildProcess; dial: string; exited: Promise<number | null> }> {
  const proc = spawn(join(dist, "spreed"), ["-a", "tcp!127.0.0.1!0"], { stdio: ["ignore", "ignore", "pipe"] });
  daemons.push(proc);
  const exited = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let err = "";
    proc.stderr!.setEncoding("utf8");
    proc.stderr!.on("data", (chunk: string) => {
      err += chunk;
      const m = /listening on (tcp!\S+)/.exec(err);
      if (m) resolve({ proc, dial: m[1]!, exited });
    });
    proc.on("close", () => reject(new Error(`spreed exited: ${err.trim()}`)));
  });
}

/**
 * spreed: two scripted users chat in the lobby, start `gather 2 othello`,
 * and play it to the end, each always taking the first legal square; the
 * updates are printed as they arrive.
 */
async function spreedDemo(): Promise<void> {
  say("== spreed: a chat in the lobby and a game of othello over 9P2000");
  const { proc, dial, exited } = await startSpreed();
  say(`  spreed listens on ${dial}`);
  const connect = async () => {
    const client = await Client.connect(dial);
    await client.version();
    return client;
  };
  const [ca, cb] = await Promise.all([connect(), connect()]);
  const alice = await SpreeMember.join(ca, "alice", "0/ctl");
  const bob = await SpreeMember.join(cb, "bob", "0/ctl");
  await alice.command("chat hello bob, othello?");
  await bob.command("chat sure");
  const heard = await alice.waitFor((l) => l === "chat bob sure ");
  say(`  alice reads: ${heard}`);
  check(
    (await bob.waitFor((l) => l.startsWith("chat alice"))) === "chat alice hello bob, othello? ",
    "both hear the chat",
  );

  const before = alice.lines.length;
  await alice.command("start gather 2 othello");
  const session = await alice.waitFor((l) => / \d+ 1 session$/.test(l), { from: before });
  const sessionId = session.split(" ")[1];
  await alice.waitFor((l) => l.startsWith(`set ${sessionId} filename `), { from: before });
  const dir = alice.lines.filter((l) => l.startsWith(`set ${sessionId} filename `)).at(-1)!.split(" ")[3]!;
  await alice.command(`invite ${sessionId} bob`);
  say(`  alice started othello in directory ${dir} and invited bob`);
  const black = await SpreeMember.join(ca, "alice", `${dir}/ctl`);
  const white = await SpreeMember.join(cb, "bob", `${dir}/ctl`);
  await black.waitFor((l) => l === "join bob ");
  await black.command("start");
  await white.waitFor((l) => l.startsWith("set 1 turn"));
  // Each move, and the update lines it made alice read.
  const moves = await playFirstLegal(black, white, (colour, x, y, lines) => {
    say(`    ${colour === 0 ? "alice (black)" : "bob (white)  "} move ${x} ${y}  →  ${lines.join(" | ")}`);
  });
  const board = (m: SpreeMember) => {
    const squares = new Map<string, string>();
    for (const l of m.lines) {
      const [, id, attr, value] = l.split(" ");
      if (l.startsWith("set ") && id === "1" && /^[a-h][a-h]$/.test(attr!)) squares.set(attr!, value!);
    }
    return [...squares].sort().join(" ");
  };
  await white.waitFor((l) => l === "set 1 turn 2");
  const winner = black.lines.find((l) => l.startsWith("set 1 winner "));
  say(`  ${moves} moves; ${winner}`);
  check(board(black) === board(white), "both players see the same final board");
  check(moves === 60 && winner === "set 1 winner 0", "the reference game: 60 moves, black wins");
  black.close();
  white.close();
  await alice.waitFor((l) => /^del \d+ 0 1 /.test(l));
  check(true, "the lobby deleted the session when the game ended");
  alice.close();
  bob.close();
  ca.close();
  cb.close();
  proc.kill("SIGTERM");
  check((await exited) === 0, "SIGTERM stopped spreed cleanly");
}

/**
 * kdosd: a daemon on a temporary root, and `kdosd call` creating, writing,
 * listing, reading back, stating, renaming and deleting a file.
 */
async function kdosdDemo(work: string): Promise<void> {
  say("== kdosd: file access through mailbox messages");
  const root = join(work, "kdos-root");
  mkdirSync(root, { mode: 0o750 });
  const port = await freePort(["127.0.0.1"]);
  const from = `udp!127.0.0.1!${await freePort(["127.0.0.1"], [port])}`;
  const to = `udp!127.0.0.1!${port}`;
  const proc = spawn(join(dist, "kdosd"), [
    "--root",
    root,
    "--mailbox",
    to,
    "--window",
    `${join(work, "kdos.window")}:64K:0`,
    "-debug",
  ], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  daemons.push(proc);
  const exited = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    let out = "";
    proc.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("command mailbox")) resolve();
    });
  });
  const call = (...args: string[]) => {
    const r = spawnSync(join(dist, "kdosd"), ["call", "--to", to, "--from", from, ...args], { encoding: "utf8" });
    say(`  ${args.join(" ").padEnd(44)} -> ${r.stdout.trim()}`);
    return r.stdout.trim().split(" ");
  };
  const text = "hello from kdosd\n";
  const fd = call("OPEN", "notes.txt", "O_RDWR|O_CREAT")[2]!;
  check(
    call("WRITEX", fd, "0", "0", Buffer.from(text).toString("base64"))[2] === String(text.length),
    "WRITEX wrote it all",
  );
  check(call("LISTX", "0")[3] === "notes.txt", "LISTX lists it");
  const back = call("READX", fd, "100", "0", "0")[3]!;
  check(Buffer.from(back, "base64").toString() === text, "READX reads the same bytes back");
  check(call("STATX", "notes.txt").join(" ").includes(`size=${text.length} `), "STATX knows its size");
  check(call("CLOSE", fd)[1] === "0", "CLOSE released the handle");
  check(call("RENAME", "notes.txt", "kept.txt")[1] === "0", "RENAME renamed it");
  check(call("DELETE", "*.txt").join(" ").endsWith("deleted=1"), "DELETE *.txt deleted one file");
  check(call("LISTX", "0")[3] === "ENOENT", "the root is empty again");
  proc.kill("SIGTERM");
  check((await exited) === 0, "SIGTERM stopped kdosd cleanly");
}

/** A small synthetic ISO image: random bytes under an ISO 9660 volume descriptor naming `volume`. */
function makeImage(path: string, bytes: number, volume: string): void {
  const data = new Uint8Array(bytes);
  crypto.getRandomValues(data.subarray(0, Math.min(bytes, 65536)));
  for (let at = 65536; at < bytes; at += 65536) data.copyWithin(at, 0, Math.min(65536, bytes - at));
  data.set([1, ...Buffer.from("CD001"), 1], 32768);
  data.set(Buffer.from(volume.padEnd(32)), 32808);
  data[bytes - 1] = bytes % 251;
  writeFileSync(path, data);
}

/**
 * The stand: standd, three burnerd on fake drives (one DVD, one CD-only,
 * one whose first verify fails), a command client queueing copies of three
 * images, and the run ending when every disc is burned and verified.
 */
async function standDemo(work: string): Promise<void> {
  say("== standd + burnerd: a burning stand with three fake drives");
  const isos = join(work, "isos");
  mkdirSync(isos);
  const images = [["ubuntu-demo.iso", 6 << 20], ["kubuntu-demo.iso", 5 << 20], ["xubuntu-demo.iso", 4 << 20]] as const;
  for (const [name, bytes] of images) {
    makeImage(join(isos, name), bytes, name.replace(/-demo\.iso$/, "").toUpperCase());
    writeFileSync(join(isos, `${name}.txt`), `${name.replace(/-demo\.iso$/, "")} install disc\nmade by npm run demo\n`);
  }
  const port = await freePort(["127.0.0.1"]);
  const http = await freePort(["127.0.0.1"], [port]);
  const server = `127.0.0.1:${port}`;
  const standd = spawn(join(dist, "standd"), [
    "--listen",
    server,
    "--http",
    `127.0.0.1:${http}`,
    "--state-dir",
    join(work, "standd"),
    "--command-token",
    "demo-token",
    // Small "DVD-sized" images keep the demo quick.
    "--cd-capacity",
    String(5 << 20),
  ], { stdio: ["ignore", "ignore", "pipe"] });
  daemons.push(standd);
  const standdExit = new Promise<number | null>((resolve) => standd.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let err = "";
    standd.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
      if (err.includes("serving on")) resolve();
    });
    standd.on("close", () => reject(new Error(`standd exited: ${err.trim()}`)));
  });
  say(`  standd serves on ${server}; dashboard: http://127.0.0.1:${http}/`);
  const fakes = [
    "type=CDR,rate=16M,reload=0",
    "type=DVD,rate=16M,reload=0",
    "type=CDR,rate=16M,reload=0,fail=verify@1",
  ];
  const burners = fakes.map((spec, i) => {
    const proc = spawn(join(dist, "burnerd"), [
      "--server",
      server,
      `--fake=${spec}`,
      "--iso-dir",
      isos,
      "--id-file",
      join(work, `burner-${i}.id`),
    ], { stdio: ["ignore", "ignore", "inherit"] });
    daemons.push(proc);
    say(`  burnerd ${i + 1}: --fake=${spec}`);
    return { proc, exited: new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code))) };
  });
  const standdCmd = (...args: string[]) => {
    const r = spawnSync(join(dist, "standd"), [...args, "--server", server], {
      encoding: "utf8",
      env: { ...process.env, STANDD_COMMAND_TOKEN: "demo-token" },
    });
    return { code: r.status, out: r.stdout.trim() };
  };
  const jobs = [["ubuntu-demo.iso", "10", "3"], ["kubuntu-demo.iso", "50", "2"], ["xubuntu-demo.iso", "20", "2"]];
  for (const [name, prio, copies] of jobs) {
    const r = standdCmd("queue", join(isos, name!), "-p", prio!, "-n", copies!);
    say(`  standd queue ${name} -p ${prio} -n ${copies} -> ${r.out}`);
    check(r.code === 0, `${copies} copies of ${name} queued`);
  }
  const total = jobs.reduce((n, [, , c]) => n + Number(c), 0);
  let passed = 0;
  let shown = "";
  for (let i = 0; i < 600 && passed < total; i++) {
    const state = await fetch(`http://127.0.0.1:${http}/api/state`).then((r) => r.json()) as {
      totals: { passedSinceStart: number };
    };
    passed = state.totals.passedSinceStart;
    // One line per change: each burner's type and state (a percentage while it burns).
    const report = standdCmd("sreport").out.split("\n").slice(1)
      .map((row) => row.split(/\s+/).slice(2, 4).join(" ")).join("  |  ");
    if (report !== shown) {
      shown = report;
      say(`    ${report}`);
    }
    await sleep(100);
  }
  check(passed === total, `all ${total} discs burned and verified (one after a failed verify, re-queued at 5)`);
  check(standdCmd("qreport").out.split("\n").length <= 1, "the queue is empty");
  for (const b of burners) b.proc.kill("SIGTERM");
  check((await Promise.all(burners.map((b) => b.exited))).every((code) => code === 0), "SIGTERM stopped every burnerd");
  standd.kill("SIGTERM");
  check((await standdExit) === 0, "SIGTERM stopped standd cleanly");
}

const work = mkdtempSync(join(tmpdir(), "unt-demo-"));
try {
  await ptbwDemo(work);
  await pzogDemo(work);
  await spreedDemo();
  await kdosdDemo(work);
  await standDemo(work);
  say("demo: all checks passed");
} catch (err) {
  say(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  for (const d of daemons) if (d.exitCode === null && d.signalCode === null) d.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}

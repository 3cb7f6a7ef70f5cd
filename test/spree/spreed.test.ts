/**
 * dist/spreed as an operator and its users meet it: real TCP on loopback,
 * `spreed 9p` as the manual page's client, scripted members playing a whole
 * game, many connections at once, limits, signals and exit statuses.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { Client } from "../../lib/ninep/io/client.ts";
import { playFirstLegal } from "../../lib/spree/io/autoplay.ts";
import { SpreeMember } from "../../lib/spree/io/member.ts";
import { tempDir } from "../helpers/fs.ts";
import { waitFor } from "../helpers/net.ts";
import { type Background, background, programArgv, run } from "../helpers/process.ts";

const clients: Client[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sockets.splice(0)) s.destroy();
});

/** dist/spreed on an ephemeral loopback port; resolves once it listens. */
async function startSpreed(...args: string[]): Promise<{ proc: Background; dial: string }> {
  const proc = background([...programArgv("spreed"), "-a", "tcp!127.0.0.1!0", ...args]);
  const dial = await waitFor("spreed to listen", () => /listening on (tcp!127\.0\.0\.1!\d+)/.exec(proc.stderr())?.[1], {
    state: () => proc.stderr(),
  });
  return { proc, dial };
}

async function stop(proc: Background): Promise<void> {
  process.kill(proc.pid, "SIGTERM");
  const end = await proc.exited;
  expect(end.stderr).not.toMatch(/error|exception/i);
  expect(end.code).toBe(0);
}

async function client(dial: string): Promise<Client> {
  const c = await Client.connect(dial);
  clients.push(c);
  await c.version();
  return c;
}

/** `spreed 9p rdwr` with a stdin the test types into. */
function rdwr(dial: string, user: string, path: string): Background & { type(line: string): void; end(): void } {
  const proc = background([...programArgv("spreed"), "9p", "-a", dial, "-u", user, "rdwr", path], { input: "open" });
  return {
    ...proc,
    type: (line: string) => void proc.child.stdin!.write(`${line}\n`),
    end: () => void proc.child.stdin!.end(),
  };
}

describe("the manual page's example", () => {
  test("a client opens new read-write, writes `create chat`, and two users chat through spreed 9p rdwr", async () => {
    const { proc, dial } = await startSpreed();
    const alice = rdwr(dial, "alice", "new");
    alice.type("create chat");
    await waitFor("alice's clienttype", () => alice.stdout().includes("clienttype chat \n"));
    const bob = rdwr(dial, "bob", "1/ctl");
    bob.type("join");
    await waitFor("bob's clienttype", () => bob.stdout().includes("clienttype chat \n"));
    alice.type("chat hello from alice");
    bob.type("chat hi alice");
    for (const who of [alice, bob]) {
      await waitFor("both lines on both", () => {
        const out = who.stdout();
        return out.includes("chat alice hello from alice \n") && out.includes("chat bob hi alice \n");
      });
    }
    alice.end();
    bob.end();
    for (const who of [alice, bob]) {
      const r = await who.exited;
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    // The last member left: the chat hung up and its directory went.
    const ls = await run([...programArgv("spreed"), "9p", "-a", dial, "ls", "/"]);
    expect(ls.stdout).toBe("0\nname\nnew\n");
    await stop(proc);
  });

  test("the library writes the literal `create chat\\n` to new and is joined on the same fid", async () => {
    const { proc, dial } = await startSpreed();
    const alice = await SpreeMember.join(await client(dial), "alice", "new", "create chat\n");
    const bob = await SpreeMember.join(await client(dial), "bob", "1/ctl");
    await alice.command("chat hello");
    for (const m of [alice, bob]) expect(await m.waitFor((l) => l.startsWith("chat "))).toBe("chat alice hello ");
    expect(alice.lines[0]).toBe("clienttype chat ");
    await stop(proc);
  });
});

/** The board as a member saw it: square → colour, from the `set 1 xy v` lines. */
function board(m: SpreeMember): string {
  const squares = new Map<string, string>();
  for (const line of m.lines) {
    const [verb, id, attr, value] = line.split(" ");
    if (verb === "set" && id === "1" && /^[a-h]{2}$/.test(attr!)) squares.set(attr!, value!);
  }
  return [...squares].sort().map(([k, v]) => `${k}=${v}`).join(" ");
}

test(
  "two scripted clients play gather 2 othello from the lobby to the end; players and a watcher see one final board",
  async () => {
    const { proc, dial } = await startSpreed();
    const [ca, cb, cc] = await Promise.all([client(dial), client(dial), client(dial)]);
    const lobbyA = await SpreeMember.join(ca, "alice", "0/ctl");
    const lobbyB = await SpreeMember.join(cb, "bob", "0/ctl");
    await lobbyA.waitFor((l) => l === "set 2 name alice");
    await lobbyA.waitFor((l) => l.endsWith(" name bob"));

    await lobbyA.command("start gather 2 othello");
    const created = await lobbyA.waitFor((l) => / \d+ 1 session$/.test(l));
    const session = created.split(" ")[1]!;
    const dir = (await lobbyA.waitFor((l) => l.startsWith(`set ${session} filename `))).split(" ")[3]!;
    const invited = lobbyA.lines.length;
    await lobbyA.command(`invite ${session} bob`);
    await lobbyA.waitFor((l) => l.endsWith(" name bob"), { from: invited });

    const black = await SpreeMember.join(ca, "alice", `${dir}/ctl`);
    const white = await SpreeMember.join(cb, "bob", `${dir}/ctl`);
    const watcher = await SpreeMember.join(cc, "carol", `${dir}/ctl`, "watch");
    await black.waitFor((l) => l === "watch carol ");
    await expect(white.command("start")).rejects.toThrow("only the owner can start a clique");
    await black.command("start");
    for (const m of [black, white, watcher]) await m.waitFor((l) => l === "set 1 turn 0");
    // Bob's lobby view: the session's title loses its parentheses at the
    // start, and the session has both players as members.
    const sessionB = (await lobbyB.waitFor((l) => /^set \d+ title othello$/.test(l))).split(" ")[1]!;
    const members = lobbyB.lines.filter((l) => new RegExp(`^create \\d+ ${sessionB} 1 member$`).test(l));
    expect(members.length).toBe(2);

    await expect(white.command("move 2 3")).rejects.toThrow("it is not your turn");
    await expect(watcher.command("move 2 3")).rejects.toThrow("you are only watching");
    await expect(black.command("move 0 0")).rejects.toThrow("cannot move there");
    const moves = await playFirstLegal(black, white);
    expect(moves).toBe(60);
    for (const m of [black, white, watcher]) await m.waitFor((l) => l === "set 1 turn 2");
    expect(board(white)).toBe(board(black));
    expect(board(watcher)).toBe(board(black));
    const final = board(black).split(" ");
    expect(final.filter((s) => s.endsWith("=0")).length).toBe(40);
    expect(final.filter((s) => s.endsWith("=1")).length).toBe(24);
    expect(black.lines).toContain("set 1 winner 0");

    // Both players leave: the game ends, and the lobby deletes its session.
    watcher.close();
    black.close();
    white.close();
    const gone = await lobbyB.waitFor((l) => l.startsWith("del ") && l.endsWith(` ${sessionB}`));
    expect(gone).toMatch(/^del \d+ 0 1 \d+$/);
    await stop(proc);
  },
  60_000,
);

test("200 connections join the lobby and each sends a chat line; every member receives all 200", async () => {
  const { proc, dial } = await startSpreed("--max-members", "200");
  const members = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => SpreeMember.join(await client(dial), `user${i}`, "0/ctl")),
  );
  await Promise.all(members.map((m, i) => m.command(`chat line from ${i}`)));
  for (const m of members) {
    await waitFor("all 200 chat lines", () => m.lines.filter((l) => l.startsWith("chat ")).length === 200, 30_000);
    const heard = new Set(m.lines.filter((l) => l.startsWith("chat ")));
    expect(heard.size).toBe(200);
    expect(heard.has("chat user7 line from 7 ")).toBe(true);
  }
  await stop(proc);
}, 60_000);

/** The resident set of a process, in KiB. */
function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

test("1000 idle connections, each versioned and attached, keep RSS bounded", async () => {
  const { proc, dial } = await startSpreed();
  const port = Number(dial.split("!")[2]);
  const warm = await client(dial);
  await warm.attach("warm");
  const before = rssKiB(proc.pid);
  const attachFrames = new Uint8Array([
    // Tversion msize 8216 "9P2000", then Tattach fid 1 afid NOFID uname "idle" aname "".
    19,
    0,
    0,
    0,
    100,
    255,
    255,
    24,
    32,
    0,
    0,
    6,
    0,
    57,
    80,
    50,
    48,
    48,
    48,
    23,
    0,
    0,
    0,
    104,
    1,
    0,
    1,
    0,
    0,
    0,
    255,
    255,
    255,
    255,
    4,
    0,
    105,
    100,
    108,
    101,
    0,
    0,
  ]);
  let answered = 0;
  await Promise.all(Array.from({ length: 1000 }, () =>
    new Promise<void>((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => s.write(attachFrames));
      sockets.push(s);
      let got = 0;
      s.on("data", (b) => {
        got += b.length;
        // Rversion (19 bytes) and Rattach (20 bytes).
        if (got >= 39) {
          answered++;
          resolve();
        }
      });
      s.on("error", reject);
    })));
  expect(answered).toBe(1000);
  const after = rssKiB(proc.pid);
  // A few KiB per idle connection at most, not the msize buffers a naive server would keep.
  expect(after - before).toBeLessThan(64 * 1024);
  for (const s of sockets.splice(0)) s.destroy();
  await stop(proc);
}, 60_000);

test("connections past --max-conns are closed at once and logged; the others are served", async () => {
  const { proc, dial } = await startSpreed("--max-conns", "2");
  const a = await client(dial);
  await client(dial);
  await expect(client(dial)).rejects.toThrow();
  expect(await a.attach("alice")).toBeDefined();
  await waitFor("the refusal logged", () => proc.stderr().includes("refused a connection"));
  await stop(proc);
});

test("a client that drops mid-game with held reads leaves cleanly; the clique goes on", async () => {
  const { proc, dial } = await startSpreed();
  const ca = await client(dial);
  const alice = await SpreeMember.join(ca, "alice", "new", "create chat");
  const bob = await SpreeMember.join(await client(dial), "bob", "1/ctl");
  const carolClient = await client(dial);
  const carol = await SpreeMember.join(carolClient, "carol", "1/ctl");
  await alice.waitFor((l) => l === "clienttype chat ");
  carolClient.close();
  await waitFor("carol's connection gone", () => carol.ended);
  await bob.command("say still here");
  expect(await alice.waitFor((l) => l.startsWith("say "))).toMatch(/^say \d+ still here $/);
  // Carol's name is free again: she may join anew.
  const again = await SpreeMember.join(await client(dial), "carol", "1/ctl");
  expect(await again.waitFor((l) => l === "clienttype chat ")).toBe("clienttype chat ");
  await stop(proc);
});

describe("operator", () => {
  test("--users admits only the listed names, and SIGHUP rereads the file", async () => {
    const dir = tempDir("spreed-users");
    const users = join(dir, "users");
    writeFileSync(users, "# players\nalice\n");
    const { proc, dial } = await startSpreed("--users", users);
    const c = await client(dial);
    await c.attach("alice");
    await expect(c.attach("bob")).rejects.toThrow("permission denied");
    await expect(c.attach("b ob")).rejects.toThrow("invalid user name");
    writeFileSync(users, "alice\nbob\n");
    process.kill(proc.pid, "SIGHUP");
    await waitFor("bob admitted", () => c.attach("bob").then(() => true, () => false));
    await stop(proc);
  });

  test("bad configurations end with the documented status and one line", async () => {
    const dir = tempDir("spreed-config");
    const bad = join(dir, "users");
    writeFileSync(bad, "alice\nb ob\n");
    const cases: [string[], number, RegExp][] = [
      [["--bogus"], 64, /unknown option/],
      [["--users", bad], 65, new RegExp(`${bad}:2: invalid user name`)],
      [["--users", join(dir, "missing")], 66, /cannot read/],
      [["--catalogue", join(dir, "missing")], 66, /cannot read/],
      [["--engines", "gather,othello"], 78, /lobby/],
      [["--engines", "lobby,nosuch"], 64, /unknown engine "nosuch"/],
      [["-a", "udp!127.0.0.1!1"], 64, /stream/],
      [["--msize", "100"], 64, /--msize/],
    ];
    for (const [args, code, message] of cases) {
      const r = await run([...programArgv("spreed"), ...args]);
      expect(`${args.join(" ")} → ${r.code}`).toBe(`${args.join(" ")} → ${code}`);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n").length).toBe(1);
    }
  });

  test("a listener that cannot bind is 71, naming the address", async () => {
    const { proc, dial } = await startSpreed();
    const r = await run([...programArgv("spreed"), "-a", dial]);
    expect(r.code).toBe(71);
    expect(r.stderr).toContain(`cannot listen on ${dial}`);
    await stop(proc);
  });

  test("a UNIX-domain listener replaces a stale socket but not another file", async () => {
    const dir = tempDir("spreed-unix");
    const path = join(dir, "spree.sock");
    writeFileSync(path, "not a socket");
    const r = await run([...programArgv("spreed"), "-a", `unix!${path}`]);
    expect(r.code).toBe(71);
    const first = background([...programArgv("spreed"), "-a", `unix!${dir}/live.sock`]);
    await waitFor("listening", () => first.stderr().includes("listening on unix!"));
    process.kill(first.pid, "SIGKILL");
    await first.exited;
    const second = background([...programArgv("spreed"), "-a", `unix!${dir}/live.sock`]);
    await waitFor("listening again", () => second.stderr().includes("listening on unix!"));
    const c = await client(`unix!${dir}/live.sock`);
    const root = await c.attach("alice");
    const name = await root.walk(["name"]);
    await name.open();
    expect(new TextDecoder().decode(await name.read(100))).toBe("alice");
    await stop(second);
  });
});

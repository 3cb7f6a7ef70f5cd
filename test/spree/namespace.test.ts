import { describe, expect, test } from "bun:test";
import { OREAD } from "../../lib/ninep/constants.ts";
import { encodeStat } from "../../lib/ninep/stat.ts";
import { catalogueFor } from "../../lib/spree/catalogue.ts";
import { installEngines } from "../../lib/spree/engines/registry.ts";
import { MAX_COMMAND, SpreeService } from "../../lib/spree/namespace.ts";
import type { CliqueApi, Engine } from "../../lib/spree/engine.ts";
import { MemberSet } from "../../lib/spree/sets.ts";
import { drain, FakeLoop, type Open } from "./fake-loop.ts";
import { type Script, scriptedModules } from "./scripted.ts";
import { loadTranscripts } from "./transcripts.ts";

const TRANSCRIPTS = loadTranscripts();
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** The captured reply body of the line labelled `label` in `section`. */
function captured(section: string, label: string): Uint8Array {
  const line = TRANSCRIPTS.get(section)!.find((l) => l.label === label);
  if (line?.reply.kind !== "reply") throw new Error(`no reply for ${section}: ${label}`);
  return line.reply.body;
}

/** spreed with the real engines: `inferno` as the original, else the default configuration. */
function real(opts: { inferno?: boolean; users?: ReadonlySet<string>; queueLimit?: number } = {}) {
  const engines = opts.inferno ? ["lobby", "gather", "othello"] : ["lobby", "gather", "othello", "chat"];
  const catalogue = catalogueFor(opts.inferno ? "inferno" : "default", engines);
  const logs: string[] = [];
  const service = new SpreeService({
    modules: installEngines(engines, catalogue),

    newFile: !opts.inferno,
    maxCliques: 1000,
    queueLimit: opts.queueLimit ?? 1 << 20,
    users: opts.users,
    log: (level, text) => logs.push(`${level}: ${text}`),
  });
  return { service, loop: new FakeLoop(service), logs };
}

/** spreed with scripted engines (`lobby` starts at once unless given). */
function scripted(scripts: Record<string, Script>) {
  const service = new SpreeService({
    modules: scriptedModules({ lobby: { init: (c) => (c.start(), "") }, ...scripts }),
    newFile: true,
    maxCliques: 1000,
    queueLimit: 1 << 20,
    log: () => {},
  });
  return { service, loop: new FakeLoop(service) };
}

/** Join clique `dir` as `uname` and read away what the join queued. */
function joinedFid(loop: FakeLoop, uname: string, dir: string, text = "join"): Open {
  const o = loop.fid(uname, dir, "ctl");
  expect(loop.write(o, text)).toBe(String(text.length));
  drain(loop, o);
  return o;
}

describe("files and stats (spec §2.6, §3)", () => {
  test("the root, name and ctl entries are the captured bytes (type and dev zeroed)", () => {
    const { service, loop } = real({ inferno: true });
    expect(hexOf(encodeStat(service.stat(0)!))).toBe(hexOf(captured("probe2", "stat root 1").subarray(2)));
    const ctl = loop.walk(loop.attach("root"), "0", "ctl") as { file: number };
    expect(ctl.file).toBe(1);
    const probe1 = captured("probe1", "stat ctl");
    const expected = probe1.slice(2);
    expected.fill(0, 2, 8); // setup B's mount layer put type 'M' and dev 3 there
    expect(hexOf(encodeStat(service.stat(ctl.file)!))).toBe(hexOf(expected));
    expect(service.stat(2)).toMatchObject({ name: "name", mode: 0o444, uid: "spree", gid: "spree", qid: { path: 2n } });
  });

  test("the root lists clique directories newest first, then name (captured), then new when served", () => {
    const { service, loop } = real({ inferno: true });
    const bob = joinedFid(loop, "bob", "0");
    expect(loop.write(bob, "start gather 2 othello")).toBe("22");
    const listing = service.list(0).map((s) => encodeStat(s));
    expect(hexOf(Buffer.concat(listing))).toBe(hexOf(captured("probe2", "readdir root 1")));
    const withNew = real();
    expect(withNew.service.list(0).map((s) => s.name)).toEqual(["0", "name", "new"]);
    expect(withNew.service.stat(5)).toMatchObject({ name: "new", mode: 0o666, qid: { path: 5n } });
    expect(service.stat(5)).toBeUndefined();
    expect(service.walk(0, "new")).toBeUndefined();
  });

  test("a clique directory is owned by the clique's owner and lists engine files, then ctl", () => {
    const { service, loop } = scripted({
      game: {
        init: (c) => {
          c.fcreate(1, "data", 0o664, "alice");
          c.fcreate(2, "log", 0o600, "alice");
          return "";
        },
        readfile: (_c, f, offset, count) => new TextEncoder().encode(`f${f}@${offset}/${count}`),
      },
      lobby: { init: (c) => (c.newclique(["game"], "alice"), c.start(), "") },
    });
    expect(service.stat(0x13)).toMatchObject({ name: "1", uid: "alice", gid: "alice", mode: 0x8000016d });
    expect(service.list(0x13).map((s) => `${s.name} ${s.qid.path} ${s.mode.toString(8)} ${s.uid}`)).toEqual([
      `log ${(1 | (2 << 16)) * 16 + 4} 400 alice`,
      `data ${(1 | (1 << 16)) * 16 + 4} 444 alice`,
      "ctl 17 666 alice",
    ]);
    const data = loop.open(loop.walk(loop.attach("bob"), "1", "data"), OREAD) as Open;
    expect(loop.read(data, 100, 3n)).toBe("f1@3/100");
    expect(service.walk(0x13, "nothing")).toBeUndefined();
    expect(service.walk(0, "7")).toBeUndefined();
  });

  test("/name reads the attach's uname from the offset, without a newline", () => {
    const { loop } = real();
    const o = loop.fid("alice", "name");
    expect(loop.read(o, 8192)).toBe("alice");
    expect(loop.read(o, 2, 2n)).toBe("ic");
    expect(loop.read(o, 10, 5n)).toBe("");
    expect(loop.read(o, 10, 99n)).toBe("");
  });

  test("attach refuses an invalid uname, then one missing from the users set; the set can be replaced", () => {
    const { service } = real({ users: new Set(["alice"]) });
    expect(service.attach("al ice", "")).toBe("invalid user name");
    expect(service.attach("", "")).toBe("invalid user name");
    expect(service.attach("bob", "")).toBe("permission denied");
    expect(service.attach("alice", "")).toBe(0);
    service.setUsers(new Set(["bob"]));
    expect(service.attach("bob", "")).toBe(0);
    expect(service.attach("alice", "")).toBe("permission denied");
    service.setUsers(undefined);
    expect(service.attach("carol", "")).toBe(0);
  });

  test("remove is always refused", () => {
    expect(real().service.remove(2, "alice")).toBe("permission denied");
  });
});

describe("ctl (spec §4)", () => {
  test("a read while one is held is a duplicate; a flushed read may be sent again", () => {
    const { loop } = real();
    const a = loop.fid("alice", "0", "ctl");
    expect(loop.read(a)).toBe("(held)");
    expect(loop.read(a)).toBe("Rerror duplicate read");
    loop.flush(a);
    expect(loop.read(a)).toBe("(held)");
  });

  test("a zero-length write hangs the fid up: its held read gets EOF at once, later reads EOF, writes `hung up`", () => {
    const { loop } = real();
    const a = joinedFid(loop, "alice", "0");
    expect(loop.read(a)).toBe("(held)");
    expect(loop.write(a, "")).toBe("0");
    expect(loop.take()).toEqual([`alice/${a.fid}: `]);
    expect(loop.read(a)).toBe("");
    expect(loop.read(a)).toBe("");
    expect(loop.write(a, "chat hi")).toBe("Rerror hung up");
    expect(loop.write(a, "")).toBe("Rerror hung up");
  });

  test(`a write over ${MAX_COMMAND} bytes is refused; one of ${MAX_COMMAND} is passed on whole`, () => {
    const { loop } = real();
    const a = joinedFid(loop, "alice", "0");
    expect(loop.write(a, `chat ${"x".repeat(MAX_COMMAND - 4)}`)).toBe("Rerror command too long");
    expect(loop.write(a, `chat ${"x".repeat(MAX_COMMAND - 5)}`)).toBe(String(MAX_COMMAND));
    expect(loop.read(a)).toBe(`chat alice ${"x".repeat(MAX_COMMAND - 5)} \n`);
  });

  test("invalid UTF-8 reaches the engine as U+FFFD", () => {
    const { loop } = real();
    const a = joinedFid(loop, "alice", "0");
    expect(loop.write(a, new Uint8Array([...new TextEncoder().encode("chat "), 0xff, 0x41]))).toBe("7");
    expect(loop.read(a)).toBe("chat alice \ufffdA \n");
  });

  test("held reads are answered in clique-slot order, most recently opened fid first within a ctl", () => {
    const all = (c: CliqueApi, what: string) => c.action(what, [], "", MemberSet.all);
    const { loop } = scripted({
      lobby: {
        init: (c) => (c.newclique(["game"], "spree"), c.start(), ""),
        command: (c) => (all(c, "lobby"), c.notify(1, "poke"), ""),
      },
      game: { notify: (c) => all(c, "game") },
    });
    const fids = [["alice", "0"], ["bob", "0"], ["carol", "1"], ["dave", "1"]].map(([u, d]) => joinedFid(loop, u!, d!));
    const eve = joinedFid(loop, "eve", "0");
    for (const f of fids) expect(loop.read(f)).toBe("(held)");
    expect(loop.write(eve, "go")).toBe("2");
    expect(loop.take()).toEqual([
      `bob/${fids[1]!.fid}: lobby \n`,
      `alice/${fids[0]!.fid}: lobby \n`,
      `dave/${fids[3]!.fid}: game \n`,
      `carol/${fids[2]!.fid}: game \n`,
    ]);
  });

  test("a failed write's error comes after the held reads it answered", () => {
    const { loop } = scripted({
      lobby: {
        init: (c) => (c.start(), ""),
        command: (c) => (c.action("tried", [], "", MemberSet.all), "no such thing"),
      },
    });
    const a = joinedFid(loop, "alice", "0");
    const b = joinedFid(loop, "bob", "0");
    expect(loop.read(a)).toBe("(held)");
    expect(loop.write(b, "x")).toBe("Rerror no such thing");
    expect(loop.take()).toEqual([`alice/${a.fid}: tried \n`]);
  });

  test("clunking leaves: the others see it, and the name may open again", () => {
    const { loop } = real();
    const a = joinedFid(loop, "alice", "0");
    const b = joinedFid(loop, "bob", "0");
    drain(loop, a);
    expect(loop.read(b)).toBe("(held)");
    expect(loop.read(a)).toBe("(held)");
    loop.clunk(a);
    expect(loop.take()).toEqual([`alice/${a.fid}: `, `bob/${b.fid}: del 1 0 1 2\n`]);
    expect(typeof loop.fid("alice", "0", "ctl")).toBe("object");
  });

  test("a hung-up clique's directory goes with its last open fid; walks then fail", () => {
    const { service, loop } = real();
    const alice = joinedFid(loop, "alice", "0");
    expect(loop.write(alice, "start chat")).toBe("10");
    const a = joinedFid(loop, "alice", "1");
    const lurker = loop.fid("bob", "1", "ctl");
    loop.clunk(a);
    expect(service.stat(0x13)).toBeDefined();
    expect(loop.open(loop.walk(loop.attach("carol"), "1", "ctl"))).toBe("hungup");
    expect(loop.read(lurker)).toBe("");
    loop.clunk(lurker);
    expect(service.stat(0x13)).toBeUndefined();
    expect(service.stat(0x11)).toBeUndefined();
    expect(loop.walk(loop.attach("carol"), "1")).toBe("file does not exist");
    expect(service.list(0).map((s) => s.name)).toEqual(["0", "name", "new"]);
  });

  test("an engine that throws: `clique exited`, and every fid of the clique hangs up", () => {
    const { loop } = scripted({
      lobby: {
        init: (c) => (c.start(), ""),
        command: () => {
          throw new Error("oops");
        },
      },
    });
    const a = joinedFid(loop, "alice", "0");
    const b = joinedFid(loop, "bob", "0");
    expect(loop.read(b)).toBe("(held)");
    expect(loop.write(a, "x")).toBe("Rerror clique exited");
    expect(loop.take()).toEqual([`bob/${b.fid}: `]);
    expect(loop.open(loop.walk(loop.attach("carol"), "0", "ctl"))).toBe("hungup");
  });

  test("a fid whose queue passes --queue-limit is hung up; reads then get EOF", () => {
    const { loop, logs } = real({ queueLimit: 4096 });
    const a = joinedFid(loop, "alice", "0");
    const b = joinedFid(loop, "bob", "0");
    for (let i = 0; i < 30; i++) {
      expect(loop.write(b, `chat ${"y".repeat(200)}`)).toBe("205");
      expect(loop.read(b)).toBe(`chat bob ${"y".repeat(200)} \n`);
    }
    expect(loop.read(a)).toBe("");
    expect(loop.write(a, "chat hi")).toBe("Rerror hung up");
    expect(logs.some((l) => l.includes("alice hung up"))).toBe(true);
  });
});

describe("the new file (spec §5)", () => {
  test("the manual page example: create chat, read, and a second member's chat", () => {
    const { service, loop } = real();
    const a = loop.fid("alice", "new");
    expect(loop.read(a)).toBe("(held)");
    expect(loop.write(a, "create chat\n")).toBe("12");
    expect(loop.take()).toEqual([`alice/${a.fid}: clienttype chat \n`]);
    expect(service.list(0).map((s) => s.name)).toEqual(["1", "0", "name", "new"]);
    expect(service.stat(0x13)?.uid).toBe("alice");
    const b = joinedFid(loop, "bob", "1");
    expect(loop.write(a, "chat hello")).toBe("10");
    expect(loop.read(a)).toBe("chat alice hello \n");
    expect(loop.read(b)).toBe("chat alice hello \n");
    expect(loop.open(loop.walk(loop.attach("alice"), "1", "ctl"))).toBe("you cannot join a clique twice");
  });

  test("the lobby shows the session started through new, as for its start command", () => {
    const { loop } = real();
    const bob = joinedFid(loop, "bob", "0");
    const a = loop.fid("alice", "new");
    expect(loop.write(a, "create gather 2 othello")).toBe("23");
    expect(loop.read(a)).toBe("clienttype gather \n\n*");
    expect(loop.read(a)).toBe("title othello \njoin alice \n");
    expect(loop.read(bob)).toBe(
      "create 9 3 1 session\nset 9 name 1\nset 9 title (othello)\nset 9 filename 1\nset 9 owner alice\n" +
        "create 10 9 1 invite\nset 10 name alice\nset 9 title (othello)\ncreate 11 9 1 member\nset 11 name alice\n",
    );
  });

  test("bad create requests leave the fid unbound, so it can try again", () => {
    const { loop } = real();
    const a = loop.fid("alice", "new");
    expect(loop.write(a, "join")).toBe("Rerror bad command");
    expect(loop.write(a, " \n")).toBe("Rerror bad command");
    expect(loop.write(a, "create\n")).toBe("Rerror bad start params");
    expect(loop.write(a, "create nosuch")).toBe(
      "Rerror cannot load engine: '/dis/spree/engines/nosuch.dis' does not exist",
    );
    expect(loop.write(a, "create gather 0 othello")).toBe("Rerror bad gather count");
    expect(loop.write(a, "create chat")).toBe("11");
  });

  test("an unbound new fid hangs up like a ctl fid, and its held read is answered", () => {
    const { loop } = real();
    const a = loop.fid("alice", "new");
    expect(loop.read(a)).toBe("(held)");
    expect(loop.write(a, "")).toBe("0");
    expect(loop.take()).toEqual([`alice/${a.fid}: `]);
    expect(loop.write(a, "create chat")).toBe("Rerror hung up");
    loop.clunk(a);
  });

  test("a join refused after the create hangs the new clique up and the fid with it", () => {
    let lobby: CliqueApi | undefined;
    const heard: string[] = [];
    const engines: Record<string, () => Engine> = {
      lobby: () => ({
        init: (c) => (lobby = c, c.start(), ""),
        join: () => "",
        leave: () => true,
        command: () => "",
        notify: (from, note) => void heard.push(`${from}: '${note}'`),
        readfile: () => new Uint8Array(0),
        startSession: (owner: string, argv: string[]) => lobby!.newclique(argv, owner),
      }),
      picky: () => ({
        init: () => "",
        join: () => "you have not been invited",
        leave: () => true,
        command: () => "",
        notify: () => {},
        readfile: () => new Uint8Array(0),
      }),
    };
    const service = new SpreeService({
      modules: { engine: (name) => engines[name]?.() ?? "no", game: () => "no" },
      newFile: true,
      maxCliques: 1000,
      queueLimit: 1 << 20,
      log: () => {},
    });
    const loop = new FakeLoop(service);
    const a = loop.fid("alice", "new");
    expect(loop.write(a, "create picky")).toBe("Rerror you have not been invited");
    expect(heard).toEqual(["1: ''"]);
    expect(loop.read(a)).toBe("");
    expect(loop.write(a, "create picky")).toBe("Rerror hung up");
    expect(service.stat(0x13)).toMatchObject({ name: "1", uid: "alice" });
    loop.clunk(a);
    expect(service.stat(0x13)).toBeUndefined();
  });

  test("without a lobby that starts sessions, create is a bad command", () => {
    const { loop } = scripted({ chat: {} });
    expect(loop.write(loop.fid("alice", "new"), "create chat")).toBe("Rerror bad command");
  });

  test("a bound new fid counts as an open fid of its clique: clunking it leaves and ends a chat", () => {
    const { service, loop } = real();
    const a = loop.fid("alice", "new");
    expect(loop.write(a, "create chat")).toBe("11");
    loop.clunk(a);
    expect(service.stat(0x13)).toBeUndefined();
  });
});

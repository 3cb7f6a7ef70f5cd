/**
 * The 9P2000 server loop (lib/ninep/server.ts) against the toy service,
 * with recorded effects: every rule of spreed spec §2 the loop owns.
 */
import { describe, expect, test } from "bun:test";
import { concatBytes } from "../../lib/bytes.ts";
import type { StreamEffects, StreamPeer } from "../../lib/core.ts";
import { decodeR, encode } from "../../lib/ninep/codec.ts";
import { NOFID, NOTAG, OEXEC, ORCLOSE, ORDWR, OREAD, OTRUNC, OWRITE } from "../../lib/ninep/constants.ts";
import { splitDirectory } from "../../lib/ninep/dirread.ts";
import type { Qid, RMessage, Stat, TMessage } from "../../lib/ninep/messages.ts";
import { NinepServer, type NinepServerOptions } from "../../lib/ninep/server.ts";
import { encodeStat } from "../../lib/ninep/stat.ts";
import { frame } from "./hex.ts";
import {
  BIG,
  CTL,
  DIARY,
  FIRST_MANY,
  MANY,
  MANY_DIR,
  PRIVATE,
  README,
  README_TEXT,
  ROOT,
  type ToyOpen,
  ToyService,
} from "./toy-service.ts";

type Effect =
  | { conn: number; reply: RMessage }
  | { close: number }
  | { pause: number }
  | { resume: number }
  | { done: true };

const PEER: StreamPeer = { listener: "9p", address: "127.0.0.1", port: 40000 };
const text = (s: string) => new TextEncoder().encode(s);
const err = (tag: number, ename: string): RMessage => ({ type: "Rerror", tag, ename });
const rread = (tag: number, data: string | Uint8Array): RMessage => ({
  type: "Rread",
  tag,
  data: typeof data === "string" ? text(data) : data,
});
const on = (conn: number, reply: RMessage): Effect => ({ conn, reply });

/** A server over the toy service whose effects are recorded. */
class Rig {
  readonly toy = new ToyService();
  readonly logs: string[] = [];
  readonly server: NinepServer<number, ToyOpen>;
  #effects: Effect[] = [];

  constructor(options: NinepServerOptions = {}) {
    const never = (what: string) => () => {
      throw new Error(`unexpected ${what}`);
    };
    const fx: StreamEffects = {
      send: (conn, bytes) => {
        const reply = decodeR(bytes);
        if (reply.type === "malformed") throw new Error(`undecodable reply: ${reply.reason}`);
        this.#effects.push({ conn, reply });
      },
      close: (conn) => this.#effects.push({ close: conn }),
      pause: (conn) => this.#effects.push({ pause: conn }),
      resume: (conn) => this.#effects.push({ resume: conn }),
      abort: never("abort"),
      dial: never("dial"),
      log: (level, line) => this.logs.push(`${level}: ${line}`),
      done: () => this.#effects.push({ done: true }),
    };
    this.server = new NinepServer(fx, this.toy, options);
  }

  /** The effects since the last call. */
  take(): Effect[] {
    const taken = this.#effects;
    this.#effects = [];
    return taken;
  }

  open(conn: number): void {
    this.server.opened(conn, PEER, 0);
  }

  bytes(conn: number, bytes: Uint8Array): Effect[] {
    this.server.received(conn, bytes, 0);
    return this.take();
  }

  /** Send requests in one chunk; the effects they had. */
  t(conn: number, ...requests: TMessage[]): Effect[] {
    return this.bytes(conn, concatBytes(requests.map(encode)));
  }

  /** The one reply a request gets. */
  rpc(conn: number, request: TMessage): RMessage {
    const effects = this.t(conn, request);
    expect(effects).toHaveLength(1);
    expect(effects[0]).toHaveProperty("conn", conn);
    return (effects[0] as { reply: RMessage }).reply;
  }

  /** Open `conn` and agree on `msize`. */
  versioned(conn: number, msize = 8216): number {
    this.open(conn);
    expect(this.rpc(conn, { type: "Tversion", tag: NOTAG, msize, version: "9P2000" })).toEqual({
      type: "Rversion",
      tag: NOTAG,
      msize: Math.min(msize, 8216),
      version: "9P2000",
    });
    return conn;
  }

  /** Open `conn`, agree on msize, attach `uname` on `fid`. */
  attached(conn: number, uname = "alice", fid = 0): number {
    this.versioned(conn);
    expect(this.rpc(conn, { type: "Tattach", tag: 1, fid, afid: NOFID, uname, aname: "" }).type).toBe("Rattach");
    return conn;
  }

  /** Walk fid 0 to `names` onto `fid` and open it with `mode`. */
  walkOpen(conn: number, fid: number, names: string[], mode: number): void {
    expect(this.rpc(conn, { type: "Twalk", tag: 1, fid: 0, newfid: fid, wnames: names }).type).toBe("Rwalk");
    expect(this.rpc(conn, { type: "Topen", tag: 1, fid, mode }).type).toBe("Ropen");
  }
}

const qidOf = (rig: Rig, path: number): Qid => rig.toy.stat(path)!.qid;
const tread = (tag: number, fid: number, count = 8192, offset = 0n): TMessage => ({
  type: "Tread",
  tag,
  fid,
  offset,
  count,
});
const twrite = (tag: number, fid: number, data: string, offset = 0n): TMessage => ({
  type: "Twrite",
  tag,
  fid,
  offset,
  data: text(data),
});

describe("9P server: version", () => {
  test("Tversion caps msize and judges the version string per §2.2, whatever its tag", () => {
    const table: Array<[number, string, number, string]> = [
      [100000, "9P2000", 8216, "9P2000"],
      [300, "9P2000", 300, "9P2000"],
      [8216, "9P2000.u", 8216, "9P2000"],
      [8216, "9P2000.L", 8216, "9P2000"],
      [8216, "9P3000", 8216, "9P2000"],
      [8216, "9P", 8216, "unknown"],
      [8216, "9P1999", 8216, "unknown"],
      [8216, "foo", 8216, "unknown"],
      [8216, "9P2000L", 8216, "unknown"],
    ];
    const rig = new Rig();
    table.forEach(([msize, version, agreed, answer], i) => {
      rig.open(i + 1);
      expect(rig.rpc(i + 1, { type: "Tversion", tag: i, msize, version })).toEqual({
        type: "Rversion",
        tag: i,
        msize: agreed,
        version: answer,
      });
    });
  });

  test("an msize below 256 is refused with message size too small and changes nothing", () => {
    const rig = new Rig();
    rig.open(1);
    expect(rig.rpc(1, { type: "Tversion", tag: NOTAG, msize: 255, version: "9P2000" })).toEqual(
      err(NOTAG, "message size too small"),
    );
    expect(rig.rpc(1, { type: "Tattach", tag: 1, fid: 0, afid: NOFID, uname: "alice", aname: "" })).toEqual(
      err(1, "Tversion not seen"),
    );
    rig.attached(2);
    expect(rig.rpc(2, { type: "Tversion", tag: 3, msize: 100, version: "9P2000" })).toEqual(
      err(3, "message size too small"),
    );
    expect(rig.rpc(2, { type: "Tstat", tag: 4, fid: 0 }).type).toBe("Rstat");
  });

  test("before the first Rversion every other request gets Tversion not seen and has no effect", () => {
    const rig = new Rig();
    rig.open(1);
    const requests: TMessage[] = [
      { type: "Tattach", tag: 1, fid: 0, afid: NOFID, uname: "alice", aname: "" },
      { type: "Tauth", tag: 2, afid: 0, uname: "alice", aname: "" },
      { type: "Tflush", tag: 3, oldtag: 1 },
      { type: "Tstat", tag: 4, fid: 0 },
      { type: "Tclunk", tag: 5, fid: 0 },
    ];
    expect(rig.t(1, ...requests)).toEqual(requests.map((m) => on(1, err(m.tag, "Tversion not seen"))));
    expect(rig.toy.calls).toEqual([]);
    rig.versioned(1);
    expect(rig.rpc(1, { type: "Tstat", tag: 6, fid: 0 })).toEqual(err(6, "bad fid"));
  });

  test("after Rversion unknown the connection works at that msize", () => {
    const rig = new Rig();
    rig.open(1);
    expect(rig.rpc(1, { type: "Tversion", tag: 1, msize: 300, version: "foo" })).toEqual({
      type: "Rversion",
      tag: 1,
      msize: 300,
      version: "unknown",
    });
    expect(rig.rpc(1, { type: "Tattach", tag: 2, fid: 0, afid: NOFID, uname: "alice", aname: "" }).type).toBe(
      "Rattach",
    );
    expect(rig.rpc(1, tread(3, 0, 300 - 24)).type).toBe("Rerror");
    expect(rig.bytes(1, frame(118, 4, new Uint8Array(301 - 7)))).toEqual([{ close: 1 }]);
  });

  test("a second Tversion drops held reads unanswered, clunks every fid in ascending order, then answers", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 9, ["ctl"], ORDWR);
    rig.walkOpen(1, 2, ["ctl"], OREAD);
    rig.walkOpen(1, 5, ["readme"], OREAD);
    expect(rig.t(1, tread(4, 9))).toEqual([]);
    rig.toy.calls.length = 0;
    // The held read's tag is no duplicate for a Tversion.
    expect(rig.t(1, { type: "Tversion", tag: 4, msize: 4096, version: "9P2000" })).toEqual([
      on(1, { type: "Rversion", tag: 4, msize: 4096, version: "9P2000" }),
    ]);
    expect(rig.toy.calls).toEqual([
      { call: "clunk", conn: 1, fid: 2, held: false },
      { call: "clunk", conn: 1, fid: 5, held: false },
      { call: "flushed", conn: 1, fid: 9 },
      { call: "clunk", conn: 1, fid: 9, held: false },
    ]);
    expect(rig.rpc(1, { type: "Tstat", tag: 5, fid: 0 })).toEqual(err(5, "bad fid"));
    rig.attached(2);
    rig.walkOpen(2, 1, ["ctl"], ORDWR);
    expect(rig.t(2, twrite(6, 1, "news"))).toEqual([on(2, { type: "Rwrite", tag: 6, count: 4 })]);
  });
});

describe("9P server: attach, auth, create, wstat", () => {
  test("Tauth is answered authentication not required", () => {
    const rig = new Rig();
    rig.versioned(1);
    expect(rig.rpc(1, { type: "Tauth", tag: 1, afid: 0, uname: "alice", aname: "" })).toEqual(
      err(1, "authentication not required"),
    );
  });

  test("Tcreate and Twstat are refused permission denied without looking at the fid", () => {
    const rig = new Rig();
    rig.versioned(1);
    expect(rig.rpc(1, { type: "Tcreate", tag: 1, fid: 99, name: "x", perm: 0o666, mode: OREAD })).toEqual(
      err(1, "permission denied"),
    );
    const stat = rig.toy.stat(README)!;
    expect(rig.rpc(1, { type: "Twstat", tag: 2, fid: 99, stat })).toEqual(err(2, "permission denied"));
  });

  test("Tattach refuses a fid in use before asking the service, then passes the service's refusal verbatim", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.toy.calls.length = 0;
    expect(rig.rpc(1, { type: "Tattach", tag: 2, fid: 0, afid: NOFID, uname: "bob", aname: "" })).toEqual(
      err(2, "fid already in use"),
    );
    expect(rig.toy.calls).toEqual([]);
    expect(rig.rpc(1, { type: "Tattach", tag: 3, fid: 1, afid: NOFID, uname: "nobody", aname: "x" })).toEqual(
      err(3, "permission denied"),
    );
    expect(rig.toy.calls).toEqual([{ call: "attach", uname: "nobody", aname: "x" }]);
  });

  test("Tattach answers the root's qid, and walks from the fid carry its uname", () => {
    const rig = new Rig();
    rig.versioned(1);
    expect(rig.rpc(1, { type: "Tattach", tag: 1, fid: 0, afid: NOFID, uname: "carol", aname: "" })).toEqual({
      type: "Rattach",
      tag: 1,
      qid: qidOf(rig, ROOT),
    });
    expect(rig.rpc(1, { type: "Tattach", tag: 2, fid: 1, afid: NOFID, uname: "dave", aname: "" }).type).toBe(
      "Rattach",
    );
    rig.walkOpen(1, 2, ["readme"], OREAD);
    expect(rig.rpc(1, { type: "Twalk", tag: 3, fid: 1, newfid: 3, wnames: ["ctl"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Topen", tag: 4, fid: 3, mode: OREAD }).type).toBe("Ropen");
    expect(rig.toy.calls.filter((c) => c.call === "open")).toEqual([
      { call: "open", file: README, mode: OREAD, msize: 8216, uname: "carol" },
      { call: "open", file: CTL, mode: OREAD, msize: 8216, uname: "dave" },
    ]);
  });
});

describe("9P server: walk", () => {
  test("nwname 0 clones the fid, and newfid equal to fid walks it in place", () => {
    const rig = new Rig();
    rig.attached(1);
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: [] })).toEqual({
      type: "Rwalk",
      tag: 1,
      qids: [],
    });
    expect(rig.rpc(1, { type: "Tstat", tag: 2, fid: 1 })).toMatchObject({ type: "Rstat", stat: { name: "." } });
    expect(rig.rpc(1, { type: "Twalk", tag: 3, fid: 1, newfid: 1, wnames: ["many", "f007"] })).toEqual({
      type: "Rwalk",
      tag: 3,
      qids: [qidOf(rig, MANY_DIR), qidOf(rig, FIRST_MANY + 7)],
    });
    expect(rig.rpc(1, { type: "Tstat", tag: 4, fid: 1 })).toMatchObject({ stat: { name: "f007" } });
    expect(rig.rpc(1, { type: "Tstat", tag: 5, fid: 0 })).toMatchObject({ stat: { name: "." } });
  });

  test("a walk failing at its first name is an Rerror; failing later, an Rwalk of the names walked and no newfid", () => {
    const rig = new Rig();
    rig.attached(1);
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["nosuch"] })).toEqual(
      err(1, "file does not exist"),
    );
    expect(rig.rpc(1, { type: "Twalk", tag: 2, fid: 0, newfid: 1, wnames: ["many", "nosuch", "f001"] })).toEqual({
      type: "Rwalk",
      tag: 2,
      qids: [qidOf(rig, MANY_DIR)],
    });
    expect(rig.rpc(1, { type: "Tstat", tag: 3, fid: 1 })).toEqual(err(3, "bad fid"));
    expect(rig.rpc(1, { type: "Twalk", tag: 4, fid: 0, newfid: 0, wnames: ["many", "nosuch"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Tstat", tag: 5, fid: 0 })).toMatchObject({ stat: { name: "." } });
  });

  test("walk checks bad fid, fid already opened, fid already in use and too many fids, in that order", () => {
    const rig = new Rig({ maxFids: 3 });
    rig.attached(1);
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 7, newfid: 0, wnames: ["x"] })).toEqual(err(1, "bad fid"));
    rig.walkOpen(1, 1, ["readme"], OREAD);
    expect(rig.rpc(1, { type: "Twalk", tag: 2, fid: 1, newfid: 0, wnames: [] })).toEqual(
      err(2, "fid already opened"),
    );
    expect(rig.rpc(1, { type: "Twalk", tag: 3, fid: 0, newfid: 1, wnames: ["nosuch"] })).toEqual(
      err(3, "fid already in use"),
    );
    expect(rig.rpc(1, { type: "Twalk", tag: 4, fid: 0, newfid: 2, wnames: [] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Twalk", tag: 5, fid: 0, newfid: 3, wnames: ["nosuch"] })).toEqual(
      err(5, "too many fids"),
    );
    expect(rig.rpc(1, { type: "Twalk", tag: 6, fid: 2, newfid: 2, wnames: ["many"] }).type).toBe("Rwalk");
  });

  test("walking on from a file is not a directory", () => {
    const rig = new Rig();
    rig.attached(1);
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["readme", "x"] })).toEqual({
      type: "Rwalk",
      tag: 1,
      qids: [qidOf(rig, README)],
    });
    expect(rig.rpc(1, { type: "Twalk", tag: 2, fid: 0, newfid: 1, wnames: ["readme"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Twalk", tag: 3, fid: 1, newfid: 2, wnames: [".."] })).toEqual(
      err(3, "not a directory"),
    );
  });

  test(".. is the parent, the root's parent is the root, and . is no child", () => {
    const rig = new Rig();
    rig.attached(1);
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["..", "private", "diary"] })).toEqual({
      type: "Rwalk",
      tag: 1,
      qids: [qidOf(rig, ROOT), qidOf(rig, PRIVATE), qidOf(rig, DIARY)],
    });
    expect(rig.rpc(1, { type: "Twalk", tag: 2, fid: 0, newfid: 2, wnames: ["many", "..", "readme"] })).toEqual({
      type: "Rwalk",
      tag: 2,
      qids: [qidOf(rig, MANY_DIR), qidOf(rig, ROOT), qidOf(rig, README)],
    });
    expect(rig.rpc(1, { type: "Twalk", tag: 3, fid: 0, newfid: 3, wnames: ["."] })).toEqual(
      err(3, "file does not exist"),
    );
  });

  test("walking into a directory needs its exec bit for the uname: owner, group or other", () => {
    // private/ is 0750, uid alice, gid staff.
    const rig = new Rig();
    for (const [conn, uname, ok] of [[1, "alice", true], [2, "staff", true], [3, "bob", false]] as const) {
      rig.attached(conn, uname);
      const reply = rig.rpc(conn, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["private", "diary"] });
      if (ok) expect(reply).toMatchObject({ type: "Rwalk", qids: [qidOf(rig, PRIVATE), qidOf(rig, DIARY)] });
      else expect(reply).toEqual({ type: "Rwalk", tag: 1, qids: [qidOf(rig, PRIVATE)] });
    }
  });

  test("a fid whose file is gone fails walk, open and stat with file does not exist", () => {
    const rig = new Rig();
    rig.attached(1, "toy");
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["many", "f007"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Twalk", tag: 2, fid: 1, newfid: 2, wnames: [] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Tremove", tag: 3, fid: 1 })).toEqual({ type: "Rremove", tag: 3 });
    expect(rig.t(
      1,
      { type: "Twalk", tag: 4, fid: 2, newfid: 3, wnames: [] },
      { type: "Topen", tag: 5, fid: 2, mode: OREAD },
      { type: "Tstat", tag: 6, fid: 2 },
    )).toEqual([4, 5, 6].map((tag) => on(1, err(tag, "file does not exist"))));
  });
});

describe("9P server: open", () => {
  test("open checks fid, opened, existence, mode, directory, permissions and ORCLOSE in that order", () => {
    const rig = new Rig();
    rig.attached(1);
    const walk = (fid: number, names: string[]) =>
      expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: fid, wnames: names }).type).toBe("Rwalk");
    const open = (fid: number, mode: number) => rig.rpc(1, { type: "Topen", tag: 2, fid, mode });
    walk(1, ["readme"]);
    walk(2, []);
    walk(3, ["ctl"]);
    walk(4, ["secret"]);
    expect(open(9, OREAD)).toEqual(err(2, "bad fid"));
    for (const mode of [OEXEC, 0x20, 0x80, OEXEC | OTRUNC, 4]) expect(open(1, mode)).toEqual(err(2, "bad argument"));
    for (const mode of [OWRITE, ORDWR, OREAD | OTRUNC, OREAD | ORCLOSE]) {
      expect(open(2, mode)).toEqual(err(2, "permission denied"));
    }
    for (const mode of [OWRITE, ORDWR, OREAD | OTRUNC]) expect(open(1, mode)).toEqual(err(2, "permission denied"));
    expect(open(3, ORDWR | ORCLOSE)).toEqual(err(2, "permission denied"));
    expect(open(4, OREAD)).toEqual(err(2, "permission denied"));
    expect(open(4, OWRITE | OTRUNC)).toMatchObject({ type: "Ropen", iounit: 8192 });
    expect(open(3, ORDWR | OTRUNC)).toEqual({ type: "Ropen", tag: 2, qid: qidOf(rig, CTL), iounit: 0 });
    expect(open(3, OREAD)).toEqual(err(2, "fid already opened"));
    expect(open(1, OREAD)).toMatchObject({ type: "Ropen" });
  });

  test("directories are opened by the loop with iounit msize - 24, other files by the service", () => {
    const rig = new Rig();
    rig.versioned(1, 1000);
    expect(rig.rpc(1, { type: "Tattach", tag: 1, fid: 0, afid: NOFID, uname: "alice", aname: "" }).type).toBe(
      "Rattach",
    );
    rig.walkOpen(1, 1, ["readme"], OREAD);
    expect(rig.toy.calls.slice(1)).toEqual([{ call: "open", file: README, mode: OREAD, msize: 1000, uname: "alice" }]);
    rig.toy.calls.length = 0;
    expect(rig.rpc(1, { type: "Topen", tag: 2, fid: 0, mode: OREAD })).toEqual({
      type: "Ropen",
      tag: 2,
      qid: qidOf(rig, ROOT),
      iounit: 976,
    });
    expect(rig.toy.calls).toEqual([]);
  });

  test("the service's refusal of an open is the Rerror, and the fid stays unopened", () => {
    const rig = new Rig();
    rig.attached(1, "mallory");
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["readme"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Topen", tag: 2, fid: 1, mode: OREAD })).toEqual(err(2, "you are banned"));
    expect(rig.rpc(1, tread(3, 1))).toEqual(err(3, "read/write -- on non open fid"));
  });
});

describe("9P server: read", () => {
  test("read checks fid, open, mode, count and offset in that order", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["ctl"], OWRITE);
    rig.walkOpen(1, 2, ["readme"], OREAD);
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 3, wnames: [] }).type).toBe("Rwalk");
    expect(rig.rpc(1, tread(4, 9))).toEqual(err(4, "bad fid"));
    expect(rig.rpc(1, tread(4, 3))).toEqual(err(4, "read/write -- on non open fid"));
    expect(rig.rpc(1, tread(4, 1))).toEqual(err(4, "read/write -- not open in suitable mode"));
    const count = "read/write -- count negative or exceeds msgsize";
    expect(rig.rpc(1, tread(4, 2, 0x80000000))).toEqual(err(4, count));
    expect(rig.rpc(1, tread(4, 2, 0xffffffff))).toEqual(err(4, count));
    expect(rig.rpc(1, tread(4, 2, 8216 - 23))).toEqual(err(4, count));
    expect(rig.rpc(1, tread(4, 2, 8192, 1n << 63n))).toEqual(err(4, "read/write -- bad offset"));
    expect(rig.rpc(1, tread(4, 2, 8192, (1n << 63n) - 1n))).toEqual(rread(4, ""));
    expect(rig.rpc(1, tread(4, 2, 8192))).toEqual(rread(4, README_TEXT));
    expect(rig.rpc(1, tread(4, 2, 5, 7n))).toEqual(rread(4, "world"));
  });

  test("a held read is answered by a write on another connection, after that write's own reply", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.attached(2, "bob");
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    rig.walkOpen(2, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    expect(rig.t(2, tread(5, 1))).toEqual([]);
    expect(rig.t(2, twrite(6, 1, "hello"))).toEqual([
      on(2, { type: "Rwrite", tag: 6, count: 5 }),
      on(1, rread(5, "hello")),
      on(2, rread(5, "hello")),
    ]);
  });

  test("a second read on a held fid gets the service's duplicate read, and the first stays held", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1), tread(6, 1))).toEqual([on(1, err(6, "duplicate read"))]);
    expect(rig.t(1, twrite(7, 1, "x"))).toEqual([on(1, { type: "Rwrite", tag: 7, count: 1 }), on(1, rread(5, "x"))]);
  });

  test("a zero-length read of a held file is still the service's to hold", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1, 0))).toEqual([]);
    expect(rig.t(1, twrite(6, 1, ""))).toEqual([on(1, { type: "Rwrite", tag: 6, count: 0 }), on(1, rread(5, ""))]);
  });
});

describe("9P server: directory reads", () => {
  /** Names in a directory read's data. */
  const names = (reply: RMessage): string[] => {
    if (reply.type !== "Rread") throw new Error(`${reply.type} is no Rread`);
    const stats = splitDirectory(reply.data);
    if ("error" in stats) throw new Error(stats.error);
    return stats.map((s: Stat) => s.name);
  };

  test("reads from where the last ended go on until a 0-byte read, listing every entry once", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["many"], OREAD);
    const all = rig.toy.manyStats().map((s) => s.name);
    for (const count of [8192, 500, 60]) {
      const seen: string[] = [];
      let offset = 0n;
      for (;;) {
        const reply = rig.rpc(1, tread(2, 1, count, offset));
        const got = names(reply);
        if (got.length === 0) break;
        seen.push(...got);
        offset += BigInt((reply as { data: Uint8Array }).data.length);
      }
      expect(seen).toEqual(all);
    }
  });

  test("offset 0 starts again from the first entry", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["many"], OREAD);
    const first = names(rig.rpc(1, tread(2, 1, 300)));
    expect(first.length).toBeGreaterThan(0);
    expect(names(rig.rpc(1, tread(3, 1, 300)))).toEqual(first);
  });

  test("any other offset returns the entries starting at or after it", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, [], OREAD);
    const entries = rig.toy.list(ROOT).map(encodeStat);
    const names0 = rig.toy.list(ROOT).map((s) => s.name);
    expect(names(rig.rpc(1, tread(2, 1, 8192, 1n)))).toEqual(names0.slice(1));
    const third = BigInt(entries[0]!.length + entries[1]!.length);
    expect(names(rig.rpc(1, tread(3, 1, 8192, third)))).toEqual(names0.slice(2));
    expect(names(rig.rpc(1, tread(4, 1, 8192, third - 1n)))).toEqual(names0.slice(2));
    expect(names(rig.rpc(1, tread(5, 1, 8192, 1n << 40n)))).toEqual([]);
  });

  test("entries are never split: a count too small for the next entry gives 0 bytes", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, [], OREAD);
    const first = encodeStat(rig.toy.list(ROOT)[0]!);
    expect(rig.rpc(1, tread(2, 1, first.length - 1))).toEqual(rread(2, new Uint8Array(0)));
    expect(rig.rpc(1, tread(3, 1, first.length))).toEqual(rread(3, first));
    expect(rig.rpc(1, tread(4, 1, first.length * 2 - 1, BigInt(first.length)))).toMatchObject({
      data: encodeStat(rig.toy.list(ROOT)[1]!),
    });
  });

  test("each fid keeps its own place", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["many"], OREAD);
    rig.walkOpen(1, 2, ["many"], OREAD);
    // Each entry is 59 bytes: three fit in 200.
    const a = rig.rpc(1, tread(3, 1, 200)) as { data: Uint8Array };
    expect(names(rig.rpc(1, tread(4, 2, 200)))).toEqual(["f000", "f001", "f002"]);
    expect(names(rig.rpc(1, tread(5, 1, 200, BigInt(a.data.length))))).toEqual(["f003", "f004", "f005"]);
  });
});

describe("9P server: write", () => {
  test("write checks fid, open, directory, mode and offset in that order", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, [], OREAD);
    rig.walkOpen(1, 2, ["ctl"], OREAD);
    rig.walkOpen(1, 3, ["ctl"], OWRITE);
    expect(rig.rpc(1, { type: "Twalk", tag: 1, fid: 0, newfid: 4, wnames: ["ctl"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, twrite(5, 9, "x"))).toEqual(err(5, "bad fid"));
    expect(rig.rpc(1, twrite(5, 4, "x"))).toEqual(err(5, "read/write -- on non open fid"));
    expect(rig.rpc(1, twrite(5, 1, "x", 1n << 63n))).toEqual(err(5, "permission denied"));
    expect(rig.rpc(1, twrite(5, 2, "x", 1n << 63n))).toEqual(err(5, "read/write -- not open in suitable mode"));
    expect(rig.rpc(1, twrite(5, 3, "x", 1n << 63n))).toEqual(err(5, "read/write -- bad offset"));
    expect(rig.rpc(1, twrite(5, 3, "x", (1n << 63n) - 1n))).toEqual({ type: "Rwrite", tag: 5, count: 1 });
  });

  test("the service's count or refusal is the reply", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.rpc(1, twrite(2, 1, "fail"))).toEqual(err(2, "you asked for it"));
    expect(rig.rpc(1, twrite(3, 1, "ok"))).toEqual({ type: "Rwrite", tag: 3, count: 2 });
  });

  test("a write failing after held reads is answered after the held reads it made answerable", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.attached(2, "bob");
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    rig.walkOpen(2, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    expect(rig.t(2, tread(5, 1))).toEqual([]);
    expect(rig.t(2, twrite(6, 1, "late news"))).toEqual([
      on(1, rread(5, "news")),
      on(2, rread(5, "news")),
      on(2, err(6, "late failure")),
    ]);
  });
});

describe("9P server: flush and tags", () => {
  test("Tflush drops a held read for good, and the fid may read again", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.attached(2, "bob");
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    rig.walkOpen(2, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    rig.toy.calls.length = 0;
    expect(rig.t(1, { type: "Tflush", tag: 6, oldtag: 5 })).toEqual([on(1, { type: "Rflush", tag: 6 })]);
    expect(rig.toy.calls).toEqual([{ call: "flushed", conn: 1, fid: 1 }]);
    expect(rig.t(2, twrite(7, 1, "one"))).toEqual([on(2, { type: "Rwrite", tag: 7, count: 3 })]);
    expect(rig.t(1, tread(5, 1))).toEqual([on(1, rread(5, "one"))]);
  });

  test("Tflush of a tag nothing holds is answered Rflush", () => {
    const rig = new Rig();
    rig.attached(1);
    expect(rig.t(1, { type: "Tflush", tag: 6, oldtag: 5 })).toEqual([on(1, { type: "Rflush", tag: 6 })]);
    expect(rig.t(1, { type: "Tflush", tag: 7, oldtag: 7 })).toEqual([on(1, { type: "Rflush", tag: 7 })]);
  });

  test("a held read's tag is its connection's: flushing it elsewhere does nothing", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.attached(2, "bob");
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    expect(rig.t(2, { type: "Tflush", tag: 6, oldtag: 5 })).toEqual([on(2, { type: "Rflush", tag: 6 })]);
    expect(rig.t(2, { type: "Tstat", tag: 5, fid: 0 })).toMatchObject([{ conn: 2, reply: { type: "Rstat" } }]);
    expect(rig.t(1, twrite(7, 1, "x"))).toEqual([on(1, { type: "Rwrite", tag: 7, count: 1 }), on(1, rread(5, "x"))]);
  });

  test("a request reusing the tag of a held read gets duplicate tag, and the read stays held", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    expect(rig.t(1, { type: "Tstat", tag: 5, fid: 0 })).toEqual([on(1, err(5, "duplicate tag"))]);
    expect(rig.t(1, { type: "Tflush", tag: 5, oldtag: 5 })).toEqual([on(1, err(5, "duplicate tag"))]);
    expect(rig.t(1, twrite(7, 1, "x"))).toEqual([on(1, { type: "Rwrite", tag: 7, count: 1 }), on(1, rread(5, "x"))]);
  });
});

describe("9P server: clunk, remove, stat", () => {
  test("clunking a fid with a held read answers the read with EOF before Rclunk", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    rig.toy.calls.length = 0;
    expect(rig.t(1, { type: "Tclunk", tag: 6, fid: 1 })).toEqual([
      on(1, rread(5, "")),
      on(1, { type: "Rclunk", tag: 6 }),
    ]);
    expect(rig.toy.calls).toEqual([{ call: "clunk", conn: 1, fid: 1, held: false }]);
  });

  test("Tclunk of an unknown fid is bad fid; a clunked fid's number is free again", () => {
    const rig = new Rig();
    rig.attached(1);
    expect(rig.rpc(1, { type: "Tclunk", tag: 2, fid: 3 })).toEqual(err(2, "bad fid"));
    expect(rig.rpc(1, { type: "Tclunk", tag: 2, fid: 0 })).toEqual({ type: "Rclunk", tag: 2 });
    expect(rig.rpc(1, { type: "Tclunk", tag: 2, fid: 0 })).toEqual(err(2, "bad fid"));
    expect(rig.rpc(1, { type: "Tattach", tag: 3, fid: 0, afid: NOFID, uname: "alice", aname: "" }).type).toBe(
      "Rattach",
    );
    expect(rig.toy.calls.filter((c) => c.call === "clunk")).toEqual([]);
  });

  test("Tremove clunks exactly as Tclunk, then gives the service's answer", () => {
    const rig = new Rig();
    rig.attached(1, "toy");
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    rig.toy.calls.length = 0;
    expect(rig.t(1, { type: "Tremove", tag: 6, fid: 1 })).toEqual([
      on(1, rread(5, "")),
      on(1, err(6, "permission denied")),
    ]);
    expect(rig.toy.calls).toEqual([
      { call: "clunk", conn: 1, fid: 1, held: false },
      { call: "remove", file: CTL, uname: "toy" },
    ]);
    expect(rig.rpc(1, { type: "Tstat", tag: 7, fid: 1 })).toEqual(err(7, "bad fid"));
    expect(rig.rpc(1, { type: "Tremove", tag: 8, fid: 1 })).toEqual(err(8, "bad fid"));
    expect(rig.rpc(1, { type: "Twalk", tag: 9, fid: 0, newfid: 2, wnames: ["many", "f001"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Tremove", tag: 10, fid: 2 })).toEqual({ type: "Rremove", tag: 10 });
    expect(rig.toy.list(MANY_DIR)).toHaveLength(MANY - 1);
  });

  test("Tstat answers the file's stat entry", () => {
    const rig = new Rig();
    rig.attached(1);
    expect(rig.rpc(1, { type: "Tstat", tag: 1, fid: 9 })).toEqual(err(1, "bad fid"));
    expect(rig.rpc(1, { type: "Tstat", tag: 2, fid: 0 })).toEqual({
      type: "Rstat",
      tag: 2,
      stat: rig.toy.stat(ROOT)!,
    });
  });

  test("a reply larger than msize is replaced by Styx reply didn't fit", () => {
    const rig = new Rig();
    rig.versioned(1, 256);
    expect(rig.rpc(1, { type: "Tattach", tag: 1, fid: 0, afid: NOFID, uname: "alice", aname: "" }).type).toBe(
      "Rattach",
    );
    expect(rig.rpc(1, { type: "Twalk", tag: 2, fid: 0, newfid: 1, wnames: ["big"] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Tstat", tag: 3, fid: 1 })).toEqual(err(3, "Styx reply didn't fit"));
    expect(encodeStat(rig.toy.stat(BIG)!).length + 9).toBeGreaterThan(256);
  });
});

describe("9P server: framing and malformed input", () => {
  test("a size below 7 logs invalid 9P message size and closes only that connection, clunking its fids", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.attached(2, "bob");
    rig.walkOpen(1, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 1))).toEqual([]);
    rig.toy.calls.length = 0;
    const after = encode({ type: "Tstat", tag: 9, fid: 0 });
    expect(rig.bytes(1, concatBytes([new Uint8Array([6, 0, 0, 0]), after]))).toEqual([{ close: 1 }]);
    expect(rig.logs).toEqual(["warn: invalid 9P message size from 127.0.0.1!40000: connection closed"]);
    expect(rig.toy.calls).toEqual([{ call: "flushed", conn: 1, fid: 1 }, {
      call: "clunk",
      conn: 1,
      fid: 1,
      held: false,
    }]);
    expect(rig.bytes(1, after)).toEqual([]);
    expect(rig.rpc(2, { type: "Tstat", tag: 9, fid: 0 }).type).toBe("Rstat");
    rig.server.closed(1, undefined, 0);
    expect(rig.take()).toEqual([]);
  });

  test("a size above the cap before Tversion closes the connection as soon as the size field is in", () => {
    const rig = new Rig();
    rig.open(1);
    expect(rig.bytes(1, new Uint8Array([0x19, 0x20, 0]))).toEqual([]);
    expect(rig.server.buffered(1)).toBe(3);
    expect(rig.bytes(1, new Uint8Array([0]))).toEqual([{ close: 1 }]);
    expect(rig.logs).toEqual(["warn: 9P message longer than agreed from 127.0.0.1!40000: connection closed"]);
  });

  test("frames up to the cap are accepted before Tversion", () => {
    const rig = new Rig();
    rig.open(1);
    expect(rig.bytes(1, frame(118, 3, new Uint8Array(8216 - 7)))).toEqual([on(1, err(3, "Tversion not seen"))]);
    const write = encode({ type: "Twrite", tag: 4, fid: 0, offset: 0n, data: new Uint8Array(8216 - 23) });
    expect(write.length).toBe(8216);
    expect(rig.bytes(1, write)).toEqual([on(1, err(4, "Tversion not seen"))]);
  });

  test("after Rversion a frame above msize closes the connection, checked from the very next frame", () => {
    const rig = new Rig();
    rig.open(1);
    const version = encode({ type: "Tversion", tag: NOTAG, msize: 300, version: "9P2000" });
    const fits = frame(118, 1, new Uint8Array(300 - 7));
    const over = frame(118, 2, new Uint8Array(301 - 7));
    expect(rig.bytes(1, concatBytes([version, fits, over, fits]))).toEqual([
      on(1, { type: "Rversion", tag: NOTAG, msize: 300, version: "9P2000" }),
      on(1, err(1, "bad fid")),
      { close: 1 },
    ]);
    expect(rig.server.buffered(1)).toBe(0);
  });

  test("a well-framed request that does not decode gets bad 9P T-message format with its tag, and the connection goes on", () => {
    const rig = new Rig();
    rig.attached(1);
    const bad = [
      frame(120, 3, new Uint8Array(3)), // Tclunk cut short
      encode({ type: "Rclunk", tag: 4 }), // an R-message
      frame(200, 5, new Uint8Array(4)), // no such type
      frame(110, 6, concatBytes([new Uint8Array(8), new Uint8Array([17, 0]), new Uint8Array(34)])), // 17 names
      frame(118, 7, concatBytes([new Uint8Array(12), new Uint8Array([9, 0, 0, 0]), new Uint8Array(8)])), // count past the frame
    ];
    expect(rig.bytes(1, concatBytes(bad))).toEqual(
      [3, 4, 5, 6, 7].map((tag) => on(1, err(tag, "bad 9P T-message format"))),
    );
    expect(rig.rpc(1, { type: "Tstat", tag: 8, fid: 0 }).type).toBe("Rstat");
  });
});

describe("9P server: limits", () => {
  test("a fid beyond maxFids is too many fids, for attach after the service and for walk", () => {
    const rig = new Rig({ maxFids: 2 });
    rig.attached(1);
    expect(rig.rpc(1, { type: "Twalk", tag: 2, fid: 0, newfid: 1, wnames: [] }).type).toBe("Rwalk");
    expect(rig.rpc(1, { type: "Twalk", tag: 3, fid: 0, newfid: 2, wnames: [] })).toEqual(err(3, "too many fids"));
    rig.toy.calls.length = 0;
    expect(rig.rpc(1, { type: "Tattach", tag: 4, fid: 2, afid: NOFID, uname: "bob", aname: "" })).toEqual(
      err(4, "too many fids"),
    );
    expect(rig.rpc(1, { type: "Tattach", tag: 5, fid: 3, afid: NOFID, uname: "nobody", aname: "" })).toEqual(
      err(5, "permission denied"),
    );
    expect(rig.toy.calls).toHaveLength(2);
    expect(rig.rpc(1, { type: "Twalk", tag: 6, fid: 1, newfid: 1, wnames: ["many"] }).type).toBe("Rwalk");
    rig.attached(2);
  });

  test("a connection beyond maxConns is closed as it opens and logged; a closed one makes room", () => {
    const rig = new Rig({ maxConns: 2 });
    rig.versioned(1);
    rig.versioned(2);
    rig.open(3);
    expect(rig.take()).toEqual([{ close: 3 }]);
    expect(rig.logs).toEqual(["warn: refused a connection from 127.0.0.1!40000: 2 connections are open"]);
    expect(rig.bytes(3, encode({ type: "Tversion", tag: 1, msize: 8216, version: "9P2000" }))).toEqual([]);
    rig.server.closed(3, undefined, 0);
    rig.server.closed(1, "ECONNRESET", 0);
    rig.versioned(4);
  });

  test("reading pauses when unsent replies pass maxUnsent and resumes when the connection is writable", () => {
    const rig = new Rig({ maxUnsent: 100 });
    rig.attached(1);
    rig.server.writable(1, 0);
    rig.walkOpen(1, 1, ["readme"], OREAD);
    rig.server.writable(1, 0);
    // Each reply is 11 + 13 bytes: the fifth passes 100.
    const effects = rig.t(1, ...[1, 2, 3, 4, 5, 6, 7].map((tag) => tread(tag, 1)));
    expect(effects.map((e) => ("conn" in e ? e.reply.tag : e))).toEqual([1, 2, 3, 4, 5, { pause: 1 }, 6, 7]);
    rig.server.writable(1, 0);
    expect(rig.take()).toEqual([{ resume: 1 }]);
    rig.server.writable(1, 0);
    expect(rig.take()).toEqual([]);
  });
});

describe("9P server: lost connections and stop", () => {
  test("a lost connection clunks its fids in ascending order, drops held reads unanswered, then settles", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.attached(2, "bob");
    rig.walkOpen(1, 7, ["ctl"], ORDWR);
    rig.walkOpen(1, 3, ["ctl"], ORDWR);
    rig.walkOpen(2, 1, ["ctl"], ORDWR);
    expect(rig.t(1, tread(5, 7))).toEqual([]);
    expect(rig.t(2, tread(5, 1))).toEqual([]);
    expect(rig.t(1, { type: "Twrite", tag: 6, fid: 3, offset: 0n, data: text("bye") }, ...[])).toEqual([
      on(1, { type: "Rwrite", tag: 6, count: 3 }),
      on(1, rread(5, "bye")),
      on(2, rread(5, "bye")),
    ]);
    expect(rig.t(1, tread(8, 7))).toEqual([]);
    expect(rig.t(2, tread(5, 1))).toEqual([]);
    rig.toy.calls.length = 0;
    let settled = 0;
    const settle = rig.toy.settle.bind(rig.toy);
    rig.toy.settle = (answer) => {
      settled++;
      settle(answer);
    };
    rig.server.closed(1, undefined, 0);
    expect(rig.take()).toEqual([]);
    expect(rig.toy.calls).toEqual([
      { call: "clunk", conn: 1, fid: 3, held: false },
      { call: "flushed", conn: 1, fid: 7 },
      { call: "clunk", conn: 1, fid: 7, held: false },
    ]);
    expect(settled).toBe(1);
    expect(rig.bytes(1, encode({ type: "Tstat", tag: 1, fid: 0 }))).toEqual([]);
  });

  test("stop closes every connection with clunk semantics, says done, and refuses new ones", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.attached(2, "bob");
    rig.walkOpen(2, 1, ["ctl"], ORDWR);
    expect(rig.t(2, tread(5, 1))).toEqual([]);
    rig.toy.calls.length = 0;
    rig.server.stop();
    expect(rig.take()).toEqual([{ close: 1 }, { close: 2 }, { done: true }]);
    expect(rig.toy.calls).toEqual([{ call: "flushed", conn: 2, fid: 1 }, {
      call: "clunk",
      conn: 2,
      fid: 1,
      held: false,
    }]);
    rig.open(3);
    expect(rig.take()).toEqual([{ close: 3 }]);
    rig.server.closed(1, undefined, 0);
    rig.server.closed(2, undefined, 0);
    expect(rig.take()).toEqual([]);
    expect(rig.toy.calls).toHaveLength(2);
  });

  test("the server has no clock", () => {
    const rig = new Rig();
    expect(rig.server.nextDeadline()).toBeUndefined();
    rig.server.tick(0);
    expect(rig.take()).toEqual([]);
  });
});

describe("9P server: options and trace", () => {
  test("limits out of range are refused when the server is made", () => {
    for (const options of [{ msize: 255 }, { msize: 1048601 }, { msize: 1000.5 }, { maxFids: 0 }, { maxConns: 0 }]) {
      expect(() => new Rig(options)).toThrow(RangeError);
    }
    expect(() => new Rig({ msize: 1048600 })).not.toThrow();
  });

  test("a server of any service's types can be held as a NinepServer<unknown, unknown>", () => {
    const held: NinepServer<unknown, unknown> = new Rig().server;
    expect(held.nextDeadline()).toBeUndefined();
  });

  test("with trace, every T- and R-message is logged at debug level, one line each", () => {
    const rig = new Rig({ trace: true });
    rig.versioned(1);
    rig.t(1, { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["many", "f000"] });
    rig.bytes(1, frame(200, 2, new Uint8Array(0)));
    expect(rig.logs).toEqual([
      'debug: conn 1 <- Tversion tag 65535 msize 8216 version "9P2000"',
      'debug: conn 1 -> Rversion tag 65535 msize 8216 version "9P2000"',
      'debug: conn 1 <- Twalk tag 1 fid 0 newfid 1 wname "many" "f000"',
      'debug: conn 1 -> Rerror tag 1 ename "bad fid"',
      "debug: conn 1 <- malformed tag 2: unknown message type 200",
      'debug: conn 1 -> Rerror tag 2 ename "bad 9P T-message format"',
    ]);
  });

  test("without trace nothing is logged for well-behaved clients", () => {
    const rig = new Rig();
    rig.attached(1);
    rig.walkOpen(1, 1, ["readme"], OREAD);
    expect(rig.logs).toEqual([]);
  });
});

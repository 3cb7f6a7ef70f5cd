/**
 * standd's frontend sub-commands as clients (lib/stand/io/frontend.ts and
 * lib/stand/frontend-commands.ts) against a scripted protocol server in
 * this process: every sub-command, copies, the command token in its three
 * forms, QNO, DENIED, no server, a garbage reply, --json, and watch.
 * In-process runs check the exchanges; runs of a throwaway entry program
 * check exit statuses, the environment and signals.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { EX, Fatal } from "../../lib/exit.ts";
import { encode } from "../../lib/stand/codec.ts";
import { FrameReader } from "../../lib/stand/framing.ts";
import type { FrontendConfig, FrontendRequest } from "../../lib/stand/frontend.ts";
import { runFrontend } from "../../lib/stand/io/frontend.ts";
import type { BurnerRow, Ctype, Message, QueueRow } from "../../lib/stand/messages.ts";
import { tempDir } from "../helpers/fs.ts";
import { freePort, waitFor } from "../helpers/net.ts";
import { background, BUN, ROOT, run } from "../helpers/process.ts";

const U810 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const TEST = "d3d8bdfb7ef65711e707103deb1de8b2";
const DVD = "233c343e144c59081b9ea1da568a72e8";
const CD = "4a8e2f1a79f1f8507d5cdbdebb993219";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A connection as the scripted server saw it. */
interface Seen {
  ctype?: Ctype;
  id?: string;
  token?: string;
  messages: Message[];
}

/**
 * A standd that speaks just enough of the protocol: handshake with an
 * optional command token, QUEUE (QNO past `room`), QREPORT, SREPORT,
 * WHATIS, QDEL, NAME, OPEN; `override`, when set, answers every request
 * after the handshake instead (a string: raw bytes).
 */
class ScriptedStandd {
  server!: Server;
  port = 0;
  token: string | undefined;
  room = Infinity;
  override: ((m: Message) => Message | string) | undefined;
  queue: QueueRow[] = [];
  burners: BurnerRow[] = [];
  images = new Map<string, { filename: string; description: string; bytes?: number }>();
  opened: string[] = [];
  conns: Seen[] = [];
  #next = 1;
  readonly #sockets = new Set<Socket>();

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((socket) => this.#serve(socket));
    await new Promise<void>((resolve) => this.server.listen({ host: "127.0.0.1", port: this.port }, resolve));
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  reset(): void {
    Object.assign(this, { token: undefined, room: Infinity, override: undefined, queue: [], opened: [], conns: [] });
    this.burners = [
      { id: DVD, ctype: "BURNDVD", subject: TEST, state: 50, label: "left-1" },
      { id: CD, ctype: "BURNCDR", subject: "CDR", state: "AVAIL" },
    ];
    this.images = new Map([[TEST, {
      filename: "test.iso",
      description: "Test disc\r\n \r\nRandom data.",
      bytes: 314947584,
    }]]);
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => {});
    const seen: Seen = { messages: [] };
    this.conns.push(seen);
    const reader = new FrameReader();
    const send = (m: Message) => socket.write(encode(m));
    send({ type: "IDENT", ver: "V1" });
    socket.on("data", (chunk: Uint8Array) => {
      for (const event of reader.push(chunk)) {
        if (event.kind !== "message") throw new Error(`the client sent a bad frame: ${JSON.stringify(event)}`);
        const m = event.message;
        seen.messages.push(m);
        if (m.type === "ID") {
          Object.assign(seen, { ctype: m.ctype, id: m.id, token: m.token });
          if (m.ctype === "COMMAND" && this.token !== undefined && m.token !== this.token) {
            send({ type: "ERROR", code: "DENIED", text: "bad or missing command token" });
            socket.end();
            return;
          }
          send({ type: "CAPAB" });
        } else if (m.type !== "CAP" && this.override !== undefined) {
          const reply = this.override(m);
          socket.write(typeof reply === "string" ? reply : encode(reply));
        } else {
          const reply = this.#answer(m, seen);
          if (reply !== undefined) send(reply);
        }
      }
    });
  }

  #answer(m: Message, seen: Seen): Message | undefined {
    const commanding = m.type === "QUEUE" || m.type === "QDEL" || m.type === "NAME" || m.type === "OPEN_BURNER";
    if (commanding && seen.ctype !== "COMMAND") return { type: "ERROR", code: "DENIED", text: "COMMAND clients only" };
    const known = (id: string) => this.burners.find((b) => b.id === id);
    switch (m.type) {
      case "CAP":
        return undefined;
      case "QUEUE":
        if (this.queue.length >= this.room) return { type: "QNO" };
        this.queue.push({ item: this.#next++, hash: m.hash, prio: m.prio });
        return { type: "QOK" };
      case "QREPORT":
        return { type: "QLIST", items: this.queue };
      case "SREPORT":
        return { type: "SLIST", burners: this.burners };
      case "WHATIS": {
        const info = this.images.get(m.hash);
        return info === undefined ? { type: "INFO_ENOIDEA" } : { type: "INFO", hash: m.hash, ...info };
      }
      case "QDEL": {
        const before = this.queue.length;
        this.queue = this.queue.filter((r) => r.item !== m.item);
        return { type: this.queue.length < before ? "QOK" : "QNO" };
      }
      case "NAME": {
        const burner = known(m.id);
        if (burner === undefined) return { type: "QNO" };
        if (m.label === "") delete burner.label;
        else burner.label = m.label;
        return { type: "QOK" };
      }
      case "OPEN_BURNER":
        if (known(m.burnerId) === undefined) return { type: "QNO" };
        this.opened.push(m.burnerId);
        return { type: "QOK" };
      default:
        return { type: "ERROR", code: "UNKNOWN", text: m.type };
    }
  }
}

const standd = new ScriptedStandd();
let dir: string;
let entry: string;

beforeAll(async () => {
  await standd.start();
  dir = tempDir("frontend");
  // A stand-in for cmd/standd.ts: the frontends alone, run the way every program runs.
  entry = join(dir, "standd.ts");
  writeFileSync(
    entry,
    [
      `import { defineGnuCommand } from ${JSON.stringify(join(ROOT, "lib/cli.ts"))};`,
      `import { runProgram } from ${JSON.stringify(join(ROOT, "lib/main.ts"))};`,
      `import { STANDD_FRONTENDS } from ${JSON.stringify(join(ROOT, "lib/stand/frontend-commands.ts"))};`,
      `runProgram(defineGnuCommand({ meta: { name: "standd", version: "0" }, subCommands: STANDD_FRONTENDS }));`,
    ].join("\n"),
  );
});

afterAll(() => standd.stop());
beforeEach(() => standd.reset());

const config = (more: Partial<FrontendConfig> = {}): FrontendConfig => ({
  server: `127.0.0.1:${standd.port}`,
  token: {},
  json: false,
  timeoutMs: 10_000,
  ...more,
});

/** Runs a request in this process: its status (from a Fatal too), stdout and the Fatal's message. */
async function frontend(req: FrontendRequest, more: Partial<FrontendConfig> = {}) {
  let out = "";
  const print = (text: string) => (out += text);
  try {
    const status = await runFrontend(config(more), req, { print, tty: false, now: () => 0 });
    return { status, out, err: "" };
  } catch (err) {
    if (!(err instanceof Fatal)) throw err;
    return { status: err.status, out, err: err.message };
  }
}

/** Runs the entry program with `args`. */
function standdCli(args: string[], env: Record<string, string | undefined> = {}) {
  return run([BUN, entry, ...args], { env: { ...process.env, STANDD_COMMAND_TOKEN: undefined, ...env } });
}

const queue = (target: string, copies = 1, prio = 50): Extract<FrontendRequest, { verb: "queue" }> => ({
  verb: "queue",
  target,
  prio,
  copies,
  http: "127.0.0.1:1",
});

describe("the handshake", () => {
  test("a display identifies as DISPLAY with a fresh UUID and no token", async () => {
    await frontend({ verb: "sreport" }, { token: { flag: "s3cret" } });
    await frontend({ verb: "sreport" });
    const [a, b] = standd.conns;
    expect(a!.ctype).toBe("DISPLAY");
    expect(a!.id).toMatch(UUID);
    expect(a!.id).not.toBe(b!.id);
    expect(a!.token).toBeUndefined();
    expect(a!.messages[1]).toEqual({ type: "CAP", ctype: "DISPLAY", hashes: [] });
  });

  test("queue, qdel, name and open identify as COMMAND", async () => {
    await frontend(queue(U810));
    await frontend({ verb: "qdel", item: 1 });
    await frontend({ verb: "name", burner: CD, label: "x" });
    await frontend({ verb: "open", burner: CD });
    expect(standd.conns.map((c) => c.ctype)).toEqual(["COMMAND", "COMMAND", "COMMAND", "COMMAND"]);
    expect(standd.conns[0]!.messages[1]).toEqual({ type: "CAP", ctype: "COMMAND", hashes: [] });
  });
});

describe("queue", () => {
  test("-n sends one QUEUE per copy at the priority and prints queued N", async () => {
    const r = await frontend(queue(U810.toUpperCase(), 3, 7));
    expect(r).toEqual({ status: 0, out: "queued 3\n", err: "" });
    expect(standd.queue.map((q) => [q.hash, q.prio])).toEqual([[U810, 7], [U810, 7], [U810, 7]]);
  });

  test("QNO for every copy prints refused and exits 65", async () => {
    standd.room = 0;
    expect(await frontend(queue(U810, 2))).toEqual({ status: EX.DATAERR, out: "refused\n", err: "" });
  });

  test("some copies refused: both counts, exit 65, --json gives them too", async () => {
    standd.room = 2;
    expect((await frontend(queue(U810, 3))).out).toBe("queued 2, refused 1\n");
    standd.queue = [];
    const r = await frontend(queue(U810, 3), { json: true });
    expect(r.status).toBe(EX.DATAERR);
    expect(JSON.parse(r.out)).toEqual({ hash: U810, queued: 2, refused: 1 });
  });

  test("a local .iso is hashed here", async () => {
    const iso = join(dir, "Image.ISO");
    writeFileSync(iso, "");
    expect((await frontend(queue(iso))).out).toBe("queued 1\n");
    expect(standd.queue[0]!.hash).toBe("d41d8cd98f00b204e9800998ecf8427e");
  });

  test("an unreadable .iso exits 66 naming it", async () => {
    const r = await frontend(queue(join(dir, "missing.iso")));
    expect(r.status).toBe(EX.NOINPUT);
    expect(r.err).toContain("missing.iso: No such file or directory");
    expect(standd.conns).toEqual([]);
  });

  describe("by name, through the dashboard's /api/state", () => {
    let http: HttpServer;
    let httpPort: number;
    let state: unknown;

    beforeAll(async () => {
      httpPort = await freePort();
      http = createHttpServer((req, res) => {
        if (req.url !== "/api/state") return void res.writeHead(404).end();
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(state));
      });
      await new Promise<void>((resolve) => http.listen(httpPort, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise((resolve) => http.close(resolve)));
    beforeEach(() => {
      state = {
        version: 1,
        catalogue: [
          { hash: U810, filename: "ubuntu-8.10-desktop-i386.iso", media: "CD", holders: 1 },
          { hash: TEST, filename: "test.iso", media: "CD", holders: 2 },
        ],
      };
    });

    const byName = (target: string): FrontendRequest => ({ ...queue(target), http: `127.0.0.1:${httpPort}` });

    test("a name, or a .iso operand without a slash that is not here, is looked up", async () => {
      expect((await frontend(byName("Ubuntu-8.10-desktop-i386"))).out).toBe("queued 1\n");
      expect((await frontend(byName("test.iso"))).out).toBe("queued 1\n");
      expect(standd.queue.map((q) => q.hash)).toEqual([U810, TEST]);
    });

    test("an unknown name exits 65 without connecting to standd", async () => {
      const r = await frontend(byName("kubuntu"));
      expect(r.status).toBe(EX.DATAERR);
      expect(r.err).toContain('no image called "kubuntu"');
      expect(standd.conns).toEqual([]);
    });

    test("a document without a catalogue exits 76; no dashboard exits 69", async () => {
      state = { hello: 1 };
      expect((await frontend(byName("test"))).status).toBe(EX.PROTOCOL);
      const none = await frontend({ ...queue("test"), http: `127.0.0.1:${await freePort()}` });
      expect(none.status).toBe(EX.UNAVAILABLE);
      expect(none.err).toContain("cannot reach the dashboard");
    });
  });
});

describe("reports", () => {
  test("qreport asks WHATIS once per image and prints the table", async () => {
    standd.queue = [{ item: 41, hash: TEST, prio: 5 }, { item: 38, hash: U810, prio: 50 }, {
      item: 42,
      hash: TEST,
      prio: 50,
    }];
    const r = await frontend({ verb: "qreport" });
    expect(r.out).toBe(
      "ITEM  PRIO  HASH                              FILENAME\n" +
        `41    5     ${TEST}  test.iso\n` +
        `38    50    ${U810}  -\n` +
        `42    50    ${TEST}  test.iso\n`,
    );
    const whatis = standd.conns[0]!.messages.filter((m) => m.type === "WHATIS");
    expect(whatis).toEqual([{ type: "WHATIS", hash: TEST }, { type: "WHATIS", hash: U810 }]);
  });

  test("qreport --json", async () => {
    standd.queue = [{ item: 41, hash: TEST, prio: 5 }];
    const r = await frontend({ verb: "qreport" }, { json: true });
    expect(JSON.parse(r.out)).toEqual([{ item: 41, prio: 5, hash: TEST, filename: "test.iso" }]);
  });

  test("sreport, and sreport --json", async () => {
    expect((await frontend({ verb: "sreport" })).out).toBe(
      "ID                                LABEL   TYPE     STATE  SUBJECT\n" +
        `${DVD}  left-1  BURNDVD  50%    ${TEST}\n` +
        `${CD}  -       BURNCDR  AVAIL  CDR\n`,
    );
    expect(JSON.parse((await frontend({ verb: "sreport" }, { json: true })).out)[0]).toEqual({
      id: DVD,
      label: "left-1",
      ctype: "BURNDVD",
      state: 50,
      subject: TEST,
    });
  });

  test("whatis prints filename and description; unknown exits 65", async () => {
    expect(await frontend({ verb: "whatis", hash: TEST })).toEqual({
      status: 0,
      out: "test.iso\nTest disc\n\nRandom data.\n",
      err: "",
    });
    expect(await frontend({ verb: "whatis", hash: U810 })).toEqual({ status: EX.DATAERR, out: "unknown\n", err: "" });
    expect(JSON.parse((await frontend({ verb: "whatis", hash: TEST }, { json: true })).out).bytes).toBe(314947584);
  });
});

describe("commands", () => {
  test("open by label relays the burner's id", async () => {
    expect((await frontend({ verb: "open", burner: "left-1" })).out).toBe("ok\n");
    expect(standd.opened).toEqual([DVD]);
  });

  test("open of an id standd does not know is refused with 65", async () => {
    const r = await frontend({ verb: "open", burner: "0f4e8a2c-1b3d-4e5f-8a9b-0c1d2e3f4a5b" });
    expect(r).toEqual({ status: EX.DATAERR, out: "refused\n", err: "" });
  });

  test("a burner nobody matches exits 65 before any command is sent", async () => {
    const r = await frontend({ verb: "open", burner: "right-9" });
    expect(r.status).toBe(EX.DATAERR);
    expect(r.err).toContain("right-9");
    expect(standd.conns[0]!.messages.map((m) => m.type)).toEqual(["ID", "CAP", "SREPORT"]);
  });

  test("name by id prefix sets the label; an empty label clears it", async () => {
    expect((await frontend({ verb: "name", burner: "4a8e", label: "right-1" })).out).toBe("ok\n");
    expect(standd.burners[1]!.label).toBe("right-1");
    expect((await frontend({ verb: "name", burner: "right-1", label: "" }, { json: true })).out).toBe('{"ok":true}\n');
    expect(standd.burners[1]!.label).toBeUndefined();
  });

  test("qdel: ok for a queued item, refused for another", async () => {
    standd.queue = [{ item: 41, hash: TEST, prio: 5 }];
    expect(await frontend({ verb: "qdel", item: 41 })).toEqual({ status: 0, out: "ok\n", err: "" });
    expect(await frontend({ verb: "qdel", item: 41 })).toEqual({ status: EX.DATAERR, out: "refused\n", err: "" });
  });
});

describe("the command token and refusals", () => {
  test("--token is sent as the ID's fifth field", async () => {
    standd.token = "s3cret";
    expect((await frontend(queue(U810), { token: { flag: "s3cret", env: "wrong" } })).out).toBe("queued 1\n");
    expect(standd.conns[0]!.token).toBe("s3cret");
  });

  test("--token-file is read; an unreadable one exits 66", async () => {
    standd.token = "from-file";
    const file = join(dir, "token");
    writeFileSync(file, "from-file\n");
    expect((await frontend({ verb: "qdel", item: 9 }, { token: { file, env: "wrong" } })).out).toBe("refused\n");
    const r = await frontend({ verb: "qdel", item: 9 }, { token: { file: join(dir, "nope") } });
    expect(r.status).toBe(EX.NOINPUT);
  });

  test("without the token: DENIED exits 77 with standd's text and a hint", async () => {
    standd.token = "s3cret";
    const r = await frontend(queue(U810));
    expect(r.status).toBe(EX.NOPERM);
    expect(r.err).toContain("bad or missing command token");
    expect(r.err).toContain("STANDD_COMMAND_TOKEN");
    expect(standd.queue).toEqual([]);
  });

  test("a DENIED reply to a request exits 77 too", async () => {
    standd.override = () => ({ type: "ERROR", code: "DENIED", text: "COMMAND clients only" });
    const r = await frontend({ verb: "qreport" });
    expect(r.status).toBe(EX.NOPERM);
    expect(r.err).toBe(`127.0.0.1:${standd.port} denied the request: COMMAND clients only`);
  });

  test("no server: 69", async () => {
    const r = await frontend({ verb: "sreport" }, { server: `127.0.0.1:${await freePort()}` });
    expect(r.status).toBe(EX.UNAVAILABLE);
    expect(r.err).toContain("cannot connect to standd");
  });

  test("a garbage reply: 76", async () => {
    standd.override = () => "NONSENSE\tfrom\tthe\tserver\r\n\r\n";
    const r = await frontend({ verb: "qreport" });
    expect(r.status).toBe(EX.PROTOCOL);
    expect(r.err).toContain("NONSENSE");
  });

  test("a reply that is not the one due, or another ERROR: 76", async () => {
    standd.override = () => ({ type: "QOK" });
    const r = await frontend({ verb: "sreport" });
    expect(r.status).toBe(EX.PROTOCOL);
    expect(r.err).toContain("sent QOK where SLIST was due");
    standd.override = () => ({ type: "ERROR", code: "BADMSG", text: "QDEL: wrong field count" });
    expect((await frontend({ verb: "qdel", item: 1 })).status).toBe(EX.PROTOCOL);
  });

  test("a frame over the limit: 76", async () => {
    standd.override = () => "QLIST" + "x".repeat(300 * 1024);
    expect((await frontend({ verb: "qreport" })).status).toBe(EX.PROTOCOL);
  });
});

describe("watch", () => {
  test("prints one stamped line per change until stopped", async () => {
    const stop = new AbortController();
    let out = "";
    let polls = 0;
    const running = runFrontend(config(), { verb: "watch", intervalMs: 20 }, {
      print: (text: string) => (out += text),
      tty: false,
      now: () => Date.UTC(2026, 11, 4, 22, 30, polls++),
      stop: stop.signal,
    });
    await waitFor("the first poll's lines", () => out.includes(`burner ${CD}`));
    expect(out).toMatch(new RegExp(`^2026-12-04T22:30:00Z burner ${DVD} left-1 BURNDVD 50% ${TEST}\n`));
    const seen = out.length;
    standd.burners[1]!.state = "OPEN";
    standd.queue.push({ item: 7, hash: TEST, prio: 5 });
    await waitFor("the change", () => out.length > seen);
    expect(out.slice(seen)).toMatch(
      new RegExp(`^\\S+Z burner ${CD} - BURNCDR OPEN CDR\n\\S+Z queued 7 5 ${TEST} test.iso\n$`),
    );
    stop.abort();
    expect(await running).toBe(0);
  });

  test("on a terminal the screen is redrawn only when something changed", async () => {
    const stop = new AbortController();
    const screens: string[] = [];
    const running = runFrontend(config(), { verb: "watch", intervalMs: 10 }, {
      print: (text: string) => screens.push(text),
      tty: true,
      now: () => 0,
      stop: stop.signal,
    });
    await waitFor("the first screen", () => screens.length === 1);
    await waitFor("a few more polls", () => standd.conns[0]!.messages.filter((m) => m.type === "SREPORT").length >= 4);
    expect(screens.length).toBe(1);
    standd.burners[0]!.state = 75;
    await waitFor("the redraw", () => screens.length === 2);
    expect(screens[1]).toContain("75%");
    stop.abort();
    expect(await running).toBe(0);
  });

  test("a lost connection ends watch with 69", async () => {
    const running = frontend({ verb: "watch", intervalMs: 10 });
    await waitFor("the first poll", () => standd.conns[0]?.messages.some((m) => m.type === "SREPORT"));
    await standd.stop();
    const r = await running;
    await standd.start();
    expect(r.status).toBe(EX.UNAVAILABLE);
  });
});

describe("the sub-commands as a program", () => {
  test("exit statuses: 0, 65, 64, 69, 77", async () => {
    const server = ["--server", `127.0.0.1:${standd.port}`];
    expect(await standdCli(["queue", ...server, "-n", "2", U810])).toMatchObject({ code: 0, stdout: "queued 2\n" });
    standd.room = 0;
    expect(await standdCli(["queue", ...server, U810])).toMatchObject({ code: 65, stdout: "refused\n" });
    expect((await standdCli(["queue", ...server, "-p", "1000", U810])).code).toBe(64);
    expect((await standdCli(["whatis", ...server, "nothex"])).code).toBe(64);
    expect((await standdCli(["qdel", ...server, "--token", "a", "--token-file", "b", "1"])).code).toBe(64);
    expect((await standdCli(["name", ...server, CD, "a\tb"])).code).toBe(64);
    expect((await standdCli(["sreport", "--server", "nohost:"])).code).toBe(64);
    const none = await standdCli(["sreport", "--server", `127.0.0.1:${await freePort()}`]);
    expect(none.code).toBe(69);
    expect(none.stderr).toMatch(/^standd: cannot connect to standd at 127\.0\.0\.1:\d+: Connection refused\n$/);
    standd.token = "s3cret";
    const denied = await standdCli(["qdel", ...server, "3"]);
    expect(denied.code).toBe(77);
    expect(denied.stderr).toContain("bad or missing command token");
  });

  test("STANDD_COMMAND_TOKEN is used when no option gives a token", async () => {
    standd.token = "from-env";
    standd.queue = [{ item: 3, hash: TEST, prio: 5 }];
    const r = await standdCli(["qdel", "--server", `127.0.0.1:${standd.port}`, "3"], {
      STANDD_COMMAND_TOKEN: "from-env",
    });
    expect(r).toMatchObject({ code: 0, stdout: "ok\n" });
  });

  test("--help is a man page for each sub-command", async () => {
    for (const sub of ["queue", "qreport", "sreport", "whatis", "open", "qdel", "name", "watch"]) {
      const r = await standdCli([sub, "--help"]);
      expect(r.code).toBe(0);
      for (const section of ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "EXIT STATUS"]) {
        expect(r.stdout).toContain(`\n${section}\n`.slice(section === "NAME" ? 1 : 0));
      }
      expect(r.stdout).toContain("--server HOST:PORT");
    }
  });

  test("watch off a terminal prints lines and exits 0 on SIGTERM", async () => {
    const watch = background([BUN, entry, "watch", "--server", `127.0.0.1:${standd.port}`, "--interval", "0.1"], {
      env: { ...process.env, STANDD_COMMAND_TOKEN: undefined },
    });
    await waitFor("the first lines", () => watch.stdout().includes(`burner ${CD}`));
    standd.queue.push({ item: 9, hash: U810, prio: 50 });
    await waitFor("the queued line", () => watch.stdout().includes(`queued 9 50 ${U810} -`));
    process.kill(watch.pid, "SIGTERM");
    const done = await watch.exited;
    expect(done.code).toBe(0);
    expect(done.stderr).toBe("");
    for (const line of done.stdout.trimEnd().split("\n")) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ /);
  });
});

/**
 * `spreed 9p` against a real 9P2000 server on loopback (the fake of
 * test/ninep/fake-server.ts): every command and option, paths, standard
 * input cut into Twrites, rdwr with held reads, and the exit statuses.
 * Most runs are in process, with their standard streams captured; a few
 * run as a program (dist/spreed 9p) for the real descriptors
 * and exit statuses, once under Deno.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { dispatch, UsageError } from "../../../lib/cli.ts";
import { EX, Fatal } from "../../../lib/exit.ts";
import { freePort, startListening } from "../../../lib/net/stream-sockets.ts";
import { encode } from "../../../lib/ninep/codec.ts";
import { DMDIR, NOTAG } from "../../../lib/ninep/constants.ts";
import type { ToolStdio } from "../../../lib/ninep/io/tool.ts";
import type { TMessage } from "../../../lib/ninep/messages.ts";
import { encodeStat } from "../../../lib/ninep/stat.ts";
import { ninepCommand } from "../../../lib/ninep/tool/command.ts";
import { statHex } from "../../../lib/ninep/tool/format.ts";
import { waitFor } from "../../helpers/net.ts";
import { programArgv, run } from "../../helpers/process.ts";
import { defaultTree, fakeNode, FakeServer } from "../fake-server.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** 20000 bytes of a pattern, so misplaced or repeated pieces show. */
const BIG = Uint8Array.from({ length: 20000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

/**
 * spreed's tree as far as the tool cares, and a few files to fail on: a
 * clique directory `0` whose ctl holds reads and refuses `bad`, `name`,
 * `new`, a big file, a sink with iounit 10, a file that cannot be opened,
 * one refusing every write, and a directory holding itself.
 */
function tree() {
  const loop = fakeNode("loop", 0x30n, DMDIR | 0o555, { children: [] });
  loop.children!.push(loop, fakeNode("leaf", 0x31n, 0o444, { contents: () => bytes("deep") }));
  return fakeNode(".", 0n, DMDIR | 0o555, {
    children: [
      fakeNode("0", 0x3n, DMDIR | 0o555, {
        children: [
          fakeNode("ctl", 0x1n, 0o666, { writeError: (d) => (str(d) === "bad" ? "unknown command" : undefined) }),
        ],
      }),
      fakeNode("name", 0x2n, 0o444, { iounit: 8192, contents: bytes }),
      fakeNode("new", 0x5n, 0o666),
      fakeNode("big", 0x10n, 0o644, { contents: () => BIG }),
      fakeNode("sink", 0x11n, 0o222, { iounit: 10, contents: () => new Uint8Array() }),
      fakeNode("locked", 0x12n, 0o000, { openError: "permission denied" }),
      fakeNode("stubborn", 0x13n, 0o666, { writeError: () => "hung up" }),
      loop,
    ],
  });
}

/** Standard input a test feeds line by line, and ends. */
class Feed implements AsyncIterable<Uint8Array> {
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  push(text: string): void {
    this.#chunks.push(bytes(text));
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) yield chunk;
      else if (this.#ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/** Captured standard streams. */
class Streams implements ToolStdio {
  readonly feed = new Feed();
  readonly out: Uint8Array[] = [];
  err = "";
  input: () => AsyncIterable<Uint8Array> = () => this.feed;
  output = (data: Uint8Array | string) => void this.out.push(typeof data === "string" ? bytes(data) : data.slice());
  error = (text: string) => void (this.err += text);

  get stdout(): string {
    return this.out.map(str).join("");
  }
}

let server: FakeServer | undefined;
afterEach(() => {
  server?.stop();
  server = undefined;
});

async function serve(root = tree()): Promise<FakeServer> {
  server = await FakeServer.start({ host: "127.0.0.1", port: 0 }, root);
  return server;
}

/** Run `spreed 9p ARGS` in process against the server, as alice; the status and what it printed. */
async function spreed9p(args: string[], io = new Streams(), address = server!.address) {
  const status = await dispatch(ninepCommand(io), ["-a", address, "-u", "alice", ...args], io.output);
  return { status, stdout: io.stdout, stderr: io.err, io };
}

/** Run it with `input` as all of standard input. */
function withInput(args: string[], input: string) {
  const io = new Streams();
  io.feed.push(input);
  io.feed.end();
  return spreed9p(args, io);
}

const sent = <T extends TMessage["type"]>(type: T) =>
  server!.received.filter((m): m is Extract<TMessage, { type: T }> => m.type === type);

describe("ls", () => {
  test("a directory lists its names in the server's order; a file lists itself", async () => {
    await serve();
    expect(await spreed9p(["ls", "/"])).toMatchObject({
      status: 0,
      stdout: "0\nname\nnew\nbig\nsink\nlocked\nstubborn\nloop\n",
      stderr: "",
    });
    expect((await spreed9p(["ls", "0", "name"])).stdout).toBe("ctl\nname\n");
  });

  test("-l gives mode letters, owner, group, length and name", async () => {
    await serve();
    const { status, stdout } = await spreed9p(["ls", "-l", ".", "0/ctl"]);
    expect(status).toBe(0);
    expect(stdout.split("\n").slice(0, 3)).toEqual([
      "d-r-xr-xr-x spree spree 0 0",
      "--r--r--r-- spree spree 0 name",
      "--rw-rw-rw- spree spree 0 new",
    ]);
    expect(stdout).toContain("\n----------- spree spree 0 locked\n");
    expect(stdout.endsWith("--rw-rw-rw- spree spree 0 ctl\n")).toBe(true);
  });

  test("a listing that takes several reads comes whole; every fid is clunked", async () => {
    await serve(defaultTree());
    expect((await spreed9p(["ls", "/"])).stdout).toBe("name\nctl\n");
    expect(sent("Tread").length).toBe(3);
    expect(sent("Tclunk").length).toBe(1);
  });

  test("a path that fails is reported, the others still listed, and the status is 1", async () => {
    await serve();
    expect(await spreed9p(["ls", "nosuch", "name", "name/x"])).toMatchObject({
      status: 1,
      stdout: "name\n",
      stderr: "spreed 9p: nosuch: file does not exist\nspreed 9p: name/x: file does not exist\n",
    });
  });
});

describe("paths", () => {
  test("empty and . elements are skipped, .. goes up, and the root is /, . or nothing", async () => {
    await serve();
    for (const path of ["/0/ctl", "./0//ctl/", "0/../0/ctl", "../0/ctl"]) {
      expect((await spreed9p(["ls", path])).stdout).toBe("ctl\n");
    }
    for (const path of ["/", ".", ""]) expect((await spreed9p(["ls", path])).stdout).toStartWith("0\nname\n");
  });

  test("more than 16 elements are walked in several Twalks", async () => {
    await serve();
    const path = `${"loop/".repeat(20)}leaf`;
    expect((await spreed9p(["read", path])).stdout).toBe("deep");
    expect(sent("Twalk").map((w) => w.wnames.length)).toEqual([16, 5]);
  });
});

describe("stat", () => {
  test("one field a line", async () => {
    await serve();
    expect(await spreed9p(["stat", "0"])).toMatchObject({
      status: 0,
      stdout: "type 0\ndev 0\nqid.type 0x80\nqid.vers 0\nqid.path 0x3\nmode 0x8000016d d-r-xr-xr-x\n" +
        "atime 0\nmtime 0\nlength 0\nname 0\nuid spree\ngid spree\nmuid \n",
    });
  });

  test("--raw: the entry the server sent, in hex", async () => {
    const root = tree();
    await serve(root);
    const name = root.children!.find((n) => n.stat.name === "name")!;
    expect((await spreed9p(["stat", "--raw", "name"])).stdout).toBe(`${statHex(encodeStat(name.stat))}\n`);
  });
});

describe("read", () => {
  test("reads from offset 0 until a read returns nothing, copying the data as it is", async () => {
    await serve();
    const { status, io } = await spreed9p(["read", "big"]);
    expect(status).toBe(0);
    expect(Buffer.concat(io.out)).toEqual(Buffer.from(BIG));
    expect(sent("Tread").map((r) => r.offset)).toEqual([0n, 8192n, 16384n, 20000n]);
    expect(sent("Tread").every((r) => r.count === 8192)).toBe(true);
    expect(sent("Topen")[0]!.mode).toBe(0);
  });

  test("-c sets each Tread's count; without it the iounit is used", async () => {
    await serve();
    const { io } = await spreed9p(["read", "-c", "7000", "big"]);
    expect(Buffer.concat(io.out)).toEqual(Buffer.from(BIG));
    expect(sent("Tread").every((r) => r.count === 7000)).toBe(true);
    expect((await spreed9p(["read", "-c", "100000", "name"])).stdout).toBe("alice");
    expect(sent("Tread").at(-1)!.count).toBe(8192);
  });

  test("-u, -n and -m go into Tattach and Tversion", async () => {
    await serve();
    const io = new Streams();
    const status = await dispatch(
      ninepCommand(io),
      ["read", "-a", server!.address, "-u", "bob", "-n", "games", "-m", "300", "name"],
      io.output,
    );
    expect([status, io.stdout]).toEqual([0, "bob"]);
    expect(sent("Tversion")[0]).toMatchObject({ msize: 300, version: "9P2000" });
    expect(sent("Tattach")[0]).toMatchObject({ uname: "bob", aname: "games" });
    expect(sent("Tread")[0]!.count).toBe(300 - 24);
  });

  test("without -u the user is $USER, else none", async () => {
    await serve();
    const saved = process.env.USER;
    try {
      for (const [user, expected] of [["carol", "carol"], ["", "none"], [undefined, "none"]] as const) {
        if (user === undefined) delete process.env.USER;
        else process.env.USER = user;
        const io = new Streams();
        await dispatch(ninepCommand(io), ["-a", server!.address, "read", "name"], io.output);
        expect(io.stdout).toBe(expected);
      }
    } finally {
      process.env.USER = saved;
    }
  });
});

describe("write", () => {
  test("standard input goes in Twrites of the iounit, only the last shorter", async () => {
    await serve();
    expect(await withInput(["write", "sink"], "abcdefghijklmnopqrstuvwxy")).toMatchObject({ status: 0, stderr: "" });
    expect(sent("Topen")[0]!.mode).toBe(1);
    expect(sent("Twrite").map((w) => [w.offset, str(w.data)])).toEqual([
      [0n, "abcdefghij"],
      [10n, "klmnopqrst"],
      [20n, "uvwxy"],
    ]);
  });

  test("without an iounit the Twrites are msize - 24 bytes", async () => {
    await serve();
    expect((await withInput(["-m", "300", "write", "new"], "x".repeat(600))).status).toBe(0);
    expect(sent("Twrite").map((w) => w.data.length)).toEqual([276, 276, 48]);
  });

  test("-l: one Twrite per line without its newline; empty lines skipped, a last line without newline written", async () => {
    await serve();
    expect((await withInput(["write", "-l", "0/ctl"], "join\n\nchat hi there\nlast")).status).toBe(0);
    expect(sent("Twrite").map((w) => str(w.data))).toEqual(["join", "chat hi there", "last"]);
  });

  test("empty standard input writes one zero-length Twrite", async () => {
    await serve();
    for (const args of [["write", "new"], ["write", "-l", "new"]]) {
      server!.received.length = 0;
      expect((await withInput(args, "")).status).toBe(0);
      expect(sent("Twrite").map((w) => w.data.length)).toEqual([0]);
    }
  });

  test("the first Rerror stops the copy with status 1", async () => {
    await serve();
    expect(await withInput(["write", "-l", "0/ctl"], "join\nbad\nmore\n")).toMatchObject({
      status: 1,
      stderr: "spreed 9p: 0/ctl: unknown command\n",
    });
    expect(sent("Twrite").map((w) => str(w.data))).toEqual(["join", "bad"]);
  });
});

describe("rdwr", () => {
  test("prints each read as it comes, \\n* and all; each line is a Twrite; write errors do not stop it", async () => {
    await serve();
    const io = new Streams();
    const running = spreed9p(["rdwr", "0/ctl"], io);
    await waitFor("the held read", () => server!.heldReads === 1);
    expect(sent("Topen")[0]!.mode).toBe(2);
    io.feed.push("join\n");
    await waitFor("join echoed", () => io.stdout === "join" && server!.heldReads === 1);
    server!.push(bytes("clienttype chat \n\n*"));
    await waitFor("the update", () => io.stdout === "joinclienttype chat \n\n*" && server!.heldReads === 1);
    io.feed.push("bad\nchat hi\n");
    await waitFor("the refusal", () => io.err === "spreed 9p: unknown command\n");
    await waitFor("chat hi", () => io.stdout.endsWith("chat hi") && server!.heldReads === 1);
    io.feed.end();
    expect((await running).status).toBe(0);
    expect(io.stdout).toBe("joinclienttype chat \n\n*chat hi");
    expect(sent("Twrite").map((w) => str(w.data))).toEqual(["join", "bad", "chat hi", ""]);
    expect(server!.received.at(-1)).toMatchObject({ type: "Tclunk", fid: sent("Topen")[0]!.fid });
  });

  test("-r keeps each line's newline; the end of standard input is a zero-length write, then EOF ends it", async () => {
    await serve();
    const io = new Streams();
    const running = spreed9p(["rdwr", "-r", "new"], io);
    await waitFor("the held read", () => server!.heldReads === 1);
    io.feed.push("create chat\n");
    await waitFor("the echo", () => io.stdout === "create chat\n");
    io.feed.end();
    expect((await running).status).toBe(0);
    expect(sent("Twrite").map((w) => str(w.data))).toEqual(["create chat\n", ""]);
  });

  test("the end of the file ends it while standard input is still open", async () => {
    await serve();
    const { status, stdout } = await spreed9p(["rdwr", "name"]);
    expect([status, stdout]).toEqual([0, "alice"]);
    expect(sent("Tclunk").length).toBe(1);
  });

  test("a refused zero-length write ends it at once: the held read is flushed", async () => {
    await serve();
    expect(await withInput(["rdwr", "stubborn"], "")).toMatchObject({ status: 0, stderr: "spreed 9p: hung up\n" });
    expect(sent("Tflush").length).toBe(1);
    expect(server!.heldReads).toBe(0);
  });

  test("a file that cannot be opened is status 1", async () => {
    await serve();
    expect(await withInput(["rdwr", "locked"], "")).toMatchObject({
      status: 1,
      stderr: "spreed 9p: locked: permission denied\n",
    });
    expect(sent("Tclunk").length).toBe(1);
  });
});

describe("exit statuses", () => {
  test("an Rerror is status 1, said as PATH: error", async () => {
    await serve();
    expect(await spreed9p(["read", "nosuch"])).toMatchObject({
      status: 1,
      stdout: "",
      stderr: "spreed 9p: nosuch: file does not exist\n",
    });
    expect((await spreed9p(["read", "locked"])).stderr).toBe("spreed 9p: locked: permission denied\n");
    expect((await spreed9p(["stat", "0/nosuch"])).status).toBe(1);
  });

  test("a refused connection is 69", async () => {
    const port = await freePort();
    const { status, stderr } = await spreed9p(["ls", "/"], new Streams(), `tcp!127.0.0.1!${port}`);
    expect([status, stderr]).toEqual([69, `spreed 9p: cannot connect to tcp!127.0.0.1!${port}: Connection refused\n`]);
  });

  test("a lost connection is 69", async () => {
    await serve();
    const running = spreed9p(["read", "0/ctl"]);
    await waitFor("the held read", () => server!.heldReads === 1);
    for (const socket of server!.sockets) socket.destroy();
    const { status, stderr } = await running;
    expect(status).toBe(69);
    expect(stderr).toStartWith(`spreed 9p: ${server!.address}: connection lost: `);
  });

  test("a reply that breaks the protocol is 76", async () => {
    await serve();
    const running = spreed9p(["rdwr", "0/ctl"]);
    await waitFor("the held read", () => server!.heldReads === 1);
    for (const socket of server!.sockets) socket.write(encode({ type: "Rclunk", tag: 999 }));
    expect(await running).toMatchObject({
      status: 76,
      stderr: `spreed 9p: ${server!.address}: protocol violation: Rclunk with tag 999, which has no request waiting\n`,
    });
  });

  test("a server that does not speak 9P2000 is 76", async () => {
    const other = createServer((socket) => {
      socket.on("error", () => {});
      socket.once(
        "data",
        () => socket.write(encode({ type: "Rversion", tag: NOTAG, msize: 8216, version: "unknown" })),
      );
    });
    await startListening(other, { host: "127.0.0.1", port: 0 });
    try {
      const port = (other.address() as { port: number }).port;
      expect(await spreed9p(["ls", "/"], new Streams(), `tcp!127.0.0.1!${port}`)).toMatchObject({
        status: 76,
        stderr: `spreed 9p: tcp!127.0.0.1!${port}: protocol violation: the server speaks unknown, not 9P2000\n`,
      });
    } finally {
      other.close();
    }
  });

  test("a bad command line is a usage error (64)", async () => {
    await serve();
    const bad = [
      ["ls"],
      ["ls", "-x", "/"],
      ["stat", "a", "b"],
      ["-m", "255", "ls", "/"],
      ["read", "-c", "0", "big"],
      ["frob", "x"],
      ["-a", "udp!127.0.0.1!53", "ls", "/"],
      ["-a", "tcp!127.0.0.1", "ls", "/"],
    ];
    for (const args of bad) {
      const io = new Streams();
      const address = args[0] === "-a" ? [] : ["-a", server!.address];
      await expect(dispatch(ninepCommand(io), [...address, ...args], io.output)).rejects.toBeInstanceOf(UsageError);
    }
    expect(server!.received.length).toBe(0);
  });

  test("a path element too long for the message size is a usage error too", async () => {
    await serve();
    const { status, stderr } = await spreed9p(["ls", `0/${"x".repeat(9000)}`]);
    expect(status).toBe(64);
    expect(stderr).toBe(`spreed 9p: 0/${"x".repeat(75)}...: Twalk of 9022 bytes exceeds msize 8216\n`);
  });
});

describe("standard input that cannot be read", () => {
  test("is status 74 for write and rdwr, after the file is clunked", async () => {
    await serve();
    for (const args of [["write", "new"], ["rdwr", "0/ctl"]]) {
      server!.received.length = 0;
      const io = new Streams();
      io.input = async function* () {
        yield* [];
        throw new Fatal("standard input: Is a directory", EX.IOERR);
      };
      expect(await spreed9p(args, io)).toMatchObject({
        status: 74,
        stderr: "spreed 9p: standard input: Is a directory\n",
      });
      expect(server!.received.at(-1)).toMatchObject({ type: "Tclunk" });
    }
  });
});

describe("help", () => {
  test("spreed 9p --help lists the commands, the options and the exit statuses; each command has its page", async () => {
    const io = new Streams();
    expect(await dispatch(ninepCommand(io), ["--help"], io.output)).toBe(0);
    for (const word of ["ls", "stat", "read", "write", "rdwr", "-a, --address ADDR", "tcp!127.0.0.1!3242", "76"]) {
      expect(io.stdout).toContain(word);
    }
    for (
      const [command, option] of [["ls", "-l"], ["stat", "--raw"], ["read", "-c"], ["write", "-l"], ["rdwr", "-r"]]
    ) {
      const page = new Streams();
      expect(await dispatch(ninepCommand(page), [command!, "--help"], page.output)).toBe(0);
      expect(page.stdout).toContain(`NAME\n    9p ${command}`);
      expect(page.stdout).toContain(`    ${option}`);
      expect(page.stdout).toContain("-u, --user USER");
      expect(page.stdout).toContain("EXIT STATUS");
    }
  });
});

describe("as a program", () => {
  const program = (args: string[], input?: string, via: "binary" | "deno" = "binary") =>
    run([...programArgv("spreed", via), "9p", ...args], { input });

  test("ls -l and rdwr over real descriptors exit 0", async () => {
    await serve();
    const ls = await program(["-a", server!.address, "ls", "-l", "0"]);
    expect([ls.code, ls.stdout, ls.stderr]).toEqual([0, "--rw-rw-rw- spree spree 0 ctl\n", ""]);
    const rdwr = await program(["-a", server!.address, "-u", "alice", "rdwr", "0/ctl"], "join\n");
    expect([rdwr.code, rdwr.stdout, rdwr.stderr]).toEqual([0, "join", ""]);
    expect(sent("Twrite").map((w) => str(w.data))).toEqual(["join", ""]);
  });

  test("the exit statuses: 1 on Rerror, 64 usage, 69 no server", async () => {
    await serve();
    const refused = await program(["-a", server!.address, "read", "nosuch"]);
    expect([refused.code, refused.stderr]).toEqual([1, "spreed 9p: nosuch: file does not exist\n"]);
    const usage = await program(["ls", "-x", "/"]);
    expect([usage.code, usage.stderr]).toEqual([64, 'spreed: unknown option "-x" (see spreed 9p ls --help)\n']);
    const port = await freePort();
    const none = await program(["-a", `tcp!127.0.0.1!${port}`, "ls", "/"]);
    expect(none.code).toBe(69);
  });

  test("standard input that is a directory is status 74", async () => {
    await serve();
    const script = 'address=$1; shift; exec "$@" 9p -a "$address" write new < /';
    const r = await run(["/bin/sh", "-c", script, "sh", server!.address, ...programArgv("spreed")]);
    expect([r.code, r.stderr]).toEqual([74, "spreed 9p: standard input: Is a directory\n"]);
  });

  test("write -l reads standard input under Deno too", async () => {
    await serve();
    const r = await program(["-a", server!.address, "write", "-l", "0/ctl"], "join\nchat hi\n", "deno");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(sent("Twrite").map((w) => str(w.data))).toEqual(["join", "chat hi"]);
  }, 60_000);
});

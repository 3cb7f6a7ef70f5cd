/**
 * dist/kdosd as its clients meet it: every operation through the UDP
 * mailbox and through the stream gateway with exact reply texts, the window
 * read directly, transport faults, and `kdosd call`.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { tempDir } from "../helpers/fs.ts";
import { freePort, waitFor } from "../helpers/net.ts";
import { type Background, background, programArgv, run } from "../helpers/process.ts";

const sockets: (UdpSocket | Socket)[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) "destroy" in s ? s.destroy() : s.close();
});

interface Daemon {
  proc: Background;
  dir: string;
  root: string;
  window: string;
  udpPort: number;
  tcpPort: number;
}

/** dist/kdosd on free loopback ports, a private root and window; resolves once both listen. */
async function startKdosd(...extra: string[]): Promise<Daemon> {
  const dir = tempDir("kdosd");
  const root = join(dir, "root");
  mkdirSync(root, { mode: 0o750 });
  const window = join(dir, "window");
  const udpPort = await freePort(["127.0.0.1"]);
  const tcpPort = await freePort(["127.0.0.1"], [udpPort]);
  const proc = background([
    ...programArgv("kdosd"),
    "--root",
    root,
    "--mailbox",
    `udp!127.0.0.1!${udpPort}`,
    "--gateway",
    `tcp!127.0.0.1!${tcpPort}`,
    "--window",
    `${window}:64K:0x1000`,
    "-debug",
    ...extra.map((arg) => arg.replace("unix!GW", `unix!${join(dir, "gw.sock")}`)),
  ]);
  await waitFor("kdosd to listen", () => proc.stdout().includes("gateway tcp!"), { state: () => proc.stderr() });
  return { proc, dir, root, window, udpPort, tcpPort };
}

async function stop(d: Daemon): Promise<void> {
  process.kill(d.proc.pid, "SIGTERM");
  expect((await d.proc.exited).code).toBe(0);
}

/** A UDP client: sends commands naming its own address (`MB`), collects replies by tag. */
async function udpClient(d: Daemon) {
  const socket = createSocket("udp4");
  sockets.push(socket);
  const replies: string[] = [];
  socket.on("message", (m) => replies.push(m.toString("latin1")));
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  const mailbox = `127.0.0.1:${socket.address().port}`;
  const send = (command: string) => socket.send(command.replace(" MB ", ` ${mailbox} `), d.udpPort, "127.0.0.1");
  const reply = (tag: string) =>
    waitFor(`the reply to ${tag}`, () => {
      const i = replies.findIndex((r) => r.split(" ")[0] === tag);
      return i < 0 ? undefined : replies.splice(i, 1)[0];
    });
  return {
    mailbox,
    send,
    reply,
    ask: (command: string) => (send(command), reply(command.split(" ")[0]!)),
  };
}

/** A gateway client: one command per line. */
async function tcpClient(d: Daemon): Promise<{ ask: (command: string) => Promise<string> }> {
  const socket = connect(d.tcpPort, "127.0.0.1");
  sockets.push(socket);
  await new Promise<void>((r) => socket.once("connect", () => r()));
  let buffered = "";
  socket.on("data", (b) => (buffered += b.toString("latin1")));
  return {
    ask: async (command) => {
      socket.write(`${command.replace(" MB ", " - ")}\n`);
      return await waitFor("a reply line", () => {
        const at = buffered.indexOf("\n");
        if (at < 0) return undefined;
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        return line;
      });
    },
  };
}

/** Command → expected reply, run in order; `MB` stands for the client's mailbox. */
const SCRIPT: [string, string][] = [
  ["t1 MB OPEN log.dat O_WRONLY|O_CREAT|O_APPEND", "t1 0 3"],
  ["t2 MB WRITEX 3 0 1 aGVsbG8K", "t2 0 6"],
  ["t3 MB READ 3 0x1000 4096 0 0", "t3 9 -1 EBADF"],
  ["t4 MB LIST 7 0x1000 256 0 0", "t4 2 -1 ENOENT"],
  ["t5 MB CLOSE 3", "t5 0 0"],
  ["t6 MB CLOSE 3", "t6 9 -1 EBADF"],
  ["t7 MB OPEN log.dat O_RDONLY", "t7 0 3"],
  ["t8 MB READX 3 4 0 0", "t8 0 4 aGVsbA=="],
  ["t9 MB READX 3 100 0 1", "t9 0 2 bwo="],
  ["t10 MB READX 3 100 0 1", "t10 0 0"],
  ["t11 MB READX 3 100 -2 2", "t11 0 2 bwo="],
  ["t12 MB READX 3 100 -7 2", "t12 22 -1 EINVAL"],
  ["t13 MB LISTX 0", "t13 0 7 log.dat"],
  ["t14 MB LISTX 1", "t14 2 -1 ENOENT"],
  ["t15 MB RENAME log.dat new.dat", "t15 0 0"],
  ["t16 MB OPEN ../etc/passwd O_RDONLY", "t16 22 -1 EINVAL"],
  ["t17 MB OPEN nosuch O_RDONLY", "t17 2 -1 ENOENT"],
  ["t18 MB FROB x", "t18 38 -1 ENOSYS"],
  ["t19 MB close 3", "t19 38 -1 ENOSYS"],
  ["t20 MB CLOSE", "t20 22 -1 EINVAL"],
  ["t21 MB OPEN x 0x3", "t21 22 -1 EINVAL"],
  ["t22 MB CLOSE 3", "t22 0 0"],
  ["t23 MB DELETE *.dat", "t23 0 0 deleted=1"],
  ["t24 MB LISTX 0", "t24 2 -1 ENOENT"],
  ["(nil) MB STATX nothing", "(nil) 2 -1 ENOENT"],
];

/** More cases per operation, run once `exists.txt` (holding `data`) and the directory `sub` are in the root. */
const SCRIPT_PREPARED: [string, string][] = [
  ["u1 MB OPEN exists.txt O_WRONLY|O_CREAT|O_EXCL", "u1 17 -1 EEXIST"],
  ["u2 MB OPEN sub O_RDONLY", "u2 21 -1 EISDIR"],
  ["u3 MB OPEN exists.txt O_RDONLY|O_TRUNC", "u3 22 -1 EINVAL"],
  [`u4 MB OPEN ${"x".repeat(256)} O_RDONLY`, "u4 36 -1 ENAMETOOLONG"],
  ["u5 MB OPEN x 0x80000000", "u5 22 -1 EINVAL"],
  ["u6 MB OPEN exists.txt O_RDONLY", "u6 0 3"],
  ["u7 MB READ 3 0x1000 16 9007199254740992 0", "u7 75 -1 EOVERFLOW"],
  ["u8 MB READ 3 0x20000 16 0 0", "u8 14 -1 EFAULT"],
  ["u9 MB WRITE 3 0x1000 4 0 0", "u9 9 -1 EBADF"],
  ["u10 MB READX 3 10 0 3", "u10 22 -1 EINVAL"],
  ["u11 MB WRITEX 3 0 0 aGVsbG8K", "u11 9 -1 EBADF"],
  ["u12 MB READX 3 100 0 0", "u12 0 4 ZGF0YQ=="],
  ["u13 MB READX 3 100 0 1", "u13 0 0"],
  ["u14 MB CLOSE 3", "u14 0 0"],
  ["u15 MB STAT nothing 0x1000", "u15 2 -1 ENOENT"],
  ["u16 MB STAT exists.txt 0x20000", "u16 14 -1 EFAULT"],
  ["u17 MB RENAME nothing x", "u17 2 -1 ENOENT"],
  ["u18 MB RENAME exists.txt sub", "u18 21 -1 EISDIR"],
  ["u19 MB DELETE [a", "u19 22 -1 EINVAL"],
  ["u20 MB OPEN w.txt O_WRONLY|O_CREAT", "u20 0 3"],
  ["u21 MB WRITEX 3 0 0 !!!!", "u21 22 -1 EINVAL"],
  ["u22 MB WRITEX 3 0 0", "u22 0 0"],
  ["u23 MB CLOSE 3", "u23 0 0"],
  ["u24 MB LISTX 0", "u24 0 10 exists.txt"],
  ["u25 MB LISTX 1", "u25 0 5 w.txt"],
  ["u26 MB DELETE w.txt", "u26 0 0 deleted=1"],
  ["u27 MB LIST 0 0x1000 4", "u27 22 -1 EINVAL"],
  ["u28 MB READ 3 0x1000 4 0 0", "u28 9 -1 EBADF"],
];

describe("every operation, through the mailbox and through the gateway", () => {
  for (const transport of ["udp", "gateway"] as const) {
    test(`${transport}: the replies are the spec's, byte for byte`, async () => {
      const d = await startKdosd();
      const client = transport === "udp" ? await udpClient(d) : await tcpClient(d);
      for (const [command, expected] of SCRIPT) {
        expect(`${command} -> ${await client.ask(command)}`).toBe(`${command} -> ${expected}`);
      }
      writeFileSync(join(d.root, "exists.txt"), "data");
      mkdirSync(join(d.root, "sub"));
      for (const [command, expected] of SCRIPT_PREPARED) {
        expect(`${command} -> ${await client.ask(command)}`).toBe(`${command} -> ${expected}`);
      }
      await stop(d);
    });
  }

  test("READ, WRITE, LIST and STAT move their bytes through the window file", async () => {
    const d = await startKdosd();
    const c = await udpClient(d);
    // The window starts at BASE 0x1000: a region at offset 256 is buffer 0x1100.
    const fd = (await c.ask("a MB OPEN data.bin O_RDWR|O_CREAT")).split(" ")[2];
    const bytes = Buffer.from("window bytes\n");
    const w = readFileSync(d.window);
    bytes.copy(w, 256);
    writeFileSync(d.window, w);
    expect(await c.ask(`b MB WRITE ${fd} 0x1100 ${bytes.length} 0 0`)).toBe(`b 0 ${bytes.length}`);
    expect(readFileSync(join(d.root, "data.bin"), "utf8")).toBe("window bytes\n");
    expect(await c.ask(`c MB READ ${fd} 0x2000 100 0 0`)).toBe(`c 0 ${bytes.length}`);
    expect(readFileSync(d.window).subarray(0x1000, 0x1000 + bytes.length).toString()).toBe("window bytes\n");
    expect(await c.ask("d MB LIST 0 0x3000 100 0 0")).toBe("d 0 8");
    expect(readFileSync(d.window).subarray(0x2000, 0x2009).toString("latin1")).toBe("data.bin\0");
    const stat = await c.ask("e MB STAT data.bin 0x4000");
    expect(stat).toMatch(/^e 0 0 size=13 mode=0100640 nlink=1 /);
    const record = readFileSync(d.window).subarray(0x3000, 0x3040);
    expect(record.readUInt32LE(0)).toBe(1);
    expect(Number(record.readBigUInt64LE(8))).toBe(13);
    // Window bounds: the first byte, the last byte, one past the end, wrap-around, huge.
    expect(await c.ask(`f MB READ ${fd} 0x1000 1 0 0`)).toBe("f 0 1");
    expect(await c.ask(`g MB READ ${fd} 0x10fff 1 0 0`)).toBe("g 0 1");
    expect(await c.ask(`h MB READ ${fd} 0x11000 1 0 0`)).toBe("h 14 -1 EFAULT");
    expect(await c.ask(`i MB READ ${fd} 0xfff 1 0 0`)).toBe("i 14 -1 EFAULT");
    expect(await c.ask(`j MB READ ${fd} 0xffffffffffffffff 2 0 0`)).toBe("j 14 -1 EFAULT");
    expect(await c.ask(`k MB WRITE ${fd} 0x1000 99999999999 0 0`)).toBe("k 22 -1 EINVAL");
    await stop(d);
  });
});

describe("confinement at the daemon", () => {
  test("a FIFO, a symlink out and a symlinked name never block or escape the daemon", async () => {
    const d = await startKdosd();
    const outside = join(d.dir, "outside.txt");
    writeFileSync(outside, "secret\n");
    expect(spawnSync("mkfifo", [join(d.root, "fifo")]).status).toBe(0);
    symlinkSync(outside, join(d.root, "link"));
    const c = await udpClient(d);
    expect(await c.ask("a MB OPEN fifo O_RDONLY")).toBe("a 13 -1 EACCES");
    expect(await c.ask("b MB OPEN link O_RDONLY")).toBe("b 40 -1 ELOOP");
    expect(await c.ask("c MB OPEN link O_WRONLY|O_TRUNC")).toBe("c 40 -1 ELOOP");
    expect(await c.ask("d MB DELETE *")).toBe("d 0 0 deleted=0");
    expect(await c.ask("e MB RENAME link x")).toBe("e 40 -1 ELOOP");
    expect(readFileSync(outside, "utf8")).toBe("secret\n");
    await stop(d);
  });
});

describe("a corpus of hostile names against the daemon", () => {
  const long = (n: number) => "a".repeat(n);
  /** Name → the errno OPEN O_RDONLY answers (0: it is a fine name, and absent: ENOENT is 2). */
  const CORPUS: [string, string][] = [
    ["../x", "EINVAL"],
    ["a/../../x", "EINVAL"],
    ["/etc/passwd", "EINVAL"],
    ["/../x", "EINVAL"],
    ["//x", "ENOENT"],
    ["a//b", "EINVAL"],
    ["./a", "EINVAL"],
    [".", "EINVAL"],
    ["..", "EINVAL"],
    ["a/", "EINVAL"],
    ["x/", "EINVAL"],
    ["sub/x", "EINVAL"],
    ["....//x", "EINVAL"],
    [long(256), "ENAMETOOLONG"],
    [long(1025), "ENAMETOOLONG"],
    [long(255), "ENOENT"],
    ["$HOME", "ENOENT"],
    ["~root", "ENOENT"],
    ["%2e%2e", "ENOENT"],
    ["...", "ENOENT"],
    ["-", "ENOENT"],
    ["a\x7fb", "EINVAL"],
    ["a\x00b", "EINVAL"],
    ["a\rb", "EINVAL"],
    ["\xc3\xa9t\xc3\xa9", "EINVAL"],
    ["*", "EINVAL"],
    ["a?b", "EINVAL"],
    ["[x]", "EINVAL"],
    ["a\\b", "EINVAL"],
    ["\\..\\x", "EINVAL"],
    ["link-out", "ELOOP"],
    ["link-rel", "ELOOP"],
    ["link-dir", "ELOOP"],
    ["link-self", "ELOOP"],
    ["dangling", "ELOOP"],
    ["fifo", "EACCES"],
    ["sock", "EACCES"],
    ["dir", "EISDIR"],
    ["outside.txt", "ENOENT"],
    ["root", "ENOENT"],
  ];
  const ERRNO: Record<string, number> = { EINVAL: 22, ENOENT: 2, ENAMETOOLONG: 36, ELOOP: 40, EACCES: 13, EISDIR: 21 };
  /** A corpus name as its bytes (one char, one byte: `\xc3\xa9` is UTF-8 é). */
  const raw = (name: string) => Buffer.from(name, "latin1");

  test(`${CORPUS.length} names: each gets the spec's errno, and nothing outside the root is touched`, async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    const d = await startKdosd();
    const outside = join(d.dir, "outside.txt");
    writeFileSync(outside, "secret\n");
    mkdirSync(join(d.dir, "outdir"));
    writeFileSync(join(d.dir, "outdir", "f"), "secret\n");
    symlinkSync(outside, join(d.root, "link-out"));
    symlinkSync("../outside.txt", join(d.root, "link-rel"));
    symlinkSync(join(d.dir, "outdir"), join(d.root, "link-dir"));
    symlinkSync("link-self", join(d.root, "link-self"));
    symlinkSync(join(d.dir, "nothing"), join(d.root, "dangling"));
    expect(spawnSync("mkfifo", [join(d.root, "fifo")]).status).toBe(0);
    expect(
      spawnSync("python3", [
        "-c",
        `import socket;socket.socket(socket.AF_UNIX).bind(${JSON.stringify(join(d.root, "sock"))})`,
      ]).status,
    ).toBe(0);
    mkdirSync(join(d.root, "dir"));
    // A device node where we may make one (root, outside a restricted container).
    const device = process.getuid?.() === 0 && spawnSync("mknod", [join(d.root, "null"), "c", "1", "3"]).status === 0;
    const corpus = device ? [...CORPUS, ["null", "EACCES"] as [string, string]] : CORPUS;
    const before = readFileSync(outside, "utf8") + statSync(outside).mtimeMs;
    const socket = createSocket("udp4");
    sockets.push(socket);
    const replies: string[] = [];
    socket.on("message", (m) => replies.push(m.toString("latin1")));
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
    const mailbox = `127.0.0.1:${socket.address().port}`;
    let n = 0;
    const ask = async (op: string, name: string, rest: string) => {
      const tag = `h${n++}`;
      socket.send(
        Buffer.concat([Buffer.from(`${tag} ${mailbox} ${op} `), raw(name), Buffer.from(rest)]),
        d.udpPort,
        "127.0.0.1",
      );
      return (await waitFor(`reply ${tag}`, () => replies.find((r) => r.startsWith(`${tag} `)))).slice(tag.length + 1);
    };
    for (const [name, errno] of corpus) {
      expect(`${JSON.stringify(name)} -> ${await ask("OPEN", name, " O_RDONLY")}`).toBe(
        `${JSON.stringify(name)} -> ${ERRNO[errno]} -1 ${errno}`,
      );
      const write = await ask("OPEN", name, " O_WRONLY|O_CREAT|O_TRUNC");
      if (write.startsWith("0 ")) await ask("CLOSE", write.split(" ")[1]!, "");
      await ask("RENAME", name, " moved");
      await ask("STATX", name, "");
    }
    expect(await ask("DELETE", "*", "")).toMatch(/^0 0 deleted=\d+$/);
    expect(readFileSync(outside, "utf8") + statSync(outside).mtimeMs).toBe(before);
    expect(readFileSync(join(d.dir, "outdir", "f"), "utf8")).toBe("secret\n");
    await stop(d);
  });

  test("a file swapped for a symlink out, in a loop while the daemon opens and writes, never lets a write out", async () => {
    const d = await startKdosd();
    const outside = join(d.dir, "outside.txt");
    writeFileSync(outside, "secret\n");
    const racer = background([
      "sh",
      "-c",
      `cd ${
        JSON.stringify(d.root)
      } && while :; do ln -sf ../outside.txt t1 && mv -f t1 swap; echo x > t2 && mv -f t2 swap; done`,
    ]);
    const c = await udpClient(d);
    let opened = 0;
    const until = performance.now() + 1000;
    for (let i = 0; performance.now() < until; i++) {
      const r = await c.ask(`w${i} MB OPEN swap O_WRONLY|O_TRUNC`);
      const [, errno, fd] = r.split(" ");
      if (errno !== "0") continue;
      opened++;
      await c.ask(`x${i} MB WRITEX ${fd} 0 0 b3duZWQK`);
      await c.ask(`y${i} MB CLOSE ${fd}`);
    }
    process.kill(-racer.pid, "SIGKILL");
    await racer.exited;
    expect(readFileSync(outside, "utf8")).toBe("secret\n");
    expect(opened).toBeGreaterThan(0);
    await stop(d);
  });
});

describe("transport faults", () => {
  test("1000 commands from a client that never reads do not delay another client by more than 100 ms", async () => {
    const d = await startKdosd();
    const greedy = createSocket("udp4");
    sockets.push(greedy);
    await new Promise<void>((r) => greedy.bind(0, "127.0.0.1", r));
    const mailbox = `127.0.0.1:${greedy.address().port}`;
    const c = await udpClient(d);
    // The client contract (spec §2.1): a repeat-safe command is retried; the
    // kernel may drop datagrams while the flood fills kdosd's receive buffer.
    const timed = async (tag: string) => {
      const t0 = performance.now();
      const retry = setInterval(() => c.send(`${tag} MB STATX nothing`), 10);
      c.send(`${tag} MB STATX nothing`);
      try {
        expect(await c.reply(tag)).toBe(`${tag} 2 -1 ENOENT`);
      } finally {
        clearInterval(retry);
      }
      return performance.now() - t0;
    };
    const alone = await timed("warm");
    for (let i = 0; i < 1000; i++) greedy.send(`g${i} ${mailbox} STATX nothing`, d.udpPort, "127.0.0.1");
    const crowded = await timed("quick");
    expect(crowded - alone).toBeLessThan(100);
    await stop(d);
  });

  test("a reply to another host than the sender's is refused unless --allow-remote-replies", async () => {
    const d = await startKdosd("-vperror");
    const c = await udpClient(d);
    const socket = createSocket("udp4");
    sockets.push(socket);
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
    socket.send("x 192.0.2.1:9 STATX nothing", d.udpPort, "127.0.0.1");
    await waitFor("the refusal logged", () => d.proc.stderr().includes("anti-reflection"));
    expect(await c.ask("y MB STATX nothing")).toBe("y 2 -1 ENOENT");
    await stop(d);
  });

  test("with --allow-remote-replies, a command naming another host's mailbox runs", async () => {
    const d = await startKdosd("--allow-remote-replies");
    const socket = createSocket("udp4");
    sockets.push(socket);
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
    socket.send("x 192.0.2.1:9 OPEN made.txt O_WRONLY|O_CREAT", d.udpPort, "127.0.0.1");
    await waitFor("the file made", () => existsSync(join(d.root, "made.txt")));
    await stop(d);
  });

  test("oversize and garbage datagrams are logged and dropped; the daemon goes on", async () => {
    const d = await startKdosd("-vperror", "--max-command", "512");
    const c = await udpClient(d);
    const socket = createSocket("udp4");
    sockets.push(socket);
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
    socket.send(Buffer.alloc(2000, 0x41), d.udpPort, "127.0.0.1");
    socket.send(Buffer.from([0xff, 0x00, 0x20, 0x0a]), d.udpPort, "127.0.0.1");
    expect(await c.ask(`big MB STATX ${"a".repeat(600)}`)).toBe("big 90 -1 EMSGSIZE");
    await waitFor("the drops logged", () => (d.proc.stderr().match(/Dropped/g) ?? []).length >= 2);
    expect(await c.ask("z MB STATX nothing")).toBe("z 2 -1 ENOENT");
    await stop(d);
  });

  test("a second kdosd on the same command mailbox refuses to start, saying why", async () => {
    const d = await startKdosd();
    const r = await run([
      ...programArgv("kdosd"),
      "--root",
      d.root,
      "--mailbox",
      `udp!127.0.0.1!${d.udpPort}`,
      "--window",
      "none",
    ]);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/another kdosd/);
    await stop(d);
  });
});

describe("lifecycle", () => {
  test("SIGUSR1 shows live handles; SIGTERM with handles open exits 0, removes the unix gateway, keeps the window", async () => {
    const d = await startKdosd("--sync-close", "--gateway", "unix!GW");
    const c = await udpClient(d);
    expect(await c.ask("a MB OPEN kept.txt O_WRONLY|O_CREAT")).toBe("a 0 3");
    expect(await c.ask("b MB WRITEX 3 0 0 aGk=")).toBe("b 0 2");
    process.kill(d.proc.pid, "SIGUSR1");
    await waitFor("the handle listed", () => /"fd":3/.test(d.proc.stdout()) && d.proc.stdout().includes("kept.txt"));
    const gw = join(d.dir, "gw.sock");
    expect(existsSync(gw)).toBe(true);
    process.kill(d.proc.pid, "SIGTERM");
    expect((await d.proc.exited).code).toBe(0);
    expect(existsSync(gw)).toBe(false);
    expect(existsSync(d.window)).toBe(true);
    expect(readFileSync(join(d.root, "kept.txt"), "utf8")).toBe("hi");
  });
});

describe("start-up refusals", () => {
  test("each ends with its documented status and one line saying what to fix", async () => {
    const dir = tempDir("kdosd-refusals");
    const root = join(dir, "root");
    mkdirSync(root, { mode: 0o750 });
    const open = join(dir, "open");
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const unsafe = join(dir, "unsafe.window");
    writeFileSync(unsafe, "", { mode: 0o666 });
    chmodSync(unsafe, 0o666);
    const port = String(await freePort(["127.0.0.1"]));
    const cases: [string[], number, RegExp][] = [
      [["--bogus"], 64, /unknown option/],
      [["--root", join(dir, "missing")], 66, /create the directory/],
      [["--root", open], 78, /chmod o-w/],
      [["--root", root, "--mailbox", `udp!0.0.0.0!${port}`], 78, /--allow-from/],
      [["--root", root, "--mailbox", `udp!127.0.0.1!${port}`, "--window", `${unsafe}:4K:0`], 73, /unsafe\.window/],
      [["--mailbox", "none"], 64, /--gateway/],
    ];
    for (const [args, code, message] of cases) {
      const r = await run([...programArgv("kdosd"), "--window", "none", ...args]);
      expect(`${args.join(" ")} -> ${r.code}`).toBe(`${args.join(" ")} -> ${code}`);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n").length).toBe(1);
    }
  });
});

describe("kdosd call", () => {
  test("sends one command over UDP or the gateway and prints the reply", async () => {
    const d = await startKdosd();
    writeFileSync(join(d.root, "hello.txt"), "hello\n");
    const call = (...args: string[]) => run([...programArgv("kdosd"), "call", ...args]);
    // Handles belong to the response mailbox: both calls answer at one address.
    const from = `udp!127.0.0.1!${await freePort(["127.0.0.1"], [d.udpPort, d.tcpPort])}`;
    const udp = await call(
      "--to",
      `udp!127.0.0.1!${d.udpPort}`,
      "--from",
      from,
      "--tag",
      "0x1",
      "OPEN",
      "hello.txt",
      "O_RDONLY",
    );
    expect([udp.code, udp.stdout]).toEqual([0, "0x1 0 3\n"]);
    const data = await call(
      "--to",
      `udp!127.0.0.1!${d.udpPort}`,
      "--from",
      from,
      "--decode",
      "READX",
      "3",
      "100",
      "0",
      "0",
    );
    expect([data.code, data.stdout]).toEqual([0, "hello\n"]);
    const tcp = await call("--to", `tcp!127.0.0.1!${d.tcpPort}`, "--tag", "t", "STATX", "nothing");
    expect([tcp.code, tcp.stdout]).toEqual([1, "t 2 -1 ENOENT\n"]);
    const none = await call("--to", `udp!127.0.0.1!${await freePort(["127.0.0.1"])}`, "--timeout", "0.2", "STATX", "x");
    expect(none.code).toBe(75);
    await stop(d);
  });

  test("the documented ten-line shell client prints a file through the gateway", async () => {
    const d = await startKdosd();
    writeFileSync(join(d.root, "notes.txt"), "line one\nline two\n");
    const doc = readFileSync(join(import.meta.dir, "..", "..", "docs", "kdosd.md"), "utf8");
    const script = /```sh\n([\s\S]*?)```/.exec(doc)![1]!.replaceAll("7011", String(d.tcpPort));
    const path = join(d.dir, "kdos");
    writeFileSync(path, script, { mode: 0o755 });
    if (spawnSync("bash", ["-c", "true"]).status !== 0) return;
    const r = await run([path, "notes.txt"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "line one\nline two\n", ""]);
    expect(statSync(path).isFile()).toBe(true);
    await stop(d);
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DialError } from "../../../lib/dial.ts";
import { errorCode } from "../../../lib/errno.ts";
import { decodeR, decodeT, encode } from "../../../lib/ninep/codec.ts";
import { IOHDRSZ, ORDWR, OREAD, OWRITE } from "../../../lib/ninep/constants.ts";
import { ConnectionLost, NinepError, ProtocolViolation, RequestAborted } from "../../../lib/ninep/failures.ts";
import { Client, type Fid, WalkStopped } from "../../../lib/ninep/io/client.ts";
import { tempDir } from "../../helpers/fs.ts";
import { waitFor } from "../../helpers/net.ts";
import { FakeServer, QIDS } from "../fake-server.ts";

const str = (b: Uint8Array) => new TextDecoder().decode(b);

let server: FakeServer | undefined;
let client: Client | undefined;
afterEach(() => {
  client?.close();
  server?.stop();
  client = server = undefined;
});

/** A server on a free loopback port and a client connected, versioned and attached as alice. */
async function attached() {
  server = await FakeServer.start({ host: "127.0.0.1", port: 0 });
  client = await Client.connect(`tcp!127.0.0.1!${server.port}`);
  expect(await client.version(8216)).toEqual({ msize: 8216, version: "9P2000" });
  return { server, client, root: await client.attach("alice") };
}

/** The ctl file opened ORDWR and a read on it that the server holds; `signal` may abort it. */
async function heldRead(root: Fid, signal?: AbortSignal) {
  const ctl = await root.walk(["ctl"]);
  await ctl.open(ORDWR);
  const read = ctl.read(100, { signal });
  await waitFor("the held read", () => server!.received.at(-1)?.type === "Tread");
  return { ctl, read };
}

describe("9P client over a socket", () => {
  test("version, attach, walk, open and read with the fid's own offset", async () => {
    const { root, server } = await attached();
    expect(root.qid).toEqual(QIDS.root);
    const name = await root.walk(["name"]);
    expect(name.qid).toEqual(QIDS.name);
    await name.open(OREAD);
    expect(str(await name.read(3))).toBe("ali");
    expect(str(await name.read(100))).toBe("ce");
    expect(str(await name.read(100))).toBe("");
    expect(str(await name.read(100, { offset: 1n }))).toBe("lice");
    expect(name.offset).toBe(5n);
    expect(server.received.filter((m) => m.type === "Tread").map((m) => (m as { offset: bigint }).offset)).toEqual([
      0n,
      3n,
      5n,
      1n,
    ]);
  });

  test("an unknown version comes back as the server's answer", async () => {
    server = await FakeServer.start({ host: "127.0.0.1", port: 0 });
    client = await Client.connect(`net!127.0.0.1!${server.port}`);
    expect(await client.version(100000, "9P1999")).toEqual({ msize: 8216, version: "unknown" });
    await expect(client.version(100)).rejects.toThrow(new NinepError("message size too small"));
  });

  test("a read asks for at most msize - 24 bytes", async () => {
    const { root, server } = await attached();
    const name = await root.walk(["name"]);
    await name.read(1 << 20);
    expect(server.received.at(-1)).toMatchObject({ type: "Tread", count: 8216 - IOHDRSZ });
  });

  test("stat, readdir across several reads, clunk and remove", async () => {
    const { root, client } = await attached();
    expect((await root.stat()).name).toBe(".");
    const dir = await root.walk([]);
    expect(dir.fid).not.toBe(root.fid);
    await dir.open(OREAD);
    expect(dir.iounit).toBe(70);
    expect((await dir.readdir()).map((s) => s.name)).toEqual(["name", "ctl"]);
    await dir.clunk();
    const name = await root.walk(["name"]);
    await expect(name.remove()).rejects.toThrow(new NinepError("permission denied"));
    expect(client.claimFid(name.fid)).toBe(name.fid);
  });

  test("a walk refused at its first name rejects with the server's error; one stopping later with WalkStopped", async () => {
    const { root, client } = await attached();
    await expect(root.walk(["nosuch"])).rejects.toThrow(new NinepError("file does not exist"));
    const stopped = await root.walk(["name", "x"]).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(WalkStopped);
    expect((stopped as WalkStopped).walked).toEqual(["name"]);
    expect((stopped as WalkStopped).message).toBe("file does not exist");
    const next = await root.walk(["ctl"]);
    expect(next.fid).toBe(client.claimFid() - 1);
  });

  test("a zero-length write is one Twrite of no data; a long one is cut to the msize", async () => {
    const { root, server } = await attached();
    const ctl = await root.walk(["ctl"]);
    await ctl.open(OWRITE);
    expect(await ctl.write(new Uint8Array())).toBe(0);
    expect(server.received.at(-1)).toMatchObject({ type: "Twrite", data: new Uint8Array() });
    expect(await ctl.write(new Uint8Array(9000))).toBe(9000);
    const writes = server.received.filter((m) => m.type === "Twrite") as Array<{ offset: bigint; data: Uint8Array }>;
    expect(writes.map((w) => [w.offset, w.data.length])).toEqual([[0n, 0], [0n, 8192], [8192n, 808]]);
    expect(ctl.offset).toBe(9000n);
  });

  test("many requests in flight settle with their own replies", async () => {
    const { root } = await attached();
    const ctl = await root.walk(["ctl"]);
    await ctl.open(ORDWR);
    const reads = [1, 2, 3].map(() => ctl.read(100, { offset: 0n }));
    const stats = [root.stat(), ctl.stat()];
    for (const word of ["one", "two", "three"]) await ctl.write(word, { offset: 0n });
    expect((await Promise.all(reads)).map(str)).toEqual(["one", "two", "three"]);
    expect((await Promise.all(stats)).map((s) => s.name)).toEqual([".", "ctl"]);
  });

  test("aborting a held read flushes it: it rejects once the Rflush comes, and the fid reads again", async () => {
    const { root, server } = await attached();
    const abort = new AbortController();
    const { ctl, read } = await heldRead(root, abort.signal);
    abort.abort();
    await expect(read).rejects.toBeInstanceOf(RequestAborted);
    const tread = server.received.at(-2)!;
    expect(server.received.at(-1)).toEqual({ type: "Tflush", tag: expect.any(Number), oldtag: tread.tag });
    expect(ctl.offset).toBe(0n);
    const again = ctl.read(100);
    await ctl.write("hello", { offset: 0n });
    expect(str(await again)).toBe("hello");
  });

  test("a flushed read answered before the Rflush resolves with its data", async () => {
    const { root, server } = await attached();
    server.answerBeforeFlush = true;
    const abort = new AbortController();
    const { ctl, read } = await heldRead(root, abort.signal);
    abort.abort();
    expect(str(await read)).toBe("late");
    expect(ctl.offset).toBe(4n);
  });

  test("a signal aborted already sends nothing", async () => {
    const { root, server } = await attached();
    const before = server.received.length;
    await expect(root.read(10, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(RequestAborted);
    expect(server.received.length).toBe(before);
  });

  test("a lost connection rejects what is waiting and what comes after with ConnectionLost", async () => {
    const { root, server, client } = await attached();
    const { read } = await heldRead(root);
    for (const socket of server.sockets) socket.destroy();
    await expect(read).rejects.toBeInstanceOf(ConnectionLost);
    await expect(root.stat()).rejects.toBeInstanceOf(ConnectionLost);
    await expect(client.attach("bob")).rejects.toBeInstanceOf(ConnectionLost);
  });

  test("garbage from the server is a protocol violation, and the client hangs up", async () => {
    const { root, server } = await attached();
    const { read } = await heldRead(root);
    for (const socket of server.sockets) socket.write(encode({ type: "Rclunk", tag: 999 }));
    await expect(read).rejects.toThrow(new ProtocolViolation("Rclunk with tag 999, which has no request waiting"));
    await waitFor("the client to hang up", () => server.sockets.size === 0);
  });

  test("observe sees every frame both ways; raw frames go out as they are and get their replies", async () => {
    server = await FakeServer.start({ host: "127.0.0.1", port: 0 });
    const seen: Array<[string, string]> = [];
    client = await Client.connect(`tcp!127.0.0.1!${server.port}`, {
      observe: (direction, frame) => {
        const m = direction === "sent" ? decodeT(frame) : decodeR(frame);
        seen.push([direction, m.type]);
      },
    });
    await client.version();
    const cut = encode({ type: "Tclunk", tag: 5, fid: 99 }).subarray(0, 9);
    cut[0] = 9;
    expect(await client.requestRaw(cut)).toEqual({ type: "Rerror", tag: 5, ename: "bad 9P T-message format" });
    expect(await client.requestRaw(encode({ type: "Tclunk", tag: 6, fid: 99 }))).toEqual({
      type: "Rerror",
      tag: 6,
      ename: "bad fid",
    });
    expect(seen).toEqual([
      ["sent", "Tversion"],
      ["received", "Rversion"],
      ["sent", "malformed"],
      ["received", "Rerror"],
      ["sent", "Tclunk"],
      ["received", "Rerror"],
    ]);
  });

  test("unix! dial strings connect to a UNIX-domain socket", async () => {
    const path = join(tempDir("ninep"), "s");
    server = await FakeServer.start({ path });
    client = await Client.connect(`unix!${path}`);
    expect((await client.version()).version).toBe("9P2000");
  });

  test("a refused connection rejects with its errno code; a udp address is a DialError", async () => {
    server = await FakeServer.start({ host: "127.0.0.1", port: 0 });
    const port = server.port;
    server.stop();
    server = undefined;
    const refused = await Client.connect(`tcp!127.0.0.1!${port}`).catch((e: unknown) => e);
    expect(errorCode(refused)).toBe("ECONNREFUSED");
    await expect(Client.connect("udp!127.0.0.1!53")).rejects.toBeInstanceOf(DialError);
  });
});

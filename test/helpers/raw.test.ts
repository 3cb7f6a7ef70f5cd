/** The raw socket clients (test/helpers/raw.ts) against plain node:net and node:dgram peers. */
import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { tempDir } from "./fs.ts";
import { waitFor } from "./net.ts";
import { RawDatagram, RawStream } from "./raw.ts";

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server at `where` (a path, or TCP on 127.0.0.1 when undefined) that hands each connection to `serve`. */
async function listen(serve: (socket: Socket) => void, where?: string): Promise<{ path: string; port: number }> {
  const server = createServer((socket) => {
    // The clients here close whenever they like.
    socket.on("error", () => {});
    serve(socket);
  });
  servers.push(server);
  await new Promise<void>((
    resolve,
  ) => (where ? server.listen(where, resolve) : server.listen(0, "127.0.0.1", resolve)));
  const address = server.address();
  return { path: where ?? "", port: typeof address === "object" && address ? address.port : 0 };
}

const unixPath = () => join(tempDir("raw"), "s.sock");

describe("RawStream", () => {
  test("reads exact counts, up to delimiters and lines, in the order the bytes came", async () => {
    const { path } = await listen(
      (s) => s.end(Buffer.from([1, 2, 3, 0xff, 0, 0x0d, 0x0a, 0x41, 0x0a, 0x42])),
      unixPath(),
    );
    const c = await RawStream.unix(path);
    expect([...(await c.read(2))]).toEqual([1, 2]);
    expect([...(await c.readUntil(Uint8Array.of(0xff, 0)))]).toEqual([3, 0xff, 0]);
    expect(await c.line("\r\n")).toBe("\r\n");
    expect(await c.line()).toBe("A\n");
    expect(await c.readAll()).toBe("B");
    expect(c.ended).toBe(true);
  });

  test("ask sends a command and reads one reply line; strings go out as latin1 bytes", async () => {
    const { path } = await listen(
      (s) => s.on("data", (b: Buffer) => s.write(`${b.length}:${b.toString("hex")}\n`)),
      unixPath(),
    );
    const c = await RawStream.unix(path);
    expect(await c.ask("\xff\x00")).toBe("2:ff00\n");
    expect(await c.ask(Uint8Array.of(0x41))).toBe("1:41\n");
    c.close();
  });

  test("waiting times out, and a close while waiting fails at once, both showing what came", async () => {
    const { path } = await listen((s) => s.write("partial"), unixPath());
    const c = await RawStream.unix(path);
    await expect(c.line("\n", 100)).rejects.toThrow(
      'timed out after 100 ms waiting for delimiter "\\n"; have "partial"',
    );
    c.close();
    const { path: closing } = await listen((s) => s.end("bye"), unixPath());
    const d = await RawStream.unix(closing);
    await expect(d.read(10)).rejects.toThrow('connection closed while waiting for 10 bytes; have "bye"');
  });

  test("end lets the peer answer our end of file; readAll waits for its close", async () => {
    const { path } = await listen((s) => {
      let got = "";
      s.on("data", (b: Buffer) => (got += b.toString("latin1")));
      s.on("end", () => s.end(`got ${got}`));
    }, unixPath());
    const c = await RawStream.unix(path);
    c.send("everything");
    c.end();
    expect(await c.readAll()).toBe("got everything");
  });

  test("over TCP, from a chosen local address", async () => {
    const { port } = await listen((s) => s.end(`${s.remoteAddress?.replace(/^::ffff:/, "")}\n`));
    const c = await RawStream.tcp("127.0.0.1", port, "127.0.0.2");
    expect(await c.line()).toBe("127.0.0.2\n");
    await c.closed();
  });

  test("what a peer that stops reading does not take stays unsent here", async () => {
    const { path } = await listen((s) => s.pause(), unixPath());
    const c = await RawStream.unix(path);
    c.send(new Uint8Array(8 * 1024 * 1024));
    expect(c.unsent).toBeGreaterThan(4 * 1024 * 1024);
    c.close();
  });

  test("after stopReading nothing more is taken from the kernel, so the peer's writes back up", async () => {
    const peers: Socket[] = [];
    const { path } = await listen((s) => {
      peers.push(s);
      s.on("data", () => s.write("pong\n"));
    }, unixPath());
    const c = await RawStream.unix(path);
    c.stopReading();
    const other = await RawStream.unix(path);
    await waitFor("both connections at the server", () => peers.length === 2);
    peers[0]!.write(new Uint8Array(8 * 1024 * 1024));
    // A round trip on the other connection: turns of the loop in which c could have read.
    expect(await other.ask("ping")).toBe("pong\n");
    expect(c.pending.length).toBe(0);
    expect(peers[0]!.writableLength).toBeGreaterThan(4 * 1024 * 1024);
    c.close();
    other.close();
  });
});

describe("RawDatagram", () => {
  test("request sends a datagram and resolves with the reply from that address", async () => {
    const echo = await RawDatagram.bind();
    const client = await RawDatagram.bind();
    const serving = echo.receive().then((d) =>
      echo.send(Buffer.concat([Buffer.from("re:"), d.data]), d.address, d.port)
    );
    expect((await client.request("ping", "127.0.0.1", echo.port)).toString("latin1")).toBe("re:ping");
    await serving;
    await Promise.all([echo.close(), client.close()]);
  });

  test("receive gives datagrams in arrival order with their source; times out when none comes", async () => {
    const a = await RawDatagram.bind();
    const b = await RawDatagram.bind("127.0.0.2");
    await b.send("one", "127.0.0.1", a.port);
    await b.send(Uint8Array.of(0xff), "127.0.0.1", a.port);
    expect(await a.receive()).toMatchObject({ data: Buffer.from("one"), address: "127.0.0.2", port: b.port });
    expect([...(await a.receive()).data]).toEqual([0xff]);
    await expect(a.receive(100)).rejects.toThrow("timed out after 100 ms waiting for a datagram");
    await Promise.all([a.close(), b.close()]);
  });
});

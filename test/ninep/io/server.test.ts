/**
 * The 9P2000 server loop (lib/ninep/server.ts) behind a real StreamDriver on
 * loopback, serving the toy service to the library's own Client.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { Server } from "node:net";
import { IOHDRSZ, ORDWR, OREAD } from "../../../lib/ninep/constants.ts";
import { ConnectionLost, NinepError, RequestAborted } from "../../../lib/ninep/failures.ts";
import { Client, type Fid } from "../../../lib/ninep/io/client.ts";
import { NinepServer } from "../../../lib/ninep/server.ts";
import type { Log } from "../../../lib/log.ts";
import { CoreRunner } from "../../../lib/net/runner.ts";
import { StreamDriver } from "../../../lib/net/stream-driver.ts";
import { listenStream } from "../../../lib/net/stream-sockets.ts";
import { waitFor } from "../../helpers/net.ts";
import { MANY, README_TEXT, type ToyOpen, ToyService } from "../toy-service.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** The toy service served on a free loopback port. */
class Served {
  readonly toy = new ToyService();
  readonly logs: string[] = [];
  readonly runner: CoreRunner<NinepServer<number, ToyOpen>>;
  readonly streams: StreamDriver;
  readonly server: NinepServer<number, ToyOpen>;
  readonly clients: Client[] = [];

  private constructor(readonly listener: Server) {
    const line = (level: string) => (...args: unknown[]) => this.logs.push(`${level}: ${args.join(" ")}`);
    const log: Log = { error: line("error"), warn: line("warn"), info: line("info"), debug: line("debug") };
    this.runner = new CoreRunner(log);
    this.streams = new StreamDriver(this.runner);
    this.server = new NinepServer(this.streams.effects, this.toy);
    this.runner.start(this.server);
    this.streams.serve("9p", listener);
  }

  static async start(): Promise<Served> {
    return new Served(await listenStream({ host: "127.0.0.1", port: 0 }));
  }

  get address(): string {
    const address = this.listener.address();
    return `tcp!127.0.0.1!${typeof address === "object" && address ? address.port : 0}`;
  }

  /** A client, versioned and attached as `uname`. */
  async attach(uname: string): Promise<{ client: Client; root: Fid }> {
    const client = await Client.connect(this.address);
    this.clients.push(client);
    expect(await client.version(8216)).toEqual({ msize: 8216, version: "9P2000" });
    return { client, root: await client.attach(uname) };
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await this.streams.stopListening();
    this.server.stop();
    this.runner.touch();
    await this.runner.finished;
    this.streams.destroyAll();
  }
}

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

/** ctl walked to and opened read-write. */
async function ctlOf(root: Fid): Promise<Fid> {
  const ctl = await root.walk(["ctl"]);
  await ctl.open(ORDWR);
  return ctl;
}

describe("9P server over a socket", () => {
  test("a client attaches, walks, stats, reads a file and lists a directory", async () => {
    served = await Served.start();
    const { root } = await served.attach("alice");
    expect((await root.stat()).name).toBe(".");
    const readme = await root.walk(["readme"]);
    expect((await readme.open(OREAD)).iounit).toBe(8216 - IOHDRSZ);
    expect(text(await readme.read(100))).toBe(README_TEXT);
    expect(await readme.read(100)).toEqual(new Uint8Array(0));
    const many = await root.walk(["many"]);
    await many.open(OREAD);
    const listed = await many.readdir();
    expect(listed).toHaveLength(MANY);
    expect(listed.map((s) => s.name)).toEqual(served.toy.manyStats().map((s) => s.name));
    await expect(root.walk(["many", "nosuch"])).rejects.toThrow("file does not exist");
  });

  test("a held read is answered by a write from a second connection", async () => {
    served = await Served.start();
    const alice = await served.attach("alice");
    const bob = await served.attach("bob");
    const aliceCtl = await ctlOf(alice.root);
    const bobCtl = await ctlOf(bob.root);
    const held = aliceCtl.read(100);
    await waitFor("alice's read to be held", () => served!.toy.ctlOpens.some((o) => o.held));
    expect(await bobCtl.write("hello")).toBe(5);
    expect(text(await held)).toBe("hello");
    expect(text(await bobCtl.read(100))).toBe("hello");
  });

  test("aborting a held read flushes it, and the fid may read again", async () => {
    served = await Served.start();
    const alice = await served.attach("alice");
    const bob = await served.attach("bob");
    const aliceCtl = await ctlOf(alice.root);
    const bobCtl = await ctlOf(bob.root);
    const abort = new AbortController();
    const held = aliceCtl.read(100, { signal: abort.signal });
    await waitFor("alice's read to be held", () => served!.toy.ctlOpens.some((o) => o.held));
    abort.abort();
    await expect(held).rejects.toBeInstanceOf(RequestAborted);
    expect(served.toy.calls).toContainEqual({ call: "flushed", conn: 1, fid: aliceCtl.fid });
    const again = aliceCtl.read(100);
    await waitFor("alice's second read to be held", () => served!.toy.ctlOpens.some((o) => o.held));
    await bobCtl.write("after");
    expect(text(await again)).toBe("after");
  });

  test("a disconnect clunks the connection's fids and leaves the others' alone", async () => {
    served = await Served.start();
    const alice = await served.attach("alice");
    const bob = await served.attach("bob");
    const aliceCtl = await ctlOf(alice.root);
    const bobCtl = await ctlOf(bob.root);
    const held = aliceCtl.read(100);
    await waitFor("alice's read to be held", () => served!.toy.ctlOpens.some((o) => o.held));
    alice.client.close();
    await expect(held).rejects.toBeInstanceOf(ConnectionLost);
    await waitFor("alice's ctl to be clunked", () => served!.toy.calls.some((c) => c.call === "clunk" && c.conn === 1));
    expect(served.toy.calls.filter((c) => (c.call === "clunk" || c.call === "flushed") && c.conn === 1)).toEqual([
      { call: "flushed", conn: 1, fid: aliceCtl.fid },
      { call: "clunk", conn: 1, fid: aliceCtl.fid, held: false },
    ]);
    expect(await bobCtl.write("still here")).toBe(10);
    expect(text(await bobCtl.read(100))).toBe("still here");
  });

  test("an oversize frame closes only its own connection", async () => {
    served = await Served.start();
    const alice = await served.attach("alice");
    const bob = await served.attach("bob");
    // size 65536: more than msize, refused as soon as the size field is in.
    await expect(alice.client.requestRaw(new Uint8Array([0, 0, 1, 0, 120, 1, 0]))).rejects.toBeInstanceOf(
      ConnectionLost,
    );
    await waitFor("the log line", () => served!.logs.some((l) => l.includes("9P message longer than agreed")));
    expect((await bob.root.stat()).name).toBe(".");
    await expect(bob.root.walk(["nosuch"])).rejects.toBeInstanceOf(NinepError);
  });
});

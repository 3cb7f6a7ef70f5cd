/** lib/runtime/unix-stream.ts: a client's UNIX-domain stream, its errno codes and its reads. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { listenStream } from "../../../lib/net/stream-sockets.ts";
import { dialUnix, SUN_PATH_MAX } from "../../../lib/runtime/unix-stream.ts";
import { type Case, staleSocket, withTempDir } from "./support.ts";

const dec = new TextDecoder();
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A server on `dir`/s that gives each connection to `serve`, for the length of `fn`. */
async function withServer(
  dir: string,
  serve: (socket: Socket) => void,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const path = join(dir, "s");
  const server = await listenStream({ path });
  const accepted: Socket[] = [];
  server.on("connection", (socket: Socket) => {
    accepted.push(socket);
    socket.on("error", () => {});
    serve(socket);
  });
  try {
    await fn(path);
  } finally {
    for (const socket of accepted) socket.destroy();
    await close(server);
  }
}

export const cases: Case[] = [
  {
    name: "bytes and strings go out in order; replies come back up to a delimiter or exactly n, whatever the chunks",
    run: () =>
      withTempDir((dir) =>
        withServer(dir, (socket) => {
          const got: Buffer[] = [];
          socket.on("data", (chunk: Buffer) => {
            got.push(chunk);
            if (chunk.at(-1) !== 0x2e) return;
            socket.write(Buffer.concat([...got, Buffer.from("\n")]));
            for (const part of ["4,2", "3\nab", "c", "defg\n"]) socket.write(part);
          });
        }, async (path) => {
          const stream = await dialUnix(path);
          try {
            stream.write(new Uint8Array([0x31, 0x32]));
            stream.write("3é.");
            assert.equal(dec.decode((await stream.until(0x0a, 64))!), "123é.");
            assert.equal(dec.decode((await stream.until(0x0a, 64))!), "4,23");
            assert.equal(dec.decode((await stream.exactly(3))!), "abc");
            assert.equal(await stream.until(0x0a, 2), null, "no delimiter within the limit: nothing taken");
            assert.equal(dec.decode((await stream.exactly(5))!), "defg\n");
            assert.equal(stream.ended, false);
          } finally {
            stream.close();
          }
        })
      ),
  },
  {
    name: "a write bigger than the socket's buffer arrives whole, then what follows it",
    run: () =>
      withTempDir((dir) => {
        const big = new Uint8Array(4 << 20).map((_, i) => i & 0xff);
        return withServer(dir, (socket) => {
          let count = 0;
          let sum = 0;
          socket.on("data", (chunk: Buffer) => {
            for (const byte of chunk) sum = (sum + byte) % 65521;
            count += chunk.length;
            if (count === big.length + 4) socket.write(`${count} ${sum}\n`);
          });
        }, async (path) => {
          const stream = await dialUnix(path);
          try {
            stream.write(big);
            stream.write("tail");
            let sum = 0;
            for (const byte of big) sum = (sum + byte) % 65521;
            for (const byte of new TextEncoder().encode("tail")) sum = (sum + byte) % 65521;
            assert.equal(dec.decode((await stream.until(0x0a, 64))!), `${big.length + 4} ${sum}`);
          } finally {
            stream.close();
          }
        });
      }),
  },
  {
    name: "a peer closing mid-read ends the read with null, and later reads too",
    run: () =>
      withTempDir((dir) =>
        withServer(dir, (socket) => {
          socket.once("data", () => socket.end("partial"));
        }, async (path) => {
          const stream = await dialUnix(path);
          try {
            stream.write("go");
            assert.equal(await stream.until(0x0a, 64), null);
            assert.equal(stream.ended, true);
            assert.equal(dec.decode((await stream.exactly(7))!), "partial", "what arrived before the end is kept");
            assert.equal(await stream.exactly(1), null);
          } finally {
            stream.close();
          }
        })
      ),
  },
  {
    name: "a socket nobody accepts on, or a file that is not a socket, is ECONNREFUSED",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "s");
        await staleSocket(path);
        await assert.rejects(dialUnix(path), { code: "ECONNREFUSED" });
        const file = join(dir, "plain");
        writeFileSync(file, "not a socket");
        await assert.rejects(dialUnix(file), { code: "ECONNREFUSED" });
      }),
  },
  {
    name: "a missing path is ENOENT, one over sun_path ENAMETOOLONG",
    run: () =>
      withTempDir(async (dir) => {
        await assert.rejects(dialUnix(join(dir, "none")), { code: "ENOENT" });
        await assert.rejects(dialUnix(join(dir, "x".repeat(SUN_PATH_MAX))), { code: "ENAMETOOLONG" });
      }),
  },
];

/** lib/net/stream-sockets.ts and lib/net/reader.ts: listening, connecting, reading on demand. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import { SocketReader } from "../../../lib/net/reader.ts";
import { connectStream, listenStream, plainAddress, SUN_PATH_MAX } from "../../../lib/net/stream-sockets.ts";
import { type Case, staleSocket, withTempDir } from "./support.ts";

const dec = new TextDecoder();
const close = (server: { close(cb: () => void): void }) =>
  new Promise<void>((resolve) => server.close(() => resolve()));

export const cases: Case[] = [
  {
    name: "a stale UNIX socket is reclaimed when asked; a live one, or any other file, stays EADDRINUSE",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "s");
        // A socket file nobody accepts on: its server was killed.
        await staleSocket(path);
        await assert.rejects(listenStream({ path }), { code: "EADDRINUSE" });
        const reclaimed = await listenStream({ path }, { reclaimStale: true });
        await assert.rejects(listenStream({ path }, { reclaimStale: true }), { code: "EADDRINUSE" });
        await close(reclaimed);
        const file = join(dir, "plain");
        writeFileSync(file, "not a socket");
        await assert.rejects(listenStream({ path: file }, { reclaimStale: true }), { code: "EADDRINUSE" });
      }),
  },
  {
    name: "a socket path over sun_path is ENAMETOOLONG before any bind",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "x".repeat(SUN_PATH_MAX));
        await assert.rejects(listenStream({ path }), { code: "ENAMETOOLONG" });
      }),
  },
  {
    name: "connecting to nothing is ECONNREFUSED (TCP) or ENOENT (UNIX), with the errno code",
    run: () =>
      withTempDir(async (dir) => {
        const probe = await listenStream({ host: "127.0.0.1", port: 0 });
        const port = (probe.address() as { port: number }).port;
        await close(probe);
        await assert.rejects(connectStream({ host: "127.0.0.1", port }), { code: "ECONNREFUSED" });
        await assert.rejects(connectStream({ path: join(dir, "none") }), { code: "ENOENT" });
      }),
  },
  {
    name: "the reader returns bytes up to a delimiter or exactly n, whatever the chunks, and null at the end",
    run: async () => {
      const server = await listenStream({ host: "127.0.0.1", port: 0 });
      server.on("connection", (s: Socket) => {
        for (const part of ["4,2", "3\nab", "c", "defg\n"]) s.write(part);
        s.end();
      });
      const socket = await connectStream({ host: "127.0.0.1", port: (server.address() as { port: number }).port });
      try {
        const reader = new SocketReader(socket);
        assert.equal(dec.decode((await reader.until(0x0a, 64))!), "4,23");
        assert.equal(dec.decode((await reader.exactly(3))!), "abc");
        assert.equal(await reader.until(0x0a, 2), null, "no delimiter within the limit: nothing taken");
        assert.equal(dec.decode((await reader.exactly(5))!), "defg\n");
        assert.equal(await reader.exactly(1), null, "the stream has ended");
        assert.equal(reader.ended, true);
      } finally {
        socket.destroy();
        await close(server);
      }
    },
  },
  {
    name: "IPv4-mapped IPv6 addresses read as plain IPv4",
    run: () => {
      assert.equal(plainAddress("::ffff:127.0.0.9"), "127.0.0.9");
      assert.equal(plainAddress("::1"), "::1");
      assert.equal(plainAddress(undefined), "");
    },
  },
];

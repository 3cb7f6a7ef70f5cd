/**
 * A test stand-in that speaks pzog's peer protocol with plain node:net: a
 * listener posing as a ring member (answers keepalive with ack and data
 * with ok, and records every line with its source address). Clients of
 * either port are test/helpers/raw.ts's RawStream.
 */
import { createServer, type Server, type Socket } from "node:net";

/** A line a fake member received. */
export interface Received {
  from: string;
  line: string;
  at: number;
}

/** A listener posing as ring member `host:port`. */
export class FakeMember {
  readonly lines: Received[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static listen(host: string, port: number): Promise<FakeMember> {
    return new Promise((resolve, reject) => {
      let fake: FakeMember;
      const server = createServer((socket) => {
        fake.#sockets.add(socket);
        let buffer = "";
        socket.on("data", (b: Buffer) => {
          buffer += b.toString("latin1");
          for (let at = buffer.indexOf("\r\n"); at >= 0; at = buffer.indexOf("\r\n")) {
            const line = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            fake.lines.push({ from: socket.remoteAddress?.replace(/^::ffff:/, "") ?? "?", line, at: Date.now() });
            socket.write(line === "keepalive" || line === "keepAlive" ? "ack\r\n" : "ok\r\n");
          }
        });
        socket.on("error", () => {});
        socket.on("close", () => fake.#sockets.delete(socket));
      });
      fake = new FakeMember(server);
      server.once("error", reject);
      server.listen({ host, port }, () => resolve(fake));
    });
  }

  /** Data lines (not keepalives). */
  data(): Received[] {
    return this.lines.filter((r) => r.line !== "keepalive");
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

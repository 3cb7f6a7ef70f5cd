/**
 * Test stand-ins that speak pzog's peer protocol with plain node:net: a
 * listener posing as a ring member (answers keepalive with ack and data
 * with ok, and records every line with its source address), and a raw
 * line client for either port.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

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

/** A raw line connection (client or peer port), optionally from a given local address. */
export class RawLine {
  received = "";
  ended = false;
  readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (b: Buffer) => (this.received += b.toString("latin1")));
    socket.on("close", () => (this.ended = true));
    socket.on("error", () => {});
  }

  static open(host: string, port: number, localAddress?: string): Promise<RawLine> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(localAddress ? { host, port, localAddress } : { host, port });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawLine(socket));
      });
    });
  }

  send(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Wait until `check(received)` holds (or the timeout). */
  async until(check: (text: string, ended: boolean) => boolean, timeout = 5000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!check(this.received, this.ended)) {
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(this.received)} ended=${this.ended}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A raw protocol-0.4 peer for tests: plain node:net, sharing no code with
 * our client library, so the manager is checked byte for byte.
 */
import { createConnection, type Socket } from "node:net";

export class Raw {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (b: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, b]);
      this.#wake();
    });
    const end = () => {
      this.#closed = true;
      this.#wake();
    };
    socket.on("close", end);
    socket.on("end", end);
    socket.on("error", end);
  }

  /** Connect to `path`; with `pid`, send it as credentials. */
  static open(path: string, pid?: number | string): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        const raw = new Raw(socket);
        if (pid !== undefined) raw.send(`${pid}\n`);
        resolve(raw);
      });
    });
  }

  send(bytes: string | Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Exactly `n` bytes (throws on timeout or close). */
  async read(n: number, timeout = 3000): Promise<Buffer> {
    await this.#until(() => this.#buffer.length >= n, timeout, `${n} bytes`);
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** One reply line, newline included, as latin1 text. */
  async line(timeout = 3000): Promise<string> {
    await this.#until(() => this.#buffer.includes(0x0a), timeout, "a line");
    const at = this.#buffer.indexOf(0x0a) + 1;
    const out = this.#buffer.subarray(0, at).toString("latin1");
    this.#buffer = this.#buffer.subarray(at);
    return out;
  }

  /** Send a command and read one reply line. */
  async ask(command: string): Promise<string> {
    this.send(command);
    return this.line();
  }

  /** Assert that nothing arrives within `ms`. */
  async silent(ms = 300): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.#buffer.length === 0;
  }

  /** Resolves true when the manager has closed the connection. */
  async closedByPeer(timeout = 3000): Promise<boolean> {
    try {
      await this.#until(() => this.#closed, timeout, "close");
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.#socket.destroy();
  }

  async #until(ready: () => boolean, timeout: number, what: string): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!ready()) {
      if (this.#closed) throw new Error(`connection closed while waiting for ${what}; have ${JSON.stringify(this.#buffer.toString("latin1"))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.#buffer.toString("latin1"))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

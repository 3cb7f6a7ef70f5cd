/**
 * Raw socket clients for tests: plain node:net and node:dgram, sharing no
 * code with the programs, so what they put on the wire is checked byte for
 * byte. Strings are bytes (latin1) both ways.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createConnection, isIPv6, type Socket } from "node:net";
import { Signal, waitFor } from "./net.ts";

/** Bytes, or a string of latin1 characters standing for bytes. */
export type Bytes = string | Uint8Array;

const toBuffer = (bytes: Bytes) => (typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes));
const show = (bytes: Uint8Array) => JSON.stringify(Buffer.from(bytes).toString("latin1"));

/** Default ms to wait for bytes, a close or a datagram. */
const TIMEOUT = 10_000;

/** A stream connection (UNIX or TCP) that buffers what it receives until a test reads it. */
export class RawStream {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  readonly #changed = new Signal();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (b: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, b]);
      this.#changed.notify();
    });
    const end = () => {
      this.#ended = true;
      this.#changed.notify();
    };
    socket.on("end", end);
    socket.on("close", end);
    // A reset ends the connection like a close; reads then report what came before.
    socket.on("error", end);
  }

  /** Connect to the UNIX socket at `path`. */
  static unix(path: string): Promise<RawStream> {
    return RawStream.#connect(createConnection({ path }));
  }

  /** Connect to `host:port`, from `localAddress` when given. */
  static tcp(host: string, port: number, localAddress?: string): Promise<RawStream> {
    return RawStream.#connect(createConnection(localAddress ? { host, port, localAddress } : { host, port }));
  }

  static #connect(socket: Socket): Promise<RawStream> {
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawStream(socket));
      });
    });
  }

  /** Whether the peer has closed its side (everything it sent has arrived). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes received and not read yet. */
  get pending(): Buffer {
    return this.#buffer;
  }

  /** Bytes sent but not yet taken by the kernel: they pile up here when the peer stops reading. */
  get unsent(): number {
    return this.socket.writableLength;
  }

  send(bytes: Bytes): void {
    this.socket.write(toBuffer(bytes));
  }

  /** Stop taking bytes from the kernel, so that the peer's replies back up. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Close our sending side; the peer sees end of file and can still answer. */
  end(): void {
    this.socket.end();
  }

  /** Drop the connection at once. */
  close(): void {
    this.socket.destroy();
  }

  /** Exactly `n` bytes. */
  read(n: number, timeout = TIMEOUT): Promise<Buffer> {
    return this.#take(`${n} bytes`, () => (this.#buffer.length >= n ? n : 0), timeout);
  }

  /** The bytes up to and including the next `delimiter`. */
  readUntil(delimiter: Bytes, timeout = TIMEOUT): Promise<Buffer> {
    const d = toBuffer(delimiter);
    return this.#take(`delimiter ${show(d)}`, () => {
      const at = this.#buffer.indexOf(d);
      return at < 0 ? 0 : at + d.length;
    }, timeout);
  }

  /** The next line, delimiter included, as text. */
  async line(delimiter: Bytes = "\n", timeout = TIMEOUT): Promise<string> {
    return (await this.readUntil(delimiter, timeout)).toString("latin1");
  }

  /** Send a command and read one reply line. */
  ask(command: Bytes, delimiter: Bytes = "\n", timeout = TIMEOUT): Promise<string> {
    this.send(command);
    return this.line(delimiter, timeout);
  }

  /** Everything that arrives until the peer closes, as text; a negative ("nothing more") bounded by the close. */
  async readAll(timeout = TIMEOUT): Promise<string> {
    await this.#waitFor("the peer to close", () => this.#ended, timeout);
    const all = this.#buffer.toString("latin1");
    this.#buffer = Buffer.alloc(0);
    return all;
  }

  /** Resolve once the peer has closed, whatever it sent. */
  async closed(timeout = TIMEOUT): Promise<void> {
    await this.#waitFor("the peer to close", () => this.#ended, timeout);
  }

  async #take(what: string, size: () => number, timeout: number): Promise<Buffer> {
    const n = await this.#waitFor(what, () => {
      const n = size();
      if (n === 0 && this.#ended) {
        throw new Error(`connection closed while waiting for ${what}; have ${show(this.#buffer)}`);
      }
      return n;
    }, timeout);
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  #waitFor<T>(what: string, check: () => T, timeout: number) {
    return waitFor(what, check, { timeout, wake: this.#changed, state: () => show(this.#buffer) });
  }
}

/** A datagram that arrived, and where from. */
export interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

/** A bound UDP socket that queues the datagrams it receives until a test reads them. */
export class RawDatagram {
  readonly socket: UdpSocket;
  readonly #queue: Datagram[] = [];
  readonly #changed = new Signal();

  private constructor(socket: UdpSocket) {
    this.socket = socket;
    socket.on("message", (data, from) => {
      this.#queue.push({ data, address: from.address, port: from.port });
      this.#changed.notify();
    });
  }

  /** Bind to `host:port` (port 0: any free one). */
  static bind(host = "127.0.0.1", port = 0): Promise<RawDatagram> {
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind({ address: host, port }, () => {
        socket.off("error", reject);
        resolve(new RawDatagram(socket));
      });
    });
  }

  /** The bound port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** Send one datagram to `host:port`. */
  send(bytes: Bytes, host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(toBuffer(bytes), port, host, (e) => (e ? reject(e) : resolve()))
    );
  }

  /** The next datagram received, from anyone. */
  async receive(timeout = TIMEOUT): Promise<Datagram> {
    await waitFor("a datagram", () => this.#queue.length > 0, { timeout, wake: this.#changed });
    return this.#queue.shift()!;
  }

  /** Send a datagram to `host:port` and resolve with the next one that comes back from there. */
  async request(bytes: Bytes, host: string, port: number, timeout = TIMEOUT): Promise<Buffer> {
    await this.send(bytes, host, port);
    const from = (d: Datagram) => d.port === port && d.address === host;
    const at = await waitFor(`a reply from ${host}:${port}`, () => this.#queue.findIndex(from) + 1, {
      timeout,
      wake: this.#changed,
    });
    return this.#queue.splice(at - 1, 1)[0]!.data;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

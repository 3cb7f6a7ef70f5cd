/**
 * A small HTTP server for read-only dashboards over `node:http`: a route
 * table of exact paths, plain replies, and server-sent event streams with
 * keepalives and broadcast.
 *
 * @module
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { formatComment, formatEvent, type SseEvent } from "../sse.ts";
import { startListening } from "./stream-sockets.ts";

/** What a handler learns about a request. */
export interface HttpRequest {
  method: string;
  /** The URL's path, without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/**
 * A handler's answer. `status` defaults to 200. Without a `content-type`
 * header a string body is sent as `text/plain; charset=utf-8` and bytes as
 * `application/octet-stream`; `content-length` is always set.
 */
export interface HttpReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * One entry of the route table: `method` and exact `path` to a handler, or
 * (GET only) to an event stream. An event route's `events` is called with
 * each new stream, after the `retry:` line, to send what a new subscriber
 * must see first; later events come from {@linkcode HttpServer.broadcast}
 * or the stream itself.
 */
export type Route =
  | { method: string; path: string; handler: (req: HttpRequest) => HttpReply | Promise<HttpReply> }
  | { method: "GET"; path: string; events: (stream: EventStream, req: HttpRequest) => void };

/** Options for {@linkcode listenHttp}. */
export interface HttpServerOptions {
  /** The `retry:` sent first on every event stream, in ms; default 2000. */
  retryMs?: number;
  /** Interval of `: keepalive` comments on event streams, in ms; default 15000. */
  keepaliveMs?: number;
  /** An event stream whose client lets more than this many bytes pile up is closed; default 1 MiB. */
  maxBufferedBytes?: number;
  /** Told about handlers that threw or gave an unsendable reply (the client got a 500), and server errors. */
  onError?: (err: unknown) => void;
}

const encoder = new TextEncoder();
// RFC 9110 field names and values.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * One client's open event stream.
 *
 * @example
 * ```ts
 * const route: Route = {
 *   method: "GET",
 *   path: "/api/events",
 *   events: (stream) => stream.send({ event: "state", id: version, data: JSON.stringify(state) }),
 * };
 * ```
 */
export class EventStream {
  readonly #res: ServerResponse;
  readonly #maxBuffered: number;
  readonly #onClose: () => void;
  #open = true;

  /** Wraps a response whose event-stream head was sent; made by the server. */
  constructor(res: ServerResponse, maxBuffered: number, onClose: () => void) {
    this.#res = res;
    this.#maxBuffered = maxBuffered;
    this.#onClose = onClose;
    res.once("close", () => this.#closed());
  }

  /**
   * Whether the stream is still open.
   *
   * @example
   * ```ts
   * if (stream.open) stream.send({ data: "tick" });
   * ```
   */
  get open(): boolean {
    return this.#open;
  }

  /**
   * Send one event. Returns false if the stream is closed, or had to be
   * closed because its client stopped reading.
   *
   * @throws {RangeError} as {@linkcode formatEvent} does.
   * @example
   * ```ts
   * stream.send({ event: "state", id: 42, data: JSON.stringify(state) });
   * ```
   */
  send(event: SseEvent): boolean {
    return this.write(formatEvent(event));
  }

  /**
   * Write already formatted event-stream text (one format for many
   * streams, as a broadcast does). Returns as {@linkcode EventStream.send}.
   *
   * @example
   * ```ts
   * stream.write(formatComment("keepalive"));
   * ```
   */
  write(text: string): boolean {
    if (!this.#open) return false;
    if (this.#res.writableLength > this.#maxBuffered) {
      this.close();
      return false;
    }
    this.#res.write(text);
    return true;
  }

  /**
   * End the stream (the client will reconnect after `retry` unless told
   * otherwise).
   *
   * @example
   * ```ts
   * stream.close();
   * ```
   */
  close(): void {
    if (!this.#open) return;
    this.#res.end();
    this.#closed();
  }

  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#onClose();
  }
}

/**
 * A listening server.
 *
 * @example
 * ```ts
 * const server = await listenHttp("127.0.0.1", 1338, routes);
 * server.broadcast({ event: "state", id: version, data: JSON.stringify(state) });
 * await server.close();
 * ```
 */
export class HttpServer {
  /** The bound address and port (the chosen one when 0 was asked). */
  readonly address: string;
  readonly port: number;
  readonly #server: Server;
  readonly #streams: Set<EventStream>;

  /** Wraps a listening server and its set of open streams; use {@linkcode listenHttp}. */
  constructor(server: Server, streams: Set<EventStream>) {
    this.#server = server;
    this.#streams = streams;
    const bound = server.address();
    this.address = typeof bound === "object" && bound ? bound.address : "";
    this.port = typeof bound === "object" && bound ? bound.port : 0;
  }

  /**
   * Open event streams.
   *
   * @example
   * ```ts
   * log.info(`${server.subscribers} dashboard clients`);
   * ```
   */
  get subscribers(): number {
    return this.#streams.size;
  }

  /**
   * Send `event` to every open event stream.
   *
   * @throws {RangeError} as {@linkcode formatEvent} does.
   * @example
   * ```ts
   * server.broadcast({ event: "state", id: version, data: JSON.stringify(state) });
   * ```
   */
  broadcast(event: SseEvent): void {
    const text = formatEvent(event);
    for (const stream of [...this.#streams]) stream.write(text);
  }

  /**
   * Stop listening, end every event stream and drop idle keep-alive
   * connections; resolves when the server is closed.
   *
   * @example
   * ```ts
   * await server.close();
   * ```
   */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const stream of [...this.#streams]) stream.close();
    this.#server.closeAllConnections();
    return closed;
  }
}

/**
 * Throw unless HTTP can carry `status` and `headers`. Not every runtime's
 * node:http checks, and a line break in a value would split the response.
 */
function checkReply(status: number, headers: Record<string, string>): void {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`bad HTTP status ${status}`);
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) {
      throw new TypeError(`bad HTTP header ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    }
  }
}

/** Send a plain reply; the body is left out for HEAD. */
function sendReply(req: IncomingMessage, res: ServerResponse, reply: HttpReply): void {
  // The client may have gone while an asynchronous handler ran.
  if (res.destroyed) return;
  const body = typeof reply.body === "string" ? encoder.encode(reply.body) : reply.body ?? new Uint8Array(0);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    // Ours is the only true length.
    if (name.toLowerCase() !== "content-length") headers[name] = value;
  }
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!names.has("content-type") && reply.body !== undefined) {
    headers["content-type"] = typeof reply.body === "string" ? "text/plain; charset=utf-8" : "application/octet-stream";
  }
  headers["content-length"] = String(body.length);
  const status = reply.status ?? 200;
  checkReply(status, headers);
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * Listen on `host:port` (port 0: ephemeral) and serve `routes`. A path not
 * in the table gets 404; a known path asked with another method gets 405
 * with an `Allow` header. HEAD is answered by a GET route, without the
 * body. A handler that throws, or replies with what HTTP cannot carry (a
 * line break in a header), gives a 500 and is reported to `onError`.
 * Rejects with the errno-coded error (EADDRINUSE, EADDRNOTAVAIL, EACCES…).
 *
 * @example
 * ```ts
 * const server = await listenHttp("127.0.0.1", 0, [
 *   { method: "GET", path: "/healthz", handler: () => ({ body: "ok" }) },
 *   { method: "GET", path: "/api/events", events: (stream) => stream.send({ event: "state", data: "{}" }) },
 * ]);
 * ```
 */
export async function listenHttp(
  host: string,
  port: number,
  routes: readonly Route[],
  opts: HttpServerOptions = {},
): Promise<HttpServer> {
  const table = new Map<string, Map<string, Route>>();
  for (const route of routes) {
    const byMethod = table.get(route.path) ?? new Map<string, Route>();
    byMethod.set(route.method.toUpperCase(), route);
    table.set(route.path, byMethod);
  }
  const streams = new Set<EventStream>();
  const retryMs = opts.retryMs ?? 2000;
  const keepaliveMs = opts.keepaliveMs ?? 15000;
  const maxBuffered = opts.maxBufferedBytes ?? 1 << 20;

  const openEventStream = (req: HttpRequest, res: ServerResponse, route: Extract<Route, { events: unknown }>) => {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      // Reverse proxies must pass events on as they come.
      "x-accel-buffering": "no",
    });
    res.write(formatEvent({ retry: retryMs }));
    const keepalive = setInterval(() => stream.write(formatComment("keepalive")), keepaliveMs);
    const stream = new EventStream(res, maxBuffered, () => {
      clearInterval(keepalive);
      streams.delete(stream);
    });
    streams.add(stream);
    try {
      route.events(stream, req);
    } catch (err) {
      opts.onError?.(err);
      stream.close();
    }
  };

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    // Split by hand: new URL() would read a path like "//x" as a host name.
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q === -1 ? target : target.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : target.slice(q + 1));
    const method = (req.method ?? "GET").toUpperCase();
    const request: HttpRequest = { method, path, query, headers: req.headers };
    const byMethod = table.get(path);
    const route = byMethod?.get(method) ?? (method === "HEAD" ? byMethod?.get("GET") : undefined);
    if (!byMethod) return sendReply(req, res, { status: 404, body: "not found\n" });
    if (!route) {
      const allow = [...byMethod.keys(), ...(byMethod.has("GET") ? ["HEAD"] : [])].join(", ");
      return sendReply(req, res, { status: 405, headers: { allow }, body: "method not allowed\n" });
    }
    if ("events" in route) {
      if (method !== "HEAD") return openEventStream(request, res, route);
      return sendReply(req, res, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
    }
    sendReply(req, res, await route.handler(request));
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    // Nothing here reads request bodies: drain them so the connection stays usable.
    req.resume();
    try {
      await answer(req, res);
    } catch (err) {
      // A handler that threw, or a reply node:http refused (a bad header).
      opts.onError?.(err);
      if (res.headersSent) res.destroy();
      else sendReply(req, res, { status: 500, body: "internal error\n" });
    }
  };

  const server = createServer((req, res) => void serve(req, res));
  await startListening(server, { host, port, exclusive: true });
  // Later server errors (EMFILE on accept…) must not go unheard, or they would throw.
  server.on("error", (err) => opts.onError?.(err));
  return new HttpServer(server, streams);
}

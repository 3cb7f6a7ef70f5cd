/** lib/net/http.ts, with real fetch clients in the same process. */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { errorCode } from "../../../lib/errno.ts";
import {
  type HttpReply,
  type HttpServer,
  type HttpServerOptions,
  listenHttp,
  type Route,
} from "../../../lib/net/http.ts";
import { TIMED_OUT, withTimeout } from "../../../lib/runtime/time.ts";
import { type ParsedStream, parseSse } from "../sse-parser.ts";
import { type Case, waitFor } from "./support.ts";

/** Run `fn` against a server on an ephemeral loopback port, closed afterwards. */
async function withServer(
  routes: Route[],
  fn: (server: HttpServer, base: string) => Promise<void>,
  opts: HttpServerOptions = {},
): Promise<void> {
  const server = await listenHttp("127.0.0.1", 0, routes, opts);
  try {
    await fn(server, `http://127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

/** An open event stream read by fetch. */
interface Subscription {
  /** Read until `done` holds for what arrived so far; throws after 5 s. */
  until(done: (parsed: ParsedStream) => boolean): Promise<ParsedStream>;
  /** Read to the end of the stream (the server closed it). */
  rest(): Promise<string>;
  response: Response;
  abort(): void;
}

async function subscribe(url: string): Promise<Subscription> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    response,
    async until(done) {
      const deadline = Date.now() + 5000;
      while (!done(parseSse(text))) {
        const next = await withTimeout(reader.read(), deadline - Date.now());
        if (next === TIMED_OUT) throw new Error(`no such events in ${JSON.stringify(text)}`);
        if (next.done) throw new Error(`stream ended with ${JSON.stringify(text)}`);
        text += decoder.decode(next.value, { stream: true });
      }
      return parseSse(text);
    },
    async rest() {
      for (;;) {
        const next = await withTimeout(reader.read(), 5000);
        if (next === TIMED_OUT) throw new Error("the stream was not closed");
        if (next.done) return text;
        text += decoder.decode(next.value, { stream: true });
      }
    },
    abort: () => abort.abort(),
  };
}

const healthz: Route = { method: "GET", path: "/healthz", handler: () => ({ body: "ok" }) };

export const cases: Case[] = [
  {
    name: "a route answers with its status, headers and body; plain text by default",
    run: () =>
      withServer([
        healthz,
        {
          method: "GET",
          path: "/api/state",
          handler: (): Promise<HttpReply> =>
            Promise.resolve({
              status: 203,
              headers: { "Content-Type": "application/json", "x-version": "7" },
              body: JSON.stringify({ burners: [] }),
            }),
        },
        { method: "GET", path: "/bin", handler: () => ({ body: Uint8Array.of(0, 1, 2) }) },
      ], async (_server, base) => {
        const ok = await fetch(`${base}/healthz`);
        assert.equal(ok.status, 200);
        assert.equal(ok.headers.get("content-type"), "text/plain; charset=utf-8");
        assert.equal(ok.headers.get("content-length"), "2");
        assert.equal(await ok.text(), "ok");
        const state = await fetch(`${base}/api/state`);
        assert.equal(state.status, 203);
        assert.equal(state.headers.get("content-type"), "application/json");
        assert.equal(state.headers.get("x-version"), "7");
        assert.deepEqual(await state.json(), { burners: [] });
        const bin = await fetch(`${base}/bin`);
        assert.equal(bin.headers.get("content-type"), "application/octet-stream");
        assert.deepEqual(new Uint8Array(await bin.arrayBuffer()), Uint8Array.of(0, 1, 2));
      }),
  },
  {
    name: "an unknown path is 404; a known path asked with another method is 405 with Allow",
    run: () =>
      withServer(
        [healthz, { method: "POST", path: "/healthz", handler: () => ({ status: 204 }) }],
        async (_s, base) => {
          const missing = await fetch(`${base}/nope`);
          assert.equal(missing.status, 404);
          await missing.text();
          const wrong = await fetch(`${base}/healthz`, { method: "DELETE" });
          assert.equal(wrong.status, 405);
          assert.equal(wrong.headers.get("allow"), "GET, POST, HEAD");
          await wrong.text();
          const posted = await fetch(`${base}/healthz`, { method: "POST", body: "ignored" });
          assert.equal(posted.status, 204);
          await posted.text();
        },
      ),
  },
  {
    name: "HEAD is answered by the GET route without a body",
    run: () =>
      withServer([healthz], async (_s, base) => {
        const head = await fetch(`${base}/healthz`, { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get("content-length"), "2");
        assert.equal(await head.text(), "");
      }),
  },
  {
    name: "the handler gets the method, the path without the query, the query and the headers",
    run: () => {
      let seen: unknown;
      return withServer([{
        method: "GET",
        path: "/api/state",
        handler: (req) => {
          seen = { method: req.method, path: req.path, q: req.query.get("q"), h: req.headers["x-test"] };
          return { body: "" };
        },
      }], async (_s, base) => {
        await (await fetch(`${base}/api/state?q=a%20b`, { headers: { "X-Test": "yes" } })).text();
        assert.deepEqual(seen, { method: "GET", path: "/api/state", q: "a b", h: "yes" });
      });
    },
  },
  {
    name: "a handler that throws or rejects, or a reply with a header HTTP cannot carry, gives a 500 and is reported",
    run: () => {
      const reported: unknown[] = [];
      const boom = new Error("boom");
      return withServer([
        {
          method: "GET",
          path: "/x",
          handler: () => {
            throw boom;
          },
        },
        { method: "GET", path: "/y", handler: () => Promise.reject(boom) },
        { method: "GET", path: "/z", handler: () => ({ headers: { "x-bad": "a\r\nset-cookie: b" }, body: "" }) },
        { method: "GET", path: "/w", handler: () => ({ headers: { "bad name": "x" } }) },
        { method: "GET", path: "/v", handler: () => ({ status: 42 }) },
      ], async (_s, base) => {
        for (const path of ["/x", "/y", "/z", "/w", "/v"]) {
          const r = await fetch(`${base}${path}`);
          assert.equal(r.status, 500, path);
          assert.equal(r.headers.get("set-cookie"), null);
          await r.text();
        }
        assert.equal(reported.length, 5);
        assert.equal(reported[0], boom);
        assert.equal(reported[1], boom);
      }, { onError: (err) => reported.push(err) });
    },
  },
  {
    name: "listening on a port already taken fails with EADDRINUSE",
    run: () =>
      withServer([], async (server) => {
        await assert.rejects(listenHttp("127.0.0.1", server.port, []), (err) => errorCode(err) === "EADDRINUSE");
      }),
  },
  {
    name: "an event stream opens with retry, then what the route sends, then broadcasts with type, id and split data",
    run: () =>
      withServer([{
        method: "GET",
        path: "/api/events",
        events: (stream, req) =>
          stream.send({ event: "state", id: 1, data: `hello ${req.headers["last-event-id"] ?? "new"}` }),
      }], async (server, base) => {
        const sub = await subscribe(`${base}/api/events`);
        assert.equal(sub.response.status, 200);
        assert.equal(sub.response.headers.get("content-type"), "text/event-stream; charset=utf-8");
        assert.equal(sub.response.headers.get("cache-control"), "no-store");
        const first = await sub.until((p) => p.events.length === 1);
        assert.equal(first.retry, 2000);
        assert.deepEqual(first.events, [{ type: "state", data: "hello new", lastEventId: "1" }]);
        await waitFor("the subscriber to count", () => server.subscribers === 1);
        server.broadcast({ event: "state", id: 2, data: "line one\nline two\r\n  indented" });
        const next = await sub.until((p) => p.events.length === 2);
        assert.deepEqual(next.events[1], { type: "state", data: "line one\nline two\n  indented", lastEventId: "2" });
        sub.abort();
      }),
  },
  {
    name: "keepalive comments come on their timer, and a client that goes is dropped with its timer",
    run: () =>
      withServer([{ method: "GET", path: "/api/events", events: () => {} }], async (server, base) => {
        const sub = await subscribe(`${base}/api/events`);
        const seen = await sub.until((p) => p.comments.length >= 2);
        assert.deepEqual(seen.comments.slice(0, 2), ["keepalive", "keepalive"]);
        assert.equal(seen.events.length, 0);
        assert.equal(server.subscribers, 1);
        sub.abort();
        await waitFor("the subscriber to be dropped", () => server.subscribers === 0);
      }, { keepaliveMs: 30, retryMs: 500 }),
  },
  {
    name: "a broadcast reaches every subscriber, and close ends their streams",
    run: async () => {
      const server = await listenHttp("127.0.0.1", 0, [{ method: "GET", path: "/e", events: () => {} }]);
      const base = `http://127.0.0.1:${server.port}`;
      const subs = [await subscribe(`${base}/e`), await subscribe(`${base}/e`), await subscribe(`${base}/e`)];
      await waitFor("three subscribers", () => server.subscribers === 3);
      server.broadcast({ data: "to all" });
      for (const sub of subs) {
        const got = await sub.until((p) => p.events.length === 1);
        assert.equal(got.events[0]!.data, "to all");
      }
      await server.close();
      assert.equal(server.subscribers, 0);
      for (const sub of subs) assert.ok((await sub.rest()).includes("data: to all"));
    },
  },
  {
    name: "a subscriber that stops reading is dropped once too much waits for it",
    timeoutMs: 30000,
    run: () =>
      withServer([{ method: "GET", path: "/e", events: () => {} }], async (server) => {
        const socket = connect(server.port, "127.0.0.1");
        try {
          await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
          socket.write("GET /e HTTP/1.1\r\nHost: x\r\n\r\n");
          socket.pause();
          await waitFor("the subscriber", () => server.subscribers === 1);
          const big = "x".repeat(1 << 20);
          for (let i = 0; i < 64 && server.subscribers > 0; i++) {
            server.broadcast({ data: big });
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          assert.equal(server.subscribers, 0);
        } finally {
          socket.destroy();
        }
      }, { maxBufferedBytes: 256 * 1024 }),
  },
];

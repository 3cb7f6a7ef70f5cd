/** standd's dashboard server (lib/stand/io/dashboard.ts) over real HTTP: routes, headers, SSE framing, coalescing. */
import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { Fatal } from "../../lib/exit.ts";
import { createLog } from "../../lib/log.ts";
import { type Dashboard, type DashboardOptions, serveDashboard } from "../../lib/stand/io/dashboard.ts";
import { PAGE_SCRIPT, PAGE_STYLE } from "../../lib/stand/dashboard-page.ts";
import type { DashboardState } from "../../lib/stand/dashboard.ts";
import { Signal, waitFor } from "../helpers/net.ts";
import { type ParsedEvent, parseSse } from "../runtime/sse-parser.ts";
import { burnerView, H1, ScriptedSource } from "./dashboard-source.ts";

const B1 = "233c343e144c59081b9ea1da568a72e8";
const logged: string[] = [];
const log = createLog("standd", "quiet", (line) => logged.push(line));
const running: Dashboard[] = [];
const streams: Subscription[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) s.abort();
  for (const d of running.splice(0)) await d.close();
  expect(logged.splice(0)).toEqual([]);
});

async function start(
  source: ScriptedSource,
  opts: Partial<DashboardOptions> = {},
): Promise<{ dashboard: Dashboard; base: string }> {
  const dashboard = await serveDashboard({ host: "127.0.0.1", port: 0, source, log, ...opts });
  running.push(dashboard);
  return { dashboard, base: `http://127.0.0.1:${dashboard.port}` };
}

/** An event stream read by fetch, each event stamped with when it arrived. */
interface Subscription {
  /** Wait until `done` holds for the events so far; throws after 5 s or when the stream ends. */
  until(done: (events: Stamped[]) => boolean): Promise<Stamped[]>;
  text(): string;
  response: Response;
  abort(): void;
}
type Stamped = ParsedEvent & { at: number };

async function subscribe(url: string, headers: Record<string, string> = {}): Promise<Subscription> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal, headers });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const wake = new Signal();
  let text = "";
  let ended = false;
  const events: Stamped[] = [];
  // Read all along, so that each event is stamped when it arrives.
  void (async () => {
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        text += decoder.decode(next.value, { stream: true });
        const at = performance.now();
        for (const ev of parseSse(text).events.slice(events.length)) events.push({ ...ev, at });
        wake.notify();
      }
    } catch {
      // Aborted.
    }
    ended = true;
    wake.notify();
  })();
  const sub: Subscription = {
    response,
    text: () => text,
    async until(done) {
      await waitFor("events", () => {
        if (done(events)) return true;
        if (ended) throw new Error(`stream ended with ${JSON.stringify(text)}`);
        return false;
      }, { timeout: 5000, wake, state: () => JSON.stringify(text) });
      return events;
    },
    abort: () => abort.abort(),
  };
  streams.push(sub);
  return sub;
}

const stateOf = (ev: ParsedEvent) => JSON.parse(ev.data) as DashboardState;
const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");

describe("routes", () => {
  test("GET / is the page, with a policy allowing only its own inline style and script", async () => {
    const { base } = await start(new ScriptedSource());
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${sha256(PAGE_SCRIPT)}'`);
    expect(csp).toContain(`style-src 'sha256-${sha256(PAGE_STYLE)}'`);
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script>${PAGE_SCRIPT}</script>`);
    expect(html).toContain(`<style>${PAGE_STYLE}</style>`);
    // Nothing is fetched from elsewhere.
    expect(html).not.toMatch(/https?:\/\/|\bsrc=/);
    expect(html).not.toContain("innerHTML");
  });

  test("GET /api/state is the source's state as JSON", async () => {
    const source = new ScriptedSource({ burners: [burnerView(B1, { label: "left-1" })], version: 41 });
    const { base } = await start(source);
    const res = await fetch(`${base}/api/state`);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const state = (await res.json()) as DashboardState;
    expect(state.version).toBe(41);
    expect(state.burners.map((b) => b.name)).toEqual(["left-1"]);
  });

  test("GET /healthz is ok; anything else is 404", async () => {
    const { base } = await start(new ScriptedSource());
    const ok = await fetch(`${base}/healthz`);
    expect([ok.status, await ok.text()]).toEqual([200, "ok"]);
    const missing = await fetch(`${base}/api/nope`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  test("a port in use is a one-line fatal error with status 71", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const err = await serveDashboard({ host: "127.0.0.1", port, source: new ScriptedSource(), log }).catch((e) => e);
      expect(err).toBeInstanceOf(Fatal);
      expect((err as Fatal).status).toBe(71);
      expect((err as Fatal).message).toMatch(new RegExp(`^--http 127\\.0\\.0\\.1:${port}: cannot listen: .*in use`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe("events", () => {
  test("a subscriber gets retry 2000, then the current state at once, with the version as id", async () => {
    const source = new ScriptedSource({ version: 7 });
    const { base } = await start(source);
    const sub = await subscribe(`${base}/api/events`);
    expect(sub.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const [first] = await sub.until((evs) => evs.length >= 1);
    expect(sub.text()).toStartWith("retry: 2000\n\nevent: state\nid: 7\ndata: {");
    expect(first!.type).toBe("state");
    expect(first!.lastEventId).toBe("7");
    expect(stateOf(first!).version).toBe(7);
  });

  test("a change is pushed to every subscriber", async () => {
    const source = new ScriptedSource({ burners: [burnerView(B1)] });
    const { base } = await start(source);
    const subs = [await subscribe(`${base}/api/events`), await subscribe(`${base}/api/events`)];
    for (const sub of subs) await sub.until((evs) => evs.length >= 1);
    const version = source.setBurner(B1, { phase: "BURNING", state: 50, subject: H1, startedAt: Date.now() });
    for (const sub of subs) {
      const evs = await sub.until((e) => e.some((ev) => ev.lastEventId === String(version)));
      const tile = stateOf(evs.at(-1)!).burners[0]!;
      expect([tile.tileClass, tile.percent]).toEqual(["burning", 50]);
    }
  });

  test("changes of one turn go out as one event", async () => {
    const source = new ScriptedSource();
    const { base } = await start(source);
    const sub = await subscribe(`${base}/api/events`);
    await sub.until((evs) => evs.length >= 1);
    for (let i = 0; i < 10; i++) source.change();
    const burst = source.input.version;
    await sub.until((evs) => evs.some((ev) => ev.lastEventId === String(burst)));
    const next = source.change();
    const evs = await sub.until((e) => e.some((ev) => ev.lastEventId === String(next)));
    expect(evs.map((ev) => Number(ev.lastEventId))).toEqual([1, burst, next]);
  });

  test("a stream of changes is pushed at most 4 times a second, ending with the latest", async () => {
    const source = new ScriptedSource();
    const { base } = await start(source);
    const sub = await subscribe(`${base}/api/events`);
    await sub.until((evs) => evs.length >= 1);
    // The server computes the state just before each push: the pushes' own times, free of client delays.
    const pushes: number[] = [];
    const state = source.state.bind(source);
    source.state = () => (pushes.push(performance.now()), state());
    const began = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        source.change();
        if (performance.now() - began >= 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    const last = source.input.version;
    const evs = (await sub.until((e) => e.some((ev) => ev.lastEventId === String(last)))).slice(1);
    expect(last).toBeGreaterThan(20);
    expect(evs.length).toBe(pushes.length);
    // About 1 s of changes: the first at once, then one per 250 ms.
    expect(pushes.length).toBeGreaterThanOrEqual(2);
    expect(pushes.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < pushes.length; i++) expect(pushes[i]! - pushes[i - 1]!).toBeGreaterThanOrEqual(249);
  });

  test("a reconnecting client gets the current state, whatever Last-Event-ID it sends", async () => {
    const source = new ScriptedSource();
    const { base } = await start(source);
    const first = await subscribe(`${base}/api/events`);
    await first.until((evs) => evs.length >= 1);
    first.abort();
    const version = source.change((input) => {
      input.burners = [burnerView(B1, { label: "back" })];
    });
    const again = await subscribe(`${base}/api/events`, { "last-event-id": "1" });
    const [ev] = await again.until((evs) => evs.length >= 1);
    expect(ev!.lastEventId).toBe(String(version));
    expect(stateOf(ev!).burners.map((b) => b.name)).toEqual(["back"]);
  });

  test("keepalive comments flow, and the state is sent again when nothing changed", async () => {
    const source = new ScriptedSource({ version: 5 });
    const { base } = await start(source, { keepaliveMs: 50, refreshMs: 100 });
    const sub = await subscribe(`${base}/api/events`);
    const evs = await sub.until((e) => e.length >= 2);
    expect(evs.map((ev) => ev.lastEventId)).toEqual(["5", "5"]);
    await sub.until(() => parseSse(sub.text()).comments.includes("keepalive"));
  });

  test("close ends every stream", async () => {
    const source = new ScriptedSource();
    const { dashboard, base } = await start(source);
    const sub = await subscribe(`${base}/api/events`);
    await sub.until((evs) => evs.length >= 1);
    await dashboard.close();
    running.splice(running.indexOf(dashboard), 1);
    await expect(sub.until(() => false)).rejects.toThrow("stream ended");
    source.change();
  });
});

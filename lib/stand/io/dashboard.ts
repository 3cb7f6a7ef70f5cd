/**
 * standd's web dashboard server (spec §3.8) over lib/net/http.ts: the page,
 * its state as JSON, and the state as server-sent events, pushed after
 * every change but at most four times a second.
 *
 * Choices where the spec is silent: the page's Content-Security-Policy
 * allows only its own inline style and script (by hash), connections to
 * itself and nothing else; while anyone watches, the state is also sent
 * at least every 10 s, so that time-driven alerts (a burner
 * OPEN too long) and the page's clock keep up with the server's.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { describeError } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import type { Log } from "../../log.ts";
import { type EventStream, listenHttp, type Route } from "../../net/http.ts";
import type { DashboardState } from "../dashboard.ts";
import { dashboardPage, PAGE_SCRIPT, PAGE_STYLE } from "../dashboard-page.ts";

/**
 * Where the dashboard's state comes from: standd's daemon. It calls the
 * `onChange` listener after every turn that changed its state.
 *
 * @example
 * ```ts
 * const source: DashboardSource = { state: () => dashboardState(input()), onChange: (l) => listeners.push(l) };
 * ```
 */
export interface DashboardSource {
  state(): DashboardState;
  onChange(listener: () => void): void;
}

/**
 * Options of {@linkcode serveDashboard}.
 *
 * @example
 * ```ts
 * const opts: DashboardOptions = { host: "127.0.0.1", port: 1338, source, log };
 * ```
 */
export interface DashboardOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  source: DashboardSource;
  log: Log;
  /** Least time between two pushed states, ms; default 250 (≤ 4/s). */
  minIntervalMs?: number;
  /** A state is pushed at least this often, changed or not, ms; default 10000. */
  refreshMs?: number;
  /** `: keepalive` interval on event streams, ms; default 15000. */
  keepaliveMs?: number;
}

/**
 * A running dashboard.
 *
 * @example
 * ```ts
 * log.info(`dashboard on http://127.0.0.1:${dashboard.port}/`);
 * await dashboard.close();
 * ```
 */
export interface Dashboard {
  /** The bound port. */
  readonly port: number;
  /** Stop listening and end every event stream. */
  close(): Promise<void>;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");

/** The page's headers: only its own inline style and script run, and it talks only to its server. */
function pageHeaders(): Record<string, string> {
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(PAGE_SCRIPT)}'`,
    `style-src 'sha256-${sha256(PAGE_STYLE)}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": csp,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

/**
 * Serve the dashboard on `host:port`: `GET /` the page, `/api/state` the
 * JSON, `/api/events` server-sent `state` events (`id:` = version; a new
 * subscriber gets the current state at once), `/healthz` → `ok`. A failed
 * bind throws {@linkcode Fatal} with status 71.
 *
 * @example
 * ```ts
 * const dashboard = await serveDashboard({ host: "127.0.0.1", port: 1338, source, log });
 * ```
 */
export async function serveDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const { source, log } = opts;
  const minInterval = opts.minIntervalMs ?? 250;
  const refreshMs = opts.refreshMs ?? 10_000;
  const page = dashboardPage();
  const headers = pageHeaders();
  const json = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

  const event = (state: DashboardState) => ({ event: "state", id: state.version, data: JSON.stringify(state) });
  const routes: Route[] = [
    { method: "GET", path: "/", handler: () => ({ headers, body: page }) },
    { method: "GET", path: "/api/state", handler: () => ({ headers: json, body: JSON.stringify(source.state()) }) },
    { method: "GET", path: "/api/events", events: (stream: EventStream) => stream.send(event(source.state())) },
    { method: "GET", path: "/healthz", handler: () => ({ body: "ok" }) },
  ];
  const http = await listenHttp(opts.host, opts.port, routes, {
    retryMs: 2000,
    keepaliveMs: opts.keepaliveMs ?? 15_000,
    onError: (err) => log.error(`dashboard: ${describeError(err)}`),
  }).catch((err) => {
    throw new Fatal(
      `--http ${opts.host}:${opts.port}: cannot listen: ${describeError(err)}; choose another --http address or off`,
      EX.OSERR,
    );
  });

  // Coalescing: a change is pushed at once if the last push is old enough,
  // else when it will be; changes meanwhile ride along.
  let lastPush = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const push = () => {
    timer = undefined;
    lastPush = performance.now();
    if (http.subscribers === 0) return;
    try {
      http.broadcast(event(source.state()));
    } catch (err) {
      log.error(`dashboard: ${describeError(err)}`);
    }
  };
  const changed = () => {
    if (closed || timer !== undefined) return;
    // At least a turn later, so that changes of one burst go out as one.
    timer = setTimeout(push, Math.max(0, lastPush + minInterval - performance.now()));
  };
  source.onChange(changed);
  const refresh = setInterval(changed, refreshMs);

  return {
    port: http.port,
    close: () => {
      closed = true;
      clearInterval(refresh);
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      return http.close();
    },
  };
}

/**
 * standd's dashboard page (spec §3.8): one HTML document with its style and
 * script inline, nothing fetched from elsewhere (booths are often offline).
 * The script subscribes to `/api/events` and redraws on every `state`
 * event ({@linkcode DashboardState} of lib/stand/dashboard.ts); everything
 * from the network is put in the page with `textContent`, never parsed as
 * HTML (§7). Between events the elapsed times, ETAs and ages count on by
 * the browser's clock.
 *
 * Hooks for tests and for anyone scripting the screen: `#conn[data-conn]`
 * (`connecting`, `live`, `reconnecting`, `down`), `body[data-version]`,
 * `#tiles > .tile[data-burner][data-state][data-media]` with `.name`,
 * `.state`, `.pct`, `.bar > .fill`, `.filename`, `.hash`, `.elapsed`,
 * `.eta`, `.counts`, `.error`; `#alerts > li[data-alert]`; `#queue tbody >
 * tr[data-item]`, `#queue-total`; `#catalogue tbody > tr[data-hash]`;
 * `#history tbody > tr[data-item][data-outcome]`; `#totals [data-total]`.
 *
 * @module
 */

/**
 * The page's style sheet (the content of its one `<style>`).
 *
 * @example
 * ```ts
 * const csp = `style-src 'sha256-${sha256Base64(PAGE_STYLE)}'`;
 * ```
 */
export const PAGE_STYLE = `
:root { color-scheme: dark; --bg: #101214; --panel: #1a1d21; --text: #eceff1; --dim: #90a4ae; }
html { font-size: clamp(14px, 1.05vw, 30px); }
body { margin: 0; background: var(--bg); color: var(--text); font-family: system-ui, "DejaVu Sans", sans-serif; }
body[data-conn="reconnecting"] main, body[data-conn="down"] main { opacity: 0.55; }
header { display: flex; align-items: baseline; gap: 1.5rem; flex-wrap: wrap; padding: 0.6rem 1.2rem; background: #000; }
h1 { font-size: 1.6rem; margin: 0; }
h2 { font-size: 1.15rem; margin: 0 0 0.4rem; color: var(--dim); font-weight: 600; }
#conn { font-weight: 700; }
#conn[data-conn="live"] { color: #66bb6a; }
#conn[data-conn="connecting"], #conn[data-conn="reconnecting"] { color: #ffca28; }
#conn[data-conn="down"] { color: #ef5350; }
#totals { display: flex; gap: 1.2rem; margin-left: auto; color: var(--dim); }
#totals b { color: var(--text); }
main { padding: 0.8rem 1.2rem; display: flex; flex-direction: column; gap: 1rem; }
#alerts-section[hidden] { display: none; }
#alerts { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.3rem; }
#alerts li { background: #4a1010; border-left: 0.4rem solid #ef5350; padding: 0.4rem 0.7rem; font-weight: 600; }
#alerts li[data-alert="burner-idle"] { background: #3d3200; border-color: #ffca28; }
#tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 0.8rem; }
.tile { border-radius: 0.6rem; padding: 0.7rem 0.9rem; background: #616161; border: 0.2rem solid transparent;
  display: flex; flex-direction: column; gap: 0.25rem; min-height: 9rem; overflow: hidden; }
.tile .top { display: flex; justify-content: space-between; gap: 0.5rem; align-items: baseline; }
.tile .name { font-size: 1.3rem; font-weight: 700; overflow-wrap: anywhere; }
.tile .media { font-size: 0.85rem; font-weight: 700; padding: 0.05rem 0.4rem; border-radius: 0.3rem; background: rgba(0,0,0,0.35); }
.tile .state { font-size: 1.5rem; font-weight: 800; letter-spacing: 0.03em; }
.tile .pct { font-size: 1.5rem; font-weight: 800; }
.tile .line { display: flex; justify-content: space-between; gap: 0.5rem; }
.tile .bar { height: 0.7rem; background: rgba(0,0,0,0.35); border-radius: 0.35rem; overflow: hidden; visibility: hidden; }
.tile .fill { height: 100%; width: 0; background: #90caf9; transition: width 0.4s; }
.tile .filename { font-weight: 600; overflow-wrap: anywhere; }
.tile .hash, .tile .counts, .tile .times { font-size: 0.85rem; opacity: 0.85; font-variant-numeric: tabular-nums; }
.tile .hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tile .error { font-size: 0.85rem; color: #ffcdd2; overflow-wrap: anywhere; }
.tile .error:empty, .tile .filename:empty, .tile .hash:empty { display: none; }
.tile[data-state="avail"] { background: #2e7d32; border-color: #66bb6a; }
.tile[data-state="burning"] { background: #1565c0; border-color: #64b5f6; }
.tile[data-state="burning"] .bar { visibility: visible; }
.tile[data-state="verify"] { background: #ffb300; border-color: #ffe082; color: #1a1a1a; }
.tile[data-state="verify"] .error { color: #4a0000; }
.tile[data-state="pass"] { background: #00695c; border-color: #80cbc4; }
.tile[data-state="fail"] { background: #c62828; border-color: #ff8a80; }
.tile[data-state="idle"] { background: #616161; border-color: #9e9e9e; }
.tile[data-state="disconn"] { background: #1c1c1c; border: 0.2rem dashed #424242; color: #757575; }
.lower { display: grid; grid-template-columns: 2fr 1fr; gap: 1rem; align-items: start; }
.lower > div { display: flex; flex-direction: column; gap: 1rem; }
section.panel { background: var(--panel); border-radius: 0.6rem; padding: 0.7rem 0.9rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 0.2rem 0.5rem; border-bottom: 1px solid #2c3136; white-space: nowrap; }
td.wrap { white-space: normal; overflow-wrap: anywhere; }
th { color: var(--dim); font-weight: 600; }
td.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
tr[data-outcome="PASS"] td.outcome, tr[data-outcome="EXTRA"] td.outcome { color: #66bb6a; }
tr[data-outcome="FAIL"] td.outcome, tr[data-outcome="GAVEUP"] td.outcome { color: #ef5350; }
tr[data-outcome="LOST"] td.outcome { color: #ffca28; }
.note { color: var(--dim); font-size: 0.85rem; }
@media (max-width: 60rem) { .lower { grid-template-columns: 1fr; } }
`;

/**
 * The page's script (the content of its one `<script>`): plain DOM and
 * EventSource, no framework.
 *
 * @example
 * ```ts
 * const csp = `script-src 'sha256-${sha256Base64(PAGE_SCRIPT)}'`;
 * ```
 */
export const PAGE_SCRIPT = `
"use strict";
(function () {
  var byId = function (id) { return document.getElementById(id); };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms) {
    if (ms === null || ms === undefined) return "–";
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }
  function age(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m";
    var h = Math.floor(m / 60);
    return h < 48 ? h + "h " + (m % 60) + "m" : Math.floor(h / 24) + "d " + (h % 24) + "h";
  }
  function size(bytes) {
    if (bytes === null || bytes === undefined) return "?";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0, n = bytes;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
  }
  function when(ms) {
    var d = new Date(ms);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) {
      var td = el("td", c.cls, c.text);
      if (c.title) td.title = c.title;
      tr.appendChild(td);
    });
    return tr;
  }

  var current = null;
  var receivedAt = 0;
  var tiles = new Map();

  function makeTile(id) {
    var t = { root: el("div", "tile") };
    t.root.dataset.burner = id;
    var top = el("div", "top");
    t.name = el("span", "name"); t.media = el("span", "media");
    top.append(t.name, t.media);
    var line = el("div", "line");
    t.state = el("span", "state"); t.pct = el("span", "pct");
    line.append(t.state, t.pct);
    t.bar = el("div", "bar"); t.fill = el("div", "fill"); t.bar.appendChild(t.fill);
    t.filename = el("div", "filename"); t.hash = el("div", "hash");
    var times = el("div", "line times");
    t.elapsed = el("span", "elapsed"); t.eta = el("span", "eta");
    times.append(t.elapsed, t.eta);
    t.counts = el("div", "counts"); t.error = el("div", "error");
    t.root.append(top, line, t.bar, t.filename, t.hash, times, t.counts, t.error);
    tiles.set(id, t);
    return t;
  }

  function renderTiles(list) {
    var grid = byId("tiles"), seen = new Set();
    list.forEach(function (b, i) {
      var t = tiles.get(b.id) || makeTile(b.id);
      seen.add(b.id);
      t.root.dataset.state = b.tileClass;
      t.root.dataset.media = b.media;
      t.root.title = b.id;
      t.name.textContent = b.name;
      t.media.textContent = b.media;
      t.state.textContent = b.percent === null ? b.stateText : "BURNING";
      t.pct.textContent = b.percent === null ? "" : b.percent + "%";
      t.pct.dataset.pct = b.percent === null ? "" : String(b.percent);
      t.fill.style.width = (b.percent === null ? 0 : b.percent) + "%";
      t.filename.textContent = b.filename || "";
      t.hash.textContent = b.hash || "";
      t.counts.textContent = "✓ " + b.passes + "   ✗ " + b.fails;
      t.error.textContent = b.lastError || "";
      t.data = b;
      if (grid.children[i] !== t.root) grid.insertBefore(t.root, grid.children[i] || null);
    });
    tiles.forEach(function (t, id) {
      if (!seen.has(id)) { t.root.remove(); tiles.delete(id); }
    });
  }

  function renderAlerts(alerts) {
    var list = byId("alerts");
    list.replaceChildren.apply(list, alerts.map(function (a) {
      var li = el("li", null, a.text);
      li.dataset.alert = a.kind;
      if (a.burner) li.dataset.burner = a.burner;
      if (a.hash) li.dataset.hash = a.hash;
      return li;
    }));
    byId("alerts-section").hidden = alerts.length === 0;
  }

  function renderQueue(queue) {
    byId("queue-total").textContent = String(queue.total);
    byId("queue-note").textContent = queue.total > queue.items.length
      ? "showing the first " + queue.items.length + " of " + queue.total : "";
    var body = byId("queue").tBodies[0];
    body.replaceChildren.apply(body, queue.items.map(function (q) {
      var tr = row([
        { text: q.item }, { text: q.filename || "?", cls: "wrap" }, { text: q.shortHash, cls: "mono", title: q.hash },
        { text: q.prio }, { text: "", cls: "age" }, { text: q.attempt },
      ]);
      tr.dataset.item = String(q.item);
      return tr;
    }));
  }

  function renderCatalogue(list) {
    var body = byId("catalogue").tBodies[0];
    body.replaceChildren.apply(body, list.map(function (c) {
      var tr = row([
        { text: c.filename, cls: "wrap", title: c.hash }, { text: size(c.bytes) }, { text: c.media }, { text: c.holders },
      ]);
      tr.dataset.hash = c.hash;
      return tr;
    }));
  }

  function renderHistory(list) {
    var body = byId("history").tBodies[0];
    body.replaceChildren.apply(body, list.map(function (h) {
      var tr = row([
        { text: when(h.endedAt) }, { text: h.item }, { text: h.filename || h.shortHash, cls: "wrap", title: h.hash },
        { text: h.burnerName || "", title: h.burner }, { text: h.outcome, cls: "outcome" }, { text: h.attempt },
        { text: h.time === undefined ? "" : clock(h.time * 1000) },
      ]);
      tr.dataset.item = String(h.item);
      tr.dataset.outcome = h.outcome;
      return tr;
    }));
  }

  function renderTotals(t) {
    var values = {
      "passed-start": t.passedSinceStart, "failed-start": t.failedSinceStart,
      "passed-today": t.passedToday, "failed-today": t.failedToday, "rate": t.discsPerHour,
    };
    Object.keys(values).forEach(function (k) {
      document.querySelector("#totals [data-total='" + k + "']").textContent = String(values[k]);
    });
  }

  // Times count on between events, by the browser's clock.
  function tick() {
    if (!current) return;
    var d = performance.now() - receivedAt;
    tiles.forEach(function (t) {
      var b = t.data;
      t.elapsed.textContent = clock(b.elapsedMs + d) + " elapsed";
      t.eta.textContent = b.etaMs === null ? "" : "ETA " + clock(Math.max(0, b.etaMs - d));
    });
    var cells = byId("queue").tBodies[0].querySelectorAll("td.age");
    current.queue.items.forEach(function (q, i) { if (cells[i]) cells[i].textContent = age(q.ageMs + d); });
  }

  function render(state) {
    current = state;
    receivedAt = performance.now();
    document.body.dataset.version = String(state.version);
    renderAlerts(state.alerts);
    renderTiles(state.burners);
    renderQueue(state.queue);
    renderCatalogue(state.catalogue);
    renderHistory(state.history);
    renderTotals(state.totals);
    tick();
  }

  function setConn(kind, text) {
    var c = byId("conn");
    c.dataset.conn = kind;
    c.textContent = text;
    document.body.dataset.conn = kind;
  }

  // EventSource reconnects by itself after a network error; only a refused
  // response (a proxy's 502…) closes it for good, and then we start anew.
  function connect() {
    setConn("connecting", "○ connecting…");
    var source = new EventSource("/api/events");
    source.onopen = function () { setConn("live", "● live"); };
    source.addEventListener("state", function (ev) {
      var state;
      try { state = JSON.parse(ev.data); } catch (e) { return; }
      setConn("live", "● live");
      render(state);
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        setConn("down", "○ disconnected, retrying");
        source.close();
        setTimeout(connect, 2000);
      } else {
        setConn("reconnecting", "○ reconnecting…");
      }
    };
  }

  setInterval(tick, 1000);
  connect();
})();
`;

/**
 * The whole page.
 *
 * @example
 * ```ts
 * const reply = { headers: { "content-type": "text/html; charset=utf-8" }, body: dashboardPage() };
 * ```
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>'Buntu Stand</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body data-conn="connecting">
<header>
<h1>'Buntu Stand</h1>
<span id="conn" data-conn="connecting">○ connecting…</span>
<span id="totals">
<span>passed <b data-total="passed-start">0</b> / failed <b data-total="failed-start">0</b> since start</span>
<span>today <b data-total="passed-today">0</b> / <b data-total="failed-today">0</b></span>
<span><b data-total="rate">0</b> discs/h</span>
</span>
</header>
<main>
<section id="alerts-section" class="panel" hidden><h2>Alerts</h2><ul id="alerts"></ul></section>
<div id="tiles"></div>
<div class="lower">
<section class="panel"><h2>Queue: <span id="queue-total">0</span> <span id="queue-note" class="note"></span></h2>
<table id="queue"><thead><tr><th>item</th><th>image</th><th>hash</th><th>prio</th><th>age</th><th>attempt</th></tr></thead><tbody></tbody></table>
</section>
<div>
<section class="panel"><h2>Catalogue</h2>
<table id="catalogue"><thead><tr><th>image</th><th>size</th><th>class</th><th>holders</th></tr></thead><tbody></tbody></table>
</section>
<section class="panel"><h2>History</h2>
<table id="history"><thead><tr><th>ended</th><th>item</th><th>image</th><th>burner</th><th>result</th><th>attempt</th><th>write</th></tr></thead><tbody></tbody></table>
</section>
</div>
</div>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

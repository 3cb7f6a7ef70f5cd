/** pzog status's text (lib/pzog/status.ts): durations, the header lines and one aligned line per peer. */
import { describe, expect, test } from "bun:test";
import { duration, formatStatus, isStatusDocument, type StatusDocument } from "../../lib/pzog/status.ts";

const T0 = Date.UTC(2012, 8, 25, 14, 3, 7);

const DOC: StatusDocument = {
  program: "pzog",
  version: "0.3.0",
  pid: 4242,
  name: "lg",
  index: 2,
  ring: ["la", "test", "lg", "sm", "g"],
  protocol: "0.3",
  epoch: 1348578187,
  state: "running",
  startedAt: T0,
  now: T0 + 3_723_000,
  clients: 3,
  maxClients: 256,
  peerConnections: 4,
  paused: { clients: false, relay: true },
  counters: { accepted: 10, relayed: 40, duplicates: 1, badLines: 2, bypassed: 3 },
  peers: [
    ["la", 0, "up", 0, null, 0, 0, 0, 1480],
    ["test", 1, "up", 0, "refused", 0, 0, 0, 1480],
    ["sm", 3, "down", 3_682_000, "ack-timeout", 12, 708, 0, 2188],
    ["g", 4, "connecting", 3_700_000, "refused", 0, 0, 0, 0],
  ].map(([name, index, link, since, lastFailure, queued, queuedBytes, inFlight, spoolBytes]) => ({
    name: String(name),
    index: Number(index),
    address: `127.0.0.${Number(index) + 1}:55552`,
    link: link as StatusDocument["peers"][number]["link"],
    since: T0 + Number(since),
    lastFailure: lastFailure as StatusDocument["peers"][number]["lastFailure"],
    queued: Number(queued),
    queuedBytes: Number(queuedBytes),
    inFlight: Number(inFlight),
    spoolBytes: Number(spoolBytes),
  })),
};

describe("duration", () => {
  test("the two largest units, zero-padded after the first", () => {
    expect([0, 999, 12_000, 307_000, 3_723_000, 2 * 86_400_000 + 4 * 3_600_000].map(duration))
      .toEqual(["0s", "0s", "12s", "5m07s", "1h02m", "2d04h"]);
    expect(duration(-5)).toBe("0s");
  });
});

describe("formatStatus", () => {
  test("who and since when, clients and backpressure, counters, then a table of the links", () => {
    expect(formatStatus(DOC)).toBe([
      "lg (index 2 of la test lg sm g): pzog 0.3.0, pid 4242, protocol 0.3, epoch 1348578187",
      "running, up 1h02m",
      "clients 3 (max 256), inbound peer links 4, paused relay",
      "counters accepted=10 relayed=40 duplicates=1 bad=2 bypassed=3",
      "peer  address          link        for    queued  bytes  in-flight  spool  last-failure",
      "la    127.0.0.1:55552  up          1h02m  0       0      0          1480   -",
      "test  127.0.0.2:55552  up          1h02m  0       0      0          1480   refused",
      "sm    127.0.0.4:55552  down        41s    12      708    0          2188   ack-timeout",
      "g     127.0.0.5:55552  connecting  23s    0       0      0          0      refused",
      "",
    ].join("\n"));
  });

  test("0.2.2 has no epoch; nothing paused says no", () => {
    const text = formatStatus({ ...DOC, protocol: "0.2.2", epoch: null, paused: { clients: false, relay: false } });
    expect(text.split("\n")[0]).toBe("lg (index 2 of la test lg sm g): pzog 0.3.0, pid 4242, protocol 0.2.2");
    expect(text.split("\n")[2]).toEndWith(", paused no");
  });
});

describe("isStatusDocument", () => {
  test("a pzog's document passes; anything else does not", () => {
    expect(isStatusDocument(JSON.parse(JSON.stringify(DOC)))).toBe(true);
    for (
      const v of [null, 1, "pzog", [], {}, { ...DOC, program: "ptbw" }, { ...DOC, peers: {} }, { ...DOC, now: "1" }]
    ) {
      expect(isStatusDocument(v)).toBe(false);
    }
  });
});

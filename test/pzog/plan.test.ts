import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Wrap } from "../../lib/pzog/codec.ts";
import { bypassFor, type Forward, plan } from "../../lib/pzog/plan.ts";

const N = 5;
const NAMES = ["la", "test", "lg", "sm", "g"];
const ALL_UP = [true, true, true, true, true];
const mod = (i: number) => ((i % N) + N) % N;

describe("plan: the rule of §5.1", () => {
  test("client data goes to +1 and +2 with wrap 2, in both modes", () => {
    for (const mode of ["0.2.2", "0.3"] as const) {
      for (let s = 0; s < N; s++) {
        expect(plan(mode, "client", 2, s, ALL_UP)).toEqual([
          { target: mod(s + 1), wrap: 2 },
          { target: mod(s + 2), wrap: 2 },
        ]);
      }
    }
  });

  test("peer wrap 2 goes to +2 with 0, wrap 1 to +1 with 0, wrap 0 nowhere; link state is ignored", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("0.2.2" as const, "0.3" as const),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (mode, i, links) => {
          expect(plan(mode, "peer", 2, i, links)).toEqual([{ target: mod(i + 2), wrap: 0 }]);
          expect(plan(mode, "peer", 1, i, links)).toEqual([{ target: mod(i + 1), wrap: 0 }]);
          expect(plan(mode, "peer", 0, i, links)).toEqual([]);
        },
      ),
    );
  });

  test("0.2.2 never bypasses", () => {
    for (let s = 0; s < N; s++) {
      expect(plan("0.2.2", "client", 2, s, [false, false, false, false, false])).toEqual(
        plan("0.2.2", "client", 2, s, ALL_UP),
      );
    }
  });

  test("0.3 bypasses a down first-hop target: (t, 0) and its leaf (t+2, 0)", () => {
    // §5.6 example: entry lg (2) with sm (3) down.
    expect(plan("0.3", "client", 2, 2, [true, true, true, false, true])).toEqual([
      { target: 3, wrap: 0 },
      { target: 0, wrap: 0 },
      { target: 4, wrap: 2 },
    ]);
    expect(plan("0.3", "client", 2, 0, [true, false, false, true, true])).toEqual([
      { target: 1, wrap: 0 },
      { target: 3, wrap: 0 },
      { target: 2, wrap: 0 },
      { target: 4, wrap: 0 },
    ]);
    // Links other than the first hop, and the node's own slot, do not matter.
    expect(plan("0.3", "client", 2, 0, [false, true, true, false, false])).toEqual(plan("0.3", "client", 2, 0, ALL_UP));
  });

  test("bypassFor(t, 5) is t's leaf, t+2, with wrap 0", () => {
    expect([0, 1, 2, 3, 4].map((t) => bypassFor(t, 5))).toEqual([
      { target: 2, wrap: 0 },
      { target: 3, wrap: 0 },
      { target: 4, wrap: 0 },
      { target: 0, wrap: 0 },
      { target: 1, wrap: 0 },
    ]);
  });

  test("a plan never targets the node itself", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("0.2.2" as const, "0.3" as const),
        fc.constantFrom("client" as const, "peer" as const),
        fc.constantFrom<Wrap>(0, 1, 2),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (mode, source, wrap, self, links) => {
          for (const f of plan(mode, source, wrap, self, links)) expect(f.target).not.toBe(self);
        },
      ),
    );
  });
});

describe("plan: the worked table of §5.2", () => {
  const TABLE = [
    { entry: "la", first: ["test", "lg"], second: ["test→sm", "lg→g"] },
    { entry: "test", first: ["lg", "sm"], second: ["lg→g", "sm→la"] },
    { entry: "lg", first: ["sm", "g"], second: ["sm→la", "g→test"] },
    { entry: "sm", first: ["g", "la"], second: ["g→test", "la→lg"] },
    { entry: "g", first: ["la", "test"], second: ["la→lg", "test→sm"] },
  ];

  for (const mode of ["0.2.2", "0.3"] as const) {
    test(`every entry reaches every node exactly once in two hops and four sends (${mode})`, () => {
      for (const [s, row] of TABLE.entries()) {
        expect(NAMES[s]).toBe(row.entry);
        const first = plan(mode, "client", 2, s, ALL_UP);
        expect(first.every((f) => f.wrap === 2)).toBe(true);
        expect(first.map((f) => NAMES[f.target])).toEqual(row.first);
        const second = first.flatMap((f) =>
          plan(mode, "peer", f.wrap, f.target, ALL_UP).map((g) => ({ from: f.target, ...g }))
        );
        expect(second.every((g) => g.wrap === 0)).toBe(true);
        expect(second.map((g) => `${NAMES[g.from]}→${NAMES[g.target]}`)).toEqual(row.second);
        // Third hop: wrap-0 lines are only logged.
        expect(second.flatMap((g) => plan(mode, "peer", g.wrap, g.target, ALL_UP))).toEqual([]);
        const copies = [0, 0, 0, 0, 0];
        copies[s]!++;
        for (const f of [...first, ...second]) copies[f.target]!++;
        expect(copies).toEqual([1, 1, 1, 1, 1]);
        expect(first.length + second.length).toBe(N - 1);
      }
    });
  }
});

/**
 * Flood one message entered at `entry` through the bare tree with the
 * nodes in `down` unable to receive (and so to forward); returns which
 * nodes got it.
 */
function bareTree(entry: number, down: ReadonlySet<number>): Set<number> {
  const got = new Set([entry]);
  const queue: Array<{ at: number; source: "client" | "peer"; wrap: Wrap }> = [{
    at: entry,
    source: "client",
    wrap: 2,
  }];
  const links = [0, 1, 2, 3, 4].map((i) => !down.has(i));
  for (let step = queue.shift(); step; step = queue.shift()) {
    for (const f of plan("0.2.2", step.source, step.wrap, step.at, links)) {
      if (down.has(f.target)) continue;
      got.add(f.target);
      queue.push({ at: f.target, source: "peer", wrap: f.wrap });
    }
  }
  return got;
}

describe("plan: the bare tree under failure (§5.3)", () => {
  test("0.2.2 with one node down: 10 of the 20 (entry, down-node) pairs leave a live node without the message", () => {
    const missing: string[] = [];
    for (let s = 0; s < N; s++) {
      for (let d = 0; d < N; d++) {
        if (d === s) continue;
        const got = bareTree(s, new Set([d]));
        const lacking = [0, 1, 2, 3, 4].filter((i) => i !== d && !got.has(i));
        if (lacking.length > 0) missing.push(`${s}/${d}:${lacking}`);
      }
    }
    expect(missing.length).toBe(10);
    // Exactly the relays: with s+1 down s+3 misses it, with s+2 down s+4 does.
    const relays = [0, 1, 2, 3, 4].flatMap((
      s,
    ) => [`${s}/${mod(s + 1)}:${mod(s + 3)}`, `${s}/${mod(s + 2)}:${mod(s + 4)}`]);
    expect(missing.sort()).toEqual(relays.sort());
  });
});

// --- A ring of five nodes with durable queues, ids and dedup, for 0.3. ---

interface Copy {
  wrap: Wrap;
  id: number;
}

/**
 * The 0.3 ring as §5 describes it: per-link FIFO queues that keep a copy
 * until its `ok`; a per-node view of its outbound links; dedup by id; and
 * the entry node's bypass when a first-hop link goes from up to down.
 */
class SimRing {
  readonly up = [true, true, true, true, true];
  /** linkUp[x][y]: x's outbound link to y, as x sees it. */
  readonly linkUp = [0, 1, 2, 3, 4].map(() => [true, true, true, true, true]);
  readonly queues = [0, 1, 2, 3, 4].map(() => [0, 1, 2, 3, 4].map((): Copy[] => []));
  readonly seen = [0, 1, 2, 3, 4].map(() => new Set<number>());
  readonly logged = [0, 1, 2, 3, 4].map(() => new Map<number, number>());

  #log(node: number, id: number): void {
    this.seen[node]!.add(id);
    this.logged[node]!.set(id, (this.logged[node]!.get(id) ?? 0) + 1);
  }

  #enqueue(from: number, forwards: Forward[], id: number): void {
    for (const f of forwards) this.queues[from]![f.target]!.push({ wrap: f.wrap, id });
  }

  /** A client hands message `id` to live node `s` (§5.4: enqueue, log). */
  enter(s: number, id: number): void {
    this.#enqueue(s, plan("0.3", "client", 2, s, this.linkUp[s]!), id);
    this.#log(s, id);
  }

  /** Node `x` declares its link to `t` down: queued wrap-2 copies become 0, and t's leaf gets one (§5.6). */
  linkDown(x: number, t: number): void {
    if (!this.linkUp[x]![t]) return;
    this.linkUp[x]![t] = false;
    for (const c of this.queues[x]![t]!) {
      if (c.wrap !== 2) continue;
      c.wrap = 0;
      this.#enqueue(x, [bypassFor(t, 5)], c.id);
    }
  }

  linkUpAgain(x: number, t: number): void {
    if (this.up[t]) this.linkUp[x]![t] = true;
  }

  /** Whether x can deliver the head of its queue to y now. */
  canDeliver(x: number, y: number): boolean {
    return this.up[x]! && this.up[y]! && this.linkUp[x]![y]! && this.queues[x]![y]!.length > 0;
  }

  /**
   * Deliver the head of x's queue to y. y dedups, forwards, logs and says
   * `ok`; if the ok is lost, the copy stays queued and x's link goes down
   * (an ack timeout), to be resent after the link comes back.
   */
  deliver(x: number, y: number, okLost: boolean): void {
    const q = this.queues[x]![y]!;
    const c = q[0]!;
    if (!this.seen[y]!.has(c.id)) {
      this.#enqueue(y, plan("0.3", "peer", c.wrap, y, this.linkUp[y]!), c.id);
      this.#log(y, c.id);
    }
    if (okLost) this.linkDown(x, y);
    else q.shift();
  }
}

/** A scripted choice source: `pick(n)` uses the script while it lasts, then 0. */
function chooser(script: number[]) {
  let i = 0;
  return {
    pick: (n: number) => (i < script.length ? script[i++]! % n : 0),
    get scripted() {
      return i < script.length;
    },
  };
}

type Event = () => void;

/**
 * Run the ring until nothing more can happen, choosing among the possible
 * events with `pick`. Oks are lost only while the script lasts, so every
 * run ends.
 */
function runToQuiescence(
  ring: SimRing,
  pending: Array<{ s: number; id: number }>,
  pick: ReturnType<typeof chooser>,
): void {
  for (let guard = 0; guard < 10_000; guard++) {
    const events: Event[] = [];
    if (pending.length > 0) {
      const m = pending[0]!;
      events.push(() => {
        pending.shift();
        ring.enter(m.s, m.id);
      });
    }
    for (let x = 0; x < N; x++) {
      for (let y = 0; y < N; y++) {
        if (x === y || !ring.up[x]) continue;
        // A link to a dead node is eventually declared down (ack timeout).
        if (!ring.up[y] && ring.linkUp[x]![y]) events.push(() => ring.linkDown(x, y));
        if (ring.up[y] && !ring.linkUp[x]![y]) events.push(() => ring.linkUpAgain(x, y));
        if (ring.canDeliver(x, y)) {
          const lose = pick.scripted && pick.pick(4) === 0;
          events.push(() => ring.deliver(x, y, lose));
        }
      }
    }
    if (events.length === 0) return;
    events[pick.pick(events.length)]!();
  }
  throw new Error("no quiescence");
}

describe("plan: 0.3 bypass and dedup over a simulated ring", () => {
  test(
    "for any entries, down set D without them, and order of link-downs and resends, " +
      "live nodes log each message once, and all nodes do after D recovers",
    () => {
      const scenario = fc
        .record({
          down: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
          entries: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
          outage: fc.array(fc.nat(), { maxLength: 80 }),
          recovery: fc.array(fc.nat(), { maxLength: 80 }),
          // Whether each entry's links to D are already known down when the first message enters.
          detectedEarly: fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
        })
        .map((sc) => ({ ...sc, entries: sc.entries.filter((s) => !sc.down.includes(s)) }))
        .filter((sc) => sc.entries.length > 0);

      fc.assert(
        fc.property(scenario, (sc) => {
          const ring = new SimRing();
          for (const d of sc.down) ring.up[d] = false;
          for (let x = 0; x < N; x++) {
            for (const d of sc.down) if (sc.detectedEarly[x * N + d]) ring.linkDown(x, d);
          }
          const messages = sc.entries.map((s, id) => ({ s, id }));
          const ids = messages.map((m) => m.id);

          runToQuiescence(ring, [...messages], chooser(sc.outage));
          for (let node = 0; node < N; node++) {
            const expected: Array<[number, number]> = sc.down.includes(node) ? [] : ids.map((id) => [id, 1]);
            expect([node, [...ring.logged[node]!].sort((a, b) => a[0]! - b[0]!)]).toEqual([node, expected]);
          }

          for (const d of sc.down) ring.up[d] = true;
          runToQuiescence(ring, [], chooser(sc.recovery));
          for (let node = 0; node < N; node++) {
            expect([node, [...ring.logged[node]!].sort((a, b) => a[0]! - b[0]!)]).toEqual([
              node,
              ids.map((id) => [id, 1]),
            ]);
          }
          expect(ring.queues.flat().every((q) => q.length === 0)).toBe(true);
        }),
        { numRuns: 1000 },
      );
    },
  );

  test("§5.6 example: entry lg with sm down; la, test, lg and g log now, sm on return", () => {
    const ring = new SimRing();
    ring.up[3] = false;
    ring.linkDown(2, 3);
    ring.enter(2, 7);
    expect(ring.queues[2]![3]).toEqual([{ wrap: 0, id: 7 }]);
    expect(ring.queues[2]![0]).toEqual([{ wrap: 0, id: 7 }]);
    expect(ring.queues[2]![4]).toEqual([{ wrap: 2, id: 7 }]);
    runToQuiescence(ring, [], chooser([]));
    expect(ring.logged.map((l) => l.get(7) ?? 0)).toEqual([1, 1, 1, 0, 1]);
    ring.up[3] = true;
    runToQuiescence(ring, [], chooser([]));
    expect(ring.logged.map((l) => l.get(7) ?? 0)).toEqual([1, 1, 1, 1, 1]);
    // sm got wrap 0, so it forwarded nothing.
    expect(ring.queues[3]!.every((q) => q.length === 0)).toBe(true);
  });

  test("a lost ok to a live relay triggers a bypass whose second copy the leaf drops by id", () => {
    const ring = new SimRing();
    ring.enter(0, 1);
    ring.deliver(0, 1, true); // test logs it, queues 0 for sm; la's link to test goes down
    expect(ring.queues[0]![1]).toEqual([{ wrap: 0, id: 1 }]);
    expect(ring.queues[0]![3]).toEqual([{ wrap: 0, id: 1 }]);
    runToQuiescence(ring, [], chooser([]));
    expect(ring.logged.map((l) => l.get(1) ?? 0)).toEqual([1, 1, 1, 1, 1]);
  });
});

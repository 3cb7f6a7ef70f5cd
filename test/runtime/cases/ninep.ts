/**
 * The pure protocol pieces spreed stands on, run under Deno as under Bun
 * (spec §11: codec and packer tests also under Deno): the 9P2000 codec's
 * round trip, framing however the bytes are chunked, and the ctl packer.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeT, encode } from "../../../lib/ninep/codec.ts";
import { ninepFramer } from "../../../lib/ninep/framing.ts";
import { actionLine, pack, UpdateQueue } from "../../../lib/spree/updates.ts";
import { tMessageArb } from "../../ninep/arbitrary.ts";
import type { Case } from "./support.ts";

const json = (v: unknown) =>
  JSON.stringify(v, (_, x) => typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? [...x] : x);
const text = (b: Uint8Array | string | undefined) => (b instanceof Uint8Array ? new TextDecoder().decode(b) : b);

export const cases: Case[] = [
  {
    name: "every T-message decodes to what was encoded",
    run: () =>
      fc.assert(
        fc.property(tMessageArb, (m) => {
          const bytes = encode(m);
          const back = decodeT(bytes);
          // Compared as JSON: the arbitraries make objects without a prototype.
          assert.equal(json(back), json(m));
          if (back.type !== "malformed") assert.deepEqual(encode(back), bytes);
        }),
        { numRuns: 300 },
      ),
  },
  {
    name: "arbitrary bytes in arbitrary chunks frame the same and never throw",
    run: () =>
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(600), { maxLength: 8 }), (bytes, cuts) => {
          const whole = ninepFramer(300).push(bytes);
          const chunked = ninepFramer(300);
          const events = [];
          let at = 0;
          for (const cut of [...cuts].sort((a, b) => a - b)) {
            events.push(...chunked.push(bytes.subarray(at, Math.max(at, cut))));
            at = Math.max(at, cut);
          }
          events.push(...chunked.push(bytes.subarray(at)));
          assert.deepEqual(events.map((e) => e.kind), whole.map((e) => e.kind));
          for (const e of events) if (e.kind === "frame") decodeT(e.bytes);
        }),
        { numRuns: 300 },
      ),
  },
  {
    name: "the packer gives the captured lobby reads: short read at 19, a break at 20, `\\n*` at 40",
    run: () => {
      const q = new UpdateQueue();
      q.push({ kind: "line", bytes: actionLine("clienttype lobby", [], "") });
      q.push({ kind: "break" });
      q.push({ kind: "line", bytes: actionLine("name alice", [], "") });
      q.push({ kind: "line", bytes: new TextEncoder().encode("create 0 -1 1 nil\n") });
      q.push({ kind: "line", bytes: new TextEncoder().encode("create 1 0 1 members\n") });
      assert.equal(pack(q, 19, () => true), "short read");
      assert.equal(text(pack(q, 20, () => true)), "clienttype lobby \n\n*");
      assert.equal(text(pack(q, 40, () => true)), "name alice \ncreate 0 -1 1 nil\n\n*");
      assert.equal(text(pack(q, 40, () => true)), "create 1 0 1 members\n");
      assert.equal(pack(q, 40, () => true), undefined);
    },
  },
];

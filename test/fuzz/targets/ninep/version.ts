/**
 * A server's answer to Tversion: the msize both sides use and the version
 * it speaks, from whatever a client offers.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { answerVersion, answerVersionString, MAX_MSIZE, MIN_MSIZE } from "../../../../lib/ninep/version.ts";
import { defineTarget } from "../../target.ts";

/** version(5)'s rule, written out: `9P` and digits up to the first `.`, at least `9P2000`. */
function oracle(version: string): "9P2000" | "unknown" {
  const head = version.split(".")[0]!;
  return /^9P[0-9]*$/.test(head) && head >= "9P2000" ? "9P2000" : "unknown";
}

/** Version strings near the rule's edges. */
const versionArb = fc.oneof(
  fc.string(),
  fc
    .tuple(
      fc.constantFrom("9P", "9p", "9", "", "P9", "9P2000", "9P1999", "9P3"),
      fc.stringMatching(/^[0-9]{0,5}$/),
      fc.constantFrom("", ".", ".u", ".L", "L", "u", " ", "x.y"),
    )
    .map((parts) => parts.join("")),
);

/** lib/ninep/version.ts. */
export const version = defineTarget({
  name: "ninep-version",
  about: "9P2000 version negotiation: the server's Rversion (or Rerror) for a client's Tversion",
  sources: ["lib/ninep/version.ts"],
  properties: {
    "any offer is answered with the smaller msize, never below the minimum, and a version of the two": {
      property: () =>
        fc.property(
          fc.nat(0xffffffff),
          fc.string(),
          fc.integer({ min: MIN_MSIZE, max: MAX_MSIZE }),
          (msize, v, cap) => {
            const answer = answerVersion(msize, v, cap);
            if ("error" in answer) expect(Math.min(msize, cap)).toBeLessThan(MIN_MSIZE);
            else {
              expect(answer.msize).toBe(Math.min(msize, cap));
              expect(["9P2000", "unknown"]).toContain(answer.version);
            }
          },
        ),
    },
    "a version string is 9P2000 exactly when version(5)'s rule says so": {
      testRuns: 300,
      property: () => fc.property(versionArb, (v) => expect(answerVersionString(v)).toBe(oracle(v))),
    },
    "an msize of the minimum is accepted, one less refused": {
      testRuns: 100,
      property: () =>
        fc.property(fc.constantFrom(-1, 0), fc.integer({ min: MIN_MSIZE, max: MAX_MSIZE }), fc.boolean(), (
          delta,
          cap,
          fromClient,
        ) => {
          const low = MIN_MSIZE + delta;
          const answer = fromClient ? answerVersion(low, "9P2000", cap) : answerVersion(cap, "9P2000", low);
          expect(answer).toEqual(delta < 0 ? { error: "message size too small" } : { msize: low, version: "9P2000" });
        }),
    },
  },
});

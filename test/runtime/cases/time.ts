/** lib/runtime/time.ts */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCommand } from "../../../lib/runtime/process.ts";
import { sleep, TIMED_OUT, withTimeout } from "../../../lib/runtime/time.ts";
import { type Case, FIXTURES, scriptArgv } from "./support.ts";

export const cases: Case[] = [
  {
    name: "sleep resolves after about the time asked",
    run: async () => {
      const t0 = performance.now();
      assert.equal(await sleep(50), undefined);
      const took = performance.now() - t0;
      assert.ok(took >= 45, `slept ${took} ms`);
    },
  },
  {
    name: "withTimeout gives the promise's value when it settles in time",
    run: async () => {
      assert.equal(await withTimeout(Promise.resolve(42), 1000), 42);
      assert.equal(await withTimeout(sleep(10).then(() => "late but in time"), 1000), "late but in time");
    },
  },
  {
    name: "withTimeout gives TIMED_OUT when the promise is too slow",
    run: async () => {
      const t0 = performance.now();
      assert.equal(await withTimeout(new Promise(() => {}), 30), TIMED_OUT);
      assert.ok(performance.now() - t0 >= 25);
    },
  },
  {
    name: "withTimeout passes a rejection through",
    run: async () => {
      await assert.rejects(withTimeout(Promise.reject(new Error("refused")), 1000), /refused/);
    },
  },
  {
    name: "TIMED_OUT cannot be confused with a value the promise produced",
    run: async () => {
      assert.equal(typeof TIMED_OUT, "symbol");
      assert.notEqual(await withTimeout(Promise.resolve("timed out"), 1000), TIMED_OUT);
    },
  },
  {
    name: "a script whose races settled ends at once, with no unhandled rejection from a loser",
    timeoutMs: 30000,
    run: async () => {
      let out = "";
      const t0 = performance.now();
      const end = await runCommand(scriptArgv(join(FIXTURES, "timeouts.ts")), {
        stdout: { onChunk: (chunk) => (out += new TextDecoder().decode(chunk)) },
        stderr: { onChunk: (chunk) => (out += new TextDecoder().decode(chunk)) },
        timeoutMs: 20000,
      }).ended;
      assert.deepEqual(end, { status: 0, code: 0, signal: null, timedOut: false }, out);
      assert.equal(out, `${JSON.stringify(["now", "soon", "no", "timed out"])}\n`);
      assert.ok(performance.now() - t0 < 15000);
    },
  },
];

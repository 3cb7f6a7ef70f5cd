/**
 * The client's messages (issue 7, item 4): ksb's words stay first, where
 * scripts may match them, and the reason follows; "1 second" is singular.
 */
import { describe, expect, test } from "bun:test";
import { sh } from "../helpers/process.ts";
import { world } from "./world.ts";

describe("a request bigger than the pool", () => {
  test("says how many tokens the pool has, blocking, with --try and with --timeout alike", async () => {
    const w = world();
    for (const client of ["ptbw -R4 true", "ptbw --try -R4 true", "ptbw --timeout 5 -R4 true"]) {
      const r = await sh(`ptbw -m -J3 ${client}`, { env: w.env });
      expect({ code: r.code, stderr: r.stderr }).toEqual({
        code: 73,
        stderr: "ptbw: -R 4: cannot allocate resources: Connection reset by network (the pool has only 3 tokens)\n",
      });
    }
  });

  test("a pool of one token is one token", async () => {
    const w = world();
    const r = await sh("ptbw -m -J1 ptbw -R2 true", { env: w.env });
    expect(r.code).toBe(73);
    expect(r.stderr).toBe(
      "ptbw: -R 2: cannot allocate resources: Connection reset by network (the pool has only 1 token)\n",
    );
  });
});

describe("timed out", () => {
  test("after 1 second is singular", async () => {
    const w = world();
    const script = `ptbw -m -J1 sh -c '
      ptbw -R1 "$T/hold" "$T/READY" "$T/GO" &
      until [ -e "$T/READY" ]; do sleep 0.02; done
      ptbw --timeout 1 -R1 echo no; echo rc=$?
      : >"$T/GO"; wait'`;
    const r = await sh(script, { env: w.env });
    expect(r.stdout).toBe("rc=75\n");
    expect(r.stderr).toBe("ptbw: -R 1: timed out after 1 second\n");
  });
});

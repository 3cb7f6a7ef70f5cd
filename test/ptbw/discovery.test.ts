/**
 * How ptbw processes find each other (lib/ptbw/discovery.ts): client
 * discovery (§3.3), publishing (§3.1, §3.2 step 4) and the -V trace (§2.5).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type Env,
  managerLevel,
  publish,
  selectManager,
  type TraceInput,
  versionTrace,
} from "../../lib/ptbw/discovery.ts";
import { versionText } from "../../lib/ptbw/usage.ts";

const A = "/tmp/ptbdAAAAAA/sta0";
const B = "/tmp/ptbdBBBBBB/sta0";
const D = "/tmp/ptbdDDDDDD/sta0";
const Z = "/tmp/ptbdZZZZZZ/sta0";

/** -V input: every socket exists unless `missing` says otherwise. */
function input(o: Partial<TraceInput> = {}, missing: Record<string, string> = {}): TraceInput {
  return { prog: "ptbw", depth: 0, tags: undefined, lstat: (p) => missing[p] ?? null, ...o };
}

const trace = (env: Env, o: Partial<TraceInput> = {}, missing: Record<string, string> = {}) =>
  versionTrace(env, input(o, missing)).trace;

const twoLevels: Env = { ptbw_link: "2", ptbw_1: A, ptbw_2: B };

describe("selectManager (§3.3)", () => {
  test("-t with a path uses it and ignores the depth", () => {
    expect(selectManager({}, "/some/sock", 5)).toEqual({ socket: "/some/sock" });
    expect(selectManager(twoLevels, A, 9)).toEqual({ socket: A });
  });

  test("-t - means the enclosing manager", () => {
    expect(selectManager(twoLevels, "-", 0)).toEqual({ socket: B });
    expect(selectManager(twoLevels, undefined, 1)).toEqual({ socket: A });
  });

  test("no ptbw_link: no enclosing diversion, 66", () => {
    expect(selectManager({}, undefined, 0)).toEqual({ error: "no enclosing diversion", status: 66 });
    expect(selectManager({ ptbw_1: A }, "-", 0)).toEqual({ error: "no enclosing diversion", status: 66 });
  });

  test("no ptbw_link but a ptbw_d: the hint names it", () => {
    expect(selectManager({ ptbw_d: "sock" }, undefined, 0)).toEqual({
      error: 'no enclosing diversion, do you mean to specify option `-t\' as "sock"?',
      status: 66,
    });
  });

  test("a non-numeric link cannot be parsed, 65 (sic)", () => {
    expect(selectManager({ ptbw_link: "x1" }, undefined, 0)).toEqual({
      error: 'cannot parse x1 "x1" as a number',
      status: 65,
    });
  });

  test("a depth beyond the link is too large, 65", () => {
    expect(selectManager({ ptbw_link: "1", ptbw_1: A }, undefined, 3)).toEqual({
      error: "requested depth of -3 is too large for current stack of 1",
      status: 65,
    });
  });

  test("a level missing from the environment: deversion K (sic), 65", () => {
    expect(selectManager({ ptbw_link: "2", ptbw_2: B }, undefined, 1)).toEqual({
      error: "deversion 1: No such file or directory",
      status: 65,
    });
  });

  test("depth equal to the link selects the honoured ptbw_0", () => {
    expect(selectManager({ ptbw_link: "1", ptbw_1: A, ptbw_0: Z }, undefined, 1)).toEqual({ socket: Z });
    expect(selectManager({ ptbw_link: "1", ptbw_1: A }, undefined, 1)).toEqual({
      error: "deversion 0: No such file or directory",
      status: 65,
    });
  });

  test("ptbw_d never selects a manager by itself", () => {
    expect(selectManager({ ptbw_link: "1", ptbw_1: A, ptbw_d: D }, undefined, 0)).toEqual({ socket: A });
  });
});

describe("managerLevel (§3.2 step 4)", () => {
  test("one more than the numeric link, else 1", () => {
    expect(managerLevel({})).toBe(1);
    expect(managerLevel({ ptbw_link: "1" })).toBe(2);
    expect(managerLevel({ ptbw_link: "41" })).toBe(42);
    expect(managerLevel({ ptbw_link: "junk" })).toBe(1);
    expect(managerLevel({ ptbw_link: "" })).toBe(1);
  });
});

describe("publish (§3.1, §3.2 step 4)", () => {
  test("sets ptbw_<L> and ptbw_link, keeping the outer levels", () => {
    expect(publish({ ptbw_link: "1", ptbw_1: A }, B, 2, false)).toEqual({ ptbw_link: "2", ptbw_1: A, ptbw_2: B });
  });

  test("PTBW becomes PTBW_<L>", () => {
    expect(publish({ PTBW: "-R3", PTBW_1: "-R2" }, A, 1, false)).toEqual({
      PTBW_1: "-R2",
      PTBW: "-R2",
      ptbw_1: A,
      ptbw_link: "1",
    });
  });

  test("PTBW is unset when PTBW_<L> is", () => {
    const env = publish({ PTBW: "-R3", PTBW_2: "-R9" }, A, 1, false);
    expect("PTBW" in env).toBe(false);
    expect(env.PTBW_2).toBe("-R9");
  });

  test("a detached manager only sets ptbw_d, and L still picks PTBW_<L>", () => {
    expect(publish({ ptbw_link: "1", ptbw_1: A, ptbw_d: "old", PTBW_2: "-A" }, D, 2, true)).toEqual({
      ptbw_link: "1",
      ptbw_1: A,
      ptbw_d: D,
      PTBW_2: "-A",
      PTBW: "-A",
    });
  });

  test("the caller's environment is not changed", () => {
    const env: Env = { PTBW: "-R3", ptbw_link: "1", ptbw_1: A };
    const copy = { ...env };
    publish(env, B, 2, false);
    expect(env).toEqual(copy);
  });

  test("a published level is what the next client selects", () => {
    fc.assert(
      fc.property(fc.nat(5), fc.string({ minLength: 1, maxLength: 10 }), (outer, sock) => {
        const env: Env = outer === 0 ? {} : { ptbw_link: String(outer) };
        const level = managerLevel(env);
        expect(level).toBe(outer + 1);
        expect(selectManager(publish(env, sock, level, false), undefined, 0)).toEqual({ socket: sock });
      }),
      { numRuns: 100 },
    );
  });
});

describe("versionTrace (§2.5)", () => {
  test("no environment: no current diversions", () => {
    expect(versionTrace({}, input())).toEqual({
      warning: undefined,
      tags: "1",
      trace: ["ptbw: no current diversions"],
    });
  });

  test("a two-level stack marks the innermost at depth 0", () => {
    expect(trace(twoLevels)).toEqual([`ptbw:  2: ${B} [target]`, `ptbw:  1: ${A}`]);
    expect(versionTrace(twoLevels, input()).tags).toBe("2");
  });

  test("a two-level stack marks the outer one at depth 1", () => {
    expect(trace(twoLevels, { depth: 1 })).toEqual([`ptbw:  2: ${B}`, `ptbw:  1: ${A} [target]`]);
  });

  test("a detached manager comes first", () => {
    expect(trace({ ...twoLevels, ptbw_d: D })).toEqual([`ptbw:  d: ${D}`, `ptbw:  2: ${B} [target]`, `ptbw:  1: ${A}`]);
  });

  test("a detached manager alone: its line, then no current diversions", () => {
    expect(trace({ ptbw_d: D })).toEqual([`ptbw:  d: ${D}`, "ptbw: no current diversions"]);
  });

  test("ptbw_0 comes last and can be the target", () => {
    const env = { ptbw_link: "1", ptbw_1: A, ptbw_0: Z };
    expect(trace(env)).toEqual([`ptbw:  1: ${A} [target]`, `ptbw:  0: ${Z}`]);
    expect(trace(env, { depth: 1 })).toEqual([`ptbw:  1: ${A}`, `ptbw:  0: ${Z} [target]`]);
  });

  test("a level missing from the environment says so", () => {
    expect(trace({ ptbw_link: "2", ptbw_2: B })).toEqual([
      `ptbw:  2: ${B} [target]`,
      "ptbw:  1: missing from our environment",
    ]);
  });

  test("an lstat failure shows stat, the path and the error", () => {
    expect(trace(twoLevels, { depth: 1 }, { [A]: "No such file or directory" })).toEqual([
      `ptbw:  2: ${B}`,
      `ptbw:  1: stat: ${A}: No such file or directory [target]`,
    ]);
  });

  test("-t matching a level marks it [-t]", () => {
    expect(trace(twoLevels, { tags: A })).toEqual([`ptbw:  2: ${B} [target]`, `ptbw:  1: ${A} [-t]`]);
    expect(trace(twoLevels, { tags: B })).toEqual([`ptbw:  2: ${B} [target] [-t]`, `ptbw:  1: ${A}`]);
  });

  test("-t matching no level adds a last -t line", () => {
    expect(trace(twoLevels, { tags: "/x" })).toEqual([
      `ptbw:  2: ${B} [target]`,
      `ptbw:  1: ${A}`,
      "ptbw: -t: /x [-t]",
    ]);
  });

  test("-t with no diversion at all is the target", () => {
    expect(trace({}, { tags: "/x" })).toEqual(["ptbw: -t: /x [target] [-t]"]);
  });

  test("a depth too great for the stack says so", () => {
    expect(trace({ ptbw_link: "1", ptbw_1: A }, { depth: 3 })).toEqual([
      `ptbw:  1: ${A}`,
      "ptbw: depth -3 is too great for current stack of 1",
    ]);
    expect(trace({}, { depth: 2 })).toEqual(["ptbw: depth -2 is too great for current stack of 0"]);
  });

  test("a non-numeric link warns and sets the width from its length", () => {
    const r = versionTrace({ ptbw_link: "abc", ptbw_d: D }, input());
    expect(r.warning).toBe('ptbw: cannot parse level string "abc"');
    expect(r.tags).toBe("abc");
    expect(r.trace).toEqual([`ptbw:    d: ${D}`, "ptbw: no current diversions"]);
  });

  test("the width is strlen($ptbw_link)+2", () => {
    const env: Env = { ptbw_link: "10" };
    for (let i = 1; i <= 10; i++) env[`ptbw_${i}`] = `/s${i}`;
    const lines = trace(env);
    expect(lines[0]).toBe("ptbw:  10: /s10 [target]");
    expect(lines[9]).toBe("ptbw:   1: /s1");
  });

  test("the invoked name prefixes every line", () => {
    expect(versionTrace(twoLevels, input({ prog: "foo" })).trace.every((l) => l.startsWith("foo:"))).toBe(true);
  });

  test("exactly one line is the target for any reachable depth", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.nat(6),
        fc.boolean(),
        fc.boolean(),
        (top, depth, zero, detached) => {
          fc.pre(depth < top || (depth === top && zero));
          const env: Env = { ptbw_link: String(top) };
          for (let i = 1; i <= top; i++) env[`ptbw_${i}`] = `/s${i}`;
          if (zero) env.ptbw_0 = "/s0";
          if (detached) env.ptbw_d = "/sd";
          const lines = trace(env, { depth });
          expect(lines.filter((l) => l.endsWith(" [target]"))).toEqual([
            `ptbw:${String(top - depth).padStart(String(top).length + 2)}: /s${top - depth} [target]`,
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("versionText (§2.5)", () => {
  test("outside any manager: the 7 lines of acceptance case 3", () => {
    expect(versionText({}, input(), "Bun", 2)).toBe(
      [
        "ptbw: ptbw 1.0.0 (Bun)",
        "ptbw: default number of tokens: 4",
        'ptbw: environment prefix "ptbw"',
        'ptbw: environment tags: "link", "list", "d", "1"',
        "ptbw: protocol version 0.4",
        "ptbw: safe directory template: ptbdXXXXXX",
        "ptbw: no current diversions",
        "",
      ].join("\n"),
    );
  });

  test("the cannot-parse warning comes after line 2", () => {
    const lines = versionText({ ptbw_link: "x" }, input(), "Bun", 8).split("\n");
    expect(lines[1]).toBe("ptbw: default number of tokens: 15");
    expect(lines[2]).toBe('ptbw: cannot parse level string "x"');
    expect(lines[4]).toBe('ptbw: environment tags: "link", "list", "d", "x"');
  });
});

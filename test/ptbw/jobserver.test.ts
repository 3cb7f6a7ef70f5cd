/**
 * The make jobserver bridge (spec §8.5) when make's recipes are ptbw
 * clients: how a client recognises a recipe of its manager's make
 * (lib/ptbw/makeflags.ts, the `K` reply), and GNU make driving dist/ptbw
 * with recipes that are clients, at several pool sizes. Concurrency is
 * counted with marker directories, never timed.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRecipeOf, jobserverAuth, makeLevel, recipeJobserver, utilityMakeflags } from "../../lib/ptbw/makeflags.ts";
import { parseJobserver, reply } from "../../lib/ptbw/protocol.ts";
import { waitForSocket } from "../helpers/net.ts";
import { background, sh } from "../helpers/process.ts";
import { connect, type World, world } from "./world.ts";

describe("recognising a recipe of the manager's make", () => {
  test("the utility's MAKEFLAGS adds -j and the auth to the old value", () => {
    expect(utilityMakeflags(undefined, 3, "3,4")).toBe("-j3 --jobserver-auth=3,4");
    expect(utilityMakeflags("-k", 8, "fifo:/t/jobserver")).toBe("-k -j8 --jobserver-auth=fifo:/t/jobserver");
  });

  test("the last --jobserver-auth counts, and nothing after a lone --", () => {
    expect(jobserverAuth(" -j3 --jobserver-auth=3,4")).toBe("3,4");
    expect(jobserverAuth("k -j2 --jobserver-auth=5,6 --jobserver-auth=fifo:/a")).toBe("fifo:/a");
    expect(jobserverAuth("-j2 --jobserver-auth=3,4 -- X=--jobserver-auth=7,8")).toBe("3,4");
    expect(jobserverAuth("-k")).toBeUndefined();
    expect(jobserverAuth(undefined)).toBeUndefined();
  });

  test("MAKELEVEL reads like atoi", () => {
    expect([makeLevel("2"), makeLevel(" 3"), makeLevel("x"), makeLevel("-1"), makeLevel(undefined)])
      .toEqual([2, 3, 0, 0, 0]);
  });

  test("a recipe runs deeper than the utility under the same jobserver", () => {
    const exported = { level: 0, auth: "3,4" };
    const recipe = recipeJobserver({ MAKEFLAGS: " -j3 --jobserver-auth=3,4", MAKELEVEL: "1" })!;
    expect(recipe).toEqual({ level: 1, auth: "3,4" });
    expect(isRecipeOf(recipe, exported)).toBe(true);
    // A sub-make's recipe ($(MAKE) shares the jobserver) is one too.
    expect(isRecipeOf({ level: 2, auth: "3,4" }, exported)).toBe(true);
    // The utility itself and what it starts directly (no make level added) are not.
    expect(recipeJobserver({ MAKEFLAGS: "-j3 --jobserver-auth=3,4" })).toBeUndefined();
    expect(isRecipeOf({ level: 1, auth: "3,4" }, { level: 1, auth: "3,4" })).toBe(false);
    // Another make's jobserver is not ours.
    expect(isRecipeOf({ level: 1, auth: "fifo:/tmp/GMfifo1" }, { level: 0, auth: "fifo:/t/jobserver" })).toBe(false);
  });

  test("the K reply round-trips; -No is no jobserver", () => {
    const js = { level: 2, auth: "fifo:/tmp/ptbdAb12Cd/jobserver" };
    const line = new TextDecoder().decode(reply.jobserver(js));
    expect(line).toBe("2 fifo:/tmp/ptbdAb12Cd/jobserver\n");
    expect(parseJobserver(line.slice(0, -1))).toEqual(js);
    expect(parseJobserver("-No")).toBeNull();
    expect(parseJobserver("0")).toBeNull();
  });
});

describe("K on the wire", () => {
  test("a manager tells the level its utility runs at and the auth make gets; without --jobserver, -No", async () => {
    const w = world();
    const S = join(w.T, "js.sock");
    const m = background([w.ptbw, "-m", "--jobserver=fifo", "-N", S, ":"], { env: { ...w.env, MAKELEVEL: "2" } });
    await waitForSocket(S);
    const c = await connect(S, 4242);
    expect(await c.ask("K")).toMatch(new RegExp(`^2 fifo:${w.tmp}/ptbd[A-Za-z0-9]{6}/jobserver\n$`));
    expect(await c.ask("Q")).toBe("1\n");
    c.close();
    expect((await m.exited).code).toBe(0);

    const plain = background([w.ptbw, "-m", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    const d = await connect(S, 4242);
    expect(await d.ask("K")).toBe("-No\n");
    expect(await d.ask("Q")).toBe("1\n");
    d.close();
    expect((await plain.exited).code).toBe(0);
    expect(readdirSync(w.tmp)).toEqual([]);
  });
});

const makeVersion = (await sh("make --version | head -1")).stdout;
const [, major, minor] = /(\d+)\.(\d+)/.exec(makeVersion) ?? [];
/** make 4.4 and later understand --jobserver-auth=fifo:PATH. */
const FIFO_MAKE = Number(major) * 100 + Number(minor) >= 404;

/**
 * Nine independent targets. Each recipe marks itself running in R/ and its
 * client in C/, logging how many run at that moment to `recipes` and
 * `clients`. With PAIR=yes the clients of t1 and t2 (make starts them
 * first) wait, at most 10 s, until both run, so that parallel pools show
 * parallelism however busy the machine is.
 */
const MAKEFILE = [
  "TARGETS = t1 t2 t3 t4 t5 t6 t7 t8 t9",
  "all: $(TARGETS)",
  "$(TARGETS):",
  '\t@mkdir R/$@; ls R | wc -l >>recipes; ptbw -R$(R) "$$T/work" $@; s=$$?; rmdir R/$@; exit $$s',
  ".PHONY: all $(TARGETS)",
  "",
].join("\n");

const WORK = [
  "#!/bin/sh",
  'mkdir "C/$1" || exit 1',
  'case "$PAIR$1" in',
  "yest1 | yest2)",
  "  n=0",
  "  until [ -d C/t1 ] && [ -d C/t2 ] || [ $n -ge 200 ]; do sleep 0.05; n=$((n + 1)); done",
  "  ;;",
  "esac",
  "ls C | wc -l >>clients",
  "sleep 0.1",
  'rmdir "C/$1"',
  "",
].join("\n");

/** A world with the Makefile, the client's work script and the marker directories. */
function buildWorld(makefile = MAKEFILE): World {
  const w = world();
  writeFileSync(join(w.T, "Makefile"), makefile);
  writeFileSync(join(w.T, "work"), WORK);
  chmodSync(join(w.T, "work"), 0o755);
  mkdirSync(join(w.T, "R"));
  mkdirSync(join(w.T, "C"));
  return w;
}

/** The counts logged to `name`, one per start. */
function logged(w: World, name: string): number[] {
  const path = join(w.T, name);
  return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n").map(Number) : [];
}

describe("make's recipes as ptbw clients under --jobserver", () => {
  const styles = FIFO_MAKE ? ["--jobserver", "--jobserver=fifo"] : ["--jobserver"];
  for (const style of styles) {
    for (const jobs of [1, 3, 8]) {
      for (const want of [1, 2]) {
        const most = Math.floor(jobs / want);
        const title = most === 0
          ? `${style} -J${jobs}: a recipe asking -R${want} fails at once with the pool-size error`
          : `${style} -J${jobs}: recipes asking -R${want} all run, at once at most ${jobs} running, ${most} holding tokens`;
        test(title, async () => {
          const w = buildWorld();
          const r = await sh(`ptbw -m -J${jobs} ${style} make -s R=${want}`, {
            env: { ...w.env, PAIR: most >= 2 ? "yes" : "" },
            cwd: w.T,
          });
          if (most === 0) {
            expect(r.code).not.toBe(0);
            expect(r.stderr).toContain(`ptbw: -R ${want}: cannot allocate resources`);
            expect(logged(w, "clients")).toEqual([]);
          } else {
            expect(r.stderr).toBe("");
            expect(r.code).toBe(0);
            expect(logged(w, "clients")).toHaveLength(9);
            expect(Math.max(...logged(w, "recipes"))).toBeLessThanOrEqual(jobs);
            const clients = Math.max(...logged(w, "clients"));
            expect(clients).toBeLessThanOrEqual(most);
            expect(clients).toBeGreaterThanOrEqual(Math.min(most, 2));
          }
          expect(readdirSync(w.tmp)).toEqual([]);
        }, 30_000);
      }
    }
  }

  test("two clients at once in one recipe take turns on its token with -J1, and never exceed J with -J3", async () => {
    const makefile = [
      "TARGETS = t1 t2 t3 t4",
      "all: $(TARGETS)",
      "$(TARGETS):",
      '\t@ptbw "$$T/work" $@a & ptbw "$$T/work" $@b & wait',
      ".PHONY: all $(TARGETS)",
      "",
    ].join("\n");
    for (const jobs of [1, 3]) {
      const w = buildWorld(makefile);
      const r = await sh(`ptbw -m -J${jobs} --jobserver make -s`, { env: w.env, cwd: w.T });
      expect(r.code).toBe(0);
      expect(logged(w, "clients")).toHaveLength(8);
      expect(Math.max(...logged(w, "clients"))).toBeLessThanOrEqual(jobs);
    }
  }, 30_000);

  test("recipes of a recursive make share the jobserver and run with -J1", async () => {
    const makefile = MAKEFILE.replace("all: $(TARGETS)", "all:\n\t+@$(MAKE) -s $(TARGETS)");
    const w = buildWorld(makefile);
    const r = await sh("ptbw -m -J1 --jobserver make -s R=1", { env: w.env, cwd: w.T });
    expect(r.code).toBe(0);
    expect(logged(w, "clients")).toEqual(Array(9).fill(1));
  }, 30_000);
});

/**
 * The multi-call build (`bun scripts/build.ts --multi`): dist/multi/unt and
 * a link per program. Run through a link or as `unt <prog>`, each program
 * must behave exactly as its own executable in dist/.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readlinkSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "./helpers/fs.ts";
import { binary, type Finished, ROOT, run } from "./helpers/process.ts";
import { world } from "./ptbw/world.ts";

const PROGRAMS = readdirSync(join(ROOT, "cmd")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
const UNT = binary("multi/unt");

/** Command lines every program must answer alike, and each program's short jobs. */
const CASES: Record<string, string[][]> = {
  ptbw: [["-m", "-J2", "true"], ["-m", "-J2", "sh", "-c", 'ptbw -R2 sh -c "echo \\$ptbw_list"']],
  pzog: [["-T", "--name", "la", "-j"]],
  psprog: [["-T", "-j"]],
};
const casesOf = (prog: string) => [["-V"], ["--help"], ["--no-such-option"], ...(CASES[prog] ?? [])];

/** Run `argv` in a clean environment whose PATH finds the programs beside `argv[0]` first. */
function runAlone(argv: string[]): Promise<Finished> {
  const { env } = world();
  return run(argv, { env: { ...env, PATH: `${dirname(argv[0]!)}:${env.PATH}` } });
}

/** What a run shows the user: status and both outputs. */
const shown = (r: Finished) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });

describe("the multi-call executable", () => {
  test("has a link named after every program in cmd/, pointing at unt beside it", () => {
    for (const prog of PROGRAMS) expect(readlinkSync(binary(`multi/${prog}`))).toBe("unt");
  });

  for (const prog of PROGRAMS) {
    for (const args of casesOf(prog)) {
      test(`runs \`${prog} ${args.join(" ")}\` through its link and as \`unt ${prog}\` as ${prog}'s own executable does`, async () => {
        const alone = shown(await runAlone([binary(prog), ...args]));
        expect(shown(await runAlone([binary(`multi/${prog}`), ...args]))).toEqual(alone);
        expect(shown(await runAlone([UNT, prog, ...args]))).toEqual(alone);
      });
    }
  }

  test("lists the programs for --help, on stdout, with status 0", async () => {
    const r = await runAlone([UNT, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`PROGRAMS\n${PROGRAMS.map((p) => `    ${p}\n`).join("")}`);
  });

  test("alone, says in one line that a program is missing and lists them, status 64", async () => {
    const r = await runAlone([UNT]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`unt: missing program (${PROGRAMS.join(", ")}) (see unt --help)\n`);
  });

  test("refuses an unknown program in one line listing the programs, status 64", async () => {
    const r = await runAlone([UNT, "nosuch", "-V"]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`unt: unknown program "nosuch" (${PROGRAMS.join(", ")}) (see unt --help)\n`);
  });

  test("refuses a link whose name is no program in one line listing the programs, status 64", async () => {
    const link = join(tempDir("multi"), "nosuch");
    symlinkSync(UNT, link);
    const r = await runAlone([link, "-V"]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `unt: invoked as "nosuch", which names no program (${PROGRAMS.join(", ")}) (see unt --help)\n`,
    );
  });
});

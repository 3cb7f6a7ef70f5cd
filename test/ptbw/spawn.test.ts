/**
 * Running the utility and the client's command as execvp(3) does (issue 7,
 * item 1): a script without `#!` and a corrupt binary go to /bin/sh; every
 * other exec failure is one line, `ptbw: execvp: <word>: <strerror>`, exit
 * 71, from the manager and from the client alike — never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { strerror } from "../../lib/errno.ts";
import { run, sh } from "../helpers/process.ts";
import { type World, world } from "./world.ts";

describe("the issue's commands", () => {
  test("a script without #! runs under /bin/sh, from a client and as the utility", async () => {
    const w = world();
    const script = "printf 'echo hi\\n' > deploy.sh; chmod +x deploy.sh; ";
    const client = await sh(`${script}ptbw -m -J1 sh -c 'ptbw ./deploy.sh'`, { env: w.env, cwd: w.T });
    expect(client).toMatchObject({ code: 0, stdout: "hi\n", stderr: "" });
    const utility = await sh("ptbw -m ./deploy.sh", { env: w.env, cwd: w.T });
    expect(utility).toMatchObject({ code: 0, stdout: "hi\n", stderr: "" });
    expect(readdirSync(w.tmp)).toEqual([]);
  });

  test("a corrupt binary fails as /bin/sh running it fails", async () => {
    const w = world();
    writeFileSync(join(w.T, "corrupt"), Buffer.from("\x7fELF\x02\x01\x01\x00garbage\n", "latin1"));
    chmodSync(join(w.T, "corrupt"), 0o755);
    const bySh = await run(["/bin/sh", "./corrupt"], { env: w.env, cwd: w.T });
    expect(bySh.code).not.toBe(0);
    for (const command of ["ptbw -m ./corrupt", "ptbw -m -J1 sh -c 'ptbw ./corrupt'"]) {
      const r = await sh(command, { env: w.env, cwd: w.T });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: bySh.code, stderr: bySh.stderr });
    }
  });
});

/** A broken executable in the fixture directory and what running it must give. */
interface Broken {
  what: string;
  /** The command word, as typed. */
  word: string;
  /** The manager's options; default `-J1`. */
  manager?: string[];
  /** Only from a client (its environment is what grows too big). */
  clientOnly?: boolean;
  /** The errno code of the failed exec, or "sh" for a file /bin/sh runs instead. */
  expect: string;
}

const BROKEN: Broken[] = [
  { what: "a script without #!, by path", word: "./plain.sh", expect: "sh" },
  { what: "a script without #!, found in PATH", word: "plain-in-path", expect: "sh" },
  { what: "a corrupt binary", word: "./corrupt", expect: "sh" },
  { what: "a missing file", word: "./missing", expect: "ENOENT" },
  { what: "a name not in PATH", word: "no-such-cmd-unt", expect: "ENOENT" },
  { what: "a file without execute permission", word: "./no-x", expect: "EACCES" },
  { what: "a directory", word: "./subdir", expect: "EACCES" },
  { what: "a path through a regular file", word: "./plain.sh/x", expect: "ENOTDIR" },
  { what: "a script whose interpreter is missing", word: "./bad-interp", expect: "ENOENT" },
  { what: "a binary open for writing", word: "./busy", expect: "ETXTBSY" },
  {
    what: "a token too big for the environment",
    word: "true",
    manager: ["-t", "big"],
    clientOnly: true,
    expect: "E2BIG",
  },
];

let w: World;
let busyFd: number;

beforeAll(() => {
  w = world();
  const at = (name: string) => join(w.T, name);
  writeFileSync(at("plain.sh"), `printf '%s|' "$0" "$@"\n`);
  chmodSync(at("plain.sh"), 0o755);
  mkdirSync(at("bin"));
  copyFileSync(at("plain.sh"), at("bin/plain-in-path"));
  chmodSync(at("bin/plain-in-path"), 0o755);
  w.env.PATH = `${w.env.PATH}:${at("bin")}`;
  writeFileSync(at("corrupt"), Buffer.from("\x7fELF\x02\x01\x01\x00garbage\n", "latin1"));
  chmodSync(at("corrupt"), 0o755);
  writeFileSync(at("no-x"), "#!/bin/sh\n");
  mkdirSync(at("subdir"));
  writeFileSync(at("bad-interp"), "#!/no/such/interpreter\n");
  chmodSync(at("bad-interp"), 0o755);
  copyFileSync("/bin/true", at("busy"));
  chmodSync(at("busy"), 0o755);
  busyFd = openSync(at("busy"), "r+");
  // One 200 KiB token: $ptbw_list alone passes the kernel's 128 KiB limit per string.
  writeFileSync(at("big"), `${"x".repeat(200 * 1024)}\n`);
});

afterAll(() => closeSync(busyFd));

/** What /bin/sh gives for the file execvp hands it. */
async function viaShell(b: Broken, args: string[]) {
  const path = b.word.includes("/") ? b.word : join(w.T, "bin", b.word);
  const r = await run(["/bin/sh", path, ...args], { env: w.env, cwd: w.T });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

describe("a table of broken executables", () => {
  test("each runs under /bin/sh or fails with one execvp line and 71, from manager and client", async () => {
    const cases = fc.record({
      broken: fc.constantFrom(...BROKEN),
      asClient: fc.boolean(),
      args: fc.array(fc.stringMatching(/^[a-z0-9 ]{0,6}$/), { maxLength: 3 }),
    }).filter(({ broken, asClient }) => asClient || !broken.clientOnly);
    await fc.assert(
      fc.asyncProperty(cases, async ({ broken, asClient, args }) => {
        const manager = [w.ptbw, "-m", ...(broken.manager ?? ["-J1"])];
        const argv = asClient ? [...manager, w.ptbw, broken.word, ...args] : [...manager, broken.word, ...args];
        const r = await run(argv, { env: w.env, cwd: w.T });
        const got = { code: r.code, stdout: r.stdout, stderr: r.stderr };
        if (broken.expect === "sh") {
          expect(got).toEqual(await viaShell(broken, args));
        } else {
          expect(got).toEqual({
            code: 71,
            stdout: "",
            stderr: `ptbw: execvp: ${broken.word}: ${strerror(broken.expect)}\n`,
          });
        }
        expect(readdirSync(w.tmp)).toEqual([]);
      }),
      {
        numRuns: 40,
        // Every entry at least once each way, then random picks with random arguments.
        examples: BROKEN.flatMap((broken) =>
          [true, false].filter((asClient) => asClient || !broken.clientOnly).map((asClient) => [
            { broken, asClient, args: ["a", "b c"] },
          ])
        ),
      },
    );
  }, 120_000);
});

/**
 * scripts/install.ts into private prefixes: the tree it lays out, with its
 * modes; man pages that man(1) renders cleanly; units that start what was
 * installed, run as accounts the sysusers.d file creates, and stop
 * restarting only on the statuses their programs' docs give for failures a
 * restart cannot fix; --multi's links, on a hand-made dist/multi; and the
 * npm side: the man page renderer stays out of the programs, and every
 * install script npm runs is approved.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { layoutFor, programDir, SECTIONS } from "../scripts/install.ts";
import { tempDir } from "./helpers/fs.ts";
import { BUN, ROOT, run } from "./helpers/process.ts";

const INSTALL = join(ROOT, "scripts", "install.ts");
const PROGRAMS = readdirSync(join(ROOT, "cmd")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
/** The programs with an operator page: those get a man page (the others a note). */
const DOCUMENTED = PROGRAMS.filter((prog) => existsSync(join(ROOT, "docs", `${prog}.md`)));
/** The programs' units; contrib/systemd/unt-fuzz.* are for a development checkout and are not installed. */
const UNITS = readdirSync(join(ROOT, "contrib", "systemd"))
  .filter((f) => f.endsWith(".service") && PROGRAMS.includes(f.replace(/@?\.service$/, "")))
  .sort();
const SYSUSERS = join(ROOT, "contrib", "sysusers.d", "unix-net-tools.conf");

/**
 * For each program with a unit, the statuses its docs give for failures a
 * restart cannot fix (the operator's command line, configuration or input
 * files, or another live instance holding its lock), each with the words
 * its EXIT STATUS section uses for it.
 */
const PERMANENT: Record<string, Record<number, string>> = {
  ptbw: { 1: "usage error", 65: "tags errors", 66: "a missing tags file" },
  pzog: {
    64: "usage",
    73: "a log or spool directory cannot be created",
    75: "another live pzog holds",
    78: "configuration",
  },
  spreed: { 64: "usage", 65: "bad contents", 66: "a file cannot be read", 78: "inconsistent configuration" },
  burnerd: { 64: "usage", 65: "holds no id", 66: "a missing --iso-dir", 73: "cannot be written" },
  kdosd: {
    64: "usage",
    66: "no root",
    69: "an address in use",
    73: "the window is unusable",
    77: "permission denied",
    78: "configuration",
  },
  standd: {
    64: "usage",
    65: "corrupt journal",
    73: "state directory not writable",
    75: "another standd holds",
    78: "command token file",
  },
};

function install(args: string[]) {
  return run([BUN, INSTALL, ...args], { timeout: 60_000 });
}

/** The values of `key` in a unit file, in order. */
function unitValues(unit: string, key: string): string[] {
  return unit.split("\n").filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
}

/** Every file and symlink under `dir`: its path, and its mode or where it points. */
function tree(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isSymbolicLink()) found.set(relative(dir, path), `-> ${readlinkSync(path)}`);
      else found.set(relative(dir, path), (lstatSync(path).mode & 0o7777).toString(8));
    }
  };
  walk(dir);
  return found;
}

/**
 * A hand-made dist/ as `npm run build` and `bun scripts/build.ts --multi`
 * lay it out: a script per program printing the name it was run by, and
 * multi/unt with a relative link per program to it.
 */
function fakeDist(): string {
  const dist = tempDir("dist");
  mkdirSync(join(dist, "multi"));
  const script = '#!/bin/sh\necho "${0##*/}"\n';
  writeFileSync(join(dist, "multi", "unt"), script, { mode: 0o755 });
  for (const prog of PROGRAMS) {
    writeFileSync(join(dist, prog), script, { mode: 0o755 });
    symlinkSync("unt", join(dist, "multi", prog));
  }
  return dist;
}

/** Whether `command` is on PATH (the systemd checks need systemd's tools). */
function have(command: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir !== "" && existsSync(join(dir, command)));
}

describe("an install of dist/ into a private prefix", () => {
  let prefix = "";
  let installed = new Map<string, string>();
  const layout = () => layoutFor({ prefix });
  beforeAll(async () => {
    prefix = join(tempDir("install"), "usr");
    const r = await install(["--prefix", prefix]);
    const notes = PROGRAMS.filter((prog) => !DOCUMENTED.includes(prog))
      .map((prog) => `install: no docs/${prog}.md, so no man page for ${prog}\n`);
    expect(r.stderr).toBe(notes.join(""));
    expect(r.code).toBe(0);
    installed = tree(prefix);
  });

  test("puts executables in bin/ or sbin/ by man section, pages, docs, units, accounts and logrotate", () => {
    for (
      const path of [
        "bin/ptbw",
        "bin/psprog",
        "sbin/pzog",
        "share/man/man1/ptbw.1",
        "share/man/man1/psprog.1",
        "share/man/man8/pzog.8",
        "sbin/spreed",
        "share/man/man8/spreed.8",
        "share/man/man1/spreed-9p.1",
        "share/doc/unix-net-tools/spreed-9p.md",
        "lib/systemd/system/spreed.service",
        "sbin/kdosd",
        "share/man/man8/kdosd.8",
        "lib/systemd/system/kdosd.service",
        "sbin/burnerd",
        "share/man/man8/burnerd.8",
        "lib/systemd/system/burnerd@.service",
        "share/doc/unix-net-tools/README.md",
        "share/doc/unix-net-tools/ptbw.md",
        "share/doc/unix-net-tools/pzog.md",
        "share/doc/unix-net-tools/psprog.md",
        "lib/systemd/system/ptbw.service",
        "lib/systemd/system/pzog.service",
        "lib/sysusers.d/unix-net-tools.conf",
        "etc/logrotate.d/pzog",
      ]
    ) expect(installed.has(path)).toBe(true);
    for (const prog of PROGRAMS) {
      expect(installed.get(relative(prefix, join(programDir(layout(), prog), prog)))).toBe("755");
    }
    for (const prog of DOCUMENTED) {
      expect(installed.has(`share/man/man${SECTIONS[prog]}/${prog}.${SECTIONS[prog]}`)).toBe(true);
    }
  });

  test("gives executables mode 0755 and everything else 0644, and leaves no temporary file", () => {
    for (const [path, mode] of installed) {
      const executable = /^s?bin\/|\/examples\//.test(path);
      expect(`${path} ${mode}`).toBe(`${path} ${executable ? "755" : "644"}`);
      expect(path).not.toMatch(/\.tmp$/);
    }
  });

  test("installs working programs", async () => {
    for (const prog of PROGRAMS) {
      const r = await run([join(programDir(layout(), prog), prog), "-h"]);
      expect(r.stdout).toContain(prog);
      expect(r.code).toBe(0);
    }
  });

  test("man renders every page at 80 columns, with NAME and SYNOPSIS, without a warning; whatis can read its NAME", async () => {
    for (const prog of DOCUMENTED) {
      const page = join(prefix, "share", "man", `man${SECTIONS[prog]}`, `${prog}.${SECTIONS[prog]}`);
      const r = await run(["man", "--warnings", "-l", page], {
        env: { ...process.env, MANWIDTH: "80", LANG: "C.UTF-8", LC_ALL: undefined },
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith(`${prog.toUpperCase()}(${SECTIONS[prog]})`);
      expect(r.stdout).toMatch(new RegExp(`^NAME\\n {7}${prog} +\\S+ +\\w`, "m"));
      expect(r.stdout).not.toMatch(/&[a-zA-Z]+;|&#\d+;/);
      expect(r.stdout).toMatch(/^SYNOPSIS$/m);
      expect(r.stdout).toMatch(/^EXIT STATUS$/m);
      const whatis = await run(["lexgrog", page]);
      expect(whatis.stdout).toMatch(new RegExp(`: "${prog} - \\w`));
    }
  });

  test("the installed units start the installed executables and name installed docs", () => {
    for (const name of UNITS) {
      const unit = readFileSync(join(layout().systemdDir, name), "utf8");
      const prog = name.replace(/@?\.service$/, "");
      expect(unitValues(unit, "ExecStart")[0]!.split(" ")[0]).toBe(join(programDir(layout(), prog), prog));
      for (const doc of unitValues(unit, "Documentation").join(" ").split(" ")) {
        const man = /^man:(.+)\((\d)\)$/.exec(doc);
        const path = man ? join(layout().mandir, `man${man[2]}`, `${man[1]}.${man[2]}`) : doc.replace(/^file:/, "");
        expect(existsSync(path)).toBe(true);
      }
    }
  });

  test.skipIf(!have("systemd-analyze"))("systemd-analyze verify accepts the installed units", async () => {
    const units = UNITS.map((name) => join(layout().systemdDir, name));
    const r = await run(["systemd-analyze", "verify", ...units], {
      env: { ...process.env, MANPATH: layout().mandir },
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("staging with --destdir", () => {
  test("--multi installs unt and a relative link per program, which runs as that program", async () => {
    const destdir = tempDir("stage");
    const r = await install(["--multi", "--dist", fakeDist(), "--destdir", destdir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const layout = layoutFor({ prefix: "/usr/local" });
    const staged = tree(join(destdir, "usr", "local"));
    expect(staged.get("bin/unt")).toBe("755");
    for (const prog of PROGRAMS) {
      const link = join(programDir(layout, prog), prog);
      expect(staged.get(relative("/usr/local", link))).toBe(`-> ${SECTIONS[prog] === 8 ? "../bin/unt" : "unt"}`);
      expect((await run([join(destdir, link)])).stdout).toBe(`${prog}\n`);
    }
  });

  test("the real multi-call build installs and runs as each program through its link", async () => {
    const destdir = tempDir("stage");
    const r = await install(["--multi", "--destdir", destdir]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const layout = layoutFor({ prefix: "/usr/local" });
    for (const prog of PROGRAMS) {
      // Relative links: the staged tree runs where it stands.
      const version = await run([join(destdir, programDir(layout, prog), prog), "-V"]);
      expect([version.code, version.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^${prog}[: ]`))]);
    }
  });

  test("at the default prefix the units are contrib's as they are, and logrotate's snippet goes to /etc", async () => {
    const destdir = tempDir("stage");
    expect((await install(["--dist", fakeDist(), "--destdir", destdir])).code).toBe(0);
    for (const name of UNITS) {
      const staged = readFileSync(join(destdir, "usr", "local", "lib", "systemd", "system", name), "utf8");
      expect(staged).toBe(readFileSync(join(ROOT, "contrib", "systemd", name), "utf8"));
    }
    expect(readFileSync(join(destdir, "etc", "logrotate.d", "pzog"), "utf8")).toBe(
      readFileSync(join(ROOT, "contrib", "logrotate.pzog"), "utf8"),
    );
  });

  test("installing again replaces files and links in place: one binary each, then --multi, then one each", async () => {
    const destdir = tempDir("stage");
    const dist = fakeDist();
    const ptbw = join(destdir, "usr", "local", "bin", "ptbw");
    const unt = join(destdir, "usr", "local", "bin", "unt");
    for (const [args, link] of [[[], false], [["--multi"], true], [[], false]] as const) {
      const r = await install([...args, "--dist", dist, "--destdir", destdir]);
      expect(r.code).toBe(0);
      expect(lstatSync(ptbw).isSymbolicLink()).toBe(link);
      // One binary each leaves no multi-call executable that nothing links to.
      expect(existsSync(unt)).toBe(link);
    }
    expect([...tree(destdir).keys()].filter((path) => path.includes(".tmp"))).toEqual([]);
  });

  test("a program not built stops the install before it writes anything (exit 66)", async () => {
    const dist = fakeDist();
    const destdir = join(tempDir("stage"), "root");
    const missing = PROGRAMS[0]!;
    rmSync(join(dist, missing));
    const r = await install(["--dist", dist, "--destdir", destdir]);
    expect(r.stderr).toBe(`install: ${join(dist, missing)} is missing: run \`npm run build\` first\n`);
    expect(r.code).toBe(66);
    expect(existsSync(destdir)).toBe(false);
  });

  test("--multi without the multi-call build says how to make it (exit 66)", async () => {
    const r = await install(["--multi", "--dist", tempDir("dist"), "--destdir", tempDir("stage")]);
    expect(r.stderr).toMatch(/^install: .*multi\/unt is missing: run `bun scripts\/build\.ts --multi` first\n$/);
    expect(r.code).toBe(66);
  });

  test("a relative --prefix is a usage error (exit 64)", async () => {
    const r = await install(["--prefix", "usr/local", "--destdir", tempDir("stage")]);
    expect(r.stderr).toBe("install: --prefix usr/local: must be an absolute path (see install --help)\n");
    expect(r.code).toBe(64);
  });
});

describe("what the units and pages agree on", () => {
  test("every program has a man section, and its docs page's title says the same", () => {
    for (const prog of PROGRAMS) expect(SECTIONS[prog]).toBeDefined();
    for (const prog of DOCUMENTED) {
      const title = readFileSync(join(ROOT, "docs", `${prog}.md`), "utf8").split("\n")[0];
      expect(title).toStartWith(`# ${prog}(${SECTIONS[prog]}) `);
    }
  });

  test("contrib's units start the programs where the default prefix installs them", () => {
    const layout = layoutFor({ prefix: "/usr/local" });
    for (const name of UNITS) {
      const prog = name.replace(/@?\.service$/, "");
      const unit = readFileSync(join(ROOT, "contrib", "systemd", name), "utf8");
      expect(unitValues(unit, "ExecStart")[0]!.split(" ")[0]).toBe(join(programDir(layout, prog), prog));
    }
  });

  test("the sysusers.d file creates every User= and Group= a unit runs as", () => {
    const accounts = new Set(
      readFileSync(SYSUSERS, "utf8").split("\n").filter((line) => /^[ug]\s/.test(line)).map((line) =>
        line.split(/\s+/)[1]
      ),
    );
    for (const name of UNITS) {
      const unit = readFileSync(join(ROOT, "contrib", "systemd", name), "utf8");
      for (const account of [...unitValues(unit, "User"), ...unitValues(unit, "Group")]) {
        expect(`${name}: ${account} ${accounts.has(account) ? "created" : "missing"}`).toBe(
          `${name}: ${account} created`,
        );
      }
    }
  });

  test.skipIf(!have("systemd-sysusers"))("systemd-sysusers accepts the sysusers.d file", async () => {
    const root = tempDir("sysusers");
    const r = await run(["systemd-sysusers", `--root=${root}`, "--dry-run", SYSUSERS]);
    expect(r.code).toBe(0);
    for (const account of ["ptbw", "pzog", "spreed", "kdosd", "standd"]) {
      expect(r.stdout + r.stderr).toContain(`Creating user '${account}'`);
    }
  });

  test("each unit stops restarting on exactly the statuses its docs give for failures a restart cannot fix", () => {
    for (const name of UNITS) {
      // A template unit (burnerd@.service) is its program's.
      const prog = name.replace(/@?\.service$/, "");
      const permanent = PERMANENT[prog];
      expect(permanent).toBeDefined();
      const doc = readFileSync(join(ROOT, "docs", `${prog}.md`), "utf8");
      const section = /^## EXIT STATUS\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1] ?? "";
      // One clause per table row or per `;`-separated phrase of prose.
      const clauses = section.replace(/\n(?!\|)/g, " ").split(/[;\n]/);
      for (const [status, words] of Object.entries(permanent!)) {
        const clause = clauses.find((c) => c.includes(words)) ?? `"${words}" not in docs/${prog}.md`;
        expect(clause).toMatch(new RegExp(`\\b${status}\\b`));
      }
      const unit = readFileSync(join(ROOT, "contrib", "systemd", name), "utf8");
      const prevented = unitValues(unit, "RestartPreventExitStatus").join(" ").split(/\s+/).map(Number);
      expect(prevented.sort((a, b) => a - b)).toEqual(Object.keys(permanent!).map(Number));
    }
  });
});

describe("npm", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

  test("the man page renderer is a dev dependency that no program imports", async () => {
    for (const name of ["marked", "marked-man"]) {
      expect(pkg.devDependencies[name]).toBeDefined();
      expect(pkg.dependencies[name]).toBeUndefined();
    }
    const r = await run(["grep", "-rlE", `from "marked(-man)?"`, "cmd", "lib", "hw"], { cwd: ROOT });
    expect(r.stdout).toBe("");
  });

  test("every dependency with an install script is approved in allowScripts", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
    const scripted = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ""))
      .sort();
    expect(scripted).toEqual(Object.keys(pkg.allowScripts).filter((name) => pkg.allowScripts[name]).sort());
  });
});

/**
 * Install the built programs like a Unix tool: the executables, a man page
 * per program made from its docs/ page, the systemd units, a sysusers.d
 * file for the units' service accounts, the logrotate snippets and the docs.
 *
 * Layout (PREFIX defaults to /usr/local; every directory has an option):
 *
 * | what | where |
 * |---|---|
 * | user commands (man section 1) | PREFIX/bin/ |
 * | daemons (section 8) | PREFIX/sbin/ |
 * | with --multi: `unt`, and a relative symlink per program to it (an install without --multi removes `unt`) | PREFIX/bin/unt |
 * | man pages | PREFIX/share/man/man1/, man8/ |
 * | docs/<prog>.md, README.md, examples/ | PREFIX/share/doc/unix-net-tools/ |
 * | contrib/systemd/<prog>.service | PREFIX/lib/systemd/system/ (--systemd-dir) |
 * | contrib/sysusers.d/unix-net-tools.conf | PREFIX/lib/sysusers.d/ (--sysusers-dir) |
 * | contrib/logrotate.<prog> as <prog> | SYSCONFDIR/logrotate.d/ |
 *
 * SYSCONFDIR is /etc for the system prefixes /usr and /usr/local (logrotate
 * reads only /etc/logrotate.d), PREFIX/etc for any other. The units name
 * their executables and docs under /usr/local; installed elsewhere, that
 * prefix is replaced by PREFIX. --destdir stages the tree under a directory
 * (as DESTDIR does for `make install`) without changing the paths written
 * into the files. Files are replaced atomically (write, then rename), mode
 * 0755 for executables and 0644 for the rest, whatever the caller's umask.
 *
 * Usage: bun scripts/install.ts [--prefix DIR] [--destdir DIR] [--multi] [options]
 *
 * @module
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineGnuCommand, type OptionsDef, UsageError } from "../lib/cli.ts";
import { describeError } from "../lib/errno.ts";
import { EX, Fatal } from "../lib/exit.ts";
import { createLog } from "../lib/log.ts";
import { runProgram } from "../lib/main.ts";
import { replaceFile } from "../lib/runtime/atomic-file.ts";
import { manPage } from "./man-page.ts";

/**
 * The man section of every program of the suite, planned ones included:
 * 1 for a user command, installed in bin/; 8 for a daemon, in sbin/ (as
 * FHS and Debian place them). Adding a program is one line here; programs
 * not yet in cmd/ are skipped.
 *
 * @example
 * ```ts
 * SECTIONS.pzog; // 8
 * ```
 */
export const SECTIONS: Readonly<Record<string, 1 | 8>> = {
  ptbw: 1,
  psprog: 1,
  pzog: 8,
  spreed: 8,
  kdosd: 8,
  standd: 8,
  burnerd: 8,
};

/** The package's name in the shared directories (docs, sysusers.d). */
const PACKAGE = "unix-net-tools";

/** The prefix the contrib/ files name; installing elsewhere rewrites it. */
const DEFAULT_PREFIX = "/usr/local";

/** The repository root. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Where things go, as the installed system sees them (without DESTDIR).
 *
 * @example
 * ```ts
 * layoutFor({ prefix: "/usr" }).sysconfdir; // "/etc"
 * ```
 */
export interface Layout {
  prefix: string;
  bindir: string;
  sbindir: string;
  mandir: string;
  docdir: string;
  systemdDir: string;
  sysusersDir: string;
  sysconfdir: string;
}

/**
 * The layout for `prefix` (absolute), with the directories that have options given or not.
 *
 * @example
 * ```ts
 * layoutFor({ prefix: "/opt/unt", systemdDir: "/etc/systemd/system" }).sbindir; // "/opt/unt/sbin"
 * ```
 */
export function layoutFor(
  dirs: { prefix: string } & Partial<Pick<Layout, "sysconfdir" | "systemdDir" | "sysusersDir">>,
): Layout {
  const { prefix } = dirs;
  return {
    prefix,
    bindir: join(prefix, "bin"),
    sbindir: join(prefix, "sbin"),
    mandir: join(prefix, "share", "man"),
    docdir: join(prefix, "share", "doc", PACKAGE),
    systemdDir: dirs.systemdDir ?? join(prefix, "lib", "systemd", "system"),
    sysusersDir: dirs.sysusersDir ?? join(prefix, "lib", "sysusers.d"),
    sysconfdir: dirs.sysconfdir ?? (prefix === "/usr" || prefix === DEFAULT_PREFIX ? "/etc" : join(prefix, "etc")),
  };
}

/**
 * The directory of `prog`'s executable: sbin/ for a daemon, bin/ otherwise.
 *
 * @example
 * ```ts
 * programDir(layoutFor({ prefix: "/usr/local" }), "pzog"); // "/usr/local/sbin"
 * ```
 */
export function programDir(layout: Layout, prog: string): string {
  return SECTIONS[prog] === 8 ? layout.sbindir : layout.bindir;
}

/** One thing to install: a copy of a file, generated text, or a symlink. */
type Item =
  | { to: string; from: string; mode: number }
  | { to: string; text: string; mode: number }
  | { to: string; link: string };

/** The programs of this tree: cmd/<prog>.ts, each with its man section. */
function programs(): string[] {
  const found = readdirSync(join(ROOT, "cmd")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
  const unlisted = found.filter((prog) => SECTIONS[prog] === undefined);
  if (unlisted.length > 0) {
    throw new Fatal(
      `cmd/${unlisted[0]}.ts has no man section: add a line to SECTIONS in scripts/install.ts`,
      EX.SOFTWARE,
    );
  }
  return found;
}

/** The executables: one per program from `dist`, or `unt` and a link per program with `multi`. */
function executables(progs: readonly string[], layout: Layout, dist: string, multi: boolean): Item[] {
  if (!multi) {
    return progs.map((prog) => {
      const from = join(dist, prog);
      if (!existsSync(from)) throw new Fatal(`${from} is missing: run \`npm run build\` first`, EX.NOINPUT);
      return { to: join(programDir(layout, prog), prog), from, mode: 0o755 };
    });
  }
  const built = join(dist, "multi");
  const rebuild = "run `bun scripts/build.ts --multi` first";
  if (!existsSync(join(built, "unt"))) throw new Fatal(`${join(built, "unt")} is missing: ${rebuild}`, EX.NOINPUT);
  const unt = join(layout.bindir, "unt");
  const items: Item[] = [{ to: unt, from: join(built, "unt"), mode: 0o755 }];
  for (const prog of progs) {
    const link = join(built, prog);
    if (linkTarget(link) !== "unt") throw new Fatal(`${link} is not a link to unt: ${rebuild}`, EX.NOINPUT);
    const dir = programDir(layout, prog);
    items.push({ to: join(dir, prog), link: relative(dir, unt) });
  }
  return items;
}

/** What the symlink at `path` points to, or undefined if it is none. */
function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** When a page was last changed: SOURCE_DATE_EPOCH for reproducible builds, else the file's mtime. */
function pageDate(path: string): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch ? new Date(Number(epoch) * 1000) : statSync(path).mtime;
}

/** Man pages and docs for the programs that have a docs/ page; a note for those without. */
function documentation(progs: readonly string[], layout: Layout, note: (text: string) => void): Item[] {
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
  const items: Item[] = [{ to: join(layout.docdir, "README.md"), from: join(ROOT, "README.md"), mode: 0o644 }];
  for (const prog of progs) {
    const doc = join(ROOT, "docs", `${prog}.md`);
    if (!existsSync(doc)) {
      note(`no docs/${prog}.md, so no man page for ${prog}`);
      continue;
    }
    const source = `${PACKAGE} ${version}`;
    // A sub-command with a page of its own (docs/spreed-9p.md) is a user command, git-style: spreed-9p(1).
    const subPages = readdirSync(join(ROOT, "docs")).filter((f) => f.startsWith(`${prog}-`) && f.endsWith(".md"));
    const pages: [name: string, section: 1 | 8, path: string][] = [
      [prog, SECTIONS[prog]!, doc],
      ...subPages.map((f): [string, 1, string] => [f.slice(0, -3), 1, join(ROOT, "docs", f)]),
    ];
    for (const [name, section, path] of pages) {
      const text = manPage(readFileSync(path, "utf8"), { name, section, source, date: pageDate(path) });
      items.push(
        { to: join(layout.mandir, `man${section}`, `${name}.${section}`), text, mode: 0o644 },
        { to: join(layout.docdir, `${name}.md`), from: path, mode: 0o644 },
      );
    }
  }
  return items;
}

/** Units (their /usr/local paths moved to the prefix), the sysusers.d file, logrotate snippets. */
function integration(progs: readonly string[], layout: Layout): Item[] {
  const items: Item[] = [];
  const contrib = join(ROOT, "contrib");
  for (const prog of progs) {
    // A daemon with one instance per device has a template unit instead (burnerd@.service).
    for (const name of [`${prog}.service`, `${prog}@.service`]) {
      const unit = join(contrib, "systemd", name);
      if (!existsSync(unit)) continue;
      const text = readFileSync(unit, "utf8").replace(/\/usr\/local(\/\S*)/g, (_, rest) => join(layout.prefix, rest));
      items.push({ to: join(layout.systemdDir, name), text, mode: 0o644 });
    }
    const rotate = join(contrib, `logrotate.${prog}`);
    if (existsSync(rotate)) items.push({ to: join(layout.sysconfdir, "logrotate.d", prog), from: rotate, mode: 0o644 });
  }
  if (items.some((item) => item.to.endsWith(".service"))) {
    const accounts = join(contrib, "sysusers.d", `${PACKAGE}.conf`);
    items.push({ to: join(layout.sysusersDir, `${PACKAGE}.conf`), from: accounts, mode: 0o644 });
  }
  return items;
}

/** contrib/pzog-testring, when present, as an example script. */
function examples(layout: Layout): Item[] {
  const testring = join(ROOT, "contrib", "pzog-testring");
  if (!existsSync(testring)) return [];
  return [{ to: join(layout.docdir, "examples", "pzog-testring"), from: testring, mode: 0o755 }];
}

/** Put `item` under `destdir`, replacing what is there in one rename. */
function put(destdir: string, item: Item): void {
  const path = join(destdir, item.to);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    if ("link" in item) {
      const partial = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      rmSync(partial, { force: true });
      symlinkSync(item.link, partial);
      renameSync(partial, path);
    } else {
      replaceFile(path, "text" in item ? item.text : readFileSync(item.from), { mode: item.mode });
    }
  } catch (err) {
    throw new Fatal(`cannot install ${path}: ${describeError(err)}`, EX.CANTCREAT);
  }
}

const ARGS = {
  prefix: { type: "string", default: DEFAULT_PREFIX, valueHint: "DIR", description: "install under DIR" },
  destdir: { type: "string", default: "/", valueHint: "DIR", description: "stage the whole tree under DIR" },
  sysconfdir: { type: "string", valueHint: "DIR", description: "logrotate.d/ goes here (see DESCRIPTION)" },
  "systemd-dir": { type: "string", valueHint: "DIR", description: "units (default PREFIX/lib/systemd/system)" },
  "sysusers-dir": { type: "string", valueHint: "DIR", description: "sysusers.d file (default PREFIX/lib/sysusers.d)" },
  dist: { type: "string", valueHint: "DIR", description: "the built executables (default dist/)" },
  multi: { type: "boolean", description: "install dist/multi/unt and a symlink per program to it" },
} as const satisfies OptionsDef;

/** A directory option: absolute, or a usage error. */
function absolute(option: string, dir: string | undefined): string | undefined {
  if (dir !== undefined && !isAbsolute(dir)) throw new UsageError(`--${option} ${dir}: must be an absolute path`);
  return dir === undefined ? undefined : resolve(dir);
}

const install = defineGnuCommand({
  meta: { name: "install", description: "install the built programs, man pages, units and docs" },
  manual: {
    synopsis: ["[--prefix DIR] [--destdir DIR] [--multi] [--sysconfdir DIR] [--systemd-dir DIR] [--sysusers-dir DIR]"],
    description: "Executables go to PREFIX/bin (user commands) or PREFIX/sbin (daemons), man pages to " +
      "PREFIX/share/man, docs to PREFIX/share/doc/unix-net-tools, units to PREFIX/lib/systemd/system, the " +
      "service accounts to PREFIX/lib/sysusers.d, logrotate snippets to SYSCONFDIR/logrotate.d. SYSCONFDIR " +
      "is /etc for the prefixes /usr and /usr/local, PREFIX/etc otherwise.",
    sections: [[
      "EXIT STATUS",
      "0 installed; 64 usage; 66 a program is not built; 70 a program in cmd/ has no line in SECTIONS " +
      "(scripts/install.ts); 73 a file cannot be written.",
    ]],
  },
  args: ARGS,
  run({ args }) {
    const log = createLog("install");
    const layout = layoutFor({
      prefix: absolute("prefix", args.prefix)!,
      sysconfdir: absolute("sysconfdir", args.sysconfdir),
      systemdDir: absolute("systemd-dir", args["systemd-dir"]),
      sysusersDir: absolute("sysusers-dir", args["sysusers-dir"]),
    });
    const progs = programs();
    const items = [
      ...executables(progs, layout, resolve(args.dist ?? join(ROOT, "dist")), args.multi),
      ...documentation(progs, layout, (text) => log.warn(text)),
      ...integration(progs, layout),
      ...examples(layout),
    ];
    // The exact modes asked for, whatever umask the caller runs with.
    process.umask(0o022);
    const destdir = resolve(args.destdir);
    for (const item of items) put(destdir, item);
    // Back from --multi: the programs are files again, and unt is ours.
    if (!args.multi) rmSync(join(destdir, layout.bindir, "unt"), { force: true });
    return EX.OK;
  },
});

if (import.meta.main) runProgram(install);

/**
 * The rules the tree keeps (docs/ARCHITECTURE.md), checked on the source:
 * runtime differences in one place, one way out, one signal hook, and
 * protocol code free of IO.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** Every .ts file under `dirs`, as paths relative to the root. */
function sources(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) out.push(path);
    }
  };
  for (const dir of dirs) walk(dir);
  return out.sort();
}

/** `file:line: text` for each code line (comments left out) of `files` matching `pattern`. */
function codeLines(files: string[], pattern: RegExp): string[] {
  const hits: string[] = [];
  for (const file of files) {
    let inComment = false;
    readFileSync(join(ROOT, file), "utf8").split("\n").forEach((line, i) => {
      const text = line.trim();
      if (text.startsWith("/*")) inComment = true;
      const comment = inComment || text.startsWith("//");
      if (text.includes("*/")) inComment = false;
      if (!comment && pattern.test(line)) hits.push(`${relative(ROOT, join(ROOT, file))}:${i + 1}: ${text}`);
    });
  }
  return hits;
}

const PROGRAM_CODE = sources("cmd", "lib", "hw");

describe("the tree's rules", () => {
  test("only lib/runtime/ names Bun or Deno", () => {
    const outside = PROGRAM_CODE.filter((f) => !f.startsWith("lib/runtime/"));
    expect(codeLines(outside, /\b(Bun|Deno)\b/)).toEqual([]);
  });

  test("only lib/main.ts calls process.exit", () => {
    const others = PROGRAM_CODE.filter((f) => f !== "lib/main.ts");
    expect(codeLines(others, /process\.exit\(/)).toEqual([]);
  });

  test("only lib/runtime/signals.ts installs signal handlers", () => {
    const others = PROGRAM_CODE.filter((f) => f !== "lib/runtime/signals.ts");
    expect(codeLines(others, /process\.(on|once)\(\s*["'`]SIG/)).toEqual([]);
  });

  test("protocol modules and the shared pure modules do no IO", () => {
    const shared = ["bytes", "core", "dial", "errno", "exit", "framer", "lines", "sse"].map((m) => `lib/${m}.ts`);
    const protocols = sources("lib").filter((f) =>
      /^lib\/[^/]+\/[^/]+\.ts$/.test(f) && !/^lib\/(net|runtime)\//.test(f)
    );
    const io =
      /from "(node:(fs|net|dgram|child_process|os|http|dns|dns\/promises|timers)|[./]*\/(net|runtime)\/[^"]*|\.\/io\/[^"]*)"/;
    expect(codeLines([...shared, ...protocols], io)).toEqual([]);
  });
});

import { describe, expect, test } from "bun:test";
import { checkName, checkPattern, visibleName } from "../../lib/kdos/names.ts";

describe("checkName", () => {
  test("strips the leading run of / and gives the root-relative name", () => {
    expect(checkName("log.dat", false)).toBe("log.dat");
    expect(checkName("/log.dat", false)).toBe("log.dat");
    expect(checkName("//x", false)).toBe("x");
    expect(checkName("/etc/passwd", true)).toBe("etc/passwd");
  });

  test("takes every printable byte but * ? [ ] \\ literally, with no expansion or decoding", () => {
    for (
      const name of ["$HOME", "~root", "%2e%2e", "a+b", "x(1)", "{a,b}", "a|b", "^$", ".profile", "...", "a.", "-"]
    ) {
      expect(checkName(name, false)).toBe(name);
    }
  });

  test("refuses bytes outside %x21-7E and the wildcard bytes with EINVAL", () => {
    for (const name of ["a b", "a\tb", "a\x7f", "a\x00b", "é", "a*", "a?", "a[", "a]", "a\\b", "\n"]) {
      expect(checkName(name, false)).toEqual({ errno: "EINVAL" });
      expect(checkName(name, true)).toEqual({ errno: "EINVAL" });
    }
  });

  test("refuses / without --subdirs, so /etc/passwd is not a flat name", () => {
    expect(checkName("/etc/passwd", false)).toEqual({ errno: "EINVAL" });
    expect(checkName("a/b", false)).toEqual({ errno: "EINVAL" });
  });

  test("refuses the traversal corpus: ., .., empty components, trailing /", () => {
    for (const name of ["../x", "a/../../x", "a//b", "./a", ".", "..", "a/", "a/.", "a/./b", "", "/", "///"]) {
      expect(checkName(name, true)).toEqual({ errno: "EINVAL" });
      expect(checkName(name, false)).toEqual({ errno: "EINVAL" });
    }
  });

  test("limits a component to 255 bytes and a name to 1,024 with ENAMETOOLONG", () => {
    const c255 = "x".repeat(255);
    expect(checkName(c255, false)).toBe(c255);
    expect(checkName("x".repeat(256), false)).toEqual({ errno: "ENAMETOOLONG" });
    expect(checkName(`a/${"x".repeat(256)}`, true)).toEqual({ errno: "ENAMETOOLONG" });
    const n1024 = [c255, c255, c255, "x".repeat(254), "x"].join("/");
    expect(n1024.length).toBe(1024);
    expect(checkName(n1024, true)).toBe(n1024);
    expect(checkName(`${n1024}x`, true)).toEqual({ errno: "ENAMETOOLONG" });
    // The stripped leading slashes do not count.
    expect(checkName(`/${n1024}`, true)).toBe(n1024);
  });

  test("EINVAL wins over ENAMETOOLONG", () => {
    expect(checkName(`${"x".repeat(300)} `, false)).toEqual({ errno: "EINVAL" });
    expect(checkName(`${"x".repeat(300)}/..`, true)).toEqual({ errno: "EINVAL" });
  });
});

describe("checkPattern", () => {
  test("splits a fileSpec into its literal directory and its pattern", () => {
    expect(checkPattern("*.dat", false)).toEqual({ dir: "", pattern: "*.dat" });
    expect(checkPattern("/[a-c]?", false)).toEqual({ dir: "", pattern: "[a-c]?" });
    expect(checkPattern("/logs/2024-*", true)).toEqual({ dir: "logs", pattern: "2024-*" });
    expect(checkPattern("a/b/c", true)).toEqual({ dir: "a/b", pattern: "c" });
  });

  test("allows wildcards only in the last component", () => {
    expect(checkPattern("lo*s/x", true)).toEqual({ errno: "EINVAL" });
    expect(checkPattern("[a]/x", true)).toEqual({ errno: "EINVAL" });
  });

  test("keeps the name rules: \\, spaces, ., .., empty components, / without --subdirs", () => {
    for (const spec of ["a\\*", "a *", ".", "..", "x/..", "a//*", "a/", "", "/"]) {
      expect(checkPattern(spec, true)).toEqual({ errno: "EINVAL" });
    }
    expect(checkPattern("logs/*", false)).toEqual({ errno: "EINVAL" });
    expect(checkPattern("*".repeat(256), false)).toEqual({ errno: "ENAMETOOLONG" });
  });

  test("leaves bracket syntax to the glob: an unterminated [ passes here", () => {
    expect(checkPattern("[abc", false)).toEqual({ dir: "", pattern: "[abc" });
  });
});

describe("visibleName", () => {
  test("shows only names a client could use", () => {
    expect(visibleName("log.dat", false)).toBe(true);
    expect(visibleName(".hidden", false)).toBe(true);
    for (const name of ["my file", "é", "a*", "a[1]", "x".repeat(256), "/abs", ""]) {
      expect(visibleName(name, false)).toBe(false);
    }
  });

  test("shows tree paths only with --subdirs", () => {
    expect(visibleName("a/b", false)).toBe(false);
    expect(visibleName("a/b", true)).toBe(true);
    expect(visibleName("a/../b", true)).toBe(false);
  });
});

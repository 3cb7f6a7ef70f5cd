import { describe, expect, test } from "bun:test";
import { chooseProgram, multiCallHelp } from "../../lib/multi-call.ts";

const PROGRAMS = ["psprog", "ptbw", "pzog"];

describe("chooseProgram: which program the multi-call executable runs", () => {
  test("a link named after a program runs it with every argument", () => {
    expect(chooseProgram("ptbw", ["pzog", "-V"], PROGRAMS)).toEqual({
      action: "run",
      program: "ptbw",
      args: ["pzog", "-V"],
    });
  });

  test("unt runs the program its first argument names, with the rest", () => {
    expect(chooseProgram("unt", ["pzog", "--help"], PROGRAMS)).toEqual({
      action: "run",
      program: "pzog",
      args: ["--help"],
    });
  });

  test("unt -h and --help list the programs", () => {
    for (const flag of ["-h", "--help"]) {
      expect(chooseProgram("unt", [flag], PROGRAMS)).toEqual({ action: "help", text: multiCallHelp(PROGRAMS) });
    }
    expect(multiCallHelp(PROGRAMS)).toContain("PROGRAMS\n    psprog\n    ptbw\n    pzog\n");
  });

  test("unt alone, an unknown program and an unknown link name are errors listing the programs", () => {
    expect(chooseProgram("unt", [], PROGRAMS)).toEqual({
      action: "error",
      message: "missing program (psprog, ptbw, pzog)",
    });
    expect(chooseProgram("unt", ["-V"], PROGRAMS)).toEqual({
      action: "error",
      message: 'unknown program "-V" (psprog, ptbw, pzog)',
    });
    expect(chooseProgram("foo", ["ptbw"], PROGRAMS)).toEqual({
      action: "error",
      message: 'invoked as "foo", which names no program (psprog, ptbw, pzog)',
    });
  });
});

import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import type { BurnTool } from "../../hw/drive.ts";
import { DriveError } from "../../hw/drive.ts";
import { LinuxDrive } from "../../hw/linux.ts";
import { checkTool, openDrive } from "../../hw/open.ts";
import { StdioDrive } from "../../hw/stdio.ts";
import { RecordedRunner, type Recording } from "../helpers/recorded-runner.ts";

describe("openDrive", () => {
  test("/dev/… is a LinuxDrive", () => {
    const drive = openDrive("/dev/sr0", {});
    expect(drive).toBeInstanceOf(LinuxDrive);
    expect(drive.device).toBe("/dev/sr0");
  });

  test("stdio:PATH is a StdioDrive of the given drive type", async () => {
    const drive = openDrive("stdio:/var/tmp/out.iso", { driveType: "DVD", stdioRate: 8_000_000 });
    expect(drive).toBeInstanceOf(StdioDrive);
    expect(await drive.info()).toMatchObject({ device: "stdio:/var/tmp/out.iso", driveType: "DVD" });
  });

  test("anything else is UNSUPPORTED", () => {
    for (const device of ["fake:type=CDR", "stdio:", "sr0", ""]) {
      let code: string | undefined;
      try {
        openDrive(device, {});
      } catch (e) {
        code = e instanceof DriveError ? e.code : String(e);
      }
      expect(code).toBe("UNSUPPORTED");
    }
  });
});

describe("checkTool", () => {
  const check = (tool: BurnTool, r: Recording) => checkTool(tool, new RecordedRunner(() => r));

  test("asks each tool its version the way it understands", async () => {
    const runner = new RecordedRunner(() => ({ stdout: "1.5.4\n" }));
    for (const tool of ["cdrskin", "wodim", "xorriso"] as const) expect(await checkTool(tool, runner)).toBe(undefined);
    expect(runner.calls).toEqual([["cdrskin", "--version"], ["wodim", "--version"], ["xorriso", "-version"]]);
  });

  test("a missing tool: one line saying so and what to do", async () => {
    expect(await check("wodim", { error: "wodim: No such file or directory" })).toBe(
      "wodim: No such file or directory; install wodim or choose another --tool",
    );
  });

  test("a tool that fails: its first words and exit code", async () => {
    const said = await check("cdrskin", { code: 1, stderr: "cdrskin: FATAL : libburn too old\n\nmore\n" });
    expect(said).toBe(
      "cdrskin --version failed (exit 1): cdrskin: FATAL : libburn too old; check the cdrskin installation",
    );
    expect(said).not.toContain("\n");
  });

  test("the real xorriso passes", async () => {
    const installed = spawnSync("xorriso", ["-version"], { stdio: "ignore" }).status === 0;
    expect(await checkTool("xorriso")).toEqual(installed ? undefined : expect.stringContaining("install xorriso"));
  });
});

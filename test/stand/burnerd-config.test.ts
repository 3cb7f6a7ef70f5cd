import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseOptions, UsageError } from "../../lib/cli.ts";
import { Fatal } from "../../lib/exit.ts";
import { BURNERD_ARGS, burnerdConfig } from "../../lib/stand/burnerd-config.ts";

const config = (...argv: string[]) => burnerdConfig(parseOptions(argv, BURNERD_ARGS), "/home/op");

describe("burnerd's command line", () => {
  test("--fake takes its SPEC only after =; alone it is the default simulator", () => {
    const plain = config("--fake", "--iso-dir", "isos");
    expect(plain.drive).toMatchObject({ kind: "fake", spec: { type: "CDR", rate: 8 << 20, reload: 2 } });
    expect(plain.isoDir).toBe("/home/op/isos");
    expect(plain.idFile).toBe("/var/lib/burnerd/fake.id");
    expect(config("--fake=type=DVD,rate=64M,reload=0", "--iso-dir", "/i").drive)
      .toMatchObject({ kind: "fake", spec: { type: "DVD", rate: 64 << 20, reload: 0 } });
  });

  test("defaults: server 127.0.0.1:1337, cdrskin, stall 300 s, id file by the device's basename", () => {
    const cfg = config("--device", "/dev/disk/by-id/usb-HL-DT-ST_DVDRAM-0:0", "--iso-dir", "/i");
    expect(cfg).toMatchObject({
      server: { host: "127.0.0.1", port: 1337 },
      drive: { kind: "device", device: "/dev/disk/by-id/usb-HL-DT-ST_DVDRAM-0:0" },
      tool: "cdrskin",
      stallTimeoutMs: 300_000,
      idFile: "/var/lib/burnerd/usb-HL-DT-ST_DVDRAM-0:0.id",
      keepDisc: false,
    });
    expect(cfg.driveType).toBeUndefined();
    expect(config("--device", "/dev/sr0", "--iso-dir", "/i", "--id-file", "sr0.id").idFile).toBe("/home/op/sr0.id");
    expect(config("--device", "/dev/sr0", "--iso-dir", "/i", "--server", "stand.local").server)
      .toEqual({ host: "stand.local", port: 1337 });
  });

  test("stdio: keeps the device as given (it is part of the id), defaults to CDR, takes --stdio-rate", () => {
    const cfg = config("--device", "stdio:out.iso", "--tool", "xorriso", "--stdio-rate", "8000000", "--iso-dir", "/i");
    expect(cfg).toMatchObject({
      drive: { kind: "device", device: "stdio:out.iso" },
      driveType: "CDR",
      stdioRate: 8000000,
      idFile: "/var/lib/burnerd/out.iso.id",
    });
  });

  test("usage errors: no drive, two drives, wodim on stdio:, --stdio-rate without stdio:, bad numbers", () => {
    for (
      const argv of [
        ["--iso-dir", "/i"],
        ["--fake", "--device", "/dev/sr0", "--iso-dir", "/i"],
        ["--device", "stdio:/tmp/x", "--tool", "wodim", "--iso-dir", "/i"],
        ["--device", "/dev/sr0", "--stdio-rate", "100", "--iso-dir", "/i"],
        ["--device", "sr0", "--iso-dir", "/i"],
        ["--device", "stdio:", "--iso-dir", "/i"],
        ["--fake", "--speed", "0", "--iso-dir", "/i"],
        ["--fake", "--stall-timeout", "soon", "--iso-dir", "/i"],
        ["--fake", "--server", "host:99999", "--iso-dir", "/i"],
      ]
    ) expect(() => config(...argv)).toThrow(UsageError);
  });

  test("a missing --iso-dir is status 66", () => {
    let caught: unknown;
    try {
      config("--fake");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Fatal);
    expect((caught as Fatal).status).toBe(66);
  });
});

describe("docs/burnerd.md", () => {
  test("documents every option in its OPTIONS table", () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "burnerd.md"), "utf8");
    const options = /^## OPTIONS\n([\s\S]*?)^## /m.exec(doc)![1]!;
    for (const name of Object.keys(BURNERD_ARGS)) expect(options).toContain(`\`--${name}`);
  });
});

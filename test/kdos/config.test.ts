import { describe, expect, test } from "bun:test";
import { parseOptions, UsageError } from "../../lib/cli.ts";
import { KDOSD_ARGS, KDOSD_SINGLE_DASH, kdosdConfig, parseMode, windowOption } from "../../lib/kdos/config.ts";
import { parseSize } from "../../lib/kdos/sizes.ts";

const config = (argv: string[], vperrorPrint?: string) =>
  kdosdConfig(parseOptions(argv, KDOSD_ARGS, KDOSD_SINGLE_DASH), vperrorPrint);

describe("kdosd's command line", () => {
  test("the defaults are the spec's", () => {
    const cfg = config([]);
    expect(cfg).toMatchObject({
      debug: false,
      vperror: false,
      mailbox: "udp!127.0.0.1!7010",
      gateways: [],
      gatewayMode: 0o660,
      root: "/var/lib/kdosd",
      createMode: 0o640,
      flags: "linux",
      window: { path: "/dev/shm/kdosd.window", size: 4n * 1024n * 1024n, base: 0n },
      maxFds: 64,
      maxFdsPerOwner: 0,
      idleCloseMs: 0,
      maxTransfer: 1024 * 1024,
      maxInline: 32768,
      maxCommand: 65507,
      maxConns: 16,
      stallTimeoutMs: 30_000,
      replyQueue: 256,
      udpEol: "mirror",
      logRate: 100,
    });
  });

  test("-debug, -vperror, -help and -version are taken after one dash too", () => {
    expect(config(["-debug", "-vperror"])).toMatchObject({ debug: true, vperror: true });
    expect(config(["--debug"]).debug).toBe(true);
  });

  test("VPERROR_PRINT with a non-zero integer turns vperror on", () => {
    expect(config([], "1").vperror).toBe(true);
    expect(config([], "0").vperror).toBe(false);
    expect(config([], "yes").vperror).toBe(false);
  });

  test("--mailbox none needs a gateway", () => {
    expect(() => config(["--mailbox", "none"])).toThrow(UsageError);
    expect(config(["--mailbox", "none", "--gateway", "unix!/run/kdosd/sock"]).mailbox).toBeUndefined();
  });

  test("bad sizes, modes and windows are usage errors naming the option", () => {
    for (
      const [argv, option] of [
        [["--max-inline", "48001"], "--max-inline"],
        [["--max-transfer", "1X"], "--max-transfer"],
        [["--create-mode", "0999"], "--create-mode"],
        [["--window", "relative:4M:0"], "--window"],
        [["--window", "/w:4097:0"], "--window"],
        [["--window", "/w:4M:fffffffffffff000"], "--window"],
        [["--max-command", "100"], "--max-command"],
      ] as const
    ) {
      expect(() => config([...argv])).toThrow(option);
    }
  });
});

describe("values", () => {
  test("sizes take K, M and G as powers of 1024", () => {
    expect(parseSize("4096")).toBe(4096n);
    expect(parseSize("4K")).toBe(4096n);
    expect(parseSize("1G")).toBe(1024n ** 3n);
    expect(parseSize("1k")).toBeUndefined();
    expect(parseSize("")).toBeUndefined();
  });

  test("modes are octal", () => {
    expect(parseMode("0660")).toBe(0o660);
    expect(parseMode("8")).toBeUndefined();
    expect(parseMode("17777")).toBeUndefined();
  });

  test("a window is PATH:SIZE:BASE, base hex, or none", () => {
    expect(windowOption("none")).toBeUndefined();
    expect(windowOption("/dev/shm/w:8K:0x80000000")).toEqual({ path: "/dev/shm/w", size: 8192n, base: 0x80000000n });
    expect(windowOption("/dev/shm/w:4K:FFFFFFFFFFFFF000")).toEqual({
      path: "/dev/shm/w",
      size: 4096n,
      base: 0xfffffffffffff000n,
    });
  });
});

import { describe, expect, test } from "bun:test";
import { parseOptions, UsageError } from "../../lib/cli.ts";
import {
  chooseRing,
  CLIENT_PORT,
  ConfigError,
  daemonConfig,
  PEER_PORT,
  PZOG_ARGS,
  PZOG_VERSION,
  showConfig,
} from "../../lib/pzog/config.ts";
import { PSPROG_ARGS, psprogConfig, showPsprogConfig } from "../../lib/pzog/psprog-options.ts";

/** pzog's configuration for a command line, as cmd/pzog.ts resolves it. */
const pzog = (argv: string[], hostname = "lg.example.org", ringText?: string) =>
  daemonConfig(parseOptions(argv, PZOG_ARGS), hostname, ringText);

/** psprog's configuration; `warnings` collects what it warns about. */
function psprog(argv: string[], ringText?: string, seed = 42) {
  const warnings: string[] = [];
  const cfg = psprogConfig(parseOptions(argv, PSPROG_ARGS), ringText, seed, (t) => warnings.push(t));
  return { cfg, warnings };
}

const RING_FILE = [
  "# test ring",
  "la    127.0.0.1:6000   7001",
  "test  127.0.0.2:6000",
  "",
  "lg    127.0.0.3:6000   7003   # own client port",
  "sm\t127.0.0.4:6000",
  "g     127.0.0.5:6000   7005",
].join("\n");

describe("daemonConfig defaults (§3.3)", () => {
  test("with no options every value is the documented default", () => {
    const c = pzog([], "lg");
    expect(c).toMatchObject({
      name: "lg",
      self: 2,
      mode: "0.3",
      clientPort: 55551,
      bind: undefined,
      logDir: "logs",
      spoolDir: "spool",
      utc: false,
      keepaliveMs: 300_000,
      ackTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      redialMaxMs: 60_000,
      window: 512,
      fsync: "interval",
      fsyncIntervalMs: 1000,
      spoolMaxBytes: 256 * 1024 * 1024,
      seenMax: 100_000,
      maxClients: 256,
      clientIdleMs: 600_000,
      drainTimeoutMs: 10_000,
      trace: undefined,
      verbose: false,
    });
    expect(CLIENT_PORT).toBe(55551);
    expect(PEER_PORT).toBe(55552);
    expect(PZOG_VERSION).toBe("0.3.0");
  });

  test("the default ring is la, test, lg, sm, g, each host its own name, peer port 55552", () => {
    const c = pzog([], "g");
    expect(c.ring.map((m) => [m.index, m.name, m.host, m.peerPort, m.clientPort])).toEqual([
      [0, "la", "la", 55552, undefined],
      [1, "test", "test", 55552, undefined],
      [2, "lg", "lg", 55552, undefined],
      [3, "sm", "sm", 55552, undefined],
      [4, "g", "g", 55552, undefined],
    ]);
  });

  test("-T puts the default ring on 127.0.0.1..127.0.0.5", () => {
    const c = pzog(["-T"], "sm");
    expect(c.ring.map((m) => m.host)).toEqual(["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]);
    expect(c.self).toBe(3);
    expect(pzog(["--testing"], "sm").ring[0]!.host).toBe("127.0.0.1");
  });

  test("every option is read: values, fractions of seconds and megabytes", () => {
    const c = pzog([
      "--name",
      "sm",
      "-p",
      "6001",
      "--peer-port",
      "6002",
      "--bind",
      "0.0.0.0",
      "--log-dir",
      "/l",
      "--spool-dir",
      "/s",
      "--utc",
      "--protocol",
      "0.2.2",
      "--keepalive",
      "1.5",
      "--ack-timeout",
      "2",
      "--connect-timeout",
      "0.25",
      "--redial-max",
      "3",
      "--window",
      "7",
      "--fsync",
      "always",
      "--fsync-interval",
      "0.1",
      "--spool-max",
      "0.5",
      "--seen-max",
      "9",
      "--max-clients",
      "3",
      "--client-idle",
      "4",
      "--drain-timeout",
      "0",
      "--trace",
      "/t",
      "-v",
    ], "whatever");
    expect(c).toMatchObject({
      name: "sm",
      self: 3,
      mode: "0.2.2",
      clientPort: 6001,
      bind: "0.0.0.0",
      logDir: "/l",
      spoolDir: "/s",
      utc: true,
      keepaliveMs: 1500,
      ackTimeoutMs: 2000,
      connectTimeoutMs: 250,
      redialMaxMs: 3000,
      window: 7,
      fsync: "always",
      fsyncIntervalMs: 100,
      spoolMaxBytes: 512 * 1024,
      seenMax: 9,
      maxClients: 3,
      clientIdleMs: 4000,
      drainTimeoutMs: 0,
      trace: "/t",
      verbose: true,
    });
    expect(c.ring.every((m) => m.peerPort === 6002)).toBe(true);
  });

  test("--port and --client-port are -p", () => {
    expect(pzog(["--port", "7000"]).clientPort).toBe(7000);
    expect(pzog(["--client-port", "7001"]).clientPort).toBe(7001);
  });

  test("the legacy -t and -e and -j/-V flags are accepted", () => {
    expect(() => pzog(["-t", "-e", "-j", "-V"])).not.toThrow();
  });
});

describe("daemonConfig own name (§3.2)", () => {
  test("the own name is the host name up to the first dot", () => {
    expect(pzog([], "lg.example.org").name).toBe("lg");
    expect(pzog([], "lg.example.org").self).toBe(2);
    expect(pzog([], "test").self).toBe(1);
    expect(pzog([], "la.").self).toBe(0);
  });

  test("--name overrides the host name", () => {
    const c = pzog(["--name", "g"], "la.example.org");
    expect(c.name).toBe("g");
    expect(c.self).toBe(4);
  });

  test("a name not in the ring is a configuration error", () => {
    expect(() => pzog([], "mybox.example.org")).toThrow(ConfigError);
    expect(() => pzog([], "mybox.example.org")).toThrow(/mybox/);
    expect(() => pzog(["--name", "zz"], "lg")).toThrow(ConfigError);
    // The host name is only cut at its first dot, never matched as a whole.
    expect(() => pzog([], "example.lg")).toThrow(ConfigError);
    expect(() => pzog([], "")).toThrow(ConfigError);
  });

  test("the own name must be in the chosen ring, not the default one", () => {
    const ring = "a=10.0.0.1,b=10.0.0.2,c=10.0.0.3,d=10.0.0.4,e=10.0.0.5";
    expect(pzog(["--ring", ring], "c.local").self).toBe(2);
    expect(() => pzog(["--ring", ring], "lg")).toThrow(ConfigError);
  });
});

describe("daemonConfig ring and client port", () => {
  test("a ring file sets hosts and peer ports; its client-port field overrides -p", () => {
    const c = pzog(["--ring-file", "ring.txt", "-p", "5000"], "lg", RING_FILE);
    expect(c.clientPort).toBe(7003);
    expect(c.ring[2]).toEqual({ index: 2, name: "lg", host: "127.0.0.3", peerPort: 6000, clientPort: 7003 });
  });

  test("a member without a client-port field uses -p (or 55551)", () => {
    expect(pzog(["-p", "5000"], "test", RING_FILE).clientPort).toBe(5000);
    expect(pzog([], "sm", RING_FILE).clientPort).toBe(55551);
    expect(pzog(["-p", "5000"], "la", RING_FILE).clientPort).toBe(7001);
  });

  test("--ring wins over a ring file, which wins over the built-in ring", () => {
    const list = "la=10.0.0.1,test=10.0.0.2,lg=10.0.0.3:6100,sm=10.0.0.4,g=10.0.0.5";
    const c = pzog(["--ring", list], "lg", RING_FILE);
    expect(c.ring[2]).toEqual({ index: 2, name: "lg", host: "10.0.0.3", peerPort: 6100, clientPort: undefined });
    expect(c.ring[0]!.peerPort).toBe(55552);
    expect(chooseRing({ testing: true }, RING_FILE, 55552)[0]!.host).toBe("127.0.0.1");
    expect(chooseRing({ testing: true }, RING_FILE, 55552)[0]!.clientPort).toBe(7001);
    expect(chooseRing({ testing: true }, undefined, 4000)[4]).toEqual({
      index: 4,
      name: "g",
      host: "127.0.0.5",
      peerPort: 4000,
      clientPort: undefined,
    });
  });

  test("a bad ring is a configuration error", () => {
    const four = "la=a,test=b,lg=c,sm=d";
    expect(() => pzog(["--ring", four], "lg")).toThrow(ConfigError);
    expect(() => pzog(["--ring", "la=a,test=b,lg=c,lg=d,g=e"], "lg")).toThrow(/duplicate name "lg"/);
    expect(() => pzog([], "lg", "la a\ntest b\nlg c\nsm d\n")).toThrow(ConfigError);
    expect(() => pzog([], "lg", "la a\ntest b\nlg c\nsm d\nlg e\n")).toThrow(/ring line 5: duplicate name "lg"/);
    expect(() => pzog([], "lg", "la a\ntest b\nlg a\nsm d\ng e\n")).toThrow(/duplicate host:port/);
    expect(() => pzog([], "lg", "la a\ntest b\nlg c x y\nsm d\ng e\n")).toThrow(/ring line 3/);
    expect(() => pzog([], "lg", "la a\ntest b\nlg c 0\nsm d\ng e\n")).toThrow(ConfigError);
    expect(() => pzog([], "lg", "la a\n-x b\nlg c\nsm d\ng e\n")).toThrow(ConfigError);
  });
});

describe("daemonConfig validation", () => {
  const bad: Array<[string, string[]]> = [
    ["--port", ["0", "65536", "abc", "1.5", ""]],
    ["--peer-port", ["0", "65536", "x"]],
    ["--keepalive", ["0", "-1", "x"]],
    ["--ack-timeout", ["0", "-5"]],
    ["--connect-timeout", ["0", "y"]],
    ["--redial-max", ["0", "0.5"]],
    ["--window", ["0", "65537", "1.5", "-1"]],
    ["--fsync-interval", ["0", "z"]],
    ["--spool-max", ["0", "-1", "q"]],
    ["--seen-max", ["0", "1.5"]],
    ["--max-clients", ["0", "1.5"]],
    ["--client-idle", ["0", "never"]],
    ["--drain-timeout", ["-1", "x"]],
  ];
  for (const [option, values] of bad) {
    test(`a bad ${option} is a usage error naming the option`, () => {
      for (const value of values) {
        let err: unknown;
        try {
          pzog([`${option}=${value}`], "lg");
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(UsageError);
        expect((err as Error).message).toContain(option);
      }
    });
  }

  test("--protocol takes only 0.2.2 and 0.3", () => {
    expect(pzog(["--protocol", "0.2.2"]).mode).toBe("0.2.2");
    expect(pzog(["--protocol", "0.3"]).mode).toBe("0.3");
    for (const v of ["0.2", "0.4", "0.3.0", ""]) expect(() => pzog([`--protocol=${v}`])).toThrow(UsageError);
  });

  test("--fsync takes only always, interval and never", () => {
    for (const v of ["always", "interval", "never"] as const) expect(pzog(["--fsync", v]).fsync).toBe(v);
    for (const v of ["sometimes", "ALWAYS", ""]) expect(() => pzog([`--fsync=${v}`])).toThrow(/--fsync/);
  });

  test("bounds are inclusive", () => {
    expect(pzog(["--port", "1"]).clientPort).toBe(1);
    expect(pzog(["--port", "65535"]).clientPort).toBe(65535);
    expect(pzog(["--window", "1"]).window).toBe(1);
    expect(pzog(["--window", "65536"]).window).toBe(65536);
    expect(pzog(["--redial-max", "1"]).redialMaxMs).toBe(1000);
    expect(pzog(["--drain-timeout", "0"]).drainTimeoutMs).toBe(0);
  });

  test("an unknown option or a missing value is a usage error", () => {
    expect(() => pzog(["--nope"])).toThrow(UsageError);
    expect(() => pzog(["--window"])).toThrow(UsageError);
  });
});

describe("showConfig", () => {
  test("prints one key-value line per setting, then the ring", () => {
    const text = showConfig(pzog(["-T", "--name", "lg"], "x"));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("name lg");
    expect(lines).toContain("index 2");
    expect(lines).toContain("protocol 0.3");
    expect(lines).toContain("client-port 55551");
    expect(lines).toContain("bind 127.0.0.3");
    expect(lines).toContain("keepalive 300");
    expect(lines).toContain("window 512");
    expect(lines).toContain("fsync interval 1");
    expect(lines).toContain("spool-max 256");
    expect(lines).toContain("ring");
    expect(lines).toContain("  3 sm 127.0.0.4:55552");
    expect(text.endsWith("\n")).toBe(true);
  });

  test("shows an explicit bind address and ring-file client ports", () => {
    const lines = showConfig(pzog(["--bind", "0.0.0.0"], "lg", RING_FILE)).split("\n");
    expect(lines).toContain("bind 0.0.0.0");
    expect(lines).toContain("  2 lg 127.0.0.3:6000 client=7003");
  });
});

describe("psprogConfig defaults (§7)", () => {
  test("with no options: random member of the built-in ring, 10 s apart, for ever, 30 s timeout", () => {
    const { cfg, warnings } = psprog([]);
    expect(cfg.strategy).toBe("random");
    expect(cfg.targets).toEqual([
      { label: "la", host: "la", port: 55551 },
      { label: "test", host: "test", port: 55551 },
      { label: "lg", host: "lg", port: 55551 },
      { label: "sm", host: "sm", port: 55551 },
      { label: "g", host: "g", port: 55551 },
    ]);
    expect(cfg.intervalMs).toBe(10_000);
    expect(cfg.count).toBe(-1);
    expect(cfg.timeoutMs).toBe(30_000);
    expect(cfg.logDir).toBe("logs");
    expect(cfg.utc).toBe(false);
    expect(cfg.verbose).toBe(false);
    expect(warnings).toEqual([]);
  });

  test("random content is 32..60 octets of 0x21-0x7E and reproducible with --seed", () => {
    const a = psprog(["--seed", "7"]).cfg;
    const b = psprog(["--seed", "7"], undefined, 999).cfg;
    for (let i = 0; i < 200; i++) {
      const text = a.content();
      expect(text).toMatch(/^[\x21-\x7e]{32,60}$/);
      expect(b.content()).toBe(text);
    }
    const c = psprog([], undefined, 7).cfg;
    const d = psprog([], undefined, 8).cfg;
    expect(c.content()).not.toBe(d.content());
  });

  test("-i, -n, --timeout, --log-dir, --utc and -v are read", () => {
    const { cfg } = psprog(["-i", "0.25", "-n", "10", "--timeout", "1.5", "--log-dir", "/x", "--utc", "-v"]);
    expect(cfg).toMatchObject({ intervalMs: 250, count: 10, timeoutMs: 1500, logDir: "/x", utc: true, verbose: true });
    expect(psprog(["-i", "0"]).cfg.intervalMs).toBe(0);
    expect(psprog(["--msgCount=-1"]).cfg.count).toBe(-1);
    expect(psprog(["-n", "0"]).cfg.count).toBe(0);
  });

  test("-n -1, the documented value for for ever, is accepted as two arguments", () => {
    // §7: `-n, --msgCount N`, -1 = forever; a user writes it as `-n -1`.
    expect(psprog(["-n", "-1"]).cfg.count).toBe(-1);
    expect(psprog(["--msgCount", "-1"]).cfg.count).toBe(-1);
  });

  test("bad numbers are usage errors", () => {
    for (
      const argv of [
        ["--interval=-1"],
        ["-i", "x"],
        ["--msgCount=-2"],
        ["-n", "1.5"],
        ["--timeout", "0"],
        ["-p", "0"],
        ["-p", "70000"],
        ["--seed=-1"],
        ["--seed", "x"],
      ]
    ) {
      expect(() => psprog(argv)).toThrow(UsageError);
    }
  });
});

describe("showPsprogConfig", () => {
  test("prints the strategy, timings and log directory, then one line per target", () => {
    expect(showPsprogConfig(psprog(["-r", "-i", "0.5", "-n", "3", "--timeout", "2", "--log-dir", "/x"]).cfg)).toBe([
      "strategy round-robin",
      "interval 0.5",
      "count 3",
      "timeout 2",
      "log-dir /x",
      "targets",
      "  la la:55551",
      "  test test:55551",
      "  lg lg:55551",
      "  sm sm:55551",
      "  g g:55551",
      "",
    ].join("\n"));
  });
});

describe("psprogConfig targets", () => {
  test("-r sends in ring order over all members", () => {
    const { cfg } = psprog(["-r", "-p", "6000"]);
    expect(cfg.strategy).toBe("round-robin");
    expect(cfg.targets.map((t) => `${t.label}@${t.host}:${t.port}`)).toEqual([
      "la@la:6000",
      "test@test:6000",
      "lg@lg:6000",
      "sm@sm:6000",
      "g@g:6000",
    ]);
  });

  test("-T is the whole test ring, as pzog -T: the five names on 127.0.0.1..127.0.0.5", () => {
    const { cfg } = psprog(["-T", "-p", "6000"]);
    expect(cfg.strategy).toBe("random");
    expect(cfg.targets.map((t) => `${t.label}@${t.host}:${t.port}`)).toEqual([
      "la@127.0.0.1:6000",
      "test@127.0.0.2:6000",
      "lg@127.0.0.3:6000",
      "sm@127.0.0.4:6000",
      "g@127.0.0.5:6000",
    ]);
    expect(psprog(["--testing"]).cfg.targets.map((t) => t.port)).toEqual([55551, 55551, 55551, 55551, 55551]);
  });

  test("-T goes with -r and -s: ring order, or one member by name or address", () => {
    expect(psprog(["-T", "-r"]).cfg).toMatchObject({ strategy: "round-robin", targets: { length: 5 } });
    expect(psprog(["-Tr"]).cfg.strategy).toBe("round-robin");
    expect(psprog(["-T", "-s", "lg"]).cfg).toMatchObject({
      strategy: "specific",
      targets: [{ label: "lg", host: "127.0.0.3", port: 55551 }],
    });
    expect(psprog(["-T", "-s", "127.0.0.4"]).cfg.targets).toEqual([{ label: "sm", host: "127.0.0.4", port: 55551 }]);
  });

  test("-s takes a member name, a member's host, or any other host", () => {
    expect(psprog(["-s", "lg"]).cfg.targets).toEqual([{ label: "lg", host: "lg", port: 55551 }]);
    const list = "la=10.0.0.1,test=10.0.0.2,lg=10.0.0.3,sm=10.0.0.4,g=10.0.0.5";
    expect(psprog(["--ring", list, "-s", "10.0.0.4"]).cfg.targets).toEqual([{
      label: "sm",
      host: "10.0.0.4",
      port: 55551,
    }]);
    expect(psprog(["--ring", list, "-s", "sm"]).cfg.targets).toEqual([{ label: "sm", host: "10.0.0.4", port: 55551 }]);
    expect(psprog(["-s", "elsewhere.example", "-p", "6000"]).cfg.targets).toEqual([
      { label: "elsewhere.example", host: "elsewhere.example", port: 6000 },
    ]);
    expect(psprog(["-s", "lg"]).cfg.strategy).toBe("specific");
  });

  test("-r and -s exclude each other", () => {
    for (const argv of [["-r", "-s", "lg"], ["-r", "-s", "lg", "-T"]]) {
      expect(() => psprog(argv)).toThrow(UsageError);
    }
  });

  test("a ring file's client-port field overrides -p", () => {
    const { cfg } = psprog(["--ring-file", "r", "-p", "5000"], RING_FILE);
    expect(cfg.targets.map((t) => `${t.label}@${t.host}:${t.port}`)).toEqual([
      "la@127.0.0.1:7001",
      "test@127.0.0.2:5000",
      "lg@127.0.0.3:7003",
      "sm@127.0.0.4:5000",
      "g@127.0.0.5:7005",
    ]);
    expect(psprog(["-s", "127.0.0.3"], RING_FILE).cfg.targets).toEqual([{
      label: "lg",
      host: "127.0.0.3",
      port: 7003,
    }]);
    // A ring file takes precedence over -T, as in pzog.
    expect(psprog(["-T"], RING_FILE).cfg.targets).toEqual(psprog([], RING_FILE).cfg.targets);
  });

  test("a bad ring is a configuration error", () => {
    expect(() => psprog(["--ring", "la=a,test=b"])).toThrow(ConfigError);
    expect(() => psprog([], "la a\n")).toThrow(ConfigError);
  });
});

describe("psprogConfig -m", () => {
  test("fixed content is sent as given", () => {
    const { cfg, warnings } = psprog(["-m", "hello ring"]);
    expect(cfg.content()).toBe("hello ring");
    expect(cfg.content()).toBe("hello ring");
    expect(warnings).toEqual([]);
    expect(psprog(["-m", "a\tb é ✓"]).cfg.content()).toBe("a\tb é ✓");
    expect(psprog(["-m", "shutdown"]).cfg.content()).toBe("shutdown");
  });

  test("content that is not valid data is a usage error", () => {
    for (const m of ["", "quit", "keepalive", "keepAlive", "a\x01b", "a\rb", "a\nb", "x\x7f", "a".repeat(480)]) {
      expect(() => psprog(["-m", m])).toThrow(UsageError);
    }
    expect(() => psprog(["-m", "a".repeat(479)])).not.toThrow();
  });

  test("content over 60 octets draws one warning, 60 or fewer none", () => {
    expect(psprog(["-m", "a".repeat(60)]).warnings).toEqual([]);
    expect(psprog(["-m", "a".repeat(61)]).warnings.length).toBe(1);
    expect(psprog(["-m", "a".repeat(479)]).warnings.length).toBe(1);
    // Octets, not characters: 30 × "é" is 60 octets, 31 × "é" is 62.
    expect(psprog(["-m", "é".repeat(30)]).warnings).toEqual([]);
    expect(psprog(["-m", "é".repeat(31)]).warnings.length).toBe(1);
  });
});

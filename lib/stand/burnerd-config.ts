/**
 * burnerd's command line (spec stand.md §4.1) and the configuration it
 * resolves to. Pure: the id file, the image directory and the drive are
 * the program's (lib/stand/io/burnerd.ts).
 *
 * @module
 */
import { basename, resolve } from "node:path";
import type { BurnTool, DiscKind } from "../../hw/drive.ts";
import { type FakeSpec, parseFakeSpec } from "../../hw/fake-spec.ts";
import { numberOption, type OptionsDef, type ParsedOptions, UsageError } from "../cli.ts";
import { DialError, parseDial } from "../dial.ts";
import { EX, Fatal } from "../exit.ts";

/**
 * Where id files live unless `--id-file` says otherwise.
 *
 * @example
 * ```ts
 * `${ID_DIR}/sr0.id`; // "/var/lib/burnerd/sr0.id"
 * ```
 */
export const ID_DIR = "/var/lib/burnerd";

/**
 * burnerd's options; values stay strings here and are checked by
 * {@linkcode burnerdConfig}.
 *
 * @example
 * ```ts
 * burnerdConfig(parseOptions(["--fake", "--iso-dir", "/srv/isos"], BURNERD_ARGS), "/").idFile; // "/var/lib/burnerd/fake.id"
 * ```
 */
export const BURNERD_ARGS = {
  server: {
    type: "string",
    valueHint: "HOST:PORT",
    default: "127.0.0.1:1337",
    description: "standd's protocol address",
  },
  device: {
    type: "string",
    valueHint: "PATH",
    description: "the drive: /dev/srN, a stable /dev/disk/by-id/… or by-path/… link\n" +
      "(recommended: sr numbers can change between boots), or stdio:PATH\n" +
      "(xorriso's pseudo-drive writing to a file or FIFO)",
  },
  fake: {
    type: "string",
    optionalValue: true,
    valueHint: "SPEC",
    description: "a simulated drive instead (SPEC: comma-separated key=value of type,\n" +
      "disc, rate, read, capacity, supply, reload, start, fail, seed; see burnerd(8));\n" +
      "exactly one of --device and --fake",
  },
  "iso-dir": {
    type: "string",
    valueHint: "DIR",
    description: "required: the images offered, regular files *.iso (any case) found\n" +
      "recursively; FILE.iso.txt beside one describes it",
  },
  tool: {
    type: "enum",
    options: ["cdrskin", "wodim", "xorriso"],
    valueHint: "cdrskin|wodim|xorriso",
    default: "cdrskin",
    description: "the burn tool (with --fake, the output the simulator prints);\nwodim cannot drive stdio:",
  },
  speed: { type: "string", valueHint: "N", description: "burn speed, passed as speed=N (default: the tool's maximum)" },
  "id-file": {
    type: "string",
    valueHint: "PATH",
    description: "the burner's id (default /var/lib/burnerd/<device basename>.id, fake.id\n" +
      "with --fake); md5cache.json lives in the same directory",
  },
  "drive-type": {
    type: "enum",
    options: ["CDR", "DVD"],
    valueHint: "CDR|DVD",
    description: "override what the drive says it writes (stdio: default CDR)",
  },
  "stdio-rate": {
    type: "string",
    valueHint: "BYTES/S",
    description: "drain rate of a FIFO stdio: device, to burn at a realistic speed",
  },
  "keep-disc": { type: "boolean", description: "do not eject after PASS or FAIL (debugging)" },
  "stall-timeout": {
    type: "string",
    valueHint: "S",
    default: "300",
    description: "a burn printing nothing this long is hung: stop it, FAIL\n(fixation can be silent for minutes)",
  },
  verbose: { type: "boolean", alias: ["v"], description: "log connections, disc changes, burns and verdicts" },
} as const satisfies OptionsDef;

/**
 * The drive burnerd runs: a device (`/dev/…` or `stdio:PATH`) or the
 * simulator.
 *
 * @example
 * ```ts
 * const d: DriveChoice = { kind: "device", device: "/dev/sr0" };
 * ```
 */
export type DriveChoice = { kind: "device"; device: string } | { kind: "fake"; spec: FakeSpec };

/**
 * What burnerd runs with. Paths are absolute, but the device stays as
 * given: it is part of the burner's id (§4.2).
 *
 * @example
 * ```ts
 * const cfg = burnerdConfig(parseOptions(["--device", "/dev/sr0", "--iso-dir", "isos"], BURNERD_ARGS), "/srv");
 * cfg.isoDir; // "/srv/isos"
 * ```
 */
export interface BurnerdConfig {
  server: { host: string; port: number };
  drive: DriveChoice;
  isoDir: string;
  tool: BurnTool;
  speed?: number;
  idFile: string;
  driveType?: DiscKind;
  stdioRate?: number;
  keepDisc: boolean;
  stallTimeoutMs: number;
  verbose: boolean;
}

/**
 * Resolve the parsed command line, relative paths against `cwd`. Throws
 * UsageError (64) for a bad value and Fatal 66 without `--iso-dir`.
 *
 * @example
 * ```ts
 * burnerdConfig(parseOptions(["--fake=rate=64M", "--iso-dir", "/srv/isos"], BURNERD_ARGS), "/").drive.kind; // "fake"
 * ```
 */
export function burnerdConfig(args: ParsedOptions<typeof BURNERD_ARGS>, cwd: string): BurnerdConfig {
  if ((args.device === undefined) === (args.fake === undefined)) {
    throw new UsageError("give exactly one of --device PATH and --fake[=SPEC]");
  }
  const device = args.device;
  const stdio = device?.startsWith("stdio:") === true;
  if (device !== undefined && !stdio && !device.startsWith("/dev/")) {
    throw new UsageError(`--device ${device}: give /dev/srN, /dev/disk/by-id/…, or stdio:PATH`);
  }
  if (stdio && device!.length === "stdio:".length) throw new UsageError("--device stdio: needs a PATH");
  if (stdio && args.tool === "wodim") throw new UsageError("--tool wodim cannot drive stdio:; use xorriso or cdrskin");
  if (args["stdio-rate"] !== undefined && !stdio) throw new UsageError("--stdio-rate is for a stdio:PATH device");
  if (args["iso-dir"] === undefined) {
    throw new Fatal("missing --iso-dir DIR: the directory of images to offer (see burnerd --help)", EX.NOINPUT);
  }
  const drive: DriveChoice = device === undefined
    ? { kind: "fake", spec: parseFakeSpec(args.fake!) }
    : { kind: "device", device };
  const idName = device === undefined ? "fake" : basename(stdio ? device.slice("stdio:".length) : device);
  const cfg: BurnerdConfig = {
    server: serverOption(args.server),
    drive,
    isoDir: resolve(cwd, args["iso-dir"]),
    tool: args.tool,
    idFile: resolve(cwd, args["id-file"] ?? `${ID_DIR}/${idName}.id`),
    keepDisc: args["keep-disc"],
    stallTimeoutMs: numberOption("--stall-timeout", args["stall-timeout"], { min: 1, max: 86400 }) * 1000,
    verbose: args.verbose,
  };
  if (args.speed !== undefined) cfg.speed = numberOption("--speed", args.speed, { min: 1, max: 999 });
  const driveType = args["drive-type"] ?? (stdio ? "CDR" : undefined);
  if (driveType !== undefined) cfg.driveType = driveType;
  if (args["stdio-rate"] !== undefined) {
    cfg.stdioRate = numberOption("--stdio-rate", args["stdio-rate"], { min: 1, max: 1e12 });
  }
  return cfg;
}

function serverOption(text: string): { host: string; port: number } {
  try {
    const a = parseDial(text, { defaultPort: 1337, allowUnix: false, minPort: 1 });
    if (a.net !== "tcp") throw new UsageError(`--server ${text}: give HOST:PORT`);
    return { host: a.host, port: a.port };
  } catch (err) {
    if (err instanceof DialError) throw new UsageError(`--server: ${err.message}`);
    throw err;
  }
}

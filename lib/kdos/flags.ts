/**
 * OPEN's `flags` argument (spec §6), numeric under the `--flags` table or
 * symbolic, translated bit by bit into an {@linkcode OpenSpec}: raw numbers
 * are never forwarded, and a bit no table lists is refused.
 *
 * @module
 */
import { parseInteger } from "./ints.ts";
import type { Failure, OpenSpec } from "./store.ts";

/** What a flag does, whichever number or name carried it. */
type Effect = "create" | "exclusive" | "truncate" | "append" | "dsync" | "sync" | "ignored";

/** A table's bits other than the access mode, each with its effect. */
type Table = readonly (readonly [bit: bigint, effect: Effect])[];

/**
 * `--flags linux`: generic Linux values. O_SYNC is 0x101000, O_DSYNC's bit
 * and __O_SYNC's; the kernel takes __O_SYNC alone as O_SYNC, and so do we.
 */
const LINUX: Table = [
  [0x40n, "create"],
  [0x80n, "exclusive"],
  [0x200n, "truncate"],
  [0x400n, "append"],
  [0x1000n, "dsync"],
  [0x100000n, "sync"],
  [0x100n, "ignored"], // O_NOCTTY
  [0x800n, "ignored"], // O_NONBLOCK
  [0x80000n, "ignored"], // O_CLOEXEC
  [0x8000n, "ignored"], // O_LARGEFILE on x86, O_NOFOLLOW on ARM
  [0x20000n, "ignored"], // O_NOFOLLOW on x86, O_LARGEFILE on ARM
];

/** `--flags legacy`: BSD 4.x numbering, as VxWorks 5.x and newlib have it. */
const LEGACY: Table = [
  [0x8n, "append"],
  [0x200n, "create"],
  [0x400n, "truncate"],
  [0x800n, "exclusive"],
  [0x2000n, "sync"],
  [0x4n, "ignored"], // O_NDELAY
  [0x1000n, "ignored"], // FNBIO
  [0x4000n, "ignored"], // O_NONBLOCK
  [0x8000n, "ignored"], // O_NOCTTY
];

const TABLES = { linux: LINUX, legacy: LEGACY } as const;

const ACCESS: Record<string, 0 | 1 | 2> = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2 };

/** The symbolic names other than the access modes; the same under both tables. */
const NAMED: Record<string, readonly Effect[]> = {
  O_CREAT: ["create"],
  O_EXCL: ["exclusive"],
  O_TRUNC: ["truncate"],
  O_APPEND: ["append"],
  O_SYNC: ["sync"],
  O_DSYNC: ["dsync"],
  O_NOCTTY: [],
  O_NONBLOCK: [],
  O_NDELAY: [],
  O_CLOEXEC: [],
  O_NOFOLLOW: [],
  O_LARGEFILE: [],
};

const EINVAL: Failure = { errno: "EINVAL" };

/** The spec from an access mode and the effects named; EINVAL for O_TRUNC without write access. */
function toSpec(access: 0 | 1 | 2, effects: ReadonlySet<Effect>): OpenSpec | Failure {
  const write = access !== 0;
  if (effects.has("truncate") && !write) return EINVAL;
  const create = effects.has("create");
  return {
    read: access !== 1,
    write,
    create,
    // O_EXCL without O_CREAT means nothing for a regular file.
    exclusive: create && effects.has("exclusive"),
    truncate: effects.has("truncate"),
    append: effects.has("append"),
    sync: effects.has("sync") ? "full" : effects.has("dsync") ? "data" : "none",
  };
}

function numeric(value: bigint, table: Table): OpenSpec | Failure {
  const access = value & 3n;
  if (access === 3n) return EINVAL;
  let rest = value & ~3n;
  const effects = new Set<Effect>();
  for (const [bit, effect] of table) {
    if ((rest & bit) === 0n) continue;
    effects.add(effect);
    rest &= ~bit;
  }
  // A negative number has every high bit set, so it is refused here too.
  if (rest !== 0n) return EINVAL;
  return toSpec(Number(access) as 0 | 1 | 2, effects);
}

function symbolic(token: string): OpenSpec | Failure {
  let access: 0 | 1 | 2 | undefined;
  const effects = new Set<Effect>();
  for (const name of token.split("|")) {
    if (Object.hasOwn(ACCESS, name)) {
      if (access !== undefined) return EINVAL;
      access = ACCESS[name];
    } else if (Object.hasOwn(NAMED, name)) {
      for (const effect of NAMED[name]!) effects.add(effect);
    } else {
      return EINVAL;
    }
  }
  return toSpec(access ?? 0, effects);
}

/**
 * Translate OPEN's `flags` (spec §6). A number (integer syntax of spec §3)
 * is read with `table`: the access mode is `flags & 3` (3 is EINVAL) and
 * any bit the table does not list is EINVAL. Otherwise the token is names
 * joined by `|` (`O_WRONLY|O_CREAT|O_APPEND`), case-sensitive and the same
 * under both tables; no access mode named means O_RDONLY, and naming one
 * twice, even the same one, is EINVAL. Under either form O_TRUNC needs
 * write access, O_EXCL only counts with O_CREAT, and O_NOCTTY, O_NONBLOCK,
 * O_NDELAY, FNBIO, O_CLOEXEC, O_NOFOLLOW and O_LARGEFILE are accepted and
 * ignored (symlinks are refused whatever the flags say).
 *
 * @example
 * ```ts
 * parseFlags("0x241", "linux"); // write, create, truncate
 * parseFlags("0x601", "legacy"); // the same open in BSD numbering
 * parseFlags("O_RDWR|O_APPEND", "linux"); // read, write, append
 * parseFlags("O_RDONLY|O_TRUNC", "linux"); // { errno: "EINVAL" }
 * parseFlags("0x4000000", "linux"); // { errno: "EINVAL" }: no such bit
 * ```
 */
export function parseFlags(token: string, table: "linux" | "legacy"): OpenSpec | Failure {
  const value = parseInteger(token);
  return value === undefined ? symbolic(token) : numeric(value, TABLES[table]);
}

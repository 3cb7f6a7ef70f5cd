/**
 * The `--fake=SPEC` string of burnerd (spec stand.md §4.1, §5.4): what the
 * simulated drive holds, how fast it is, and which burns fail how.
 *
 * @module
 */

import { EX, Fatal } from "../lib/exit.ts";
import type { DiscKind } from "./drive.ts";

/**
 * How an injected failure shows: `write` (write error at 40 %), `verify`
 * (one byte flipped on the disc), `short` (read-back ends early with EIO),
 * `stall` (output stops at 50 % until aborted), `stuck` (tray frozen from
 * then on), `vanish` (every call throws NODEV from then on).
 *
 * @example
 * ```ts
 * const kind: FakeFailKind = "verify";
 * ```
 */
export type FakeFailKind = "write" | "verify" | "short" | "stall" | "stuck" | "vanish";

/**
 * One failure rule: on the `burn`-th burn (1-based), or on each burn with
 * `probability`.
 *
 * @example
 * ```ts
 * const rules: FakeFailure[] = [{ kind: "verify", burn: 1 }, { kind: "write", probability: 0.1 }];
 * ```
 */
export type FakeFailure = { kind: FakeFailKind; burn: number } | { kind: FakeFailKind; probability: number };

/**
 * What the tray holds when the simulator starts.
 *
 * @example
 * ```ts
 * const start: FakeStart = "blank";
 * ```
 */
export type FakeStart = "blank" | "empty" | "open" | "used";

/**
 * A parsed SPEC. Rates are bytes per second, `reload` is seconds, `supply`
 * is the number of blanks (Infinity for `inf`), `capacity` is null for the
 * disc kind's default.
 *
 * @example
 * ```ts
 * const s: FakeSpec = parseFakeSpec("type=DVD,rate=64M");
 * ```
 */
export interface FakeSpec {
  type: DiscKind;
  disc: DiscKind;
  rate: number;
  read: number;
  capacity: number | null;
  supply: number;
  reload: number;
  start: FakeStart;
  fail: FakeFailure[];
  seed: number;
}

const KINDS: readonly string[] = ["write", "verify", "short", "stall", "stuck", "vanish"];
const STARTS: readonly string[] = ["blank", "empty", "open", "used"];

/**
 * Parses a SPEC: comma-separated `key=value` with keys `type`, `disc`,
 * `rate`, `read`, `capacity`, `supply`, `reload`, `start`, `fail`, `seed`;
 * the empty string gives the defaults (`type=CDR,rate=8M,reload=2`). Sizes
 * take K and M suffixes (1024 and 1048576). Throws {@linkcode Fatal} with
 * status 64 on anything else.
 *
 * @example
 * ```ts
 * parseFakeSpec("type=CDR,fail=verify@1+write@p0.25,seed=7").fail;
 * // [{ kind: "verify", burn: 1 }, { kind: "write", probability: 0.25 }]
 * ```
 */
export function parseFakeSpec(spec: string): FakeSpec {
  const given = new Map<string, string>();
  for (const pair of spec.split(",")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw bad(`"${pair}" is not key=value`);
    const key = pair.slice(0, eq);
    if (given.has(key)) throw bad(`${key} is given twice`);
    given.set(key, pair.slice(eq + 1));
  }
  const take = (key: string) => {
    const v = given.get(key);
    given.delete(key);
    return v;
  };
  const type = kind("type", take("type") ?? "CDR");
  const disc = kind("disc", take("disc") ?? type);
  const rate = size("rate", take("rate") ?? "8M");
  const readText = take("read");
  const capacityText = take("capacity");
  const supplyText = take("supply") ?? "inf";
  const out: FakeSpec = {
    type,
    disc,
    rate,
    read: readText === undefined ? 4 * rate : size("read", readText),
    capacity: capacityText === undefined ? null : size("capacity", capacityText),
    supply: supplyText === "inf" ? Infinity : count("supply", supplyText),
    reload: seconds(take("reload") ?? "2"),
    start: start(take("start") ?? "blank"),
    fail: failures(take("fail") ?? ""),
    seed: count("seed", take("seed") ?? "1"),
  };
  const unknown = [...given.keys()];
  if (unknown.length > 0) throw bad(`unknown key ${unknown[0]}`);
  return out;
}

function bad(why: string): Fatal {
  return new Fatal(
    `--fake: ${why}; use key=value pairs of type, disc, rate, read, capacity, supply, reload, start, fail, seed`,
    EX.USAGE,
  );
}

function kind(key: string, v: string): DiscKind {
  if (v === "CDR" || v === "DVD") return v;
  throw bad(`${key}=${v} is not CDR or DVD`);
}

function size(key: string, v: string): number {
  const m = /^(\d+)([KM]?)$/.exec(v);
  const n = m ? Number(m[1]) * (m[2] === "K" ? 1024 : m[2] === "M" ? 1048576 : 1) : 0;
  if (!Number.isSafeInteger(n) || n <= 0) throw bad(`${key}=${v} is not a positive size (K and M suffixes)`);
  return n;
}

function count(key: string, v: string): number {
  if (!/^\d{1,15}$/.test(v)) throw bad(`${key}=${v} is not a whole number`);
  return Number(v);
}

function seconds(v: string): number {
  if (!/^\d{1,9}(\.\d+)?$/.test(v)) throw bad(`reload=${v} is not a number of seconds`);
  return Number(v);
}

function start(v: string): FakeStart {
  if (STARTS.includes(v)) return v as FakeStart;
  throw bad(`start=${v} is not blank, empty, open or used`);
}

function failures(v: string): FakeFailure[] {
  if (v === "") return [];
  return v.split("+").map((rule) => {
    const m = /^([a-z]+)@(?:(\d{1,9})|p(0(?:\.\d+)?|1(?:\.0+)?))$/.exec(rule);
    const name = m?.[1];
    if (!m || name === undefined || !KINDS.includes(name) || m[2] === "0") {
      throw bad(`fail rule "${rule}" is not KIND@N or KIND@pP (kinds ${KINDS.join(", ")})`);
    }
    const k = name as FakeFailKind;
    return m[2] !== undefined ? { kind: k, burn: Number(m[2]) } : { kind: k, probability: Number(m[3]) };
  });
}

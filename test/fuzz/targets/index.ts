/**
 * Every fuzz target, area by area. Each area's module exports `targets`.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { targets as hw } from "./hw.ts";
import { targets as kdos } from "./kdos.ts";
import { targets as lib } from "./lib.ts";
import { targets as ninep } from "./ninep.ts";
import { targets as ptbw } from "./ptbw.ts";
import { targets as pzog } from "./pzog.ts";
import { targets as spree } from "./spree.ts";
import { targets as stand } from "./stand.ts";

/**
 * All targets, in report order.
 *
 * @example
 * ```ts
 * for (const t of ALL_TARGETS) console.log(t.name, Object.keys(t.properties).length);
 * ```
 */
export const ALL_TARGETS: readonly FuzzTarget[] = [
  ...lib,
  ...ptbw,
  ...pzog,
  ...ninep,
  ...spree,
  ...kdos,
  ...stand,
  ...hw,
];

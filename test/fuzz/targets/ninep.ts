/**
 * Fuzz targets of ninep: the 9P2000 codec and what surrounds it, one
 * module each under ninep/.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { codec } from "./ninep/codec.ts";
import { dirread } from "./ninep/dirread.ts";
import { framing } from "./ninep/framing.ts";
import { stat } from "./ninep/stat.ts";
import { toolInput } from "./ninep/tool-input.ts";
import { version } from "./ninep/version.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [codec, framing, stat, dirread, version, toolInput];

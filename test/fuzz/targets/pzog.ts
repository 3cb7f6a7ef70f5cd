/**
 * Fuzz targets of pzog: one module per target under ./pzog/.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { codec } from "./pzog/codec.ts";
import { content } from "./pzog/content.ts";
import { config } from "./pzog/config.ts";
import { escape } from "./pzog/escape.ts";
import { psprogOptions } from "./pzog/psprog-options.ts";
import { ring } from "./pzog/ring.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [codec, escape, content, ring, config, psprogOptions];

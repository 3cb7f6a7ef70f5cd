/**
 * Fuzz targets of ptbw: its wire protocol, command line and tags file.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { options } from "./ptbw/options.ts";
import { protocol } from "./ptbw/protocol.ts";
import { tags } from "./ptbw/tags.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [protocol, options, tags];

/**
 * Fuzz targets of lib: the parsers every program shares.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { cli } from "./lib/cli.ts";
import { dial } from "./lib/dial.ts";
import { framer } from "./lib/framer.ts";
import { lines } from "./lib/lines.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [dial, framer, lines, cli];

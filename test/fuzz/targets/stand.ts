/**
 * Fuzz targets of stand: the 'Buntu Stand protocol, standd's journal and
 * snapshot, the command lines of standd, burnerd and the frontends, and
 * burnerd's files. One module per group under stand/.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { codec } from "./stand/codec.ts";
import { burnerd, standd } from "./stand/config.ts";
import { idFile, isoCache } from "./stand/files.ts";
import { frontend } from "./stand/frontend.ts";
import { journal, snapshot } from "./stand/journal.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [codec, journal, snapshot, standd, burnerd, frontend, isoCache, idFile];

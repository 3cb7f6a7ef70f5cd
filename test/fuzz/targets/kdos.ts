/**
 * Fuzz targets of kdos: one module per target under ./kdos/.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { base64 } from "./kdos/base64.ts";
import { kdosConfig } from "./kdos/config.ts";
import { flags } from "./kdos/flags.ts";
import { wildcard } from "./kdos/glob.ts";
import { grammar } from "./kdos/grammar.ts";
import { ints } from "./kdos/ints.ts";
import { mailbox } from "./kdos/mailbox.ts";
import { names } from "./kdos/names.ts";
import { region } from "./kdos/region.ts";
import { reply } from "./kdos/reply.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [
  grammar,
  wildcard,
  base64,
  ints,
  flags,
  names,
  mailbox,
  reply,
  region,
  kdosConfig,
];

/**
 * Fuzz targets of spree: what clients write to ctl, and spreed's own
 * configuration inputs, one module each under spree/.
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { catalogue } from "./spree/catalogue.ts";
import { config } from "./spree/config.ts";
import { ctl } from "./spree/ctl.ts";
import { users } from "./spree/users.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [ctl, catalogue, users, config];

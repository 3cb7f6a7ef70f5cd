/**
 * `kdosd call`'s options (spec §9).
 *
 * @module
 */
import type { OptionsDef } from "../cli.ts";

/**
 * The options of `kdosd call`.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: KDOSD_CALL_META, manual: KDOSD_CALL_MANUAL, args: KDOSD_CALL_ARGS, run });
 * ```
 */
export const KDOSD_CALL_ARGS = {
  to: {
    type: "string",
    valueHint: "ADDR",
    default: "udp!127.0.0.1!7010",
    description: "the command mailbox (udp!HOST!PORT) or a gateway (tcp!HOST!PORT, unix!/PATH)",
  },
  from: {
    type: "string",
    valueHint: "ADDR",
    default: "udp!127.0.0.1!0",
    description: "the response mailbox to bind, over UDP",
  },
  tag: { type: "string", valueHint: "TAG", description: "the tag (default 0x and 8 random hex digits)" },
  timeout: { type: "string", valueHint: "SECS", default: "5", description: "how long to wait for the reply" },
  raw: { type: "boolean", description: "send the arguments, joined by spaces, as the whole command" },
  decode: { type: "boolean", description: "READX: the data to stdout, the reply's first three fields to stderr" },
  words: { type: "positional", multiple: true, required: false, description: "OP and its arguments" },
} as const satisfies OptionsDef;

#!/usr/bin/env -S bun
/**
 * kdosd — the KDOS file daemon: file access through mailbox messages
 * (UDP mailboxes, a shared-memory window), and `kdosd call`, its one-shot
 * client. See docs/kdosd.md.
 *
 * @module
 */
import { defineGnuCommand, numberOption, UsageError } from "../lib/cli.ts";
import { KDOSD_CALL_ARGS } from "../lib/kdos/call-args.ts";
import { KDOSD_ARGS, KDOSD_SINGLE_DASH, kdosdConfig } from "../lib/kdos/config.ts";
import { KDOSD_CALL_MANUAL, KDOSD_CALL_META, KDOSD_MANUAL, KDOSD_META, KDOSD_SERVE_META } from "../lib/kdos/help.ts";
import { runProgram } from "../lib/main.ts";

const serve = defineGnuCommand({
  meta: KDOSD_SERVE_META,
  manual: KDOSD_MANUAL,
  args: KDOSD_ARGS,
  singleDash: KDOSD_SINGLE_DASH,
  async run({ args }) {
    const cfg = kdosdConfig(args, process.env.VPERROR_PRINT);
    // The daemon is loaded only to run, so that -help and -version start fast.
    const { runKdosd } = await import("../lib/kdos/io/daemon.ts");
    return runKdosd(cfg);
  },
});

const call = defineGnuCommand({
  meta: KDOSD_CALL_META,
  manual: KDOSD_CALL_MANUAL,
  args: KDOSD_CALL_ARGS,
  async run({ args }) {
    if (args.words.length === 0) throw new UsageError("missing OP (STAT, READX, OPEN…)");
    const timeoutMs = numberOption("--timeout", args.timeout, { min: 0.001, max: 3600, fraction: true }) * 1000;
    const tag = args.tag ?? `0x${Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, "0")}`;
    const { runCall } = await import("../lib/kdos/io/call.ts");
    return runCall({
      to: args.to,
      from: args.from,
      tag,
      timeoutMs,
      raw: args.raw,
      decode: args.decode,
      words: args.words,
    });
  },
});

runProgram(defineGnuCommand({
  meta: KDOSD_META,
  manual: KDOSD_MANUAL,
  args: KDOSD_ARGS,
  singleDash: KDOSD_SINGLE_DASH,
  subCommands: { serve, call },
  default: "serve",
}));

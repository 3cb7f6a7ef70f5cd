#!/usr/bin/env -S bun
/**
 * spreed — Inferno's spree clique server (lobby, chat, games) served as a
 * 9P2000 file tree, and `spreed 9p`, a 9P2000 client. See docs/spreed.md.
 *
 * @module
 */
import { defineGnuCommand } from "../lib/cli.ts";
import { createLog } from "../lib/log.ts";
import { runProgram } from "../lib/main.ts";
import { NINEP_COMMAND } from "../lib/ninep/tool/command.ts";
import { SPREED_ARGS, spreedConfig } from "../lib/spree/config.ts";
import { SPREED_MANUAL, SPREED_META, SPREED_SERVE_META } from "../lib/spree/help.ts";

const serve = defineGnuCommand({
  meta: SPREED_SERVE_META,
  manual: SPREED_MANUAL,
  args: SPREED_ARGS,
  async run({ args }) {
    const cfg = spreedConfig(args);
    // The server is loaded only to serve, so that -V and --help start fast.
    const { runSpreed } = await import("../lib/spree/io/daemon.ts");
    return runSpreed(cfg, createLog("spreed", cfg.debug ? "debug" : "verbose"));
  },
});

runProgram(defineGnuCommand({
  meta: SPREED_META,
  manual: SPREED_MANUAL,
  args: SPREED_ARGS,
  subCommands: { serve, "9p": NINEP_COMMAND },
  default: "serve",
}));

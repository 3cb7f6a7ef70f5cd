/**
 * Preloaded by `bun test` (bunfig.toml): tests start real processes and
 * sockets, so they get a generous default limit on slow CI machines.
 */
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);

/**
 * Preloaded before the test files (bunfig.toml): what the helpers started
 * and made is stopped and removed when the run ends. A hook registered as a
 * helper module loads would belong to the first test file only: bun test
 * loads each module once per run.
 */
import { afterAll } from "bun:test";
import { removeTempDirs } from "./helpers/fs.ts";
import { killAll } from "./helpers/process.ts";

afterAll(async () => {
  await killAll();
  removeTempDirs();
});

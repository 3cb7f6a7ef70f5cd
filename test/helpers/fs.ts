/** Private temporary directories for tests, removed when the file ends. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "bun:test";

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory, mode 0700, removed after the test file. */
export function tempDir(label = "t"): string {
  const dir = mkdtempSync(join(tmpdir(), `unt-${label}-`));
  made.push(dir);
  return dir;
}

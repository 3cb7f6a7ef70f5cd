/** Private temporary directories for tests, removed when the run ends (test/setup.ts). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/** A new empty directory, mode 0700, in $TMPDIR. */
export function tempDir(label = "t"): string {
  const dir = mkdtempSync(join(tmpdir(), `unt-${label}-`));
  made.push(dir);
  return dir;
}

/** Remove every directory {@link tempDir} made. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

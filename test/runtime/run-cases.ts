/**
 * Run one piece's cases (test/runtime/cases/<piece>.ts) outside `bun test`,
 * on whatever runtime runs this file; Deno in practice:
 *
 *   deno run -A test/runtime/run-cases.ts <piece>
 *
 * Prints one JSON line per case, `{"name", "ok", "message"?}`, and exits 1
 * if any failed. It ends by itself: a timer or socket a piece leaves behind
 * keeps it running, which the caller reports.
 */
import { TIMED_OUT, withTimeout } from "../../lib/runtime/time.ts";
import type { Case } from "./cases/support.ts";

const piece = process.argv[2] ?? "";
if (!/^[a-z-]+$/.test(piece)) {
  process.stderr.write("usage: run-cases.ts <piece>\n");
  process.exit(64);
}
const { cases } = (await import(`./cases/${piece}.ts`)) as { cases: Case[] };
let failed = 0;
for (const c of cases) {
  let message: string | undefined;
  try {
    const outcome = await withTimeout(Promise.resolve().then(c.run), c.timeoutMs ?? 20000);
    if (outcome === TIMED_OUT) message = `timed out after ${c.timeoutMs ?? 20000} ms`;
  } catch (err) {
    message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (message !== undefined) failed++;
  process.stdout.write(`${JSON.stringify({ name: c.name, ok: message === undefined, message })}\n`);
}
process.exitCode = failed === 0 ? 0 : 1;

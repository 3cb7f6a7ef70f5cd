/**
 * T_raw of bench/stand.ts (spec stand.md §9, B2): the Drive calls burnerd
 * makes on a fake drive between BURN and PASS, made directly on an
 * identically configured FakeDrive with a real clock — `media()`, then
 * `burn()` (its simulated tool text through the real progress parser and
 * tracker), then `readBack()` of the image's bytes (fake drives skip the
 * reload), and the md5 compared as burnerd compares it.
 *
 * It runs as a child process of the bench, like burnerd, so that load on
 * the bench's own event loop (the simulated burners) does not delay its
 * timers.
 *
 * Usage: `bun bench/stand-raw.ts SPEC IMAGE BYTES MD5`; prints one JSON
 * line `{"ms","burnMs","readMs"}` and exits 0, or 1 with a message if the
 * sequence does not end as a good disc.
 *
 * @module
 */
import { FakeDrive } from "../hw/fake.ts";
import { parseFakeSpec } from "../hw/fake-spec.ts";

async function main(): Promise<void> {
  const [spec, imagePath, bytesText, md5] = process.argv.slice(2);
  if (md5 === undefined) throw new Error("usage: bun bench/stand-raw.ts SPEC IMAGE BYTES MD5");
  const imageBytes = Number(bytesText);
  const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const drive = new FakeDrive(parseFakeSpec(spec!), { clock });
  const signal = new AbortController().signal;
  let percent = 0;
  const t0 = performance.now();
  const media = await drive.media();
  if (!media.blank) throw new Error("the fake drive holds no blank disc");
  const burned = await drive.burn({ imagePath: imagePath!, imageBytes, tool: "cdrskin" }, (e) => {
    if (e.kind === "progress") percent = e.percent;
  }, signal);
  const t1 = performance.now();
  if (!burned.ok) throw new Error(`the fake burn failed: ${burned.failure?.line ?? `exit ${burned.exitCode}`}`);
  const read = await drive.readBack(imageBytes, signal);
  const t2 = performance.now();
  if (read.bytes !== imageBytes || read.md5 !== md5) throw new Error(`read-back: ${read.bytes} bytes, md5 ${read.md5}`);
  if (percent < 75) throw new Error(`the parser saw only ${percent} %`);
  console.log(JSON.stringify({ ms: t2 - t0, burnMs: t1 - t0, readMs: t2 - t1 }));
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(`stand-raw: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}

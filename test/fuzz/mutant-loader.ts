/**
 * Preloaded into a fuzz worker by `npm run fuzz -- --mutant NAME`
 * (`bun test --preload ./test/fuzz/mutant-loader.ts`): serves the source
 * file of the mutant named in $UNT_FUZZ_MUTANT with its bug planted
 * (test/fuzz/mutants.ts), through Bun's runtime plugin API, so nothing on
 * disk changes.
 *
 * @module
 */
import { plugin } from "bun";
import { join, resolve } from "node:path";
import { mutantNamed, mutate } from "./mutants.ts";

const ROOT = join(import.meta.dir, "../..");
const name = process.env.UNT_FUZZ_MUTANT ?? "";
const mutant = mutantNamed(name);
if (mutant === undefined) throw new Error(`mutant-loader: no mutant "${name}" in test/fuzz/mutants.ts`);
const path = resolve(ROOT, mutant.file);
const contents = mutate(mutant, ROOT);

plugin({
  name: `unt-fuzz-mutant-${mutant.name}`,
  setup(build) {
    const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    build.onLoad({ filter: new RegExp(`^${escaped}$`) }, () => ({ contents, loader: "ts" }));
  },
});

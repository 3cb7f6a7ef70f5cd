/**
 * The acceptance preamble of the ptbw spec (§9): a clean environment with
 * the built ptbw first in PATH, a private TMPDIR, and the fixture files.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/fs.ts";
import { binary, DIST } from "../helpers/process.ts";
import { RawStream } from "../helpers/raw.ts";

/** Environment and fixture paths for one test. */
export interface World {
  env: Record<string, string | undefined>;
  /** The private TMPDIR the managers use. */
  tmp: string;
  /** The fixture directory ($T in the spec). */
  T: string;
  ptbw: string;
}

/** Variables the spec's preamble unsets (and any other ptbw/xclate ones). */
function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ptbw_|PTBW|xcl_|MAKEFLAGS$|MAKELEVEL$|MFLAGS$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/**
 * A fresh world: clean env, private TMPDIR, fixtures in T, and `$T/hold
 * READY GO`, a client command that creates READY once it runs (holding its
 * tokens) and keeps them until GO exists: scripts order their steps on
 * those files instead of sleeping.
 */
export function world(): World {
  const tmp = tempDir("tmpdir");
  const T = tempDir("T");
  const files: Record<string, string> = {
    cua: "# $Source: modems $\n/dev/cua01\n/dev/cua02\n#/dev/cua03\n/dev/cua04\n",
    ten: Array.from({ length: 10 }, (_, i) => `tok${i}\n`).join(""),
    a: "a1\na2\na3\n",
    b: "b1\nb2\nb3\n",
    cmt: "#comment\ntoken1\ntoken2\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(T, name), text);
  writeFileSync(join(T, "hold"), '#!/bin/sh\n: >"$1"\nuntil [ -e "$2" ]; do sleep 0.02; done\n');
  chmodSync(join(T, "hold"), 0o755);
  const env = cleanEnv();
  env.PATH = `${DIST}:${env.PATH ?? "/usr/bin:/bin"}`;
  env.TMPDIR = tmp;
  env.T = T;
  return { env, tmp, T, ptbw: binary("ptbw") };
}

/** The rows of a tableau listing `tokens`, all free. */
export function freeRows(tokens: string[]): string {
  return tokens.map((t, i) => `${String(i).padStart(6)}\t0\t${t}\n`).join("");
}

/** A raw protocol-0.4 connection to the manager at `path`, identified as `pid` when given. */
export async function connect(path: string, pid?: number | string): Promise<RawStream> {
  const c = await RawStream.unix(path);
  if (pid !== undefined) c.send(`${pid}\n`);
  return c;
}

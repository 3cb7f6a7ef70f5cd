/**
 * Test engines for the clique core: each engine is a script of optional
 * callbacks (defaults: init, join and commands succeed, leave removes), and
 * a world built from scripts by name. The lobby script is required, as in
 * spreed; helpers read a fid's updates as text.
 */
import type { CliqueApi, Engine, EngineModules, GatherGame, Member } from "../../lib/spree/engine.ts";
import type { CtlFid } from "../../lib/spree/clique.ts";
import { World } from "../../lib/spree/world.ts";

/** What a test engine does; every callback gets its clique. */
export interface Script {
  init?(c: CliqueApi, argv: string[]): string;
  join?(c: CliqueApi, m: Member, text: string, suspended: boolean): string;
  leave?(c: CliqueApi, m: Member): boolean;
  command?(c: CliqueApi, m: Member, text: string): string;
  notify?(c: CliqueApi, from: number, note: string): void;
  readfile?(c: CliqueApi, f: number, offset: bigint, count: number): Uint8Array;
}

class Scripted implements Engine {
  #c!: CliqueApi;
  constructor(private readonly s: Script) {}
  init(c: CliqueApi, argv: string[]): string {
    this.#c = c;
    return this.s.init?.(c, argv) ?? "";
  }
  join(m: Member, text: string, suspended: boolean): string {
    return this.s.join?.(this.#c, m, text, suspended) ?? "";
  }
  leave(m: Member): boolean {
    return this.s.leave?.(this.#c, m) ?? true;
  }
  command(m: Member, text: string): string {
    return this.s.command?.(this.#c, m, text) ?? "";
  }
  notify(from: number, note: string): void {
    this.s.notify?.(this.#c, from, note);
  }
  readfile(f: number, offset: bigint, count: number): Uint8Array {
    return this.s.readfile?.(this.#c, f, offset, count) ?? new Uint8Array(0);
  }
}

/** Modules of scripted engines by name; unknown names fail as spreed's registry does. */
export function scriptedModules(scripts: Record<string, Script>): EngineModules {
  return {
    engine: (name) =>
      Object.hasOwn(scripts, name)
        ? new Scripted(scripts[name]!)
        : `cannot load engine: '/dis/spree/engines/${name}.dis' does not exist`,
    game: (name): GatherGame | string => `bad module: '/dis/spree/engines/${name}.dis' does not exist`,
  };
}

/** A world of scripted engines (the `lobby` script defaults to one that starts at once), and its log. */
export function scriptedWorld(
  scripts: Record<string, Script>,
  opts: { maxCliques?: number; queueLimit?: number } = {},
): { world: World; logs: string[] } {
  const logs: string[] = [];
  const world = new World({
    modules: scriptedModules({ lobby: { init: (c) => (c.start(), "") }, ...scripts }),
    maxCliques: opts.maxCliques ?? 1000,
    queueLimit: opts.queueLimit ?? 1 << 20,
    log: (level, text) => logs.push(`${level}: ${text}`),
  });
  return { world, logs };
}

const decoder = new TextDecoder();

/** A read of `count` bytes as text; `"(wait)"` when it would be held. */
export function readText(fid: CtlFid, count = 8192): string {
  const r = fid.read(count);
  if (r === undefined) return "(wait)";
  return typeof r === "string" ? `(${r})` : decoder.decode(r);
}

/** Everything queued for `fid`, read in 8 KiB reads, the `\n*` continuations removed. */
export function drain(fid: CtlFid): string {
  let out = "";
  for (;;) {
    const r = fid.read(8192);
    if (r === undefined || typeof r === "string" || r.length === 0) return out;
    const text = decoder.decode(r);
    out += text.endsWith("\n*") ? text.slice(0, -2) : text;
  }
}

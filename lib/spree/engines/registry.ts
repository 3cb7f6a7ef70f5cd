/**
 * The engines spreed ships (spec §7.3), one line each, and loading them by
 * name with the original's errors, which name Inferno's `.dis` paths.
 *
 * @module
 */

import type { CatalogueEntry, Engine, EngineContext, EngineModules, GatherGame } from "../engine.ts";
import { Chat } from "./chat.ts";
import { Gather } from "./gather.ts";
import { Lobby } from "./lobby.ts";
import { Othello } from "./othello.ts";

/** An engine or gather game, and how to make a fresh one. */
type Module =
  | { readonly name: string; readonly kind: "engine"; readonly make: (ctx: EngineContext) => Engine }
  | { readonly name: string; readonly kind: "game"; readonly make: (ctx: EngineContext) => GatherGame };

const MODULES: readonly Module[] = [
  { name: "lobby", kind: "engine", make: (ctx) => new Lobby(ctx) },
  { name: "gather", kind: "engine", make: (ctx) => new Gather(ctx) },
  { name: "othello", kind: "game", make: () => new Othello() },
  { name: "chat", kind: "engine", make: () => new Chat() },
];

/**
 * Every engine and game name spreed knows, for checking `--engines`.
 *
 * @example
 * ```ts
 * ENGINE_NAMES; // ["lobby", "gather", "othello", "chat"]
 * ENGINE_NAMES.includes("whist"); // false
 * ```
 */
export const ENGINE_NAMES: readonly string[] = MODULES.map((m) => m.name);

/** The path the original loaded a module from; its load errors name it. */
const dis = (name: string) => `'/dis/spree/engines/${name}.dis'`;

/**
 * The modules of `names` (undefined: all of them), for cliques whose lobbies
 * show `catalogue`. Names not installed, or of the wrong kind, give the
 * original's load errors; a game missing under gather says `does not exist`
 * as the original's `bad module: %r` did for a missing file.
 *
 * @example
 * ```ts
 * const modules = installEngines(["lobby", "gather", "othello"], INFERNO);
 * modules.engine("chat"); // "cannot load engine: '/dis/spree/engines/chat.dis' does not exist"
 * modules.engine("othello"); // "cannot load engine: '/dis/spree/engines/othello.dis' is not an engine"
 * modules.game("lobby"); // "bad module: '/dis/spree/engines/lobby.dis' is not a gather game"
 * modules.game("whist"); // "bad module: '/dis/spree/engines/whist.dis' does not exist"
 * ```
 */
export function installEngines(
  names: readonly string[] | undefined,
  catalogue: readonly CatalogueEntry[],
): EngineModules {
  const installed = new Map(MODULES.filter((m) => names?.includes(m.name) ?? true).map((m) => [m.name, m]));
  const modules: EngineModules = {
    engine(name) {
      const m = installed.get(name);
      if (m === undefined) return `cannot load engine: ${dis(name)} does not exist`;
      return m.kind === "engine" ? m.make(ctx) : `cannot load engine: ${dis(name)} is not an engine`;
    },
    game(name) {
      const m = installed.get(name);
      if (m === undefined) return `bad module: ${dis(name)} does not exist`;
      return m.kind === "game" ? m.make(ctx) : `bad module: ${dis(name)} is not a gather game`;
    },
  };
  const ctx: EngineContext = { modules, catalogue };
  return modules;
}

/** lib/runtime/signals.ts: every signal through one hook. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCommand } from "../../../lib/runtime/process.ts";
import { type Case, FIXTURES, scriptArgv, waitFor } from "./support.ts";

/** The fixture running, the lines it printed, and a way to signal it. */
function start(...args: string[]) {
  const lines: string[] = [];
  const command = runCommand(scriptArgv(join(FIXTURES, "signals.ts"), ...args), {
    stdout: { onLine: (line) => lines.push(line.text) },
    timeoutMs: 20_000,
  });
  const signal = async (name: NodeJS.Signals, answer: string) => {
    const before = lines.length;
    process.kill(command.pid!, name);
    await waitFor(`the answer to ${name}`, () => lines.length > before);
    assert.equal(lines.at(-1), answer);
  };
  return { command, lines, signal };
}

export const cases: Case[] = [
  {
    name: "SIGHUP and SIGUSR1 reach their hooks and the program goes on; SIGTERM reaches shutdown",
    run: async () => {
      const p = start();
      await waitFor("the fixture to be ready", () => p.lines.includes("ready"));
      await p.signal("SIGHUP", "hangup");
      await p.signal("SIGUSR1", "user1");
      await p.signal("SIGUSR1", "user1");
      await p.signal("SIGTERM", "shutdown SIGTERM");
      const end = await p.command.ended;
      assert.ok("status" in end && end.status === 0, JSON.stringify(end));
    },
  },
  {
    name: "SIGINT is a shutdown too, named as such",
    run: async () => {
      const p = start();
      await waitFor("the fixture to be ready", () => p.lines.includes("ready"));
      await p.signal("SIGINT", "shutdown SIGINT");
      const end = await p.command.ended;
      assert.ok("status" in end && end.status === 0, JSON.stringify(end));
    },
  },
  {
    name: "dieOf ends the program by the signal itself, as its parent sees in the wait status",
    run: async () => {
      const p = start("die");
      await waitFor("the fixture to be ready", () => p.lines.includes("ready"));
      process.kill(p.command.pid!, "SIGHUP");
      const end = await p.command.ended;
      assert.ok("status" in end, JSON.stringify(end));
      assert.deepEqual([end.signal, end.status], ["SIGHUP", 129]);
      assert.deepEqual(p.lines, ["ready", "hangup"]);
    },
  },
];

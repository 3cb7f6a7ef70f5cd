/**
 * A Runner (hw/runner.ts) that answers from recorded outputs instead of
 * running anything, and remembers what it was asked to run and kill.
 */
import type { ChildExit, ChildHandle, Runner, RunResult } from "../../hw/runner.ts";

/**
 * What a recorded command does: its output (a string, or chunks delivered
 * one by one), its exit code or signal, a spawn failure (`error`), a hit
 * time limit (`timedOut`, run only), or `hang`: it prints its output and
 * then waits to be killed (`"ignore-term"`: it dies only of SIGKILL).
 */
export interface Recording {
  stdout?: string | (string | Uint8Array)[];
  stderr?: string | (string | Uint8Array)[];
  code?: number | null;
  signal?: string | null;
  error?: string;
  timedOut?: boolean;
  hang?: true | "ignore-term";
}

const chunks = (out: Recording["stdout"]): Uint8Array[] =>
  (typeof out === "string" ? [out] : out ?? []).map((c) => typeof c === "string" ? new TextEncoder().encode(c) : c);

/** Answers each command with `answer(argv)`; `calls`, `timeouts` (of runs) and `kills` record what happened. */
export class RecordedRunner implements Runner {
  readonly calls: string[][] = [];
  readonly timeouts: (number | undefined)[] = [];
  readonly kills: string[] = [];

  constructor(private readonly answer: (argv: string[]) => Recording) {}

  run(argv: string[], o: { timeoutMs?: number } = {}): Promise<RunResult> {
    this.calls.push(argv);
    this.timeouts.push(o.timeoutMs);
    const r = this.answer(argv);
    const text = (out: Recording["stdout"]) => chunks(out).map((c) => new TextDecoder().decode(c)).join("");
    if (r.error !== undefined) return Promise.resolve({ code: null, stdout: "", stderr: "", error: r.error });
    const result: RunResult = { code: r.timedOut ? null : r.code ?? 0, stdout: text(r.stdout), stderr: text(r.stderr) };
    if (r.timedOut) result.timedOut = true;
    return Promise.resolve(result);
  }

  spawn(argv: string[]): ChildHandle {
    this.calls.push(argv);
    const r = this.answer(argv);
    let consumer: ((stream: "stdout" | "stderr", chunk: Uint8Array) => void) | undefined;
    let killed: (signal: string) => void = () => {};
    const died = new Promise<string>((resolve) => (killed = resolve));
    const exit = (async (): Promise<ChildExit> => {
      if (r.error !== undefined) return { code: null, signal: null, error: r.error };
      // Output arrives only once someone listens, one chunk per turn of the event loop.
      while (consumer === undefined) await tick();
      for (const stream of ["stdout", "stderr"] as const) {
        for (const c of chunks(r[stream])) {
          consumer(stream, c);
          await tick();
        }
      }
      if (r.hang === undefined) return { code: r.code ?? 0, signal: r.signal ?? null };
      return { code: null, signal: await died };
    })();
    const kills = this.kills;
    return {
      onOutput: (c) => (consumer = c),
      exit,
      kill(signal) {
        kills.push(signal);
        if (signal === "SIGKILL" || r.hang !== "ignore-term") killed(signal);
      },
    };
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

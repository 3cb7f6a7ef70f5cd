/**
 * ptbw's `-h` and `-V` texts.
 *
 * @module
 */
import { DIRECTORY_TEMPLATE, type Env, PREFIX, type TraceInput, versionTrace } from "./discovery.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";

/**
 * Our product version (the first `-V` line).
 *
 * @example
 * ```ts
 * `ptbw ${PTBW_VERSION}`; // "ptbw 1.0.0"
 * ```
 */
export const PTBW_VERSION = "1.0.0";

const SYNOPSIS = [
  " [-AqQ] [-depth] [-R req] [-t tags] [client]",
  " -h",
  " -V",
  " -m [-dqQ] [-depth] [-J jobs] [-N path] [-R req] [-t tags] [utility]",
];

const OPTIONS = [
  "-depth  select an outer diversion, depth steps away",
  "A       append resources to the client argument list",
  "d       do not publish this level in the linked environment",
  "h       print this help message",
  "J jobs  number of parallel tasks expected",
  "m       manage output for descendant processes",
  "utility control process for task coordination",
  "N path  force a UNIX domain name for this service",
  "q       be quiet, do not complain about constrained resources",
  "Q       tell the enclosing persistent instance to finish",
  "R req   allocate req tags for this instance",
  "t tags  source which contains controlled resource tags",
  "V       show version information",
  "client  client command",
  "--fifo           serve waiting requests in arrival order (after -m)",
  "--jobserver[=fifo] export a make jobserver backed by the pool (after -m)",
  "--json           print the tableau as JSON",
  "--timeout secs   give up waiting for tokens after secs seconds (exit 75)",
  "--try            do not wait for tokens (exit 75 when busy)",
];

/**
 * The `-h` text.
 *
 * @example
 * ```ts
 * helpText("ptbw").split("\n")[0]; // "ptbw: usage [-AqQ] [-depth] [-R req] [-t tags] [client]"
 * ```
 */
export function helpText(prog: string): string {
  return [...SYNOPSIS.map((s) => `${prog}: usage${s}`), ...OPTIONS].join("\n") + "\n";
}

/**
 * ptbw's default pool size for `ncpu` online CPUs: 1 + ⌊7·ncpu/4⌋.
 *
 * @example
 * ```ts
 * defaultTokenCount(2); // 4
 * defaultTokenCount(8); // 15
 * ```
 */
export function defaultTokenCount(ncpu: number): number {
  return 1 + Math.floor((7 * ncpu) / 4);
}

/**
 * The `-V` text.
 *
 * @example
 * ```ts
 * versionText({}, { prog: "ptbw", depth: 0, tags: undefined, lstat: () => null }, "Bun", 2);
 * // "ptbw: ptbw 1.0.0 (Bun)\nptbw: default number of tokens: 4\n…"
 * ```
 */
export function versionText(env: Env, input: TraceInput, runtime: string, ncpu: number): string {
  const { prog } = input;
  const { warning, tags, trace } = versionTrace(env, input);
  const lines = [
    `${prog}: ptbw ${PTBW_VERSION} (${runtime})`,
    `${prog}: default number of tokens: ${defaultTokenCount(ncpu)}`,
    ...(warning === undefined ? [] : [warning]),
    `${prog}: environment prefix "${PREFIX}"`,
    `${prog}: environment tags: "link", "list", "d", "${tags}"`,
    `${prog}: protocol version ${PROTOCOL_VERSION}`,
    `${prog}: safe directory template: ${DIRECTORY_TEMPLATE}`,
    ...trace,
  ];
  return lines.join("\n") + "\n";
}

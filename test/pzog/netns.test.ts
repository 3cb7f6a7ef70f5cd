/**
 * Real hosts (issue 3, item 4): five network namespaces on a bridge, one
 * pzog per namespace on its own address, psprog in a sixth. One node's
 * link is cut mid-stream (its bridge port goes down, so TCP just stalls)
 * and restored; the ring must converge with every acknowledged line
 * exactly once on every node. Needs root (CI runs as root); elsewhere the
 * test says it is skipped.
 *
 * Namespace and interface names carry a random tag, so two runs at once do
 * not meet; addresses and ports are fixed, as each run's namespaces are its
 * own. Whatever the test built is removed however it ends.
 */
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/fs.ts";
import { waitFor } from "../helpers/net.ts";
import { type Background, background, binary } from "../helpers/process.ts";
import { NAMES } from "./testring.ts";

const isRoot = process.getuid?.() === 0;
const canNetns = isRoot && spawnSync("ip", ["netns", "list"]).status === 0;
if (!canNetns) console.warn("netns.test.ts: SKIPPED: building network namespaces needs root and iproute2");

// Interface names have at most 15 characters: pzv + 8 + h + 1.
const tag = randomBytes(4).toString("hex");
const hub = `pzh${tag}`;
const nodeNs = (i: number) => `pzn${tag}-${i}`;
const hubPort = (i: number) => `pzv${tag}h${i}`;
const address = (i: number) => `10.77.0.${i + 1}`;
const hubAddress = "10.77.0.100";
const PEER_PORT = 55552;
const CLIENT_PORT = 55551;

function ip(...args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
}

function buildNetwork(): void {
  ip("netns", "add", hub);
  ip("-n", hub, "link", "set", "lo", "up");
  ip("-n", hub, "link", "add", "br0", "type", "bridge");
  ip("-n", hub, "addr", "add", `${hubAddress}/24`, "dev", "br0");
  ip("-n", hub, "link", "set", "br0", "up");
  for (let i = 0; i < 5; i++) {
    ip("netns", "add", nodeNs(i));
    ip("-n", nodeNs(i), "link", "set", "lo", "up");
    ip("link", "add", hubPort(i), "netns", hub, "type", "veth", "peer", "name", "eth0", "netns", nodeNs(i));
    ip("-n", hub, "link", "set", hubPort(i), "master", "br0", "up");
    ip("-n", nodeNs(i), "addr", "add", `${address(i)}/24`, "dev", "eth0");
    ip("-n", nodeNs(i), "link", "set", "eth0", "up");
  }
}

/** Delete the namespaces (with them the veths and the bridge); those never made are no error. */
function tearDown(): void {
  for (const ns of [hub, ...[0, 1, 2, 3, 4].map(nodeNs)]) spawnSync("ip", ["netns", "del", ns]);
}

const ringList = NAMES.map((n, i) => `${n}=${address(i)}:${PEER_PORT}`).join(",");

test.if(canNetns)("five namespaces: a node cut off mid-stream catches up, and all five logs agree", async () => {
  const started: Background[] = [];
  try {
    buildNetwork();
    await cutAndRestore(started);
  } finally {
    // The processes first: a namespace outlives its name while anything runs in it.
    for (const proc of started) {
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch {
        // Ended already.
      }
    }
    await Promise.all(started.map((proc) => proc.exited));
    tearDown();
  }
}, 180_000);

/** The ring and psprog in the namespaces (each process added to `started`), one node cut and restored. */
async function cutAndRestore(started: Background[]): Promise<void> {
  const dir = tempDir("netns");
  const nodes: Background[] = [];
  const startNode = (i: number) => {
    const cwd = join(dir, NAMES[i]!);
    if (!existsSync(cwd)) mkdirSync(cwd);
    const node = background(
      [
        "ip",
        "netns",
        "exec",
        nodeNs(i),
        binary("pzog"),
        "--name",
        NAMES[i]!,
        "--ring",
        ringList,
        "-p",
        String(CLIENT_PORT),
        "--log-dir",
        "logs",
        "--spool-dir",
        "spool",
        "--keepalive",
        "1",
        "--ack-timeout",
        "2",
        "--connect-timeout",
        "2",
        "--redial-max",
        "2",
      ],
      { cwd },
    );
    nodes[i] = node;
    started.push(node);
  };
  const log = (i: number, file: string) => {
    const path = join(dir, NAMES[i]!, "logs", file);
    return existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n").filter(Boolean) : [];
  };
  for (let i = 0; i < 5; i++) startNode(i);
  for (let i = 0; i < 5; i++) {
    await waitFor(
      `${NAMES[i]} links`,
      () => log(i, "error.log").filter((l) => / peer-up /.test(l)).length >= 4,
      20_000,
    );
  }

  const plog = join(dir, "plog");
  const psprog = background(
    [
      "ip",
      "netns",
      "exec",
      hub,
      binary("psprog"),
      "--ring",
      ringList,
      "-p",
      String(CLIENT_PORT),
      "-n",
      "600",
      "-i",
      "0.01",
      "--timeout",
      "2",
      "--log-dir",
      plog,
    ],
  );
  started.push(psprog);
  await waitFor("the stream to reach sm", () => log(3, "access.log").length >= 50, 30_000);
  ip("-n", hub, "link", "set", hubPort(3), "down");
  // Cut until its peers notice (ack timeout) and bypass it.
  await waitFor(
    "peer-down sm",
    () => [0, 1, 2, 4].some((i) => log(i, "error.log").some((l) => / peer-down sm /.test(l))),
    30_000,
  );
  ip("-n", hub, "link", "set", hubPort(3), "up");
  await psprog.exited;

  const outcomes = readFileSync(join(plog, "psprog.log"), "utf8").trimEnd().split("\n").map((l) => l.split(" "));
  const acked = outcomes.filter((w) => w[3] === "ok").map((w) => w.slice(4).join(" "));
  expect(outcomes.length).toBe(600);
  expect(acked.length).toBeGreaterThan(400);

  const bodies = (i: number) => log(i, "access.log").map((l) => l.slice(20)).sort();
  await waitFor("convergence", () => {
    const ref = bodies(0).join("\n");
    return acked.every((a) => bodies(0).includes(a)) && [1, 2, 3, 4].every((i) => bodies(i).join("\n") === ref);
  }, 60_000);
  const reference = bodies(0);
  for (const line of acked) expect(reference.filter((b) => b === line).length).toBe(1);
  for (let i = 0; i < 5; i++) {
    const b = bodies(i);
    expect({ node: NAMES[i], dups: b.filter((x, k) => b[k - 1] === x) }).toEqual({ node: NAMES[i], dups: [] });
  }
  for (const node of nodes) process.kill(node.pid, "SIGTERM");
  for (const node of nodes) expect((await node.exited).code).toBe(0);
}

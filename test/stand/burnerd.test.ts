/**
 * The built burnerd against a scripted stand server: a whole burn to PASS
 * on the simulator and on xorriso's stdio: pseudo-drive, a write error
 * ending FAIL, and SIGTERM in the middle of a burn finishing the job.
 */
import { describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { encode } from "../../lib/stand/codec.ts";
import { FrameReader } from "../../lib/stand/framing.ts";
import type { Message } from "../../lib/stand/messages.ts";
import { tempDir } from "../helpers/fs.ts";
import { Signal, waitFor } from "../helpers/net.ts";
import { type Background, background, binary, run } from "../helpers/process.ts";

/** A stand server that speaks first, answers ID and ASKCAP with CAPAB, and records what burners say. */
class ScriptedStand {
  readonly heard: Message[] = [];
  readonly wake = new Signal();
  #server: Server | undefined;
  #socket: Socket | undefined;
  port = 0;

  async listen(): Promise<void> {
    this.#server = createServer((socket) => {
      this.#socket = socket;
      const reader = new FrameReader();
      socket.write(encode({ type: "IDENT", ver: "V1" }));
      socket.on("data", (bytes: Buffer) => {
        for (const e of reader.push(bytes)) {
          if (e.kind !== "message") throw new Error(`burnerd sent a bad frame: ${JSON.stringify(e)}`);
          this.heard.push(e.message);
          if (e.message.type === "ID" || e.message.type === "ASKCAP") this.send({ type: "CAPAB" });
        }
        this.wake.notify();
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    const at = this.#server.address();
    this.port = typeof at === "object" && at ? at.port : 0;
  }

  send(m: Message): void {
    this.#socket?.write(encode(m));
  }

  /** Wait for a message `pick` accepts, heard after index `from`; resolves with its index. */
  async expect(what: string, pick: (m: Message) => boolean, from = 0, timeout = 20_000): Promise<number> {
    return await waitFor(what, () => {
      const i = this.heard.findIndex((m, n) => n >= from && pick(m));
      return i < 0 ? 0 : i + 1;
    }, { timeout, wake: this.wake, state: () => this.shown() }) - 1;
  }

  /** What was heard, one line each, TABs as spaces. */
  shown(from = 0): string {
    return this.heard.slice(from).map(line).join("\n");
  }

  close(): void {
    this.#socket?.destroy();
    this.#server?.close();
  }
}

function line(m: Message): string {
  return new TextDecoder().decode(encode(m)).replace(/\r\n\r\n$/, "").replaceAll("\t", " ");
}

/** A directory with one image of `bytes` random bytes: its md5 and paths. */
function imageDir(bytes: number): { dir: string; isos: string; image: string; hash: string } {
  const dir = tempDir("burnerd");
  const isos = join(dir, "isos");
  mkdirSync(isos);
  const data = randomBytes(bytes);
  const image = join(isos, "test.iso");
  writeFileSync(image, data);
  writeFileSync(`${image}.txt`, "Test disc\n\nRandom data.\n");
  return { dir, isos, image, hash: createHash("md5").update(data).digest("hex") };
}

async function ready(stand: ScriptedStand, hash: string): Promise<void> {
  await stand.expect("CAP with the image", (m) => m.type === "CAP" && m.hashes.includes(hash));
  await stand.expect("AVAIL", (m) => m.type === "STATUS_MEDIA" && m.state === "AVAIL");
}

/** The job's lines from `from` on, as text. */
function jobLines(stand: ScriptedStand, hash: string, from: number): string[] {
  return stand.heard.slice(from).filter((m) => ("hash" in m && m.hash === hash) || m.type === "ERROR").map(line);
}

async function stop(proc: Background): Promise<number | null> {
  proc.child.kill("SIGTERM");
  return (await proc.exited).code;
}

describe("burnerd on the simulator", () => {
  test("handshake, INFO, a burn with 25/50/75, 100 TIME and PASS, then AVAIL again; exit 0 on SIGTERM", async () => {
    const { dir, isos, hash } = imageDir(8 << 20);
    const stand = new ScriptedStand();
    await stand.listen();
    const idFile = join(dir, "state", "fake.id");
    const proc = background([
      binary("burnerd"),
      "--fake=rate=64M,reload=0",
      "--iso-dir",
      isos,
      "--id-file",
      idFile,
      "--server",
      `127.0.0.1:${stand.port}`,
    ]);
    try {
      await ready(stand, hash);
      const id = stand.heard.find((m) => m.type === "ID");
      expect(id).toMatchObject({ type: "ID", ver: "V1", ctype: "BURNCDR" });
      expect(readFileSync(idFile, "utf8")).toBe(`${(id as { id: string }).id}\n`);
      expect(existsSync(join(dir, "state", "md5cache.json"))).toBe(true);
      stand.send({ type: "WHATIS", hash });
      await stand.expect("INFO", (m) => m.type === "INFO");
      expect(stand.heard.find((m) => m.type === "INFO")).toEqual({
        type: "INFO",
        hash,
        filename: "test.iso",
        description: "Test disc\r\n \r\nRandom data.",
        bytes: 8 << 20,
      });
      const from = stand.heard.length;
      stand.send({ type: "BURN", hash });
      const verdict = await stand.expect("the verdict", (m) => m.type === "STATUS_VERDICT", from);
      const lines = jobLines(stand, hash, from);
      expect(lines.slice(0, 4)).toEqual([
        `STATUS ${hash} 0`,
        `STATUS ${hash} 25`,
        `STATUS ${hash} 50`,
        `STATUS ${hash} 75`,
      ]);
      expect(lines[4]).toMatch(new RegExp(`^STATUS ${hash} 100 TIME \\d+$`));
      expect(lines.at(-1)).toBe(`STATUS ${hash} PASS`);
      await stand.expect("AVAIL after the verdict", (m) => m.type === "STATUS_MEDIA" && m.state === "AVAIL", verdict);
      expect(await stop(proc)).toBe(0);
    } finally {
      stand.close();
    }
  }, 30_000);

  test("SIGTERM in the middle of a burn: new BURNs refused, the burn and verify finish with PASS, exit 0", async () => {
    const { dir, isos, hash } = imageDir(4 << 20);
    const stand = new ScriptedStand();
    await stand.listen();
    const proc = background([
      binary("burnerd"),
      "--fake=rate=1M,reload=0",
      "--iso-dir",
      isos,
      "--id-file",
      join(dir, "fake.id"),
      "--server",
      `127.0.0.1:${stand.port}`,
    ]);
    try {
      await ready(stand, hash);
      const from = stand.heard.length;
      stand.send({ type: "BURN", hash });
      await stand.expect("the burn's start", (m) => m.type === "STATUS_PROGRESS" && m.pct === 0, from);
      proc.child.kill("SIGTERM");
      // The signal is in once burnerd refuses: retry until it does.
      await waitFor("NOTREADY after SIGTERM", () => {
        stand.send({ type: "BURN", hash });
        return stand.heard.some((m) => m.type === "ERROR" && m.text === "burnerd is shutting down");
      }, { timeout: 10_000 });
      const end = await proc.exited;
      expect(end.code).toBe(0);
      const lines = jobLines(stand, hash, from).filter((l) => !l.startsWith("ERROR NOTREADY"));
      expect(lines[0]).toBe(`STATUS ${hash} 0`);
      expect(lines.some((l) => l.includes(" 100 TIME "))).toBe(true);
      expect(lines.at(-1)).toBe(`STATUS ${hash} PASS`);
    } finally {
      stand.close();
    }
  }, 30_000);

  test("usage: exactly one drive, --iso-dir required (66), a bad --fake SPEC (64)", async () => {
    expect((await run([binary("burnerd"), "--iso-dir", "/"])).code).toBe(64);
    const missing = await run([binary("burnerd"), "--fake"]);
    expect([missing.code, missing.stderr]).toEqual([
      66,
      "burnerd: missing --iso-dir DIR: the directory of images to offer (see burnerd --help)\n",
    ]);
    expect((await run([binary("burnerd"), "--fake=type=BD", "--iso-dir", "/"])).code).toBe(64);
    expect((await run([binary("burnerd"), "--fake", "--iso-dir", join(tempDir("none"), "nothing")])).code).toBe(66);
  });
});

const XORRISO = existsSync("/usr/bin/xorriso");

describe.skipIf(!XORRISO)("burnerd on xorriso's stdio: drive", () => {
  /** A small real ISO made by xorriso. */
  async function realImage(bytes = 4 << 20): Promise<{ dir: string; isos: string; hash: string }> {
    const dir = tempDir("burnerd-x");
    const src = join(dir, "src");
    const isos = join(dir, "isos");
    mkdirSync(src);
    mkdirSync(isos);
    writeFileSync(join(src, "data.bin"), randomBytes(bytes));
    const image = join(isos, "test.iso");
    const made = await run(["xorriso", "-as", "mkisofs", "-V", "TESTDISC", "-o", image, src], { timeout: 60_000 });
    expect(made.code).toBe(0);
    return { dir, isos, hash: createHash("md5").update(readFileSync(image)).digest("hex") };
  }

  /**
   * Run burnerd on the stdio: drive `device` (with `args` more), let
   * `before` talk to it once it is ready, send it BURN, and return the job's
   * lines up to the verdict and what burnerd logged, once it has stopped
   * (exit 0 on SIGTERM).
   */
  async function burnOnce(
    device: string,
    dir: string,
    isos: string,
    hash: string,
    opts: { args?: string[]; before?: (stand: ScriptedStand) => Promise<void> } = {},
  ) {
    const stand = new ScriptedStand();
    await stand.listen();
    const proc = background([
      binary("burnerd"),
      "--verbose",
      "--device",
      `stdio:${device}`,
      "--tool",
      "xorriso",
      "--drive-type",
      "CDR",
      "--iso-dir",
      isos,
      "--id-file",
      join(dir, "stdio.id"),
      "--server",
      `127.0.0.1:${stand.port}`,
      ...(opts.args ?? []),
    ]);
    try {
      await ready(stand, hash);
      await opts.before?.(stand);
      const from = stand.heard.length;
      stand.send({ type: "BURN", hash });
      await stand.expect("the verdict", (m) => m.type === "STATUS_VERDICT", from, 60_000);
      const lines = jobLines(stand, hash, from);
      expect(await stop(proc)).toBe(0);
      return { lines, log: proc.stderr() };
    } finally {
      stand.close();
    }
  }

  test("a real burn to a file reaches PASS, the volume id describing the image", async () => {
    const { dir, isos, hash } = await realImage();
    const { lines } = await burnOnce(join(dir, "out.iso"), dir, isos, hash, {
      before: async (stand) => {
        stand.send({ type: "WHATIS", hash });
        await stand.expect("INFO", (m) => m.type === "INFO");
        expect(stand.heard.find((m) => m.type === "INFO")).toMatchObject({
          filename: "test.iso",
          description: "TESTDISC",
        });
      },
    });
    expect(lines[0]).toBe(`STATUS ${hash} 0`);
    expect(lines.some((l) => / 100 TIME \d+$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`STATUS ${hash} PASS`);
  }, 90_000);

  test("a FIFO drained at 8 MB/s gives every progress milestone of a real burn, then PASS", async () => {
    const { dir, isos, hash } = await realImage(40 << 20);
    const pipe = join(dir, "pipe");
    expect((await run(["mkfifo", pipe])).code).toBe(0);
    const { lines } = await burnOnce(pipe, dir, isos, hash, { args: ["--stdio-rate", "8000000"] });
    expect(lines.slice(0, 4)).toEqual([
      `STATUS ${hash} 0`,
      `STATUS ${hash} 25`,
      `STATUS ${hash} 50`,
      `STATUS ${hash} 75`,
    ]);
    // 42 MB at 8 MB/s: the throttle, not the tool, sets the write time.
    expect(Number(new RegExp(`^STATUS ${hash} 100 TIME (\\d+)$`).exec(lines[4]!)?.[1])).toBeGreaterThanOrEqual(4);
    expect(lines.at(-1)).toBe(`STATUS ${hash} PASS`);
  }, 90_000);

  /** A 1 MiB tmpfs under `dir` (root only), or undefined with the reason it cannot be had. */
  async function smallMedium(dir: string): Promise<{ path: string; done: () => Promise<void> } | string> {
    if (process.getuid?.() !== 0) return "mounting a small tmpfs needs root";
    const path = join(dir, "small");
    mkdirSync(path);
    const r = await run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", path]);
    if (r.code !== 0) return `cannot mount a tmpfs here: ${r.stderr.trim()}`;
    return { path, done: async () => void await run(["umount", path]) };
  }

  test("a too-small medium ends with ERROR BURN NOSPACE and xorriso's own message, then FAIL", async () => {
    const { dir, isos, hash } = await realImage();
    const medium = await smallMedium(dir);
    if (typeof medium === "string") {
      console.warn(`SKIPPED: burnerd on a too-small medium: ${medium}`);
      return;
    }
    try {
      const { lines, log } = await burnOnce(join(medium.path, "out.iso"), dir, isos, hash);
      expect(lines.at(-2)).toMatch(/^ERROR BURN NOSPACE: xorriso : FAILURE : Image size \d+s exceeds free space/);
      expect(lines.at(-1)).toBe(`STATUS ${hash} FAIL`);
      expect(log).toContain("exceeds free space on media");
    } finally {
      await medium.done();
    }
  }, 90_000);

  test("stdio:/dev/full (ENOSPC) ends with ERROR BURN NOSPACE and the tool's message, then FAIL", async () => {
    const { dir, isos, hash } = await realImage();
    const { lines, log } = await burnOnce("/dev/full", dir, isos, hash);
    expect(lines.at(-2)).toMatch(/^ERROR BURN NOSPACE: /);
    expect(lines.at(-1)).toBe(`STATUS ${hash} FAIL`);
    expect(log).toContain("No space left on device");
  }, 90_000);
});

/**
 * Every frontend sub-command of dist/standd against a running dist/standd
 * (issue 10, acceptance 6), with a protocol-level burner that holds one
 * image and has no blank disc (so nothing is dispatched): queue by hash,
 * local file and catalogue name, qreport, sreport, whatis, name, open,
 * qdel, watch; and with --command-token, COMMAND clients without it are
 * denied while displays still read.
 */
import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/fs.ts";
import { waitFor } from "../helpers/net.ts";
import { background, programArgv, run } from "../helpers/process.ts";
import { StandConn, type Standd, startStandd } from "../helpers/stand.ts";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const IMAGE = md5("frontend e2e image");
const BURNER = md5("frontend e2e burner");
const running: Array<{ proc: { pid: number; exited: Promise<unknown> } }> = [];
const conns: StandConn[] = [];

afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  for (const s of running.splice(0)) {
    process.kill(s.proc.pid, "SIGTERM");
    await s.proc.exited;
  }
});

async function serve(dir: string, opts: { http?: boolean; args?: string[] } = {}): Promise<Standd> {
  const s = await startStandd(dir, opts);
  running.push(s);
  return s;
}

/** A burner holding IMAGE, its tray closed on no disc; it records the OPENs it is sent. */
async function burner(port: number): Promise<{ opened: () => number }> {
  const conn = await StandConn.open(port, "BURNCDR", { id: BURNER, hashes: [IMAGE] });
  conns.push(conn);
  let opened = 0;
  conn.listen((m) => {
    if (m.type === "WHATIS") {
      conn.send({
        type: "INFO",
        hash: m.hash,
        filename: "e2e-disc.iso",
        description: "E2E disc\n\nSecond line",
        bytes: 4096,
      });
    } else if (m.type === "OPEN") opened++;
  });
  conn.send({ type: "STATUS_MEDIA", media: "CDR", state: "EMPTY" });
  return { opened: () => opened };
}

function standd(s: Standd, ...args: string[]) {
  const [sub, ...rest] = args;
  return run([...programArgv("standd"), sub!, "--server", `127.0.0.1:${s.port}`, ...rest], {
    env: { ...process.env, STANDD_COMMAND_TOKEN: undefined },
  });
}

test("every frontend sub-command against a running standd", async () => {
  const dir = tempDir("standd-fe");
  const s = await serve(join(dir, "state"), { http: true });
  const drive = await burner(s.port);
  await waitFor("the catalogue to learn the image", async () => (await standd(s, "whatis", IMAGE)).code === 0);
  expect(await standd(s, "whatis", IMAGE)).toMatchObject({ stdout: "e2e-disc.iso\nE2E disc\n\nSecond line\n" });
  expect(await standd(s, "whatis", md5("nothing"))).toMatchObject({ code: 65, stdout: "unknown\n" });

  expect(await standd(s, "queue", "-n", "2", "-p", "20", IMAGE)).toMatchObject({ code: 0, stdout: "queued 2\n" });
  const http = ["--http", `127.0.0.1:${s.httpPort}`];
  await waitFor(
    "the dashboard to list the image",
    async () => (await standd(s, "queue", "E2E-Disc", ...http)).code === 0,
  );
  const local = join(dir, "local.iso");
  writeFileSync(local, "a local image");
  expect(await standd(s, "queue", "-p", "5", local)).toMatchObject({ code: 0, stdout: "queued 1\n" });

  const q = await standd(s, "qreport");
  expect(q.code).toBe(0);
  const rows = q.stdout.trimEnd().split("\n").map((l) => l.split(/\s+/));
  expect(rows[0]).toEqual(["ITEM", "PRIO", "HASH", "FILENAME"]);
  expect(rows.slice(1).map((r) => [r[1], r[2], r[3]])).toEqual([
    ["5", md5("a local image"), "-"],
    ["20", IMAGE, "e2e-disc.iso"],
    ["20", IMAGE, "e2e-disc.iso"],
    ["50", IMAGE, "e2e-disc.iso"],
  ]);
  const items = JSON.parse((await standd(s, "qreport", "--json")).stdout) as Array<{ item: number }>;
  expect(items.length).toBe(4);

  expect((await standd(s, "sreport")).stdout).toBe(
    `ID                                LABEL  TYPE     STATE  SUBJECT\n${BURNER}  -      BURNCDR  EMPTY  CDR\n`,
  );
  expect(await standd(s, "name", BURNER.slice(0, 6), "left-1")).toMatchObject({ code: 0, stdout: "ok\n" });
  expect(JSON.parse((await standd(s, "sreport", "--json")).stdout)).toEqual([
    { id: BURNER, label: "left-1", ctype: "BURNCDR", state: "EMPTY", subject: "CDR" },
  ]);
  expect(await standd(s, "open", "left-1")).toMatchObject({ code: 0, stdout: "ok\n" });
  await waitFor("the burner to be told to open", () => drive.opened() === 1);

  const first = String(items[0]!.item);
  expect(await standd(s, "qdel", first)).toMatchObject({ code: 0, stdout: "ok\n" });
  expect(await standd(s, "qdel", first)).toMatchObject({ code: 65, stdout: "refused\n" });

  const watch = background(
    [...programArgv("standd"), "watch", "--server", `127.0.0.1:${s.port}`, "--interval", "0.2"],
    {
      env: { ...process.env, STANDD_COMMAND_TOKEN: undefined },
    },
  );
  await waitFor("watch's first lines", () => watch.stdout().includes(`burner ${BURNER} left-1 BURNCDR EMPTY CDR`));
  expect(await standd(s, "queue", "-p", "1", IMAGE)).toMatchObject({ code: 0 });
  await waitFor("watch to see the new job", () => / queued \d+ 1 [0-9a-f]{32} e2e-disc\.iso\n/.test(watch.stdout()));
  process.kill(watch.pid, "SIGTERM");
  expect(await watch.exited).toMatchObject({ code: 0, stderr: "" });
}, 60_000);

test("with --command-token, COMMAND clients need the token and displays do not", async () => {
  const dir = tempDir("standd-fe");
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, "booth-secret\n");
  const s = await serve(join(dir, "state"), { args: ["--command-token-file", tokenFile] });

  const denied = await standd(s, "queue", IMAGE);
  expect(denied.code).toBe(77);
  expect(denied.stderr).toContain("bad or missing command token");
  expect((await standd(s, "queue", "--token", "wrong", IMAGE)).code).toBe(77);
  expect((await standd(s, "open", "--token", "wrong", BURNER)).code).toBe(77);
  expect(await standd(s, "qreport")).toMatchObject({ code: 0, stdout: "ITEM  PRIO  HASH  FILENAME\n" });

  expect(await standd(s, "queue", "--token-file", tokenFile, IMAGE)).toMatchObject({ code: 0, stdout: "queued 1\n" });
  const env = run([...programArgv("standd"), "qdel", "--server", `127.0.0.1:${s.port}`, "1"], {
    env: { ...process.env, STANDD_COMMAND_TOKEN: "booth-secret" },
  });
  expect(await env).toMatchObject({ code: 0, stdout: "ok\n" });
}, 30_000);

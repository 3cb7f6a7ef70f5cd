/**
 * The acceptance cases of the ptbw spec (§9), run against dist/ptbw with
 * the exact expected output. Case numbers refer to the spec.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor, waitForSocket } from "../helpers/net.ts";
import { background, sh } from "../helpers/process.ts";
import type { RawStream } from "../helpers/raw.ts";
import { connect, freeRows, world } from "./world.ts";

const iota = (n: number) => Array.from({ length: n }, (_, i) => String(i));

describe("manager and tableau", () => {
  test("1: an iota pool of J*R tokens is listed in groups of R", async () => {
    const w = world();
    const r = await sh("ptbw -m -J5 -R4 -- ptbw", { env: w.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "ptbw: master has 20 tokens, max length 2 (total space 50)\n" +
        " Master tokens from the internal function: iota\n" +
        " Index\tLock\tTokens (request in groups of 4)\n" + freeRows(iota(20)),
    );
  });

  test("2: a tags file's comment lines are not tokens", async () => {
    const w = world();
    const r = await sh(`ptbw -m -t "$T/cua" ptbw`, { env: w.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "ptbw: master has 3 tokens, max length 10 (total space 33)\n" +
        ` Master tokens from file: ${w.T}/cua\n` +
        " Index\tLock\tTokens (request in groups of 1)\n" +
        freeRows(["/dev/cua01", "/dev/cua02", "/dev/cua04"]),
    );
  });

  test("3: -V outside any manager says there are no diversions", async () => {
    const w = world();
    const r = await sh("ptbw -V", { env: w.env });
    expect(r.code).toBe(0);
    const ncpu = (await import("node:os")).cpus().length;
    expect(r.stdout).toBe(
      "ptbw: ptbw 1.0.0 (Bun)\n" +
        `ptbw: default number of tokens: ${1 + Math.floor((7 * ncpu) / 4)}\n` +
        'ptbw: environment prefix "ptbw"\n' +
        'ptbw: environment tags: "link", "list", "d", "1"\n' +
        "ptbw: protocol version 0.4\n" +
        "ptbw: safe directory template: ptbdXXXXXX\n" +
        "ptbw: no current diversions\n",
    );
  });

  test("4: -V inside a manager marks its socket as the target", async () => {
    const w = world();
    const r = await sh(`ptbw -m -t "$T/cua" ptbw -V | tail -1`, { env: w.env });
    expect(r.stdout).toMatch(new RegExp(`^ptbw:  1: ${w.tmp}/ptbd[A-Za-z0-9]{6}/sta0 \\[target\\]\n$`));
  });

  test("5: nested and detached managers publish ptbw_1, ptbw_2 and ptbw_d", async () => {
    const w = world();
    const r = await sh(`ptbw -m ptbw -m -d ptbw -m sh -c 'env | grep ^ptbw_ | sort'`, { env: w.env });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split("=")[0])).toEqual(["ptbw_1", "ptbw_2", "ptbw_d", "ptbw_link"]);
    expect(lines[3]).toBe("ptbw_link=2");
    const v = await sh("ptbw -m ptbw -m -d ptbw -m ptbw -V | tail -3", { env: w.env });
    const trace = v.stdout.trimEnd().split("\n");
    expect(trace[0]).toMatch(/^ptbw:  d: \S+\/sta0$/);
    expect(trace[1]).toMatch(/^ptbw:  2: \S+\/sta0 \[target\]$/);
    expect(trace[2]).toMatch(/^ptbw:  1: \S+\/sta0$/);
  });

  test("6: a client holding a token can still ask for -V (no self-deadlock)", async () => {
    const w = world();
    const r = await sh(`ptbw -m -t "$T/cua" ptbw -t - ptbw -V | grep -c '\\[target\\]'`, { env: w.env });
    expect(r.stdout).toBe("1\n");
  });

  test("7: an empty line in a tags file is an empty token", async () => {
    const w = world();
    const r = await sh(`printf 'a\\n\\nb' >"$T/bl"; ptbw -m -t "$T/bl" ptbw`, { env: w.env });
    expect(r.stdout).toBe(
      "ptbw: master has 3 tokens, max length 1 (total space 5)\n" +
        ` Master tokens from file: ${w.T}/bl\n` +
        " Index\tLock\tTokens (request in groups of 1)\n" + freeRows(["a", "", "b"]),
    );
  });
});

describe("client", () => {
  test("8: a client with no manager exits 66, hinting at ptbw_d", async () => {
    const w = world();
    const r = await sh("ptbw -R2 true", { env: w.env });
    expect(r.code).toBe(66);
    expect(r.stderr).toBe("ptbw: no enclosing diversion\n");
    const d = await sh("ptbw -R2 true", { env: { ...w.env, ptbw_d: "sock" } });
    expect(d.code).toBe(66);
    expect(d.stderr).toBe('ptbw: no enclosing diversion, do you mean to specify option `-t\' as "sock"?\n');
  });

  test("9: serial -R2 clients go round the pool", async () => {
    const w = world();
    const r = await sh(`ptbw -m -R2 -J3 sh -c 'for i in 1 2 3 4 5; do ptbw -R2 sh -c "echo \\$ptbw_list"; done'`, {
      env: w.env,
    });
    expect(r.stdout).toBe("0 1\n2 3\n4 5\n0 1\n2 3\n");
  });

  test("10: -A appends the tokens to the command", async () => {
    const w = world();
    const r = await sh(`ptbw -mJ3 -R2 sh -c 'for i in a b c d e f g; do ptbw -AR2 echo $i; done'`, { env: w.env });
    expect(r.stdout).toBe("a 0 1\nb 2 3\nc 4 5\nd 0 1\ne 2 3\nf 4 5\ng 0 1\n");
  });

  test("11: -A passes each token as its own argument", async () => {
    const w = world();
    const r = await sh(`ptbw -m -J3 sh -c 'ptbw -AR 3 sh -c "echo \\$0 \\$1 \\$2 \\$3" _'`, { env: w.env });
    expect(r.stdout).toBe("_ 0 1 2\n");
  });

  test("12: ptbw_list joins tokens with newlines, no trailing newline", async () => {
    const w = world();
    const r = await sh(`ptbw -m -J3 ptbw -R3 sh -c 'printf %s "$ptbw_list"' | od -An -tx1`, { env: w.env });
    expect(r.stdout.trim()).toBe("30 0a 31 0a 32");
  });

  test("13: -R0 takes no tokens and unsets ptbw_list", async () => {
    const w = world();
    const r = await sh(`ptbw -m sh -c 'ptbw_list=junk ptbw -R0 sh -c "echo [\\\${ptbw_list-unset}]"'`, { env: w.env });
    expect(r.stdout).toBe("[unset]\n");
    const a = await sh(`ptbw -m sh -c 'ptbw -R0 -A echo | wc -w'`, { env: w.env });
    expect(a.stdout.trim()).toBe("0");
  });

  test("14: asking for more tokens than exist fails with 73, ksb's words first, then the pool's size", async () => {
    const w = world();
    const r = await sh("ptbw -m -J3 ptbw -R5 true", { env: w.env });
    expect(r.stderr).toBe(
      "ptbw: -R 5: cannot allocate resources: Connection reset by network (the pool has only 3 tokens)\n",
    );
    expect(r.code).toBe(73);
  });

  test("15: requests of 1 to 9 tokens each get that many", async () => {
    const w = world();
    const r = await sh(`ptbw -m -J10 sh -c 'for i in 1 2 3 4 5 6 7 8 9; do ptbw -A -R $i echo; done'`, { env: w.env });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(9);
    lines.forEach((line, i) => {
      const words = line.split(" ");
      expect(words).toHaveLength(i + 1);
      for (const word of words) expect(word).toMatch(/^\d+$/);
    });
  });

  test("16: -depth selects an outer manager; too deep is an error", async () => {
    const w = world();
    const r = await sh(`ptbw -m -t "$T/a" ptbw -m -t "$T/b" ptbw -1 -AR 2 echo`, { env: w.env });
    expect(r.stdout).toBe("a1 a2\n");
    const d = await sh("ptbw -m ptbw -3 -AR 1 echo", { env: w.env });
    expect(d.stderr).toBe("ptbw: requested depth of -3 is too large for current stack of 1\n");
    expect(d.code).toBe(65);
  });

  test("17: a detached manager does not move ptbw_link", async () => {
    const w = world();
    const r = await sh(
      `ptbw -m -R 10 -J 1 ptbw -md -t "$T/ten" ptbw -R1 sh -c 'echo link=$ptbw_link alloc=$ptbw_list'`,
      { env: w.env },
    );
    expect(r.stdout).toBe("link=1 alloc=0\n");
    const x = await sh(`ptbw_d=X ptbw -m -t "$T/ten" sh -c 'echo $ptbw_link $ptbw_d'`, { env: w.env });
    expect(x.stdout).toBe("1 X\n");
    const t = await sh(`ptbw -md -t "$T/ten" sh -c 'ptbw -t $ptbw_d -AR2 echo'`, { env: w.env });
    expect(t.stdout).toBe("tok0 tok1\n");
  });

  test("18: a persistent instance serves clients and borrowers until -Q", async () => {
    const w = world();
    const sock = join(w.T, "p.sock");
    const m = background([w.ptbw, "-m", "-t", join(w.T, "ten"), "-N", sock, ":"], { env: w.env });
    await waitForSocket(sock);
    const a = await sh(`ptbw -t "$T/p.sock" | sed -n 2p`, { env: w.env });
    expect(a.stdout).toBe(` Master tokens from file: ${w.T}/ten\n`);
    const b = await sh(`ptbw -m -t "$T/p.sock" -R3 ptbw | sed -n 1,2p`, { env: w.env });
    expect(b.stdout).toBe(
      "ptbw: master has 3 tokens, max length 4 (total space 15)\n" + ` Master tokens from file: ${w.T}/ten\n`,
    );
    const c = await sh("ptbw -m -R3 ptbw | sed -n 2p", { env: w.env });
    expect(c.stdout).toBe(" Master tokens from the internal function: iota\n");
    const q = await sh(`ptbw -Q -t "$T/p.sock" -R0 true`, { env: w.env });
    expect(q.code).toBe(0);
    const end = await m.exited;
    expect(end.code).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });

  test("19: a borrowing manager takes J*R tokens, stepping down by R to fit", async () => {
    const w = world();
    const r = await sh(`ptbw -m -t "$T/ten" ptbw -m -J2 -R2 -t - ptbw`, { env: w.env });
    expect(r.stdout).toBe(
      "ptbw: master has 4 tokens, max length 4 (total space 20)\n" +
        ` Master tokens from file: ${w.T}/ten\n` +
        " Index\tLock\tTokens (request in groups of 2)\n" + freeRows(["tok0", "tok1", "tok2", "tok3"]),
    );
    const s = await sh("ptbw -m -J3 ptbw -m -J2 -R2 -t - ptbw", { env: w.env });
    expect(s.stdout).toBe(
      "ptbw: master has 2 tokens, max length 1 (total space 4)\n" +
        " Master tokens from the internal function: iota\n" +
        " Index\tLock\tTokens (request in groups of 2)\n" + freeRows(["0", "1"]),
    );
    expect(s.stderr).toBe("ptbw: token count 2 less than suggested (4)\n");
  });

  test("20: concurrent clients never share a token", async () => {
    const w = world();
    const r = await sh(
      `ptbw -m -t "$T/ten" sh -c 'for r in 4 4 4 10 2 2 2 2 2; do ` +
        `ptbw -AR $r sh -c "sleep 0.2; echo \\$*" _ & done; wait'`,
      { env: w.env },
    );
    const words = r.stdout.split(/\s+/).filter(Boolean);
    expect(words).toHaveLength(32);
    for (const word of words) expect(word).toMatch(/^tok\d$/);
  });

  test("21: a relative -N lands in the private directory", async () => {
    const w = world();
    const r = await sh(`ptbw -mt "$T/cmt" -N cmt.w ptbw -AR 1 echo`, { env: w.env });
    expect(r.stdout).toBe("token1\n");
  });
});

describe("persistent instance, signals, cleanup", () => {
  test("22: a : manager with -Q exits 0 after its last client, removing its socket", async () => {
    const w = world();
    const S = join(w.T, "u.ptbw");
    const m = background([w.ptbw, "-m", "-R2", "-J3", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    expect((await sh(`ptbw -t "${S}" -AR2 echo`, { env: w.env })).stdout).toBe("0 1\n");
    expect((await sh(`ptbw -t "${S}" -AR2 echo`, { env: w.env })).stdout).toBe("2 3\n");
    // A client keeping its tokens until $T/go exists, then telling whether the manager is still there.
    const client = background(
      [w.ptbw, "-t", S, "-R2", "sh", "-c", `"$T/hold" "$T/held" "$T/go" && kill -0 ${m.pid} && echo manager alive`],
      { env: w.env },
    );
    await waitFor(
      "the client's tokens",
      async () => (await sh(`ptbw -t "${S}"`, { env: w.env })).stdout.includes(`\t${client.pid}\t`),
    );
    const q = await sh(`ptbw -Q -t "${S}" -R0 true`, { env: w.env });
    expect(q.code).toBe(0);
    writeFileSync(join(w.T, "go"), "");
    expect(await client.exited).toMatchObject({ code: 0, stdout: "manager alive\n" });
    expect((await m.exited).code).toBe(0);
    expect(existsSync(S)).toBe(false);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`23: ${signal} to a : manager exits 0 and leaves TMPDIR empty`, async () => {
      const w = world();
      const m = background([w.ptbw, "-m", ":"], { env: w.env });
      await waitFor("the private socket", () => readdirSync(w.tmp).some((d) => existsSync(join(w.tmp, d, "sta0"))));
      process.kill(m.pid, signal);
      const end = await m.exited;
      expect(end.code).toBe(0);
      expect(readdirSync(w.tmp)).toEqual([]);
    });
  }

  test("24: -N on a live socket is refused; a stale one is reclaimed; a file is refused", async () => {
    const w = world();
    const S = join(w.T, "s.sock");
    const live = background([w.ptbw, "-m", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    const busy = await sh(`ptbw -m -N "${S}" :`, { env: w.env });
    expect(busy.code).toBe(71);
    expect(busy.stderr).toBe(`ptbw: bind: ${S}: Address already in use\n`);
    process.kill(live.pid, "SIGKILL");
    await live.exited;
    expect(existsSync(S)).toBe(true);
    const again = background([w.ptbw, "-m", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    process.kill(again.pid, "SIGTERM");
    expect((await again.exited).code).toBe(0);
    writeFileSync(join(w.T, "plain"), "x");
    const file = await sh(`ptbw -m -N "$T/plain" :`, { env: w.env });
    expect(file.code).toBe(71);
    expect(file.stderr).toBe(`ptbw: bind: ${w.T}/plain: Address already in use\n`);
    const rel = await sh(`ptbw -m -N foo sh -c 'echo $ptbw_1'`, { env: w.env });
    expect(rel.stdout).toMatch(new RegExp(`^${w.tmp}/ptbd[A-Za-z0-9]{6}/foo\n$`));
  });

  test("25: the manager waits for a client that outlives the utility", async () => {
    const w = world();
    // The utility starts a client holding a token until $T/go, then ends once the client holds it.
    const utility = [
      `ptbw -R1 sh -c '"$T/hold" "$T/held" "$T/go" && kill -0 "$0" && echo manager alive' $PPID &`,
      'until [ -e "$T/held" ]; do sleep 0.02; done',
      'echo $$ >"$T/utility.tmp" && mv "$T/utility.tmp" "$T/utility"',
    ].join("\n");
    const m = background([w.ptbw, "-m", "sh", "-c", utility], { env: w.env });
    const pid = await waitFor(
      "the utility's pid",
      () => existsSync(join(w.T, "utility")) && readFileSync(join(w.T, "utility"), "utf8"),
    );
    await waitFor("the manager to reap the utility", () => !existsSync(`/proc/${pid.trim()}`));
    writeFileSync(join(w.T, "go"), "");
    expect(await m.exited).toMatchObject({ code: 0, stdout: "manager alive\n" });
  });

  test("26: a background : manager does not hold $(…) open", async () => {
    const w = world();
    // The manager keeps stderr (for its messages): send it elsewhere. It runs
    // until told to finish below, so the shell ending at all shows that $(…)
    // was not held open.
    const r = await sh(`x=$(ptbw -m -N "$T/bg.sock" : 2>"$T/bg.err" &); echo ok`, { env: w.env });
    expect(r.stdout).toBe("ok\n");
    await waitForSocket(join(w.T, "bg.sock"));
    const q = await sh(`ptbw -Q -t "$T/bg.sock" -R0 true`, { env: w.env });
    expect(q.code).toBe(0);
    await waitFor("the manager to go", () => !existsSync(join(w.T, "bg.sock")));
  });
});

describe("tags and exit codes", () => {
  test("27: tags file errors and warnings", async () => {
    const w = world();
    const missing = await sh(`ptbw -m -t "$T/F" true`, { env: w.env });
    expect(missing.code).toBe(66);
    expect(missing.stderr).toBe(`ptbw: open: ${w.T}/F: No such file or directory\n`);
    writeFileSync(join(w.T, "F"), "");
    const empty = await sh(`ptbw -m -t "$T/F" true`, { env: w.env });
    expect(empty.code).toBe(65);
    expect(empty.stderr).toBe(`ptbw: ${w.T}/F: contains no lines\n`);
    writeFileSync(join(w.T, "F"), "one\n");
    expect((await sh(`ptbw -m -t "$T/F" true`, { env: w.env })).code).toBe(0);
    const short = await sh(`ptbw -m -t "$T/F" -R 3 true`, { env: w.env });
    expect(short.code).toBe(65);
    expect(short.stderr).toBe("ptbw: token count of 1 is less than required to run any task (3)\n");
    const warn = await sh(`ptbw -m -t "$T/ten" -R 3 -J 7 true`, { env: w.env });
    expect(warn.code).toBe(0);
    expect(warn.stderr).toBe("ptbw: token count 10 less than suggested (21)\n");
    const quiet = await sh(`ptbw -m -q -t "$T/ten" -R 3 -J 7 true`, { env: w.env });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    writeFileSync(join(w.T, "F"), "#only\n#comments\n");
    const comments = await sh(`ptbw -m -t "$T/F" true`, { env: w.env });
    expect(comments.code).toBe(65);
    expect(comments.stderr).toBe("ptbw: no tokens, only comments generated\n");
  });

  test("28: the manager passes on the utility's exit status", async () => {
    const w = world();
    expect((await sh("ptbw -m true", { env: w.env })).code).toBe(0);
    expect((await sh("ptbw -m false", { env: w.env })).code).toBe(1);
    expect((await sh("ptbw -m sh -c 'exit 45'", { env: w.env })).code).toBe(45);
    const none = await sh("ptbw -m no-such-cmd-xyz", { env: w.env });
    expect(none.code).toBe(71);
    expect(none.stderr).toBe("ptbw: execvp: no-such-cmd-xyz: No such file or directory\n");
    expect(readdirSync(w.tmp)).toEqual([]);
  });

  test("29: $PTBW supplies options and PTBW_<level> becomes the utility's $PTBW", async () => {
    const w = world();
    const r = await sh("PTBW=-R3 ptbw -m -J2 ptbw | head -1", { env: w.env });
    expect(r.stdout).toBe("ptbw: master has 6 tokens, max length 1 (total space 12)\n");
    const g = await sh("PTBW=-R3 ptbw -m -J2 ptbw | sed -n 3p", { env: w.env });
    expect(g.stdout).toBe(" Index\tLock\tTokens (request in groups of 3)\n");
    const l = await sh(`PTBW=-R3 PTBW_1=-R2 ptbw -m -J2 sh -c 'echo $PTBW; ptbw -A echo'`, { env: w.env });
    expect(l.stdout).toBe("-R2\n0 1\n");
  });

  test("30: invoked through a symlink, ptbw speaks and runs children under that name", async () => {
    const w = world();
    symlinkSync(w.ptbw, join(w.T, "foo"));
    const r = await sh(`"$T/foo" -m sh -c 'echo $0'`, { env: w.env });
    expect(r.stdout).toBe("foo\n");
    const v = await sh(`"$T/foo" -V`, { env: w.env });
    const lines = v.stdout.trimEnd().split("\n");
    expect(lines.length).toBe(7);
    for (const line of lines) expect(line.startsWith("foo:")).toBe(true);
  });

  test("31: usage errors exit 1 with the original messages", async () => {
    const w = world();
    const cases: Array<[string, string]> = [
      ["PTBW=-J2 ptbw -m true", "ptbw: option `-J' may only be given after option `-m'\n"],
      ["ptbw -x", "ptbw: unknown option `-x', use `-h' for help\n"],
      ["ptbw -R", "ptbw: option `-R' needs a parameter\n"],
      ["ptbw -m -A true", "ptbw: option `-A' forbidden by option `-m'\n"],
    ];
    for (const [script, message] of cases) {
      const r = await sh(script, { env: w.env });
      expect(r.stderr).toBe(message);
      expect(r.code).toBe(1);
    }
  });

  test("32: -h prints the 18 original lines and the 5 extension lines", async () => {
    const w = world();
    const r = await sh("ptbw -h", { env: w.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "ptbw: usage [-AqQ] [-depth] [-R req] [-t tags] [client]",
        "ptbw: usage -h",
        "ptbw: usage -V",
        "ptbw: usage -m [-dqQ] [-depth] [-J jobs] [-N path] [-R req] [-t tags] [utility]",
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
      ].join("\n") + "\n",
    );
  });
});

describe("signals and statuses", () => {
  test("37: a utility or command killed by a signal gives 128+N", async () => {
    const w = world();
    expect((await sh("ptbw -m sh -c 'kill -TERM $$'", { env: w.env })).code).toBe(143);
    const k = await sh(`ptbw -m sh -c 'ptbw -R1 sh -c "kill -KILL \\$\\$"; echo $?'`, { env: w.env });
    expect(k.stdout).toBe("137\n");
  });
});

describe("extensions", () => {
  test("38: the credit scheduler lets a small request pass; --fifo keeps arrival order", async () => {
    /** While a holder has all four tokens, "one" asks for 1, then "four" for 4: who is served first. */
    const order = async (flags: string[]) => {
      const w = world();
      const S = join(w.T, "s.sock");
      const m = background([w.ptbw, "-m", ...flags, "-J4", "-N", S, ":"], { env: w.env });
      await waitForSocket(S);
      const holder = await connect(S, 1000);
      expect(await holder.ask("4G")).toBe("0,1,2,3\n");
      // A round trip on the holder's connection after each request: the manager has read it.
      const one = await connect(S, 1001);
      one.send("1G");
      expect(await holder.ask("S")).toBe("4,8\n");
      const four = await connect(S, 1002);
      four.send("4G");
      expect(await holder.ask("S")).toBe("4,8\n");
      const served: string[] = [];
      // Like a client running its command: served, it reports and lets go of its tokens.
      const run = async (c: RawStream, name: string) => {
        await c.line();
        served.push(name);
        c.close();
      };
      holder.close();
      await Promise.all([run(one, "one"), run(four, "four")]);
      expect(await sh(`ptbw -Q -t "${S}" -R0 true`, { env: w.env })).toMatchObject({ code: 0 });
      expect((await m.exited).code).toBe(0);
      return served;
    };
    expect(await order([])).toEqual(["four", "one"]);
    expect(await order(["--fifo"])).toEqual(["one", "four"]);
  });

  test("39: --timeout gives up after the deadline with 75; the manager keeps serving", async () => {
    const w = world();
    const r = await sh(
      // The token is held until after the timed client, which can only give up.
      `ptbw -m -J1 sh -c 'ptbw -R1 "$T/hold" "$T/held" "$T/go" & until [ -e "$T/held" ]; do sleep 0.02; done; ` +
        `t0=$(date +%s%N); ptbw --timeout 0.5 -R1 echo no; echo rc=$? ms=$(( ($(date +%s%N) - t0) / 1000000 )); ` +
        `: >"$T/go"; ptbw -AR1 echo served'`,
      { env: w.env },
    );
    expect(r.stderr).toBe("ptbw: -R 1: timed out after 0.5 seconds\n");
    const m = /^rc=75 ms=(\d+)\nserved 0\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(450);
    // Soon after the deadline, not some other timer's (generous: the machine may be loaded).
    expect(Number(m![1])).toBeLessThan(5000);
  });

  test("40: --try fails at once with 75 when busy, and takes free tokens", async () => {
    const w = world();
    const r = await sh(
      // The token is held until after the --try client, which can only give up.
      `ptbw -m -J1 sh -c 'ptbw -R1 "$T/hold" "$T/held" "$T/go" & until [ -e "$T/held" ]; do sleep 0.02; done; ` +
        `t0=$(date +%s%N); ptbw --try -R1 echo no; echo rc=$? ms=$(( ($(date +%s%N) - t0) / 1000000 )); : >"$T/go"'`,
      { env: w.env },
    );
    expect(r.stderr).toBe("ptbw: -R 1: resources busy\n");
    const m = /^rc=75 ms=(\d+)\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    // At once: a client's start and one round trip (generous: the machine may be loaded).
    expect(Number(m![1])).toBeLessThan(1000);
    expect((await sh("ptbw -m -J1 ptbw --try -AR1 echo", { env: w.env })).stdout).toBe("0\n");
  });

  test("41: --json prints the tableau as one JSON line", async () => {
    const w = world();
    const r = await sh(`ptbw -m -J2 -R2 sh -c 'ptbw --json; echo "$ptbw_1"'`, { env: w.env });
    const [json, socket] = r.stdout.trimEnd().split("\n");
    expect(json).toBe(
      `{"protocol":"0.4","socket":"${socket}","count":4,"space":8,"width":1,"request":2,` +
        `"source":{"type":"=","kind":"function","name":"iota"},"comments":[],` +
        `"tokens":[{"index":0,"token":"0","lock":0},{"index":1,"token":"1","lock":0},` +
        `{"index":2,"token":"2","lock":0},{"index":3,"token":"3","lock":0}]}`,
    );
  });

  describe("42: --jobserver", () => {
    const makefile = [
      "TARGETS = t1 t2 t3 t4 t5 t6 t7 t8",
      "all: $(TARGETS)",
      '\t@echo "$$MAKEFLAGS" > flags',
      "$(TARGETS):",
      "\t@mkdir L/$@; ls L | wc -l >>log; sleep 0.3; rmdir L/$@",
      ".PHONY: all $(TARGETS)",
      "",
    ].join("\n");
    const setup = () => {
      const w = world();
      writeFileSync(join(w.T, "M"), makefile);
      mkdirSync(join(w.T, "L"));
      return w;
    };
    const maxInLog = (w: { T: string }) =>
      Math.max(...readFileSync(join(w.T, "log"), "utf8").trim().split("\n").map(Number));

    test("make runs at most J jobs from the pool (pipe style)", async () => {
      const w = setup();
      const r = await sh("ptbw -m -J3 --jobserver make -f M", { env: w.env, cwd: w.T });
      expect(r.code).toBe(0);
      expect(maxInLog(w)).toBeLessThanOrEqual(3);
      expect(maxInLog(w)).toBeGreaterThanOrEqual(2);
      expect(readFileSync(join(w.T, "flags"), "utf8")).toContain("--jobserver-auth=3,4");
      expect(readdirSync(w.tmp)).toEqual([]); // fifo and private directory gone
    });

    test("tokens held by a ptbw client are not lent to make", async () => {
      const w = setup();
      // The client holds its two tokens from before make starts until after it ends.
      const r = await sh(
        `ptbw -m -J3 --jobserver sh -c 'ptbw -R2 "$T/hold" "$T/held" "$T/go" & ` +
          `until [ -e "$T/held" ]; do sleep 0.02; done; make -f M; s=$?; : >"$T/go"; wait; exit $s'`,
        { env: w.env, cwd: w.T },
      );
      expect(r.code).toBe(0);
      expect(maxInLog(w)).toBe(1);
    }, 20_000);

    test("fifo style names the fifo in MAKEFLAGS (and drives make >= 4.4)", async () => {
      const w = setup();
      const r = await sh(
        `ptbw -m -J3 --jobserver=fifo sh -c 'echo "$MAKEFLAGS"; test -p "\${MAKEFLAGS##*fifo:}" && echo fifo'`,
        {
          env: { ...w.env, MAKEFLAGS: "-k" },
        },
      );
      expect(r.stdout).toMatch(
        new RegExp(`^-k -j3 --jobserver-auth=fifo:${w.tmp}/ptbd[A-Za-z0-9]{6}/jobserver\nfifo\n$`),
      );
      expect(readdirSync(w.tmp)).toEqual([]);
      const version = await sh("make --version | head -1", { env: w.env });
      const [, major, minor] = /(\d+)\.(\d+)/.exec(version.stdout) ?? [];
      if (Number(major) * 100 + Number(minor) >= 404) {
        const m = await sh("ptbw -m -J3 --jobserver=fifo make -f M", { env: w.env, cwd: w.T });
        expect(m.code).toBe(0);
        expect(maxInLog(w)).toBeLessThanOrEqual(3);
        expect(readFileSync(join(w.T, "flags"), "utf8")).toContain("--jobserver-auth=fifo:");
      }
    });

    test("a : manager refuses pipe style, which needs a utility", async () => {
      const w = world();
      const r = await sh("ptbw -m --jobserver :", { env: w.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("use --jobserver=fifo");
      expect(readdirSync(w.tmp)).toEqual([]);
    });
  });
});

/**
 * hw-<tool>: the burn tools' progress and status parsers (hw/progress/,
 * spec §6). Each gets the shared §6.3 stream properties over its recorded
 * output (fixtures read once, at load) and properties of its own line
 * forms; hw-tracker turns parsed events into a job's progress.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseCdrecordLine } from "../../../../hw/progress/cdrecord.ts";
import { cdrskinParser } from "../../../../hw/progress/cdrskin.ts";
import { checkMediaParser, parseCheckMediaLine } from "../../../../hw/progress/check-media.ts";
import { ddParser, parseDdLine } from "../../../../hw/progress/dd.ts";
import type { BurnToolEvent } from "../../../../hw/progress/events.ts";
import { genisoimageParser, parseGenisoimageLine } from "../../../../hw/progress/genisoimage.ts";
import { growisofsParser, parseGrowisofsLine } from "../../../../hw/progress/growisofs.ts";
import { isoImageBytes, isoinfoParser, parseIsoinfoLine } from "../../../../hw/progress/isoinfo.ts";
import { parseLibburnFailure } from "../../../../hw/progress/libburn.ts";
import { LineParser } from "../../../../hw/progress/line-parser.ts";
import { minfoParser, parseMinfoLine } from "../../../../hw/progress/minfo.ts";
import { parseTocLine, type TocFact, tocMedia, tocParser } from "../../../../hw/progress/toc.ts";
import { parseWodimLine, wodimParser } from "../../../../hw/progress/wodim.ts";
import { parseXorrisoLine, xorrisoParser } from "../../../../hw/progress/xorriso.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { fixture, percents, printf, run, track } from "../../../hw/progress/properties.ts";
import { defineTarget, type FuzzTarget } from "../../target.ts";
import { streamProperties } from "./stream.ts";

const MB = 1048576;
const enc = new TextEncoder();
const pad = (n: number | string, width: number) => String(n).padStart(width);
/** Printable text for free-form parts of a line (no line breaks: a line is one line). */
const words = fc.string({
  unit: fc.oneof(fc.constantFrom(" ", ":", ",", "%", "'", "é"), fc.string({ maxLength: 1 })),
  maxLength: 20,
})
  .map((s) => s.replace(/[\r\n]/g, " "));

const CDRSKIN_OUT = fixture("cdrskin-v.stdio.stdout.txt");
const CDRSKIN_LINES = [
  "Starting to write CD/DVD at speed MAX in real TAO mode for single session.",
  "Track 01:    2 of  300 MB written (fifo 100%) [buf  50%]  79.7x.",
  "cdrskin: NOTE : unrelated",
  "Track 01:   13 of  300 MB written (fifo 100%) [buf  50%] 125.6x.",
  "Writing  time:  2.237s",
  "cdrskin: burning done",
];
const XORRISO = [
  "xorriso-as-cdrecord-v.stdio.stderr.txt",
  "xorriso-as-cdrecord-v.throttled-8MBps.stderr.txt",
  "xorriso-as-cdrecord.too-small-media.stderr.txt",
  "xorriso-as-cdrecord.write-error-ENOSPC.stderr.txt",
  "xorriso-native-commit.stdio.stderr.txt",
].map(fixture);
const [GROWISOFS_FORMAT] = new TextDecoder().decode(fixture("growisofs-format-strings.txt")).split("\n");

/** A property that every line, whatever it holds, parses without throwing to `check`'s liking. */
function anyLine<E>(parse: (text: string) => E | undefined, prefixes: string[], check: (e: E, text: string) => void) {
  return {
    property: () =>
      fc.property(
        fc.tuple(fc.constantFrom("", ...prefixes), words, fc.constantFrom("", "s", "%", "x.")),
        ([p, w, t]) => {
          const text = p + w + t;
          const e = parse(text);
          if (e !== undefined) check(e, text);
        },
      ),
    testRuns: 200,
  };
}

/** Numbers a tool's event carries are whole or decimal, never NaN. */
function finiteNumbers(e: object): void {
  for (const v of Object.values(e)) if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
}

const cdrecord = defineTarget({
  name: "hw-cdrecord",
  about:
    "the cdrecord progress line, phases and completion shared by cdrskin, wodim, xorriso (hw/progress/cdrecord.ts)",
  sources: ["hw/progress/cdrecord.ts"],
  properties: {
    "lines printed from the cdrecord format with any widths parse back to their numbers": {
      property: () =>
        fc.property(
          fc.record({
            track: fc.integer({ min: 1, max: 99 }),
            done: fc.nat({ max: 99999 }),
            total: fc.option(fc.nat({ max: 99999 }), { nil: undefined }),
            fifo: fc.nat({ max: 100 }),
            buf: fc.nat({ max: 100 }),
            tenths: fc.option(fc.nat({ max: 9999 }), { nil: undefined }),
            gap: fc.integer({ min: 1, max: 4 }),
            width: fc.integer({ min: 1, max: 6 }),
          }),
          (r) => {
            const of = r.total === undefined ? "" : `of ${pad(r.total, r.width)} `;
            const speed = r.tenths === undefined ? "" : `${" ".repeat(r.gap)}${pad((r.tenths / 10).toFixed(1), 4)}x.`;
            const line = `Track ${String(r.track).padStart(2, "0")}: ${pad(r.done, r.width)} ${of}MB written (fifo ${
              pad(r.fifo, 3)
            }%) [buf ${pad(r.buf, 3)}%]${speed}`;
            const expected: BurnToolEvent = { kind: "progress", bytesWritten: r.done * MB };
            if (r.total !== undefined) expected.totalBytes = r.total * MB;
            expected.fifo = r.fifo;
            expected.buf = r.buf;
            if (r.tenths !== undefined) expected.speedX = r.tenths / 10;
            expect(parseCdrecordLine(line)).toEqual(expected);
          },
        ),
      testRuns: 1000,
    },
    "totals and write times parse back to their numbers": {
      property: () =>
        fc.property(fc.nat(), fc.nat(), fc.nat(99999), fc.integer({ min: 1, max: 3 }), (read, written, ms, gap) => {
          const sp = " ".repeat(gap);
          expect(parseCdrecordLine(`Track 01:${sp}Total bytes read/written: ${read}/${written} (${read} sectors).`))
            .toEqual({ kind: "total", bytes: written });
          expect(parseCdrecordLine(`Writing${sp}time:${sp}${(ms / 1000).toFixed(3)}s`))
            .toEqual({ kind: "write-time", seconds: Number((ms / 1000).toFixed(3)) });
        }),
      testRuns: 100,
    },
    "any line gives no event or a well-formed one": anyLine(
      parseCdrecordLine,
      ["Track 01: ", "Track 01: 1 of 2 MB written (fifo ", "Writing time: ", "Fixating...", "Performing OPC"],
      (e) => finiteNumbers(e),
    ),
    ...streamProperties(
      () => new LineParser(parseCdrecordLine),
      [enc.encode(CDRSKIN_LINES.join("\r") + "\n")],
      CDRSKIN_LINES,
    ),
  },
});

const SEVERITIES = ["FAILURE", "SORRY", "FATAL", "aborting", "NOTE", "UPDATE", "WARNING"];
const NEEDLES = ["exceeds free space", "No space left on device", "Burn run failed", "failure with writing", "x"];

const libburn = defineTarget({
  name: "hw-libburn",
  about: "libburn's message lines and their failure classes (hw/progress/libburn.ts)",
  sources: ["hw/progress/libburn.ts"],
  properties: {
    "a FAILURE, SORRY, FATAL or aborting line is a failure classed by its message, keeping the whole line": {
      property: () =>
        fc.property(
          fc.constantFrom("xorriso", "libburn", "cdrskin", "wodim", "growisofs"),
          fc.constantFrom(...SEVERITIES),
          fc.constantFrom(" : ", ":", "  :  "),
          words,
          fc.constantFrom(...NEEDLES),
          words,
          (who, severity, sep, before, needle, after) => {
            const line = `${who}${sep}${severity}${sep}${before}${needle}${after}`;
            const e = parseLibburnFailure(line);
            const fails = ["xorriso", "libburn", "cdrskin"].includes(who) && SEVERITIES.indexOf(severity) < 4;
            if (!fails) {
              if (e !== undefined) expect(line).toMatch(/(FAILURE|SORRY|FATAL|aborting)\s*:/);
              return;
            }
            const message = line.slice(line.indexOf(severity) + severity.length).replace(/^\s*:\s*/, "");
            const cls = /exceeds free space|No space left on device/.test(message)
              ? "NOSPACE"
              : /Burn run failed|failure with writing/.test(message)
              ? "WRITE"
              : "OTHER";
            expect(e).toEqual({ kind: "failure", cls, line });
          },
        ),
      testRuns: 300,
    },
    "any line gives no event or a failure keeping the whole line": anyLine(
      parseLibburnFailure,
      ["xorriso : FAILURE : ", "libburn : SORRY :", "cdrskin:FATAL:"],
      (e, text) => expect(e).toMatchObject({ kind: "failure", line: text }),
    ),
  },
});

const cdrskin = defineTarget({
  name: "hw-cdrskin",
  about: "cdrskin -v output (hw/progress/cdrskin.ts)",
  sources: ["hw/progress/cdrskin.ts"],
  properties: streamProperties(cdrskinParser, [CDRSKIN_OUT, fixture("cdrskin-v.stdio.stderr.txt")], [
    ...CDRSKIN_LINES,
    "cdrskin: FATAL : Burn run failed",
  ]),
});

const WODIM_LINES = [
  "Starting to write CD/DVD at speed  16.0 in real TAO mode for single session.",
  "Track 01:    1 of  300 MB written (fifo 100%) [buf  99%]  16.1x.",
  "Track 01:    2 of  300 MB written (fifo 100%) [buf  99%]  16.1x.",
  "wodim: A write error occured.",
  "Fixating...",
];
const WODIM_FAILURES = [
  "A write error occured",
  "Could not write Lead-in",
  "Data may not fit on current disk",
  "Cannot open SCSI driver",
  "No disk / Wrong disk!",
  "Re-load disk and hit <CR>",
  "DMA speed too slow",
];

const wodim = defineTarget({
  name: "hw-wodim",
  about: "wodim's progress and failure lines (hw/progress/wodim.ts)",
  sources: ["hw/progress/wodim.ts"],
  properties: {
    ...streamProperties(wodimParser, [enc.encode(WODIM_LINES.join("\r") + "\n")], WODIM_LINES),
    "a failure wording anywhere in a line fails with the whole line; busy only when not retrying": {
      property: () =>
        fc.property(
          words,
          fc.constantFrom(...WODIM_FAILURES, "Device or resource busy", "nothing"),
          words,
          fc.boolean(),
          (before, wording, after, retrying) => {
            const line = `wodim: ${before}${wording}${after}${retrying ? " retrying in 1 second" : ""}`.trimEnd();
            const e = parseWodimLine(line);
            if (WODIM_FAILURES.some((w) => line.includes(w))) expect(e).toMatchObject({ kind: "failure", line });
            else if (wording === "Device or resource busy" && !retrying && !`${after}`.includes("retrying in")) {
              expect(e).toEqual({ kind: "failure", cls: "BUSY", line });
            } else if (e !== undefined) {
              expect(e.kind === "progress" || e.kind === "phase" || e.kind === "failure").toBe(true);
            }
          },
        ),
      testRuns: 200,
    },
  },
});

const xorriso = defineTarget({
  name: "hw-xorriso",
  about: "xorriso's output, -as cdrecord and native (hw/progress/xorriso.ts)",
  sources: ["hw/progress/xorriso.ts"],
  properties: {
    ...streamProperties(xorrisoParser, XORRISO, [
      "Beginning to write data track.",
      "xorriso : UPDATE :    4 of  300 MB written (fifo  0%) [buf  50%]",
      "xorriso : UPDATE :       3 files added in 1 seconds",
      "xorriso : UPDATE :   53 of  300 MB written (fifo 99%) [buf  50%]  45.6x.",
      "xorriso : UPDATE : Writing:      41952s   27.3%   fifo  90%  buf  50%  132.0xD ",
      "libburn : SORRY : Cannot write desired amount of 32768 bytes. write(2) returned -1. : No space left on device",
      "Writing to 'stdio:/var/tmp/out1.iso' completed successfully.",
    ]),
    "native progress and totals parse back to their numbers": {
      property: () =>
        fc.property(
          fc.nat(10 ** 7),
          fc.nat(1000),
          fc.nat(100),
          fc.nat(100),
          fc.option(fc.nat(9999), { nil: undefined }),
          (sectors, tenths, fifo, buf, speed) => {
            const xd = speed === undefined ? "" : `  ${(speed / 10).toFixed(1)}xD`;
            const line = `xorriso : UPDATE : Writing: ${pad(sectors, 12)}s ${
              pad((tenths / 10).toFixed(1), 6)
            }%   fifo ${pad(fifo, 3)}%  buf ${pad(buf, 3)}%${xd}`;
            const e: BurnToolEvent = {
              kind: "progress",
              bytesWritten: sectors * 2048,
              percent: tenths / 10,
              fifo,
              buf,
            };
            if (speed !== undefined) e.speedX = speed / 10;
            expect(parseXorrisoLine(line)).toEqual(e);
            expect(parseXorrisoLine(`Written to medium : ${sectors} sectors at LBA 0`)).toEqual({
              kind: "total",
              bytes: sectors * 2048,
            });
          },
        ),
      testRuns: 200,
    },
  },
});

const growisofs = defineTarget({
  name: "hw-growisofs",
  about: "growisofs progress, fixation and :-( lines (hw/progress/growisofs.ts)",
  sources: ["hw/progress/growisofs.ts"],
  properties: {
    "progress lines printed from growisofs's own formats parse back to their numbers": {
      property: () =>
        fc.property(
          fc.nat({ max: 2 ** 40 }),
          fc.nat({ max: 2 ** 40 }),
          fc.nat({ max: 1000 }),
          fc.nat({ max: 999 }),
          fc.nat({ max: 999 }),
          fc.nat({ max: 59 }),
          (done, total, tenths, speed, min, sec) => {
            expect(GROWISOFS_FORMAT).toContain("%11lld/%lld");
            const line = printf(GROWISOFS_FORMAT ?? "", [done, total, tenths / 10, speed / 10, min, sec, 99.5, 98.1]);
            expect(parseGrowisofsLine(line)).toEqual({
              kind: "progress",
              bytesWritten: done,
              totalBytes: total,
              percent: Number((tenths / 10).toFixed(1)),
              speedX: Number((speed / 10).toFixed(1)),
            });
          },
        ),
      testRuns: 1000,
    },
    ...(() => {
      const lines = [
        "      32768/314947584 ( 0.0%) @0x, remaining ??:?? RBU 100.0% UBU   2.1%",
        "Executing 'builtin_dd if=test.iso of=/dev/sr0 obs=32k seek=0'",
        "   32768000/314947584 (10.4%) @7.1x, remaining 1:05 RBU 100.0% UBU  98.2%",
        "/dev/sr0: flushing cache",
        "builtin_dd: 153792*2KB out @ average 7.9x10560KBps",
        ":-( /dev/sr0: 2295104 blocks are free, 2311072 to be written!",
      ];
      return streamProperties(growisofsParser, [enc.encode(lines.join("\r") + "\n")], lines);
    })(),
  },
});

const genisoimage = defineTarget({
  name: "hw-genisoimage",
  about: "genisoimage/mkisofs percent-done lines (hw/progress/genisoimage.ts)",
  sources: ["hw/progress/genisoimage.ts"],
  properties: {
    ...streamProperties(genisoimageParser, [fixture("genisoimage-progress.stderr.head.txt")], [
      "I: -input-charset not specified, using utf-8 (detected in locale settings)",
      "  3.26% done, estimate finish Sun Nov 22 01:56:51 2026",
      "100.00% done, estimate finish Sun Nov 22 01:56:52 2026",
    ]),
    "a percent-done line parses back to its percent": {
      property: () =>
        fc.property(fc.nat(10000), words, (hundredths, tail) => {
          const text = (hundredths / 100).toFixed(2);
          expect(parseGenisoimageLine(`${text.padStart(6)}% done, ${tail}`)).toEqual({
            kind: "progress",
            percent: Number(text),
          });
        }),
      testRuns: 100,
    },
  },
});

const dd = defineTarget({
  name: "hw-dd",
  about: "dd status=progress and summary lines (hw/progress/dd.ts)",
  sources: ["hw/progress/dd.ts"],
  properties: {
    ...streamProperties(ddParser, [fixture("dd-status-progress.stderr.txt")], [
      "297478144 bytes (297 MB, 284 MiB) copied, 1 s, 297 MB/s",
      "153783+0 records in",
      "153783+0 records out",
      "512 bytes copied, 0.001 s, 512 kB/s",
    ]),
    "copied and records lines parse back to their numbers": {
      property: () =>
        fc.property(
          fc.nat(),
          fc.nat(99999),
          fc.boolean(),
          fc.nat(),
          fc.nat(),
          fc.boolean(),
          (b, ms, human, f, p, dir) => {
            const seconds = (ms / 1000).toFixed(3);
            const line = `${b} bytes${human ? ` (${b} B, ${b} B)` : ""} copied, ${seconds} s, 1 MB/s`;
            expect(parseDdLine(line)).toEqual({ kind: "copied", bytes: b, seconds: Number(seconds), rate: "1 MB/s" });
            const direction = dir ? "in" : "out";
            expect(parseDdLine(`${f}+${p} records ${direction}`)).toEqual({
              kind: "records",
              direction,
              full: f,
              partial: p,
            });
          },
        ),
      testRuns: 100,
    },
  },
});

const TOC_LINES = [
  "Drive type   : vendor 'YOYODYNE' product 'WARP DRIVE' revision 'FX01'",
  "Media current: stdio file, overwriteable",
  "Media status : is blank",
  "Media blocks : 0 readable , 40665878 writable , 40665878 overall",
  "ISO session  :   1 ,     0 ,    153783s , TESTDISC",
  "Media nwa    : 153792s",
];
const tocFact: fc.Arbitrary<TocFact> = fc.oneof(
  fc.record({
    kind: fc.constant("profile" as const),
    profile: fc.constantFrom("CD-R", "CD-RW", "CD-ROM", "DVD+RW", "BD-R", "is not present", "stdio file"),
  }),
  fc.record({
    kind: fc.constant("status" as const),
    text: fc.constantFrom("is blank", "is written , is closed", "is not present"),
  }),
  fc.record({ kind: fc.constant("blocks" as const), readable: fc.nat(), writable: fc.nat(), overall: fc.nat() }),
  fc.record({ kind: fc.constant("nwa" as const), sector: fc.nat() }),
);

const toc = defineTarget({
  name: "hw-toc",
  about: "xorriso -toc and the medium it describes (hw/progress/toc.ts)",
  sources: ["hw/progress/toc.ts"],
  properties: {
    ...streamProperties(tocParser, [fixture("xorriso-toc.blank.txt"), fixture("xorriso-toc.written.txt")], TOC_LINES),
    "any facts give a consistent medium: absent is never blank, CD and DVD profiles only": {
      property: () =>
        fc.property(fc.array(tocFact, { maxLength: 6 }), (facts) => {
          const m = tocMedia(facts);
          if (!m.present) expect([m.blank, m.kind, m.writableBytes]).toEqual([false, null, null]);
          if (m.kind === "CDR") expect(m.profile).toMatch(/^CD-RW?$/);
          if (m.kind === "DVD") expect(m.profile.startsWith("DVD")).toBe(true);
          const last = facts.findLast((f) => f.kind === "blocks");
          if (m.present && last?.kind === "blocks") expect(m.writableBytes).toBe(last.writable * 2048);
        }),
      testRuns: 200,
    },
    "each line form parses back to its fields": {
      property: () =>
        fc.property(fc.nat(), fc.nat(), fc.nat(), words, (a, b, c, text) => {
          const t = text.trim();
          expect(parseTocLine(`Media blocks : ${a} readable , ${b} writable , ${c} overall`))
            .toEqual({ kind: "blocks", readable: a, writable: b, overall: c });
          expect(parseTocLine(`ISO session  : ${pad(a, 3)} , ${pad(b, 6)} , ${pad(c, 10)}s , ${t}`))
            .toEqual({ kind: "session", index: a, start: b, blocks: c, volumeId: t });
          expect(parseTocLine(`Media nwa    : ${a}s`)).toEqual({ kind: "nwa", sector: a });
          expect(parseTocLine(`Media status : ${t}`)).toEqual({ kind: "status", text: t });
          const v = t.replaceAll("'", "");
          expect(parseTocLine(`Drive type   : vendor '${v}' product '${v}' revision '${v}'`))
            .toEqual({ kind: "drive", vendor: v, product: v, revision: v });
        }),
      testRuns: 100,
    },
  },
});

const checkMedia = defineTarget({
  name: "hw-check-media",
  about: "xorriso -check_media region lines (hw/progress/check-media.ts)",
  sources: ["hw/progress/check-media.ts"],
  properties: {
    ...streamProperties(checkMediaParser, [fixture("xorriso-check_media.txt")], [
      "Media checks :        lba ,       size , quality",
      "Media region :          0 ,     153783 , + good",
      "Media region :     153783 ,        169 , 0 untested",
    ]),
    "a region line parses back to its fields": {
      property: () =>
        fc.property(fc.nat(), fc.nat(), fc.constantFrom("+", "0", "-"), words, (lba, blocks, quality, text) => {
          const t = text.trimEnd();
          expect(parseCheckMediaLine(`Media region : ${pad(lba, 10)} , ${pad(blocks, 10)} , ${quality} ${t}`))
            .toEqual({ kind: "region", lba, blocks, quality, text: t });
        }),
      testRuns: 100,
    },
  },
});

const isoinfo = defineTarget({
  name: "hw-isoinfo",
  about: "isoinfo -d and the image size it gives (hw/progress/isoinfo.ts)",
  sources: ["hw/progress/isoinfo.ts"],
  properties: {
    ...streamProperties(isoinfoParser, [fixture("isoinfo-d.txt")], [
      "Volume id: TESTDISC",
      "Volume set size is: 1",
      "Logical block size is: 2048",
      "Volume size is: 153783",
    ]),
    "the image size is block size times volume size, the last of each": {
      property: () =>
        fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(2 ** 20)), { maxLength: 5 }), words, (rows, id) => {
          const lines = rows.map(([block, n]) => block ? `Logical block size is: ${n}` : `Volume size is: ${n}`);
          const facts = run(isoinfoParser, [enc.encode([`Volume id: ${id.trimEnd()}`, ...lines].join("\n"))]);
          const last = (block: boolean) => rows.findLast(([b]) => b === block)?.[1];
          const [b, v] = [last(true), last(false)];
          expect(isoImageBytes(facts)).toBe(b === undefined || v === undefined ? null : b * v);
          expect(parseIsoinfoLine(`Volume id: ${id.trimEnd()}`)).toEqual({ kind: "volume-id", id: id.trimEnd() });
        }),
      testRuns: 100,
    },
  },
});

const minfo = defineTarget({
  name: "hw-minfo",
  about: "cdrskin/xorriso minfo media type and disk status (hw/progress/minfo.ts)",
  sources: ["hw/progress/minfo.ts"],
  properties: {
    ...streamProperties(minfoParser, [fixture("cdrskin-minfo.stdio.txt")], [
      "Mounted media class:      Unknown class (profile 0xFFFF)",
      "Mounted media type:       stdio file",
      "disk status:              complete",
    ]),
    "media type and disk status lines give their text": {
      property: () =>
        fc.property(words, fc.nat(20), (text, gap) => {
          const t = text.trim();
          expect(parseMinfoLine(`Mounted media type:${" ".repeat(gap)}${t}`)).toEqual({ kind: "media-type", type: t });
          expect(parseMinfoLine(`disk status:${" ".repeat(gap)}${t}`)).toEqual({ kind: "disk-status", status: t });
        }),
      testRuns: 100,
    },
  },
});

/** Events as a parser gives them, numbers of any size and NaN percentages included. */
const toolEvent: fc.Arbitrary<BurnToolEvent> = fc.oneof(
  fc.record({
    kind: fc.constant("progress" as const),
    bytesWritten: fc.option(fc.nat({ max: 2 ** 34 }), { nil: undefined }),
    percent: fc.option(fc.double({ noNaN: false }), { nil: undefined }),
  }).map(({ kind, bytesWritten, percent }) => {
    const e: BurnToolEvent = { kind };
    if (bytesWritten !== undefined) e.bytesWritten = bytesWritten;
    if (percent !== undefined) e.percent = percent;
    return e;
  }),
  fc.constant<BurnToolEvent>({ kind: "failure", cls: "OTHER", line: "x" }),
  fc.constant<BurnToolEvent>({ kind: "total", bytes: 1 }),
);

const tracker = defineTarget({
  name: "hw-tracker",
  about: "a burn's progress and outcome from the parsed tool output (hw/progress/tracker.ts)",
  sources: ["hw/progress/tracker.ts"],
  properties: {
    "percent stays within 0..100, never decreases, and is 100 only after success": {
      property: () =>
        fc.property(
          fc.nat({ max: 2 ** 33 }),
          fc.array(toolEvent, { maxLength: 30 }),
          fc.option(fc.nat({ max: 3 }), { nil: null }),
          (
            size,
            events,
            code,
          ) => {
            const { events: out, outcome } = track(size, events, code);
            const p = percents(out);
            for (const [i, v] of p.entries()) {
              expect(v).toBeGreaterThanOrEqual(i === 0 ? 0 : p[i - 1] ?? 0);
              expect(v).toBeLessThanOrEqual(outcome.ok && i === p.length - 1 ? 100 : 99);
            }
            expect(p.at(-1) === 100).toBe(outcome.ok);
          },
        ),
      testRuns: 1000,
    },
    "any tool output, cut anywhere, tracks to an outcome: the first failure line or the exit status": {
      property: () =>
        fc.property(
          fc.constantFrom(CDRSKIN_OUT, ...XORRISO),
          fc.uint8Array({ maxLength: 200 }),
          fc.nat(),
          fc.array(fc.nat(), { maxLength: 10 }),
          fc.option(fc.nat(3), { nil: null }),
          (sample, junk, cutAt, points, code) => {
            const input = new Uint8Array([...sample.subarray(0, cutAt % (sample.length + 1)), ...junk]);
            const parsed = run(cdrskinParser, splitAt(input, points)).concat(run(xorrisoParser, [input]));
            const { events, outcome } = track(314947584, parsed, code);
            const failure = parsed.find((e) => e.kind === "failure");
            if (failure?.kind === "failure") {
              expect(outcome).toEqual({ ok: false, failure: { cls: failure.cls, line: failure.line } });
            } else if (code === 0) {
              expect(outcome).toEqual({ ok: true });
            } else expect(outcome).toEqual({ ok: false, failure: { cls: "OTHER", line: `exit ${code ?? "signal"}` } });
            for (const e of events) if (e.kind === "progress") finiteNumbers(e);
          },
        ),
      testRuns: 100,
    },
  },
});

const lineParser = defineTarget({
  name: "hw-line-parser",
  about:
    "the burn tools' line reader: blank lines dropped, lines right-trimmed, over-long lines skipped (hw/progress/line-parser.ts)",
  sources: ["hw/progress/line-parser.ts"],
  properties: {
    "every line reaches the parser once, right-trimmed and never blank, however the input is chunked": {
      property: () =>
        fc.property(
          fc.array(fc.tuple(words, fc.constantFrom("\n", "\r", "\r\n", "  \n", "\t\r")), { maxLength: 10 }),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 12 }),
          (parts, tail, points) => {
            const text = parts.map(([w, b]) => w + b).join("") + (tail ? "end" : "");
            const expected = text.split(/\r\n|\r|\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
            const seen = run(() => new LineParser((t) => t), splitAt(enc.encode(text), points));
            expect(seen.every((l) => l !== "" && l === l.trimEnd())).toBe(true);
            expect(seen).toEqual(expected.filter((l) => l !== ""));
          },
        ),
      testRuns: 200,
    },
    ...streamProperties(() => new LineParser((t) => (t.startsWith("ok") ? t : undefined)), [
      enc.encode("ok 1\r\nx\nok 2"),
    ], [
      "ok 1",
      "not this one",
      "ok 2",
    ]),
  },
});

/** The burn-tool parsers' targets. */
export const progressTargets: FuzzTarget[] = [
  cdrecord,
  libburn,
  cdrskin,
  wodim,
  xorriso,
  growisofs,
  genisoimage,
  dd,
  toc,
  checkMedia,
  isoinfo,
  minfo,
  tracker,
  lineParser,
];

import { describe, expect, test } from "bun:test";
import { parseLibburnFailure } from "../../../hw/progress/libburn.ts";

const cls = parseLibburnFailure;

describe("libburn failures", () => {
  test("free-space and ENOSPC messages are NOSPACE", () => {
    expect(cls("xorriso : FAILURE : Image size 153952s exceeds free space on media 51200s")).toMatchObject({
      cls: "NOSPACE",
    });
    expect(cls("libburn : SORRY : write(2) returned -1. : No space left on device")).toMatchObject({ cls: "NOSPACE" });
  });

  test("a failed burn run or write is WRITE", () => {
    expect(cls("libburn : FATAL : Burn run failed")).toMatchObject({ cls: "WRITE" });
    expect(cls("xorriso : FAILURE : libburn indicates failure with writing.")).toMatchObject({ cls: "WRITE" });
  });

  test("other failures are OTHER and keep the whole line", () => {
    const line = "xorriso : aborting : -abort_on 'FAILURE' encountered 'FAILURE'";
    expect(parseLibburnFailure(line)).toEqual({ kind: "failure", cls: "OTHER", line });
  });

  test("notes, updates and other tools' lines are not failures", () => {
    expect(parseLibburnFailure("xorriso : NOTE : Gave up -outdev ''")).toBeUndefined();
    expect(parseLibburnFailure("xorriso : UPDATE :    4 of  300 MB written (fifo  0%) [buf  50%]")).toBeUndefined();
    expect(parseLibburnFailure("wodim : FAILURE : x")).toBeUndefined();
  });
});

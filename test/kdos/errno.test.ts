import { describe, expect, test } from "bun:test";
import { ERRNO, errnoOf } from "../../lib/kdos/errno.ts";

/** Spec §7, row by row. */
const TABLE: Array<[string, number]> = [
  ["EPERM", 1],
  ["ENOENT", 2],
  ["EIO", 5],
  ["EBADF", 9],
  ["EACCES", 13],
  ["EFAULT", 14],
  ["EEXIST", 17],
  ["EXDEV", 18],
  ["ENOTDIR", 20],
  ["EISDIR", 21],
  ["EINVAL", 22],
  ["ENFILE", 23],
  ["EMFILE", 24],
  ["EFBIG", 27],
  ["ENOSPC", 28],
  ["EROFS", 30],
  ["ENAMETOOLONG", 36],
  ["ENOSYS", 38],
  ["ELOOP", 40],
  ["EOVERFLOW", 75],
  ["EMSGSIZE", 90],
  ["EDQUOT", 122],
];

describe("the errno table", () => {
  test("holds exactly the rows of spec §7 with their Linux numbers", () => {
    expect(Object.entries(ERRNO) as Array<[string, number]>).toEqual(TABLE);
  });

  test("answers every row by its name, the text being the name", () => {
    for (const [name, errno] of TABLE) expect(errnoOf({ errno: name })).toEqual({ errno, text: name });
  });
});

describe("errnoOf", () => {
  test("follows the name with the failure's extra words", () => {
    expect(errnoOf({ errno: "EACCES", text: "deleted=3 failed=1" })).toEqual({
      errno: 13,
      text: "EACCES deleted=3 failed=1",
    });
  });

  test("turns a name outside the table into EIO with its code", () => {
    expect(errnoOf({ errno: "ESTALE" })).toEqual({ errno: 5, text: "EIO code=ESTALE" });
    expect(errnoOf({ errno: "ENOTSUP", text: "deleted=0 failed=1" })).toEqual({
      errno: 5,
      text: "EIO code=ENOTSUP deleted=0 failed=1",
    });
  });

  test("keeps an unknown code one printable word", () => {
    expect(errnoOf({ errno: "E BAD\n\u00e9" })).toEqual({ errno: 5, text: "EIO code=E?BAD??" });
  });

  test("does not take inherited property names for errno names", () => {
    expect(errnoOf({ errno: "constructor" })).toEqual({ errno: 5, text: "EIO code=constructor" });
    expect(errnoOf({ errno: "__proto__" })).toEqual({ errno: 5, text: "EIO code=__proto__" });
  });
});

import { describe, expect, test } from "bun:test";
import { atoi, tokenize } from "../../../lib/spree/engines/words.ts";

describe("tokenize", () => {
  test("splits on the given characters only, dropping empty words", () => {
    expect(tokenize("  start gather\n2\tothello ", " \n")).toEqual(["start", "gather", "2\tothello"]);
    expect(tokenize("title a\nb", " ")).toEqual(["title", "a\nb"]);
    expect(tokenize("", " \n")).toEqual([]);
    expect(tokenize(" \n \n", " \n")).toEqual([]);
    expect(tokenize("héllo wörld", " ")).toEqual(["héllo", "wörld"]);
  });
});

describe("atoi", () => {
  test("reads like C strtol: white space, a sign, digits up to the first non-digit", () => {
    expect(atoi("42")).toBe(42);
    expect(atoi("4x")).toBe(4);
    expect(atoi(" \t-7")).toBe(-7);
    expect(atoi("+3")).toBe(3);
    expect(atoi("x")).toBe(0);
    expect(atoi("")).toBe(0);
    expect(atoi("-")).toBe(0);
    expect(atoi("- 1")).toBe(0);
    expect(atoi("0x10")).toBe(0);
    expect(atoi("007")).toBe(7);
  });

  test("saturates at the 32-bit limits", () => {
    expect(atoi("2147483647")).toBe(2147483647);
    expect(atoi("2147483648")).toBe(2147483647);
    expect(atoi("99999999999999999999999")).toBe(2147483647);
    expect(atoi("-2147483648")).toBe(-2147483648);
    expect(atoi("-99999999999999999999999")).toBe(-2147483648);
  });
});

import { describe, expect, test } from "bun:test";
import { burnerId, chooseMac, parseIdFile, resolveId } from "../../lib/stand/identity.ts";

describe("burner id", () => {
  test("is md5(mac + device path), the spec's example", () => {
    expect(burnerId("00:1a:2b:3c:4d:5e", "/dev/sr0")).toBe("233c343e144c59081b9ea1da568a72e8");
  });

  test("differs per device on one machine", () => {
    expect(burnerId("00:1a:2b:3c:4d:5e", "/dev/sr1")).not.toBe(burnerId("00:1a:2b:3c:4d:5e", "/dev/sr0"));
  });
});

describe("MAC choice", () => {
  test("the first non-internal interface by name with a non-zero MAC, lowercase", () => {
    expect(chooseMac({
      wlan0: [{ mac: "66:77:88:99:aa:bb", internal: false }],
      lo: [{ mac: "00:00:00:00:00:00", internal: true }],
      docker0: [{ mac: "00:00:00:00:00:00", internal: false }],
      eth0: [{ mac: "00:1A:2B:3C:4D:5E", internal: false }, { mac: "00:1A:2B:3C:4D:5E", internal: false }],
    })).toBe("00:1a:2b:3c:4d:5e");
  });

  test("names sort by code unit, so the choice does not depend on the listing order or locale", () => {
    const a = { mac: "02:00:00:00:00:0a", internal: false };
    const b = { mac: "02:00:00:00:00:0b", internal: false };
    expect(chooseMac({ enp3s0: [b], Eth1: [a] })).toBe(a.mac);
    expect(chooseMac({ Eth1: [a], enp3s0: [b] })).toBe(a.mac);
  });

  test("none: undefined", () => {
    expect(chooseMac({ lo: [{ mac: "00:00:00:00:00:00", internal: true }] })).toBeUndefined();
    expect(chooseMac({})).toBeUndefined();
  });
});

describe("id file precedence", () => {
  test("no file: the computed id, to be written", () => {
    expect(resolveId(undefined, "233c343e144c59081b9ea1da568a72e8")).toEqual({
      id: "233c343e144c59081b9ea1da568a72e8",
      write: true,
    });
  });

  test("a file wins over the computed id (a new NIC does not make a new burner)", () => {
    expect(resolveId("4a8e2f1a79f1f8507d5cdbdebb993219\n", "233c343e144c59081b9ea1da568a72e8")).toEqual({
      id: "4a8e2f1a79f1f8507d5cdbdebb993219",
      write: false,
    });
  });

  test("a file that holds no id gives none", () => {
    expect(resolveId("not an id\n", "233c343e144c59081b9ea1da568a72e8").id).toBeUndefined();
    expect(parseIdFile("233C343E144C59081B9EA1DA568A72E8")).toBeUndefined();
    expect(parseIdFile("")).toBeUndefined();
  });
});

/**
 * A burner's stable id (spec stand.md §4.2): `md5(mac + devicePath)` in
 * lowercase hex, after the blueprint's "MAC+device path md5 hashed, allows
 * multiple clients per computer". Computed once and kept in the id file;
 * from then on the file wins, so a new network card does not make a new
 * burner. Pure: the program lists the interfaces and reads and writes the
 * file.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * One address of a network interface, as node:os `networkInterfaces()`
 * lists them.
 *
 * @example
 * ```ts
 * const a: InterfaceAddress = { mac: "00:1a:2b:3c:4d:5e", internal: false };
 * ```
 */
export interface InterfaceAddress {
  readonly mac: string;
  readonly internal: boolean;
}

const ZERO_MAC = /^(?:00[:-]?){5}00$/;
const ID = /^[0-9a-f]{32}$/;

/**
 * The MAC the id is made of: lowercase, colon-separated, of the first
 * interface by name (code-unit order) that is not internal and has a
 * non-zero MAC; undefined if there is none.
 *
 * @example
 * ```ts
 * chooseMac({
 *   lo: [{ mac: "00:00:00:00:00:00", internal: true }],
 *   wlan0: [{ mac: "66:77:88:99:AA:BB", internal: false }],
 *   eth0: [{ mac: "00:1A:2B:3C:4D:5E", internal: false }],
 * }); // "00:1a:2b:3c:4d:5e"
 * ```
 */
export function chooseMac(
  interfaces: Readonly<Record<string, ReadonlyArray<InterfaceAddress> | undefined>>,
): string | undefined {
  const names = Object.keys(interfaces).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    for (const address of interfaces[name] ?? []) {
      if (!address.internal && !ZERO_MAC.test(address.mac)) return address.mac.toLowerCase().replaceAll("-", ":");
    }
  }
  return undefined;
}

/**
 * The id made of a MAC and the device path as given (`fake:` plus the id
 * file's absolute path for a simulated drive).
 *
 * @example
 * ```ts
 * burnerId("00:1a:2b:3c:4d:5e", "/dev/sr0"); // "233c343e144c59081b9ea1da568a72e8"
 * ```
 */
export function burnerId(mac: string, devicePath: string): string {
  return createHash("md5").update(mac + devicePath).digest("hex");
}

/**
 * The id an id file holds: its one line, trimmed; undefined if that is no
 * id (32 lowercase hex digits).
 *
 * @example
 * ```ts
 * parseIdFile("233c343e144c59081b9ea1da568a72e8\n"); // "233c343e144c59081b9ea1da568a72e8"
 * parseIdFile("hello\n"); // undefined
 * ```
 */
export function parseIdFile(text: string): string | undefined {
  const id = text.trim();
  return ID.test(id) ? id : undefined;
}

/**
 * Which id a burner uses: the file's when there is a file (`fileText`,
 * undefined when it does not exist), else the one just computed, which
 * the program then writes (`write` true). A file that holds no id is an
 * error for the operator: undefined `id`.
 *
 * @example
 * ```ts
 * resolveId(undefined, "233c343e144c59081b9ea1da568a72e8"); // { id: "233c…", write: true }
 * resolveId("4a8e2f1a79f1f8507d5cdbdebb993219\n", "233c…"); // { id: "4a8e…", write: false }
 * ```
 */
export function resolveId(fileText: string | undefined, computed: string): { id: string | undefined; write: boolean } {
  if (fileText === undefined) return { id: computed, write: true };
  return { id: parseIdFile(fileText), write: false };
}

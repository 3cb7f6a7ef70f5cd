/**
 * The order a snapshot lists an object's attributes in (spec §6.5), as an
 * oracle for the engines' tests: it shows that the order an engine sets
 * attributes in gives the captured snapshot lines.
 */

/**
 * Attribute names set in `setOrder`, in snapshot order: 7 buckets by a
 * 65599 hash, newest first within a bucket.
 *
 * @example
 * ```ts
 * snapshotOrder(["members", "dd", "ee", "de", "ed", "turn"]); // ["de", "ed", "turn", "ee", "members", "dd"]
 * ```
 */
export function snapshotOrder(setOrder: readonly string[]): string[] {
  const bucket = (name: string) => {
    let h = 0;
    for (const ch of name) h = (Math.imul(h, 65599) + ch.codePointAt(0)!) | 0;
    return (h & 0x7fffffff) % 7;
  };
  const newestFirst = [...setOrder].reverse();
  return [0, 1, 2, 3, 4, 5, 6].flatMap((b) => newestFirst.filter((name) => bucket(name) === b));
}

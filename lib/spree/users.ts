/**
 * Who may be whom (spec §9): the rule for a valid uname, and the `--users`
 * file that lists the names a server admits.
 *
 * @module
 */

const MAX_UNAME_BYTES = 64;
const encoder = new TextEncoder();

/**
 * Whether `name` is a valid uname: 1–64 bytes of UTF-8 with no white space
 * and no control character (C0, DEL, C1), so that it fits in update lines
 * such as `chat <user> <text>`. A name decoded from invalid UTF-8 holds
 * U+FFFD and is refused too.
 *
 * @example
 * ```ts
 * validUname("alice"); // true
 * validUname("al ice"); // false
 * validUname(""); // false
 * ```
 */
export function validUname(name: string): boolean {
  if (name.length === 0 || name.length > MAX_UNAME_BYTES) return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0xfffd || /\s/u.test(ch)) return false;
  }
  return encoder.encode(name).length <= MAX_UNAME_BYTES;
}

/** A line of a users file that is not a valid name. */
export interface UsersFileError {
  /** 1-based line number. */
  line: number;
  reason: string;
}

/**
 * Parse a `--users` file: one name per line; blank lines and lines starting
 * with `#` are ignored, as is white space around a name.
 *
 * @example
 * ```ts
 * parseUsers("# players\nalice\nbob\n"); // Set { "alice", "bob" }
 * parseUsers("al ice\n"); // { line: 1, reason: "invalid user name 'al ice'" }
 * ```
 */
export function parseUsers(text: string): Set<string> | UsersFileError {
  const names = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const name = lines[i]!.trim();
    if (name === "" || name.startsWith("#")) continue;
    if (!validUname(name)) return { line: i + 1, reason: `invalid user name '${name}'` };
    names.add(name);
  }
  return names;
}

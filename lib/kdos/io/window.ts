/**
 * kdosd's buffer window on disk (spec §4): the shared-memory file clients
 * map, which kdosd itself only reads and writes at explicit positions, so a
 * client truncating it makes transfers fail with EFAULT instead of killing
 * the daemon with SIGBUS.
 *
 * @module
 */
import type { Stats } from "node:fs";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { BufferWindow } from "../../runtime/window.ts";
import type { Window } from "../store.ts";

/** Where the window is and how big (`--window PATH:SIZE:BASE`). */
export interface WindowSpec {
  readonly path: string;
  readonly size: bigint;
  readonly base: bigint;
}

/**
 * The open window file; `close` releases the descriptor and keeps the file
 * (clients may have it mapped).
 *
 * @example
 * ```ts
 * const window: WindowFile = openWindow({ path, size: 4096n, base: 0n }, 0o660);
 * window.close();
 * ```
 */
export interface WindowFile extends Window {
  close(): void;
}

/** Refuse a window file another user could have planted or could read (spec §4 set-up, T7). */
function refuseUnsafe(path: string, st: Stats): void {
  if (!st.isFile()) {
    throw new Fatal(`window ${path} is not a regular file; remove it or choose another --window path`, EX.CANTCREAT);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new Fatal(`window ${path} belongs to uid ${st.uid}, not ours (${uid}); remove it or chown it`, EX.CANTCREAT);
  }
  if ((st.mode & 0o007) !== 0) {
    const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
    throw new Fatal(`window ${path} has mode ${mode}, open to other users; chmod o= ${path}`, EX.CANTCREAT);
  }
}

/**
 * Open (creating with `mode`, less the umask) the window file, never
 * through a symlink; it must be a regular file of our uid with no "other"
 * permission bits. A shorter file is extended to `spec.size`; a longer one
 * is used up to it; it is never shrunk or unlinked.
 *
 * @throws {Fatal} 73 with a one-line message saying what to fix.
 * @example
 * ```ts
 * const window = openWindow({ path: "/dev/shm/kdosd.window", size: 4n << 20n, base: 0n }, 0o660);
 * window.read(0, 64); // the bytes, or "short" if a client truncated the file
 * ```
 */
export function openWindow(spec: WindowSpec, mode: number): WindowFile {
  const { path, size, base } = spec;
  let file: BufferWindow;
  try {
    file = BufferWindow.open(path, Number(size), { mode, check: (st) => refuseUnsafe(path, st) });
  } catch (err) {
    if (err instanceof Fatal) throw err;
    if (errorCode(err) === "ELOOP") {
      throw new Fatal(`window ${path} is a symlink; remove it or choose another --window path`, EX.CANTCREAT);
    }
    throw new Fatal(`window ${path}: ${describeError(err)}; fix it or choose another --window path`, EX.CANTCREAT);
  }
  let scratch = new Uint8Array(0);
  return {
    size,
    base,
    read(offset: number, length: number): Uint8Array | "short" {
      // One buffer for every read: the executor writes the bytes to the file at once.
      if (scratch.length < length) scratch = new Uint8Array(length);
      const into = scratch.subarray(0, length);
      try {
        return file.readInto(into, offset) === length ? into : "short";
      } catch {
        return "short";
      }
    },
    write(offset: number, data: Uint8Array): true | "short" {
      try {
        file.write(offset, data);
        return true;
      } catch {
        // ENOSPC on a full tmpfs, say: the transfer fails with EFAULT.
        return "short";
      }
    },
    close() {
      file.close();
    },
  };
}

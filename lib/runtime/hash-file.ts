/**
 * The md5 of a file, streamed in 1 MiB reads so that a multi-GB disc image
 * costs one buffer of memory (burnerd's ISO index, `standd queue FILE.iso`).
 * node:crypto's md5 is native under both Bun and Deno, so no adapter is
 * needed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

const CHUNK = 1 << 20;

/**
 * What {@linkcode md5File} read: the lowercase hex digest and the bytes.
 *
 * @example
 * ```ts
 * const d: FileDigest = { md5: "d41d8cd98f00b204e9800998ecf8427e", bytes: 0 };
 * ```
 */
export interface FileDigest {
  md5: string;
  bytes: number;
}

/**
 * Hash the whole of `path`, reporting the running byte count through
 * `onBytes`. Rejects with the errno error (ENOENT, EACCES, EISDIR…).
 *
 * @example
 * ```ts
 * const { md5, bytes } = await md5File("/srv/isos/ubuntu-8.10-desktop-i386.iso");
 * ```
 */
export async function md5File(path: string, onBytes?: (n: number) => void): Promise<FileDigest> {
  const file = await open(path, "r");
  try {
    const hash = createHash("md5");
    const buf = new Uint8Array(CHUNK);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
      onBytes?.(bytes);
    }
    return { md5: hash.digest("hex"), bytes };
  } finally {
    await file.close();
  }
}

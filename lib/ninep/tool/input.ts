/**
 * Standard input cut the ways `spreed 9p` writes it: into lines, one
 * Twrite each (`write -l`, `rdwr`), or into blocks of the iounit
 * (`write`). Pure: it works on any stream of chunks, however they are cut.
 *
 * @module
 */
import { ByteQueue } from "../../bytes.ts";

const LF = 0x0a;

/**
 * The lines of a byte stream, with their newline or without; a last line
 * without a newline comes too. Bytes are passed on as they are (no
 * decoding; a `\r` before the newline stays).
 *
 * @example
 * ```ts
 * for await (const line of lines(stdinChunks(), false)) await fid.write(line);
 * ```
 */
export async function* lines(chunks: AsyncIterable<Uint8Array>, keepNewline: boolean): AsyncGenerator<Uint8Array> {
  const queue = new ByteQueue();
  // Where the search for the next newline resumes: bytes before it have none.
  let scanned = 0;
  for await (const chunk of chunks) {
    queue.push(chunk);
    for (let at = queue.indexOf(LF, scanned); at !== -1; at = queue.indexOf(LF)) {
      yield queue.take(keepNewline ? at + 1 : at);
      if (!keepNewline) queue.skip(1);
    }
    scanned = queue.length;
  }
  if (queue.length > 0) yield queue.take(queue.length);
}

/**
 * A byte stream in blocks of `size` bytes; only the last may be shorter,
 * and none is empty.
 *
 * @throws {RangeError} if `size` is not a positive integer.
 * @example
 * ```ts
 * for await (const block of blocks(stdinChunks(), 8192)) await fid.write(block);
 * ```
 */
export async function* blocks(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`block size ${size} is not a positive integer`);
  const queue = new ByteQueue();
  for await (const chunk of chunks) {
    queue.push(chunk);
    while (queue.length >= size) yield queue.take(size);
  }
  if (queue.length > 0) yield queue.take(queue.length);
}

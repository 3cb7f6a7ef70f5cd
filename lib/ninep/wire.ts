/**
 * The field encodings of 9P2000: little-endian integers of 1, 2, 4 and 8
 * bytes, strings as `len[2]` + UTF-8, and raw byte runs.
 *
 * @module
 */

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF, which is part of a 9P string like any
// other character; invalid sequences become U+FFFD.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

const U64_LIMIT = 1n << 64n;

/** Throw unless `value` is an integer that fits `bits` unsigned bits. */
function checkUint(value: number, bits: 8 | 16 | 32, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${what} ${value} does not fit ${bits} unsigned bits`);
  }
}

/**
 * Reads fields from a byte array front to back. Reading past the end does
 * not throw: it yields zeros and empty values and sets `short`, so a
 * decoder reads a whole body and checks once.
 *
 * @example
 * ```ts
 * const r = new WireReader(new Uint8Array([2, 0, 0x68, 0x69, 7]));
 * r.string(); // "hi"
 * r.u8(); // 7
 * r.u32(); // 0, and r.short is now true
 * ```
 */
export class WireReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at: number;
  #short = false;

  constructor(bytes: Uint8Array, offset = 0) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#at = offset;
  }

  /**
   * True once a read asked for more bytes than were left.
   *
   * @example
   * ```ts
   * const r = new WireReader(new Uint8Array([1]));
   * r.u16();
   * r.short; // true
   * ```
   */
  get short(): boolean {
    return this.#short;
  }

  /**
   * Where the next read starts.
   *
   * @example
   * ```ts
   * const r = new WireReader(new Uint8Array(8));
   * r.u32();
   * r.offset; // 4
   * ```
   */
  get offset(): number {
    return this.#at;
  }

  /**
   * Bytes left to read.
   *
   * @example
   * ```ts
   * new WireReader(new Uint8Array(8), 3).remaining; // 5
   * ```
   */
  get remaining(): number {
    return Math.max(this.#bytes.length - this.#at, 0);
  }

  /** Advance over `n` bytes; the start, or -1 (and `short`) if they are not all there. */
  #take(n: number): number {
    if (this.#short || n > this.#bytes.length - this.#at) {
      this.#short = true;
      return -1;
    }
    const at = this.#at;
    this.#at += n;
    return at;
  }

  /**
   * One byte.
   *
   * @example
   * ```ts
   * new WireReader(new Uint8Array([0x80])).u8(); // 128
   * ```
   */
  u8(): number {
    const at = this.#take(1);
    return at < 0 ? 0 : this.#view.getUint8(at);
  }

  /**
   * A little-endian 16-bit integer.
   *
   * @example
   * ```ts
   * new WireReader(new Uint8Array([0xff, 0xff])).u16(); // 65535
   * ```
   */
  u16(): number {
    const at = this.#take(2);
    return at < 0 ? 0 : this.#view.getUint16(at, true);
  }

  /**
   * A little-endian 32-bit unsigned integer.
   *
   * @example
   * ```ts
   * new WireReader(new Uint8Array([0x18, 0x20, 0, 0])).u32(); // 8216
   * ```
   */
  u32(): number {
    const at = this.#take(4);
    return at < 0 ? 0 : this.#view.getUint32(at, true);
  }

  /**
   * A little-endian 64-bit unsigned integer, exact as a bigint.
   *
   * @example
   * ```ts
   * new WireReader(new Uint8Array(8).fill(0xff)).u64(); // 18446744073709551615n
   * ```
   */
  u64(): bigint {
    const at = this.#take(8);
    return at < 0 ? 0n : this.#view.getBigUint64(at, true);
  }

  /**
   * A string: `len[2]` then that many bytes of UTF-8, invalid sequences
   * decoded as U+FFFD.
   *
   * @example
   * ```ts
   * new WireReader(new Uint8Array([1, 0, 0xff])).string(); // "\ufffd"
   * ```
   */
  string(): string {
    const n = this.u16();
    const at = this.#take(n);
    return at < 0 ? "" : utf8Decoder.decode(this.#bytes.subarray(at, at + n));
  }

  /**
   * The next `n` bytes, as a view into the array read (not a copy).
   *
   * @example
   * ```ts
   * new WireReader(new Uint8Array([1, 2, 3])).bytes(2); // Uint8Array [1, 2]
   * ```
   */
  bytes(n: number): Uint8Array {
    const at = this.#take(n);
    return at < 0 ? new Uint8Array(0) : this.#bytes.subarray(at, at + n);
  }
}

/**
 * Builds a message field by field into a growing buffer.
 *
 * @throws {RangeError} from a method given a value that does not fit its
 * field: a number that is not an integer of that width, a bigint outside
 * `[0, 2**64)`, a string longer than 65535 bytes of UTF-8.
 * @example
 * ```ts
 * const w = new WireWriter();
 * w.u16(1);
 * w.string("hi");
 * w.finish(); // Uint8Array [1, 0, 2, 0, 0x68, 0x69]
 * ```
 */
export class WireWriter {
  #buf = new Uint8Array(64);
  #view = new DataView(this.#buf.buffer);
  #at = 0;

  /**
   * Bytes written so far.
   *
   * @example
   * ```ts
   * const w = new WireWriter();
   * w.u32(0);
   * w.length; // 4
   * ```
   */
  get length(): number {
    return this.#at;
  }

  /** Make room for `n` more bytes and return where they go. */
  #reserve(n: number): number {
    if (this.#at + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
      next.set(this.#buf.subarray(0, this.#at));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#at;
    this.#at += n;
    return at;
  }

  /**
   * One byte.
   *
   * @example
   * ```ts
   * new WireWriter().u8(0x80);
   * ```
   */
  u8(value: number): void {
    checkUint(value, 8, "byte");
    const at = this.#reserve(1);
    this.#view.setUint8(at, value);
  }

  /**
   * A little-endian 16-bit integer.
   *
   * @example
   * ```ts
   * new WireWriter().u16(0xffff);
   * ```
   */
  u16(value: number): void {
    checkUint(value, 16, "16-bit field");
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, true);
  }

  /**
   * A little-endian 32-bit unsigned integer. A negative value down to
   * -2**31, as JavaScript's bitwise operators yield when bit 31 is set
   * (`DMDIR | 0o555`), is written as its 32-bit pattern.
   *
   * @example
   * ```ts
   * new WireWriter().u32(8216);
   * new WireWriter().u32(DMDIR | 0o555); // the bytes 6d 01 00 80
   * ```
   */
  u32(value: number): void {
    if (value < 0 && value >= -(2 ** 31)) value >>>= 0;
    checkUint(value, 32, "32-bit field");
    const at = this.#reserve(4);
    this.#view.setUint32(at, value, true);
  }

  /**
   * A little-endian 64-bit unsigned integer.
   *
   * @example
   * ```ts
   * new WireWriter().u64(0n);
   * ```
   */
  u64(value: bigint): void {
    if (value < 0n || value >= U64_LIMIT) throw new RangeError(`64-bit field ${value} does not fit 64 unsigned bits`);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, value, true);
  }

  /**
   * A string as `len[2]` + UTF-8.
   *
   * @example
   * ```ts
   * new WireWriter().string("spree");
   * ```
   */
  string(value: string): void {
    const bytes = utf8Encoder.encode(value);
    if (bytes.length > 0xffff) throw new RangeError(`string of ${bytes.length} bytes is longer than 65535`);
    this.u16(bytes.length);
    this.bytes(bytes);
  }

  /**
   * Raw bytes, as they are.
   *
   * @example
   * ```ts
   * new WireWriter().bytes(new TextEncoder().encode("join"));
   * ```
   */
  bytes(value: Uint8Array): void {
    // Reserve first: it may replace the buffer.
    const at = this.#reserve(value.length);
    this.#buf.set(value, at);
  }

  /**
   * Overwrite a 16-bit or 32-bit field written earlier (a size field,
   * known once what follows it is written).
   *
   * @example
   * ```ts
   * const w = new WireWriter();
   * w.u32(0);
   * w.u8(100);
   * w.patch(0, 4, w.length); // size[4] = 5
   * ```
   */
  patch(offset: number, width: 2 | 4, value: number): void {
    checkUint(value, width === 2 ? 16 : 32, "size field");
    if (width === 2) this.#view.setUint16(offset, value, true);
    else this.#view.setUint32(offset, value, true);
  }

  /**
   * The bytes written, as a new array.
   *
   * @example
   * ```ts
   * const w = new WireWriter();
   * w.u8(1);
   * w.finish(); // Uint8Array [1]
   * ```
   */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }
}

/** fast-check arbitraries for valid 9P2000 messages and stat entries. */
import fc from "fast-check";
import { MAXWELEM } from "../../lib/ninep/constants.ts";
import type { Qid, RMessage, Stat, TMessage } from "../../lib/ninep/messages.ts";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
// Well-formed strings only: a lone surrogate has no UTF-8 form.
const utf8 = { encoder: new TextEncoder(), decoder: new TextDecoder() };
const str = fc
  .string({ unit: "binary", maxLength: 12 })
  .filter((s) => utf8.decoder.decode(utf8.encoder.encode(s)) === s);
const data = fc.uint8Array({ maxLength: 40 });
const tag = u16;
const fid = u32;

/** Any qid. */
export const qidArb: fc.Arbitrary<Qid> = fc.record({ type: u8, version: u32, path: u64 });

/** Any stat entry that fits its 16-bit size. */
export const statArb: fc.Arbitrary<Stat> = fc.record({
  type: u16,
  dev: u32,
  qid: qidArb,
  mode: u32,
  atime: u32,
  mtime: u32,
  length: u64,
  name: str,
  uid: str,
  gid: str,
  muid: str,
});

/** Any valid T-message. */
export const tMessageArb: fc.Arbitrary<TMessage> = fc.oneof(
  fc.record({ type: fc.constant("Tversion" as const), tag, msize: u32, version: str }),
  fc.record({ type: fc.constant("Tauth" as const), tag, afid: fid, uname: str, aname: str }),
  fc.record({ type: fc.constant("Tflush" as const), tag, oldtag: u16 }),
  fc.record({ type: fc.constant("Tattach" as const), tag, fid, afid: fid, uname: str, aname: str }),
  fc.record({
    type: fc.constant("Twalk" as const),
    tag,
    fid,
    newfid: fid,
    wnames: fc.array(str, { maxLength: MAXWELEM }),
  }),
  fc.record({ type: fc.constant("Topen" as const), tag, fid, mode: u8 }),
  fc.record({ type: fc.constant("Tcreate" as const), tag, fid, name: str, perm: u32, mode: u8 }),
  fc.record({ type: fc.constant("Tread" as const), tag, fid, offset: u64, count: u32 }),
  fc.record({ type: fc.constant("Twrite" as const), tag, fid, offset: u64, data }),
  fc.record({ type: fc.constant("Tclunk" as const), tag, fid }),
  fc.record({ type: fc.constant("Tremove" as const), tag, fid }),
  fc.record({ type: fc.constant("Tstat" as const), tag, fid }),
  fc.record({ type: fc.constant("Twstat" as const), tag, fid, stat: statArb }),
);

/** Any valid R-message. */
export const rMessageArb: fc.Arbitrary<RMessage> = fc.oneof(
  fc.record({ type: fc.constant("Rversion" as const), tag, msize: u32, version: str }),
  fc.record({ type: fc.constant("Rauth" as const), tag, aqid: qidArb }),
  fc.record({ type: fc.constant("Rerror" as const), tag, ename: str }),
  fc.record({ type: fc.constant("Rflush" as const), tag }),
  fc.record({ type: fc.constant("Rattach" as const), tag, qid: qidArb }),
  fc.record({ type: fc.constant("Rwalk" as const), tag, qids: fc.array(qidArb, { maxLength: MAXWELEM }) }),
  fc.record({ type: fc.constant("Ropen" as const), tag, qid: qidArb, iounit: u32 }),
  fc.record({ type: fc.constant("Rcreate" as const), tag, qid: qidArb, iounit: u32 }),
  fc.record({ type: fc.constant("Rread" as const), tag, data }),
  fc.record({ type: fc.constant("Rwrite" as const), tag, count: u32 }),
  fc.record({ type: fc.constant("Rclunk" as const), tag }),
  fc.record({ type: fc.constant("Rremove" as const), tag }),
  fc.record({ type: fc.constant("Rstat" as const), tag, stat: statArb }),
  fc.record({ type: fc.constant("Rwstat" as const), tag }),
);

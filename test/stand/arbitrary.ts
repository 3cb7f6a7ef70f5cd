/** fast-check arbitraries for valid 'Buntu Stand messages (spec §2). */
import fc from "fast-check";
import type { BurnerRow, Ctype, Media, Message, QueueRow } from "../../lib/stand/messages.ts";

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });
const hash = hex(32);
const uuid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join("-"));
const id = fc.oneof(hash, uuid);
const ctype = fc.constantFrom<Ctype>("BURNCDR", "BURNDVD", "DISPLAY", "COMMAND");
const media = fc.constantFrom<Media>("CDR", "DVD");
const decimal = fc.integer({ min: 0, max: 999_999_999_999_999 });
const prio = fc.integer({ min: 0, max: 999 });
const pct = fc.integer({ min: 0, max: 100 });
const code = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"), minLength: 1, maxLength: 10 });
// Any well-formed text, line breaks, TABs and control characters included:
// the codec normalises it, and the round trip compares normalised forms.
const utf8 = { encoder: new TextEncoder(), decoder: new TextDecoder() };
const text = (maxLength: number) =>
  fc
    .string({
      unit: fc.oneof(fc.constantFrom("\r", "\n", "\t", " ", "\x00", "é"), fc.string({ unit: "binary", maxLength: 1 })),
      maxLength,
    })
    .filter((s) => utf8.decoder.decode(utf8.encoder.encode(s)) === s);
const token = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 20,
});
const state = fc.oneof(
  fc.constantFrom("NEW", "AVAIL", "EMPTY", "OPEN", "ASKED", "PASS", "FAIL", "DISCONN" as const),
  pct,
);

const queueRow: fc.Arbitrary<QueueRow> = fc.record({ item: decimal, hash, prio });
const burnerRow: fc.Arbitrary<BurnerRow> = fc.record(
  { id, ctype, subject: fc.oneof(hash, media), state, label: text(64) },
  { requiredKeys: ["id", "ctype", "subject", "state"] },
);

/** Any valid message of either direction. */
export const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant("IDENT" as const), ver: fc.constant("V1") }),
  fc.record({ type: fc.constant("ID" as const), ver: fc.constant("V1"), ctype, id, token }, {
    requiredKeys: ["type", "ver", "ctype", "id"],
  }),
  fc.constant({ type: "CAPAB" as const }),
  fc.record({ type: fc.constant("CAP" as const), ctype, hashes: fc.array(hash, { maxLength: 4 }) }),
  fc.constant({ type: "ASKCAP" as const }),
  fc.record({ type: fc.constant("WHATIS" as const), hash }),
  fc.record(
    { type: fc.constant("INFO" as const), hash, filename: text(40), description: text(80), bytes: decimal },
    { requiredKeys: ["type", "hash", "filename", "description"] },
  ),
  fc.constant({ type: "INFO_ENOIDEA" as const }),
  fc.record({
    type: fc.constant("STATUS_MEDIA" as const),
    media,
    state: fc.constantFrom("AVAIL", "EMPTY", "OPEN" as const),
  }),
  fc.record({ type: fc.constant("STATUS_PROGRESS" as const), hash, pct }),
  fc.record({ type: fc.constant("STATUS_PROGRESS" as const), hash, pct: fc.constant(100), time: decimal }),
  fc.record({ type: fc.constant("STATUS_VERDICT" as const), hash, verdict: fc.constantFrom("PASS", "FAIL" as const) }),
  fc.record({ type: fc.constant("BURN" as const), hash }),
  fc.constant({ type: "OPEN" as const }),
  fc.record({ type: fc.constant("OPEN_BURNER" as const), burnerId: id }),
  fc.record({ type: fc.constant("QUEUE" as const), hash, prio }),
  fc.record({ type: fc.constant("QDEL" as const), item: decimal }),
  fc.record({ type: fc.constant("NAME" as const), id, label: text(64) }),
  fc.constant({ type: "QOK" as const }),
  fc.constant({ type: "QNO" as const }),
  fc.constant({ type: "QREPORT" as const }),
  fc.constant({ type: "SREPORT" as const }),
  fc.record({ type: fc.constant("QLIST" as const), items: fc.array(queueRow, { maxLength: 4 }) }),
  fc.record({ type: fc.constant("SLIST" as const), burners: fc.array(burnerRow, { maxLength: 4 }) }),
  fc.record({ type: fc.constant("ERROR" as const), code, text: text(60) }),
);

/** Byte helpers for the 9P tests. */

/** Bytes from hex digits; spaces and line breaks are ignored. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  return Uint8Array.from({ length: digits.length / 2 }, (_, i) => parseInt(digits.slice(2 * i, 2 * i + 2), 16));
}

/**
 * Bytes of a Python-style bytes literal's contents, as the spree fixture
 * prints them (`\xNN`, `\n`, `\\`, `\'`, other characters as themselves).
 */
export function pyBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "\\") {
      out.push(text.charCodeAt(i));
      continue;
    }
    const c = text[++i];
    if (c === "x") {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c === "n" ? 10 : c === "t" ? 9 : c === "r" ? 13 : c!.charCodeAt(0));
  }
  return new Uint8Array(out);
}

/** A whole frame: size[4] type[1] tag[2] then `body`. */
export function frame(type: number, tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(7 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, true);
  view.setUint8(4, type);
  view.setUint16(5, tag, true);
  out.set(body, 7);
  return out;
}

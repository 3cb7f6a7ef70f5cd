/**
 * A tiny stand-in for the 9P server loop, enough to drive SpreeService
 * through its FileService methods: attach, walk, open, read, write, clunk,
 * flush, each followed by `settle` as the loop does. Held reads answered by
 * a settle are collected, in order, as `<uname>/<fid>: <reply>`.
 */
import { ORDWR } from "../../lib/ninep/constants.ts";
import { HOLD, type OpenFile } from "../../lib/ninep/service.ts";
import type { SpreeOpen, SpreeService } from "../../lib/spree/namespace.ts";

/** A walked-to file and who walked there. */
export interface Node {
  file: number;
  uname: string;
}

/** An open fid as the loop would keep it. */
export type Open = OpenFile<number, SpreeOpen> & { held: boolean };

const dec = new TextDecoder();
const enc = new TextEncoder();

/** A reply as text: data decoded, an error as `Rerror <text>`. */
export const show = (r: Uint8Array | string) => typeof r === "string" ? `Rerror ${r}` : dec.decode(r);

export class FakeLoop {
  /** Held reads answered, in order. */
  readonly answered: string[] = [];
  #fid = 0;

  constructor(readonly service: SpreeService, readonly msize = 8216) {}

  /** The answers since the last call. */
  take(): string[] {
    return this.answered.splice(0);
  }

  attach(uname: string): Node {
    const root = this.service.attach(uname, "");
    if (typeof root === "string") throw new Error(root);
    return { file: root, uname };
  }

  /** Walk `names` from `from`; "file does not exist" at the first missing one. */
  walk(from: Node, ...names: string[]): Node | string {
    let file = from.file;
    for (const name of names) {
      const next = name === ".." ? this.service.parent(file) : this.service.walk(file, name);
      if (next === undefined || this.service.stat(next) === undefined) return "file does not exist";
      file = next;
    }
    return { file, uname: from.uname };
  }

  /** Open a walked-to file (not a directory). */
  open(node: Node | string, mode = ORDWR): Open | string {
    if (typeof node === "string") return node;
    const opened = this.service.open(node.file, mode, this.msize, node.uname);
    this.#settle();
    if (typeof opened === "string") return opened;
    return { conn: 1, fid: this.#fid++, file: node.file, uname: node.uname, mode, held: false, state: opened.state };
  }

  /** `open(walk(attach(uname), ...path))`, which must succeed. */
  fid(uname: string, ...path: string[]): Open {
    const o = this.open(this.walk(this.attach(uname), ...path));
    if (typeof o === "string") throw new Error(`${uname} ${path.join("/")}: ${o}`);
    return o;
  }

  /** A read: its immediate reply, or `(held)`. */
  read(o: Open, count = 8192, offset = 0n): string {
    const r = this.service.read(o, offset, count);
    let out: string;
    if (r === HOLD) {
      o.held = true;
      out = "(held)";
    } else out = show(r);
    this.#settle();
    return out;
  }

  /** A write: the count, or `Rerror <text>` (a late error after the settle, as the loop sends it). */
  write(o: Open, text: string | Uint8Array): string {
    const r = this.service.write(o, 0n, typeof text === "string" ? enc.encode(text) : text);
    this.#settle();
    if (typeof r === "number") return String(r);
    return `Rerror ${typeof r === "string" ? r : r.error}`;
  }

  /** Tclunk: a held read gets EOF first. */
  clunk(o: Open): void {
    if (o.held) {
      o.held = false;
      this.answered.push(`${o.uname}/${o.fid}: `);
    }
    this.service.clunk(o);
    this.#settle();
  }

  /** Tflush of `o`'s held read. */
  flush(o: Open): void {
    if (!o.held) return;
    o.held = false;
    this.service.flushed(o);
    this.#settle();
  }

  #settle(): void {
    this.service.settle((open, reply) => {
      const o = open as Open;
      if (!o.held) return;
      o.held = false;
      this.answered.push(`${o.uname}/${o.fid}: ${show(reply)}`);
    });
  }
}

/** Read `o` until its read would wait, then flush that read: read away what is queued. */
export function drain(loop: FakeLoop, o: Open): void {
  while (loop.read(o) !== "(held)");
  loop.flush(o);
}

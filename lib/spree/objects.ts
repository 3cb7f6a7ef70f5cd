/**
 * A clique's object tree (spec §6): typed objects with ordered children,
 * string attributes kept in the original's hash order, and the visibility
 * sets that decide who sees an object's children and each attribute. The
 * tree only keeps state; every change is reported to a {@linkcode TreeEvents}
 * listener (the clique), which turns it into update lines per member.
 *
 * Engines misuse the tree by throwing (a bad range, a foreign or deleted
 * object, a cycle): the clique treats that as the engine failing.
 *
 * @module
 */

import type { SpreeObject } from "./engine.ts";
import { MemberSet } from "./sets.ts";

/** Buckets of an attribute table (spec §6.5). */
const BUCKETS = 7;

/**
 * The bucket of attribute `name`: `h = h·65599 + c` over its code points,
 * wrapping at signed 32 bits, then `(h & 0x7fffffff) mod 7` (spec §6.5).
 *
 * @example
 * ```ts
 * attributeBucket("start"); // 0 — the lobby's sessiontype lists start first
 * ```
 */
export function attributeBucket(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 65599) + ch.codePointAt(0)!) | 0;
  return (h & 0x7fffffff) % BUCKETS;
}

/**
 * One attribute of an object.
 *
 * @example
 * ```ts
 * const a = new Attribute("turn", "0", MemberSet.all);
 * a.value = "1";
 * ```
 */
export class Attribute {
  /**
   * Members owed a `set` line for the current value: everyone after a
   * change; a member leaves it when a line is queued for it and comes back
   * when a line is dropped as invisible, so widening the attribute's
   * visibility later sends the value again (Inferno's `needupdate`).
   */
  pending: MemberSet = MemberSet.all;

  constructor(readonly name: string, public value: string, public visibility: MemberSet) {}
}

/**
 * An object's attributes: seven buckets by {@linkcode attributeBucket},
 * newest first within a bucket — the order a snapshot lists them in.
 *
 * @example
 * ```ts
 * const attrs = new Attributes();
 * for (const n of ["name", "title", "clienttype", "start"]) attrs.set(n, "x", MemberSet.all);
 * [...attrs].map((a) => a.name); // ["start", "name", "title", "clienttype"]
 * ```
 */
export class Attributes implements Iterable<Attribute> {
  readonly #buckets: Attribute[][] = Array.from({ length: BUCKETS }, () => []);

  /** The attribute called `name`, if set. */
  get(name: string): Attribute | undefined {
    return this.#buckets[attributeBucket(name)]!.find((a) => a.name === name);
  }

  /** Set a value; `visibility` applies to a new attribute only. Whether the value changed, and the attribute. */
  set(name: string, value: string, visibility: MemberSet): { changed: boolean; attr: Attribute } {
    const bucket = this.#buckets[attributeBucket(name)]!;
    const attr = bucket.find((a) => a.name === name);
    if (attr === undefined) {
      const created = new Attribute(name, value, visibility);
      bucket.unshift(created);
      return { changed: true, attr: created };
    }
    if (attr.value === value) return { changed: false, attr };
    attr.value = value;
    return { changed: true, attr };
  }

  /** The attributes in hash order. */
  *[Symbol.iterator](): Iterator<Attribute> {
    for (const bucket of this.#buckets) yield* bucket;
  }
}

/**
 * What the tree tells its clique, after the change is made.
 *
 * @example
 * ```ts
 * const quiet: TreeEvents = {
 *   created() {}, attrChanged() {}, attrVisibilityChanged() {}, visibilityChanged() {},
 *   transferred() {}, deleted() {}, log() {},
 * };
 * ```
 */
export interface TreeEvents {
  /** `o` was appended to its parent's children. */
  created(o: CliqueObject): void;
  /** An attribute was created or its value changed. */
  attrChanged(o: CliqueObject, attr: Attribute): void;
  /** An attribute's visibility changed from `before`. */
  attrVisibilityChanged(o: CliqueObject, attr: Attribute, before: MemberSet): void;
  /** The visibility of `o`'s children changed. */
  visibilityChanged(o: CliqueObject): void;
  /** Children [start, end) of `src` now stand before `index` of `dst` (as the engine named it). */
  transferred(src: CliqueObject, start: number, end: number, dst: CliqueObject, index: number): void;
  /** Children [start, end) of `parent`, `objs`, were removed (their descendants first, each reported). */
  deleted(parent: CliqueObject, start: number, end: number, objs: readonly CliqueObject[]): void;
  /** An engine's harmless mistake, for the operator. */
  log(text: string): void;
}

/**
 * An object of a clique's tree.
 *
 * @example
 * ```ts
 * const tree = new ObjectTree(events);
 * const board = tree.create(tree.root, MemberSet.all, "board");
 * board.setattr("turn", "0", MemberSet.all);
 * ```
 */
export class CliqueObject implements SpreeObject {
  readonly #children: CliqueObject[] = [];
  #parent: CliqueObject | null;
  #deleted = false;
  readonly attrs = new Attributes();

  constructor(
    readonly tree: ObjectTree,
    parent: CliqueObject | null,
    /** Who sees this object's children. */
    public visibility: MemberSet,
    readonly type: string,
  ) {
    this.#parent = parent;
  }

  get children(): readonly CliqueObject[] {
    return this.#children;
  }

  get parent(): CliqueObject | null {
    return this.#parent;
  }

  /** Whether the object was deleted (it then has no parent). */
  get deleted(): boolean {
    return this.#deleted;
  }

  setattr(name: string, value: string, vis: MemberSet): void {
    const { changed, attr } = this.attrs.set(name, value, vis);
    if (changed) this.tree.events.attrChanged(this, attr);
  }

  getattr(name: string): string | undefined {
    return this.attrs.get(name)?.value;
  }

  setvisibility(vis: MemberSet): void {
    if (this.visibility.equals(vis)) return;
    this.visibility = vis;
    this.tree.events.visibilityChanged(this);
  }

  setattrvisibility(name: string, vis: MemberSet): void {
    const attr = this.attrs.get(name);
    if (attr === undefined) {
      this.tree.events.log(`setattrvisibility: no attribute '${name}'`);
      return;
    }
    if (attr.visibility.equals(vis)) return;
    const before = attr.visibility;
    attr.visibility = vis;
    this.tree.events.attrVisibilityChanged(this, attr, before);
  }

  transfer(start: number, end: number, dst: SpreeObject, index: number): void {
    const to = this.tree.own(dst);
    this.#live();
    to.#live();
    checkRange(start, end, this.#children.length);
    if (index === -1) index = to.#children.length;
    if (!Number.isInteger(index) || index < 0 || index > to.#children.length) {
      throw new RangeError(`transfer: index ${index} outside 0..${to.#children.length}`);
    }
    // Moving a range into itself changes nothing and says nothing.
    if (to === this && index >= start && index <= end) return;
    const moved = this.#children.slice(start, end);
    for (let o: CliqueObject | null = to; o !== null; o = o.#parent) {
      if (moved.includes(o)) throw new RangeError("transfer: an object cannot move into itself");
    }
    this.#children.splice(start, end - start);
    const at = to === this && index > start ? index - (end - start) : index;
    to.#children.splice(at, 0, ...moved);
    for (const o of moved) o.#parent = to;
    this.tree.events.transferred(this, start, end, to, index);
  }

  delete(): void {
    const parent = this.#parent;
    if (parent === null) {
      this.tree.events.log(this.#deleted ? "delete: object already deleted" : "delete: cannot delete the root");
      return;
    }
    const i = parent.#children.indexOf(this);
    parent.deletechildren(i, i + 1);
  }

  deletechildren(start: number, end: number): void {
    // As the original: a childless object ignores any range.
    if (this.#children.length === 0) return;
    checkRange(start, end, this.#children.length);
    const objs = this.#children.slice(start, end);
    for (const o of objs) {
      o.deletechildren(0, o.#children.length);
      o.#deleted = true;
      o.#parent = null;
    }
    this.#children.splice(start, end - start);
    this.tree.events.deleted(this, start, end, objs);
  }

  /** Throws if the object was deleted. */
  #live(): void {
    if (this.#deleted) throw new RangeError("object has been deleted");
  }

  /** A new child, for {@linkcode ObjectTree.create}. */
  static adopt(parent: CliqueObject, vis: MemberSet, type: string): CliqueObject {
    parent.#live();
    const o = new CliqueObject(parent.tree, parent, vis, type);
    parent.#children.push(o);
    return o;
  }
}

function checkRange(start: number, end: number, length: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > length) {
    throw new RangeError(`range [${start}, ${end}) outside 0..${length}`);
  }
}

/**
 * A clique's tree: its root (type "", children visible to all) and the
 * listener its changes go to.
 *
 * @example
 * ```ts
 * const tree = new ObjectTree(events);
 * tree.create(null, MemberSet.all, "members").type; // "members"
 * ```
 */
export class ObjectTree {
  readonly root: CliqueObject;

  constructor(readonly events: TreeEvents) {
    this.root = new CliqueObject(this, null, MemberSet.all, "");
  }

  /** A new object appended to `parent`'s children (null: the root's). */
  create(parent: SpreeObject | null, vis: MemberSet, type: string): CliqueObject {
    const o = CliqueObject.adopt(parent === null ? this.root : this.own(parent), vis, type);
    this.events.created(o);
    return o;
  }

  /** `o` as an object of this tree; throws for anything else. */
  own(o: SpreeObject): CliqueObject {
    if (o instanceof CliqueObject && o.tree === this) return o;
    throw new TypeError("not an object of this clique");
  }
}

/**
 * Whether member `id` sees object `o`: every ancestor's set holds it.
 *
 * @example
 * ```ts
 * seesObject(tree.root, 3); // true: the root has no ancestors
 * ```
 */
export function seesObject(o: CliqueObject, id: number): boolean {
  for (let p = o.parent; p !== null; p = p.parent) if (!p.visibility.has(id)) return false;
  return true;
}

/**
 * Whether member `id` sees `o`'s children: it sees `o`, and `o`'s set holds it.
 *
 * @example
 * ```ts
 * hand.setvisibility(MemberSet.of(0));
 * seesChildren(hand, 1); // false
 * ```
 */
export function seesChildren(o: CliqueObject, id: number): boolean {
  return o.visibility.has(id) && seesObject(o, id);
}

/**
 * Whether member `id` sees attribute `attr` of `o`.
 *
 * @example
 * ```ts
 * seesAttribute(session, session.attrs.get("cliqueid")!, 0); // false: the lobby hides it
 * ```
 */
export function seesAttribute(o: CliqueObject, attr: Attribute, id: number): boolean {
  return attr.visibility.has(id) && seesObject(o, id);
}

/**
 * Member id `id` was released: in every visibility set of the tree under
 * `o`, and every attribute's pending set, it reverts to the set's default.
 *
 * @example
 * ```ts
 * forgetMember(tree.root, 2);
 * ```
 */
export function forgetMember(o: CliqueObject, id: number): void {
  o.visibility = o.visibility.forget(id);
  for (const attr of o.attrs) {
    attr.visibility = attr.visibility.forget(id);
    attr.pending = attr.pending.forget(id);
  }
  for (const child of o.children) forgetMember(child, id);
}

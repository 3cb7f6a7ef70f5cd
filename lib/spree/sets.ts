/**
 * Sets of member ids, as spree's visibility and addressing use them: `all`
 * (future members included), `none`, or a finite exception to either. A set
 * is a value: every change returns a new one.
 *
 * @module
 */

/**
 * An immutable set of member ids: either "only these ids" or "everyone but
 * these ids".
 *
 * @example
 * ```ts
 * const seen = MemberSet.all.del(3);
 * seen.has(3); // false
 * seen.has(7); // true
 * MemberSet.of(1, 2).has(2); // true
 * ```
 */
export class MemberSet {
  /** Every member, present and future. */
  static readonly all: MemberSet = new MemberSet(true, new Set());
  /** No member. */
  static readonly none: MemberSet = new MemberSet(false, new Set());

  /** Only the given ids. */
  static of(...ids: number[]): MemberSet {
    return new MemberSet(false, new Set(ids));
  }

  private constructor(
    /** True: everyone except `ids`; false: only `ids`. */
    readonly allExcept: boolean,
    /** The exceptions to the set's default. */
    readonly ids: ReadonlySet<number>,
  ) {}

  /** Whether `id` is in the set. */
  has(id: number): boolean {
    return this.ids.has(id) !== this.allExcept;
  }

  /** The set with `id` in it. */
  add(id: number): MemberSet {
    return this.has(id) ? this : this.#toggle(id);
  }

  /** The set without `id`. */
  del(id: number): MemberSet {
    return this.has(id) ? this.#toggle(id) : this;
  }

  /** The complement. */
  invert(): MemberSet {
    return new MemberSet(!this.allExcept, this.ids);
  }

  /** The set with `id` back at the default (in for "all except", out for "only"): a released member id. */
  forget(id: number): MemberSet {
    return this.ids.has(id) ? this.#toggle(id) : this;
  }

  /** Whether the two sets hold the same ids, for every id. */
  equals(other: MemberSet): boolean {
    if (this.allExcept !== other.allExcept || this.ids.size !== other.ids.size) return false;
    for (const id of this.ids) if (!other.ids.has(id)) return false;
    return true;
  }

  #toggle(id: number): MemberSet {
    const ids = new Set(this.ids);
    if (!ids.delete(id)) ids.add(id);
    return new MemberSet(this.allExcept, ids);
  }
}

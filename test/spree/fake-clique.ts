/**
 * A recording stand-in for spree's clique core, enough to drive one engine
 * in a unit test: every call the engine makes is appended to `calls` as one
 * line, in order. Objects are named by creation number (the root is 0),
 * member sets as `all`, `none`, `{1,2}` or `all-{3}`.
 *
 *   create <id> <parent> <vis> <type>     newobject
 *   set <id> <attr> <value>               setattr (every call, changed or not)
 *   vis <id> <set> / attrvis <id> <attr> <set>
 *   tx <src> <start> <end> <dst> <index>  transfer
 *   delete <id> / deletechildren <id> <start> <end>
 *   to <set>: <action line>               action, rendered as spec §6.1 (ids: creation numbers)
 *   break <set> / start / hangup
 *   notify <slot>: <text>
 *   newclique <owner>: <argv…>
 *
 * Diagnostics go to `logs`, not `calls`.
 */
import type { CliqueApi, Member, SpreeObject } from "../../lib/spree/engine.ts";
import { MemberSet } from "../../lib/spree/sets.ts";

/**
 * A member set as one word.
 *
 * @example
 * ```ts
 * showSet(MemberSet.all.del(3)); // "all-{3}"
 * showSet(MemberSet.of(2, 1)); // "{1,2}"
 * ```
 */
export function showSet(s: MemberSet): string {
  const ids = [...s.ids].sort((a, b) => a - b).join(",");
  if (s.allExcept) return ids === "" ? "all" : `all-{${ids}}`;
  return ids === "" ? "none" : `{${ids}}`;
}

/**
 * An object of the fake's tree: records every change in its clique's
 * `calls` and keeps children, attributes and visibility for inspection.
 *
 * @example
 * ```ts
 * const board = clique.newobject(null, MemberSet.all, "");
 * board.setattr("turn", "0", MemberSet.all); // calls: "create 1 0 all ", "set 1 turn 0"
 * board.attributes(); // ["turn=0"]
 * ```
 */
export class FakeObject implements SpreeObject {
  readonly children: FakeObject[] = [];
  readonly attrs = new Map<string, { value: string; vis: MemberSet }>();
  deleted = false;

  constructor(
    private readonly clique: FakeClique,
    readonly id: number,
    readonly parent: FakeObject | null,
    readonly type: string,
    public vis: MemberSet,
  ) {}

  setattr(name: string, value: string, vis: MemberSet): void {
    const a = this.attrs.get(name);
    if (a === undefined) this.attrs.set(name, { value, vis });
    else a.value = value;
    this.clique.calls.push(`set ${this.id} ${name} ${value}`);
  }

  getattr(name: string): string | undefined {
    return this.attrs.get(name)?.value;
  }

  /** Who may see attribute `name`. */
  attrvis(name: string): MemberSet | undefined {
    return this.attrs.get(name)?.vis;
  }

  setvisibility(vis: MemberSet): void {
    this.vis = vis;
    this.clique.calls.push(`vis ${this.id} ${showSet(vis)}`);
  }

  setattrvisibility(name: string, vis: MemberSet): void {
    const a = this.attrs.get(name);
    if (a !== undefined) a.vis = vis;
    this.clique.calls.push(`attrvis ${this.id} ${name} ${showSet(vis)}`);
  }

  transfer(start: number, end: number, dst: SpreeObject, index: number): void {
    const to = dst as FakeObject;
    this.clique.calls.push(`tx ${this.id} ${start} ${end} ${to.id} ${index}`);
    const moved = this.children.splice(start, end - start);
    to.children.splice(index < 0 ? to.children.length : index, 0, ...moved);
  }

  delete(): void {
    this.clique.calls.push(`delete ${this.id}`);
    const siblings = this.parent?.children ?? [];
    siblings.splice(siblings.indexOf(this), 1);
    this.#drop();
  }

  deletechildren(start: number, end: number): void {
    this.clique.calls.push(`deletechildren ${this.id} ${start} ${end}`);
    for (const child of this.children.splice(start, end - start)) child.#drop();
  }

  /** The attributes as `name=value`, sorted: a board or a session at a glance. */
  attributes(): string[] {
    return [...this.attrs].map(([k, a]) => `${k}=${a.value}`).sort();
  }

  #drop(): void {
    this.deleted = true;
    for (const child of this.children) child.#drop();
  }
}

/**
 * A member of the fake: its external ids are the objects' creation numbers.
 *
 * @example
 * ```ts
 * const alice = clique.addMember("alice");
 * alice.obj(0) === clique.root; // true
 * ```
 */
export class FakeMember implements Member {
  suspended = false;

  constructor(private readonly clique: FakeClique, readonly id: number, readonly name: string) {}

  /** The fake's external ids are the objects' creation numbers, the same for every member. */
  obj(ext: number): SpreeObject | undefined {
    const o = this.clique.objects[ext];
    return o === undefined || o.deleted ? undefined : o;
  }

  ext(obj: SpreeObject): number {
    return (obj as FakeObject).id;
  }
}

/**
 * What `newclique` answers; the default gives slots and directories from 1 up.
 *
 * @example
 * ```ts
 * clique.onNewclique = (argv) => `cannot load engine: '/dis/spree/engines/${argv[0]}.dis' does not exist`;
 * ```
 */
export type NewcliqueHandler = (argv: string[], owner: string) => { slot: number; fname: string } | string;

/**
 * The recording clique (see the module comment for the line formats).
 *
 * @example
 * ```ts
 * const c = new FakeClique(1, 0, "bob");
 * const bob = c.addMember("bob");
 * engine.join(bob, "join", false);
 * c.take(); // ["notify 0: join bob", "to {0}: clienttype gather ", …]
 * ```
 */
export class FakeClique implements CliqueApi {
  readonly calls: string[] = [];
  readonly logs: string[] = [];
  readonly objects: FakeObject[] = [];
  readonly root: FakeObject;
  readonly #members = new Map<number, FakeMember>();
  #next = 1;
  onNewclique: NewcliqueHandler = () => {
    const n = this.#next++;
    return { slot: n, fname: String(n) };
  };

  constructor(
    readonly slot = 0,
    readonly parent = -1,
    private readonly ownerName = "spree",
    readonly fname = String(slot),
  ) {
    this.root = new FakeObject(this, 0, null, "", MemberSet.all);
    this.objects.push(this.root);
  }

  /** The calls recorded since the last `take`. */
  take(): string[] {
    return this.calls.splice(0);
  }

  /** A new member with the lowest free id (the core's part of a join). */
  addMember(name: string): FakeMember {
    let id = 0;
    while (this.#members.has(id)) id++;
    const m = new FakeMember(this, id, name);
    this.#members.set(id, m);
    return m;
  }

  /** The core's part of a leave: `keep` false removes the member, true suspends it. */
  removeMember(m: FakeMember, keep: boolean): void {
    if (keep) m.suspended = true;
    else this.#members.delete(m.id);
  }

  owner(): string {
    return this.ownerName;
  }

  newobject(parent: SpreeObject | null, vis: MemberSet, type: string): FakeObject {
    const p = (parent ?? this.root) as FakeObject;
    const o = new FakeObject(this, this.objects.length, p, type, vis);
    this.objects.push(o);
    p.children.push(o);
    this.calls.push(`create ${o.id} ${p.id} ${showSet(vis)} ${type}`);
    return o;
  }

  action(cmd: string, objs: readonly (SpreeObject | null)[], rest: string, whoto: MemberSet): void {
    const ids = objs.map((o) => ` ${o === null ? -1 : (o as FakeObject).id}`).join("");
    this.calls.push(`to ${showSet(whoto)}: ${cmd}${ids} ${rest}`);
  }

  breakmsg(whoto: MemberSet): void {
    this.calls.push(`break ${showSet(whoto)}`);
  }

  start(): void {
    this.calls.push("start");
  }

  hangup(): void {
    this.calls.push("hangup");
  }

  notify(slot: number, text: string): void {
    this.calls.push(`notify ${slot}: ${text}`);
  }

  member(id: number): FakeMember | undefined {
    return this.#members.get(id);
  }

  membernamed(name: string): FakeMember | undefined {
    return [...this.#members.values()].find((m) => m.name === name);
  }

  members(): FakeMember[] {
    return [...this.#members.values()].sort((a, b) => a.id - b.id);
  }

  newclique(argv: string[], owner: string): { slot: number; fname: string } | string {
    this.calls.push(`newclique ${owner}: ${argv.join(" ")}`);
    return this.onNewclique(argv, owner);
  }

  fcreate(f: number, name: string): string {
    this.calls.push(`fcreate ${f} ${name}`);
    return "";
  }

  fremove(f: number): string {
    this.calls.push(`fremove ${f}`);
    return "";
  }

  log(text: string): void {
    this.logs.push(text);
  }
}

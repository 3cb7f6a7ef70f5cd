/**
 * The load generator of bench/stand.ts: protocol-level simulated burners
 * and one COMMAND client, speaking the stand protocol (spec stand.md §2)
 * over plain sockets with frames encoded beforehand, so that the generator
 * costs as little as it can per message and the same against standd and
 * the null server.
 *
 * A simulated burner answers the handshake (ID, CAP with its images, INFO
 * with the image's size for every WHATIS) and then waits to be told to go
 * AVAIL. On BURN it sends at once, in one write, `STATUS h 0`,
 * `STATUS h 100 TIME 0`, `STATUS h PASS` and `STATUS m AVAIL`. The burner
 * that sends the fleet's last expected PASS sends QREPORT right behind it:
 * the QLIST that answers it ends the drain.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash, randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import { seededRandom } from "../lib/random.ts";

/** standd's default `--cd-capacity`: larger images are DVD-only. */
export const CD_CAPACITY = 737_280_000;

/**
 * A disc image the simulated burners hold.
 *
 * @example
 * ```ts
 * const image: Image = { hash: "d3d8bdfb7ef65711e707103deb1de8b2", bytes: 4_000_000_000, dvd: true };
 * ```
 */
export interface Image {
  hash: string;
  bytes: number;
  dvd: boolean;
}

/**
 * One simulated burner: its id, type and the images it holds.
 *
 * @example
 * ```ts
 * const b: BurnerPlan = { id: "233c343e144c59081b9ea1da568a72e8", ctype: "BURNDVD", hashes: [] };
 * ```
 */
export interface BurnerPlan {
  id: string;
  ctype: "BURNCDR" | "BURNDVD";
  hashes: string[];
}

/**
 * The whole simulated stand: images, burners, and the jobs to queue
 * (hash and priority each), all drawn from one seed.
 *
 * @example
 * ```ts
 * const p = standPlan({ seed: 1, images: 20, dvdImages: 2, burners: 200, dvdBurners: 50, held: 15, jobs: 10_000 });
 * p.burners.length; // 200
 * ```
 */
export interface StandPlan {
  images: Image[];
  burners: BurnerPlan[];
  jobs: Array<[hash: string, prio: number]>;
  /** Draws more jobs like `jobs` (for refills), from the same seeded source. */
  moreJobs(n: number): Array<[hash: string, prio: number]>;
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/**
 * The plan for `burners` burners (every `burners / dvdBurners`-th a
 * BURNDVD, so any leading slice has its share), `images` images (the last
 * `dvdImages` over the CD capacity), each burner holding `held` of them at
 * random, and `jobs` jobs with uniform images and priorities 0–99.
 *
 * @example
 * ```ts
 * const p = standPlan({ seed: 1, images: 20, dvdImages: 2, burners: 200, dvdBurners: 50, held: 15, jobs: 10_000 });
 * ```
 */
export function standPlan(o: {
  seed: number;
  images: number;
  dvdImages: number;
  burners: number;
  dvdBurners: number;
  held: number;
  jobs: number;
}): StandPlan {
  const random = seededRandom(o.seed);
  const images = Array.from({ length: o.images }, (_, i): Image => {
    const dvd = i >= o.images - o.dvdImages;
    return { hash: md5(`stand-bench-image-${i}`), bytes: dvd ? 4_000_000_000 + i : 600_000_000 + i, dvd };
  });
  const every = Math.round(o.burners / o.dvdBurners);
  const burners = Array.from({ length: o.burners }, (_, i): BurnerPlan => {
    const pool = images.map((im) => im.hash);
    for (let k = pool.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [pool[k], pool[j]] = [pool[j]!, pool[k]!];
    }
    return {
      id: md5(`stand-bench-burner-${i}`),
      ctype: i % every === 0 ? "BURNDVD" : "BURNCDR",
      hashes: pool.slice(0, o.held),
    };
  });
  const moreJobs = (n: number) =>
    Array.from({ length: n }, (): [string, number] => [
      images[Math.floor(random() * images.length)]!.hash,
      Math.floor(random() * 100),
    ]);
  return { images, burners, jobs: moreJobs(o.jobs), moreJobs };
}

const END = "\r\n\r\n";

/** A socket cut into frames (latin1 text, delimiter stripped, empty frames skipped). */
class Wire {
  #buf = "";

  private constructor(readonly socket: Socket, onFrame: (frame: string) => void, onClose: () => void) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      const buf = this.#buf + chunk.toString("latin1");
      let from = 0;
      for (let at = buf.indexOf(END); at >= 0; at = buf.indexOf(END, from)) {
        if (at > from) onFrame(buf.slice(from, at));
        from = at + END.length;
      }
      this.#buf = from === 0 ? buf : buf.slice(from);
    });
    socket.on("close", onClose);
    socket.on("error", () => {});
  }

  static open(port: number, onFrame: (frame: string) => void, onClose: () => void): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => resolve(new Wire(socket, onFrame, onClose)));
      socket.once("error", reject);
    });
  }

  send(text: string): void {
    this.socket.write(text, "latin1");
  }
}

/** A frame's text for a message of `fields`. */
const frame = (...fields: Array<string | number>) => fields.join("\t") + END;

/** One simulated burner's connection. */
interface Sim {
  plan: BurnerPlan;
  wire: Wire;
  avail: string;
  /** When it last said AVAIL (performance.now). */
  availAt: number;
  /** Its answer to BURN, by hash. */
  answers: Map<string, string>;
}

/**
 * The simulated burners and the COMMAND client, connected to one server.
 *
 * @example
 * ```ts
 * const fleet = await Fleet.connect(port, plan, plan.burners.length);
 * await fleet.enqueue(plan.jobs);
 * const drain = fleet.drain(plan.jobs.length);
 * ```
 */
export class Fleet {
  /** BURNs received, and their AVAIL→BURN latencies in ms (since the last `drain`). */
  burns = 0;
  latencies: number[] = [];
  /** Called on each BURN (after its answer went out). */
  onBurn: ((burns: number) => void) | undefined;
  readonly #sims: Sim[] = [];
  readonly #images: Map<string, Image>;
  #command!: Wire;
  #qoks = 0;
  #qokWanted = 0;
  #qokDone: (() => void) | undefined;
  #replies: Array<(frame: string) => void> = [];
  #target = Infinity;
  #drained: ((qlist: string) => void) | undefined;
  #closing = false;
  #failure: Error | undefined;
  #fail: (err: Error) => void = () => {};
  /** Rejects when the fleet sees something it must not (an ERROR, QNO, a closed socket). */
  readonly failed: Promise<never>;

  private constructor(readonly plan: StandPlan) {
    this.#images = new Map(plan.images.map((im) => [im.hash, im]));
    this.failed = new Promise<never>((_, reject) => {
      this.#fail = (err) => {
        this.#failure ??= err;
        reject(err);
      };
    });
    this.failed.catch(() => {});
  }

  /**
   * Connect the first `count` burners of `plan` and the COMMAND client to
   * 127.0.0.1:`port`; resolves once every handshake is done (CAP sent).
   */
  static async connect(port: number, plan: StandPlan, count: number): Promise<Fleet> {
    const fleet = new Fleet(plan);
    const ready: Promise<void>[] = [];
    for (const p of plan.burners.slice(0, count)) ready.push(fleet.#burner(port, p));
    ready.push(fleet.#commander(port));
    await Promise.race([Promise.all(ready), fleet.failed]);
    return fleet;
  }

  async #burner(port: number, p: BurnerPlan): Promise<void> {
    let done: () => void = () => {};
    const ready = new Promise<void>((resolve) => (done = resolve));
    const media = p.ctype === "BURNDVD" ? "DVD" : "CDR";
    const sim: Sim = {
      plan: p,
      wire: undefined as unknown as Wire,
      avail: frame("STATUS", media, "AVAIL"),
      availAt: 0,
      answers: new Map(),
    };
    sim.wire = await Wire.open(port, (f) => this.#burnerFrame(sim, f, done), () => this.#closed(`burner ${p.id}`));
    this.#sims.push(sim);
    return ready;
  }

  #burnerFrame(sim: Sim, f: string, ready: () => void): void {
    if (f.startsWith("BURN\t")) return this.#burn(sim, f.slice(5));
    if (f.startsWith("WHATIS\t")) {
      const im = this.#images.get(f.slice(7));
      if (im === undefined) return this.#fail(new Error(`WHATIS for an unknown image: ${f}`));
      return sim.wire.send(frame("INFO", im.hash, `${im.hash}.iso`, "bench image", im.bytes));
    }
    if (f === "IDENT\tV1") return sim.wire.send(frame("ID", "V1", sim.plan.ctype, sim.plan.id));
    if (f === "CAPAB") {
      sim.wire.send(frame("CAP", sim.plan.ctype, ...sim.plan.hashes));
      return ready();
    }
    if (f.startsWith("QLIST")) return this.#drained?.(f);
    this.#fail(new Error(`burner ${sim.plan.id} got ${JSON.stringify(f.slice(0, 80))}`));
  }

  #burn(sim: Sim, hash: string): void {
    const now = performance.now();
    this.latencies.push(now - sim.availAt);
    let answer = sim.answers.get(hash);
    if (answer === undefined) {
      answer = frame("STATUS", hash, 0) + frame("STATUS", hash, 100, "TIME", 0) + frame("STATUS", hash, "PASS") +
        sim.avail;
      sim.answers.set(hash, answer);
    }
    this.burns++;
    sim.wire.send(this.burns === this.#target ? answer + frame("QREPORT") : answer);
    sim.availAt = now;
    this.onBurn?.(this.burns);
  }

  async #commander(port: number): Promise<void> {
    let done: () => void = () => {};
    const ready = new Promise<void>((resolve) => (done = resolve));
    this.#command = await Wire.open(port, (f) => {
      if (f === "QOK") {
        if (++this.#qoks === this.#qokWanted) this.#qokDone?.();
      } else if (f === "IDENT\tV1") this.#command.send(frame("ID", "V1", "COMMAND", randomUUID()));
      else if (f === "CAPAB") {
        this.#command.send(frame("CAP", "COMMAND"));
        done();
      } else if (f === "QNO") this.#fail(new Error("QUEUE refused (QNO)"));
      else if (this.#replies.length > 0) this.#replies.shift()!(f);
      else this.#fail(new Error(`the COMMAND client got ${JSON.stringify(f.slice(0, 80))}`));
    }, () => this.#closed("the COMMAND client"));
    return ready;
  }

  #closed(who: string): void {
    if (!this.#closing) this.#fail(new Error(`${who}: the server closed the connection`));
  }

  /** Ask the COMMAND client's question `text` (not QUEUE) and await the reply frame. */
  ask(text: string): Promise<string> {
    const reply = new Promise<string>((resolve) => this.#replies.push(resolve));
    this.#command.send(text);
    return Promise.race([reply, this.failed]);
  }

  /** Resolves once the server's catalogue knows every image with its size (answering WHATIS). */
  async catalogued(): Promise<void> {
    for (let round = 0; round < 500; round++) {
      const answers = await Promise.all(this.plan.images.map((im) => this.ask(frame("WHATIS", im.hash))));
      if (answers.every((a, i) => a.endsWith(`\t${this.plan.images[i]!.bytes}`))) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("the server's catalogue did not learn every image within 5 s");
  }

  /** Queue `jobs` without waiting; their QOKs are counted. */
  queueMore(jobs: Array<[string, number]>): void {
    this.#command.send(jobs.map(([hash, prio]) => frame("QUEUE", hash, prio)).join(""));
  }

  /** Pipeline a QUEUE per job in one write; resolves at the last QOK with the ms it took. */
  async enqueue(jobs: Array<[string, number]>): Promise<number> {
    this.#qoks = 0;
    this.#qokWanted = jobs.length;
    const done = new Promise<void>((resolve) => (this.#qokDone = resolve));
    const text = jobs.map(([hash, prio]) => frame("QUEUE", hash, prio)).join("");
    const t0 = performance.now();
    this.#command.send(text);
    await Promise.race([done, this.failed]);
    return performance.now() - t0;
  }

  /**
   * Every burner says AVAIL; resolves with the ms until the QLIST that
   * follows the `target`-th PASS, and that QLIST's frame.
   */
  async drain(target: number): Promise<{ ms: number; qlist: string }> {
    this.#target = target;
    const drained = new Promise<string>((resolve) => (this.#drained = resolve));
    const t0 = performance.now();
    this.avail();
    const qlist = await Promise.race([drained, this.failed]);
    return { ms: performance.now() - t0, qlist };
  }

  /** Every burner says AVAIL; the counts and latencies start again. */
  avail(): void {
    this.burns = 0;
    this.latencies = [];
    for (const sim of this.#sims) {
      sim.availAt = performance.now();
      sim.wire.send(sim.avail);
    }
  }

  /** Close every connection (after the server was told to stop, or when done). */
  close(): void {
    this.#closing = true;
    for (const sim of this.#sims) sim.wire.socket.destroy();
    this.#command?.socket.destroy();
  }

  /** Stop treating closed connections as failures (the server is being stopped). */
  closing(): void {
    this.#closing = true;
  }
}

/**
 * A scripted dashboard source for tests: a {@linkcode DashboardInput} the
 * test edits, and `change` to bump the version and tell the server, as
 * standd's daemon does after a turn that changed its state.
 */
import {
  type BurnerView,
  type DashboardInput,
  type DashboardState,
  dashboardState,
} from "../../lib/stand/dashboard.ts";
import type { DashboardSource } from "../../lib/stand/io/dashboard.ts";

export const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
export const H2 = "24ea1163ea6c9f5dae77de8c49ee7c03";
export const HDVD = "0123456789abcdef0123456789abcdef";

/** A connected CD burner holding H1 and H2, AVAIL; `over` changes any field. */
export function burnerView(id: string, over: Partial<BurnerView> = {}): BurnerView {
  return {
    id,
    ctype: "BURNCDR",
    connected: true,
    state: "AVAIL",
    subject: "CDR",
    phase: "AVAIL",
    since: Date.now(),
    passes: 0,
    fails: 0,
    consecutiveFails: 0,
    pastWriteRates: [],
    hashes: [H1, H2],
    ...over,
  };
}

/** A source over an input the test edits. */
export class ScriptedSource implements DashboardSource {
  readonly input: DashboardInput;
  readonly #listeners: (() => void)[] = [];

  constructor(over: Partial<DashboardInput> = {}) {
    const now = Date.now();
    this.input = {
      now,
      startedAt: now,
      version: 1,
      burners: [],
      queue: [],
      catalogue: [
        {
          hash: H1,
          filename: "ubuntu-8.10-desktop-i386.iso",
          description: "",
          bytes: 700_000_000,
          holders: 1,
          dvd: false,
        },
        { hash: H2, filename: "kubuntu-8.10.iso", description: "", bytes: 600_000_000, holders: 1, dvd: false },
        { hash: HDVD, filename: "dvd-image.iso", description: "", bytes: 4_000_000_000, holders: 1, dvd: true },
      ],
      history: [],
      ...over,
    };
  }

  state(): DashboardState {
    return dashboardState({ ...this.input, now: Date.now() });
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Apply `edit`, bump the version and notify; returns the new version. */
  change(edit: (input: DashboardInput) => void = () => {}): number {
    edit(this.input);
    this.input.version++;
    for (const listener of this.#listeners) listener();
    return this.input.version;
  }

  /** Replace burner `id`'s view with `over` applied. */
  setBurner(id: string, over: Partial<BurnerView>): number {
    return this.change((input) => {
      input.burners = input.burners.map((b) => b.id === id ? { ...b, ...over } : b);
    });
  }
}

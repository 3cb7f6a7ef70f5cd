/** Waiting for servers and finding free ports, for tests. */
import { createConnection } from "node:net";
import { existsSync } from "node:fs";

export { freePort } from "../../lib/net/tcp.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolve once `check` returns true; reject after `timeout` ms. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeout = 10000): Promise<void> {
  const until = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Whether a UNIX socket accepts connections. */
export function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ path });
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

/** Wait until a UNIX socket exists and accepts a connection. */
export function waitForSocket(path: string, timeout = 10000): Promise<void> {
  return waitFor(`socket ${path}`, async () => existsSync(path) && (await socketAccepts(path)), timeout);
}

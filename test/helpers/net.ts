/** Waiting for servers and finding free ports, for tests. */
import { createConnection, createServer } from "node:net";
import { existsSync } from "node:fs";

/** A TCP port nobody listens on right now (on `host`). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

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

/** Wait until a TCP port accepts a connection. */
export function waitForPort(port: number, host = "127.0.0.1", timeout = 10000): Promise<void> {
  return waitFor(`${host}:${port}`, () =>
    new Promise((resolve) => {
      const c = createConnection({ port, host });
      c.once("connect", () => {
        c.destroy();
        resolve(true);
      });
      c.once("error", () => resolve(false));
    }), timeout);
}

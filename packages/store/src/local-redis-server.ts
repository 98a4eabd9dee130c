/** Local redis-server processes for development, the demo and the test harness (never used in production). */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A redis-server child process with its own port and data directory. */
export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  /** Starts the server (again) on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL, as a crash would (no shutdown work), and waits for it to exit. */
  crash(): Promise<void>;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the port of a probe socket"));
      });
    });
  });
}

/**
 * Spawns redis-server on a free loopback port; resolves once it accepts connections. With `appendOnly`
 * the data survives stop()/start() (AOF fsync always, as an operator's durable setup would).
 */
export async function spawnRedisServer(
  options: { detached?: boolean; appendOnly?: boolean } = {},
): Promise<RedisProcess & { pid(): number | undefined }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "mcpg-redis-"));
  let child: ChildProcess | undefined;

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--dir",
          dir,
          "--save",
          "",
          "--appendonly",
          options.appendOnly ? "yes" : "no",
          "--appendfsync",
          "always",
          "--daemonize",
          "no",
          "--loglevel",
          "notice",
        ],
        { stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false },
      );
      child = proc;
      let output = "";
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          proc.stdout?.off("data", onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      proc.once("error", reject);
      proc.once("exit", (code) =>
        reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)),
      );
      if (options.detached) proc.unref();
    });

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill(signal);
    });
  };
  const stop = (): Promise<void> => halt("SIGTERM");

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    crash: () => halt("SIGKILL"),
    pid: () => child?.pid,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

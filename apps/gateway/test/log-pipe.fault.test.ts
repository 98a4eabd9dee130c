import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { LIMITS } from "@mcp-gateway/core";
import { type RedisProcess, spawnRedisServer } from "@mcp-gateway/store";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/support/processes.js";

// The built gateway (`npm run build` / `npx tsc -b`), exactly as `npm start` runs it, with its stdout on a
// pipe this test controls: left unread (a stalled log reader) or closed (a broken one).
const MAIN = "apps/gateway/dist/main.js";
const ADMIN = "test-admin-token-0123456789-abcdefghij";
// Each request to an unknown route this long is logged with its path (over 4 KiB a line), so this many
// write several times what a socket pair and the reader's stream buffer hold (a few hundred KiB).
const LONG_PATH = `/no-such-route/${"a".repeat(4_000)}`;
const FILLING_REQUESTS = 300;
const CONCURRENCY = 16;

type Gateway = ChildProcessByStdio<null, Readable, Readable>;
type Exit = { code: number | null; signal: NodeJS.Signals | null } | "still running";

/** Starts the gateway; resolves once it logs its address, then reads no more of its stdout. */
async function startGateway(redisUrl: string, started: Gateway[]): Promise<{ child: Gateway; url: string }> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      PORT: "0",
      REDIS_URL: redisUrl,
      GATEWAY_ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: "debug",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const line = stdout.split("\n").find((l) => l.includes('"msg":"mcp-gateway listening"'));
      if (line === undefined) return;
      child.stdout.off("data", onData);
      child.stdout.pause();
      child.off("exit", onExit);
      resolve((JSON.parse(line) as { address: string }).address);
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`the gateway exited (${code}) before listening:\n${stdout}\n${stderr}`));
    child.stdout.on("data", onData);
    child.once("exit", onExit);
  });
  return { child, url };
}

/** Sends `count` GETs of `path` with a few in flight at a time; resolves with every status. */
async function requests(url: string, path: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const response = await fetch(`${url}${path}`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

/** Resolves with how the process ended, or "still running" once `withinMs` has passed. */
function exitWithin(child: Gateway, withinMs: number): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve("still running");
    }, withinMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      resolve({ code, signal });
    };
    child.once("exit", onExit);
  });
}

describe("the gateway with a stalled or broken log pipe", () => {
  let redis: RedisProcess;
  const started: Gateway[] = [];
  beforeAll(async () => {
    redis = await spawnRedisServer();
  });
  afterEach(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill("SIGKILL");
      await exitWithin(child, 5_000);
    }
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it("exits cleanly within the grace period on SIGTERM while nobody reads its stdout", async () => {
    const { child, url } = await startGateway(redis.url, started);
    const statuses = await requests(url, LONG_PATH, FILLING_REQUESTS);
    expect(statuses.filter((s) => s !== 404)).toEqual([]);
    // The reader's buffer is full, so it has stopped reading: what the gateway writes now stays in the pipe.
    expect(child.stdout.readableLength).toBeGreaterThanOrEqual(child.stdout.readableHighWaterMark);

    const signalled = Date.now();
    child.kill("SIGTERM");
    const exit = await exitWithin(child, LIMITS.shutdownGraceMs + 5_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(LIMITS.shutdownGraceMs);
  });

  it("exits at once on a second signal while nobody reads its stdout", async () => {
    const { child, url } = await startGateway(redis.url, started);
    await requests(url, LONG_PATH, FILLING_REQUESTS);
    expect(child.stdout.readableLength).toBeGreaterThanOrEqual(child.stdout.readableHighWaterMark);

    // Two different signals, so the kernel cannot merge them into one delivery.
    const signalled = Date.now();
    child.kill("SIGTERM");
    child.kill("SIGINT");
    const exit = await exitWithin(child, LIMITS.shutdownGraceMs + 5_000);
    // Exit code 1 before the grace period is over can only come from the second-signal path.
    expect(exit).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeLessThan(LIMITS.shutdownGraceMs / 2);
  });

  it("keeps answering requests after its log pipe breaks, then exits cleanly on SIGTERM", async () => {
    const { child, url } = await startGateway(redis.url, started);
    // Fill the pipe first, so lines are still waiting to be written when it breaks.
    await requests(url, LONG_PATH, FILLING_REQUESTS);
    child.stdout.destroy();
    const after = await requests(url, "/healthz", 300);
    expect(after).toHaveLength(300);
    expect(after.filter((s) => s !== 200)).toEqual([]);

    child.kill("SIGTERM");
    const exit = await exitWithin(child, LIMITS.shutdownGraceMs + 5_000);
    expect(exit).toEqual({ code: 0, signal: null });
  });
});

import { LIMITS } from "@mcp-gateway/core";
import { Redis, ReplyError } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createRedis, isStorageUnavailable, spawnRedisServer } from "../src/index.js";

// The errors come from real ioredis clients against a real redis-server that the tests crash and freeze
// (their own, on a free port); only Redis' "not now" replies, which a healthy test server never sends,
// are built with ioredis' own ReplyError.

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A redis-server of the test's own and the gateway's client for it, both removed after the test. */
async function serverAndClient() {
  const server = await spawnRedisServer();
  cleanup.push(() => server.dispose());
  const redis = createRedis(server.url, { keyPrefix: "outage-test:" });
  redis.on("error", () => {});
  cleanup.push(() => redis.disconnect());
  await redis.connect();
  return { server, redis };
}

describe("createRedis", () => {
  it("keeps the connection that replaced one lost with a command outstanding (ioredis#2147)", async () => {
    const { server, redis } = await serverAndClient();
    const closes: number[] = [];
    redis.on("close", () => closes.push(Date.now()));
    const readyAgain = new Promise((resolve) => redis.once("ready", resolve));
    // Outstanding when Redis dies: it armed the connection's silence timer.
    const outstanding = redis.blpop("never-pushed", 1).catch(() => null);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await server.crash();
    await server.start();
    await readyAgain;
    const closesWhenReady = closes.length;
    // The lost connection's deadline passes while the new one is healthy; nothing may close it. (A wait
    // for something not to happen can only be a deadline.)
    await new Promise((resolve) => setTimeout(resolve, LIMITS.redisSilenceMs + 500));
    expect(closes.length).toBe(closesWhenReady);
    expect(await redis.ping()).toBe("PONG");
    await outstanding;
  });
});

describe("isStorageUnavailable", () => {
  it("is true for what the gateway's client rejects with while Redis is down", async () => {
    const { server, redis } = await serverAndClient();
    // In flight when Redis dies (a blocking command stays in flight): rejected once reconnecting fails.
    const inFlight = rejection(redis.blpop("never-pushed", 10));
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Queued by Redis behind the blocked BLPOP of the same connection.
    const transaction = rejection(redis.multi().set("a", "1").zadd("b", 0, "c").exec());
    await new Promise<void>((resolve) => setImmediate(resolve));
    await server.crash();
    // Sent after it died, on a connection that is not ready (no offline queue).
    const afterCrash = await rejection(redis.get("a"));
    const evalAfterCrash = await rejection(redis.eval("return 1", 0));

    for (const error of [await inFlight, await transaction, afterCrash, evalAfterCrash]) {
      expect(isStorageUnavailable(error), `${error.name}: ${error.message}`).toBe(true);
    }
    expect(afterCrash.message).toMatch(/Stream isn't writeable/);
    expect((await inFlight).name).toBe("MaxRetriesPerRequestError");
  });

  it("is true for a closed client and for a command Redis never answers", async () => {
    const { server, redis } = await serverAndClient();
    const pid = server.pid();
    if (pid === undefined) throw new Error("redis-server has no pid");
    const quick = new Redis(server.url, { commandTimeout: 200, maxRetriesPerRequest: 1 });
    quick.on("error", () => {});
    cleanup.push(() => quick.disconnect());
    await quick.ping();
    process.kill(pid, "SIGSTOP");
    cleanup.push(() => process.kill(pid, "SIGCONT"));
    const timedOut = await rejection(quick.get("a"));
    process.kill(pid, "SIGCONT");
    expect(timedOut.message).toBe("Command timed out");
    expect(isStorageUnavailable(timedOut)).toBe(true);

    const ended = new Promise((resolve) => redis.once("end", resolve));
    redis.disconnect();
    await ended;
    const closed = await rejection(redis.get("a"));
    expect(closed.message).toBe("Connection is closed.");
    expect(isStorageUnavailable(closed)).toBe(true);
  });

  it("is true for Redis' replies that mean 'not now'", () => {
    for (const reply of [
      "LOADING Redis is loading the dataset in memory",
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      "READONLY You can't write against a read only replica.",
      "TRYAGAIN Multiple keys request during rehashing of slot",
      "CLUSTERDOWN The cluster is down",
      "NOREPLICAS Not enough good replicas to write.",
      "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
      "OOM command not allowed when used memory > 'maxmemory'.",
    ]) {
      expect(isStorageUnavailable(new ReplyError(reply)), reply).toBe(true);
    }
    // A transaction aborted by one of them carries it in previousErrors.
    const aborted = Object.assign(
      new ReplyError("EXECABORT Transaction discarded because of previous errors."),
      {
        previousErrors: [new ReplyError("LOADING Redis is loading the dataset in memory")],
      },
    );
    expect(isStorageUnavailable(aborted)).toBe(true);
  });

  it("is false for bugs: wrong types, bad scripts, bad transactions and anything not from Redis", async () => {
    const { redis } = await serverAndClient();
    await redis.set("text", "1");
    const wrongType = await rejection(redis.lpush("text", "x"));
    const badScript = await rejection(redis.eval("return redis.call('NOSUCHCOMMAND')", 0));
    const badTransaction = await rejection(redis.multi().call("SET", "only-a-key").exec());
    for (const error of [wrongType, badScript, badTransaction]) {
      expect(isStorageUnavailable(error), error.message).toBe(false);
    }
    expect(badTransaction.message).toMatch(/^EXECABORT/);
    for (const value of [
      new TypeError("Cannot read properties of undefined"),
      new DOMException("This operation was aborted", "AbortError"),
      new Error("ECONNRESET from somewhere else"),
      "Connection is closed.",
      undefined,
    ]) {
      expect(isStorageUnavailable(value), String(value)).toBe(false);
    }
  });
});

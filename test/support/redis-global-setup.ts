import { execFileSync } from "node:child_process";
import { redisServerAvailable, spawnRedisServer } from "@mcp-gateway/store";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** One Redis URL per worker (index = VITEST_POOL_ID - 1). */
    redisUrls: string[];
    /** True when the harness started these servers itself and may flush them. */
    redisOwned: boolean;
  }
}

function dockerAnswers(): boolean {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

const INSTALL_HINT =
  "No Redis for the tests. Do one of: set REDIS_URL to a Redis you can spare (keys are namespaced and removed, never flushed); " +
  "start a Docker engine (testcontainers will run redis:7-alpine); or install redis-server (Debian: apt-get install -y redis-server).";

/**
 * Chooses the tests' Redis once per project run: REDIS_URL when set, else testcontainers when a Docker
 * engine answers, else one spawned redis-server per worker. Each test still gets its own key namespace
 * (test/support/redis.ts), so tests never see each other's keys.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workers = Math.max(1, Number(project.config.maxWorkers) || 1);
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    project.provide(
      "redisUrls",
      Array.from({ length: workers }, () => fromEnv),
    );
    project.provide("redisOwned", false);
    return async () => {};
  }
  if (dockerAnswers()) {
    const { GenericContainer, Wait } = await import("testcontainers");
    const containers = await Promise.all(
      Array.from({ length: workers }, () =>
        new GenericContainer("redis:7-alpine")
          .withExposedPorts(6379)
          .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
          .start(),
      ),
    );
    project.provide(
      "redisUrls",
      containers.map((c) => `redis://${c.getHost()}:${c.getMappedPort(6379)}`),
    );
    project.provide("redisOwned", true);
    return async () => {
      await Promise.all(containers.map((c) => c.stop()));
    };
  }
  if (redisServerAvailable()) {
    const servers = await Promise.all(Array.from({ length: workers }, () => spawnRedisServer()));
    project.provide(
      "redisUrls",
      servers.map((s) => s.url),
    );
    project.provide("redisOwned", true);
    return async () => {
      await Promise.all(servers.map((s) => s.dispose()));
    };
  }
  throw new Error(INSTALL_HINT);
}

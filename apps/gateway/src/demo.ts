import { type RedisProcess, spawnRedisServer } from "@mcp-gateway/store";
import { createLogger } from "./logger.js";
import { configFromEnv, type RunningGateway, startGateway } from "./runtime.js";

// `npm run demo`: everything local in one process tree. Uses the Redis at REDIS_URL when set, otherwise
// spawns a throwaway redis-server; then starts the gateway and prints how to use it. Ctrl-C stops it all.
//
// Until the Mem0 sandbox, the admin API and the MCP endpoint land, this starts only Redis and the gateway.

const json = process.argv.includes("--json");

async function main(): Promise<void> {
  let redis: RedisProcess | undefined;
  if (!process.env.REDIS_URL) redis = await spawnRedisServer();
  const loaded = configFromEnv({
    ...process.env,
    REDIS_URL: process.env.REDIS_URL ?? redis?.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  });
  if (!loaded.ok) {
    await redis?.dispose();
    throw new Error(`invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join("\n")}`);
  }
  const { config } = loaded;
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, createLogger(config.logLevel));
  } catch (error) {
    await redis?.dispose();
    throw error;
  }

  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        gateway_url: gateway.address,
        mcp_url: null,
        api_token: null,
        admin_token: config.adminToken,
        sandbox_url: null,
        sandbox_api_key: null,
      })}\n`,
    );
  } else {
    process.stdout.write(
      [
        "",
        "mcp-gateway demo",
        `  gateway      ${gateway.address}`,
        `  redis        ${redis ? `${redis.url} (spawned for this demo; removed on exit)` : "REDIS_URL"}`,
        `  admin token  ${config.adminToken}`,
        "",
        "This build starts Redis and the gateway only: the Mem0 sandbox, the admin API and the MCP endpoint",
        "are not in it yet, so no MCP URL is minted.",
        "",
        "Try:",
        `  curl ${gateway.address}/healthz`,
        `  curl ${gateway.address}/readyz`,
        "",
        "Press Ctrl-C to stop.",
        "",
      ].join("\n"),
    );
  }

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) process.exit(1);
    stopping = true;
    await gateway.close();
    await redis?.dispose();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`mcp-gateway demo: ${(error as Error).message}\n`);
  process.exit(1);
});

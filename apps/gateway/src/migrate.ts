import { migrations } from "@mcp-gateway/migrations";
import { runMigrations } from "@mcp-gateway/store";
import { applyDotEnv } from "./dotenv-file.js";
import { createLogger } from "./logger.js";
import { configFromEnv, openRedis } from "./runtime.js";

// `npm run migrate`: applies pending keyspace migrations and exits (the gateway also does this at start).
const dotEnv = applyDotEnv(process.env, process.cwd());
if (!dotEnv.ok) {
  process.stderr.write(`mcp-gateway migrate: ${dotEnv.message}\n`);
  process.exit(1);
}
const loaded = configFromEnv(process.env);
if (!loaded.ok) {
  process.stderr.write(
    `mcp-gateway migrate: invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join("\n")}\n`,
  );
  process.exit(1);
}
const logger = createLogger(loaded.config.logLevel);
try {
  const redis = await openRedis(loaded.config, logger);
  const report = await runMigrations(redis, migrations, { keyPrefix: loaded.config.redisKeyPrefix });
  await redis.quit();
  process.stdout.write(
    `applied: ${report.applied.length === 0 ? "none" : report.applied.join(", ")}\n` +
      `already applied: ${report.alreadyApplied.length === 0 ? "none" : report.alreadyApplied.join(", ")}\n`,
  );
} catch (error) {
  process.stderr.write(`mcp-gateway migrate: ${(error as Error).message}\n`);
  process.exit(1);
}

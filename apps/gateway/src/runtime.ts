import { join } from "node:path";
import { type Clock, generateOperatorToken, LIMITS } from "@mcp-gateway/core";
import { migrations } from "@mcp-gateway/migrations";
import { connectRedis, createRedis, describeRedis, freePort, runMigrations } from "@mcp-gateway/store";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { buildApp } from "./app.js";
import type { ConfigResult, GatewayConfig } from "./config.js";
import { derivedPublicUrl, loadConfig } from "./config.js";
import { DEV_SECRETS_FILE, readDevSecrets, usesDevSecretsFile, writeDevSecrets } from "./dev-secrets-file.js";
import { checkSharedKeyMaterial } from "./key-check.js";
import { flushLogs } from "./logger.js";
import { readConfigFile } from "./redis-config.js";

/** A running gateway: the listening app and its Redis connection. */
export interface RunningGateway {
  app: FastifyInstance;
  redis: Redis;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  address: string;
  /** Stops accepting, lets in-flight requests finish, then closes Redis. */
  close(): Promise<void>;
}

/**
 * Reads the gateway's config from an environment, generating development-only secrets. With `devSecretsDir`,
 * a development run (NODE_ENV development or unset) keeps the secrets it generates in DEV_SECRETS_FILE there
 * and reuses them on the next start; production and test never read or write that file.
 */
export function configFromEnv(
  env: NodeJS.ProcessEnv,
  options: { devSecretsDir?: string } = {},
): ConfigResult {
  if (options.devSecretsDir === undefined || !usesDevSecretsFile(env.NODE_ENV))
    return loadConfig(env, generateOperatorToken);
  const file = join(options.devSecretsDir, DEV_SECRETS_FILE);
  const kept = readDevSecrets(file);
  if (!kept.ok)
    return { ok: false, errors: [`${kept.message}; delete it to generate new development secrets`] };
  const loaded = loadConfig(env, generateOperatorToken, readConfigFile, { kept: kept.kept, file });
  if (!loaded.ok || Object.keys(loaded.generated).length === 0) return loaded;
  try {
    writeDevSecrets(file, { ...kept.kept, ...loaded.generated });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const notices = [
      ...loaded.notices,
      `could not write ${file} (${reason}): the generated values last this run only`,
    ];
    return { ...loaded, notices, config: Object.freeze({ ...loaded.config, devSecretsFile: undefined }) };
  }
  return loaded;
}

/** Connects Redis with state logging, so an outage and its recovery both show up in the logs. */
export async function openRedis(config: GatewayConfig, logger: Logger): Promise<Redis> {
  const redis = createRedis(config.redis, { keyPrefix: config.redisKeyPrefix });
  const where = describeRedis(config.redis);
  // One line when an outage starts and one when it ends, however many reconnect attempts lie between.
  // "reconnecting", not "close": a close by quit() at shutdown is not an outage.
  let up = false;
  let lost = false;
  let lastError: string | undefined;
  redis.on("ready", () => {
    if (lost) logger.info({ redis: where }, "redis connection restored");
    up = true;
    lost = false;
    lastError = undefined;
  });
  redis.on("reconnecting", () => {
    if (!up) return;
    logger.warn({ redis: where, reason: lastError }, "redis connection lost; reconnecting");
    up = false;
    lost = true;
  });
  // Without a listener ioredis prints every reconnect failure to stderr.
  redis.on("error", (error: Error) => {
    lastError = error.message;
    logger.debug({ redis: where, reason: error.message }, "redis error");
  });
  await connectRedis(redis, config.redis);
  return redis;
}

/** Connects Redis, applies pending migrations, builds the app and listens. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  options: { clock?: Clock } = {},
): Promise<RunningGateway> {
  // PORT=0 asks for any free port; minted URLs must carry the real one, so choose it before building.
  if (config.port === 0 && !config.publicUrlExplicit) {
    const port = await freePort();
    config = Object.freeze({ ...config, port, publicUrl: derivedPublicUrl(config.host, port) });
  }
  const redis = await openRedis(config, logger);
  try {
    const report = await runMigrations(redis, migrations, { keyPrefix: config.redisKeyPrefix });
    if (report.applied.length > 0) logger.info({ applied: report.applied }, "applied migrations");
    // Development keys (generated now or kept in the development file) are this machine's alone: there is
    // nothing to share, so nothing to check or record.
    if (!config.keysGenerated) {
      const publicUrl = config.publicUrlExplicit ? config.publicUrl : undefined;
      await checkSharedKeyMaterial(redis, config.keys, publicUrl, config.redisKeyPrefix);
    }
    const app = await buildApp({ config, redis, logger, ...(options.clock ? { clock: options.clock } : {}) });
    const address = await app.listen({ host: config.host, port: config.port });
    return {
      app,
      redis,
      address,
      async close() {
        await app.close();
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

/**
 * Closes the gateway on SIGTERM/SIGINT: in-flight requests finish (bounded by LIMITS.shutdownGraceMs),
 * waiting log lines get a short bounded flush, then the process exits 0. A second signal or the grace
 * period running out exits 1 at once. `exit` must not flush logs synchronously: a stalled or broken log
 * pipe would hold the process forever.
 */
export function closeOnSignals(gateway: RunningGateway, logger: Logger, exit: (code: number) => void): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, "second signal: exiting now");
      exit(1);
      return;
    }
    closing = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => {
      logger.error(
        { graceMs: LIMITS.shutdownGraceMs },
        "shutdown grace period over: exiting with requests in flight",
      );
      exit(1);
    }, LIMITS.shutdownGraceMs);
    force.unref();
    gateway.close().then(
      () => {
        logger.info("shut down cleanly");
        void flushLogs(logger).then(() => exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, "error while shutting down");
        void flushLogs(logger).then(() => exit(1));
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

import { applyDotEnv } from "./dotenv-file.js";
import { listenFailureHint } from "./listen-hint.js";
import { createLogger, flushLogs } from "./logger.js";
import { closeOnSignals, configFromEnv, startGateway } from "./runtime.js";

// Process wiring for `npm start` and `npm run dev`: .env, config, Redis, migrations, listen, graceful shutdown.
const dotEnv = applyDotEnv(process.env, process.cwd());
if (!dotEnv.ok) {
  process.stderr.write(`mcp-gateway: ${dotEnv.message}\n`);
  process.exit(1);
}
const loaded = configFromEnv(process.env, { devSecretsDir: process.cwd() });
if (!loaded.ok) {
  process.stderr.write(
    `mcp-gateway: invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join("\n")}\n`,
  );
  process.exit(1);
}
const { config } = loaded;
const logger = createLogger(config.logLevel);
for (const notice of loaded.notices) logger.warn(notice);
if (config.adminTokenGenerated) {
  // Shown once on the console for local use; production refuses to start without GATEWAY_ADMIN_TOKEN.
  process.stderr.write(
    `mcp-gateway: development admin token (${config.devSecretsFile ? `kept in ${config.devSecretsFile}` : "valid for this run only"}): ${config.adminToken}\n`,
  );
}

try {
  const gateway = await startGateway(config, logger);
  logger.info({ address: gateway.address, publicUrl: config.publicUrl }, "mcp-gateway listening");
  closeOnSignals(gateway, logger, (code) => {
    // Hands the last lines to stdout without waiting for them: never a synchronous flush, which can wait
    // forever on a stalled or broken log pipe (closeOnSignals has already waited, boundedly, where it may).
    logger.flush();
    process.exit(code);
  });
} catch (error) {
  const hint = listenFailureHint(error);
  logger.fatal({ err: error, ...(hint ? { hint } : {}) }, "mcp-gateway failed to start");
  if (hint) process.stderr.write(`mcp-gateway: ${(error as Error).message}\n  ${hint}\n`);
  await flushLogs(logger);
  process.exit(1);
}

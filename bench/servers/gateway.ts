/** Benchmark child: one gateway instance, started and configured by the environment as `npm start` does. */
import { createLogger } from "../../apps/gateway/dist/logger.js";
import { configFromEnv, startGateway } from "../../apps/gateway/dist/runtime.js";
import { serveChild } from "../lib/child.js";

await serveChild(async () => {
  const loaded = configFromEnv(process.env);
  if (!loaded.ok) throw new Error(`invalid gateway configuration: ${loaded.errors.join("; ")}`);
  const gateway = await startGateway(loaded.config, createLogger(loaded.config.logLevel));
  return { url: gateway.address, close: () => gateway.close() };
});

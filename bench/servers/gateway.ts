/** Benchmark child: one gateway instance, configured by the environment like `npm start`. */
import { createLogger } from "../../apps/gateway/dist/logger.js";
import { configFromEnv } from "../../apps/gateway/dist/runtime.js";
import { serveChild } from "../lib/child.js";
import { startBenchGateway } from "../lib/gateway-app.js";

await serveChild(async () => {
  const loaded = configFromEnv(process.env);
  if (!loaded.ok) throw new Error(`invalid gateway configuration: ${loaded.errors.join("; ")}`);
  const gateway = await startBenchGateway(loaded.config, createLogger(loaded.config.logLevel));
  return {
    url: gateway.address,
    info: { mcpRegisteredByBench: gateway.mcpRegisteredByBench },
    close: () => gateway.close(),
  };
});

export { type AppDeps, buildApp } from "./app.js";
export { type ConfigResult, type GatewayConfig, loadConfig } from "./config.js";
export { createLogger, redactUrl } from "./logger.js";
export { closeOnSignals, configFromEnv, openRedis, type RunningGateway, startGateway } from "./runtime.js";

export * from "./keys.js";
export * from "./local-redis-server.js";
export * from "./migration-runner.js";
export * from "./redis.js";

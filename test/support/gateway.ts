import { Writable } from "node:stream";
import type { GatewayConfig } from "../../apps/gateway/src/config.js";
import { loadConfig } from "../../apps/gateway/src/config.js";
import { createLogger } from "../../apps/gateway/src/logger.js";

/** A valid config for tests, parsed by the real loader. */
export function testConfig(env: Record<string, string> = {}): GatewayConfig {
  const result = loadConfig(
    {
      NODE_ENV: "test",
      PORT: "0",
      LOG_LEVEL: "info",
      GATEWAY_ADMIN_TOKEN: "test-admin-token-0123456789-abcdefghij",
      ...env,
    },
    () => "unused",
  );
  if (!result.ok) throw new Error(`test config is invalid: ${result.errors.join("; ")}`);
  return result.config;
}

/** A real pino logger whose lines are kept in memory, for asserting what the gateway logs. */
export function capturingLogger(level = "info"): {
  logger: ReturnType<typeof createLogger>;
  lines(): string[];
} {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines: () => lines };
}

import { type SandboxFaultRule, type SandboxOptions, startSandbox } from "./index.js";

/**
 * `npm run sandbox`: starts the Mem0 sandbox from environment variables.
 *   PORT, HOST                      listen address (defaults 8090, 127.0.0.1)
 *   MEM0_SANDBOX_API_KEYS           comma-separated keys, each its own org and project (generated when unset)
 *   MEM0_SANDBOX_EVENT_DELAY_MS     time for async events to finish (default 50)
 *   MEM0_SANDBOX_RATE_LIMIT         per-key limit as "<requests>/<seconds>", e.g. "60/60" (default off)
 *   MEM0_SANDBOX_FAULTS             JSON array of fault rules (default none)
 *   MEM0_SANDBOX_SEED               seed for deterministic ids (default random)
 *   MEM0_SANDBOX_WEBHOOKS           "any" delivers webhooks to any URL (default: loopback receivers only)
 *   LOG_LEVEL                       "debug" or "info" turns request logging on
 */

function fail(message: string): never {
  process.stderr.write(`mem0-sandbox: ${message}\n`);
  process.exit(2);
}

function readOptions(env: NodeJS.ProcessEnv): SandboxOptions {
  const port = Number(env.PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`PORT must be a port number, got ${env.PORT}`);
  const keys = (env.MEM0_SANDBOX_API_KEYS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  const options: SandboxOptions = {
    port,
    host: env.HOST ?? "127.0.0.1",
    logger: ["debug", "info"].includes(env.LOG_LEVEL ?? ""),
  };
  if (keys.length > 0) options.apiKeys = keys;
  if (env.MEM0_SANDBOX_EVENT_DELAY_MS !== undefined) {
    const delayMs = Number(env.MEM0_SANDBOX_EVENT_DELAY_MS);
    if (!Number.isFinite(delayMs) || delayMs < 0)
      fail("MEM0_SANDBOX_EVENT_DELAY_MS must be a non-negative number");
    options.eventDelayMs = delayMs;
  }
  if (env.MEM0_SANDBOX_RATE_LIMIT) {
    const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(env.MEM0_SANDBOX_RATE_LIMIT.trim());
    if (!match) fail('MEM0_SANDBOX_RATE_LIMIT must look like "60/60" (requests/seconds)');
    options.rateLimit = { limit: Number(match[1]), windowSeconds: Number(match[2]) };
  }
  if (env.MEM0_SANDBOX_FAULTS) {
    try {
      const rules: unknown = JSON.parse(env.MEM0_SANDBOX_FAULTS);
      if (!Array.isArray(rules)) throw new Error("not an array");
      options.faults = rules as SandboxFaultRule[];
    } catch (error) {
      fail(`MEM0_SANDBOX_FAULTS must be a JSON array of fault rules (${(error as Error).message})`);
    }
  }
  if (env.MEM0_SANDBOX_SEED) options.seed = env.MEM0_SANDBOX_SEED;
  if (env.MEM0_SANDBOX_WEBHOOKS !== undefined) {
    if (!["any", "loopback"].includes(env.MEM0_SANDBOX_WEBHOOKS))
      fail('MEM0_SANDBOX_WEBHOOKS must be "any" or "loopback"');
    options.webhookReach = env.MEM0_SANDBOX_WEBHOOKS as "any" | "loopback";
  }
  return options;
}

const options = readOptions(process.env);
const sandbox = await startSandbox(options);
process.stdout.write(`Mem0 sandbox listening on ${sandbox.url}\n`);
if (!options.apiKeys)
  process.stdout.write(
    `Generated dev API key (set MEM0_SANDBOX_API_KEYS to choose your own): ${sandbox.apiKeys[0]}\n`,
  );
else process.stdout.write(`Accepting ${sandbox.apiKeys.length} API key(s) from MEM0_SANDBOX_API_KEYS\n`);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

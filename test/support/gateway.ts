import { Writable } from "node:stream";
import type { Clock } from "@mcp-gateway/core";
import { type Sandbox, type SandboxOptions, startSandbox } from "@mcp-gateway/mem0-sandbox";
import { freePort } from "@mcp-gateway/store";
import { afterEach, beforeEach } from "vitest";
import type { GatewayConfig } from "../../apps/gateway/src/config.js";
import { loadConfig } from "../../apps/gateway/src/config.js";
import { createLogger } from "../../apps/gateway/src/logger.js";
import { startGateway } from "../../apps/gateway/src/runtime.js";

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

/**
 * Why a stack answered 503 or 500 so far, as the gateway logged it (a storage 503's reason at debug level, or
 * warn for an access change no replica confirmed): one line per kind, or undefined when it did neither. For
 * topology tests to print when Redis was in the way.
 */
export function storageTrouble(logs: { lines(): string[] }): string | undefined {
  const reasons = new Set<string>();
  for (const line of logs.lines()) {
    if (line.includes('"storage unavailable"')) {
      reasons.add(`503: ${(JSON.parse(line) as { reason?: string }).reason}`);
    } else if (line.includes('"level":50')) {
      reasons.add(`500: ${(JSON.parse(line) as { err?: { message?: string } }).err?.message}`);
    }
  }
  return reasons.size === 0 ? undefined : [...reasons].join(" | ");
}

/** Prints after each test why any of `stacks()` answered 503 or 500 so far (see storageTrouble), if one did. */
export function printStorageTroubleAfterEach(stacks: () => readonly (TestStack | undefined)[]): void {
  afterEach(() => {
    for (const stack of stacks()) {
      if (stack === undefined) continue;
      const trouble = storageTrouble(stack.logs);
      if (trouble !== undefined) console.log(`${stack.gatewayUrl}: ${trouble}`);
    }
  });
}

/**
 * Env for a stack on a replicated topology (Cluster, Sentinel) whose test is not about how long a replica
 * may take to acknowledge an access change (WAIT, 500 ms by default). With the whole fault tier running on
 * two cores, replicas have taken longer, mostly right after their topology started, and the test saw a
 * 503 "No replica acknowledged the write in time" where it expected its flow to work.
 */
export const ROOMY_WRITE_ACKS: Readonly<Record<string, string>> = { REDIS_WAIT_TIMEOUT_MS: "5000" };

/** A gateway and a Mem0 sandbox running together on free ports, with a tenant-facing HTTP helper. */
export interface TestStack {
  gatewayUrl: string;
  config: GatewayConfig;
  sandbox: Sandbox;
  logs: ReturnType<typeof capturingLogger>;
  /** Calls the gateway; `token` goes in Authorization: Bearer. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Creates a tenant with the operator token; returns its id and first API token. */
  createTenant(name?: string): Promise<{ tenantId: string; apiToken: string }>;
  /** Mints an MCP server for an account; returns the create response (with token and url). */
  mint(apiToken: string, accountId: string, body: Record<string, unknown>): Promise<any>;
  /** Connects the sandbox's first key as a Mem0 account of the tenant. */
  connectMem0(apiToken: string, name?: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the sandbox and the real gateway (startGateway) against the test's Redis namespace. */
export async function startTestStack(
  redis: { url: string; keyPrefix: string },
  options: { env?: Record<string, string>; sandbox?: SandboxOptions; clock?: Clock; port?: number } = {},
): Promise<TestStack> {
  const sandbox = await startSandbox({ eventDelayMs: 20, ...options.sandbox });
  const port = options.port ?? (await freePort());
  const config = testConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    MEM0_BASE_URL: sandbox.url,
    ...options.env,
  });
  const logs = capturingLogger("debug");
  const gateway = await startGateway(config, logs.logger, options.clock ? { clock: options.clock } : {});
  const call: TestStack["call"] = async (method, path, { token, body, headers } = {}) => {
    const response = await fetch(`${gateway.address}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    gatewayUrl: gateway.address,
    config,
    sandbox,
    logs,
    call,
    async createTenant(name = "Acme") {
      const res = await call("POST", "/tenants", { token: config.adminToken, body: { name } });
      if (res.status !== 201)
        throw new Error(`creating a tenant failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { tenantId: res.body.id, apiToken: res.body.api_token.token };
    },
    async mint(apiToken, accountId, body) {
      const res = await call("POST", `/integrated-account/${accountId}/mcp`, { token: apiToken, body });
      if (res.status !== 201) throw new Error(`minting failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async connectMem0(apiToken, name = "Mem0") {
      const res = await call("POST", "/integrated-account", {
        token: apiToken,
        body: { integration: "mem0", name, credentials: { api_key: sandbox.apiKeys[0] } },
      });
      if (res.status !== 201)
        throw new Error(`connecting Mem0 failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}

/**
 * Registers hooks that start a fresh stack before each test (after `useTestRedis`'s namespace exists) and
 * close it after. The returned object stands for the current test's stack. A given clock is reset to the
 * real time first: Redis applies PXAT by its own clock, so tests move the gateway's clock forward from now.
 */
export function useTestStack(
  redis: { url: string; keyPrefix: string },
  options: {
    env?: Record<string, string>;
    sandbox?: SandboxOptions;
    clock?: Clock & { set(ms: number): void };
  } = {},
): TestStack {
  let current: TestStack | undefined;
  beforeEach(async () => {
    options.clock?.set(Date.now());
    current = await startTestStack(redis, options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as TestStack, {
    get(_target, key) {
      if (current === undefined) throw new Error("the test stack exists only while a test runs");
      const value: unknown = Reflect.get(current, key);
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
}

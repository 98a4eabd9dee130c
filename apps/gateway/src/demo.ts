import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type RedisProcess, spawnRedisServer } from "@mcp-gateway/store";
import { pino } from "pino";
import { applyDotEnv } from "./dotenv-file.js";
import { listenFailureHint } from "./listen-hint.js";
import { createLogger } from "./logger.js";
import { configFromEnv, type RunningGateway, startGateway } from "./runtime.js";

// `npm run demo`: everything local in one process tree, seeded and ready to paste into Claude.
//   1. Redis: the one at REDIS_URL when set, else a throwaway redis-server.
//   2. Mem0: the sandbox (a child process) unless MEM0_API_KEY is set, in which case the real Mem0 is used.
//   3. The gateway, then a tenant, a Mem0 account and an MCP server minted through the real admin API.
// `--json` prints one JSON object (one line) on stdout instead of the guide; logs and notices go to stderr.
// Ctrl-C (SIGINT) or SIGTERM stops everything and says so on stderr.
// It reads .env like `npm start`, but does not keep development secrets in a file: its Redis is usually a
// throwaway one, so its URLs end with it anyway, and its tests run in the repository.

const json = process.argv.includes("--json");
const sandboxEntry = fileURLToPath(new URL("../../mem0-sandbox/dist/main.js", import.meta.url));

interface Started {
  redis?: RedisProcess;
  sandbox?: ChildProcess;
  gateway?: RunningGateway;
}

async function startSandboxProcess(apiKey: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [sandboxEntry], {
    env: {
      ...process.env,
      PORT: process.env.MEM0_SANDBOX_PORT ?? "0",
      HOST: "127.0.0.1",
      MEM0_SANDBOX_API_KEYS: apiKey,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the Mem0 sandbox exited (${code}) before it listened`)));
  });
  return { child, url };
}

// biome-ignore lint/suspicious/noExplicitAny: the demo reads the admin API's JSON loosely
async function call(base: string, method: string, path: string, token: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const parsed = (await response.json()) as { message?: string };
  if (!response.ok)
    throw new Error(
      `${method} ${path} answered ${response.status}: ${parsed.message ?? JSON.stringify(parsed)}`,
    );
  return parsed;
}

async function stopAll(started: Started): Promise<void> {
  await started.gateway?.close().catch(() => {});
  if (started.sandbox && started.sandbox.exitCode === null) {
    await new Promise<void>((resolve) => {
      started.sandbox?.once("exit", () => resolve());
      started.sandbox?.kill("SIGTERM");
    });
  }
  await started.redis?.dispose();
}

async function main(started: Started): Promise<void> {
  const dotEnv = applyDotEnv(process.env, process.cwd());
  if (!dotEnv.ok) throw new Error(dotEnv.message);
  if (!process.env.REDIS_URL) started.redis = await spawnRedisServer();
  const realMem0Key = process.env.MEM0_API_KEY;
  const mem0Key = realMem0Key ?? `m0-demo-${randomBytes(12).toString("hex")}`;
  let mem0BaseUrl = process.env.MEM0_BASE_URL;
  if (!realMem0Key) {
    const sandbox = await startSandboxProcess(mem0Key);
    started.sandbox = sandbox.child;
    mem0BaseUrl = sandbox.url;
  }
  const loaded = configFromEnv({
    ...process.env,
    REDIS_URL: process.env.REDIS_URL ?? started.redis?.url,
    MEM0_BASE_URL: mem0BaseUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  });
  if (!loaded.ok)
    throw new Error(`invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join("\n")}`);
  const { config } = loaded;
  // With --json, stdout carries the JSON line alone: the gateway's logs go to stderr.
  const logger = json
    ? createLogger(config.logLevel, pino.destination({ fd: 2 }))
    : createLogger(config.logLevel);
  started.gateway = await startGateway(config, logger);
  const gw = started.gateway.address;

  const tenant = await call(gw, "POST", "/tenants", config.adminToken, { name: "Demo tenant" });
  const apiToken: string = tenant.api_token.token;
  const account = await call(gw, "POST", "/integrated-account", apiToken, {
    integration: "mem0",
    name: realMem0Key ? "Mem0" : "Mem0 sandbox",
    credentials: { api_key: mem0Key },
  });
  const server = await call(gw, "POST", `/integrated-account/${account.id}/mcp`, apiToken, {
    name: "Mem0 memories",
    config: { methods: ["read", "write", "custom"], tags: ["memories", "events", "exports", "projects"] },
    expires_at: null,
  });

  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        gateway_url: gw,
        console_url: consoleUrlOf(server.url),
        mcp_url: server.url,
        api_token: apiToken,
        admin_token: config.adminToken,
        sandbox_url: realMem0Key ? null : mem0BaseUrl,
        sandbox_api_key: realMem0Key ? null : mem0Key,
        integrated_account_id: account.id,
        mcp_server_id: server.id,
      })}\n`,
    );
  } else {
    printGuide({
      gw,
      config,
      apiToken,
      account,
      server,
      mem0BaseUrl,
      mem0Key,
      real: Boolean(realMem0Key),
      redis: started.redis,
    });
  }
}

/** The console's address: PUBLIC_URL (as the minted URL carries it, with the real port) + /console. */
function consoleUrlOf(mcpUrl: string): string {
  return `${mcpUrl.slice(0, mcpUrl.indexOf("/mcp/"))}/console`;
}

function printGuide(p: {
  gw: string;
  config: { adminToken: string; keysGenerated: boolean };
  apiToken: string;
  account: { id: string };
  server: { id: string; url: string; tools: string[]; claude_desktop_config: unknown };
  mem0BaseUrl: string | undefined;
  mem0Key: string;
  real: boolean;
  redis: RedisProcess | undefined;
}): void {
  const rpc = (body: unknown) =>
    `curl -s "$MCP_URL" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \\\n     -H 'mcp-protocol-version: 2025-11-25' -d '${JSON.stringify(body)}'`;
  const lines = [
    "",
    "mcp-gateway demo is running",
    "",
    `  console        ${consoleUrlOf(p.server.url)}   (sign in with the API token below; the admin token opens the operator pages)`,
    `  gateway        ${p.gw}   (admin API docs: ${p.gw}/docs)`,
    `  Mem0           ${p.real ? "the real Mem0 (MEM0_API_KEY)" : `sandbox at ${p.mem0BaseUrl}, key ${p.mem0Key}`}`,
    `  redis          ${p.redis ? `${p.redis.url} (spawned for this demo, removed on exit)` : "REDIS_URL"}`,
    `  admin token    ${p.config.adminToken}`,
    `  API token      ${p.apiToken}`,
    `  account        ${p.account.id}`,
    "",
    `MCP URL (${p.server.tools.length} tools: read, write and search on memories, events, exports and projects):`,
    "",
    `  ${p.server.url}`,
    "",
    "Try it with curl:",
    `  export MCP_URL='${p.server.url}'`,
    `  ${rpc({ jsonrpc: "2.0", id: 1, method: "tools/list" })}`,
    "",
    `  ${rpc({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "create_a_mem_0_memory", arguments: { messages: [{ role: "user", content: "I prefer window seats." }], user_id: "alice" } } })}`,
    "",
    "Mint another URL (read-only, expiring in an hour):",
    `  curl -s ${p.gw}/integrated-account/${p.account.id}/mcp -H 'authorization: Bearer ${p.apiToken}' \\`,
    `     -H 'content-type: application/json' -d '{"name":"read only","config":{"methods":["read"]},"expires_at":"${new Date(Date.now() + 3_600_000).toISOString()}"}'`,
    "",
    "Claude Desktop (claude_desktop_config.json), through mcp-remote:",
    JSON.stringify(p.server.claude_desktop_config, null, 2)
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
    "",
    "Claude (custom connector): Settings → Connectors → Add custom connector, and paste the MCP URL. It must be",
    "reachable from Claude's servers, so expose the gateway with PUBLIC_URL set to its public https address.",
    "",
    p.config.keysGenerated
      ? "Keys were generated for this run: these tokens and URLs stop working when the demo stops.\n"
      : "",
    "Press Ctrl-C to stop.",
    "",
  ];
  process.stdout.write(lines.join("\n"));
}

const started: Started = {};
let stopping = false;
const stop = (code: number, signal?: string): void => {
  if (stopping) process.exit(1);
  stopping = true;
  if (signal)
    process.stderr.write(`\nmcp-gateway demo: ${signal}, stopping the gateway, the sandbox and Redis…\n`);
  void stopAll(started).then(() => {
    if (signal) process.stderr.write("mcp-gateway demo: stopped.\n");
    process.exit(code);
  });
};
process.on("SIGINT", () => stop(0, "SIGINT"));
process.on("SIGTERM", () => stop(0, "SIGTERM"));
main(started).catch((error: unknown) => {
  const hint = listenFailureHint(error);
  process.stderr.write(`mcp-gateway demo: ${(error as Error).message}${hint ? `\n  ${hint}` : ""}\n`);
  stop(1);
});

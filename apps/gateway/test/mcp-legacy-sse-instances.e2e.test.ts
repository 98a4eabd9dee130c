import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox } from "@mcp-gateway/mem0-sandbox";
import { freePort } from "@mcp-gateway/store";
import type { Client } from "@modelcontextprotocol/client";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdioSession } from "../../../test/support/json-rpc.js";
import { type ProcessHandle, runTsEntry } from "../../../test/support/processes.js";
import { openTestNamespace } from "../../../test/support/redis.js";
import {
  type Balancer,
  connectSseClient,
  endpointUrl,
  openRawStream,
  postMessage,
  startBalancer,
  throughStdioBridge,
} from "./legacy-sse-support.js";

// Two gateway processes on one Redis behind a plain load balancer with no stickiness, talked to by the
// clients people run over the legacy HTTP+SSE transport: mcp-remote --transport sse-only (Claude Desktop's
// bridge), supergateway --sse, the MCP Inspector CLI and the MCP SDK's SSE client transport.

const ADMIN = "test-admin-token-0123456789-abcdefghij";
const bin = (name: string): string =>
  fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));
const key = (): string => randomBytes(32).toString("base64url");

let namespace: Awaited<ReturnType<typeof openTestNamespace>>;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let balancer: Balancer;
let instances: ProcessHandle[] = [];
let addresses: string[] = [];
let home: string;
let apiToken: string;
let allUrl: string;
let protectedUrl: string;

async function startInstance(
  env: Record<string, string>,
): Promise<{ handle: ProcessHandle; address: string }> {
  const port = await freePort();
  const handle = runTsEntry("apps/gateway/src/main.ts", { ...env, PORT: String(port), HOST: "127.0.0.1" });
  await handle.waitForLine(/"msg":"mcp-gateway listening"/);
  return { handle, address: `http://127.0.0.1:${port}` };
}

async function admin(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const response = await fetch(`${addresses[1]}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const parsed = await response.json();
  if (response.status >= 300)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

beforeAll(async () => {
  namespace = await openTestNamespace();
  sandbox = await startSandbox({});
  balancer = await startBalancer();
  home = await mkdtemp(join(tmpdir(), "mcpg-sse-clients-"));
  const env = {
    REDIS_URL: namespace.url,
    REDIS_KEY_PREFIX: namespace.keyPrefix,
    PUBLIC_URL: balancer.url,
    MEM0_BASE_URL: sandbox.url,
    GATEWAY_ADMIN_TOKEN: ADMIN,
    MCP_TOKEN_KEYS: `k1:${key()}`,
    CREDENTIAL_KEYS: `c1:${key()}`,
    SECRET_HASH_KEY: key(),
    LOG_LEVEL: "info",
  };
  const started = [await startInstance(env), await startInstance(env)];
  instances = started.map((s) => s.handle);
  addresses = started.map((s) => s.address);
  balancer.upstreams = addresses;

  const tenant = await admin("POST", "/tenants", ADMIN, { name: "SSE instances" });
  apiToken = tenant.api_token.token;
  const account = await admin("POST", "/integrated-account", apiToken, {
    integration: "mem0",
    name: "Mem0",
    credentials: { api_key: sandbox.apiKeys[0] },
  });
  const mint = (name: string, config: Record<string, unknown>) =>
    admin("POST", `/integrated-account/${account.id}/mcp`, apiToken, { name, config });
  allUrl = (await mint("All", {})).url;
  protectedUrl = (await mint("Protected", { require_api_token_auth: true })).url;
}, 60_000);

afterAll(async () => {
  for (const instance of instances) {
    if (instance.child.exitCode === null && instance.child.signalCode === null) {
      instance.child.kill("SIGTERM");
      await instance.exited;
    }
  }
  await balancer?.close();
  await sandbox?.close();
  await namespace?.dispose();
  if (home) await rm(home, { recursive: true, force: true });
});

const projectId = () => sandbox.accountFor(sandbox.apiKeys[0] ?? "").projectId;

function expectSession(answers: Map<number, any>): void {
  expect(answers.get(1)?.result).toMatchObject({ serverInfo: { name: "mcp-gateway" } });
  const tools = answers.get(2)?.result?.tools as { name: string }[];
  expect(tools.map((tool) => tool.name)).toContain("mem_0_memories_search");
  const call = answers.get(3)?.result as { content: { text: string }[]; isError?: boolean };
  expect(call.isError ?? false).toBe(false);
  expect(call.content[0]?.text).toContain(projectId());
}

describe("legacy HTTP+SSE across two instances behind a balancer without stickiness", () => {
  it("mcp-remote --transport sse-only over stdio: the stream on one instance, every message on the other", async () => {
    balancer.route = (request) => (request.method === "GET" ? 0 : 1);
    const from = balancer.routed.length;
    const answers = await throughStdioBridge(
      bin("mcp-remote"),
      [allUrl, "--transport", "sse-only"],
      stdioSession("list_all_mem_0_projects"),
      { HOME: home },
    );
    expectSession(answers);
    // The balancer notes a POST when its 202 comes back, just after the answer went out on the stream.
    await expect.poll(() => balancer.routed.slice(from).filter((r) => r.kind === "message").length).toBe(4);
    const routed = balancer.routed.slice(from);
    const streams = routed.filter((r) => r.kind === "stream");
    const messages = routed.filter((r) => r.kind === "message");
    expect(streams.length).toBeGreaterThanOrEqual(1);
    expect(streams.every((r) => r.upstream === 0)).toBe(true);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    expect(messages.every((r) => r.upstream === 1)).toBe(true);
  });

  it("mcp-remote passes the tenant API token with --header on the stream and every message", async () => {
    balancer.route = (_request, n) => n % 2;
    const answers = await throughStdioBridge(
      bin("mcp-remote"),
      [protectedUrl, "--transport", "sse-only", "--header", `Authorization:Bearer ${apiToken}`],
      stdioSession("list_all_mem_0_projects"),
      { HOME: home },
    );
    expectSession(answers);
  });

  it("supergateway --sse bridges stdio to the URL, round robin", async () => {
    balancer.route = (_request, n) => n % 2;
    const from = balancer.routed.length;
    const answers = await throughStdioBridge(
      bin("supergateway"),
      ["--sse", allUrl, "--logLevel", "none"],
      stdioSession("mem_0_memories_search", { query: "what food", filters: { user_id: "nobody" } }),
    );
    expect(answers.get(2)?.result?.tools).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "list_all_mem_0_projects" })]),
    );
    expect(answers.get(3)?.result).toMatchObject({ content: [{ type: "text" }] });
    expect(answers.get(3)?.result?.isError ?? false).toBe(false);
    const upstreams = new Set(balancer.routed.slice(from).map((r) => r.upstream));
    expect(upstreams).toEqual(new Set([0, 1]));
  });

  it("the MCP Inspector CLI lists tools and calls one with --transport sse", async () => {
    balancer.route = (_request, n) => n % 2;
    const run = async (args: string[]): Promise<any> => {
      const child = await import("node:child_process");
      const { promisify } = await import("node:util");
      const { stdout } = await promisify(child.execFile)(
        bin("mcp-inspector"),
        ["--cli", allUrl, "--transport", "sse", "--format", "json", "-q", ...args],
        { env: { ...process.env, HOME: home }, timeout: 30_000 },
      );
      return JSON.parse(stdout);
    };
    const listed = await run(["--method", "tools/list"]);
    expect((listed.result ?? listed).tools.map((tool: { name: string }) => tool.name)).toContain(
      "list_all_mem_0_projects",
    );
    const called = await run(["--method", "tools/call", "--tool-name", "list_all_mem_0_projects"]);
    expect(JSON.stringify(called.result ?? called)).toContain(projectId());
  });

  it("an instance that dies drops only its own streams; their clients reconnect through the survivor", async () => {
    // Streams alternate between the instances; every message goes to the second one.
    let streamsSeen = 0;
    balancer.route = (request) => (request.method === "GET" ? streamsSeen++ % 2 : 1);
    const onFirst: Client = await connectSseClient(allUrl);
    const onSecond: Client = await connectSseClient(allUrl);
    const raw = await openRawStream(allUrl); // third GET: on the first instance again
    const rawEndpoint = endpointUrl(allUrl, await raw.next());
    expect((await onFirst.listTools()).tools.length).toBeGreaterThan(0);
    expect((await onSecond.listTools()).tools.length).toBeGreaterThan(0);
    const streamsBefore = balancer.routed.filter((r) => r.kind === "stream").length;

    instances[0]?.child.kill("SIGKILL");
    await instances[0]?.exited;
    await raw.ended;

    // Nothing is run for a stream that died with its instance: the message is refused, and its record is gone.
    const late = await postMessage(rawEndpoint, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(late.status).toBe(404);
    expect(late.text).toContain("SSE session has ended");
    const redis = new Redis(namespace.url, { keyPrefix: namespace.keyPrefix });
    const sessionId = new URL(rawEndpoint).searchParams.get("session_id");
    expect(await redis.keys(`*sse:${sessionId}`)).toEqual([]);
    redis.disconnect();

    // The survivor's stream never dropped: that client goes on as it was.
    const listed = await onSecond.callTool({ name: "list_all_mem_0_projects", arguments: {} });
    expect(listed.isError ?? false).toBe(false);
    // The dead instance's client re-opens its stream (EventSource), which the balancer sends to the survivor.
    await expect
      .poll(
        async () =>
          onFirst.listTools().then(
            (r) => r.tools.length > 0,
            () => false,
          ),
        { timeout: 20_000 },
      )
      .toBe(true);
    const reopened = balancer.routed.filter((r) => r.kind === "stream").slice(streamsBefore);
    expect(reopened.length).toBe(1);
    expect(reopened[0]?.upstream).toBe(1);
    await onFirst.close();
    await onSecond.close();
  }, 60_000);
});

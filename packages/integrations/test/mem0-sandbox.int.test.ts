import { type Sandbox, startSandbox } from "@mcp-gateway/mem0-sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ExecutionAccount,
  type ExecutionResult,
  executeTool,
  findTool,
  mem0,
  rateLimitHeaders,
  resolveContext,
  type Tool,
} from "../src/index.js";

const KEY = "m0-test-key";

function tool(name: string): Tool {
  const found = findTool(mem0, name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

async function accountFor(sandbox: Sandbox, key: string): Promise<ExecutionAccount> {
  const resolved = await resolveContext(mem0, { api_key: key }, { baseUrl: sandbox.url });
  if (!resolved.ok) throw new Error(`ping failed: ${JSON.stringify(resolved)}`);
  return { credentials: { api_key: key }, context: resolved.context };
}

function dataOf(result: ExecutionResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`call failed: ${JSON.stringify(result)}`);
  return result.data as Record<string, unknown>;
}

describe("Mem0 tools against the sandbox", () => {
  let sandbox: Sandbox;
  let account: ExecutionAccount;

  /** Calls a tool as a model would; the call must succeed. */
  async function call(name: string, args: Record<string, unknown>): Promise<any> {
    const result = await executeTool(tool(name), args, account, { baseUrl: sandbox.url, pollIntervalMs: 10 });
    expect(result, name).toMatchObject({ ok: true });
    return dataOf(result) ?? {};
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ apiKeys: [KEY], eventDelayMs: 20, rateLimit: null, faults: [] });
    account = await accountFor(sandbox, KEY);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("resolves the account context from the key, and tells a refused key from an unreachable upstream", async () => {
    const expected = sandbox.accountFor(KEY);
    expect(account.context).toEqual({ org_id: expected.orgId, project_id: expected.projectId });
    const refused = await resolveContext(mem0, { api_key: "m0-wrong" }, { baseUrl: sandbox.url });
    expect(refused).toMatchObject({ ok: false, kind: "rejected", status: 401 });
    const nowhere = await resolveContext(mem0, { api_key: KEY }, { baseUrl: "http://127.0.0.1:9" });
    expect(nowhere).toMatchObject({ ok: false, kind: "unreachable" });
  });

  it("sends a header argument upstream: a repeated Idempotency-Key replays the job, a reused one is refused", async () => {
    await call("create_a_mem_0_memory", {
      messages: [{ role: "user", content: "I like tea." }],
      user_id: "dave",
      infer: false,
    });
    await call("update_a_mem_0_profile_settings_by_id", {
      enabled: true,
      entities: {
        user: { schema: { type: "object", properties: { tea: { type: "string", description: "Tea" } } } },
      },
    });
    const request = {
      idempotency_key: "exec-key-0001",
      operation: "trigger",
      entity_type: "user",
      entity_id: "dave",
    };
    const first = await call("create_a_mem_0_profile_job", request);
    expect(first).toMatchObject({ status: "QUEUED", replayed: false });
    expect(await call("create_a_mem_0_profile_job", request)).toMatchObject({
      job_id: first.job_id,
      replayed: true,
    });
    const reused = await executeTool(
      tool("create_a_mem_0_profile_job"),
      { ...request, entity_id: "erin" },
      account,
      {
        baseUrl: sandbox.url,
      },
    );
    expect(reused).toMatchObject({ ok: false, kind: "upstream", status: 409 });
  });

  it("refuses wrong arguments with a model-friendly message and no upstream call", async () => {
    const before = sandbox.requestCount();
    const result = await executeTool(
      tool("mem_0_memories_search"),
      { query: "diet", user_id: "usr-123" },
      account,
      { baseUrl: sandbox.url },
    );
    expect(result).toMatchObject({ ok: false, kind: "invalid_arguments" });
    if (!result.ok && result.kind === "invalid_arguments") {
      expect(result.message).toContain('put user_id inside filters, {"filters":{"user_id":"usr-123"}}');
    }
    const missing = await executeTool(tool("get_single_mem_0_memory_by_id"), {}, account, {
      baseUrl: sandbox.url,
    });
    expect(missing).toMatchObject({ ok: false, kind: "invalid_arguments" });
    expect(sandbox.requestCount()).toBe(before);
  });

  it("returns an upstream 5xx as a typed error with its status and body", async () => {
    sandbox.setFaults([{ path: "/v3/memories/search/", status: 503, times: 1 }]);
    const result = await executeTool(
      tool("mem_0_memories_search"),
      { query: "diet", filters: { user_id: "alice" } },
      account,
      { baseUrl: sandbox.url },
    );
    expect(result).toMatchObject({ ok: false, kind: "upstream", status: 503 });
    if (!result.ok && result.kind === "upstream") expect(result.body).toBeTypeOf("object");
  });

  it("cuts off a hung upstream at the timeout", async () => {
    sandbox.setFaults([{ path: "/v1/stats/", hang: true, times: 1 }]);
    const started = Date.now();
    const result = await executeTool(tool("list_all_mem_0_stats"), {}, account, {
      baseUrl: sandbox.url,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ ok: false, kind: "timeout" });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("refuses a response larger than the cap", async () => {
    sandbox.setFaults([]);
    const result = await executeTool(tool("list_all_mem_0_organizations"), {}, account, {
      baseUrl: sandbox.url,
      maxResponseBytes: 16,
    });
    expect(result).toMatchObject({ ok: false, kind: "too_large" });
  });

  it("stops waiting for an event at once when the upstream fails", async () => {
    const added = await call("create_a_mem_0_memory", {
      messages: [{ role: "user", content: "I play the cello." }],
      user_id: "carol",
    });
    sandbox.setFaults([{ path: "/v1/event/*", status: 500 }]);
    const before = sandbox.requestCount();
    const result = await executeTool(
      tool("get_single_mem_0_event_by_id"),
      { id: added.event_id, wait_seconds: 20 },
      account,
      {
        baseUrl: sandbox.url,
        pollIntervalMs: 10,
      },
    );
    sandbox.setFaults([]);
    expect(result).toMatchObject({ ok: false, kind: "upstream", status: 500 });
    expect(sandbox.requestCount() - before).toBe(1);
  });
});

describe("upstream rate limits", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      apiKeys: [KEY],
      eventDelayMs: 20,
      rateLimit: { limit: 2, windowSeconds: 60 },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("returns a 429 as a typed error with normalized rate-limit headers and a retry hint", async () => {
    const account: ExecutionAccount = {
      credentials: { api_key: KEY },
      context: { org_id: sandbox.accountFor(KEY).orgId, project_id: sandbox.accountFor(KEY).projectId },
    };
    const stats = tool("list_all_mem_0_stats");
    const first = await executeTool(stats, {}, account, { baseUrl: sandbox.url });
    expect(first).toMatchObject({ ok: true, rateLimit: { limit: 2, remaining: 1 } });
    await executeTool(stats, {}, account, { baseUrl: sandbox.url });
    const limited = await executeTool(stats, {}, account, { baseUrl: sandbox.url });
    expect(limited).toMatchObject({ ok: false, kind: "upstream", status: 429 });
    if (limited.ok || limited.kind !== "upstream") return;
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    const headers = rateLimitHeaders(limited.rateLimit);
    expect(headers).toMatchObject({ "ratelimit-limit": "2", "ratelimit-remaining": "0" });
    expect(Number(headers["ratelimit-reset"])).toBeGreaterThan(0);
    expect(headers.ratelimit).toMatch(/^"[^"]+";r=0;t=\d+$/);
    expect(headers["ratelimit-policy"]).toMatch(/;q=2/);
    expect(headers["retry-after"]).toBe(String(limited.retryAfterSeconds));
  });
});

import { type Sandbox, startSandbox } from "@mcp-gateway/mem0-sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allTools,
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
  const called = new Map<string, ExecutionResult>();

  /** Calls a tool as a model would, remembering that it succeeded. */
  async function call(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = await executeTool(tool(name), args, account, { baseUrl: sandbox.url, pollIntervalMs: 10 });
    expect(result, name).toMatchObject({ ok: true });
    called.set(name, result);
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

  it("calls every tool once with valid arguments", async () => {
    // Memories: add, wait for the pipeline, then read and change what it produced.
    const added = await call("create_a_mem_0_memory", {
      messages: [{ role: "user", content: "I am vegetarian and I love hiking in the Alps." }],
      user_id: "alice",
      metadata: { source: "test" },
    });
    expect(added).toMatchObject({ status: "PENDING" });
    const event = await call("get_single_mem_0_event_by_id", { id: added.event_id, wait_seconds: 5 });
    expect(event.status).toBe("SUCCEEDED");
    const created = event.results as { id: string }[];
    expect(created.length).toBeGreaterThan(0);
    const memoryId = created[0]?.id as string;

    const listed = await call("list_all_mem_0_memories", {
      filters: { user_id: "alice" },
      page: 1,
      page_size: 10,
    });
    expect((listed.results as unknown[]).length).toBe(created.length);
    const found = await call("mem_0_memories_search", {
      query: "What does alice eat?",
      filters: { user_id: "alice" },
    });
    expect((found.results as unknown[]).length).toBeGreaterThan(0);
    await call("get_single_mem_0_memory_by_id", { id: memoryId });
    await call("update_a_mem_0_memory_by_id", { id: memoryId, text: "Alice is vegan." });
    await call("list_all_mem_0_memory_history", { memory_id: memoryId });
    await call("mem_0_memories_feedback", { memory_id: memoryId, feedback: "POSITIVE" });
    await call("mem_0_memories_summary", { filters: { user_id: "alice" } });
    await call("mem_0_memories_bulk_update", {
      memories: [{ memory_id: memoryId, text: "Alice eats no meat." }],
    });
    await call("list_all_mem_0_events", {});
    await call("list_all_mem_0_stats", {});

    // Exports, then entities.
    const started = await call("create_a_mem_0_export", {
      schema: { type: "object", properties: { diet: { type: "string" } } },
      filters: { AND: [{ user_id: "alice" }] },
    });
    await expect
      .poll(async () => (await call("get_single_mem_0_export_by_id", { id: started.id })).status, {
        timeout: 3000,
      })
      .not.toBe("PENDING");
    await call("list_all_mem_0_entities", {});
    await call("get_single_mem_0_entity_by_id", { entity_type: "user", id: "alice" });

    // Administration of the account's own organization and project.
    await call("list_all_mem_0_organizations", {});
    await call("get_single_mem_0_organization_by_id", {});
    const sideOrg = await call("create_a_mem_0_organization", { name: "Side org" });
    await call("list_all_mem_0_organization_members", {});
    await call("create_a_mem_0_organization_member", { email: "sam@example.com", role: "READER" });
    await call("update_a_mem_0_organization_member_by_id", { email: "sam@example.com", role: "OWNER" });
    await call("delete_a_mem_0_organization_member_by_id", { email: "sam@example.com" });
    await call("list_all_mem_0_projects", {});
    const sideProject = await call("create_a_mem_0_project", { name: "Second project" });
    const own = await call("get_single_mem_0_project_by_id", { fields: ["name"] });
    expect(own.project_id ?? own.name).toBeDefined();
    const other = await call("get_single_mem_0_project_by_id", { id: sideProject.project_id });
    expect(other.name).toBe("Second project");
    await call("update_a_mem_0_project_by_id", { custom_instructions: "Remember diets." });
    await call("list_all_mem_0_project_members", {});
    await call("create_a_mem_0_project_member", { email: "kim@example.com", role: "READER" });
    await call("update_a_mem_0_project_member_by_id", { email: "kim@example.com", role: "OWNER" });
    await call("delete_a_mem_0_project_member_by_id", { email: "kim@example.com" });
    const hook = await call("create_a_mem_0_webhook", {
      name: "Audit",
      url: "https://example.com/hook",
      event_types: ["memory_add"],
    });
    await call("list_all_mem_0_webhooks", {});
    await call("update_a_mem_0_webhook_by_id", { id: hook.webhook_id, name: "Audit log" });
    await call("delete_a_mem_0_webhook_by_id", { id: hook.webhook_id });

    // Deletions last.
    await call("mem_0_memories_bulk_delete", { memories: [{ memory_id: memoryId }] });
    const second = await call("create_a_mem_0_memory", {
      messages: [{ role: "user", content: "My favourite colour is green." }],
      user_id: "bob",
      infer: false,
    });
    const secondId = (second.results as { id: string }[])[0]?.id;
    await call("delete_a_mem_0_memory_by_id", { id: secondId });
    await call("mem_0_memories_delete_all", { user_id: "alice" });
    await call("delete_a_mem_0_entity_by_id", { entity_type: "user", id: "bob" });

    await call("delete_a_mem_0_project_by_id", { id: sideProject.project_id });
    await call("delete_a_mem_0_organization_by_id", { id: sideOrg.org_id });

    expect(
      allTools(mem0)
        .filter((t) => !called.has(t.name))
        .map((t) => t.name),
    ).toEqual([]);
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

import { type Sandbox, startSandbox } from "@mcp-gateway/mem0-sandbox";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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
  async function call(name: string, args: Record<string, unknown>): Promise<any> {
    const result = await executeTool(tool(name), args, account, { baseUrl: sandbox.url, pollIntervalMs: 10 });
    expect(result, name).toMatchObject({ ok: true });
    called.set(name, result);
    return dataOf(result) ?? {};
  }

  /** Mem0's API as the sandbox serves it, without the executor: where each call's effect is checked. */
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        authorization: `Token ${KEY}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? null : JSON.parse(text) };
  }

  /** One memory as Mem0 stores it now (status 404 when it is gone). */
  const stored = (id: string) => api("GET", `/v1/memories/${id}/`);
  /** An entity's memories as Mem0 lists them now. */
  const memoriesOf = async (userId: string): Promise<{ id: string; memory: string }[]> =>
    (await api("POST", "/v3/memories/", { filters: { user_id: userId } })).body.results;
  const orgPath = () => `/api/v1/orgs/organizations/${account.context.org_id}`;
  const projectPath = () => `${orgPath()}/projects/${account.context.project_id}`;

  /** Waits, with the event tool itself, until an async event has finished. */
  async function finished(eventId: string): Promise<any> {
    const event = await call("get_single_mem_0_event_by_id", { id: eventId, wait_seconds: 5 });
    expect(event).toMatchObject({ id: eventId, status: "SUCCEEDED" });
    return event;
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

  it("calls every tool once with valid arguments, and each call does what it says", async () => {
    // Memories: add (inferred, so an event), wait for the pipeline, then read and change what it produced.
    const added = await call("create_a_mem_0_memory", {
      messages: [{ role: "user", content: "I am vegetarian and I love hiking in the Alps." }],
      user_id: "alice",
      metadata: { source: "test" },
    });
    expect(added).toEqual({ event_id: expect.any(String), status: "PENDING" });
    const event = await finished(added.event_id);
    expect(event.event_type).toBe("ADD");
    const created = event.results as {
      id: string;
      event: string;
      data: { memory: string };
      user_id: string;
    }[];
    expect(created.map((result) => [result.event, result.data.memory, result.user_id]).sort()).toEqual([
      ["ADD", "Is vegetarian", "alice"],
      ["ADD", "Loves hiking in the Alps", "alice"],
    ]);
    const memoryId = created.find((result) => result.data.memory === "Is vegetarian")?.id as string;
    const hikingId = created.find((result) => result.data.memory === "Loves hiking in the Alps")
      ?.id as string;
    expect((await stored(memoryId)).body).toMatchObject({
      id: memoryId,
      memory: "Is vegetarian",
      user_id: "alice",
      metadata: { source: "test" },
    });

    const listed = await call("list_all_mem_0_memories", {
      filters: { user_id: "alice" },
      page: 1,
      page_size: 10,
    });
    expect(listed.count).toBe(2);
    expect(listed.results.map((memory: { id: string }) => memory.id).sort()).toEqual(
      [memoryId, hikingId].sort(),
    );
    const found = await call("mem_0_memories_search", {
      query: "What does alice eat?",
      filters: { user_id: "alice" },
    });
    expect(found.results[0]).toMatchObject({ id: memoryId, memory: "Is vegetarian", user_id: "alice" });
    expect(found.results.every((memory: { user_id: string }) => memory.user_id === "alice")).toBe(true);
    expect(await call("get_single_mem_0_memory_by_id", { id: memoryId })).toMatchObject({
      id: memoryId,
      memory: "Is vegetarian",
      user_id: "alice",
    });

    const updated = await call("update_a_mem_0_memory_by_id", { id: memoryId, text: "Alice is vegan." });
    expect(updated).toMatchObject({ id: memoryId, memory: "Alice is vegan." });
    expect((await stored(memoryId)).body.memory).toBe("Alice is vegan.");
    const history = await call("list_all_mem_0_memory_history", { memory_id: memoryId });
    expect(history).toMatchObject([
      { memory_id: memoryId, event: "ADD", old_memory: null, new_memory: "Is vegetarian" },
      { memory_id: memoryId, event: "UPDATE", old_memory: "Is vegetarian", new_memory: "Alice is vegan." },
    ]);
    const feedback = await call("mem_0_memories_feedback", { memory_id: memoryId, feedback: "POSITIVE" });
    expect(feedback).toEqual({ id: expect.any(String), feedback: "POSITIVE", feedback_reason: null });
    // Feedback is kept per memory: giving it again updates the same record.
    const again = await api("POST", "/v1/feedback/", { memory_id: memoryId, feedback: "POSITIVE" });
    expect(again.body.id).toBe(feedback.id);
    const summary = await call("mem_0_memories_summary", { filters: { user_id: "alice" } });
    expect(summary).toMatchObject([{ memory_count: 2 }]);
    expect(JSON.stringify(summary)).toContain("Alice is vegan");
    expect(JSON.stringify(summary)).toContain("Loves hiking in the Alps");
    expect(
      await call("mem_0_memories_bulk_update", {
        memories: [{ memory_id: memoryId, text: "Alice eats no meat." }],
      }),
    ).toEqual({ message: "Successfully updated 1 memories" });
    expect((await stored(memoryId)).body.memory).toBe("Alice eats no meat.");
    expect((await stored(hikingId)).body.memory).toBe("Loves hiking in the Alps");

    const events = await call("list_all_mem_0_events", {});
    expect(events.results).toContainEqual(
      expect.objectContaining({ id: added.event_id, event_type: "ADD", status: "SUCCEEDED" }),
    );
    expect(events.results).toContainEqual(
      expect.objectContaining({
        event_type: "SEARCH",
        payload: expect.objectContaining({ query: "What does alice eat?" }),
      }),
    );
    expect(await call("list_all_mem_0_stats", {})).toMatchObject({
      total_memories: 2,
      total_add_events: 1,
      total_users_with_memories: 1,
    });

    // Exports, then entities.
    const started = await call("create_a_mem_0_export", {
      schema: { type: "object", properties: { diet: { type: "string" } } },
      filters: { AND: [{ user_id: "alice" }] },
    });
    expect(started.id).toEqual(expect.any(String));
    const exported = await vi.waitFor(
      async () => {
        const current = await call("get_single_mem_0_export_by_id", { id: started.id });
        expect(current.status).not.toBe("PENDING");
        return current;
      },
      { timeout: 3000 },
    );
    // Filled from the export's schema: its one property, and nothing the schema does not ask for.
    expect(Object.keys(exported)).toEqual(["diet"]);
    expect(exported.diet).toEqual(expect.any(String));
    const aliceEntity = { name: "alice", type: "user", total_memories: 2 };
    expect((await call("list_all_mem_0_entities", {})).results).toEqual([
      expect.objectContaining(aliceEntity),
    ]);
    const entity = await call("get_single_mem_0_entity_by_id", { entity_type: "user", id: "alice" });
    expect(entity).toEqual([expect.objectContaining(aliceEntity)]);

    // Administration of the account's own organization and project.
    const { org_id: orgId, project_id: projectId } = account.context;
    const orgs = await call("list_all_mem_0_organizations", {});
    expect(orgs).toEqual([expect.objectContaining({ org_id: orgId, is_default: true })]);
    expect(await call("get_single_mem_0_organization_by_id", {})).toMatchObject({ org_id: orgId });
    const sideOrg = await call("create_a_mem_0_organization", { name: "Side org" });
    expect(sideOrg.org_id).toEqual(expect.any(String));
    expect((await api("GET", "/api/v1/orgs/organizations/")).body).toContainEqual(
      expect.objectContaining({ org_id: sideOrg.org_id, name: "Side org" }),
    );
    const members = async () => (await api("GET", `${orgPath()}/members/`)).body.members;
    const owner = { user_id: expect.any(String), role: "OWNER" };
    expect((await call("list_all_mem_0_organization_members", {})).members).toEqual([owner]);
    await call("create_a_mem_0_organization_member", { email: "sam@example.com", role: "READER" });
    expect(await members()).toEqual([owner, { user_id: "sam", role: "READER" }]);
    await call("update_a_mem_0_organization_member_by_id", { email: "sam@example.com", role: "OWNER" });
    expect(await members()).toEqual([owner, { user_id: "sam", role: "OWNER" }]);
    await call("delete_a_mem_0_organization_member_by_id", { email: "sam@example.com" });
    expect(await members()).toEqual([owner]);

    const projects = await call("list_all_mem_0_projects", {});
    expect(projects).toEqual([expect.objectContaining({ project_id: projectId })]);
    const sideProject = await call("create_a_mem_0_project", { name: "Second project" });
    expect(sideProject.project_id).toEqual(expect.any(String));
    expect((await api("GET", `${orgPath()}/projects/`)).body).toContainEqual(
      expect.objectContaining({ project_id: sideProject.project_id, name: "Second project" }),
    );
    expect(await call("get_single_mem_0_project_by_id", { fields: ["name"] })).toEqual({
      name: "default-project",
    });
    const other = await call("get_single_mem_0_project_by_id", { id: sideProject.project_id });
    expect(other).toMatchObject({ project_id: sideProject.project_id, name: "Second project" });
    await call("update_a_mem_0_project_by_id", { custom_instructions: "Remember diets." });
    expect((await api("GET", `${projectPath()}/`)).body.custom_instructions).toBe("Remember diets.");
    const projectMembers = async () => (await api("GET", `${projectPath()}/members/`)).body.members;
    const projectOwner = { username: expect.any(String), role: "OWNER" };
    expect((await call("list_all_mem_0_project_members", {})).members).toEqual([projectOwner]);
    await call("create_a_mem_0_project_member", { email: "kim@example.com", role: "READER" });
    expect(await projectMembers()).toEqual([projectOwner, { username: "kim", role: "READER" }]);
    await call("update_a_mem_0_project_member_by_id", { email: "kim@example.com", role: "OWNER" });
    expect(await projectMembers()).toEqual([projectOwner, { username: "kim", role: "OWNER" }]);
    await call("delete_a_mem_0_project_member_by_id", { email: "kim@example.com" });
    expect(await projectMembers()).toEqual([projectOwner]);

    const webhooks = async () => (await api("GET", `/api/v1/webhooks/projects/${projectId}/`)).body;
    const hook = await call("create_a_mem_0_webhook", {
      name: "Audit",
      url: "https://example.com/hook",
      event_types: ["memory_add"],
    });
    const hookFields = { url: "https://example.com/hook", event_types: ["memory_add"], is_active: true };
    expect(hook).toMatchObject({ webhook_id: expect.any(String), name: "Audit", ...hookFields });
    expect(await webhooks()).toEqual([
      expect.objectContaining({ webhook_id: hook.webhook_id, name: "Audit" }),
    ]);
    const hooks = await call("list_all_mem_0_webhooks", {});
    expect(hooks).toEqual([expect.objectContaining({ webhook_id: hook.webhook_id })]);
    await call("update_a_mem_0_webhook_by_id", { id: hook.webhook_id, name: "Audit log" });
    expect(await webhooks()).toEqual([
      expect.objectContaining({ webhook_id: hook.webhook_id, name: "Audit log", ...hookFields }),
    ]);
    await call("delete_a_mem_0_webhook_by_id", { id: hook.webhook_id });
    expect(await webhooks()).toEqual([]);

    // Deletions last.
    await call("mem_0_memories_bulk_delete", { memories: [{ memory_id: memoryId }] });
    expect((await stored(memoryId)).status).toBe(404);
    expect((await stored(hikingId)).status).toBe(200);
    const bobFacts = ["My favourite colour is green.", "I drive a blue car."];
    const bobIds: string[] = [];
    for (const fact of bobFacts) {
      const second = await call("create_a_mem_0_memory", {
        messages: [{ role: "user", content: fact }],
        user_id: "bob",
        infer: false,
      });
      expect(second).toMatchObject({
        status: "SUCCEEDED",
        results: [{ event: "ADD", data: { memory: fact } }],
      });
      bobIds.push(second.results[0].id);
    }
    expect((await memoriesOf("bob")).map((memory) => memory.memory).sort()).toEqual([...bobFacts].sort());
    await call("delete_a_mem_0_memory_by_id", { id: bobIds[0] });
    expect((await stored(bobIds[0] as string)).status).toBe(404);
    expect((await memoriesOf("bob")).map((memory) => memory.id)).toEqual([bobIds[1]]);

    const deleteAll = await call("mem_0_memories_delete_all", { user_id: "alice" });
    await finished(deleteAll.event_id);
    expect(await memoriesOf("alice")).toEqual([]);
    expect((await stored(hikingId)).status).toBe(404);
    expect(await memoriesOf("bob")).toHaveLength(1);
    const entityDeleted = await call("delete_a_mem_0_entity_by_id", { entity_type: "user", id: "bob" });
    await finished(entityDeleted.event_id);
    expect(await memoriesOf("bob")).toEqual([]);
    const entities = (await api("GET", "/v1/entities/")).body.results as { name: string }[];
    expect(entities.map((listedEntity) => listedEntity.name)).not.toContain("bob");

    await call("delete_a_mem_0_project_by_id", { id: sideProject.project_id });
    expect(
      ((await api("GET", `${orgPath()}/projects/`)).body as { project_id: string }[]).map(
        (p) => p.project_id,
      ),
    ).toEqual([projectId]);
    await call("delete_a_mem_0_organization_by_id", { id: sideOrg.org_id });
    expect(
      ((await api("GET", "/api/v1/orgs/organizations/")).body as { org_id: string }[]).map((o) => o.org_id),
    ).toEqual([orgId]);

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

import { allTools, mem0 } from "@mcp-gateway/integrations";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectClient, type McpTestGateway, startMcpTestGateway } from "./mcp-support.js";

/**
 * Every tool of the catalogue, called once through the real MCP client (Streamable HTTP) against the real
 * gateway and the Mem0 sandbox, with the effect of each call checked on the sandbox's own API.
 */

interface CallResult {
  content: { type: string; text: string }[];
  isError?: boolean;
}

let gateway: McpTestGateway;
let client: Client;
beforeAll(async () => {
  gateway = await startMcpTestGateway();
  ({ client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), "2025-11-25"));
});
afterAll(async () => {
  await client?.close();
  await gateway?.close();
});

describe("every Mem0 tool over MCP", () => {
  const called = new Set<string>();
  const key = () => gateway.sandbox.apiKeys[0] ?? "";
  const account = () => gateway.sandbox.accountFor(key());

  /** Calls a tool as a model would; it must not be an error result. Returns the JSON of its text. */
  async function call(name: string, args: Record<string, unknown>): Promise<any> {
    const result = (await client.callTool({ name, arguments: args })) as CallResult;
    expect(result.isError ?? false, `${name}: ${result.content[0]?.text}`).toBe(false);
    called.add(name);
    return JSON.parse(result.content[0]?.text ?? "null") ?? {};
  }

  /** Mem0's API as the sandbox serves it, without the gateway: where each call's effect is checked. */
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${gateway.sandbox.url}${path}`, {
      method,
      headers: {
        authorization: `Token ${key()}`,
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
  const orgPath = () => `/api/v1/orgs/organizations/${account().orgId}`;
  const projectPath = () => `${orgPath()}/projects/${account().projectId}`;

  /** Waits, with the event tool itself, until an async event has finished. */
  async function finished(eventId: string): Promise<any> {
    const event = await call("get_single_mem_0_event_by_id", { id: eventId, wait_seconds: 5 });
    expect(event).toMatchObject({ id: eventId, status: "SUCCEEDED" });
    return event;
  }

  it("calls every tool once through an MCP client, and each call does what it says", async () => {
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
    const { orgId, projectId } = account();
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

    // Calls the upstream answers without extra setup: the connection, entity registration and lookups.
    expect(await call("mem_0_account_ping", {})).toMatchObject({
      status: "ok",
      org_id: orgId,
      project_id: projectId,
    });
    const dana = await call("create_a_mem_0_user", { user_id: "dana", metadata: { plan: "pro" } });
    expect(dana).toMatchObject({
      id: expect.any(Number),
      user_id: "dana",
      metadata: { plan: "pro" },
      is_deleted: false,
    });
    expect((await api("GET", "/v2/entities/user/dana/")).body).toEqual([
      expect.objectContaining({ name: "dana", type: "user", metadata: { plan: "pro" } }),
    ]);
    for (const [tool, kind, id] of [
      ["create_a_mem_0_agent", "agent", "travel-bot"],
      ["create_a_mem_0_app", "app", "support-app"],
      ["create_a_mem_0_run", "run", "session-42"],
    ] as const) {
      const created = await call(tool, { [`${kind}_id`]: id, name: `The ${kind}` });
      expect(created).toMatchObject({ [`${kind}_id`]: id, name: `The ${kind}` });
      expect((await api("GET", `/v2/entities/${kind}/${id}/`)).status).toBe(200);
    }
    const filterValues = await call("list_all_mem_0_entity_filters", {});
    expect(filterValues.users).toEqual(["alice", "dana"]);
    expect(filterValues.event_type).toContain("ADD");
    const aliceMemories = await call("list_all_mem_0_entity_memories", {
      entity_type: "user",
      entity_id: "alice",
    });
    expect(aliceMemories.count).toBe(2);
    expect(aliceMemories.results.map((m: { id: string }) => m.id).sort()).toEqual(
      [memoryId, hikingId].sort(),
    );
    const changes = await call("list_all_mem_0_memory_events", { limit: 50 });
    expect(changes.results).toContainEqual(
      expect.objectContaining({ memory_id: memoryId, event: "UPDATE", new_memory: "Alice is vegan." }),
    );

    // Dream: reflection on, then twenty memories for one user make one run with one synthesized pattern.
    const dreamOn = await call("update_a_mem_0_dream_config_by_id", { reflection_enabled: true });
    expect(dreamOn.config).toMatchObject({ reflection_enabled: true, reflection_mode: "batch" });
    expect((await call("get_single_mem_0_dream_config_by_id", {})).config.reflection_enabled).toBe(true);
    const erinFacts = Array.from({ length: 20 }, (_, i) => ({
      role: "user",
      content: `Erin fact ${i + 1}.`,
    }));
    expect(
      (await api("POST", "/v3/memories/add/", { messages: erinFacts, user_id: "erin", infer: false })).status,
    ).toBe(200);
    const preview = await call("mem_0_dream_preview", {});
    expect(preview).toMatchObject({ eligible_users: 1, active_total: 22 });
    const dreamRuns = await call("list_all_mem_0_dream_runs", { limit: 5 });
    expect(dreamRuns.results).toHaveLength(1);
    const [dreamRun] = dreamRuns.results;
    expect(dreamRun).toMatchObject({ count: 1, has_more: false });
    const runMemories = await call("list_all_mem_0_dream_run_memories", { run_id: dreamRun.run_id });
    expect(runMemories).toEqual({ results: dreamRun.synthesized, next_cursor: null });
    const pattern = runMemories.results[0];
    const sources = await call("list_all_mem_0_dream_memory_sources", { memory_id: pattern.id });
    expect(sources).toMatchObject({ memory_id: pattern.id, synthesized: true });
    expect(sources.sources).toHaveLength(20);
    expect(await call("list_all_mem_0_dream_stats", {})).toMatchObject({
      synthesized: 1,
      active: 22,
      running: false,
    });
    expect(await call("list_all_mem_0_dream_activity", { limit: 10 })).toEqual({
      results: [],
      next_cursor: null,
    });

    // Profiles: a schema, then a job that builds alice's profile from her memories.
    const profileSchema = {
      type: "object",
      properties: {
        diet: { type: "string", description: "What the user eats or avoids." },
        hiking: { type: "string", description: "Where and how the user hikes." },
      },
    };
    const settings = await call("update_a_mem_0_profile_settings_by_id", {
      enabled: true,
      entities: { user: { schema: profileSchema } },
    });
    expect(settings).toMatchObject({ enabled: true, entities: { user: { schema: profileSchema } } });
    expect(await call("get_single_mem_0_profile_settings_by_id", {})).toEqual(settings);
    const job = await call("create_a_mem_0_profile_job", {
      idempotency_key: "every-tool-job-0001",
      operation: "trigger",
      entity_type: "user",
      entity_id: "alice",
    });
    expect(job).toMatchObject({ job_id: expect.any(String), status: "QUEUED", replayed: false });
    await finished(job.event_id);
    expect(await call("get_single_mem_0_profile_job_by_id", { id: job.job_id })).toMatchObject({
      job: { id: job.job_id, status: "SUCCEEDED", succeeded: 1 },
    });
    const profile = await call("get_single_mem_0_profile_by_id", { entity_type: "user", id: "alice" });
    expect(profile).toMatchObject({ status: "succeeded", entity_id: "alice", generation_count: 1 });
    // Filled from her memories: the sandbox matches each property to the memories that mention it.
    expect(Object.keys(profile.profile)).toEqual(["diet", "hiking"]);
    expect(profile.profile.hiking).toContain("Alps");

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

    // Every tool of the URL, each called at least once.
    const offered = (await client.listTools()).tools.map((t) => t.name);
    expect(offered).toEqual(allTools(mem0).map((t) => t.name));
    expect(offered).toHaveLength(62);
    expect(offered.filter((name) => !called.has(name))).toEqual([]);
  });
});

import { allTools, mem0 } from "@mcp-gateway/integrations";
import type { Client } from "@modelcontextprotocol/client";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, ERAS, type Era, type McpTestGateway, startMcpTestGateway } from "./mcp-support.js";

// Every tool that declares an outputSchema is called against the sandbox through the real SDK client, which
// itself refuses a success whose structuredContent is missing or does not match the schema; each answer is
// checked again here with a JSON Schema validator of our own choosing, against the schema tools/list showed.

type Structured = Record<string, any>;
interface Called {
  readonly structured: Structured;
  readonly text: string;
}

let gateway: McpTestGateway;
beforeAll(async () => {
  gateway = await startMcpTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

const ajv = new Ajv2020({ strict: false, allErrors: true });

async function listedOutputSchemas(client: Client): Promise<Map<string, Record<string, unknown>>> {
  const { tools } = await client.listTools();
  const schemas = new Map<string, Record<string, unknown>>();
  for (const tool of tools) if (tool.outputSchema !== undefined) schemas.set(tool.name, tool.outputSchema);
  return schemas;
}

/** Runs one call per tool with an output schema, in an order that gives each the ids it needs. */
async function callEveryToolWithAnOutputSchema(client: Client, tag: string): Promise<Map<string, Called>> {
  const results = new Map<string, Called>();
  const call = async (name: string, args: Record<string, unknown>): Promise<Structured> => {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { type: string; text: string }[])[0]?.text ?? "";
    if (result.isError === true) throw new Error(`${name} failed: ${text}`);
    const structured = result.structuredContent as Structured;
    results.set(name, { structured, text });
    return structured;
  };
  const user = `alice-${tag}`;

  // Memories: add in both forms, then read, change and rate them.
  const direct = await call("create_a_mem_0_memory", {
    text: "I'm vegetarian and allergic to peanuts.",
    user_id: user,
    infer: false,
  });
  const queued = await call("create_a_mem_0_memory", {
    messages: [{ role: "user", content: "I love hiking in the Alps." }],
    user_id: user,
  });
  await call("get_single_mem_0_event_by_id", { id: queued.event_id, wait_seconds: 10 });
  await call("list_all_mem_0_events", {});
  const listed = await call("list_all_mem_0_memories", { filters: { user_id: user } });
  const [first, second] = listed.results as { id: string }[];
  if (first === undefined || second === undefined) throw new Error(`expected two memories: ${direct.status}`);
  await call("mem_0_memories_search", { query: "what food", filters: { user_id: user } });
  await call("get_single_mem_0_memory_by_id", { id: first.id });
  await call("update_a_mem_0_memory_by_id", { id: first.id, text: "Alice is vegan.", expiration_date: null });
  await call("list_all_mem_0_memory_history", { memory_id: first.id });
  await call("mem_0_memories_feedback", { memory_id: first.id, feedback: null, feedback_reason: null });
  await call("mem_0_memories_bulk_update", {
    memories: [{ memory_id: first.id, text: "Alice eats plants." }],
  });
  await call("create_a_mem_0_export", {
    schema: { type: "object", properties: { food: { type: "string" } } },
    filters: { AND: [{ user_id: user }] },
  });
  await call("list_all_mem_0_entities", {});
  await call("get_single_mem_0_entity_by_id", { entity_type: "user", id: user });
  await call("list_all_mem_0_stats", {});

  // Organizations and projects, on records created for the purpose.
  await call("list_all_mem_0_organizations", {});
  await call("get_single_mem_0_organization_by_id", {});
  const org = await call("create_a_mem_0_organization", { name: `Org ${tag}` });
  await call("list_all_mem_0_organization_members", {});
  const email = `member-${tag}@example.com`;
  await call("create_a_mem_0_organization_member", { email, role: "READER" });
  await call("update_a_mem_0_organization_member_by_id", { email, role: "OWNER" });
  await call("delete_a_mem_0_organization_member_by_id", { email });
  await call("list_all_mem_0_projects", {});
  await call("get_single_mem_0_project_by_id", {});
  await call("update_a_mem_0_project_by_id", { description: `Updated by ${tag}` });
  await call("list_all_mem_0_project_members", {});
  await call("create_a_mem_0_project_member", { email, role: "READER" });
  await call("update_a_mem_0_project_member_by_id", { email, role: "OWNER" });
  await call("delete_a_mem_0_project_member_by_id", { email });
  const project = await call("create_a_mem_0_project", { name: `Project ${tag}` });
  await call("delete_a_mem_0_project_by_id", { id: project.project_id });
  await call("delete_a_mem_0_organization_by_id", { id: org.org_id });

  // Webhooks, pointed at a loopback port nothing listens on.
  const hook = await call("create_a_mem_0_webhook", {
    name: `Hook ${tag}`,
    url: "http://127.0.0.1:9/hook",
    event_types: ["memory_add"],
    is_active: false,
  });
  await call("list_all_mem_0_webhooks", {});
  await call("update_a_mem_0_webhook_by_id", { id: hook.webhook_id, name: `Renamed ${tag}` });
  await call("delete_a_mem_0_webhook_by_id", { id: hook.webhook_id });

  // The connection check, entity registration and the entity directory's readers.
  await call("mem_0_account_ping", {});
  await call("create_a_mem_0_user", { user_id: `dana-${tag}`, metadata: { plan: "pro" } });
  await call("create_a_mem_0_agent", { agent_id: `bot-${tag}`, name: "Travel bot" });
  await call("create_a_mem_0_app", { app_id: `app-${tag}`, name: "Support app" });
  await call("create_a_mem_0_run", { run_id: `run-${tag}`, name: "Session" });
  await call("list_all_mem_0_entity_filters", {});
  await call("list_all_mem_0_entity_memories", { entity_type: "user", entity_id: user });
  await call("list_all_mem_0_memory_events", { limit: 20 });

  // Dream: reflection on, then twenty memories of one user make a run with a synthesized pattern.
  await call("update_a_mem_0_dream_config_by_id", { reflection_enabled: true });
  await call("get_single_mem_0_dream_config_by_id", {});
  await call("create_a_mem_0_memory", {
    messages: Array.from({ length: 20 }, (_, i) => ({ role: "user", content: `Erin fact ${i + 1}.` })),
    user_id: `erin-${tag}`,
    infer: false,
  });
  await call("mem_0_dream_preview", {});
  const dreamRuns = await call("list_all_mem_0_dream_runs", { limit: 1 });
  const [dreamRun] = dreamRuns.results as { run_id: string }[];
  if (dreamRun === undefined) throw new Error("expected a Dream run");
  const runMemories = await call("list_all_mem_0_dream_run_memories", { run_id: dreamRun.run_id });
  const [pattern] = runMemories.results as { id: string }[];
  if (pattern === undefined) throw new Error("expected a synthesized pattern");
  await call("list_all_mem_0_dream_memory_sources", { memory_id: pattern.id });
  await call("list_all_mem_0_dream_stats", {});
  await call("list_all_mem_0_dream_activity", { limit: 10 });

  // Profiles: a schema, a job that builds one user's profile, then the job and the profile.
  await call("update_a_mem_0_profile_settings_by_id", {
    enabled: true,
    entities: {
      user: {
        schema: {
          type: "object",
          properties: { diet: { type: "string", description: "What the user eats or avoids." } },
        },
      },
    },
  });
  await call("get_single_mem_0_profile_settings_by_id", {});
  const job = await call("create_a_mem_0_profile_job", {
    idempotency_key: `output-schemas-${tag}`,
    operation: "trigger",
    entity_type: "user",
    entity_id: user,
  });
  await call("get_single_mem_0_event_by_id", { id: job.event_id, wait_seconds: 10 });
  await call("get_single_mem_0_profile_job_by_id", { id: job.job_id });
  await call("get_single_mem_0_profile_by_id", { entity_type: "user", id: user });

  // Deletes last.
  await call("delete_a_mem_0_memory_by_id", { id: second.id });
  await call("mem_0_memories_bulk_delete", { memories: [{ memory_id: first.id }] });
  await call("mem_0_memories_delete_all", { user_id: user });
  await call("delete_a_mem_0_entity_by_id", { entity_type: "user", id: user });
  return results;
}

describe.each(ERAS)("output schemas in the %s era", (era: Era) => {
  it("every tool with an output schema answers structuredContent that matches it", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), era);
    try {
      const schemas = await listedOutputSchemas(client);
      // The same schemas in either era, whether the gateway answered tools/list itself or through the SDK.
      const declared = allTools(mem0).flatMap((tool) =>
        tool.outputSchema === undefined ? [] : [[tool.name, tool.outputSchema] as const],
      );
      expect(Object.fromEntries(schemas)).toEqual(Object.fromEntries(declared));
      expect(schemas.size).toBeGreaterThan(30);
      const results = await callEveryToolWithAnOutputSchema(client, era.replaceAll("-", ""));
      expect([...results.keys()].sort()).toEqual([...schemas.keys()].sort());
      for (const [name, { structured, text }] of results) {
        const schema = schemas.get(name);
        if (schema === undefined) throw new Error(`${name} has no output schema`);
        const validate = ajv.compile(schema);
        expect(validate(structured), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        // The text is the upstream's JSON; structuredContent is the same value, an array wrapped as {result}.
        const parsed = JSON.parse(text) as unknown;
        expect(structured, name).toEqual(Array.isArray(parsed) ? { result: parsed } : parsed);
      }
    } finally {
      await client.close();
    }
  });
});

describe("plain text on memory add, end to end", () => {
  it("stores one string as one user message, and refuses both forms or neither before calling Mem0", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), "2025-11-25");
    try {
      const added = await client.callTool({
        name: "create_a_mem_0_memory",
        arguments: { text: "My favourite colour is green.", user_id: "text-user", infer: false },
      });
      expect(added.isError ?? false).toBe(false);
      expect(added.structuredContent).toMatchObject({ status: "SUCCEEDED" });
      const listed = await client.callTool({
        name: "list_all_mem_0_memories",
        arguments: { filters: { user_id: "text-user" } },
      });
      const memories = (listed.structuredContent as Structured).results as Structured[];
      expect(memories.map((memory) => memory.memory)).toEqual(["My favourite colour is green."]);
      const history = await client.callTool({
        name: "list_all_mem_0_memory_history",
        arguments: { memory_id: memories[0]?.id },
      });
      const entries = (history.structuredContent as Structured).result as Structured[];
      expect(entries[0]?.input).toEqual([{ role: "user", content: "My favourite colour is green." }]);

      const before = gateway.sandbox.requestCount();
      const both = await client.callTool({
        name: "create_a_mem_0_memory",
        arguments: { text: "x", messages: [{ role: "user", content: "x" }], user_id: "text-user" },
      });
      expect(both.isError).toBe(true);
      expect(JSON.stringify(both.content)).toContain("give only one of messages and text, not both");
      const neither = await client.callTool({
        name: "create_a_mem_0_memory",
        arguments: { user_id: "text-user" },
      });
      expect(neither.isError).toBe(true);
      expect(JSON.stringify(neither.content)).toContain("give one of messages or text (exactly one)");
      expect(gateway.sandbox.requestCount()).toBe(before);
    } finally {
      await client.close();
    }
  });
});

describe("null where Mem0 gives it a meaning, end to end", () => {
  it("clears an expiration date and a rating with null", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), "2026-07-28");
    try {
      const call = async (name: string, args: Record<string, unknown>): Promise<Structured> => {
        const result = await client.callTool({ name, arguments: args });
        expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
        return result.structuredContent as Structured;
      };
      await call("create_a_mem_0_memory", {
        text: "Alice is in Lisbon this week.",
        user_id: "null-user",
        infer: false,
        expiration_date: "2099-01-01",
      });
      const listed = await call("list_all_mem_0_memories", { filters: { user_id: "null-user" } });
      const id = (listed.results as Structured[])[0]?.id as string;
      expect((await call("get_single_mem_0_memory_by_id", { id })).expiration_date).toBe("2099-01-01");
      await call("update_a_mem_0_memory_by_id", { id, expiration_date: null });
      expect((await call("get_single_mem_0_memory_by_id", { id })).expiration_date).toBeNull();

      expect(await call("mem_0_memories_feedback", { memory_id: id, feedback: "POSITIVE" })).toMatchObject({
        feedback: "POSITIVE",
      });
      expect(
        await call("mem_0_memories_feedback", { memory_id: id, feedback: null, feedback_reason: null }),
      ).toMatchObject({ feedback: null, feedback_reason: null });
    } finally {
      await client.close();
    }
  });
});

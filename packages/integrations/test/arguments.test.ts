import { describe, expect, it } from "vitest";
import { checkArguments, findTool, mem0, splitArguments, type Tool } from "../src/index.js";
import { notesIntegration } from "./support/notes-integration.js";

function tool(integration: typeof mem0, name: string): Tool {
  const found = findTool(integration, name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

const search = tool(mem0, "mem_0_memories_search");
const context = { org_id: "org_1", project_id: "proj_1" };
const memoryId = "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b";

function refusal(target: Tool, args: unknown): string {
  const result = checkArguments(target, args);
  if (result.ok) throw new Error("expected a refusal");
  return result.message;
}

describe("argument validation", () => {
  it("tells a model that put user_id at the top level of search where it belongs", () => {
    const message = refusal(search, { query: "diet", user_id: "usr-123" });
    expect(message).toContain('put user_id inside filters, {"filters":{"user_id":"usr-123"}}');
    expect(message).not.toContain('unknown argument "user_id"');
    expect(message).not.toContain('missing required argument "filters"');
  });

  it("names a missing required argument with its type", () => {
    expect(refusal(search, { filters: { user_id: "u" } })).toContain(
      'missing required argument "query" (string)',
    );
  });

  it("names unknown arguments and lists the accepted ones", () => {
    const message = refusal(tool(mem0, "get_single_mem_0_memory_by_id"), { id: memoryId, verbose: true });
    expect(message).toContain('unknown argument "verbose"; accepted: id');
  });

  it("names nested fields and the expected type", () => {
    const message = refusal(tool(mem0, "mem_0_memories_bulk_update"), {
      memories: [{ memory_id: memoryId, text: 5 }],
    });
    expect(message).toContain('"memories.0.text" must be string, got a number');
  });

  it("refuses filters that scope no entity, showing the corrected shape", () => {
    const message = refusal(search, { query: "diet", filters: { categories: { in: ["food"] } } });
    expect(message).toContain("filters must name at least one of user_id, agent_id, app_id, run_id");
  });

  it("requires one entity id on add and shows a valid call", () => {
    const message = refusal(tool(mem0, "create_a_mem_0_memory"), {
      messages: [{ role: "user", content: "hi" }],
    });
    expect(message).toContain("give at least one of user_id, agent_id, app_id, run_id");
    expect(message).toContain("Example of a valid call:");
  });

  it("bounds the event wait", () => {
    const message = refusal(tool(mem0, "get_single_mem_0_event_by_id"), { id: memoryId, wait_seconds: 60 });
    expect(message).toContain('"wait_seconds" must be <= 25');
  });

  it("spells out union types and accepts null where the upstream allows it", () => {
    const update = tool(mem0, "update_a_mem_0_memory_by_id");
    expect(refusal(update, { id: memoryId, expiration_date: 5 })).toContain(
      '"expiration_date" must be string or null, got a number',
    );
    expect(checkArguments(update, { id: memoryId, expiration_date: null }).ok).toBe(true);
    expect(refusal(update, { id: memoryId, expiration_date: "next week" })).toContain(
      'must match format "date"',
    );
  });

  it("accepts and refuses the same values through the portable anyOf spellings as through type lists", () => {
    const feedback = tool(mem0, "mem_0_memories_feedback");
    expect(checkArguments(feedback, { memory_id: memoryId, feedback: null, feedback_reason: null }).ok).toBe(
      true,
    );
    expect(refusal(feedback, { memory_id: memoryId, feedback: "GOOD" })).toContain(
      '"feedback" must be one of ["POSITIVE","NEGATIVE","VERY_NEGATIVE"], got "GOOD" (or else null)',
    );
    expect(refusal(feedback, { memory_id: memoryId, feedback_reason: 3 })).toContain(
      '"feedback_reason" must be string or null, got a number',
    );
    const webhook = tool(mem0, "delete_a_mem_0_webhook_by_id");
    expect(checkArguments(webhook, { id: 42 }).ok).toBe(true);
    expect(checkArguments(webhook, { id: "42" }).ok).toBe(true);
    expect(refusal(webhook, { id: "" })).toContain(
      '"id" must NOT have fewer than 1 characters (or else integer)',
    );
    expect(refusal(webhook, { id: 4.5 })).toContain('"id" must be string or integer, got a number');
    const add = tool(mem0, "create_a_mem_0_memory");
    const image = { type: "image_url", image_url: { url: "https://example.com/a.png" } };
    expect(checkArguments(add, { messages: [{ role: "user", content: image }], user_id: "alice" }).ok).toBe(
      true,
    );
    expect(refusal(add, { messages: [{ role: "user", content: 7 }], user_id: "alice" })).toContain(
      '"messages.0.content" must be string or object, got a number',
    );
  });

  it("refuses a non-object", () => {
    expect(refusal(search, ["x"])).toContain("arguments must be a JSON object, got an array");
  });

  it("treats missing arguments as an empty object", () => {
    expect(checkArguments(tool(mem0, "list_all_mem_0_stats"), undefined)).toEqual({ ok: true, args: {} });
  });
});

describe("plain text on memory add", () => {
  const add = tool(mem0, "create_a_mem_0_memory");
  const messages = [{ role: "user", content: "I'm vegetarian." }];

  it("sends one string as one user message", () => {
    const checked = checkArguments(add, { text: "I'm vegetarian.", user_id: "alice", infer: false });
    expect(checked.ok).toBe(true);
    expect(splitArguments(add.http, { text: "I'm vegetarian.", user_id: "alice" }, context)).toEqual({
      path: "/v3/memories/add/",
      query: [],
      body: { messages, user_id: "alice" },
      headers: {},
    });
  });

  it("keeps the full messages form", () => {
    expect(checkArguments(add, { messages, user_id: "alice" }).ok).toBe(true);
    expect(splitArguments(add.http, { messages, user_id: "alice" }, context).body).toEqual({
      messages,
      user_id: "alice",
    });
  });

  it("refuses both forms at once, and neither, saying which to give", () => {
    expect(refusal(add, { messages, text: "I'm vegetarian.", user_id: "alice" })).toContain(
      "give only one of messages and text, not both",
    );
    expect(refusal(add, { user_id: "alice" })).toContain("give one of messages or text (exactly one)");
    expect(refusal(add, { text: "", user_id: "alice" })).toContain(
      '"text" must NOT have fewer than 1 characters',
    );
  });

  it("says in its description that exactly one form is required", () => {
    expect(add.description).toContain(
      "Required: at least one of user_id, agent_id, app_id, run_id; plus exactly one of messages, text.",
    );
    expect(add.inputSchema.required ?? []).not.toContain("messages");
  });
});

describe("argument splitting", () => {
  it("sends an explicit null, which Mem0 reads as clearing the value", () => {
    const update = tool(mem0, "update_a_mem_0_memory_by_id");
    expect(splitArguments(update.http, { id: memoryId, expiration_date: null }, context).body).toEqual({
      expiration_date: null,
    });
    const feedback = tool(mem0, "mem_0_memories_feedback");
    expect(
      splitArguments(feedback.http, { memory_id: memoryId, feedback: null, feedback_reason: null }, context)
        .body,
    ).toEqual({ memory_id: memoryId, feedback: null, feedback_reason: null });
  });

  it("sends list filters in the body and pagination in the query", () => {
    const list = tool(mem0, "list_all_mem_0_memories");
    expect(
      splitArguments(list.http, { filters: { user_id: "alice" }, page: 2, page_size: 10 }, context),
    ).toEqual({
      path: "/v3/memories/",
      query: [
        ["page", "2"],
        ["page_size", "10"],
      ],
      body: { filters: { user_id: "alice" } },
      headers: {},
    });
  });

  it("fills the path from the id argument and the account context", () => {
    const memory = tool(mem0, "delete_a_mem_0_memory_by_id");
    expect(splitArguments(memory.http, { id: memoryId, delete_linked: true }, context)).toEqual({
      path: `/v1/memories/${memoryId}/`,
      query: [["delete_linked", "true"]],
      body: undefined,
      headers: {},
    });
    const member = tool(mem0, "delete_a_mem_0_project_member_by_id");
    expect(splitArguments(member.http, { email: "a@b.co" }, context)).toEqual({
      path: "/api/v1/orgs/organizations/org_1/projects/proj_1/members/",
      query: [["email", "a@b.co"]],
      body: undefined,
      headers: {},
    });
  });

  it("sends an empty JSON body when a body method gets only optional arguments", () => {
    const create = tool(mem0, "list_all_mem_0_stats");
    expect(splitArguments(create.http, {}, context).body).toBeUndefined();
    const project = tool(mem0, "create_a_mem_0_project");
    expect(splitArguments(project.http, { name: "x" }, context)).toMatchObject({ body: { name: "x" } });
  });

  it("keeps the polling argument off the wire", () => {
    const event = tool(mem0, "get_single_mem_0_event_by_id");
    expect(splitArguments(event.http, { id: memoryId, wait_seconds: 5 }, context)).toEqual({
      path: `/v1/event/${memoryId}/`,
      query: [],
      body: undefined,
      headers: {},
    });
  });

  it("renames, repeats and encodes query values, escapes path values and adds context to the body", () => {
    const list = tool(notesIntegration, "list_all_notes_2_go_notes");
    expect(
      splitArguments(list.http, { tag: ["a", "b"], cursor: "c1", where: { x: 1 } }, { workspace: "w 1" }),
    ).toEqual({
      path: "/workspaces/w%201/notes",
      query: [
        ["tag", "a"],
        ["tag", "b"],
        ["next_cursor", "c1"],
        ["where", '{"x":1}'],
      ],
      body: undefined,
      headers: {},
    });
    const update = tool(notesIntegration, "update_a_notes_2_go_note_by_id");
    expect(
      splitArguments(update.http, { id: "n 1?#", title: "T", dry_run: false }, { workspace: "w1" }),
    ).toEqual({
      path: "/notes/n%201%3F%23",
      query: [["dry_run", "false"]],
      body: { title: "T", workspace_id: "w1" },
      headers: {},
    });
  });

  it("sends a header argument as a header under its wire name, never in the body", () => {
    const job = tool(mem0, "create_a_mem_0_profile_job");
    const key = "3f9c1e52-7a4b-4d2e-9b1a-6c8d0e2f4a61";
    expect(
      splitArguments(
        job.http,
        { idempotency_key: key, operation: "trigger", entity_type: "user", entity_id: "alice" },
        context,
      ),
    ).toEqual({
      path: "/v2/profiles/jobs/",
      query: [],
      body: { operation: "trigger", entity_type: "user", entity_id: "alice" },
      headers: { "idempotency-key": key },
    });
  });

  it("wraps a root-array body as one argument and unwraps it on the wire", () => {
    const importer = tool(notesIntegration, "notes_2_go_notes_import");
    expect(importer.inputSchema).toMatchObject({ type: "object", properties: { body: { type: "array" } } });
    expect(splitArguments(importer.http, { body: [{ title: "One" }] }, { workspace: "w1" }).body).toEqual([
      { title: "One" },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import {
  allTools,
  catalogueSummary,
  checkArguments,
  checkSchema,
  getIntegration,
  integrationNames,
  isValidToolName,
  mem0,
  toolset,
} from "../src/index.js";

const tools = allTools(mem0);
const names = tools.map((tool) => tool.name);

describe("the Mem0 catalogue", () => {
  it("is registered under its name", () => {
    expect(integrationNames).toContain("mem0");
    expect(getIntegration("mem0")).toBe(mem0);
    expect(getIntegration("toString")).toBeUndefined();
  });

  it("includes the tools the product is known by", () => {
    expect(names).toEqual(
      expect.arrayContaining([
        "list_all_mem_0_memories",
        "list_all_mem_0_memory_history",
        "create_a_mem_0_memory",
        "get_single_mem_0_event_by_id",
        "mem_0_memories_search",
        "create_a_mem_0_export",
        "list_all_mem_0_projects",
      ]),
    );
  });

  it("covers every current Platform endpoint family", () => {
    expect(names).toEqual(
      expect.arrayContaining([
        "get_single_mem_0_memory_by_id",
        "update_a_mem_0_memory_by_id",
        "delete_a_mem_0_memory_by_id",
        "mem_0_memories_bulk_update",
        "mem_0_memories_bulk_delete",
        "mem_0_memories_delete_all",
        "list_all_mem_0_events",
        "get_single_mem_0_export_by_id",
        "list_all_mem_0_entities",
        "get_single_mem_0_entity_by_id",
        "delete_a_mem_0_entity_by_id",
        "mem_0_memories_summary",
        "mem_0_memories_feedback",
        "list_all_mem_0_stats",
        "list_all_mem_0_organizations",
        "list_all_mem_0_organization_members",
        "list_all_mem_0_project_members",
        "list_all_mem_0_webhooks",
        "create_a_mem_0_webhook",
        "update_a_mem_0_webhook_by_id",
        "delete_a_mem_0_webhook_by_id",
      ]),
    );
  });

  it("gives every tool a valid, unique name in sorted order", () => {
    for (const name of names) expect(isValidToolName(name), name).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort());
    expect(allTools(mem0).map((tool) => tool.name)).toEqual(names);
  });

  it("carries the required resource and method tags", () => {
    const tags = catalogueSummary(mem0).tags;
    for (const tag of [
      "memories",
      "events",
      "exports",
      "entities",
      "projects",
      "organizations",
      "webhooks",
      "destructive",
    ]) {
      expect(tags).toContain(tag);
    }
    for (const tool of tools.filter((t) => t.method === "delete")) expect(tool.tags).toContain("destructive");
  });

  it.each(tools.map((tool) => [tool.name, tool] as const))(
    "%s has a valid schema, title and annotations",
    (_n, tool) => {
      expect(checkSchema(tool.inputSchema)).toEqual({ ok: true });
      if (tool.outputSchema !== undefined) {
        expect(checkSchema(tool.outputSchema)).toEqual({ ok: true });
        expect(tool.outputSchema.type).toBe("object");
      }
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.title.length).toBeGreaterThan(0);
      expect(tool.annotations.title).toBe(tool.title);
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
        expect(typeof tool.annotations[hint]).toBe("boolean");
      }
      expect(tool.description).toMatch(/\n\nReturns: .+\nRequired: .+\.$/);
    },
  );

  it.each(tools.map((tool) => [tool.name, tool] as const))(
    "%s accepts its documented example",
    (_n, tool) => {
      expect(checkArguments(tool, tool.example)).toEqual({ ok: true, args: tool.example });
    },
  );

  it("declares the answer's shape for every tool whose answer Mem0 documents", () => {
    const without = tools.filter((tool) => tool.outputSchema === undefined).map((tool) => tool.name);
    // An export's content has the shape of the schema the caller gave when creating it; Mem0 documents the
    // summary only as "an array", with no shape for its items.
    expect([...without].sort()).toEqual(["get_single_mem_0_export_by_id", "mem_0_memories_summary"]);
  });

  it("never asks the model for org_id or project_id", () => {
    for (const tool of tools) {
      expect(Object.keys(tool.inputSchema.properties)).not.toContain("org_id");
      expect(Object.keys(tool.inputSchema.properties)).not.toContain("project_id");
      expect(tool.inputSchema.properties.org_id).toBeUndefined();
    }
  });

  it("marks reads read-only and deletes destructive", () => {
    for (const tool of toolset(mem0, { methods: ["read"] })) expect(tool.annotations.readOnlyHint).toBe(true);
    for (const tool of toolset(mem0, { tags: ["destructive"] })) {
      expect(tool.annotations.readOnlyHint).toBe(false);
      expect(tool.annotations.destructiveHint).toBe(true);
    }
    const search = tools.find((tool) => tool.name === "mem_0_memories_search");
    expect(search?.annotations.readOnlyHint).toBe(true);
  });

  it("explains the async add pipeline and the nesting rule where a model reads them", () => {
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const add = byName.get("create_a_mem_0_memory")?.description ?? "";
    expect(add).toContain("event_id");
    expect(add).toContain("get_single_mem_0_event_by_id");
    expect(add).toMatch(/lag/);
    for (const name of ["list_all_mem_0_memories", "mem_0_memories_search"]) {
      expect(byName.get(name)?.description).toContain('{"filters": {"user_id": "alice"}}');
    }
  });

  it("offers a bounded wait only on the get-event tool", () => {
    const waiting = tools.filter((tool) => "wait_seconds" in tool.inputSchema.properties);
    expect(waiting.map((tool) => tool.name)).toEqual(["get_single_mem_0_event_by_id"]);
    expect(waiting[0]?.inputSchema.properties.wait_seconds).toMatchObject({ maximum: 25, minimum: 0 });
  });

  it("summarizes resources, filter values and tool names for the admin API", () => {
    const summary = catalogueSummary(mem0);
    expect(summary.integration).toBe("mem0");
    expect(summary.tools).toEqual(names);
    expect(summary.methods.slice(0, 3)).toEqual(["read", "write", "custom"]);
    expect(summary.methods).toContain("search");
    const memories = summary.resources.find((resource) => resource.name === "memories");
    expect(memories?.methods.map((m) => m.method)).toContain("search");
    expect(summary.resources.flatMap((resource) => resource.methods).length).toBe(names.length);
  });
});

import { describe, expect, it } from "vitest";
import { mem0, toolset, validateToolFilter } from "../src/index.js";
import { notesIntegration } from "./support/notes-integration.js";

const names = (filter: { methods?: string[]; tags?: string[] }): string[] =>
  toolset(mem0, filter).map((tool) => tool.name);

describe("toolset for Mem0", () => {
  it.each([
    [
      { methods: ["read"], tags: ["memories"] },
      [
        "get_single_mem_0_memory_by_id",
        "list_all_mem_0_dream_memory_sources",
        "list_all_mem_0_entity_memories",
        "list_all_mem_0_memories",
        "list_all_mem_0_memory_events",
        "list_all_mem_0_memory_history",
      ],
    ],
    [
      { methods: ["custom"], tags: ["memories"] },
      [
        "mem_0_memories_bulk_delete",
        "mem_0_memories_bulk_update",
        "mem_0_memories_delete_all",
        "mem_0_memories_feedback",
        "mem_0_memories_search",
        "mem_0_memories_summary",
      ],
    ],
    [{ methods: ["search"] }, ["mem_0_memories_search"]],
    [{ methods: ["get"], tags: ["events"] }, ["get_single_mem_0_event_by_id"]],
    [
      { methods: ["read"], tags: ["events", "exports"] },
      ["get_single_mem_0_event_by_id", "get_single_mem_0_export_by_id", "list_all_mem_0_events"],
    ],
    [
      { methods: ["write"], tags: ["webhooks"] },
      ["create_a_mem_0_webhook", "delete_a_mem_0_webhook_by_id", "update_a_mem_0_webhook_by_id"],
    ],
    [
      { methods: ["delete", "delete_all", "bulk_delete"], tags: ["memories"] },
      ["delete_a_mem_0_memory_by_id", "mem_0_memories_bulk_delete", "mem_0_memories_delete_all"],
    ],
    [{ tags: ["exports"] }, ["create_a_mem_0_export", "get_single_mem_0_export_by_id"]],
    [
      { methods: ["create"], tags: ["projects"] },
      ["create_a_mem_0_project", "create_a_mem_0_project_member"],
    ],
    [
      { methods: ["list"], tags: ["members"] },
      ["list_all_mem_0_organization_members", "list_all_mem_0_project_members"],
    ],
  ])("config %j exposes exactly %j", (filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });

  it("exposes everything when the filter is missing or empty", () => {
    expect(names({})).toHaveLength(62);
    expect(names({ methods: [], tags: [] })).toEqual(names({}));
  });

  it("never exposes a destructive tool under a read filter", () => {
    expect(toolset(mem0, { methods: ["read"], tags: ["destructive"] })).toEqual([]);
  });
});

describe("validateToolFilter", () => {
  it("accepts a filter that selects tools and returns them", () => {
    const check = validateToolFilter(mem0, { methods: ["read"], tags: ["memories"] });
    expect(check.ok && check.tools.map((tool) => tool.name)).toContain("list_all_mem_0_memories");
  });

  it("refuses unknown methods with the valid ones", () => {
    const check = validateToolFilter(mem0, { methods: ["read", "readonly"] });
    expect(check).toMatchObject({ ok: false, reason: "unknown_methods" });
    if (!check.ok) {
      expect(check.message).toContain("readonly");
      expect(check.valid).toEqual(expect.arrayContaining(["read", "write", "custom", "search", "list"]));
    }
  });

  it("refuses unknown tags with the valid ones", () => {
    const check = validateToolFilter(mem0, { tags: ["crm"] });
    expect(check).toMatchObject({ ok: false, reason: "unknown_tags" });
    if (!check.ok) expect(check.valid).toEqual(expect.arrayContaining(["memories", "events", "webhooks"]));
  });

  it("refuses valid values that select no tool, naming the tags that would work", () => {
    const check = validateToolFilter(mem0, { methods: ["search"], tags: ["webhooks"] });
    expect(check).toMatchObject({ ok: false, reason: "no_tools", valid: ["memories", "search"] });
  });
});

describe("a second integration", () => {
  it("builds tools from its own folder of data, skipping methods without documentation", () => {
    expect(toolset(notesIntegration).map((tool) => tool.name)).toEqual([
      "list_all_notes_2_go_notes",
      "notes_2_go_notes_import",
      "update_a_notes_2_go_note_by_id",
    ]);
  });
});

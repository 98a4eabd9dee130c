import { describe, expect, it } from "vitest";
import { isValidToolName, toolName, toolSlug } from "../src/index.js";

const memories = { name: "memories", singular: "memory" };

describe("tool names", () => {
  it("snake-cases the integration the way Truto does, digits included", () => {
    expect(toolSlug("mem0")).toBe("mem_0");
    expect(toolSlug("HubSpot")).toBe("hub_spot");
    expect(toolSlug("google-drive")).toBe("google_drive");
  });

  it.each([
    ["list", "list_all_mem_0_memories"],
    ["get", "get_single_mem_0_memory_by_id"],
    ["create", "create_a_mem_0_memory"],
    ["update", "update_a_mem_0_memory_by_id"],
    ["delete", "delete_a_mem_0_memory_by_id"],
    ["search", "mem_0_memories_search"],
    ["bulk_delete", "mem_0_memories_bulk_delete"],
  ])("names %s %s", (method, expected) => {
    expect(toolName("mem0", memories, method)).toBe(expected);
  });

  it("accepts only names MCP clients accept", () => {
    expect(isValidToolName("list_all_mem_0_memories")).toBe(true);
    expect(isValidToolName("a-b_C9")).toBe(true);
    expect(isValidToolName("")).toBe(false);
    expect(isValidToolName("has space")).toBe(false);
    expect(isValidToolName("dotted.name")).toBe(false);
    expect(isValidToolName("x".repeat(65))).toBe(false);
  });
});

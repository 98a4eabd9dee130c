import { LIMITS } from "@mcp-gateway/core";
import { mem0, toolset } from "@mcp-gateway/integrations";
import { describe, expect, it } from "vitest";
import {
  discoveryToolDefinitions,
  searchTools,
  suggestToolNames,
  toolSchemas,
} from "../src/mcp/discovery-tools.js";

const tools = toolset(mem0);
const readTools = toolset(mem0, { methods: ["read"] });

describe("discovery tools", () => {
  it("finds tools by words, plural or singular, best match first", () => {
    expect(searchTools(tools, "search memories").tools[0]?.name).toBe("mem_0_memories_search");
    expect(searchTools(tools, "delete a project").tools[0]?.name).toBe("delete_a_mem_0_project_by_id");
    expect(searchTools(tools, "memory history").tools[0]?.name).toBe("list_all_mem_0_memory_history");
  });

  it("caps the number of hits and falls back to browsing when nothing matches", () => {
    expect(searchTools(tools, "memories", 2).tools).toHaveLength(2);
    expect(searchTools(tools, "memories", 1000).tools.length).toBeLessThanOrEqual(
      LIMITS.discoverySearchResultsMax,
    );
    const browse = searchTools(tools, "qqqzzz");
    expect(browse.matched).toBe(0);
    expect(browse.tools.length).toBeGreaterThan(0);
    expect(browse.next_step).toContain("Nothing matched");
  });

  it("searches only the URL's own tools", () => {
    const names = searchTools(readTools, "delete memory", 20).tools.map((tool) => tool.name);
    expect(names.some((name) => name.startsWith("delete_"))).toBe(false);
  });

  it("returns schemas for known names and suggestions for unknown ones", () => {
    const answer = toolSchemas(tools, ["get_single_mem_0_memory_by_id", "get_single_mem_0_memry_by_id"]);
    expect(answer.tools.map((tool) => tool.name)).toEqual(["get_single_mem_0_memory_by_id"]);
    expect(answer.not_found[0]?.did_you_mean[0]).toBe("get_single_mem_0_memory_by_id");
    expect(suggestToolNames(readTools, "create_a_mem_0_memory")).not.toContain("create_a_mem_0_memory");
  });

  it("lists three tools whose call_tool hints follow the URL's tools", () => {
    const all = discoveryToolDefinitions(tools);
    expect(all.map((tool) => tool.name)).toEqual(["search_tools", "get_tool_schema", "call_tool"]);
    expect(all[2]?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(discoveryToolDefinitions(readTools)[2]?.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    });
  });
});

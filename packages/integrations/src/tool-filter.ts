import type { ToolFilter } from "@mcp-gateway/core";
import {
  filterTools,
  methodFilterVocabulary,
  passesMethodFilter,
  tagFilterVocabulary,
  unknownFilterValues,
} from "@mcp-gateway/core";
import type { Integration } from "./format.js";
import { allTools, type Tool } from "./tool-builder.js";

export type ToolFilterCheck =
  | { ok: true; tools: Tool[] }
  | { ok: false; reason: "unknown_methods" | "unknown_tags" | "no_tools"; message: string; valid: string[] };

/** The values a methods or tags filter may hold for this integration. */
export function filterVocabulary(integration: Integration): { methods: string[]; tags: string[] } {
  const tools = allTools(integration);
  return { methods: methodFilterVocabulary(tools), tags: tagFilterVocabulary(tools) };
}

/**
 * Checks a filter before a server is minted: every value must mean something, and together they must
 * select at least one tool. Each refusal carries the values that would have been valid.
 */
export function validateToolFilter(integration: Integration, filter: ToolFilter): ToolFilterCheck {
  const vocabulary = filterVocabulary(integration);
  const unknown = unknownFilterValues(filter, vocabulary);
  if (unknown.methods.length > 0) {
    return {
      ok: false,
      reason: "unknown_methods",
      message: `Unknown methods for ${integration.name}: ${unknown.methods.join(", ")}. Valid values: ${vocabulary.methods.join(", ")}.`,
      valid: vocabulary.methods,
    };
  }
  if (unknown.tags.length > 0) {
    return {
      ok: false,
      reason: "unknown_tags",
      message: `Unknown tags for ${integration.name}: ${unknown.tags.join(", ")}. Valid values: ${vocabulary.tags.join(", ")}.`,
      valid: vocabulary.tags,
    };
  }
  const tools = filterTools(allTools(integration), filter);
  if (tools.length === 0) {
    // Methods and tags are each valid but never meet: say which tags the methods alone would allow.
    const reachableTags = tagFilterVocabulary(
      allTools(integration).filter((tool) => passesMethodFilter(tool.method, filter.methods)),
    );
    return {
      ok: false,
      reason: "no_tools",
      message: `No ${integration.name} tool matches methods [${(filter.methods ?? []).join(", ")}] AND tags [${(filter.tags ?? []).join(", ")}]. With these methods, valid tags are: ${reachableTags.join(", ")}.`,
      valid: reachableTags,
    };
  }
  return { ok: true, tools };
}

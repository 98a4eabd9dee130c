import type { Integration } from "./format.js";
import { allTools } from "./tool-builder.js";
import { filterVocabulary } from "./tool-filter.js";

export interface CatalogueSummary {
  readonly integration: string;
  readonly title: string;
  readonly resources: readonly {
    readonly name: string;
    readonly tags: readonly string[];
    readonly methods: readonly {
      readonly method: string;
      readonly tool: string;
      readonly tags: readonly string[];
    }[];
  }[];
  /** Values a methods filter accepts (groups first). */
  readonly methods: readonly string[];
  /** Values a tags filter accepts. */
  readonly tags: readonly string[];
  /** Every tool name, in the order tools/list gives them. */
  readonly tools: readonly string[];
}

/** What the admin API serves about an integration: resources, filter values and tool names. */
export function catalogueSummary(integration: Integration): CatalogueSummary {
  const tools = allTools(integration);
  const vocabulary = filterVocabulary(integration);
  return {
    integration: integration.name,
    title: integration.title,
    resources: integration.resources
      .map((resource) => ({
        name: resource.name,
        tags: resource.tags,
        methods: tools
          .filter((tool) => tool.resource === resource.name)
          .map((tool) => ({ method: tool.method, tool: tool.name, tags: tool.tags })),
      }))
      .filter((resource) => resource.methods.length > 0),
    methods: vocabulary.methods,
    tags: vocabulary.tags,
    tools: tools.map((tool) => tool.name),
  };
}

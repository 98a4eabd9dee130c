import { LIMITS } from "@mcp-gateway/core";
import { type McpToolDefinition, mcpToolDefinition, type Tool } from "@mcp-gateway/integrations";

/** The three tools a `tool_exposure: "discovery"` server lists instead of its real ones. */
export const DISCOVERY_TOOL_NAMES = ["search_tools", "get_tool_schema", "call_tool"] as const;
export type DiscoveryToolName = (typeof DISCOVERY_TOOL_NAMES)[number];

const SEARCH_DEFAULT_LIMIT = 10;

/** Whether a name is one of the discovery meta-tools. */
export function isDiscoveryToolName(name: string): name is DiscoveryToolName {
  return (DISCOVERY_TOOL_NAMES as readonly string[]).includes(name);
}

/** tools/list in discovery mode; call_tool's hints summarize what the hidden tools may do. */
export function discoveryToolDefinitions(tools: readonly Tool[]): McpToolDefinition[] {
  const allReadOnly = tools.every((tool) => tool.annotations.readOnlyHint);
  const anyDestructive = tools.some((tool) => tool.annotations.destructiveHint);
  const integrations = [...new Set(tools.map((tool) => tool.integration))].join(", ");
  return [
    {
      name: "search_tools",
      title: "Search tools",
      description: `Finds tools among the ${tools.length} ${integrations} tools this server offers, by words from their names, resources, tags, descriptions and argument names (e.g. "search memories", "delete project"). An empty or unmatched query lists tools to browse.\n\nReturns: tools (name, title, summary, read_only, destructive), matched, total_tools.\nRequired: query.`,
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "Words describing what you want to do." },
          limit: {
            type: "integer",
            minimum: 1,
            maximum: LIMITS.discoverySearchResultsMax,
            description: `How many tools to return, 1 to ${LIMITS.discoverySearchResultsMax} (default ${SEARCH_DEFAULT_LIMIT}).`,
          },
        },
        required: ["query"],
        additionalProperties: false,
      },
      annotations: hints("Search tools", true, false),
    },
    {
      name: "get_tool_schema",
      title: "Get tool schemas",
      description: `Shows the full description and input schema of 1 to ${LIMITS.discoverySchemaNamesMax} tools found with search_tools, so call_tool can be given valid arguments. Unknown names come back with suggestions.\n\nReturns: tools (name, title, description, inputSchema, outputSchema when the answer has a known shape, annotations) and not_found (name, did_you_mean).\nRequired: tool_names.`,
      inputSchema: {
        type: "object",
        properties: {
          tool_names: {
            type: "array",
            items: { type: "string" },
            minItems: 1,
            maxItems: LIMITS.discoverySchemaNamesMax,
            description: "Exact tool names from search_tools.",
          },
        },
        required: ["tool_names"],
        additionalProperties: false,
      },
      annotations: hints("Get tool schemas", true, false),
    },
    {
      name: "call_tool",
      title: "Call a tool",
      description:
        "Runs one tool found with search_tools, with arguments that match its schema from get_tool_schema.\n\nReturns: the tool's own result.\nRequired: tool_name; arguments as the tool's schema requires.",
      inputSchema: {
        type: "object",
        properties: {
          tool_name: { type: "string", description: "The exact tool name." },
          arguments: { type: "object", description: "The tool's arguments, as its schema describes." },
        },
        required: ["tool_name"],
        additionalProperties: false,
      },
      annotations: hints("Call a tool", allReadOnly, anyDestructive),
    },
  ];
}

function hints(title: string, readOnly: boolean, destructive: boolean): McpToolDefinition["annotations"] {
  return {
    title,
    readOnlyHint: readOnly,
    destructiveHint: destructive,
    idempotentHint: readOnly,
    openWorldHint: false,
  };
}

/** One search hit: enough to choose a tool, not its whole schema. */
export interface ToolSummary {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly read_only: boolean;
  readonly destructive: boolean;
}

/** search_tools' answer. */
export interface ToolSearchAnswer {
  readonly query: string;
  readonly matched: number;
  readonly total_tools: number;
  readonly tools: readonly ToolSummary[];
  readonly next_step: string;
}

/**
 * Lexical search over name, resource, method, tags, argument names and description. Words match on a light
 * stem or as a prefix, so "memory" finds "memories"; ties keep name order. No hit falls back to browsing.
 */
export function searchTools(
  tools: readonly Tool[],
  query: string,
  limit: number = SEARCH_DEFAULT_LIMIT,
): ToolSearchAnswer {
  const count = Math.min(Math.max(1, Math.trunc(limit)), LIMITS.discoverySearchResultsMax);
  const terms = words(query);
  const scored = tools
    .map((tool) => ({ tool, score: scoreTool(tool, terms) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || compareNames(a.tool.name, b.tool.name));
  const browsing = scored.length === 0;
  const chosen = browsing
    ? [...tools].sort((a, b) => compareNames(a.name, b.name))
    : scored.map((entry) => entry.tool);
  const nextStep =
    "Call get_tool_schema with up to 5 of these names to see their arguments, then run one with call_tool.";
  return {
    query,
    matched: scored.length,
    total_tools: tools.length,
    tools: chosen.slice(0, count).map(summarize),
    next_step: browsing
      ? `Nothing matched${terms.length > 0 ? ` "${query}"` : ""}, so these are the first tools by name; try words from these names. ${nextStep}`
      : nextStep,
  };
}

/** get_tool_schema's answer. */
export interface ToolSchemaAnswer {
  readonly tools: readonly McpToolDefinition[];
  readonly not_found: readonly { readonly name: string; readonly did_you_mean: readonly string[] }[];
}

/** The definitions of the named tools; unknown names get the closest real names as suggestions. */
export function toolSchemas(tools: readonly Tool[], names: readonly string[]): ToolSchemaAnswer {
  const found: McpToolDefinition[] = [];
  const missing: { name: string; did_you_mean: string[] }[] = [];
  for (const name of new Set(names)) {
    const tool = tools.find((candidate) => candidate.name === name);
    if (tool !== undefined) found.push(mcpToolDefinition(tool));
    else missing.push({ name, did_you_mean: suggestToolNames(tools, name) });
  }
  return { tools: found, not_found: missing };
}

/** Up to `max` real tool names closest to a mistyped one (edit distance, shared words first). */
export function suggestToolNames(tools: readonly Tool[], name: string, max = 3): string[] {
  const wanted = name.toLowerCase();
  const wantedWords = new Set(words(name));
  return tools
    .map((tool) => {
      const shared = words(tool.name).filter((word) => wantedWords.has(word)).length;
      return { name: tool.name, shared, distance: editDistance(wanted, tool.name) };
    })
    .sort((a, b) => b.shared - a.shared || a.distance - b.distance || compareNames(a.name, b.name))
    .slice(0, max)
    .map((entry) => entry.name);
}

function summarize(tool: Tool): ToolSummary {
  const firstSentence = tool.description.split(/(?<=\.)\s/)[0] ?? tool.description;
  return {
    name: tool.name,
    title: tool.title,
    summary: firstSentence.trim(),
    read_only: tool.annotations.readOnlyHint,
    destructive: tool.annotations.destructiveHint,
  };
}

// Where a word is found decides how much it counts: a hit in the name says more than one in the prose.
const FIELD_WEIGHTS = { name: 4, resource: 3, tags: 2, method: 2, arguments: 1, description: 1 } as const;

function scoreTool(tool: Tool, terms: readonly string[]): number {
  if (terms.length === 0) return 0;
  const fields: Record<keyof typeof FIELD_WEIGHTS, string[]> = {
    name: words(tool.name),
    resource: words(tool.resource),
    tags: tool.tags.flatMap(words),
    method: words(tool.method),
    arguments: Object.keys(tool.inputSchema.properties).flatMap(words),
    description: words(tool.description),
  };
  let score = 0;
  for (const term of terms) {
    for (const [field, fieldWords] of Object.entries(fields) as [keyof typeof FIELD_WEIGHTS, string[]][]) {
      if (fieldWords.some((word) => matches(word, term))) score += FIELD_WEIGHTS[field];
    }
  }
  return score;
}

function matches(word: string, term: string): boolean {
  return word === term || (term.length >= 3 && word.startsWith(term));
}

/** Lower-case stemmed words; "mem_0" and "mem0" both read as "mem0", plurals as singulars. */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/mem_0/g, "mem0")
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0)
    .map(stem);
}

function stem(word: string): string {
  if (word.length > 4 && word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

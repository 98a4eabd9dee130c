import type { ToolFilter } from "@mcp-gateway/core";
import { filterTools } from "@mcp-gateway/core";
import type {
  AuthScheme,
  HttpMapping,
  Integration,
  JsonSchema,
  PollingSpec,
  ResourceDefinition,
} from "./format.js";
import { buildInputSchema, type InputSchema } from "./input-schema.js";
import { assertPortableSchema } from "./schema-portability.js";
import { isValidToolName, toolName } from "./tool-names.js";
import { isDeclarableHeader } from "./upstream-header.js";

/** MCP tool annotations (hints only; clients must not rely on them for security). */
export interface ToolAnnotations {
  readonly title: string;
  readonly readOnlyHint: boolean;
  readonly destructiveHint: boolean;
  readonly idempotentHint: boolean;
  readonly openWorldHint: boolean;
}

/** One MCP tool: what tools/list shows, plus what the executor needs to call upstream. */
export interface Tool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: InputSchema;
  /** The shape of structuredContent on success, when the upstream documents one. */
  readonly outputSchema?: JsonSchema;
  readonly annotations: ToolAnnotations;
  readonly integration: string;
  readonly resource: string;
  readonly method: string;
  readonly tags: readonly string[];
  /** The documented example arguments. */
  readonly example: Readonly<Record<string, unknown>>;
  readonly http: HttpMapping;
  readonly polling?: PollingSpec;
  /** Where the integration lives and how it authenticates, so a tool can be executed on its own. */
  readonly upstream: { readonly defaultBaseUrl: string; readonly auth: AuthScheme };
}

const builtTools = new WeakMap<Integration, readonly Tool[]>();

/** Every tool of an integration (methods with a documentation record), sorted by name. */
export function allTools(integration: Integration): readonly Tool[] {
  let tools = builtTools.get(integration);
  if (tools === undefined) {
    tools = buildTools(integration);
    builtTools.set(integration, tools);
  }
  return tools;
}

/** The tools a server minted with this filter exposes: methods AND tags; missing or empty means everything. */
export function toolset(integration: Integration, filter: ToolFilter = {}): Tool[] {
  return filterTools(allTools(integration), filter);
}

/** The part of a tool that tools/list shows a client (no upstream mapping). */
export interface McpToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: InputSchema;
  readonly outputSchema?: JsonSchema;
  readonly annotations: ToolAnnotations;
}

/** A tool as an MCP client sees it in tools/list. */
export function mcpToolDefinition(tool: Tool): McpToolDefinition {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  return outputSchema === undefined
    ? { name, title, description, inputSchema, annotations }
    : { name, title, description, inputSchema, outputSchema, annotations };
}

/** Finds one tool by name among all tools of the integration. */
export function findTool(integration: Integration, name: string): Tool | undefined {
  return allTools(integration).find((tool) => tool.name === name);
}

function buildTools(integration: Integration): Tool[] {
  const tools: Tool[] = [];
  for (const resource of integration.resources) {
    for (const [method, definition] of Object.entries(resource.methods)) {
      const docs = definition.docs;
      if (docs === undefined) continue; // a method without documentation is not a tool (quality gate)
      const name = toolName(integration.name, resource, method);
      if (!isValidToolName(name)) throw new Error(`tool name "${name}" does not match the MCP name pattern`);
      for (const parameter of definition.http.parameters) {
        const header = parameter.wireName ?? parameter.name;
        if (parameter.in === "header" && !isDeclarableHeader(header))
          throw new Error(
            `${name}: "${header}" cannot be a header argument (not a token, or set by the gateway)`,
          );
      }
      const inputSchema = buildInputSchema(definition, docs, name);
      // Quality gate: a schema some clients cannot read never reaches tools/list.
      assertPortableSchema(inputSchema, `${name}: inputSchema`);
      const outputSchema = definition.output;
      if (outputSchema !== undefined) {
        // MCP: structuredContent is an object, so its schema is one (2025-era clients require type "object").
        if (outputSchema.type !== "object") throw new Error(`${name}: outputSchema must be an object schema`);
        assertPortableSchema(outputSchema, `${name}: outputSchema`);
      }
      tools.push({
        name,
        title: docs.title,
        description: composeDescription(docs.description, docs.returns, requirements(definition.http)),
        inputSchema,
        ...(outputSchema !== undefined ? { outputSchema } : {}),
        annotations: {
          title: docs.title,
          readOnlyHint: definition.hints.readOnly,
          destructiveHint: definition.hints.destructive,
          idempotentHint: definition.hints.idempotent,
          openWorldHint: definition.hints.openWorld ?? false,
        },
        integration: integration.name,
        resource: resource.name,
        method,
        tags: effectiveTags(resource, definition.tags),
        example: docs.example,
        http: definition.http,
        upstream: { defaultBaseUrl: integration.defaultBaseUrl, auth: integration.auth },
        ...(definition.polling !== undefined ? { polling: definition.polling } : {}),
      });
    }
  }
  tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < tools.length; i++) {
    if (tools[i]?.name === tools[i - 1]?.name) throw new Error(`duplicate tool name "${tools[i]?.name}"`);
  }
  return tools;
}

/** Resource tags plus method tags: a union, never an override. */
function effectiveTags(resource: ResourceDefinition, methodTags: readonly string[] | undefined): string[] {
  return [...new Set([...resource.tags, ...(methodTags ?? [])])];
}

function requirements(http: HttpMapping): string {
  const required = http.parameters.filter((parameter) => parameter.required === true).map((p) => p.name);
  const parts = required.length > 0 ? [required.join(", ")] : [];
  for (const group of http.requireOneOf ?? []) parts.push(`at least one of ${group.join(", ")}`);
  for (const group of http.requireExactlyOneOf ?? []) parts.push(`exactly one of ${group.join(", ")}`);
  return parts.length > 0 ? parts.join("; plus ") : "nothing (every argument is optional)";
}

function composeDescription(description: string, returns: string, required: string): string {
  return `${description.trim()}\n\nReturns: ${returns.trim()}\nRequired: ${required}.`;
}

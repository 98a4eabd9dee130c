import {
  describeScope,
  GatewayError,
  isScoped,
  methodValueMatches,
  passesTagFilter,
  sortedScope,
} from "@mcp-gateway/core";
import {
  type Integration,
  scopeProblem,
  splitByScope,
  type Tool,
  validateToolFilter,
} from "@mcp-gateway/integrations";
import type { McpServerConfig } from "@mcp-gateway/store";

/** The parts of a server config that decide its tools. */
export type ConfigSelection = Pick<McpServerConfig, "methods" | "tags" | "scope">;

/** Missing, null and {} all mean "not pinned"; a scope is kept with its keys sorted (one text per scope). */
export function scopeValues(
  scope: Record<string, string> | null | undefined,
): Record<string, string> | undefined {
  return scope === null || scope === undefined || Object.keys(scope).length === 0
    ? undefined
    : { ...sortedScope(scope) };
}

/**
 * The tools a config selects, and the ones its scope leaves out. Without a scope: the methods AND tags filter.
 * With one: only tools that can be confined to an entity remain, and a config is refused (400) when
 *   - a scope key is not one the integration pins (the valid keys are named),
 *   - a tag or method value it names selects only tools that cannot be confined: asking for webhooks on a URL
 *     pinned to one user is a contradiction, said out loud rather than minted empty-handed,
 *   - or nothing confinable is left at all.
 * Unconfinable tools merely swept in by a broad filter (methods ["read"], no filter) are left out silently here;
 * the mint answer lists them in `warnings`.
 */
export function selectTools(
  integration: Integration,
  config: ConfigSelection,
): { tools: Tool[]; leftOut: Tool[] } {
  const check = validateToolFilter(integration, { methods: config.methods, tags: config.tags });
  if (!check.ok)
    throw new GatewayError("validation_failed", check.message, { reason: check.reason, valid: check.valid });
  const scope = config.scope;
  if (!isScoped(scope)) return { tools: check.tools, leftOut: [] };
  const problem = scopeProblem(integration, scope);
  if (problem !== undefined) throw new GatewayError("validation_failed", `config.scope: ${problem}`);

  const { confinable, unconfinable } = splitByScope(integration, check.tools);
  const confinableNames = new Set(confinable.map((tool) => tool.name));
  const refused = new Set<string>();
  const onlyUnconfinable = (selected: Tool[]): boolean => {
    if (selected.length === 0 || selected.some((tool) => confinableNames.has(tool.name))) return false;
    for (const tool of selected) refused.add(tool.name);
    return true;
  };
  const tags = (config.tags ?? []).filter((tag) =>
    onlyUnconfinable(check.tools.filter((tool) => passesTagFilter(tool.tags, [tag]))),
  );
  const methods = (config.methods ?? []).filter((value) =>
    onlyUnconfinable(check.tools.filter((tool) => methodValueMatches(value, tool.method))),
  );
  if (refused.size === 0) for (const tool of unconfinable) refused.add(tool.name);
  if (tags.length > 0 || methods.length > 0 || confinable.length === 0) {
    const named = [
      ...(tags.length > 0 ? [`tags ${tags.join(", ")}`] : []),
      ...(methods.length > 0 ? [`methods ${methods.join(", ")}`] : []),
    ];
    const asked = named.length > 0 ? named.join(" and ") : "this methods and tags choice";
    throw new GatewayError(
      "validation_failed",
      `config.scope pins this URL to ${describeScope(scope)}, but ${asked} select only tools that cannot be confined to an entity ` +
        `(${[...refused].join(", ")}): leave them out of a scoped URL, or mint an unscoped URL for them`,
      { reason: "unconfinable_tools", tags, methods, tools: [...refused] },
    );
  }
  return { tools: confinable, leftOut: unconfinable };
}

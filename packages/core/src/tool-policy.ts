/**
 * Which tools an MCP server exposes: the method and tag filters signed into its URL.
 *
 * Methods: "read" = get + list, "write" = create + update + delete, "custom" = every other method,
 * any other value matches one method name exactly. Values combine as a union.
 * Tags: a tool passes when it shares at least one tag with the filter.
 * Both filters must pass (AND). A missing or empty filter lets everything through.
 */

/** The five methods every integration shares; anything else is a custom method. */
export const STANDARD_METHODS = ["list", "get", "create", "update", "delete"] as const;

export type StandardMethod = (typeof STANDARD_METHODS)[number];

/** The group names a methods filter accepts besides plain method names. */
export const METHOD_GROUPS = {
  read: ["get", "list"],
  write: ["create", "update", "delete"],
} as const satisfies Record<string, readonly StandardMethod[]>;

/** The value that selects every non-standard method. */
export const CUSTOM_METHOD_GROUP = "custom";

export type MethodGroup = keyof typeof METHOD_GROUPS | typeof CUSTOM_METHOD_GROUP;

/** A filter as stored in an MCP server's config and token. */
export interface ToolFilter {
  readonly methods?: readonly string[] | undefined;
  readonly tags?: readonly string[] | undefined;
}

/** The parts of a tool the filter looks at. */
export interface FilterableTool {
  readonly method: string;
  readonly tags: readonly string[];
}

/** True for get, list, create, update and delete. */
export function isStandardMethod(method: string): method is StandardMethod {
  return (STANDARD_METHODS as readonly string[]).includes(method);
}

/** The group a method belongs to: read, write or custom. */
export function methodGroupOf(method: string): MethodGroup {
  if ((METHOD_GROUPS.read as readonly string[]).includes(method)) return "read";
  if ((METHOD_GROUPS.write as readonly string[]).includes(method)) return "write";
  return CUSTOM_METHOD_GROUP;
}

/** True when one filter value (a group or an exact method name) selects the method. */
export function methodValueMatches(value: string, method: string): boolean {
  if (value === "read" || value === "write" || value === CUSTOM_METHOD_GROUP)
    return methodGroupOf(method) === value;
  return value === method;
}

/** True when the methods filter lets the method through. */
export function passesMethodFilter(method: string, methods: readonly string[] | undefined): boolean {
  if (methods === undefined || methods.length === 0) return true;
  return methods.some((value) => methodValueMatches(value, method));
}

/** True when the tags filter lets a tool with these tags through. */
export function passesTagFilter(toolTags: readonly string[], tags: readonly string[] | undefined): boolean {
  if (tags === undefined || tags.length === 0) return true;
  return tags.some((tag) => toolTags.includes(tag));
}

/** True when a tool passes both filters. */
export function passesToolFilter(tool: FilterableTool, filter: ToolFilter): boolean {
  return passesMethodFilter(tool.method, filter.methods) && passesTagFilter(tool.tags, filter.tags);
}

/** The tools that pass the filter, in their original order. */
export function filterTools<T extends FilterableTool>(tools: readonly T[], filter: ToolFilter): T[] {
  return tools.filter((tool) => passesToolFilter(tool, filter));
}

/** Every value a methods filter accepts for these tools: the three groups, then each method name once. */
export function methodFilterVocabulary(tools: readonly FilterableTool[]): string[] {
  const names = [...new Set(tools.map((tool) => tool.method))].sort();
  return [
    "read",
    "write",
    CUSTOM_METHOD_GROUP,
    ...names.filter((name) => !["read", "write", "custom"].includes(name)),
  ];
}

/** Every tag carried by at least one of these tools, sorted. */
export function tagFilterVocabulary(tools: readonly FilterableTool[]): string[] {
  return [...new Set(tools.flatMap((tool) => tool.tags))].sort();
}

/** Filter values that select nothing in this vocabulary (so an admin can be told the valid ones). */
export function unknownFilterValues(
  filter: ToolFilter,
  vocabulary: { readonly methods: readonly string[]; readonly tags: readonly string[] },
): { methods: string[]; tags: string[] } {
  return {
    methods: (filter.methods ?? []).filter((value) => !vocabulary.methods.includes(value)),
    tags: (filter.tags ?? []).filter((value) => !vocabulary.tags.includes(value)),
  };
}

/** Tool names follow Truto's convention, so a tool is called the same here as on Truto. */

/** MCP and most model APIs accept tool names of this shape only. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Snake-cases an integration name the way Truto does, digits included: "mem0" -> "mem_0". */
export function toolSlug(integrationName: string): string {
  return integrationName
    .replace(/([a-z])([A-Z0-9])/g, "$1_$2")
    .replace(/([0-9])([a-zA-Z])/g, "$1_$2")
    .replace(/[^a-zA-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** The tool name for one (resource, method); custom methods read "<slug>_<resource>_<method>". */
export function toolName(
  integrationName: string,
  resource: { readonly name: string; readonly singular: string },
  method: string,
): string {
  const slug = toolSlug(integrationName);
  switch (method) {
    case "list":
      return `list_all_${slug}_${resource.name}`;
    case "get":
      return `get_single_${slug}_${resource.singular}_by_id`;
    case "create":
      return `create_a_${slug}_${resource.singular}`;
    case "update":
      return `update_a_${slug}_${resource.singular}_by_id`;
    case "delete":
      return `delete_a_${slug}_${resource.singular}_by_id`;
    default:
      return `${slug}_${resource.name}_${method}`;
  }
}

/** True when a name is acceptable to MCP clients. */
export function isValidToolName(name: string): boolean {
  return TOOL_NAME_PATTERN.test(name);
}

import { LIMITS } from "@mcp-gateway/core";
import type { DocumentationRecord, JsonSchema, MethodDefinition } from "./format.js";

/** A tool's input schema: always one flat object, as MCP requires. */
export interface InputSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties: false;
  readonly [keyword: string]: unknown;
}

/**
 * Merges path, query and body arguments into one flat object schema. Each argument has exactly one
 * location, so the merge has no clashes; a root-array body is one property whose value is the array.
 */
export function buildInputSchema(
  method: MethodDefinition,
  docs: DocumentationRecord,
  toolName: string,
): InputSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const describe = (name: string): string => {
    const text = docs.parameters[name];
    if (text === undefined) throw new Error(`${toolName}: argument "${name}" has no documentation`);
    return text;
  };
  for (const parameter of method.http.parameters) {
    if (parameter.name in properties)
      throw new Error(`${toolName}: argument "${parameter.name}" declared twice`);
    properties[parameter.name] = { ...parameter.schema, description: describe(parameter.name) };
    if (parameter.required === true) required.push(parameter.name);
  }
  if (method.polling !== undefined) {
    properties[method.polling.argument] = {
      type: "integer",
      minimum: 0,
      maximum: LIMITS.eventWaitSecondsMax,
      description: describe(method.polling.argument),
    };
  }
  for (const name of Object.keys(docs.parameters)) {
    if (!(name in properties)) throw new Error(`${toolName}: documented argument "${name}" does not exist`);
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

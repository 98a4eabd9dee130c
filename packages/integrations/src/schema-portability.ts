import type { JsonSchema } from "./format.js";

/**
 * Tool schemas are read by many clients, some of which map them onto a narrower dialect (the OpenAPI subset
 * behind Gemini function declarations has one `type` per schema and no `true`/`false` schemas). These are
 * the rules the MCP Inspector's `--strict` schema check applies (Inspector 2.12, core/json/schemaLint.ts);
 * the Inspector bundles its linter into its CLI and exports nothing, so they are restated here and held to
 * the real Inspector by an end-to-end test.
 */
export type PortabilityRule = "type-union" | "boolean-schema" | "remote-ref" | "untyped-schema";

export interface PortabilityFinding {
  readonly rule: PortabilityRule;
  /** Where in the schema, as a dotted path ("" is the root). */
  readonly path: string;
  readonly fix: string;
}

// Keywords whose value is one subschema, an array of subschemas, or a name -> subschema map.
const SINGLE = [
  "items",
  "contains",
  "not",
  "propertyNames",
  "if",
  "then",
  "else",
  "additionalProperties",
  "unevaluatedProperties",
  "additionalItems",
  "unevaluatedItems",
  "contentSchema",
] as const;
const LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"] as const;
const MAPS = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"];
// `additionalProperties: false` and its kin are the usual spelling, not a stray boolean schema.
const BOOLEAN_ALLOWED = new Set([
  "additionalProperties",
  "unevaluatedProperties",
  "additionalItems",
  "unevaluatedItems",
]);
// A schema with none of these accepts anything: the object spelling of `true`.
const CONSTRAINING = new Set([
  "type",
  "enum",
  "const",
  "multipleOf",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "format",
  "contentMediaType",
  "contentEncoding",
  "contentSchema",
  "maxItems",
  "minItems",
  "uniqueItems",
  "maxContains",
  "minContains",
  "maxProperties",
  "minProperties",
  "required",
  "dependentRequired",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "items",
  "prefixItems",
  "contains",
  "additionalItems",
  "unevaluatedItems",
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "propertyNames",
  "dependentSchemas",
  "dependencies",
  "$ref",
  "$dynamicRef",
  "$recursiveRef",
]);
const MAX_DEPTH = 64;

/** Every portability problem in a schema; an empty list means clients of every dialect can read it. */
export function schemaPortabilityFindings(schema: JsonSchema): PortabilityFinding[] {
  const findings: PortabilityFinding[] = [];
  visit(schema, "", undefined, 0, findings);
  return findings;
}

/** Throws, naming each problem and its fix, when a schema is not portable (used when tools are built). */
export function assertPortableSchema(schema: JsonSchema, where: string): void {
  const findings = schemaPortabilityFindings(schema);
  if (findings.length === 0) return;
  const lines = findings.map((f) => `${f.rule} at ${f.path === "" ? "(root)" : f.path}: ${f.fix}`);
  throw new Error(`${where} is not portable across MCP clients: ${lines.join("; ")}`);
}

/**
 * A value of one of several shapes, one `type` per branch: the portable spelling of a type list
 * (`"type": ["string", "null"]`), which clients with a single-type dialect reject .
 */
export function anyOfTypes(...branches: JsonSchema[]): JsonSchema {
  return { anyOf: branches };
}

/** A value that may also be null, where Mem0 gives null a meaning (e.g. "never expire", "clear feedback"). */
export function nullable(schema: JsonSchema): JsonSchema {
  return anyOfTypes(schema, { type: "null" });
}

function visit(
  node: unknown,
  path: string,
  keyword: string | undefined,
  depth: number,
  findings: PortabilityFinding[],
): void {
  if (depth > MAX_DEPTH) return;
  if (typeof node === "boolean") {
    if (keyword !== undefined && BOOLEAN_ALLOWED.has(keyword)) return;
    findings.push({
      rule: "boolean-schema",
      path,
      fix: node ? 'declare the value, e.g. {"type": "object"}' : 'write {"not": {}}',
    });
    return;
  }
  if (!isRecord(node)) return;
  const type = node.type;
  // Stricter than the Inspector, which lets a list with an unknown or repeated type through: no list at all.
  if (Array.isArray(type)) {
    findings.push({
      rule: "type-union",
      path,
      fix: `use anyOf with one type per branch (the anyOfTypes helper) instead of "type": ${JSON.stringify(type)}`,
    });
  }
  if (typeof node.$ref === "string" && node.$ref !== "" && !node.$ref.startsWith("#")) {
    findings.push({ rule: "remote-ref", path, fix: "inline the schema or move it under $defs" });
  }
  const constrains =
    Object.keys(node).some((key) => CONSTRAINING.has(key)) ||
    ("if" in node && ("then" in node || "else" in node));
  if (!constrains && keyword !== "not") {
    findings.push({ rule: "untyped-schema", path, fix: "declare a type (it accepts any value as written)" });
  }
  for (const key of MAPS) {
    const map = node[key];
    if (!isRecord(map)) continue;
    for (const [name, sub] of Object.entries(map))
      visit(sub, join(join(path, key), name), key, depth + 1, findings);
  }
  for (const key of LISTS) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    for (const [i, sub] of list.entries()) visit(sub, `${join(path, key)}[${i}]`, key, depth + 1, findings);
  }
  for (const key of SINGLE) {
    if (!(key in node)) continue;
    const value = node[key];
    if (key === "items" && Array.isArray(value)) {
      for (const [i, sub] of value.entries())
        visit(sub, `${join(path, key)}[${i}]`, key, depth + 1, findings);
    } else {
      visit(value, join(path, key), key, depth + 1, findings);
    }
  }
}

function join(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

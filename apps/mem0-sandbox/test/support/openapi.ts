import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Validates response bodies against the response schemas of Mem0's OpenAPI 3.0 description. OpenAPI 3.0
 * schemas are not quite JSON Schema (`nullable`, `example`, `x-*`), so each one is converted first.
 */

type Json = Record<string, unknown>;

const spec = JSON.parse(
  readFileSync(new URL("../fixtures/mem0-openapi.json", import.meta.url), "utf8"),
) as Json;

function resolveRef(ref: string): Json {
  let node: unknown = spec;
  for (const part of ref.replace(/^#\//, "").split("/")) node = (node as Json)[part];
  return node as Json;
}

/** OpenAPI 3.0 schema -> JSON Schema: nullable becomes a null type, refs are inlined, annotations dropped. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const source = node as Json;
  if (typeof source.$ref === "string") return toJsonSchema(resolveRef(source.$ref));
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "example" || key === "nullable" || key.startsWith("x-")) continue;
    out[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)]))
        : toJsonSchema(value);
  }
  if (source.nullable === true) {
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (out.type === undefined) return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv) => void)(ajv);
ajv.addFormat("float", true);
const cache = new Map<string, ValidateFunction>();

/** The JSON Schema of one documented response, or an error if the spec documents none. */
export function responseSchema(method: string, path: string, status: number): unknown {
  const operation = ((spec.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as
    | Json
    | undefined;
  if (!operation) throw new Error(`the spec has no ${method} ${path}`);
  const response = (operation.responses as Json)[String(status)] as Json | undefined;
  const schema = ((response?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
  if (!schema) throw new Error(`the spec documents no JSON body for ${method} ${path} ${status}`);
  return toJsonSchema(schema);
}

/**
 * Error schemas in the spec list their fields without marking them required, so any object would pass;
 * this makes every documented top-level field required (in each oneOf branch), so `{"error": ...}` and
 * `{"message": ...}` bodies are told apart.
 */
function requireDocumentedFields(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return schema;
  const node = { ...(schema as Json) };
  for (const key of ["oneOf", "anyOf"])
    if (Array.isArray(node[key])) node[key] = (node[key] as unknown[]).map(requireDocumentedFields);
  if (node.properties && typeof node.properties === "object")
    node.required = Object.keys(node.properties as Json);
  return node;
}

/**
 * Validation errors of `body` against the documented response (empty when it conforms). With
 * `strict`, every documented top-level field must be present (used for error bodies).
 */
export function specErrors(
  method: string,
  path: string,
  status: number,
  body: unknown,
  strict = false,
): string[] {
  const key = `${method} ${path} ${status} ${strict}`;
  let validate = cache.get(key);
  if (!validate) {
    const schema = responseSchema(method, path, status);
    validate = ajv.compile((strict ? requireDocumentedFields(schema) : schema) as object);
    cache.set(key, validate);
  }
  return validate(body)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The documented operations, as "METHOD path" strings. */
export function documentedOperations(): string[] {
  return Object.entries(spec.paths as Json).flatMap(([path, item]) =>
    Object.keys(item as Json)
      .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

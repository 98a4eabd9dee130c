import { formatTimestamp } from "./clock.js";
import { isObject } from "./context.js";
import type { MemoryRecord } from "./memory-record.js";
import { tokenize } from "./scoring.js";

/**
 * Fills a caller-supplied JSON Schema from memories, deterministically: the sandbox's stand-in for Mem0's
 * LLM-built structured export. Objects get their properties, arrays one item per memory, strings the facts
 * that mention the property's name (or a memory field of that name), and required fields are always present.
 */

type Schema = Record<string, unknown>;

const MAX_DEPTH = 6;

function schemaType(schema: Schema): string {
  const type = schema.type;
  if (Array.isArray(type)) return String(type.find((t) => t !== "null") ?? "null");
  if (typeof type === "string") return type;
  if (isObject(schema.properties)) return "object";
  if (schema.items !== undefined) return "array";
  return "string";
}

/** Follows a local `#/$defs/...` or `#/definitions/...` reference (Pydantic schemas use them). */
function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) {
    const variants = (schema.anyOf ?? schema.oneOf) as unknown;
    if (Array.isArray(variants)) {
      const first = variants.find((v) => isObject(v) && v.type !== "null");
      if (isObject(first)) return resolve(first, root);
    }
    return schema;
  }
  let node: unknown = root;
  for (const part of ref.slice(2).split("/")) node = isObject(node) ? node[part] : undefined;
  return isObject(node) ? node : {};
}

function memoryField(record: MemoryRecord, name: string): unknown {
  const fields: Record<string, unknown> = {
    id: record.id,
    memory: record.memory,
    text: record.memory,
    content: record.memory,
    fact: record.memory,
    user_id: record.userId,
    agent_id: record.agentId,
    app_id: record.appId,
    run_id: record.runId,
    categories: record.categories,
    metadata: record.metadata,
    created_at: formatTimestamp(record.createdAt),
    updated_at: formatTimestamp(record.updatedAt),
  };
  if (name in fields) return fields[name];
  return record.metadata?.[name];
}

function mentioning(records: MemoryRecord[], name: string): MemoryRecord[] {
  const words = tokenize(name.replace(/_/g, " "));
  if (words.length === 0) return [];
  return records.filter((r) => {
    const tokens = new Set(tokenize(r.memory));
    return words.some((w) => tokens.has(w));
  });
}

function fill(schema: Schema, root: Schema, records: MemoryRecord[], name: string, depth: number): unknown {
  const node = resolve(schema, root);
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  const type = schemaType(node);
  if (depth > MAX_DEPTH) return type === "array" ? [] : type === "object" ? {} : null;
  switch (type) {
    case "object": {
      const properties = isObject(node.properties) ? node.properties : {};
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(properties)) {
        if (isObject(child)) out[key] = fill(child, root, records, key, depth + 1);
      }
      return out;
    }
    case "array": {
      const items = isObject(node.items) ? resolve(node.items, root) : { type: "string" };
      if (schemaType(items) === "object")
        return records.map((record) => fill(items, root, [record], name, depth + 1));
      const relevant = mentioning(records, name);
      return (relevant.length > 0 ? relevant : records).map((r) =>
        coerce(items, memoryField(r, name) ?? r.memory),
      );
    }
    case "integer":
    case "number":
      return /count|total|number/.test(name)
        ? records.length
        : coerce(node, records.length === 1 ? memoryField(records[0]!, name) : null);
    case "boolean":
      return records.length > 0 && mentioning(records, name).length > 0;
    case "null":
      return null;
    default: {
      if (records.length === 1) {
        const direct = memoryField(records[0]!, name);
        if (direct !== undefined && direct !== null) return coerce(node, direct);
      }
      const relevant = mentioning(records, name);
      return relevant.map((r) => r.memory).join("; ") || (records.length === 1 ? records[0]!.memory : "");
    }
  }
}

function coerce(schema: Schema, value: unknown): unknown {
  const type = schemaType(schema);
  if (type === "string")
    return value === null || value === undefined
      ? ""
      : typeof value === "string"
        ? value
        : JSON.stringify(value);
  if (type === "integer") return typeof value === "number" ? Math.trunc(value) : 0;
  if (type === "number") return typeof value === "number" ? value : 0;
  if (type === "boolean") return Boolean(value);
  return value ?? null;
}

/** Builds an export object shaped by `schema` from `records`. */
export function buildExport(schema: Schema, records: MemoryRecord[]): Record<string, unknown> {
  const result = fill(schema, schema, records, "memories", 0);
  return isObject(result) ? result : { memories: result };
}

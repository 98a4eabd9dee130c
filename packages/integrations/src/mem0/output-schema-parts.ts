import type { JsonSchema } from "../format.js";
import { nullable } from "../schema-portability.js";

/**
 * Building blocks of the Mem0 output schemas. Every object they build stays open (no
 * `additionalProperties: false`): Mem0 adds fields over time, and a client that validates structuredContent
 * must not start refusing answers when it does.
 */

export const text: JsonSchema = { type: "string" };
export const optionalText = nullable(text);
export const count: JsonSchema = { type: "integer", minimum: 0 };
export const flag: JsonSchema = { type: "boolean" };
export const freeObject: JsonSchema = { type: "object" };

/** An open object with the given properties, of which `required` are always present. */
export function record(properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema {
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
}

/** A list whose items all have one shape. */
export function listOf(items: JsonSchema): JsonSchema {
  return { type: "array", items };
}

/** A bare array answer, as structuredContent carries it. */
export function wrappedList(items: JsonSchema, description: string): JsonSchema {
  return record({ result: { ...listOf(items), description } }, ["result"]);
}

/** DRF page envelope (api.md §1.4): count, next and previous page URLs, and the page's results. */
export function page(items: JsonSchema, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return record({ count, next: optionalText, previous: optionalText, results: listOf(items), ...extra }, [
    "results",
  ]);
}

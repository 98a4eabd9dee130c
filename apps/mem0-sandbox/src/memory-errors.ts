import type { Answer } from "./context.js";

/** Mem0's error bodies for the memory endpoints, one place per shape (api.md §5.1). */

/** `{"error": ...}`: single-memory, batch, events, v3 list/search validation. */
export function errorAnswer(status: number, message: string): Answer {
  return { status, body: { error: message } };
}

/** The add endpoint's 400 shape: `{"error": "400 Bad Request", "details": {"message": ...}}`. */
export function addValidationError(message: string): Answer {
  return { status: 400, body: { error: "400 Bad Request", details: { message } } };
}

export const INVALID_MEMORY_ID = errorAnswer(400, "memory_id should be a valid UUID");
export const MEMORY_NOT_FOUND = errorAnswer(404, "Memory not found!");

const ENTITY_KEYS = ["user_id", "agent_id", "app_id", "run_id"] as const;

/** §4.3: v3 list and search refuse entity ids outside `filters`, and say how to nest them. */
export function topLevelEntityError(body: Record<string, unknown>, operation: string): Answer | null {
  const present = ENTITY_KEYS.filter((key) => body[key] !== undefined);
  if (present.length === 0) return null;
  const example = Object.fromEntries(present.map((key) => [key, body[key]]));
  return errorAnswer(
    400,
    `Top-level entity parameters ${present.join(", ")} are not supported in ${operation}. ` +
      `Nest them inside filters instead, e.g. {"filters": ${JSON.stringify(example)}}.`,
  );
}

import { type Answer, type Caller, isObject, ok, type SandboxContext } from "./context.js";
import { isUuid } from "./ids.js";
import { errorAnswer } from "./memory-errors.js";
import type { MemoryRecord } from "./memory-record.js";
import { applyUpdate } from "./memory-write.service.js";

/** §3.11: batch operations take at most this many memories. */
export const BATCH_MAX = 1000;

function batchItems(
  body: unknown,
  verb: "updated" | "deleted",
): { ok: true; items: Record<string, unknown>[] } | { ok: false; answer: Answer } {
  const memories = isObject(body) ? body.memories : undefined;
  if (!Array.isArray(memories) || memories.length === 0 || !memories.every(isObject))
    return {
      ok: false,
      answer: errorAnswer(400, 'memories is required: a non-empty list of {"memory_id": ...} objects.'),
    };
  if (memories.length > BATCH_MAX)
    return {
      ok: false,
      answer: errorAnswer(400, `Maximum of ${BATCH_MAX} memories can be ${verb} in a single request`),
    };
  return { ok: true, items: memories };
}

/** Resolves every batch item first, so a bad item fails the whole batch and changes nothing. */
function resolveBatch(
  caller: Caller,
  items: Record<string, unknown>[],
): { ok: true; records: MemoryRecord[] } | { ok: false; answer: Answer } {
  const records: MemoryRecord[] = [];
  for (const item of items) {
    const id = item.memory_id;
    if (typeof id !== "string" || !isUuid(id))
      return {
        ok: false,
        answer: errorAnswer(400, `Invalid memory_id: ${JSON.stringify(id ?? null)} should be a valid UUID`),
      };
    const record = caller.store.memories.get(id.toLowerCase());
    if (!record) return { ok: false, answer: errorAnswer(400, `Memory not found: ${id}`) };
    records.push(record);
  }
  return { ok: true, records };
}

/** PUT /v1/batch/. */
export function batchUpdate(ctx: SandboxContext, caller: Caller, body: unknown): Answer {
  const parsed = batchItems(body, "updated");
  if (!parsed.ok) return parsed.answer;
  const resolved = resolveBatch(caller, parsed.items);
  if (!resolved.ok) return resolved.answer;
  for (const item of parsed.items) {
    if (item.text !== undefined && (typeof item.text !== "string" || item.text.trim() === ""))
      return errorAnswer(400, "text must be a non-empty string.");
    if (item.metadata !== undefined && item.metadata !== null && !isObject(item.metadata))
      return errorAnswer(400, "metadata must be a JSON object.");
  }
  parsed.items.forEach((item, index) => {
    applyUpdate(ctx, caller.store, resolved.records[index]!, {
      ...(typeof item.text === "string" ? { text: item.text } : {}),
      ...(item.metadata !== undefined ? { metadata: item.metadata as Record<string, unknown> | null } : {}),
    });
  });
  return ok({ message: `Successfully updated ${parsed.items.length} memories` });
}

/** DELETE /v1/batch/ (JSON body on DELETE). */
export function batchDelete(ctx: SandboxContext, caller: Caller, body: unknown): Answer {
  const parsed = batchItems(body, "deleted");
  if (!parsed.ok) return parsed.answer;
  const resolved = resolveBatch(caller, parsed.items);
  if (!resolved.ok) return resolved.answer;
  const unique = [...new Set(resolved.records)];
  for (const record of unique) caller.store.deleteMemory(record, ctx.ids.uuid(), ctx.clock());
  return ok({ message: `Successfully deleted ${unique.length} memories` });
}

import { type Answer, type Caller, isObject, ok, type SandboxContext } from "./context.js";
import { hasPositiveEntity, matchesFilter, parseFilters } from "./filters.js";
import { isUuid } from "./ids.js";
import { errorAnswer } from "./memory-errors.js";

const FEEDBACK_VALUES = ["POSITIVE", "NEGATIVE", "VERY_NEGATIVE"];

/** POST /v1/feedback/: records (or, with both fields null, clears) feedback on a memory. */
export function submitFeedback(ctx: SandboxContext, caller: Caller, body: unknown): Answer {
  const input = isObject(body) ? body : {};
  if (typeof input.memory_id !== "string" || input.memory_id === "")
    return errorAnswer(400, "memory_id is required.");
  if (!isUuid(input.memory_id)) return errorAnswer(400, "memory_id should be a valid UUID");
  const feedback = input.feedback ?? null;
  if (feedback !== null && !FEEDBACK_VALUES.includes(feedback as string))
    return errorAnswer(400, `feedback must be one of ${FEEDBACK_VALUES.join(", ")} or null.`);
  const reason = input.feedback_reason ?? null;
  if (reason !== null && typeof reason !== "string")
    return errorAnswer(400, "feedback_reason must be a string or null.");
  const memoryId = input.memory_id.toLowerCase();
  if (!caller.store.memories.has(memoryId)) return errorAnswer(404, "Memory not found!");
  const existing = caller.store.feedback.get(memoryId);
  const record = {
    id: existing?.id ?? ctx.ids.uuid(),
    memoryId,
    feedback: feedback as string | null,
    feedbackReason: reason as string | null,
  };
  if (feedback === null && reason === null) caller.store.feedback.delete(memoryId);
  else caller.store.feedback.set(memoryId, record);
  return ok({ id: record.id, feedback: record.feedback, feedback_reason: record.feedbackReason });
}

/** POST /v1/summary/: a deterministic digest of the matching memories, grouped by category. */
export function summarize(caller: Caller, body: unknown): Answer {
  const input = isObject(body) ? body : {};
  if (!isObject(input.filters) || Object.keys(input.filters).length === 0)
    return { status: 400, body: { message: 'filters is required, e.g. {"filters": {"user_id": "alice"}}.' } };
  const parsed = parseFilters(input.filters);
  if (!parsed.ok) return { status: 400, body: { message: parsed.message } };
  if (!hasPositiveEntity(parsed.filter))
    return {
      status: 400,
      body: { message: "One of the filters: app_id, user_id, agent_id, run_id is required!" },
    };
  const memories = caller.store.allMemories().filter((m) => matchesFilter(m, parsed.filter));
  const byCategory = new Map<string, string[]>();
  for (const memory of memories) {
    const category = memory.categories[0] ?? "misc";
    byCategory.set(category, [...(byCategory.get(category) ?? []), memory.memory]);
  }
  const sections = [...byCategory.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, facts]) => `${category.replace(/_/g, " ")}: ${facts.join("; ")}.`);
  return ok([
    {
      summary: sections.length > 0 ? sections.join("\n") : "No memories match these filters.",
      memory_count: memories.length,
      categories: Object.fromEntries([...byCategory.entries()].map(([k, v]) => [k, v.length])),
    },
  ]);
}

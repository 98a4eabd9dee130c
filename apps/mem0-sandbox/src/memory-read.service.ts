import type { FastifyRequest } from "fastify";
import { type Clock, formatTimestamp, parseInstant } from "./clock.js";
import { type Answer, type Caller, isObject, ok, type SandboxContext } from "./context.js";
import { type Filter, hasPositiveEntity, matchesFilter, parseFilters, usesField } from "./filters.js";
import { isUuid } from "./ids.js";
import { errorAnswer, INVALID_MEMORY_ID, MEMORY_NOT_FOUND, topLevelEntityError } from "./memory-errors.js";
import { isExpired, type MemoryRecord, pickFields, toListItem, toSearchItem } from "./memory-record.js";
import { INVALID_PAGE, paginate } from "./pagination.js";
import type { HistoryEntry } from "./project-store.js";
import { scoreMemories } from "./scoring.js";

/** §1.4: v3 list pages hold 100 memories by default and at most 200. */
export const LIST_PAGE_SIZE = { default: 100, max: 200 } as const;
/** §3.5: search returns 10 results by default, 1 to 1000. */
export const SEARCH_TOP_K = { default: 10, max: 1000 } as const;
/** §3.5: v3 search drops results scoring under 0.1 by default. */
export const SEARCH_THRESHOLD_DEFAULT = 0.1;

type Scoped = { ok: true; filter: Filter } | { ok: false; answer: Answer };

/** Validates the `filters` of a v3 list or search: present, well-formed, and scoped to an entity (§4.3). */
function scopedFilter(body: Record<string, unknown>, operation: string): Scoped {
  const topLevel = topLevelEntityError(body, operation);
  if (topLevel) return { ok: false, answer: topLevel };
  const filters = body.filters;
  if (!isObject(filters) || Object.keys(filters).length === 0)
    return {
      ok: false,
      answer: errorAnswer(
        400,
        'Filters are required and cannot be empty. Scope them to an entity, e.g. {"filters": {"user_id": "alice"}}.',
      ),
    };
  const parsed = parseFilters(filters);
  if (!parsed.ok) return { ok: false, answer: errorAnswer(400, parsed.message) };
  if (!hasPositiveEntity(parsed.filter))
    return {
      ok: false,
      answer: errorAnswer(
        400,
        'Filters must positively scope at least one of user_id, agent_id, app_id or run_id (a value, a list or "*"; ne and NOT do not count).',
      ),
    };
  return { ok: true, filter: parsed.filter };
}

/** Options both reads share: expiry, lifecycle and category narrowing. */
function visible(record: MemoryRecord, body: Record<string, unknown>, clock: Clock): boolean {
  if (body.show_expired !== true && isExpired(record, clock)) return false;
  if (body.include_merged !== true && record.lifecycleState === "merged") return false;
  if (body.latest_only === true && record.lifecycleState !== "active") return false;
  if (Array.isArray(body.categories) && body.categories.length > 0) {
    const wanted = body.categories.map((c) => String(c).toLowerCase());
    if (!record.categories.some((c) => wanted.includes(c.toLowerCase()))) return false;
  }
  return true;
}

/** The optional start_date/end_date/keywords body fields of v3 list. */
function listExtras(record: MemoryRecord, body: Record<string, unknown>): boolean {
  const start = parseInstant(body.start_date);
  if (start && record.createdAt < start) return false;
  const end = parseInstant(body.end_date);
  if (end && record.createdAt.getTime() > end.getTime() + 86_399_999) return false;
  if (typeof body.keywords === "string" && body.keywords !== "")
    return record.memory.toLowerCase().includes(body.keywords.toLowerCase());
  return true;
}

function newestFirst(a: MemoryRecord, b: MemoryRecord): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1);
}

/** POST /v3/memories/: filtered, paginated from the query string, newest first. */
export function listMemories(
  ctx: SandboxContext,
  caller: Caller,
  body: unknown,
  request: FastifyRequest,
): Answer {
  const input = isObject(body) ? body : {};
  const scoped = scopedFilter(input, "get_all()");
  if (!scoped.ok) return scoped.answer;
  const matches = caller.store
    .allMemories()
    .filter((r) => visible(r, input, ctx.clock) && listExtras(r, input) && matchesFilter(r, scoped.filter))
    .sort(newestFirst);
  const page = paginate(request, matches, LIST_PAGE_SIZE.default, LIST_PAGE_SIZE.max);
  if (!page.ok) return { status: 404, body: INVALID_PAGE };
  ctx.events.runNow(caller.store, "GET_ALL", input, () => ({ ok: true, results: [] }));
  return ok({ ...page.body, results: page.body.results.map((r) => pickFields(toListItem(r), input.fields)) });
}

function numberOption(
  raw: unknown,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
): number | null {
  if (raw === undefined || raw === null) return fallback;
  // DRF's number fields also accept numeric strings ("5").
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) return null;
  if (integer && !Number.isInteger(value)) return null;
  return value;
}

function metadataMatches(record: MemoryRecord, metadata: unknown): boolean {
  if (!isObject(metadata)) return true;
  return Object.entries(metadata).every(
    ([key, value]) => JSON.stringify(record.metadata?.[key]) === JSON.stringify(value),
  );
}

/** POST /v3/memories/search/: hybrid-scored, thresholded, top_k, with `run_id` naming. */
export function searchMemories(ctx: SandboxContext, caller: Caller, body: unknown): Answer {
  const input = isObject(body) ? body : {};
  if (typeof input.query !== "string" || input.query.trim() === "")
    return errorAnswer(400, "query is required and must be a non-empty string.");
  const scoped = scopedFilter(input, "search()");
  if (!scoped.ok) return scoped.answer;
  // MEM-5746 (api.md §3.5): the live service answers 500 to a keywords filter on search; reproduced on purpose.
  if (usesField(scoped.filter, "keywords"))
    return {
      status: 500,
      body: { detail: "A server error occurred (keywords filters are not supported by search)." },
    };
  const topK = numberOption(input.top_k, SEARCH_TOP_K.default, 1, SEARCH_TOP_K.max, true);
  if (topK === null) return errorAnswer(400, `top_k must be an integer from 1 to ${SEARCH_TOP_K.max}.`);
  const threshold = numberOption(input.threshold, SEARCH_THRESHOLD_DEFAULT, 0, 1, false);
  if (threshold === null) return errorAnswer(400, "threshold must be a number from 0 to 1.");
  const candidates = caller.store
    .allMemories()
    .filter(
      (r) =>
        visible(r, input, ctx.clock) && metadataMatches(r, input.metadata) && matchesFilter(r, scoped.filter),
    );
  const results = scoreMemories(input.query, candidates)
    .filter((s) => s.score >= threshold)
    .slice(0, topK)
    .map((s) => pickFields(toSearchItem(s.record, s.score, s.breakdown), input.fields));
  ctx.events.runNow(caller.store, "SEARCH", input, () => ({
    ok: true,
    results: results.map((r) => ({ id: r.id })),
  }));
  return ok({ results });
}

/** GET /v1/memories/{id}/history/: every change, oldest first. */
export function memoryHistory(caller: Caller, memoryId: string): Answer {
  if (!isUuid(memoryId)) return INVALID_MEMORY_ID;
  const entries = caller.store.history.get(memoryId.toLowerCase());
  if (!entries) return MEMORY_NOT_FOUND;
  return ok(entries.map(historyJson));
}

/** One history entry as the history endpoints return it. */
export function historyJson(e: HistoryEntry): Record<string, unknown> {
  return {
    id: e.id,
    memory_id: e.memoryId,
    input: e.input,
    old_memory: e.oldMemory,
    new_memory: e.newMemory,
    user_id: e.scope.userId,
    agent_id: e.scope.agentId,
    app_id: e.scope.appId,
    session_id: e.scope.runId,
    categories: e.categories,
    event: e.event,
    metadata: e.metadata,
    created_at: formatTimestamp(e.createdAt),
    updated_at: formatTimestamp(e.createdAt),
    previous_embedding_qwen: null,
    embedding_qwen: null,
  };
}

/** GET /v1/stats/. */
export function projectStats(caller: Caller): Answer {
  const memories = caller.store.allMemories();
  const events = [...caller.store.events.values()];
  const distinct = (pick: (m: MemoryRecord) => string | null): number =>
    new Set(memories.map(pick).filter((v) => v !== null)).size;
  const users = distinct((m) => m.userId);
  const agents = distinct((m) => m.agentId);
  const runs = distinct((m) => m.runId);
  const per = (count: number, field: (m: MemoryRecord) => string | null): number =>
    count === 0 ? 0 : Math.round(memories.filter((m) => field(m) !== null).length / count);
  const retrievals = events.filter((e) => e.eventType === "SEARCH" || e.eventType === "GET_ALL").length;
  return ok({
    total_memories: memories.length,
    total_retrieval_events: retrievals,
    total_add_events: events.filter((e) => e.eventType === "ADD").length,
    total_api_retrieval_events: retrievals,
    total_retrieval_events_limit: 100_000,
    total_users_with_memories: users,
    total_agents_with_memories: agents,
    total_runs_with_memories: runs,
    memories_per_user: per(users, (m) => m.userId),
    memories_per_agent: per(agents, (m) => m.agentId),
    memories_per_run: per(runs, (m) => m.runId),
  });
}

import { isDateOnly, parseInstant } from "./clock.js";
import { type Answer, type Caller, isObject, ok, type SandboxContext } from "./context.js";
import type { JobOutcome } from "./events.js";
import { type AddMessage, categorize, extractFacts } from "./extraction.js";
import { isUuid } from "./ids.js";
import { addValidationError, errorAnswer, INVALID_MEMORY_ID, MEMORY_NOT_FOUND } from "./memory-errors.js";
import type { EntityScope, MemoryRecord } from "./memory-record.js";
import { toDetail } from "./memory-record.js";
import type { ProjectStore } from "./project-store.js";

/** Mem0's own wording for a malformed add body (api.md §3.3). */
const ADD_INVALID =
  "Invalid input data. Please refer to the memory creation documentation at https://docs.mem0.ai/platform/quickstart#4-1-create-memories for correct formatting and required fields.";

interface NewMemory {
  text: string;
  scope: EntityScope;
  metadata: Record<string, unknown> | null;
  categories: string[];
  expirationDate: string | null;
  createdAt: Date;
  input: AddMessage[];
}

/**
 * Duplicate key within a scope (§6.2): direct import drops exact text repeats; inferred adds also drop near
 * duplicates, which the sandbox approximates as the same words ignoring case and punctuation.
 */
function dedupeKey(text: string, scope: EntityScope, exact: boolean): string {
  const normalized = exact
    ? text.trim()
    : text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, " ")
        .trim();
  return JSON.stringify([normalized, scope.userId, scope.agentId, scope.appId, scope.runId]);
}

/** Stores new memories (ADD-only: nothing existing is touched); duplicates in a scope are dropped. */
function storeMemories(
  ctx: SandboxContext,
  store: ProjectStore,
  items: NewMemory[],
  exact: boolean,
): unknown[] {
  const seen = new Set(store.allMemories().map((m) => dedupeKey(m.memory, m, exact)));
  const results: unknown[] = [];
  for (const item of items) {
    const key = dedupeKey(item.text, item.scope, exact);
    if (seen.has(key)) continue;
    seen.add(key);
    const record: MemoryRecord = {
      id: ctx.ids.uuid(),
      memory: item.text,
      ...item.scope,
      metadata: item.metadata,
      categories: item.categories,
      createdAt: item.createdAt,
      updatedAt: item.createdAt,
      expirationDate: item.expirationDate,
      lifecycleState: "active",
    };
    store.memories.set(record.id, record);
    store.touchEntities(item.scope, item.createdAt);
    store.recordHistory({
      id: ctx.ids.uuid(),
      memoryId: record.id,
      input: item.input.filter((m) => typeof m.content === "string") as { role: string; content: string }[],
      oldMemory: null,
      newMemory: record.memory,
      scope: item.scope,
      categories: record.categories,
      event: "ADD",
      metadata: record.metadata,
      createdAt: item.createdAt,
    });
    results.push({
      id: record.id,
      event: "ADD",
      data: { memory: record.memory },
      user_id: record.userId,
      agent_id: record.agentId,
      app_id: record.appId,
      run_id: record.runId,
      categories: record.categories,
    });
  }
  return results;
}

interface AddRequest {
  messages: AddMessage[];
  scope: EntityScope;
  metadata: Record<string, unknown> | null;
  infer: boolean;
  expirationDate: string | null;
  createdAt: Date | null;
  customCategories: Record<string, string>[] | null;
}

function optionalString(value: unknown): string | null | false {
  if (value === undefined || value === null) return null;
  return typeof value === "string" && value !== "" ? value : false;
}

function parseAdd(body: unknown): { ok: true; request: AddRequest } | { ok: false; answer: Answer } {
  if (!isObject(body)) return { ok: false, answer: addValidationError(ADD_INVALID) };
  const rawMessages =
    typeof body.messages === "string" ? [{ role: "user", content: body.messages }] : body.messages;
  const messagesValid =
    Array.isArray(rawMessages) &&
    rawMessages.length > 0 &&
    rawMessages.every(
      (m) =>
        isObject(m) && ["user", "assistant", "system"].includes(m.role as string) && m.content !== undefined,
    );
  if (!messagesValid) return { ok: false, answer: addValidationError(ADD_INVALID) };
  const ids = ["user_id", "agent_id", "app_id", "run_id"].map((k) => optionalString(body[k]));
  if (ids.some((v) => v === false))
    return {
      ok: false,
      answer: addValidationError("user_id, agent_id, app_id and run_id must be non-empty strings."),
    };
  const [userId, agentId, appId, runId] = ids as (string | null)[];
  if ([userId, agentId, appId, runId].every((v) => v === null))
    return {
      ok: false,
      answer: addValidationError(
        "At least one entity ID is required (user_id, agent_id, app_id, or run_id).",
      ),
    };
  if (body.metadata !== undefined && body.metadata !== null && !isObject(body.metadata))
    return { ok: false, answer: addValidationError("metadata must be a JSON object.") };
  const expiration = body.expiration_date;
  if (
    expiration !== undefined &&
    expiration !== null &&
    (typeof expiration !== "string" || !isDateOnly(expiration))
  )
    return { ok: false, answer: addValidationError("expiration_date must be a date in YYYY-MM-DD format.") };
  if (body.infer !== undefined && typeof body.infer !== "boolean")
    return { ok: false, answer: addValidationError("infer must be a boolean.") };
  let createdAt: Date | null = null;
  if (body.timestamp !== undefined && body.timestamp !== null) {
    createdAt = typeof body.timestamp === "number" ? parseInstant(body.timestamp) : null;
    if (!createdAt)
      return { ok: false, answer: addValidationError("timestamp must be a Unix time in seconds.") };
  }
  const custom = Array.isArray(body.custom_categories)
    ? (body.custom_categories.filter(isObject) as Record<string, string>[])
    : null;
  return {
    ok: true,
    request: {
      messages: rawMessages as AddMessage[],
      scope: { userId: userId ?? null, agentId: agentId ?? null, appId: appId ?? null, runId: runId ?? null },
      metadata: (body.metadata as Record<string, unknown> | undefined) ?? null,
      infer: body.infer !== false,
      expirationDate: (expiration as string | undefined) ?? null,
      createdAt,
      customCategories: custom,
    },
  };
}

/** §3.3 speaker attribution: user facts carry user_id, assistant facts agent_id, never both; app and run on all. */
function attribute(scope: EntityScope, speaker: "user" | "assistant"): EntityScope {
  const own = speaker === "user" ? scope.userId : scope.agentId;
  const other = speaker === "user" ? scope.agentId : scope.userId;
  // When the speaker's own id was not sent, fall back to the other one so the fact stays reachable.
  const id = own ?? other;
  const isUser = own !== null ? speaker === "user" : speaker !== "user";
  return {
    userId: id !== null && isUser ? id : null,
    agentId: id !== null && !isUser ? id : null,
    appId: scope.appId,
    runId: scope.runId,
  };
}

function inferJob(ctx: SandboxContext, store: ProjectStore, request: AddRequest): JobOutcome {
  const remote = request.messages.find((m) => typeof m.content !== "string");
  if (remote)
    return {
      ok: false,
      error: "Could not process multimodal content: the sandbox does not fetch images or documents.",
    };
  const createdAt = request.createdAt ?? ctx.clock();
  const items = extractFacts(request.messages)
    .map((fact) => ({ fact, scope: attribute(request.scope, fact.speaker) }))
    .filter(({ scope }) => Object.values(scope).some((v) => v !== null))
    .map(({ fact, scope }) => ({
      text: fact.text,
      scope,
      metadata: request.metadata,
      categories: categorize(fact.text, request.customCategories),
      expirationDate: request.expirationDate,
      createdAt,
      input: request.messages,
    }));
  return { ok: true, results: storeMemories(ctx, store, items, false) };
}

/** POST /v3/memories/add/: async with infer (an event), synchronous without. */
export function addMemories(ctx: SandboxContext, caller: Caller, body: unknown): Answer {
  const parsed = parseAdd(body);
  if (!parsed.ok) return parsed.answer;
  const request = parsed.request;
  if (request.infer) {
    const event = ctx.events.start(caller.store, "ADD", body, () => inferJob(ctx, caller.store, request));
    return ok({ event_id: event.id, status: "PENDING" });
  }
  const createdAt = request.createdAt ?? ctx.clock();
  // Direct import: user and assistant messages verbatim with every given id; system and multimodal skipped.
  const items = request.messages
    .filter((m) => (m.role === "user" || m.role === "assistant") && typeof m.content === "string")
    .map((m) => ({
      text: (m.content as string).trim(),
      scope: request.scope,
      metadata: request.metadata,
      categories: categorize(m.content as string, request.customCategories),
      expirationDate: request.expirationDate,
      createdAt,
      input: [m],
    }))
    .filter((item) => item.text !== "");
  const event = ctx.events.runNow(caller.store, "ADD", body, () => ({
    ok: true,
    results: storeMemories(ctx, caller.store, items, true),
  }));
  return ok({
    message: "Memories stored successfully",
    status: "SUCCEEDED",
    event_id: event.id,
    results: (event.results as Record<string, unknown>[]).map(({ id, data, event: kind }) => ({
      id,
      data,
      event: kind,
    })),
  });
}

/** Looks a memory up by path id with Mem0's 400 (not a UUID) and 404 (unknown). */
export function findMemory(
  caller: Caller,
  memoryId: string,
): { ok: true; record: MemoryRecord } | { ok: false; answer: Answer } {
  if (!isUuid(memoryId)) return { ok: false, answer: INVALID_MEMORY_ID };
  const record = caller.store.memories.get(memoryId.toLowerCase());
  return record ? { ok: true, record } : { ok: false, answer: MEMORY_NOT_FOUND };
}

/** Applies an update and records the previous and new value in history. */
export function applyUpdate(
  ctx: SandboxContext,
  store: ProjectStore,
  record: MemoryRecord,
  change: {
    text?: string;
    metadata?: Record<string, unknown> | null;
    expirationDate?: string | null;
    createdAt?: Date;
  },
): void {
  const oldMemory = record.memory;
  if (change.text !== undefined) {
    record.memory = change.text;
    record.categories = categorize(change.text, null);
  }
  if (change.metadata !== undefined) record.metadata = change.metadata;
  if (change.expirationDate !== undefined) record.expirationDate = change.expirationDate;
  if (change.createdAt !== undefined) record.createdAt = change.createdAt;
  record.updatedAt = ctx.clock();
  store.recordHistory({
    id: ctx.ids.uuid(),
    memoryId: record.id,
    input: [],
    oldMemory,
    newMemory: record.memory,
    scope: { userId: record.userId, agentId: record.agentId, appId: record.appId, runId: record.runId },
    categories: record.categories,
    event: "UPDATE",
    metadata: record.metadata,
    createdAt: record.updatedAt,
  });
}

/** PUT /v1/memories/{id}/. */
export function updateMemory(ctx: SandboxContext, caller: Caller, memoryId: string, body: unknown): Answer {
  const found = findMemory(caller, memoryId);
  if (!found.ok) return found.answer;
  const input = isObject(body) ? body : {};
  const change: Parameters<typeof applyUpdate>[3] = {};
  if (input.text !== undefined) {
    if (typeof input.text !== "string" || input.text.trim() === "")
      return errorAnswer(400, "text must be a non-empty string.");
    change.text = input.text;
  }
  if (input.metadata !== undefined) {
    if (input.metadata !== null && !isObject(input.metadata))
      return errorAnswer(400, "metadata must be a JSON object.");
    change.metadata = input.metadata;
  }
  if (input.expiration_date !== undefined) {
    const value = input.expiration_date;
    if (value !== null && (typeof value !== "string" || !isDateOnly(value)))
      return errorAnswer(400, "expiration_date must be a date in YYYY-MM-DD format, or null to clear it.");
    change.expirationDate = value;
  }
  if (input.timestamp !== undefined) {
    const when = parseInstant(input.timestamp);
    if (!when) return errorAnswer(400, "timestamp must be a Unix time in seconds or an ISO 8601 datetime.");
    change.createdAt = when;
  }
  if (Object.keys(change).length === 0)
    return errorAnswer(400, "At least one of text, metadata, expiration_date or timestamp is required.");
  applyUpdate(ctx, caller.store, found.record, change);
  return ok(toDetail(found.record));
}

/** DELETE /v1/memories/{id}/. The sandbox keeps no supersede chains, so cascade_count is always 0. */
export function deleteMemory(
  ctx: SandboxContext,
  caller: Caller,
  memoryId: string,
  deleteLinked: boolean,
): Answer {
  const found = findMemory(caller, memoryId);
  if (!found.ok) return found.answer;
  caller.store.deleteMemory(found.record, ctx.ids.uuid(), ctx.clock());
  return ok(
    deleteLinked
      ? { message: "Memory deleted successfully!", cascade_count: 0 }
      : { message: "Memory deleted successfully!" },
  );
}

/** Deletes the given memories when an async delete event completes, and lists them as its results. */
export function deleteLater(
  ctx: SandboxContext,
  store: ProjectStore,
  select: () => MemoryRecord[],
): JobOutcome {
  const doomed = select();
  for (const record of doomed) store.deleteMemory(record, ctx.ids.uuid(), ctx.clock());
  return {
    ok: true,
    results: doomed.map((r) => ({ id: r.id, event: "DELETE", data: { memory: r.memory } })),
  };
}

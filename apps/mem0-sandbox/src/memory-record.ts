import { type Clock, formatDate, formatTimestamp } from "./clock.js";

/** One stored memory, as the sandbox keeps it. */
export interface MemoryRecord {
  id: string;
  memory: string;
  userId: string | null;
  agentId: string | null;
  appId: string | null;
  runId: string | null;
  metadata: Record<string, unknown> | null;
  categories: string[];
  createdAt: Date;
  updatedAt: Date;
  /** YYYY-MM-DD or null. */
  expirationDate: string | null;
  lifecycleState: "active" | "superseded" | "merged";
}

/** A memory record's entity ids. */
export interface EntityScope {
  userId: string | null;
  agentId: string | null;
  appId: string | null;
  runId: string | null;
}

/** Mem0's "system-derived temporal breakdown" of the creation time. */
function structuredAttributes(createdAt: Date): Record<string, unknown> {
  const days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
  return {
    year: createdAt.getUTCFullYear(),
    month: createdAt.getUTCMonth() + 1,
    day: createdAt.getUTCDate(),
    hour: createdAt.getUTCHours(),
    day_of_week: days[createdAt.getUTCDay()],
    is_weekend: createdAt.getUTCDay() === 0 || createdAt.getUTCDay() === 6,
  };
}

function commonFields(record: MemoryRecord): Record<string, unknown> {
  return {
    id: record.id,
    memory: record.memory,
    user_id: record.userId,
    agent_id: record.agentId,
    app_id: record.appId,
  };
}

/** The list (`POST /v3/memories/`) shape: the run id is named `session_id`. */
export function toListItem(record: MemoryRecord): Record<string, unknown> {
  return {
    ...commonFields(record),
    session_id: record.runId,
    metadata: record.metadata,
    categories: record.categories,
    structured_attributes: structuredAttributes(record.createdAt),
    replaced_by: null,
    synthesized: false,
    expiration_date: record.expirationDate,
    created_at: formatTimestamp(record.createdAt),
    updated_at: formatTimestamp(record.updatedAt),
  };
}

/** The single-memory (`GET`/`PUT /v1/memories/{id}/`) shape: list fields plus the lifecycle state. */
export function toDetail(record: MemoryRecord): Record<string, unknown> {
  return { ...toListItem(record), lifecycle_state: record.lifecycleState };
}

/** The search shape: the run id is named `run_id`, plus the score. */
export function toSearchItem(
  record: MemoryRecord,
  score: number,
  breakdown: { semantic: number; bm25: number; entity: number },
): Record<string, unknown> {
  return {
    ...commonFields(record),
    run_id: record.runId,
    score,
    score_breakdown: breakdown,
    expiration_date: record.expirationDate,
    metadata: record.metadata,
    categories: record.categories,
    created_at: formatTimestamp(record.createdAt),
    updated_at: formatTimestamp(record.updatedAt),
  };
}

/** Keeps only the requested fields (the `fields` body option); `id` always stays. */
export function pickFields(item: Record<string, unknown>, fields: unknown): Record<string, unknown> {
  if (!Array.isArray(fields) || fields.length === 0) return item;
  const wanted = new Set(["id", ...fields.filter((f): f is string => typeof f === "string")]);
  return Object.fromEntries(Object.entries(item).filter(([key]) => wanted.has(key)));
}

/** §6.4: a memory whose expiration date is before today (UTC) is expired; unparseable dates fail open. */
export function isExpired(record: MemoryRecord, clock: Clock): boolean {
  if (record.expirationDate === null) return false;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(record.expirationDate)) return false;
  return record.expirationDate < formatDate(clock());
}

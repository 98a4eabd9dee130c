import { type Answer, type Caller, isObject, ok, type SandboxContext } from "./context.js";
import { buildExport } from "./export-builder.js";
import { hasPositiveEntity, matchesFilter, parseFilters } from "./filters.js";
import { errorAnswer } from "./memory-errors.js";
import type { ExportRecord } from "./project-store.js";

const ENTITY_FIELDS = ["user_id", "agent_id", "app_id", "run_id"];

/** §3.14: exports take the structured AND/OR form, with entity fields only. */
function structuredEntityFilter(filters: unknown): boolean {
  if (!isObject(filters)) return false;
  const keys = Object.keys(filters);
  if (keys.length !== 1 || (keys[0] !== "AND" && keys[0] !== "OR")) return false;
  const items = filters[keys[0]];
  return (
    Array.isArray(items) &&
    items.length > 0 &&
    items.every((item) => isObject(item) && Object.keys(item).every((k) => ENTITY_FIELDS.includes(k)))
  );
}

/** POST /v1/exports/: queues an export built from the matching memories. */
export function createExport(ctx: SandboxContext, caller: Caller, body: unknown): Answer {
  const input = isObject(body) ? body : {};
  if (!isObject(input.schema) || Object.keys(input.schema).length === 0)
    return { status: 400, body: { message: "Schema is required and must be a valid object" } };
  if (!structuredEntityFilter(input.filters))
    return errorAnswer(
      400,
      'One of the filters: app_id, user_id, agent_id, run_id, memory_export_id is required! Use the structured form, e.g. {"filters": {"AND": [{"user_id": "alex"}]}}.',
    );
  const parsed = parseFilters(input.filters);
  if (!parsed.ok || !hasPositiveEntity(parsed.filter))
    return errorAnswer(400, parsed.ok ? "Filters must scope an entity id." : parsed.message);
  const record: ExportRecord = {
    id: ctx.ids.uuid(),
    schema: input.schema,
    filters: input.filters as Record<string, unknown>,
    instructions: typeof input.export_instructions === "string" ? input.export_instructions : null,
    status: "PENDING",
    result: null,
    createdAt: ctx.clock(),
  };
  caller.store.exports.push(record);
  const filter = parsed.filter;
  ctx.events.start(caller.store, "EXPORT", { id: record.id, filters: record.filters }, () => {
    const memories = caller.store.allMemories().filter((m) => matchesFilter(m, filter));
    record.result = buildExport(record.schema, memories);
    record.status = "SUCCEEDED";
    return { ok: true, results: [{ id: record.id, memory_count: memories.length }] };
  });
  return {
    status: 201,
    body: {
      message: "Memory export request received. The export will be ready in a few seconds.",
      id: record.id,
    },
  };
}

function exportMatches(record: ExportRecord, filters: Record<string, unknown>): boolean {
  const wanted = Object.entries(filters).filter(([key]) => ENTITY_FIELDS.includes(key));
  const text = JSON.stringify(record.filters);
  return wanted.every(([key, value]) => text.includes(JSON.stringify({ [key]: value }).slice(1, -1)));
}

/** POST /v1/exports/get/: the latest matching export; while it is still building, its status. */
export function getExport(caller: Caller, body: unknown): Answer {
  const input = isObject(body) ? body : {};
  let candidates: ExportRecord[];
  if (typeof input.memory_export_id === "string") {
    candidates = caller.store.exports.filter((e) => e.id === input.memory_export_id);
  } else if (
    isObject(input.filters) &&
    ENTITY_FIELDS.some((k) => isObject(input.filters) && input.filters[k] !== undefined)
  ) {
    const filters = input.filters;
    candidates = caller.store.exports.filter((e) => exportMatches(e, filters));
  } else {
    return {
      status: 400,
      body: { message: "One of the filters: app_id, user_id, agent_id, run_id is required!" },
    };
  }
  const latest = candidates.at(-1);
  if (!latest) return errorAnswer(404, "No memory export request found");
  // Unconfirmed how Mem0 answers before the export is built; the sandbox says so with a status field.
  if (latest.status !== "SUCCEEDED" || !latest.result) return ok({ id: latest.id, status: "PENDING" });
  return ok(latest.result);
}

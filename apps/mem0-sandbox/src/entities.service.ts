import type { FastifyRequest } from "fastify";
import { formatTimestamp } from "./clock.js";
import { type Answer, type Caller, isObject, ok, type SandboxContext } from "./context.js";
import { errorAnswer } from "./memory-errors.js";
import type { MemoryRecord } from "./memory-record.js";
import { deleteLater } from "./memory-write.service.js";
import { INVALID_PAGE, paginate } from "./pagination.js";
import { type EntityRecord, type EntityType, entityKey } from "./project-store.js";

const ENTITY_TYPES: EntityType[] = ["user", "agent", "app", "run"];
const DELETE_IN_PROGRESS = "Delete in progress. This may take some time.";

const FIELD_OF: Record<EntityType, keyof Pick<MemoryRecord, "userId" | "agentId" | "appId" | "runId">> = {
  user: "userId",
  agent: "agentId",
  app: "appId",
  run: "runId",
};

function metadataQuery(query: Record<string, unknown>): Record<string, unknown> | null | "invalid" {
  // The metadata filter arrives either as a JSON string or as deepObject keys (metadata[source]=email).
  const deep = Object.entries(query).filter(([key]) => /^metadata\[[^\]]+\]$/.test(key));
  if (deep.length > 0) return Object.fromEntries(deep.map(([key, value]) => [key.slice(9, -1), value]));
  if (typeof query.metadata !== "string") return null;
  try {
    const parsed: unknown = JSON.parse(query.metadata);
    return isObject(parsed) ? parsed : "invalid";
  } catch {
    return "invalid";
  }
}

/**
 * DELETE /v1/memories/ (§3.10): entity ids from the query string; at least one is required. Concrete values
 * must all match; `*` values select memories that have any of those entity types (all four `*` = the whole
 * project). Runs as an async DELETE_ALL event.
 */
export function deleteAll(ctx: SandboxContext, caller: Caller, query: Record<string, unknown>): Answer {
  const given = ENTITY_TYPES.map((type) => [type, query[`${type}_id`]] as const).filter(
    (pair): pair is readonly [EntityType, string] => typeof pair[1] === "string" && pair[1] !== "",
  );
  if (given.length === 0)
    return errorAnswer(
      400,
      "At least one filter is required: user_id, agent_id, app_id or run_id. To delete every memory in the project pass user_id=*&agent_id=*&app_id=*&run_id=*.",
    );
  const metadata = metadataQuery(query);
  if (metadata === "invalid") return errorAnswer(400, "metadata must be a JSON object.");
  const concrete = given.filter(([, value]) => value !== "*");
  const wildcards = given.filter(([, value]) => value === "*");
  const selected = (record: MemoryRecord): boolean =>
    concrete.every(([type, value]) => record[FIELD_OF[type]] === value) &&
    (wildcards.length === 0 || wildcards.some(([type]) => record[FIELD_OF[type]] !== null)) &&
    Object.entries(metadata ?? {}).every(([key, value]) => String(record.metadata?.[key]) === String(value));
  const event = ctx.events.start(caller.store, "DELETE_ALL", query, () =>
    deleteLater(ctx, caller.store, () => caller.store.allMemories().filter(selected)),
  );
  return ok({ message: DELETE_IN_PROGRESS, event_id: event.id });
}

function entityJson(caller: Caller, entity: EntityRecord): Record<string, unknown> {
  const field = FIELD_OF[entity.type];
  return {
    id: entity.id,
    name: entity.name,
    created_at: formatTimestamp(entity.createdAt),
    updated_at: formatTimestamp(entity.updatedAt),
    owner: caller.binding.username,
    metadata: entity.metadata ?? null,
    type: entity.type,
    total_memories: caller.store.allMemories().filter((m) => m[field] === entity.name).length,
  };
}

/** GET /v1/entities/: every user, agent, app and run, paginated, with totals per type. */
export function listEntities(caller: Caller, request: FastifyRequest): Answer {
  const entities = [...caller.store.entities.values()].sort(
    (a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || Number(a.id) - Number(b.id),
  );
  const page = paginate(request, entities, 100, 1000);
  if (!page.ok) return { status: 404, body: INVALID_PAGE };
  const total = (type: EntityType): number => entities.filter((e) => e.type === type).length;
  return ok({
    ...page.body,
    results: page.body.results.map((e) => entityJson(caller, e)),
    total_users: total("user"),
    total_agents: total("agent"),
    total_apps: total("app"),
    total_runs: total("run"),
  });
}

function entityType(value: string): EntityType | null {
  return (ENTITY_TYPES as string[]).includes(value) ? (value as EntityType) : null;
}

/** GET /v2/entities/{type}/{id}/: an array with the entity. */
export function getEntity(caller: Caller, type: string, name: string): Answer {
  const kind = entityType(type);
  if (!kind) return { status: 400, body: { message: "Invalid entity type" } };
  const entity = caller.store.entities.get(entityKey(kind, name));
  if (!entity) return { status: 404, body: { message: "Entity not found" } };
  return ok([entityJson(caller, entity)]);
}

function deleteEntityLater(ctx: SandboxContext, caller: Caller, entity: EntityRecord): Answer {
  const field = FIELD_OF[entity.type];
  const event = ctx.events.start(
    caller.store,
    `DELETE_${entity.type.toUpperCase()}`,
    { entity_type: entity.type, entity_id: entity.name },
    () => {
      caller.store.entities.delete(entityKey(entity.type, entity.name));
      return deleteLater(ctx, caller.store, () =>
        caller.store.allMemories().filter((m) => m[field] === entity.name),
      );
    },
  );
  return ok({ message: DELETE_IN_PROGRESS, event_id: event.id });
}

/** DELETE /v2/entities/{type}/{id}/: the entity and its memories, asynchronously. */
export function deleteEntity(ctx: SandboxContext, caller: Caller, type: string, name: string): Answer {
  const kind = entityType(type);
  if (!kind) return { status: 400, body: { message: "Invalid entity type" } };
  const entity = caller.store.entities.get(entityKey(kind, name));
  if (!entity) return { status: 404, body: { message: "Entity not found" } };
  return deleteEntityLater(ctx, caller, entity);
}

/** DELETE /v1/entities/{type}/{numeric id}/ (deprecated; the TS client's deleteUser still calls it). */
export function deleteEntityById(ctx: SandboxContext, caller: Caller, type: string, id: string): Answer {
  if (!/^\d+$/.test(id)) return errorAnswer(400, "Invalid entity ID. Must be an integer.");
  const kind = entityType(type);
  if (!kind) return errorAnswer(400, "Invalid entity type");
  const entity = [...caller.store.entities.values()].find((e) => e.id === id && e.type === kind);
  if (!entity) return errorAnswer(404, "Entity not found");
  return deleteEntityLater(ctx, caller, entity);
}

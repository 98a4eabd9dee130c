import type { FastifyRequest } from "fastify";
import { formatTimestamp } from "./clock.js";
import { type Answer, type Caller, isObject, ok } from "./context.js";
import { stableHex } from "./ids.js";
import { errorAnswer } from "./memory-errors.js";
import { historyJson } from "./memory-read.service.js";
import type { MemoryRecord } from "./memory-record.js";
import { INVALID_PAGE, paginate } from "./pagination.js";
import type { EntityType, HistoryEntry } from "./project-store.js";

/**
 * The entity directory: explicit registration (POST /v1/users|agents|apps|runs/), the filter vocabulary
 * (GET /v1/entities/filters/), one entity's memories (GET /v1/memories/{type}/{id}/) and the project-wide
 * change log (GET /v1/memories/events/). api.md §3.13 and §3.20; shapes from openapi.json.
 */

/** The event types /v1/entities/filters/ offers (the spec's example list). */
const EVENT_TYPES = ["ADD", "UPDATE", "DELETE", "SEARCH", "GET_ALL", "GET", "DELETE_ALL", "DELETE_USER"];
/** §1.4: the per-entity list has a fixed page size of 100; the change log defaults to 100 per page. */
const ENTITY_PAGE_SIZE = 100;
const HISTORY_PAGE = { default: 100, max: 1000 } as const;

const FIELD_OF: Record<EntityType, keyof Pick<MemoryRecord, "userId" | "agentId" | "appId" | "runId">> = {
  user: "userId",
  agent: "agentId",
  app: "appId",
  run: "runId",
};

/** The project's internal number, which Mem0 returns as `project` on entity rows. */
function projectNumber(caller: Caller): number {
  return Number.parseInt(stableHex(caller.binding.projectId, 6), 16);
}

/**
 * POST /v1/<kind>s/: 201 with the stored row. The spec documents no error; bad input gets DRF's serializer
 * errors (`{"field": ["..."]}`, what a DRF view answers by default), and an id already in use is refused the
 * same way (UNCONFIRMED: the live service may instead return the existing row).
 */
export function registerEntity(caller: Caller, kind: EntityType, body: unknown, now: Date): Answer {
  const input = isObject(body) ? body : {};
  const idField = `${kind}_id`;
  const errors: Record<string, string[]> = {};
  const id = input[idField];
  if (typeof id !== "string" || id.trim() === "")
    errors[idField] = [id === undefined ? "This field is required." : "This field may not be blank."];
  const needsName = kind !== "user";
  if (needsName && (typeof input.name !== "string" || input.name.trim() === ""))
    errors.name = [input.name === undefined ? "This field is required." : "This field may not be blank."];
  if (input.metadata !== undefined && input.metadata !== null && !isObject(input.metadata))
    errors.metadata = ["Expected a dictionary of items."];
  if (Object.keys(errors).length > 0) return { status: 400, body: errors };

  const entity = caller.store.registerEntity(
    kind,
    String(id),
    {
      displayName: needsName ? String(input.name) : null,
      metadata: isObject(input.metadata) ? input.metadata : {},
    },
    now,
  );
  if (!entity) return { status: 400, body: { [idField]: [`${kind} with this ${kind} id already exists.`] } };
  return {
    status: 201,
    body: {
      id: Number(entity.id),
      [idField]: entity.name,
      ...(needsName ? { name: entity.displayName } : {}),
      metadata: entity.metadata,
      created_at: formatTimestamp(entity.createdAt),
      updated_at: formatTimestamp(entity.updatedAt),
      graph_entities: null,
      is_deleted: false,
      project: projectNumber(caller),
    },
  };
}

function option(value: string): { value: string; label: string } {
  return { value, label: value };
}

/** GET /v1/entities/filters/: what the dashboard's filter form offers for this project. */
export function entityFilters(caller: Caller): Answer {
  const memories = caller.store.allMemories();
  const categories = [...new Set(memories.flatMap((m) => m.categories))].sort();
  const users = [...caller.store.entities.values()]
    .filter((e) => e.type === "user")
    .map((e) => e.name)
    .sort();
  return ok({
    event_type: EVENT_TYPES,
    categories,
    users,
    parameters: [
      {
        name: "event_type",
        label: "Event type",
        type: "select",
        placeholder: "Select an event type",
        options: EVENT_TYPES.map(option),
      },
      {
        name: "user_id",
        label: "User",
        type: "select",
        placeholder: "Select a user",
        options: users.map(option),
      },
      {
        name: "categories",
        label: "Categories",
        type: "multiselect",
        placeholder: "Select categories",
        options: categories.map(option),
      },
    ],
  });
}

/**
 * GET /v1/memories/{entity_type}/{entity_id}/: the entity's memories, newest first, 100 a page. An entity
 * with no memories is an empty page (the spec lists only 400 and 404 for a bad type or page).
 */
export function entityMemories(caller: Caller, type: string, id: string, request: FastifyRequest): Answer {
  if (!(type in FIELD_OF)) return errorAnswer(400, "Invalid entity type");
  const field = FIELD_OF[type as EntityType];
  const memories = caller.store
    .allMemories()
    .filter((m) => m[field] === id)
    .reverse();
  const page = paginate(request, memories, ENTITY_PAGE_SIZE, ENTITY_PAGE_SIZE);
  if (!page.ok) return { status: 404, body: INVALID_PAGE };
  return ok({
    ...page.body,
    results: page.body.results.map((m) => {
      const history = caller.store.history.get(m.id) ?? [];
      return {
        id: m.id,
        memory: m.memory,
        metadata: m.metadata,
        categories: m.categories,
        created_at: formatTimestamp(m.createdAt),
        updated_at: formatTimestamp(m.updatedAt),
        input: history.find((entry) => entry.event === "ADD")?.input ?? [],
        is_updated: history.some((entry) => entry.event === "UPDATE"),
      };
    }),
  });
}

/** GET /v1/memories/events/: every history entry of the project, newest first ("events" is Mem0's name). */
export function memoryChangeLog(caller: Caller, request: FastifyRequest): Answer {
  // Reversed first, so entries of the same millisecond still come newest first (the sort is stable).
  const entries: HistoryEntry[] = [...caller.store.history.values()]
    .flat()
    .reverse()
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const page = paginate(request, entries, HISTORY_PAGE.default, HISTORY_PAGE.max, "limit");
  if (!page.ok) return { status: 404, body: INVALID_PAGE };
  return ok({ ...page.body, results: page.body.results.map(historyJson) });
}

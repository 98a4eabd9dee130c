import type { JsonSchema } from "../format.js";
import { anyOfTypes, nullable } from "../schema-portability.js";
import {
  count,
  flag,
  freeObject,
  listOf,
  optionalText,
  page,
  record,
  text,
  wrappedList,
} from "./output-schema-parts.js";

/**
 * What Mem0 answers, as tool output schemas (MCP 2025-06-18 `outputSchema`), from the response shapes in
 * api.md §1.4-§3.20 and openapi.json. They name the fields a program can rely on and stay open: every object
 * allows fields not listed (Mem0 adds fields over time and its documents disagree on some), and a field the
 * documents mark as sometimes absent or null is neither required nor non-null here. Mem0 answers some reads
 * with a bare array; structuredContent must be an object, so those arrive as {"result": [...]}. Dream and
 * Profiles, which openapi.json predates, are in output-schemas-dream.ts and output-schemas-profiles.ts.
 */

/** `{message}`: most writes answer with a sentence and nothing else. */
export const messageOutput: JsonSchema = record({ message: text }, ["message"]);

const memoryFields: Record<string, JsonSchema> = {
  id: text,
  memory: optionalText,
  user_id: optionalText,
  agent_id: optionalText,
  app_id: optionalText,
  run_id: optionalText,
  session_id: optionalText,
  metadata: nullable(freeObject),
  categories: nullable(listOf(text)),
  created_at: optionalText,
  updated_at: optionalText,
  expiration_date: optionalText,
  score: { type: "number" },
};

/** A memory (api.md §1.6). `fields` may trim it to a few keys, so nothing is required in a list item. */
const memory: JsonSchema = record(memoryFields);

/** One conversation turn as Mem0 echoes the input it extracted from; content is text or a multimodal object. */
const turn: JsonSchema = record({ role: text, content: anyOfTypes(text, freeObject) });

/** An asynchronous job's acknowledgement: the event to poll, and a message. */
const queued: JsonSchema = record({ message: text, event_id: text }, ["event_id"]);

const eventStatus: JsonSchema = { type: "string", description: "PENDING, RUNNING, SUCCEEDED or FAILED." };

const event: JsonSchema = record(
  {
    id: text,
    event_type: text,
    status: eventStatus,
    payload: nullable(freeObject),
    metadata: nullable(freeObject),
    results: nullable(listOf(freeObject)),
    created_at: optionalText,
    updated_at: optionalText,
    started_at: optionalText,
    completed_at: optionalText,
    latency: nullable({ type: "number" }),
    error: nullable(anyOfTypes(text, freeObject)),
  },
  ["id", "status"],
);

const entity: JsonSchema = record(
  {
    id: anyOfTypes(text, { type: "integer" }),
    name: text,
    type: { type: "string", description: "user, agent, app or run." },
    metadata: nullable(freeObject),
    created_at: optionalText,
    updated_at: optionalText,
    total_memories: count,
  },
  ["name", "type"],
);

const historyEntry: JsonSchema = record(
  {
    id: text,
    memory_id: text,
    old_memory: optionalText,
    new_memory: optionalText,
    event: { type: "string", description: "ADD, UPDATE or DELETE." },
    input: nullable(listOf(freeObject)),
    user_id: optionalText,
    agent_id: optionalText,
    app_id: optionalText,
    session_id: optionalText,
    metadata: nullable(freeObject),
    categories: nullable(listOf(text)),
    created_at: optionalText,
    updated_at: optionalText,
  },
  ["memory_id", "event"],
);

const member: JsonSchema = record({ username: text, user_id: text, email: text, role: text });
const members: JsonSchema = record({ members: listOf(member) }, ["members"]);

const organization: JsonSchema = record(
  { org_id: text, name: text, members: listOf(member), created_at: optionalText, updated_at: optionalText },
  ["org_id", "name"],
);

// `fields` can trim a project to the keys asked for, so a project read requires nothing.
const project: JsonSchema = record({
  project_id: text,
  name: text,
  description: optionalText,
  custom_instructions: nullable(anyOfTypes(text, listOf(text))),
  custom_categories: nullable(listOf(freeObject)),
  multilingual: flag,
  decay: flag,
  members: listOf(member),
  created_at: optionalText,
  updated_at: optionalText,
});

const webhook: JsonSchema = record(
  {
    // Mem0's documents show "wh_123" while its Python SDK types an integer (api.md §3.19).
    webhook_id: anyOfTypes(text, { type: "integer" }),
    name: text,
    url: text,
    event_types: listOf(text),
    is_active: flag,
    project: optionalText,
    created_at: optionalText,
    updated_at: optionalText,
  },
  ["webhook_id", "url"],
);

/**
 * A registered user, agent, app or run (POST /v1/<kind>s/, openapi.json): the row as stored. Users have no
 * name. The spec types `id` and `project` as integers where other entity reads carry string ids, so both
 * spellings pass; `graph_entities` has no type in the spec and is left to the open object.
 */
function registered(kind: "user" | "agent" | "app" | "run"): JsonSchema {
  const idField = `${kind}_id`;
  return record(
    {
      id: anyOfTypes({ type: "integer" }, text),
      [idField]: text,
      ...(kind === "user" ? {} : { name: text }),
      metadata: nullable(freeObject),
      is_deleted: flag,
      project: anyOfTypes({ type: "integer" }, text),
      created_at: optionalText,
      updated_at: optionalText,
    },
    ["id", idField],
  );
}

/** One choice of a dashboard filter. */
const filterOption: JsonSchema = record({ value: text, label: text });

/** GET /v1/entities/filters/: what the dashboard's filter form offers. */
const entityFilters: JsonSchema = record({
  event_type: listOf(text),
  // The spec leaves the items untyped; the dashboard shows category names.
  categories: listOf(anyOfTypes(text, freeObject)),
  users: listOf(text),
  parameters: listOf(
    record({ name: text, label: text, type: text, placeholder: text, options: listOf(filterOption) }),
  ),
});

/** A memory as one entity's list shows it: the memory, what it came from and whether it changed since. */
const entityMemory: JsonSchema = record({ ...memoryFields, input: listOf(turn), is_updated: flag }, [
  "id",
  "memory",
]);

/** Output schemas of the Mem0 tools whose answer has a documented shape, by resource and method. */
export const mem0Outputs = {
  memories: {
    list: page(memory),
    search: record({ results: listOf(memory) }, ["results"]),
    create: record({ event_id: text, status: eventStatus, message: text, results: listOf(freeObject) }, [
      "status",
    ]),
    get: memory,
    update: memory,
    delete: record({ message: text, cascade_count: count }, ["message"]),
    bulk_update: messageOutput,
    bulk_delete: messageOutput,
    delete_all: queued,
    feedback: record({
      id: text,
      feedback: nullable({ type: "string", enum: ["POSITIVE", "NEGATIVE", "VERY_NEGATIVE"] }),
      feedback_reason: optionalText,
      message: text,
    }),
  },
  memoryHistory: {
    list: wrappedList(historyEntry, "The memory's versions, oldest first."),
  },
  events: { list: page(event), get: event },
  exports: { create: record({ message: text, id: text }, ["id"]) },
  users: { create: registered("user") },
  agents: { create: registered("agent") },
  apps: { create: registered("app") },
  runs: { create: registered("run") },
  entityFilters: { list: entityFilters },
  entityMemories: { list: page(entityMemory) },
  memoryEvents: { list: page(historyEntry) },
  account: {
    ping: record({ status: text, org_id: text, project_id: text, user_email: text }, [
      "status",
      "org_id",
      "project_id",
    ]),
  },
  entities: {
    list: page(entity, { total_users: count, total_agents: count, total_apps: count, total_runs: count }),
    get: wrappedList(entity, "The entity (Mem0 answers with a list of one)."),
    delete: queued,
  },
  stats: {
    list: record({
      total_memories: count,
      total_add_events: count,
      total_retrieval_events: count,
      total_users_with_memories: count,
      total_agents_with_memories: count,
      total_runs_with_memories: count,
    }),
  },
  organizations: {
    list: wrappedList(organization, "The organizations the key can see."),
    create: record({ message: text, org_id: text }, ["org_id"]),
    get: organization,
    delete: messageOutput,
  },
  members: { list: members, change: messageOutput },
  projects: {
    list: wrappedList(project, "The organization's projects."),
    create: record({ message: text, project_id: text }, ["project_id"]),
    get: project,
    update: messageOutput,
    delete: messageOutput,
  },
  webhooks: {
    list: wrappedList(webhook, "The project's webhooks."),
    create: webhook,
    update: messageOutput,
    delete: messageOutput,
  },
} as const;

import { LIMITS } from "@mcp-gateway/core";
import type { DocumentationRecord } from "../../format.js";

const ACCOUNT_SCOPE =
  "Covers the connected account's organization and project; never pass org_id or project_id.";

export const eventsDocs = {
  list: {
    title: "List events",
    description:
      "Lists recent operations in the project (adds, searches, list calls, deletes) with their status and " +
      "timing, newest first. Use it to audit activity or to find an event id you lost. " +
      ACCOUNT_SCOPE,
    parameters: {
      page: "Page number, starting at 1.",
      page_size: "Events per page.",
    },
    example: { page: 1 },
    returns:
      "count, next, previous and results (id, event_type, status, payload, results, created_at, latency).",
  },
  get: {
    title: "Get an event",
    description:
      "Reads one background operation, usually the event_id returned by create_a_mem_0_memory or a delete-all. " +
      "status is PENDING or RUNNING while it works, then SUCCEEDED or FAILED; results lists what it produced " +
      "(for an add: the memories created; an empty list means nothing new was stored). Instead of calling " +
      `this in a loop, pass wait_seconds (up to ${LIMITS.eventWaitSecondsMax}) and the gateway waits until the ` +
      "event finishes or the time is up, then returns the latest state. " +
      ACCOUNT_SCOPE,
    parameters: {
      id: "The event's id (the event_id another call returned).",
      wait_seconds: `Optional, 0 to ${LIMITS.eventWaitSecondsMax}: wait up to this long for SUCCEEDED or FAILED before answering.`,
    },
    example: { id: "0b7c9d2e-1f3a-4b5c-8d6e-7f8a9b0c1d2e", wait_seconds: 10 },
    returns: "id, event_type, status, payload, results, error, created_at, completed_at.",
  },
} satisfies Record<string, DocumentationRecord>;

export const exportsDocs = {
  create: {
    title: "Start a memory export",
    description:
      "Starts an export that reshapes a set of memories into a JSON structure you describe with a JSON Schema " +
      "(for example a profile with name, diet and allergies). It runs in the background: keep the returned id " +
      "and read the result with get_single_mem_0_export_by_id a few seconds later. Filters must use the " +
      'structured form, e.g. {"filters": {"AND": [{"user_id": "alice"}]}}; a flat {"user_id": "alice"} is ' +
      "refused. " +
      ACCOUNT_SCOPE,
    parameters: {
      schema: "A JSON Schema object describing the shape to fill from the memories.",
      filters: 'Which memories to export, as {"AND": [...]} or {"OR": [...]} of entity conditions.',
      export_instructions: "Extra guidance on how to fill the schema.",
    },
    example: {
      schema: { type: "object", properties: { diet: { type: "string" }, allergies: { type: "array" } } },
      filters: { AND: [{ user_id: "alice" }] },
    },
    returns: "id of the export and a message saying it is being prepared.",
  },
  get: {
    title: "Get a memory export",
    description:
      "Reads the result of an export started with create_a_mem_0_export. If the export is still running, try " +
      "again a little later. " +
      ACCOUNT_SCOPE,
    parameters: { id: "The export id returned by create_a_mem_0_export." },
    example: { id: "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f" },
    returns: "the exported object, shaped by the schema given at creation.",
  },
} satisfies Record<string, DocumentationRecord>;

export const entitiesDocs = {
  list: {
    title: "List entities",
    description:
      "Lists the users, agents, apps and runs that have memories in the project, with totals per kind. Use it to " +
      "discover which ids exist before filtering memories. " +
      ACCOUNT_SCOPE,
    parameters: { page: "Page number, starting at 1.", page_size: "Entities per page." },
    example: { page: 1, page_size: 50 },
    returns:
      "count, next, previous, results (id, name, type, created_at, ...) and total_users/agents/apps/runs.",
  },
  get: {
    title: "Get an entity",
    description: `Reads one user, agent, app or run by its kind and id (the name used in filters). ${ACCOUNT_SCOPE}`,
    parameters: {
      entity_type: "user, agent, app or run.",
      id: 'The entity\'s id as used in memories, e.g. "alice".',
    },
    example: { entity_type: "user", id: "alice" },
    returns: "an array with the matching entity: id, name, type, metadata, created_at, updated_at.",
  },
  delete: {
    title: "Delete an entity",
    description:
      "Deletes a user, agent, app or run together with all of its memories. Deletion runs in the background; the " +
      "returned event_id can be polled with get_single_mem_0_event_by_id. This cannot be undone. " +
      ACCOUNT_SCOPE,
    parameters: {
      entity_type: "user, agent, app or run.",
      id: 'The entity\'s id as used in memories, e.g. "alice".',
    },
    example: { entity_type: "user", id: "alice" },
    returns: "a message and the event_id of the background deletion.",
  },
} satisfies Record<string, DocumentationRecord>;

export const statsDocs = {
  list: {
    title: "Get usage statistics",
    description:
      "Reports totals for the project: memories stored, add and retrieval events, the retrieval quota, and how " +
      "many users, agents and runs have memories. " +
      ACCOUNT_SCOPE,
    parameters: {},
    example: {},
    returns:
      "total_memories, total_add_events, total_retrieval_events, total_retrieval_events_limit, total_users_with_memories, ...",
  },
} satisfies Record<string, DocumentationRecord>;

import type { ScopeRule, ScopeSupport } from "../format.js";
import { ENTITY_ID_FIELDS } from "./schemas.js";

/**
 * Which Mem0 tools a URL pinned to entities (`config.scope`) may offer, and how each is kept inside the scope.
 * One row per tool. A tool missing here is not offered on a scoped URL: that is the safe default for a tool
 * added later, until someone decides how (or whether) it can be confined.
 *
 * The tools decided to stay off scoped URLs are in MEM0_NOT_OFFERED_WHEN_SCOPED with the reason.
 */
export const MEM0_SCOPE_RULES: Readonly<Record<string, ScopeRule>> = {
  list_all_mem_0_memories: { kind: "filters", argument: "filters", form: "nested" },
  mem_0_memories_search: { kind: "filters", argument: "filters", form: "nested" },
  mem_0_memories_summary: { kind: "filters", argument: "filters", form: "nested" },
  create_a_mem_0_export: {
    kind: "filters",
    argument: "filters",
    form: "structured",
    remembers: { kind: "exports", idField: "id" },
  },
  // An export's content does not say whose memories it holds: only the scoped URL that made it reads it back.
  get_single_mem_0_export_by_id: {
    kind: "remembered",
    idArgument: "id",
    remembered: "exports",
    // api.md §3.14: an unknown export id answers 404 {"error": "No memory export request found"}.
    notFound: { status: 404, body: { error: "No memory export request found" } },
  },
  // Both answer an event to poll; the event is readable through the scoped URL that caused it, and no other.
  create_a_mem_0_memory: { kind: "entity_arguments", remembers: { kind: "events", idField: "event_id" } },
  mem_0_memories_delete_all: {
    kind: "entity_arguments",
    remembers: { kind: "events", idField: "event_id" },
    // api.md §3.10 describes the query ids per entity type (a wipe needs all four `*`) and never says several
    // concrete ids must all hold, so user_id + agent_id might delete beyond the scope: not on multi-key scopes.
    singleKeyOnly:
      "Mem0 does not document that delete-all applies several entity ids together, so it could delete beyond the scope. Use a URL scoped to a single key, or list the memories here and delete them by id with mem_0_memories_bulk_delete.",
  },
  // An event's payload is not a documented shape to check entities against: only events this URL caused.
  get_single_mem_0_event_by_id: {
    kind: "remembered",
    idArgument: "id",
    remembered: "events",
    // api.md §3.12: an unknown event id answers 404 with this body.
    notFound: {
      status: 404,
      body: { error: "Event not found or you don't have permission to access it." },
    },
  },
  get_single_mem_0_memory_by_id: { kind: "record", idArgument: "id" },
  update_a_mem_0_memory_by_id: { kind: "record", idArgument: "id" },
  // delete_linked also deletes the memories this one superseded (api.md §3.8), which nothing here can check.
  delete_a_mem_0_memory_by_id: { kind: "record", idArgument: "id", reachesOtherRecords: ["delete_linked"] },
  list_all_mem_0_memory_history: { kind: "record", idArgument: "memory_id" },
  mem_0_memories_feedback: { kind: "record", idArgument: "memory_id" },
  mem_0_memories_bulk_update: { kind: "records", argument: "memories", idField: "memory_id" },
  mem_0_memories_bulk_delete: { kind: "records", argument: "memories", idField: "memory_id" },
};

const ADMINISTRATION = "account administration, not an entity's memories";
const ACROSS_ENTITIES = "lists or counts every entity of the project";
const EVENTS = "lists the events of every entity (one event this URL caused is readable by id)";
const PROJECT_WIDE =
  "reads or changes settings and consolidation of the whole project, every entity's memories";
const REGISTRATION =
  "registers an entity in the project; a scope confines memories, not the project's entity list";
const ONE_ENTITY_PATH =
  "names its entity in the path, which a multi-key scope cannot pin; list_all_mem_0_memories with the scope lists a scoped user's memories";
const WHOLE_USER_PROFILE =
  "a profile is drawn from all of a user's memories, beyond what a multi-key scope allows";
const WHOLE_ENTITY =
  "an entity spans memories a multi-key scope excludes; delete-all on a single-key scope removes a scoped user's memories instead";

/** The Mem0 tools a scoped URL never offers, with the reason each cannot be confined. */
export const MEM0_NOT_OFFERED_WHEN_SCOPED: Readonly<Record<string, string>> = {
  list_all_mem_0_organizations: ADMINISTRATION,
  create_a_mem_0_organization: ADMINISTRATION,
  get_single_mem_0_organization_by_id: ADMINISTRATION,
  delete_a_mem_0_organization_by_id: ADMINISTRATION,
  list_all_mem_0_organization_members: ADMINISTRATION,
  create_a_mem_0_organization_member: ADMINISTRATION,
  update_a_mem_0_organization_member_by_id: ADMINISTRATION,
  delete_a_mem_0_organization_member_by_id: ADMINISTRATION,
  list_all_mem_0_projects: ADMINISTRATION,
  create_a_mem_0_project: ADMINISTRATION,
  get_single_mem_0_project_by_id: ADMINISTRATION,
  update_a_mem_0_project_by_id: ADMINISTRATION,
  delete_a_mem_0_project_by_id: ADMINISTRATION,
  list_all_mem_0_project_members: ADMINISTRATION,
  create_a_mem_0_project_member: ADMINISTRATION,
  update_a_mem_0_project_member_by_id: ADMINISTRATION,
  delete_a_mem_0_project_member_by_id: ADMINISTRATION,
  list_all_mem_0_webhooks: ADMINISTRATION,
  create_a_mem_0_webhook: ADMINISTRATION,
  update_a_mem_0_webhook_by_id: ADMINISTRATION,
  delete_a_mem_0_webhook_by_id: ADMINISTRATION,
  list_all_mem_0_entities: ACROSS_ENTITIES,
  list_all_mem_0_stats: ACROSS_ENTITIES,
  list_all_mem_0_events: EVENTS,
  get_single_mem_0_entity_by_id: WHOLE_ENTITY,
  delete_a_mem_0_entity_by_id: WHOLE_ENTITY,
  create_a_mem_0_user: REGISTRATION,
  create_a_mem_0_agent: REGISTRATION,
  create_a_mem_0_app: REGISTRATION,
  create_a_mem_0_run: REGISTRATION,
  list_all_mem_0_entity_filters: ACROSS_ENTITIES,
  list_all_mem_0_memory_events: EVENTS,
  list_all_mem_0_entity_memories: ONE_ENTITY_PATH,
  mem_0_account_ping: ADMINISTRATION,
  get_single_mem_0_dream_config_by_id: PROJECT_WIDE,
  update_a_mem_0_dream_config_by_id: PROJECT_WIDE,
  list_all_mem_0_dream_stats: PROJECT_WIDE,
  list_all_mem_0_dream_activity: PROJECT_WIDE,
  list_all_mem_0_dream_runs: PROJECT_WIDE,
  list_all_mem_0_dream_run_memories: PROJECT_WIDE,
  list_all_mem_0_dream_memory_sources: PROJECT_WIDE,
  mem_0_dream_preview: PROJECT_WIDE,
  get_single_mem_0_profile_by_id: WHOLE_USER_PROFILE,
  get_single_mem_0_profile_settings_by_id: PROJECT_WIDE,
  update_a_mem_0_profile_settings_by_id: PROJECT_WIDE,
  create_a_mem_0_profile_job: "starts profile jobs that may sample or rebuild any user's profile",
  get_single_mem_0_profile_job_by_id: "a profile job belongs to the project, not to one entity",
};

/** Mem0's scope support: the four entity ids, the rules above, and how a memory is read by id. */
export const mem0Scope: ScopeSupport = {
  keys: ENTITY_ID_FIELDS,
  rules: MEM0_SCOPE_RULES,
  notOffered: MEM0_NOT_OFFERED_WHEN_SCOPED,
  recordLookup: {
    tool: "get_single_mem_0_memory_by_id",
    // The run id is `session_id` on GET /v1/memories/{id}/ and `run_id` on search (api.md §1.6).
    fields: {
      user_id: ["user_id"],
      agent_id: ["agent_id"],
      app_id: ["app_id"],
      run_id: ["run_id", "session_id"],
    },
    // api.md §3.6-3.8: get, update and delete of an unknown memory answer 404 {"error": "Memory not found!"}.
    notFound: { status: 404, body: { error: "Memory not found!" } },
  },
};

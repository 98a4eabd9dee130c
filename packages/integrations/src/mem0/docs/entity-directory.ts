import type { DocumentationRecord } from "../../format.js";

const ACCOUNT_SCOPE =
  "Covers the connected account's organization and project; never pass org_id or project_id.";

const ENTITY_ROW =
  "the stored row: id (Mem0's internal number), the entity's id, name, metadata, created_at, updated_at, " +
  "is_deleted, project.";

/** One create record per entity kind: they differ only in the id field and whether a name is asked for. */
function createEntityDocs(
  kind: "agent" | "app" | "run",
  example: string,
  label: string,
): DocumentationRecord {
  return {
    title: `Register ${kind === "app" ? "an" : "a"} ${kind}`,
    description:
      `Registers ${label} by id before it has any memories, with a display name and optional metadata. Adding ` +
      `memories with this ${kind}_id also creates it implicitly, so use this only to name it up front. ` +
      ACCOUNT_SCOPE,
    parameters: {
      [`${kind}_id`]: `The ${kind}'s id, as later used in ${kind}_id filters.`,
      name: "A display name.",
      metadata: "Key/value pairs kept on the entity.",
    },
    example: { [`${kind}_id`]: example, name: `${example} (display name)` },
    returns: ENTITY_ROW,
  };
}

export const usersDocs = {
  create: {
    title: "Register a user",
    description:
      "Registers an end user by id before they have any memories, optionally with metadata. Adding memories " +
      "with this user_id also creates the user implicitly, so use this only to set them up ahead of time. " +
      ACCOUNT_SCOPE,
    parameters: {
      user_id: "The user's id, as later used in user_id filters.",
      metadata: "Key/value pairs kept on the user.",
    },
    example: { user_id: "alice", metadata: { plan: "pro" } },
    returns: ENTITY_ROW,
  },
} satisfies Record<string, DocumentationRecord>;

export const agentsDocs = { create: createEntityDocs("agent", "travel-bot", "an AI agent") };
export const appsDocs = { create: createEntityDocs("app", "support-app", "an application") };
export const runsDocs = { create: createEntityDocs("run", "session-42", "a run (one session or task)") };

export const entityFiltersDocs = {
  list: {
    title: "List filter values",
    description:
      "Lists the values the project's data can be filtered on: the event types, the memory categories in use and " +
      "the user ids that have memories, plus the field definitions Mem0's dashboard builds its filter form from. " +
      "Use it to learn which categories or users exist before filtering. " +
      ACCOUNT_SCOPE,
    parameters: {},
    example: {},
    returns:
      "event_type, categories, users (arrays) and parameters (name, label, type, placeholder, options).",
  },
} satisfies Record<string, DocumentationRecord>;

export const entityMemoriesDocs = {
  list: {
    title: "List one entity's memories",
    description:
      "Lists every memory of one user, agent, app or run, 100 per page, without filters or search. Use it for a " +
      "quick full read of one entity; list_all_mem_0_memories offers filters, dates and page sizes. " +
      ACCOUNT_SCOPE,
    parameters: {
      entity_type: "user, agent, app or run.",
      entity_id: 'The entity\'s id as used in memories, e.g. "alice".',
      page: "Page number, starting at 1 (100 memories per page).",
    },
    example: { entity_type: "user", entity_id: "alice" },
    returns:
      "count, next, previous and results (id, memory, metadata, categories, created_at, updated_at, input, is_updated).",
  },
} satisfies Record<string, DocumentationRecord>;

export const memoryEventsDocs = {
  list: {
    title: "List memory changes",
    description:
      "Lists every change to any memory in the project (each ADD, UPDATE and DELETE with the old and new text), " +
      "across all entities. Despite Mem0's path name these are history entries, not the background jobs of " +
      "list_all_mem_0_events. For one memory's changes use list_all_mem_0_memory_history. " +
      ACCOUNT_SCOPE,
    parameters: {
      page: "Page number, starting at 1.",
      limit: "Entries per page (Mem0's default is 100).",
    },
    example: { page: 1, limit: 50 },
    returns:
      "count, next, previous and results (id, memory_id, event, old_memory, new_memory, user_id, agent_id, input, created_at, ...).",
  },
} satisfies Record<string, DocumentationRecord>;

export const accountDocs = {
  ping: {
    title: "Check the connection",
    description:
      "Checks that the connected API key works and names the organization and project it belongs to. Use it to " +
      "diagnose authentication problems or to learn the account's ids.",
    parameters: {},
    example: {},
    returns: "status, org_id, project_id and user_email.",
  },
} satisfies Record<string, DocumentationRecord>;

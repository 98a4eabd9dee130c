import type { DocumentationRecord } from "../../format.js";

/** How entity ids nest in filters; repeated in every tool that takes filters so a model sees it in place. */
const NESTING_RULE =
  'Entity ids (user_id, agent_id, app_id, run_id) go only inside "filters", never as top-level arguments: ' +
  'write {"filters": {"user_id": "alice"}}, not {"user_id": "alice"}. Filters also accept AND/OR/NOT, e.g. ' +
  '{"filters": {"AND": [{"user_id": "alice"}, {"created_at": {"gte": "2026-01-01"}}]}}. ' +
  "Memories extracted from assistant messages carry agent_id rather than user_id, so to see both sides use OR: " +
  '{"OR": [{"user_id": "alice"}, {"agent_id": "travel-bot"}]}.';

const ENTITY_SCOPE =
  "The organization and project come from the connected account; never pass org_id or project_id.";

export const memoriesDocs = {
  create: {
    title: "Add memories",
    description:
      "Stores new memories from a conversation. Give either messages (the conversation) or text (one plain " +
      'string, sent as a single user message: {"text": "I\'m vegetarian"} is {"messages": [{"role": "user", ' +
      '"content": "I\'m vegetarian"}]}), exactly one of the two. ' +
      "Mem0 reads the messages and extracts the facts worth keeping; it " +
      "only adds, it never overwrites an existing memory. Processing is asynchronous: the call returns at once " +
      "with an event_id and status PENDING. Poll get_single_mem_0_event_by_id with that id (pass wait_seconds to " +
      "let the gateway wait for you) until the status is SUCCEEDED or FAILED; the event's results list the " +
      "memories actually created (an empty list means nothing new was worth storing). Until then, list and search " +
      "may not show the new memories: reads lag behind writes. Scope the memories with at least one top-level " +
      "user_id, agent_id, app_id or run_id (on this tool they are top-level arguments, unlike list and search). " +
      "Set infer to false to store each message verbatim; that path is synchronous. " +
      ENTITY_SCOPE,
    parameters: {
      messages:
        'The conversation to learn from: [{"role": "user"|"assistant"|"system", "content": "..."}]. Give this or ' +
        "text, not both.",
      text: "One plain string to remember, sent as a single user message. Give this or messages, not both.",
      user_id: "The user these memories belong to.",
      agent_id: "The agent these memories belong to.",
      app_id: "The application these memories belong to.",
      run_id: "The run or session these memories belong to.",
      metadata: "Key/value pairs copied onto every extracted memory, usable later in filters.",
      infer:
        "Default true (extract facts, asynchronously). false stores the messages verbatim and synchronously.",
      expiration_date: "YYYY-MM-DD after which the memories stop appearing in list and search.",
      custom_instructions: "Extra guidance for this call on what to extract or ignore.",
      custom_categories:
        'Categories for this call only, as [{"name": "description"}], replacing the project\'s list.',
      timestamp: "Unix seconds to back-date the memories' creation time.",
    },
    example: {
      text: "I'm vegetarian and allergic to peanuts.",
      user_id: "alice",
      metadata: { source: "onboarding" },
    },
    returns: "event_id and status (PENDING while processing; SUCCEEDED with results when infer is false).",
  },
  list: {
    title: "List memories",
    description:
      "Lists stored memories that match a filter, newest pages first, 100 per page by default (page_size up to 200). " +
      "Use it to browse or audit everything known about a user, agent, app or run; use mem_0_memories_search " +
      "instead when you have a question to answer. " +
      NESTING_RULE +
      " Expired memories are hidden unless show_expired is true. " +
      ENTITY_SCOPE,
    parameters: {
      filters:
        'Required. Which memories to list; must name at least one of user_id, agent_id, app_id, run_id, e.g. {"user_id": "alice"}.',
      page: "Page number, starting at 1.",
      page_size: "Memories per page, 1 to 200 (default 100).",
      show_expired: "Include memories past their expiration date.",
      start_date: "Only memories created on or after this YYYY-MM-DD.",
      end_date: "Only memories created on or before this YYYY-MM-DD.",
      categories: "Only memories in any of these categories.",
      fields: "Return only these fields of each memory.",
      keywords: "Only memories whose text contains this substring.",
    },
    example: { filters: { user_id: "alice" }, page: 1, page_size: 50 },
    returns:
      "count, next, previous and results (id, memory, user_id, agent_id, metadata, categories, created_at, ...).",
  },
  search: {
    title: "Search memories",
    description:
      "Finds the memories most relevant to a natural-language query (semantic plus keyword ranking), best first. " +
      "Use it before answering a question that may depend on what is known about the user. " +
      NESTING_RULE +
      " " +
      ENTITY_SCOPE,
    parameters: {
      query: "What to look for, in plain words.",
      filters:
        'Required. Whose memories to search; must name at least one of user_id, agent_id, app_id, run_id, e.g. {"user_id": "alice"}.',
      top_k: "How many memories to return, 1 to 1000 (default 10).",
      threshold: "Minimum relevance score from 0 to 1 (default 0.1; 0 disables it).",
      rerank: "Re-rank the hits with a slower, more precise model.",
      show_expired: "Include memories past their expiration date.",
      fields: "Return only these fields of each memory.",
      categories: "Only memories in any of these categories.",
      metadata: "Only memories whose metadata has these key/value pairs.",
    },
    example: { query: "What does Alice eat?", filters: { user_id: "alice" }, top_k: 5 },
    returns: "results: memories with id, memory, score, user_id, agent_id, metadata, categories, created_at.",
  },
  get: {
    title: "Get a memory",
    description:
      "Reads one memory by its id, including expired ones. Use it after list or search when you need every field " +
      "of a specific memory. " +
      ENTITY_SCOPE,
    parameters: { id: "The memory's id (a UUID from list, search or an add event's results)." },
    example: { id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b" },
    returns:
      "the memory: id, memory, user_id, agent_id, app_id, metadata, categories, created_at, updated_at.",
  },
  update: {
    title: "Update a memory",
    description:
      "Changes one memory's text, metadata or expiration date. The previous version stays in the memory's history. " +
      "Give at least one of text, metadata, expiration_date. " +
      ENTITY_SCOPE,
    parameters: {
      id: "The memory's id (a UUID).",
      text: "The new text of the memory.",
      metadata: "New metadata; replaces the old metadata.",
      expiration_date: "New expiration date as YYYY-MM-DD, or null to never expire.",
    },
    example: { id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b", text: "Alice is vegan." },
    returns: "the updated memory.",
  },
  delete: {
    title: "Delete a memory",
    description:
      "Permanently deletes one memory. With delete_linked, also deletes the older memories it superseded. " +
      "This cannot be undone. " +
      ENTITY_SCOPE,
    parameters: {
      id: "The memory's id (a UUID).",
      delete_linked: "Also delete the older memories this one replaced.",
    },
    example: { id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b" },
    returns: "a confirmation message.",
  },
  bulk_update: {
    title: "Update many memories",
    description:
      "Updates the text or metadata of up to 1000 memories in one call. Use it instead of many single updates. " +
      ENTITY_SCOPE,
    parameters: {
      memories: 'The changes: [{"memory_id": "<uuid>", "text": "...", "metadata": {...}}], 1 to 1000 items.',
    },
    example: { memories: [{ memory_id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b", text: "Alice is vegan." }] },
    returns: "a message saying how many memories were updated.",
  },
  bulk_delete: {
    title: "Delete many memories",
    description: `Permanently deletes up to 1000 memories by id in one call. This cannot be undone. ${ENTITY_SCOPE}`,
    parameters: { memories: 'The memories to delete: [{"memory_id": "<uuid>"}], 1 to 1000 items.' },
    example: { memories: [{ memory_id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b" }] },
    returns: "a message saying how many memories were deleted.",
  },
  delete_all: {
    title: "Delete all memories of an entity",
    description:
      "Permanently deletes every memory of the given user, agent, app or run. Here the entity ids are top-level " +
      'arguments; "*" means every entity of that kind (e.g. user_id "*" deletes all users\' memories). At least ' +
      "one is required. Deletion runs in the background; the returned event_id can be polled with " +
      "get_single_mem_0_event_by_id. This cannot be undone. " +
      ENTITY_SCOPE,
    parameters: {
      user_id: 'Delete this user\'s memories ("*" for all users).',
      agent_id: 'Delete this agent\'s memories ("*" for all agents).',
      app_id: 'Delete this app\'s memories ("*" for all apps).',
      run_id: 'Delete this run\'s memories ("*" for all runs).',
    },
    example: { user_id: "alice" },
    returns: "a message and the event_id of the background deletion.",
  },
  feedback: {
    title: "Rate a memory",
    description:
      "Records whether a memory was useful, to improve future extraction. Send feedback null (and no reason) to " +
      "clear earlier feedback. " +
      ENTITY_SCOPE,
    parameters: {
      memory_id: "The memory being rated (a UUID).",
      feedback: "POSITIVE, NEGATIVE, VERY_NEGATIVE, or null to clear.",
      feedback_reason: "Why, in a sentence.",
    },
    example: { memory_id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b", feedback: "POSITIVE" },
    returns: "id, feedback and feedback_reason as stored.",
  },
  summary: {
    title: "Summarize memories",
    description:
      "Produces a summary of the memories that match a filter, for a quick overview of what is known about " +
      'someone. Filters may be flat ({"user_id": "alice"}) or use AND/OR. ' +
      ENTITY_SCOPE,
    parameters: { filters: 'Required. Which memories to summarize, e.g. {"user_id": "alice"}.' },
    example: { filters: { user_id: "alice" } },
    returns: "the summary as produced by Mem0.",
  },
} satisfies Record<string, DocumentationRecord>;

export const memoryHistoryDocs = {
  list: {
    title: "List a memory's history",
    description:
      "Shows how one memory changed over time: each entry records the event (ADD, UPDATE or DELETE), the old and " +
      "new text, and when. Use it to explain why a memory reads the way it does. " +
      ENTITY_SCOPE,
    parameters: { memory_id: "The memory's id (a UUID)." },
    example: { memory_id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b" },
    returns: "an array of history entries: id, memory_id, event, old_memory, new_memory, created_at.",
  },
} satisfies Record<string, DocumentationRecord>;

import type { DocumentationRecord } from "../../format.js";

/** Dream is Mem0's project-level consolidation: merging, superseding and synthesizing memories. */
const DREAM =
  "Dream is Mem0's background consolidation of the project's memories: duplicates are merged, outdated facts " +
  "superseded, and, when reflection is on, recurring facts about a user (20 memories or more) are synthesized " +
  "into pattern memories on a schedule. It needs a Pro or Enterprise plan (403 with upgrade_required otherwise).";
const OWN_PROJECT =
  "The organization and project are the connected account's own; org_id and project_id are never arguments.";
const PAGING = {
  cursor: "The next_cursor of the previous page, to read the next one.",
};

export const dreamConfigDocs = {
  get: {
    title: "Get Dream settings",
    description: `Reads whether reflection (synthesis) is on for the project, since when, and what the plan allows. ${DREAM} ${OWN_PROJECT}`,
    parameters: {},
    example: {},
    returns:
      "config (reflection_enabled, reflection_enabled_at, reflection_mode) and entitlements (plan, reflection_interval_days, features).",
  },
  update: {
    title: "Change Dream settings",
    description:
      "Turns reflection on or off for the project, or switches its mode. Reflection only considers memories " +
      "created after it was turned on. Only organization owners may change it. Give at least one setting. " +
      `${OWN_PROJECT}`,
    parameters: {
      reflection_enabled: "true to synthesize pattern memories on the plan's schedule, false to stop.",
      reflection_mode: "batch (the default schedule) or direct.",
    },
    example: { reflection_enabled: true },
    returns: "the settings after the change, shaped as get_single_mem_0_dream_config_by_id returns them.",
  },
} satisfies Record<string, DocumentationRecord>;

export const dreamStatsDocs = {
  list: {
    title: "Get Dream statistics",
    description: `Counts the project's memories by lifecycle state and tells when consolidation last ran and runs next. ${OWN_PROJECT}`,
    parameters: {},
    example: {},
    returns:
      "active, merged, superseded, synthesized (counts), last_run_at, processed_through, running, next_run_at.",
  },
} satisfies Record<string, DocumentationRecord>;

export const dreamActivityDocs = {
  list: {
    title: "List Dream merges and supersedes",
    description:
      "Lists memories that consolidation retired, newest first: each one merged into a duplicate or superseded " +
      `by a newer fact, with what replaced it. Synthesized patterns are listed by list_all_mem_0_dream_runs. ${OWN_PROJECT}`,
    parameters: { limit: "Entries per page, 1 to 200 (default 50).", ...PAGING },
    example: { limit: 20 },
    returns:
      "results (memory_id, text, transition, at, replaced_by) and next_cursor (null on the last page).",
  },
} satisfies Record<string, DocumentationRecord>;

export const dreamRunsDocs = {
  list: {
    title: "List Dream runs",
    description:
      "Lists reflection runs, newest first, each with the pattern memories it synthesized and the memories they " +
      "were drawn from. When a run has has_more true, read the rest with list_all_mem_0_dream_run_memories. " +
      OWN_PROJECT,
    parameters: { limit: "Runs per page, 1 to 100 (default 20).", ...PAGING },
    example: { limit: 5 },
    returns:
      "results (run_id, at, count, synthesized [id, text, sources], has_more, mem_cursor, sources) and next_cursor.",
  },
} satisfies Record<string, DocumentationRecord>;

export const dreamRunMemoriesDocs = {
  list: {
    title: "List one Dream run's memories",
    description: `Pages through the pattern memories one reflection run synthesized, with their sources. ${OWN_PROJECT}`,
    parameters: {
      run_id: "The run's run_id (from list_all_mem_0_dream_runs).",
      limit: "Memories per page, 1 to 200 (default 50).",
      cursor: "The run's mem_cursor, or the next_cursor of the previous page.",
    },
    example: { run_id: "drun_5f2c", limit: 50 },
    returns: "results (id, text, sources [id, text]) and next_cursor (null on the last page).",
  },
} satisfies Record<string, DocumentationRecord>;

export const dreamMemorySourcesDocs = {
  list: {
    title: "List a memory's Dream sources",
    description:
      "Tells whether a memory was synthesized by reflection and, if so, which memories it was drawn from and " +
      `what became of them. ${OWN_PROJECT}`,
    parameters: { memory_id: "The memory's id." },
    example: { memory_id: "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b" },
    returns: "memory_id, synthesized and sources (id, text, lifecycle_state: active, merged or superseded).",
  },
} satisfies Record<string, DocumentationRecord>;

export const dreamDocs = {
  preview: {
    title: "Preview Dream",
    description:
      "Estimates what reflection would look at in the project now: how many active memories exist, how many a " +
      "run would scan, and how many users have enough memories to be synthesized. Changes nothing and runs no " +
      `model. ${OWN_PROJECT}`,
    parameters: {},
    example: {},
    returns: "active_total, scanned, cap, eligible_users and a note.",
  },
} satisfies Record<string, DocumentationRecord>;

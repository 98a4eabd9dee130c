import type { ResourceDefinition } from "../format.js";
import { ORG, overwrite, PROJECT, PROJECT_PATH, read } from "./catalogue-parts.js";
import {
  dreamActivityDocs,
  dreamConfigDocs,
  dreamDocs,
  dreamMemorySourcesDocs,
  dreamRunMemoriesDocs,
  dreamRunsDocs,
  dreamStatsDocs,
} from "./docs/dream.js";
import { dreamOutputs as out } from "./output-schemas-dream.js";
import { nonEmptyString, uuid } from "./schemas.js";

/**
 * Dream (newer-endpoints.md §1): eight project-level operations under .../projects/{project_id}/dream/, all
 * synchronous. The organization and project always come from the account context.
 */

const DREAM_PATH = `${PROJECT_PATH}/dream`;
const OWN_PROJECT = [ORG, PROJECT];
const TAGS = ["dream", "projects"];

/** limit and cursor, the keyset paging every Dream list shares; the maximum differs per list. */
function paging(maximum: number) {
  return [
    { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum } },
    { name: "cursor", in: "query", schema: nonEmptyString },
  ] as const;
}

export const dreamConfig: ResourceDefinition = {
  name: "dream_config",
  singular: "dream_config",
  tags: TAGS,
  methods: {
    get: {
      http: { verb: "GET", path: `${DREAM_PATH}/config/`, parameters: [], contextParameters: OWN_PROJECT },
      hints: read,
      docs: dreamConfigDocs.get,
      output: out.config.get,
    },
    update: {
      http: {
        verb: "PATCH",
        path: `${DREAM_PATH}/config/`,
        parameters: [
          { name: "reflection_enabled", in: "body", schema: { type: "boolean" } },
          { name: "reflection_mode", in: "body", schema: { type: "string", enum: ["batch", "direct"] } },
        ],
        contextParameters: OWN_PROJECT,
        requireOneOf: [["reflection_enabled", "reflection_mode"]],
      },
      hints: overwrite,
      docs: dreamConfigDocs.update,
      output: out.config.update,
    },
  },
};

export const dreamStats: ResourceDefinition = {
  name: "dream_stats",
  singular: "dream_stat",
  tags: TAGS,
  methods: {
    list: {
      http: { verb: "GET", path: `${DREAM_PATH}/stats/`, parameters: [], contextParameters: OWN_PROJECT },
      hints: read,
      docs: dreamStatsDocs.list,
      output: out.stats.list,
    },
  },
};

export const dreamActivity: ResourceDefinition = {
  name: "dream_activity",
  singular: "dream_activity",
  tags: TAGS,
  methods: {
    list: {
      http: {
        verb: "GET",
        path: `${DREAM_PATH}/activity/`,
        parameters: paging(200),
        contextParameters: OWN_PROJECT,
      },
      hints: read,
      docs: dreamActivityDocs.list,
      output: out.activity.list,
    },
  },
};

export const dreamRuns: ResourceDefinition = {
  name: "dream_runs",
  singular: "dream_run",
  tags: TAGS,
  methods: {
    list: {
      http: {
        verb: "GET",
        path: `${DREAM_PATH}/runs/`,
        parameters: paging(100),
        contextParameters: OWN_PROJECT,
      },
      hints: read,
      docs: dreamRunsDocs.list,
      output: out.runs.list,
    },
  },
};

export const dreamRunMemories: ResourceDefinition = {
  name: "dream_run_memories",
  singular: "dream_run_memory",
  tags: TAGS,
  methods: {
    list: {
      http: {
        verb: "GET",
        path: `${DREAM_PATH}/runs/{run_id}/memories/`,
        parameters: [{ name: "run_id", in: "path", required: true, schema: nonEmptyString }, ...paging(200)],
        contextParameters: OWN_PROJECT,
      },
      hints: read,
      docs: dreamRunMemoriesDocs.list,
      output: out.runMemories.list,
    },
  },
};

export const dreamMemorySources: ResourceDefinition = {
  name: "dream_memory_sources",
  singular: "dream_memory_source",
  tags: [...TAGS, "memories"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: `${DREAM_PATH}/memory/{memory_id}/sources/`,
        parameters: [{ name: "memory_id", in: "path", required: true, schema: uuid }],
        contextParameters: OWN_PROJECT,
      },
      hints: read,
      docs: dreamMemorySourcesDocs.list,
      output: out.memorySources.list,
    },
  },
};

export const dream: ResourceDefinition = {
  name: "dream",
  singular: "dream",
  tags: TAGS,
  methods: {
    // POST, but it writes nothing (newer-endpoints.md §1: "Makes no writes and runs no LLM").
    preview: {
      http: { verb: "POST", path: `${DREAM_PATH}/preview/`, parameters: [], contextParameters: OWN_PROJECT },
      hints: read,
      docs: dreamDocs.preview,
      output: out.dream.preview,
    },
  },
};

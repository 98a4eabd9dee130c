import type { ArgumentParameter, DocumentationRecord, JsonSchema, ResourceDefinition } from "../format.js";
import { additive, read } from "./catalogue-parts.js";
import {
  accountDocs,
  agentsDocs,
  appsDocs,
  entityFiltersDocs,
  entityMemoriesDocs,
  memoryEventsDocs,
  runsDocs,
  usersDocs,
} from "./docs/entity-directory.js";
import { mem0Outputs as out } from "./output-schemas.js";
import { metadataObject, nonEmptyString, pageNumber } from "./schemas.js";

/**
 * Entity registration (POST /v1/users|agents|apps|runs/), the per-entity and project-wide memory readers
 * and the filter vocabulary (current operations of openapi.json that Mem0's SDKs do not call, but that a
 * model can use), and the connection check the gateway itself runs when an account is connected.
 */

/** One registration resource: POST /v1/<kind>s/ with the kind's id, a name (except users) and metadata. */
function registration(
  kind: "user" | "agent" | "app" | "run",
  docs: DocumentationRecord,
  output: JsonSchema,
): ResourceDefinition {
  const parameters: ArgumentParameter[] = [
    { name: `${kind}_id`, in: "body", required: true, schema: nonEmptyString },
    ...(kind === "user"
      ? []
      : [{ name: "name", in: "body", required: true, schema: nonEmptyString } as const]),
    { name: "metadata", in: "body", schema: metadataObject },
  ];
  return {
    name: `${kind}s`,
    singular: kind,
    tags: ["entities"],
    methods: {
      create: { http: { verb: "POST", path: `/v1/${kind}s/`, parameters }, hints: additive, docs, output },
    },
  };
}

export const users = registration("user", usersDocs.create, out.users.create);
export const agents = registration("agent", agentsDocs.create, out.agents.create);
export const apps = registration("app", appsDocs.create, out.apps.create);
export const runs = registration("run", runsDocs.create, out.runs.create);

export const entityFilters: ResourceDefinition = {
  name: "entity_filters",
  singular: "entity_filter",
  tags: ["entities"],
  methods: {
    list: {
      http: { verb: "GET", path: "/v1/entities/filters/", parameters: [] },
      hints: read,
      docs: entityFiltersDocs.list,
      output: out.entityFilters.list,
    },
  },
};

export const entityMemories: ResourceDefinition = {
  name: "entity_memories",
  singular: "entity_memory",
  tags: ["memories", "entities"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: "/v1/memories/{entity_type}/{entity_id}/",
        parameters: [
          {
            name: "entity_type",
            in: "path",
            required: true,
            schema: { type: "string", enum: ["user", "agent", "app", "run"] },
          },
          { name: "entity_id", in: "path", required: true, schema: nonEmptyString },
          // The page size is fixed at 100 upstream (api.md §1.4).
          { name: "page", in: "query", schema: pageNumber },
        ],
      },
      hints: read,
      docs: entityMemoriesDocs.list,
      output: out.entityMemories.list,
    },
  },
};

export const memoryEvents: ResourceDefinition = {
  name: "memory_events",
  singular: "memory_event",
  tags: ["memories", "history"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: "/v1/memories/events/",
        parameters: [
          { name: "page", in: "query", schema: pageNumber },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
        ],
      },
      hints: read,
      docs: memoryEventsDocs.list,
      output: out.memoryEvents.list,
    },
  },
};

export const account: ResourceDefinition = {
  name: "account",
  singular: "account",
  tags: ["account"],
  methods: {
    ping: {
      http: { verb: "GET", path: "/v1/ping/", parameters: [] },
      hints: read,
      docs: accountDocs.ping,
      output: out.account.ping,
    },
  },
};

import type { ResourceDefinition } from "../format.js";
import { anyOfTypes, nullable } from "../schema-portability.js";
import {
  dream,
  dreamActivity,
  dreamConfig,
  dreamMemorySources,
  dreamRunMemories,
  dreamRuns,
  dreamStats,
} from "./catalogue-dream.js";
import {
  account,
  agents,
  apps,
  entityFilters as entityFilterValues,
  entityMemories,
  memoryEvents,
  runs,
  users,
} from "./catalogue-entities.js";
import {
  additive,
  ORG,
  ORG_PATH,
  orgId,
  overwrite,
  PROJECT,
  PROJECT_PATH,
  projectId,
  read,
  removal,
} from "./catalogue-parts.js";
import { profileJobs, profileSettings, profiles } from "./catalogue-profiles.js";
import { entitiesDocs, eventsDocs, exportsDocs, statsDocs } from "./docs/activity.js";
import {
  organizationMembersDocs,
  organizationsDocs,
  projectMembersDocs,
  projectsDocs,
  webhooksDocs,
} from "./docs/administration.js";
import { memoriesDocs, memoryHistoryDocs } from "./docs/memories.js";
import { mem0Outputs as out } from "./output-schemas.js";
import {
  email,
  entityFilters,
  entityIdParameters,
  filtersObject,
  idParameter,
  isoDate,
  memberRole,
  metadataObject,
  nonEmptyString,
  pageNumber,
  stringList,
  uuid,
  WEBHOOK_EVENT_TYPES,
} from "./schemas.js";

/**
 * Mem0's current Platform endpoints (api.md §2, endpoints_index.md) as resources and methods: every operation
 * that is not deprecated, one tool each (test/fixtures/mem0-operations.json lists them). The deprecated
 * v1/v2 memory routes and the numeric-id entity delete are left out on purpose.
 */

const memories: ResourceDefinition = {
  name: "memories",
  singular: "memory",
  tags: ["memories"],
  methods: {
    list: {
      http: {
        verb: "POST",
        path: "/v3/memories/",
        parameters: [
          entityFilters,
          // The server reads pagination from the query string only (api.md §3.4, mem0 #6227).
          { name: "page", in: "query", schema: pageNumber },
          { name: "page_size", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
          { name: "show_expired", in: "body", schema: { type: "boolean" } },
          { name: "start_date", in: "body", schema: isoDate },
          { name: "end_date", in: "body", schema: isoDate },
          { name: "categories", in: "body", schema: stringList },
          { name: "fields", in: "body", schema: stringList },
          { name: "keywords", in: "body", schema: nonEmptyString },
        ],
      },
      hints: read,
      docs: memoriesDocs.list,
      output: out.memories.list,
    },
    search: {
      http: {
        verb: "POST",
        path: "/v3/memories/search/",
        parameters: [
          { name: "query", in: "body", required: true, schema: nonEmptyString },
          entityFilters,
          { name: "top_k", in: "body", schema: { type: "integer", minimum: 1, maximum: 1000 } },
          { name: "threshold", in: "body", schema: { type: "number", minimum: 0, maximum: 1 } },
          { name: "rerank", in: "body", schema: { type: "boolean" } },
          { name: "show_expired", in: "body", schema: { type: "boolean" } },
          { name: "fields", in: "body", schema: stringList },
          { name: "categories", in: "body", schema: stringList },
          { name: "metadata", in: "body", schema: metadataObject },
        ],
      },
      hints: read,
      tags: ["search"],
      docs: memoriesDocs.search,
      output: out.memories.search,
    },
    create: {
      http: {
        verb: "POST",
        path: "/v3/memories/add/",
        parameters: [
          {
            name: "messages",
            in: "body",
            schema: {
              type: "array",
              minItems: 1,
              items: {
                type: "object",
                properties: {
                  role: { type: "string", enum: ["user", "assistant", "system"] },
                  // Plain text, or an object for Mem0's multimodal content (an image or a document by URL).
                  content: anyOfTypes({ type: "string" }, { type: "object" }),
                },
                required: ["role", "content"],
              },
            },
          },
          // As Mem0's own MCP server offers: one plain string, sent as one user message.
          {
            name: "text",
            in: "body",
            schema: nonEmptyString,
            shorthandFor: { parameter: "messages", expand: (text) => [{ role: "user", content: text }] },
          },
          ...entityIdParameters("body"),
          { name: "metadata", in: "body", schema: metadataObject },
          { name: "infer", in: "body", schema: { type: "boolean" } },
          { name: "expiration_date", in: "body", schema: isoDate },
          { name: "custom_instructions", in: "body", schema: nonEmptyString },
          { name: "custom_categories", in: "body", schema: { type: "array", items: { type: "object" } } },
          { name: "timestamp", in: "body", schema: { type: "integer", minimum: 0 } },
        ],
        requireOneOf: [["user_id", "agent_id", "app_id", "run_id"]],
        requireExactlyOneOf: [["messages", "text"]],
      },
      hints: additive,
      tags: ["async"],
      docs: memoriesDocs.create,
      output: out.memories.create,
    },
    get: {
      http: { verb: "GET", path: "/v1/memories/{memory_id}/", parameters: [idParameter("memory_id", uuid)] },
      hints: read,
      docs: memoriesDocs.get,
      output: out.memories.get,
    },
    update: {
      http: {
        verb: "PUT",
        path: "/v1/memories/{memory_id}/",
        parameters: [
          idParameter("memory_id", uuid),
          { name: "text", in: "body", schema: nonEmptyString },
          { name: "metadata", in: "body", schema: metadataObject },
          // null clears the date: the memory never expires.
          { name: "expiration_date", in: "body", schema: nullable(isoDate) },
        ],
        requireOneOf: [["text", "metadata", "expiration_date"]],
      },
      hints: overwrite,
      docs: memoriesDocs.update,
      output: out.memories.update,
    },
    delete: {
      http: {
        verb: "DELETE",
        path: "/v1/memories/{memory_id}/",
        parameters: [
          idParameter("memory_id", uuid),
          { name: "delete_linked", in: "query", schema: { type: "boolean" } },
        ],
      },
      hints: removal,
      tags: ["destructive"],
      docs: memoriesDocs.delete,
      output: out.memories.delete,
    },
    bulk_update: {
      http: {
        verb: "PUT",
        path: "/v1/batch/",
        parameters: [
          {
            name: "memories",
            in: "body",
            required: true,
            schema: {
              type: "array",
              minItems: 1,
              maxItems: 1000,
              items: {
                type: "object",
                properties: { memory_id: uuid, text: nonEmptyString, metadata: metadataObject },
                required: ["memory_id"],
                additionalProperties: false,
              },
            },
          },
        ],
      },
      hints: overwrite,
      tags: ["bulk"],
      docs: memoriesDocs.bulk_update,
      output: out.memories.bulk_update,
    },
    bulk_delete: {
      http: {
        verb: "DELETE",
        path: "/v1/batch/",
        parameters: [
          {
            name: "memories",
            in: "body",
            required: true,
            schema: {
              type: "array",
              minItems: 1,
              maxItems: 1000,
              items: {
                type: "object",
                properties: { memory_id: uuid },
                required: ["memory_id"],
                additionalProperties: false,
              },
            },
          },
        ],
      },
      hints: removal,
      tags: ["bulk", "destructive"],
      docs: memoriesDocs.bulk_delete,
      output: out.memories.bulk_delete,
    },
    delete_all: {
      http: {
        verb: "DELETE",
        path: "/v1/memories/",
        parameters: entityIdParameters("query"),
        requireOneOf: [["user_id", "agent_id", "app_id", "run_id"]],
      },
      hints: removal,
      tags: ["bulk", "destructive", "async"],
      docs: memoriesDocs.delete_all,
      output: out.memories.delete_all,
    },
    feedback: {
      http: {
        verb: "POST",
        path: "/v1/feedback/",
        parameters: [
          { name: "memory_id", in: "body", required: true, schema: uuid },
          {
            name: "feedback",
            in: "body",
            // null clears earlier feedback.
            schema: nullable({ type: "string", enum: ["POSITIVE", "NEGATIVE", "VERY_NEGATIVE"] }),
          },
          { name: "feedback_reason", in: "body", schema: nullable({ type: "string" }) },
        ],
      },
      hints: { readOnly: false, destructive: false, idempotent: true },
      tags: ["feedback"],
      docs: memoriesDocs.feedback,
      output: out.memories.feedback,
    },
    summary: {
      http: {
        verb: "POST",
        path: "/v1/summary/",
        parameters: [{ name: "filters", in: "body", required: true, schema: filtersObject }],
      },
      hints: read,
      tags: ["summary"],
      docs: memoriesDocs.summary,
    },
  },
};

const memoryHistory: ResourceDefinition = {
  name: "memory_history",
  singular: "memory_history",
  tags: ["memories", "history"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: "/v1/memories/{memory_id}/history/",
        parameters: [{ name: "memory_id", in: "path", required: true, schema: uuid }],
      },
      hints: read,
      docs: memoryHistoryDocs.list,
      output: out.memoryHistory.list,
    },
  },
};

const events: ResourceDefinition = {
  name: "events",
  singular: "event",
  tags: ["events"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: "/v1/events/",
        parameters: [
          { name: "page", in: "query", schema: pageNumber },
          { name: "page_size", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
        ],
      },
      hints: read,
      docs: eventsDocs.list,
      output: out.events.list,
    },
    get: {
      // Note the singular "event" in the path (api.md §3.12).
      http: { verb: "GET", path: "/v1/event/{event_id}/", parameters: [idParameter("event_id", uuid)] },
      hints: read,
      polling: { argument: "wait_seconds", statusField: "status", terminalStatuses: ["SUCCEEDED", "FAILED"] },
      docs: eventsDocs.get,
      output: out.events.get,
    },
  },
};

const exportsResource: ResourceDefinition = {
  name: "exports",
  singular: "export",
  tags: ["exports"],
  methods: {
    create: {
      http: {
        verb: "POST",
        path: "/v1/exports/",
        parameters: [
          { name: "schema", in: "body", required: true, schema: { type: "object", minProperties: 1 } },
          {
            name: "filters",
            in: "body",
            // Exports accept only the structured AND/OR form (api.md §3.14).
            schema: {
              type: "object",
              properties: { AND: { type: "array", minItems: 1 }, OR: { type: "array", minItems: 1 } },
              minProperties: 1,
              additionalProperties: false,
            },
          },
          { name: "export_instructions", in: "body", schema: nonEmptyString },
        ],
      },
      hints: additive,
      tags: ["async"],
      docs: exportsDocs.create,
      output: out.exports.create,
    },
    get: {
      // A read, although Mem0 exposes it as POST with the id in the body.
      http: {
        verb: "POST",
        path: "/v1/exports/get/",
        parameters: [{ ...idParameter("memory_export_id"), in: "body" }],
      },
      hints: read,
      docs: exportsDocs.get,
    },
  },
};

const entityPath = "/v2/entities/{entity_type}/{entity_id}/";
const entityParameters = [
  {
    name: "entity_type",
    in: "path",
    required: true,
    schema: { type: "string", enum: ["user", "agent", "app", "run"] },
  },
  idParameter("entity_id"),
] as const;

const entities: ResourceDefinition = {
  name: "entities",
  singular: "entity",
  tags: ["entities"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: "/v1/entities/",
        parameters: [
          { name: "page", in: "query", schema: pageNumber },
          { name: "page_size", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
        ],
      },
      hints: read,
      docs: entitiesDocs.list,
      output: out.entities.list,
    },
    get: {
      http: { verb: "GET", path: entityPath, parameters: entityParameters },
      hints: read,
      docs: entitiesDocs.get,
      output: out.entities.get,
    },
    delete: {
      http: { verb: "DELETE", path: entityPath, parameters: entityParameters },
      hints: removal,
      tags: ["destructive", "async"],
      docs: entitiesDocs.delete,
      output: out.entities.delete,
    },
  },
};

const stats: ResourceDefinition = {
  name: "stats",
  singular: "stat",
  tags: ["stats"],
  methods: {
    list: {
      http: { verb: "GET", path: "/v1/stats/", parameters: [] },
      hints: read,
      docs: statsDocs.list,
      output: out.stats.list,
    },
  },
};

const organizations: ResourceDefinition = {
  name: "organizations",
  singular: "organization",
  tags: ["organizations"],
  methods: {
    list: {
      http: { verb: "GET", path: "/api/v1/orgs/organizations/", parameters: [] },
      hints: read,
      docs: organizationsDocs.list,
      output: out.organizations.list,
    },
    create: {
      http: {
        verb: "POST",
        path: "/api/v1/orgs/organizations/",
        parameters: [{ name: "name", in: "body", required: true, schema: nonEmptyString }],
      },
      hints: additive,
      docs: organizationsDocs.create,
      output: out.organizations.create,
    },
    get: {
      http: { verb: "GET", path: `${ORG_PATH}/`, parameters: [orgId(false)] },
      hints: read,
      docs: organizationsDocs.get,
      output: out.organizations.get,
    },
    delete: {
      http: { verb: "DELETE", path: `${ORG_PATH}/`, parameters: [orgId(true)] },
      hints: removal,
      tags: ["destructive"],
      docs: organizationsDocs.delete,
      output: out.organizations.delete,
    },
  },
};

const memberBody = [
  { name: "email", in: "body", required: true, schema: email },
  { name: "role", in: "body", required: true, schema: memberRole },
] as const;

const organizationMembers: ResourceDefinition = {
  name: "organization_members",
  singular: "organization_member",
  tags: ["organizations", "members"],
  methods: {
    list: {
      http: { verb: "GET", path: `${ORG_PATH}/members/`, parameters: [], contextParameters: [ORG] },
      hints: read,
      docs: organizationMembersDocs.list,
      output: out.members.list,
    },
    create: {
      http: { verb: "POST", path: `${ORG_PATH}/members/`, parameters: memberBody, contextParameters: [ORG] },
      hints: additive,
      docs: organizationMembersDocs.create,
      output: out.members.change,
    },
    update: {
      http: { verb: "PUT", path: `${ORG_PATH}/members/`, parameters: memberBody, contextParameters: [ORG] },
      hints: overwrite,
      docs: organizationMembersDocs.update,
      output: out.members.change,
    },
    delete: {
      // The organization endpoint takes the email in a JSON body (the project one takes a query).
      http: {
        verb: "DELETE",
        path: `${ORG_PATH}/members/`,
        parameters: [{ name: "email", in: "body", required: true, schema: email }],
        contextParameters: [ORG],
      },
      hints: removal,
      tags: ["destructive"],
      docs: organizationMembersDocs.delete,
      output: out.members.change,
    },
  },
};

const projects: ResourceDefinition = {
  name: "projects",
  singular: "project",
  tags: ["projects"],
  methods: {
    list: {
      http: { verb: "GET", path: `${ORG_PATH}/projects/`, parameters: [], contextParameters: [ORG] },
      hints: read,
      docs: projectsDocs.list,
      output: out.projects.list,
    },
    create: {
      http: {
        verb: "POST",
        path: `${ORG_PATH}/projects/`,
        parameters: [
          { name: "name", in: "body", required: true, schema: nonEmptyString },
          { name: "description", in: "body", schema: { type: "string" } },
        ],
        contextParameters: [ORG],
      },
      hints: additive,
      docs: projectsDocs.create,
      output: out.projects.create,
    },
    get: {
      http: {
        verb: "GET",
        path: `${PROJECT_PATH}/`,
        parameters: [projectId(false), { name: "fields", in: "query", schema: stringList }],
        contextParameters: [ORG],
      },
      hints: read,
      docs: projectsDocs.get,
      output: out.projects.get,
    },
    update: {
      http: {
        verb: "PATCH",
        path: `${PROJECT_PATH}/`,
        parameters: [
          projectId(false),
          { name: "name", in: "body", schema: nonEmptyString },
          { name: "description", in: "body", schema: { type: "string" } },
          { name: "custom_instructions", in: "body", schema: { type: "string" } },
          { name: "agent_custom_instructions", in: "body", schema: { type: "string" } },
          { name: "custom_categories", in: "body", schema: { type: "array", items: { type: "object" } } },
          { name: "multilingual", in: "body", schema: { type: "boolean" } },
          { name: "decay", in: "body", schema: { type: "boolean" } },
        ],
        contextParameters: [ORG],
        requireOneOf: [
          [
            "name",
            "description",
            "custom_instructions",
            "agent_custom_instructions",
            "custom_categories",
            "multilingual",
            "decay",
          ],
        ],
      },
      hints: overwrite,
      docs: projectsDocs.update,
      output: out.projects.update,
    },
    delete: {
      http: {
        verb: "DELETE",
        path: `${PROJECT_PATH}/`,
        parameters: [projectId(true)],
        contextParameters: [ORG],
      },
      hints: removal,
      tags: ["destructive"],
      docs: projectsDocs.delete,
      output: out.projects.delete,
    },
  },
};

const projectMembers: ResourceDefinition = {
  name: "project_members",
  singular: "project_member",
  tags: ["projects", "members"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: `${PROJECT_PATH}/members/`,
        parameters: [],
        contextParameters: [ORG, PROJECT],
      },
      hints: read,
      docs: projectMembersDocs.list,
      output: out.members.list,
    },
    create: {
      http: {
        verb: "POST",
        path: `${PROJECT_PATH}/members/`,
        parameters: memberBody,
        contextParameters: [ORG, PROJECT],
      },
      hints: additive,
      docs: projectMembersDocs.create,
      output: out.members.change,
    },
    update: {
      http: {
        verb: "PUT",
        path: `${PROJECT_PATH}/members/`,
        parameters: memberBody,
        contextParameters: [ORG, PROJECT],
      },
      hints: overwrite,
      docs: projectMembersDocs.update,
      output: out.members.change,
    },
    delete: {
      http: {
        verb: "DELETE",
        path: `${PROJECT_PATH}/members/`,
        parameters: [{ name: "email", in: "query", required: true, schema: email }],
        contextParameters: [ORG, PROJECT],
      },
      hints: removal,
      tags: ["destructive"],
      docs: projectMembersDocs.delete,
      output: out.members.change,
    },
  },
};

// Mem0 numbers webhooks; a model may pass the number or its text.
const webhookId = idParameter(
  "webhook_id",
  anyOfTypes({ type: "string", minLength: 1 }, { type: "integer" }),
);
const eventTypes = { type: "array", minItems: 1, items: { type: "string", enum: WEBHOOK_EVENT_TYPES } };

const webhooks: ResourceDefinition = {
  name: "webhooks",
  singular: "webhook",
  tags: ["webhooks"],
  methods: {
    list: {
      http: {
        verb: "GET",
        path: "/api/v1/webhooks/projects/{project_id}/",
        parameters: [],
        contextParameters: [PROJECT],
      },
      hints: read,
      docs: webhooksDocs.list,
      output: out.webhooks.list,
    },
    create: {
      http: {
        verb: "POST",
        path: "/api/v1/webhooks/projects/{project_id}/",
        parameters: [
          { name: "name", in: "body", required: true, schema: nonEmptyString },
          { name: "url", in: "body", required: true, schema: { type: "string", format: "uri" } },
          { name: "event_types", in: "body", required: true, schema: eventTypes },
          { name: "is_active", in: "body", schema: { type: "boolean" } },
        ],
        contextParameters: [PROJECT],
      },
      // The upstream will call an arbitrary URL on our behalf.
      hints: { ...additive, openWorld: true },
      docs: webhooksDocs.create,
      output: out.webhooks.create,
    },
    update: {
      http: {
        verb: "PUT",
        path: "/api/v1/webhooks/{webhook_id}/",
        parameters: [
          webhookId,
          { name: "name", in: "body", schema: nonEmptyString },
          { name: "url", in: "body", schema: { type: "string", format: "uri" } },
          { name: "event_types", in: "body", schema: eventTypes },
        ],
        requireOneOf: [["name", "url", "event_types"]],
      },
      hints: { ...overwrite, openWorld: true },
      docs: webhooksDocs.update,
      output: out.webhooks.update,
    },
    delete: {
      http: { verb: "DELETE", path: "/api/v1/webhooks/{webhook_id}/", parameters: [webhookId] },
      hints: removal,
      tags: ["destructive"],
      docs: webhooksDocs.delete,
      output: out.webhooks.delete,
    },
  },
};

/** The Mem0 resources, in the order the catalogue summary lists them. */
export const mem0Resources: readonly ResourceDefinition[] = [
  memories,
  memoryHistory,
  memoryEvents,
  entityMemories,
  events,
  exportsResource,
  entities,
  entityFilterValues,
  users,
  agents,
  apps,
  runs,
  profiles,
  profileSettings,
  profileJobs,
  stats,
  account,
  organizations,
  organizationMembers,
  projects,
  projectMembers,
  dreamConfig,
  dreamStats,
  dreamActivity,
  dreamRuns,
  dreamRunMemories,
  dreamMemorySources,
  dream,
  webhooks,
];

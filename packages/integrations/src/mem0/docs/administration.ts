import type { DocumentationRecord } from "../../format.js";

const OWN_ORG = "The organization is the connected account's own; org_id is never an argument.";
const OWN_PROJECT =
  "The organization and project are the connected account's own; org_id and project_id are never arguments.";
const ROLE = "READER (can read) or OWNER (can manage).";

export const organizationsDocs = {
  list: {
    title: "List organizations",
    description: "Lists the organizations the connected API key can see, with their members and plan.",
    parameters: {},
    example: {},
    returns:
      "an array of organizations: org_id, name, members, is_default, owner_pricing_plan, user_role, ...",
  },
  create: {
    title: "Create an organization",
    description: "Creates a new organization owned by the connected key's user.",
    parameters: { name: "The organization's display name." },
    example: { name: "Research team" },
    returns: "a message and the new org_id.",
  },
  get: {
    title: "Get an organization",
    description:
      "Reads an organization: name, members and plan. Without an id it reads the connected account's own " +
      "organization.",
    parameters: {
      id: "The organization's org_id (from list_all_mem_0_organizations); defaults to the account's own.",
    },
    example: {},
    returns: "org_id, name, members, is_default, owner_pricing_plan, user_role, created_at.",
  },
  delete: {
    title: "Delete an organization",
    description:
      "Deletes an organization with all its projects and memories. This cannot be undone. Name it explicitly; " +
      "Mem0 refuses to delete the organization the connected key belongs to.",
    parameters: { id: "The org_id of the organization to delete (from list_all_mem_0_organizations)." },
    example: { id: "org_7Hq2" },
    returns: "a confirmation message.",
  },
} satisfies Record<string, DocumentationRecord>;

export const organizationMembersDocs = {
  list: {
    title: "List organization members",
    description: `Lists the members of the connected account's organization with their roles. ${OWN_ORG}`,
    parameters: {},
    example: {},
    returns: "members: user ids with their roles.",
  },
  create: {
    title: "Add an organization member",
    description: `Adds a person to the organization by email with a role. ${OWN_ORG}`,
    parameters: { email: "The person's email address.", role: ROLE },
    example: { email: "sam@example.com", role: "READER" },
    returns: "a confirmation message.",
  },
  update: {
    title: "Change an organization member's role",
    description: `Changes the role of an existing organization member, found by email. ${OWN_ORG}`,
    parameters: { email: "The member's email address.", role: ROLE },
    example: { email: "sam@example.com", role: "OWNER" },
    returns: "a confirmation message.",
  },
  delete: {
    title: "Remove an organization member",
    description: `Removes a person from the organization. ${OWN_ORG}`,
    parameters: { email: "The member's email address." },
    example: { email: "sam@example.com" },
    returns: "a confirmation message.",
  },
} satisfies Record<string, DocumentationRecord>;

export const projectsDocs = {
  list: {
    title: "List projects",
    description: `Lists the projects of the connected account's organization with their settings. ${OWN_ORG}`,
    parameters: {},
    example: {},
    returns:
      "an array of projects: project_id, name, description, members, custom_instructions, custom_categories, ...",
  },
  create: {
    title: "Create a project",
    description: `Creates a new project in the connected account's organization. ${OWN_ORG}`,
    parameters: { name: "The project's name.", description: "What the project is for." },
    example: { name: "Support assistant", description: "Memories for the support bot" },
    returns: "a message and the new project_id.",
  },
  get: {
    title: "Get a project",
    description:
      "Reads a project and its settings. Without an id it reads the connected account's own project. " +
      OWN_ORG,
    parameters: {
      id: "The project's project_id (from list_all_mem_0_projects); defaults to the account's own.",
      fields: 'Return only these settings, e.g. ["name", "custom_instructions"].',
    },
    example: { fields: ["name", "custom_instructions"] },
    returns: "project_id, name, description, members, custom_instructions, custom_categories, decay, ...",
  },
  update: {
    title: "Update a project",
    description:
      "Changes a project's settings, such as the extraction instructions or the category list that shape how " +
      "future memories are stored. Without an id it changes the connected account's own project. Give at least " +
      `one setting. ${OWN_ORG}`,
    parameters: {
      id: "The project's project_id (from list_all_mem_0_projects); defaults to the account's own.",
      name: "New project name.",
      description: "New description.",
      custom_instructions: "Guidance applied to every add: what to remember and what to ignore.",
      agent_custom_instructions: 'Guidance for memories attributed to agents ("" clears it).',
      custom_categories: 'The project\'s categories, as [{"name": "description"}].',
      multilingual: "Keep memories in the language they were written in.",
      decay: "Let older, unused memories rank lower in search.",
    },
    example: { custom_instructions: "Remember dietary preferences; ignore small talk." },
    returns: "a confirmation message.",
  },
  delete: {
    title: "Delete a project",
    description:
      "Deletes a project and every memory in it. This cannot be undone. Name it explicitly; Mem0 refuses to " +
      `delete the project the connected key belongs to. ${OWN_ORG}`,
    parameters: { id: "The project_id of the project to delete (from list_all_mem_0_projects)." },
    example: { id: "proj_4Kd9" },
    returns: "a confirmation message.",
  },
} satisfies Record<string, DocumentationRecord>;

export const projectMembersDocs = {
  list: {
    title: "List project members",
    description: `Lists the members of the connected account's project with their roles. ${OWN_PROJECT}`,
    parameters: {},
    example: {},
    returns: "members: usernames with their roles.",
  },
  create: {
    title: "Add a project member",
    description: `Gives a person access to the project by email with a role. ${OWN_PROJECT}`,
    parameters: { email: "The person's email address.", role: ROLE },
    example: { email: "sam@example.com", role: "READER" },
    returns: "a confirmation message.",
  },
  update: {
    title: "Change a project member's role",
    description: `Changes the role of an existing project member, found by email. ${OWN_PROJECT}`,
    parameters: { email: "The member's email address.", role: ROLE },
    example: { email: "sam@example.com", role: "OWNER" },
    returns: "a confirmation message.",
  },
  delete: {
    title: "Remove a project member",
    description: `Removes a person's access to the project. ${OWN_PROJECT}`,
    parameters: { email: "The member's email address." },
    example: { email: "sam@example.com" },
    returns: "a confirmation message.",
  },
} satisfies Record<string, DocumentationRecord>;

const EVENT_TYPES =
  "memory_add, memory_update, memory_delete, memory_categorize, ingest_job_completed, " +
  "ingest_job_partially_completed, ingest_job_failed, ingest_job_cancelled";

export const webhooksDocs = {
  list: {
    title: "List webhooks",
    description: `Lists the webhooks of the connected account's project. ${OWN_PROJECT}`,
    parameters: {},
    example: {},
    returns: "an array of webhooks: webhook_id, name, url, event_types, is_active, created_at.",
  },
  create: {
    title: "Create a webhook",
    description:
      "Makes Mem0 POST a notification to a URL whenever memories are added, updated, deleted or categorized in " +
      `the connected account's project. ${OWN_PROJECT}`,
    parameters: {
      name: "A label for the webhook.",
      url: "The https URL that receives the notifications.",
      event_types: `Which events to send, one or more of: ${EVENT_TYPES}.`,
      is_active: "Start enabled (default true).",
    },
    example: { name: "Audit log", url: "https://example.com/hooks/mem0", event_types: ["memory_add"] },
    returns: "the webhook: webhook_id, name, url, event_types, is_active.",
  },
  update: {
    title: "Update a webhook",
    description: "Changes a webhook's name, URL or event types. Give at least one of them.",
    parameters: {
      id: "The webhook's id (webhook_id from the list).",
      name: "New label.",
      url: "New receiving URL.",
      event_types: `New event list, from: ${EVENT_TYPES}.`,
    },
    example: { id: "wh_123", event_types: ["memory_add", "memory_delete"] },
    returns: "a confirmation message.",
  },
  delete: {
    title: "Delete a webhook",
    description: "Deletes a webhook; Mem0 stops sending it notifications.",
    parameters: { id: "The webhook's id (webhook_id from the list)." },
    example: { id: "wh_123" },
    returns: "a confirmation message.",
  },
} satisfies Record<string, DocumentationRecord>;

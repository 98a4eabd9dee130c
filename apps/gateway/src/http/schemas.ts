// JSON Schemas shared by the admin routes. Request schemas are strict (unknown fields are refused);
// response schemas document the shape and let extra fields through, so docs can never drop data.

const idPattern = (prefix: string) => `^${prefix}_[a-z2-7]{26}$`;

export const ids = {
  tenant: { type: "string", pattern: idPattern("ten"), description: "A tenant id (ten_…)" },
  account: { type: "string", pattern: idPattern("acc"), description: "An integrated account id (acc_…)" },
  mcpServer: { type: "string", pattern: idPattern("mcp"), description: "An MCP server id (mcp_…)" },
  apiToken: { type: "string", pattern: idPattern("tok"), description: "An API token id (tok_…)" },
} as const;

/** OpenAPI security requirement of tenant routes. */
export const tenantSecurity = [{ apiToken: [] }];

/** Path params of routes under /integrated-account/:id. */
export const accountParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: ids.account },
} as const;

export const name = {
  type: "string",
  minLength: 1,
  maxLength: 200,
  description: "A human-readable name",
} as const;

export const isoTimestamp = {
  type: "string",
  format: "date-time",
  description: "An RFC 3339 timestamp, e.g. 2026-12-31T23:59:59Z",
} as const;

export const nullableTimestamp = { anyOf: [isoTimestamp, { type: "null" }] } as const;

/** Body of both routes that issue an API token: a tenant's own, and the operator's for a tenant. */
export const apiTokenBody = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name,
    expires_at: { ...nullableTimestamp, description: "When it stops working; null = never" },
  },
} as const;

export const listQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    limit: { type: "integer", minimum: 1, maximum: 100, default: 20, description: "Page size (1–100)" },
    cursor: { type: "string", maxLength: 200, description: "next_cursor from the previous page" },
  },
} as const;

export const filterList = {
  anyOf: [
    {
      type: "array",
      maxItems: 50,
      items: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.-]+$" },
    },
    { type: "null" },
  ],
} as const;

/** An entity scope: entity key -> the one id the URL is pinned to (the integration says which keys exist). */
const entityScopeObject = {
  type: "object",
  maxProperties: 4,
  propertyNames: { type: "string", pattern: "^[a-z][a-z0-9_]{0,31}$" },
  additionalProperties: {
    type: "string",
    minLength: 1,
    maxLength: 128,
    // No "*" (a wildcard in Mem0 filters) and no control characters: one literal id.
    pattern: "^[^*\\u0000-\\u001f\\u007f]+$",
  },
} as const;

export const entityScope = {
  anyOf: [{ ...entityScopeObject }, { type: "null" }],
  description:
    'Pin the URL to entities, e.g. {"user_id": "usr-99"} (Mem0: user_id, agent_id, app_id, run_id; several keys mean AND). ' +
    "Every call stays inside: reads get the scope ANDed into their filters, writes carry it and refuse another entity, " +
    "records of other entities answer as missing, and tools that cannot be confined are left out. " +
    "Missing, null or {} = not pinned. PATCH may add keys, never drop or change one.",
  examples: [{ user_id: "usr-99" }],
} as const;

export const mcpServerConfig = {
  type: "object",
  additionalProperties: false,
  properties: {
    methods: { ...filterList, description: "read, write, custom or method names; missing, null or [] = all" },
    tags: {
      ...filterList,
      description: "Tool tags; a tool passes if it has one of them; missing, null or [] = all",
    },
    require_api_token_auth: {
      type: "boolean",
      description: "Also require Authorization: Bearer <tenant API token>",
    },
    tool_exposure: {
      type: "string",
      enum: ["all", "discovery"],
      description: "discovery lists only search/schema/call tools",
    },
    scope: entityScope,
  },
} as const;

const object = { type: "object", additionalProperties: true } as const;

export function page(item: Record<string, unknown>): Record<string, unknown> {
  return {
    type: "object",
    properties: { result: { type: "array", items: item }, next_cursor: { type: ["string", "null"] } },
  };
}

export const responses = {
  tenant: {
    ...object,
    properties: {
      id: ids.tenant,
      name: { type: "string" },
      created_at: { type: "string" },
      updated_at: { type: "string" },
    },
  },
  apiToken: {
    ...object,
    properties: {
      id: ids.apiToken,
      name: { type: "string" },
      expires_at: { type: ["string", "null"] },
      created_at: { type: "string" },
      token: { type: "string", description: "Only in the create response" },
    },
  },
  account: {
    ...object,
    properties: {
      id: ids.account,
      integration: { type: "string" },
      name: { type: "string" },
      context: { type: "object", additionalProperties: { type: "string" } },
      created_at: { type: "string" },
      updated_at: { type: "string" },
    },
  },
  mcpServer: {
    ...object,
    properties: {
      id: ids.mcpServer,
      name: { type: "string" },
      integrated_account_id: ids.account,
      config: {
        ...object,
        properties: {
          methods: { type: ["array", "null"], items: { type: "string" } },
          tags: { type: ["array", "null"], items: { type: "string" } },
          require_api_token_auth: { type: "boolean" },
          tool_exposure: { type: "string", enum: ["all", "discovery"] },
          scope: {
            anyOf: [{ type: "object", additionalProperties: { type: "string" } }, { type: "null" }],
            description: "The entities the URL is pinned to (AND), or null when it is not pinned",
          },
        },
      },
      expires_at: { type: ["string", "null"] },
      created_by: {
        anyOf: [
          {
            type: "object",
            properties: {
              type: { type: "string", enum: ["operator", "api_token", "system"] },
              id: { type: ["string", "null"] },
              name: { type: ["string", "null"] },
            },
          },
          { type: "null" },
        ],
        description:
          "Who minted it: the operator, or an API token's id and name; null for servers minted before this was kept",
      },
      created_at: { type: "string" },
      updated_at: { type: "string" },
      tools: { type: "array", items: { type: "string" } },
      token: { type: "string", description: "Only in the create response" },
      url: { type: "string", description: "Only in the create response" },
      claude_desktop_config: { ...object, description: "Only in the create response" },
      warnings: {
        type: "array",
        items: { type: "string" },
        description:
          "Only in the create response: allowed but risky choices, said out loud (destructive tools, no expiry, tools a scope leaves out); empty when none",
      },
    },
  },
  deleted: { type: "object", properties: { id: { type: "string" } } },
  error: {
    type: "object",
    properties: {
      statusCode: { type: "integer" },
      error: { type: "string" },
      code: { type: "string" },
      message: { type: "string" },
      requestId: { type: "string" },
      details: object,
    },
  },
} as const;

import { ADMIN_LOG_FIELDS, MCP_LOG_FIELDS } from "@mcp-gateway/core";
import type { FastifyInstance } from "fastify";
import { requireTenant } from "../http/auth.js";
import { ids, isoTimestamp, listQuery, page } from "../http/schemas.js";
import { strictAdminRequests } from "../http/strict-requests.js";
import { isOperator } from "../services/auth.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { type LogQuery, type LogViewer, queryLog } from "./log.service.js";

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: "null" }] });
const text = nullable({ type: "string" });
const integer = nullable({ type: "integer" });

/** One record as `GET /log` answers it: the shared fields, then the MCP or admin ones (null when not known). */
const logRecord = {
  type: "object",
  additionalProperties: true,
  properties: {
    id: { type: "string", description: "The stream id (`<ms>-<seq>`); newest first" },
    log_type: { type: "string", enum: ["mcp", "admin"] },
    created_at: isoTimestamp,
    tenant_id: ids.tenant,
    ...Object.fromEntries(MCP_LOG_FIELDS.map((name) => [name, text])),
    http_status: integer,
    duration_ms: integer,
    upstream_status: integer,
    upstream_latency_ms: integer,
    ratelimit_remaining: integer,
    outcome: nullable({
      type: "string",
      enum: ["ok", "tool_error", "upstream_error", "protocol_error", "refused"],
    }),
    credential: nullable({ type: "string", enum: ["none", "api_token", "oauth_client"] }),
    transport: nullable({
      type: "string",
      enum: ["streamable_http", "sse"],
      description:
        "streamable_http, or sse for the legacy HTTP+SSE transport (null on records older than the field)",
    }),
    ...Object.fromEntries(
      ADMIN_LOG_FIELDS.filter((name) => !name.startsWith("actor_") && name !== "changes").map((name) => [
        name,
        text,
      ]),
    ),
    actor: {
      type: "object",
      description: "Who made an admin change: {type: operator | system} or {type: api_token, id, name}",
      properties: { type: { type: "string" }, id: text, name: text },
    },
    changes: nullable({
      type: "object",
      additionalProperties: { type: "object", properties: { from: {}, to: {} } },
      description: "What an admin change changed, field by field: {field: {from, to}}; never a secret",
    }),
  },
} as const;

const filterText = { type: "string", minLength: 1, maxLength: 64 } as const;

const logQuery = {
  type: "object",
  required: ["log_type"],
  additionalProperties: false,
  properties: {
    ...listQuery.properties,
    log_type: {
      type: "string",
      enum: ["mcp", "admin"],
      description: "mcp = MCP requests; admin = audit trail",
    },
    tenant_id: { ...ids.tenant, description: "Operator: whose records (required for log_type=mcp)" },
    mcp_server_id: ids.mcpServer,
    integrated_account_id: ids.account,
    mcp_method: { ...filterText, description: "e.g. tools/call, tools/list, initialize (mcp only)" },
    tool_name: { ...filterText, description: "mcp only" },
    outcome: {
      type: "string",
      enum: ["ok", "tool_error", "upstream_error", "protocol_error", "refused"],
      description: "mcp only",
    },
    request_id: { ...filterText, description: "The x-request-id of the request" },
    from: { ...isoTimestamp, description: "Oldest time to include" },
    to: { ...isoTimestamp, description: "Newest time to include" },
  },
} as const;

/** `GET /log`: the MCP request log and the audit trail, for a tenant (its own) or the operator (any). */
export async function logRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  strictAdminRequests(app);
  const tenantOnly = requireTenant(ctx);
  app.addHook("onRequest", async (request, reply) => {
    if (isOperator(ctx, request.headers.authorization)) {
      request.actor = { type: "operator" };
      return;
    }
    await tenantOnly(request, reply);
  });

  app.get<{ Querystring: LogQuery }>(
    "/log",
    {
      schema: {
        tags: ["log"],
        summary: "MCP request records or admin changes, newest first",
        description:
          "A tenant's API token reads its own records; the operator token reads any tenant's (tenant_id) or, " +
          "for log_type=admin without tenant_id, every tenant's admin changes. Records older than " +
          "LOG_RETENTION_DAYS are gone. A page reads a bounded number of records, so with narrow filters it " +
          "may hold fewer than limit (even none) while next_cursor still says there is more.",
        security: [{ apiToken: [] }, { operatorToken: [] }],
        querystring: logQuery,
        response: { 200: page(logRecord) },
      },
    },
    async (request) => {
      const viewer: LogViewer =
        request.actor?.type === "operator"
          ? { kind: "operator" }
          : { kind: "tenant", tenantId: request.tenantId };
      return queryLog(ctx, viewer, request.query);
    },
  );
}

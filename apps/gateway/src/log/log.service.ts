import {
  decodeLogEntry,
  GatewayError,
  LIMITS,
  type LogType,
  logEntryView,
  type McpOutcome,
} from "@mcp-gateway/core";
import { keys, type Page, readLogPage } from "@mcp-gateway/store";
import type { ServiceContext } from "../services/service-context.js";

/** Who reads the log: a tenant (its own records only) or the operator (any tenant's, or every admin change). */
export type LogViewer = { kind: "tenant"; tenantId: string } | { kind: "operator" };

/** `GET /log`'s query, as the route's schema lets it through. */
export interface LogQuery {
  log_type: LogType;
  tenant_id?: string;
  mcp_server_id?: string;
  integrated_account_id?: string;
  mcp_method?: string;
  tool_name?: string;
  outcome?: McpOutcome;
  request_id?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const MCP_ONLY_FILTERS = ["mcp_method", "tool_name", "outcome"] as const;
// Query parameters that are matched against a stored field of the same name.
const FIELD_FILTERS = [
  "mcp_server_id",
  "integrated_account_id",
  "mcp_method",
  "tool_name",
  "outcome",
  "request_id",
] as const;

/**
 * A page of log records, newest first. A page reads at most LIMITS.logPageScanMax entries: when filters
 * match little it may hold fewer than `limit` records (even none) and still carry a next_cursor.
 */
export async function queryLog(
  ctx: ServiceContext,
  viewer: LogViewer,
  query: LogQuery,
): Promise<Page<Record<string, unknown>>> {
  const tenantId = tenantOf(viewer, query);
  if (query.log_type === "admin") {
    const mcpOnly = MCP_ONLY_FILTERS.filter((name) => query[name] !== undefined);
    if (mcpOnly.length > 0) {
      throw new GatewayError(
        "bad_request",
        `${mcpOnly.join(", ")} filter MCP request records only (log_type=mcp)`,
      );
    }
  }
  if (query.log_type === "mcp" && tenantId === null) {
    throw new GatewayError(
      "bad_request",
      "the operator reads one tenant's MCP request log at a time: add tenant_id (admin changes of every tenant are at log_type=admin)",
    );
  }
  const key =
    tenantId === null
      ? keys.operatorAdminLog()
      : query.log_type === "mcp"
        ? keys.mcpLog(tenantId)
        : keys.adminLog(tenantId);
  const oldest = ctx.clock.now() - ctx.config.logRetentionMs;
  const fromMs = Math.max(oldest, query.from === undefined ? 0 : Date.parse(query.from));
  const toMs = query.to === undefined ? undefined : Date.parse(query.to);
  if (toMs !== undefined && toMs < fromMs && query.from !== undefined) {
    throw new GatewayError("bad_request", "from must not be later than to");
  }
  const wanted = FIELD_FILTERS.flatMap((name) => {
    const value = query[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  const page = await readLogPage(ctx.redis, key, {
    before: cursorPosition(query.cursor),
    toMs,
    fromMs,
    limit: query.limit,
    scanMax: LIMITS.logPageScanMax,
    decode: (fields) => decodeLogEntry(query.log_type, fields),
    matches: (record) => wanted.every(([name, value]) => record[name] === value),
  });
  return {
    result: page.entries.map(([id, record]) => logEntryView(query.log_type, tenantId, id, record)),
    next_cursor: page.next === null ? null : Buffer.from(page.next, "utf8").toString("base64url"),
  };
}

/** The most recent MCP requests of one server (the console's server page). */
export async function recentMcpRequests(
  ctx: ServiceContext,
  tenantId: string,
  serverId: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const page = await queryLog(
    ctx,
    { kind: "tenant", tenantId },
    { log_type: "mcp", mcp_server_id: serverId, limit },
  );
  return page.result;
}

function tenantOf(viewer: LogViewer, query: LogQuery): string | null {
  if (viewer.kind === "operator") return query.tenant_id ?? null;
  // Another tenant's id gets the same answer as an id that does not exist.
  if (query.tenant_id !== undefined && query.tenant_id !== viewer.tenantId) {
    throw new GatewayError("not_found", "no such tenant");
  }
  return viewer.tenantId;
}

const STREAM_ID = /^\d{1,16}-\d{1,20}$/;

function cursorPosition(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!STREAM_ID.test(id)) {
    throw new GatewayError("bad_request", "cursor is not one this API returned: pass next_cursor as given");
  }
  return id;
}

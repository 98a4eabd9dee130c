/**
 * The two kinds of log record a tenant can query with `GET /log`: one MCP request (`mcp`) or one admin
 * change (`admin`). Records hold ids, names, outcomes and timings, never arguments, results, credentials or
 * tokens. Each is stored as one Redis Stream entry whose fields are always the same, in the same order
 * (`MCP_LOG_FIELDS`, `ADMIN_LOG_FIELDS`), so a stream keeps the field names once per node, not per entry.
 * A record's time is its stream id: the writer's clock when it was written.
 */

export type LogType = "mcp" | "admin";

/** How an MCP request ended. */
export type McpOutcome = "ok" | "tool_error" | "upstream_error" | "protocol_error" | "refused";

/** Which credential a request to an MCP URL presented beyond the URL itself. */
export type McpCredentialKind = "none" | "api_token" | "oauth_client";

/** One MCP request that could be tied to a server (its token was genuine), as the request log keeps it. */
export interface McpRequestRecord {
  readonly tenant_id: string;
  readonly request_id: string;
  readonly mcp_server_id: string;
  readonly integrated_account_id: string;
  /** The JSON-RPC method (sanitized, capped), or null when the body carried none (refused before reading it). */
  readonly mcp_method: string | null;
  readonly tool_name: string | null;
  readonly outcome: McpOutcome;
  /** Why: the refusal reason, the tool error kind, or null for ok. */
  readonly reason: string | null;
  readonly http_status: number;
  readonly duration_ms: number;
  readonly upstream_status: number | null;
  readonly upstream_latency_ms: number | null;
  readonly ratelimit_remaining: number | null;
  /** "2025-11-25" (initialize era) or "2026-07-28" (server/discover era). */
  readonly protocol_era: string;
  readonly protocol_version: string | null;
  readonly client_name: string | null;
  readonly client_version: string | null;
  readonly credential: McpCredentialKind;
  /** The API token id (tok_…) or OAuth client id that was presented, else null. */
  readonly credential_id: string | null;
}

/** Who made an admin change. */
export type AuditActor =
  | { readonly type: "operator" }
  | { readonly type: "api_token"; readonly id: string; readonly name: string | null }
  | { readonly type: "system" };

/** Where an admin change came from: who, through which door, on which request, from which address. */
export interface RequestOrigin {
  readonly actor: AuditActor;
  readonly via: "api" | "console" | "internal";
  readonly request_id: string | null;
  readonly client_ip: string | null;
}

/** A change to one field: `from` and `to` as the API shows them. */
export interface FieldChange {
  readonly from: unknown;
  readonly to: unknown;
}

/** One admin change (or console sign-in/out), as the audit trail keeps it. */
export interface AdminChangeRecord {
  readonly tenant_id: string | null;
  /** `<resource>.<verb>`, e.g. `mcp_server.created`, `api_token.revoked`, `console.signed_in`. */
  readonly action: string;
  readonly resource_type: "tenant" | "api_token" | "integrated_account" | "mcp_server" | "console_session";
  readonly resource_id: string | null;
  /** The account a change belongs to (accounts and their MCP servers), for filtering. */
  readonly integrated_account_id: string | null;
  readonly mcp_server_id: string | null;
  readonly origin: RequestOrigin;
  /** What changed, field by field (`credentials: {from: "sealed", to: "rotated"}` never holds a secret). */
  readonly changes: Readonly<Record<string, FieldChange>> | null;
}

// Field order is the stream layout; add fields at the end only (readers accept shorter entries).
export const MCP_LOG_FIELDS = [
  "request_id",
  "mcp_server_id",
  "integrated_account_id",
  "mcp_method",
  "tool_name",
  "outcome",
  "reason",
  "http_status",
  "duration_ms",
  "upstream_status",
  "upstream_latency_ms",
  "ratelimit_remaining",
  "protocol_era",
  "protocol_version",
  "client_name",
  "client_version",
  "credential",
  "credential_id",
] as const;

export const ADMIN_LOG_FIELDS = [
  "tenant_id",
  "action",
  "resource_type",
  "resource_id",
  "integrated_account_id",
  "mcp_server_id",
  "actor_type",
  "actor_id",
  "actor_name",
  "via",
  "request_id",
  "client_ip",
  "changes",
] as const;

const text = (value: string | null): string => value ?? "";
const num = (value: number | null): string => (value === null ? "" : String(value));

/** The stream entry's field/value list of an MCP request record ("" stands for null). */
export function mcpRecordFields(r: McpRequestRecord): string[] {
  return [
    "request_id",
    r.request_id,
    "mcp_server_id",
    r.mcp_server_id,
    "integrated_account_id",
    r.integrated_account_id,
    "mcp_method",
    text(r.mcp_method),
    "tool_name",
    text(r.tool_name),
    "outcome",
    r.outcome,
    "reason",
    text(r.reason),
    "http_status",
    String(r.http_status),
    "duration_ms",
    String(r.duration_ms),
    "upstream_status",
    num(r.upstream_status),
    "upstream_latency_ms",
    num(r.upstream_latency_ms),
    "ratelimit_remaining",
    num(r.ratelimit_remaining),
    "protocol_era",
    r.protocol_era,
    "protocol_version",
    text(r.protocol_version),
    "client_name",
    text(r.client_name),
    "client_version",
    text(r.client_version),
    "credential",
    r.credential,
    "credential_id",
    text(r.credential_id),
  ];
}

/** The stream entry's field/value list of an admin change record. */
export function adminRecordFields(r: AdminChangeRecord): string[] {
  const actor = r.origin.actor;
  return [
    "tenant_id",
    text(r.tenant_id),
    "action",
    r.action,
    "resource_type",
    r.resource_type,
    "resource_id",
    text(r.resource_id),
    "integrated_account_id",
    text(r.integrated_account_id),
    "mcp_server_id",
    text(r.mcp_server_id),
    "actor_type",
    actor.type,
    "actor_id",
    actor.type === "api_token" ? actor.id : "",
    "actor_name",
    actor.type === "api_token" ? text(actor.name) : "",
    "via",
    r.origin.via,
    "request_id",
    text(r.origin.request_id),
    "client_ip",
    text(r.origin.client_ip),
    "changes",
    r.changes === null ? "" : JSON.stringify(r.changes),
  ];
}

const MCP_NUMBERS = new Set([
  "http_status",
  "duration_ms",
  "upstream_status",
  "upstream_latency_ms",
  "ratelimit_remaining",
]);

/** A stored entry as `GET /log` answers it: its id, time, tenant, then every field (null for ""). */
export function logEntryView(
  logType: LogType,
  tenantId: string | null,
  id: string,
  fields: readonly string[],
): Record<string, unknown> {
  const ms = Number(id.slice(0, id.indexOf("-")));
  const view: Record<string, unknown> = {
    id,
    log_type: logType,
    created_at: new Date(ms).toISOString(),
    tenant_id: tenantId,
  };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] as string;
    const value = fields[i + 1] as string;
    if (value === "") view[name] = null;
    else if (logType === "mcp" && MCP_NUMBERS.has(name)) view[name] = Number(value);
    else if (name === "changes") view[name] = JSON.parse(value);
    else view[name] = value;
  }
  if (logType === "admin") {
    // The operator's stream carries tenant_id as a field; a tenant's own stream has it in its key.
    view.tenant_id = view.tenant_id ?? tenantId;
    view.actor = actorView(view);
    delete view.actor_type;
    delete view.actor_id;
    delete view.actor_name;
  }
  return view;
}

function actorView(view: Record<string, unknown>): Record<string, unknown> {
  return view.actor_type === "api_token"
    ? { type: "api_token", id: view.actor_id ?? null, name: view.actor_name ?? null }
    : { type: view.actor_type ?? "system" };
}

/** A client-supplied string as it may be recorded: printable ASCII only, capped. */
export function recordableText(value: unknown, maxChars: number): string | null {
  if (typeof value !== "string" || value === "") return null;
  const cleaned = value.replace(/[^\x20-\x7e]/g, "?");
  return cleaned.length > maxChars ? cleaned.slice(0, maxChars) : cleaned;
}

/**
 * The two kinds of log record a tenant can query with `GET /log`: one MCP request (`mcp`) or one admin
 * change (`admin`). Records hold ids, names, outcomes and timings, never arguments, results, credentials or
 * tokens. Each is stored as one Redis Stream entry (see LOG_ENTRY_FIELD). A record's time is its stream id:
 * the writer's clock when it was written.
 */

export type LogType = "mcp" | "admin";

/** How an MCP request ended. */
export type McpOutcome = "ok" | "tool_error" | "upstream_error" | "protocol_error" | "refused";

/** Which MCP transport carried a request: Streamable HTTP, or the legacy 2024-11-05 HTTP+SSE transport. */
export type McpTransport = "streamable_http" | "sse";

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
  /** The transport; records written before it was logged read as null (they were all Streamable HTTP). */
  readonly transport: McpTransport;
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

// The order of a record's values in its stream entry; add fields at the end only (readers take missing
// trailing values as null).
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
  "transport",
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

/**
 * The one field of every log stream entry: its value is the record's values as a JSON array, in the order
 * of MCP_LOG_FIELDS or ADMIN_LOG_FIELDS. One field instead of one per value keeps a write to a handful of
 * command arguments, which is most of what recording costs the gateway's CPU.
 */
export const LOG_ENTRY_FIELD = "r";

/** The stream entry value of an MCP request record. */
export function encodeMcpRecord(r: McpRequestRecord): string {
  return JSON.stringify([
    r.request_id,
    r.mcp_server_id,
    r.integrated_account_id,
    r.mcp_method,
    r.tool_name,
    r.outcome,
    r.reason,
    r.http_status,
    r.duration_ms,
    r.upstream_status,
    r.upstream_latency_ms,
    r.ratelimit_remaining,
    r.protocol_era,
    r.protocol_version,
    r.client_name,
    r.client_version,
    r.credential,
    r.credential_id,
    r.transport,
  ]);
}

/** The stream entry value of an admin change record. */
export function encodeAdminRecord(r: AdminChangeRecord): string {
  const actor = r.origin.actor;
  return JSON.stringify([
    r.tenant_id,
    r.action,
    r.resource_type,
    r.resource_id,
    r.integrated_account_id,
    r.mcp_server_id,
    actor.type,
    actor.type === "api_token" ? actor.id : null,
    actor.type === "api_token" ? actor.name : null,
    r.origin.via,
    r.origin.request_id,
    r.origin.client_ip,
    r.changes,
  ]);
}

/** A stored entry's fields decoded into `{field: value}` (null for what it lacks); undefined if unreadable. */
export function decodeLogEntry(
  logType: LogType,
  fields: readonly string[],
): Record<string, unknown> | undefined {
  const raw = fields[0] === LOG_ENTRY_FIELD ? fields[1] : undefined;
  if (raw === undefined) return undefined;
  let values: unknown;
  try {
    values = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values)) return undefined;
  const names = logType === "mcp" ? MCP_LOG_FIELDS : ADMIN_LOG_FIELDS;
  const record: Record<string, unknown> = {};
  names.forEach((name, i) => {
    record[name] = values[i] ?? null;
  });
  return record;
}

/** A decoded entry as `GET /log` answers it: its id, time, tenant, then every field. */
export function logEntryView(
  logType: LogType,
  tenantId: string | null,
  id: string,
  record: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const ms = Number(id.slice(0, id.indexOf("-")));
  const head = { id, log_type: logType, created_at: new Date(ms).toISOString(), tenant_id: tenantId };
  if (logType === "mcp") return { ...head, ...record };
  const { actor_type, actor_id, actor_name, ...rest } = record;
  return {
    ...head,
    ...rest,
    // The operator's stream carries tenant_id in the record; a tenant's own stream has it in its key.
    tenant_id: rest.tenant_id ?? tenantId,
    actor:
      actor_type === "api_token"
        ? { type: actor_type, id: actor_id, name: actor_name }
        : { type: actor_type },
  };
}

/** A client-supplied string as it may be recorded: printable ASCII only, capped. */
export function recordableText(value: unknown, maxChars: number): string | null {
  if (typeof value !== "string" || value === "") return null;
  const cleaned = value.replace(/[^\x20-\x7e]/g, "?");
  return cleaned.length > maxChars ? cleaned.slice(0, maxChars) : cleaned;
}

import type { ToolExposure } from "@mcp-gateway/core";

// Stored records. Field names follow the public API (snake_case) so a record maps to a response by
// dropping its secret fields. Times are ISO 8601 strings; expiries are also kept in epoch ms for checks.

export interface TenantRecord {
  v: 1;
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface ApiTokenRecord {
  v: 1;
  id: string;
  tenant_id: string;
  name: string;
  /** HMAC-SHA-256 of the whole token under SECRET_HASH_KEY; the token itself is never stored. */
  token_hash: string;
  expires_at: string | null;
  created_at: string;
}

export interface AccountRecord {
  v: 1;
  id: string;
  tenant_id: string;
  integration: string;
  name: string;
  /** The credentials JSON sealed with AES-256-GCM (AAD = tenant|account|credentials). */
  sealed_credentials: string;
  /** What the upstream said about the credentials (Mem0: org_id, project_id). */
  context: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface McpServerConfig {
  methods?: string[] | undefined;
  tags?: string[] | undefined;
  require_api_token_auth: boolean;
  tool_exposure: ToolExposure;
  /** Entity scope (entity key -> id, AND); absent = not pinned. Holds the signed scope plus any keys PATCH added. */
  scope?: Record<string, string> | undefined;
}

export interface McpServerRecord {
  v: 1;
  id: string;
  tenant_id: string;
  integrated_account_id: string;
  name: string;
  /** The current config: equal to, or narrower than, what the token was signed with. */
  config: McpServerConfig;
  expires_at: string | null;
  /** The token's `jti`; a token whose jti differs from this is refused. */
  token_id: string;
  /** Who minted it (absent on servers minted before records carried it). */
  created_by?: RecordCreator | null;
  created_at: string;
  updated_at: string;
}

/** Who created a record: the operator, an API token (id and name at the time), or the gateway itself. */
export interface RecordCreator {
  type: "operator" | "api_token" | "system";
  id: string | null;
  name: string | null;
}

/** An ISO expiry (or null for none) in epoch milliseconds. */
export function expiryMs(expiresAt: string | null): number | null {
  return expiresAt === null ? null : Date.parse(expiresAt);
}

/** True when an ISO expiry is at or before `nowMs`. */
export function isExpired(expiresAt: string | null, nowMs: number): boolean {
  const expiry = expiryMs(expiresAt);
  return expiry !== null && expiry <= nowMs;
}

/** Parses a stored record, returning undefined for a missing key. */
export function parseRecord<T>(raw: string | null | undefined): T | undefined {
  if (raw === null || raw === undefined) return undefined;
  return JSON.parse(raw) as T;
}

import type { AccountRecord, ApiTokenRecord, McpServerRecord, TenantRecord } from "@mcp-gateway/store";

// Records become responses here, and only here: every secret field is left out by construction.

/** A tenant as the API shows it. */
export function tenantView(t: TenantRecord): Record<string, unknown> {
  return { id: t.id, name: t.name, created_at: t.created_at, updated_at: t.updated_at };
}

/** An API token's metadata (never the token or its hash). */
export function apiTokenView(t: ApiTokenRecord): Record<string, unknown> {
  return { id: t.id, name: t.name, expires_at: t.expires_at, created_at: t.created_at };
}

/** An integrated account (never its credentials). */
export function accountView(a: AccountRecord): Record<string, unknown> {
  return {
    id: a.id,
    integration: a.integration,
    name: a.name,
    context: a.context,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

/** An MCP server (never its token or URL: those are shown once, at creation). */
export function mcpServerView(s: McpServerRecord): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    integrated_account_id: s.integrated_account_id,
    config: {
      methods: s.config.methods ?? null,
      tags: s.config.tags ?? null,
      require_api_token_auth: s.config.require_api_token_auth,
      tool_exposure: s.config.tool_exposure,
      scope: s.config.scope ?? null,
    },
    expires_at: s.expires_at,
    created_by: s.created_by ?? null,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

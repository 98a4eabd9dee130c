import { OAUTH_SCOPE } from "@mcp-gateway/core";
import type { ServiceContext } from "../services/service-context.js";

/**
 * The authorization server's issuer: PUBLIC_URL exactly (no trailing slash). The same string appears in the
 * RFC 8414 metadata, in every protected resource's `authorization_servers` and in RFC 9207 `iss`, since
 * clients compare them byte for byte.
 */
export function issuerOf(ctx: ServiceContext): string {
  return ctx.config.publicUrl;
}

/** RFC 8414 authorization server metadata (fields chosen for MCP clients; reference/oauth.md §1.3). */
export function authorizationServerMetadata(ctx: ServiceContext): Record<string, unknown> {
  const issuer = issuerOf(ctx);
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    revocation_endpoint: `${issuer}/revoke`,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    // "none" and the metadata-document flag together are what make Claude pick CIMD over DCR.
    token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
    revocation_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
    scopes_supported: [OAUTH_SCOPE, "offline_access"],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}

/** Where the RFC 9728 metadata of an MCP URL lives: the well-known segment inserted before the path (§3.1). */
export function resourceMetadataUrl(ctx: ServiceContext, urlToken: string): string {
  const base = new URL(ctx.config.publicUrl);
  return `${base.origin}/.well-known/oauth-protected-resource${base.pathname.replace(/\/+$/, "")}/mcp/${urlToken}`;
}

/** RFC 9728 protected resource metadata for one MCP URL; `resource` is exactly that URL. */
export function protectedResourceMetadata(
  ctx: ServiceContext,
  urlToken: string,
  serverName: string,
): Record<string, unknown> {
  return {
    resource: `${ctx.config.publicUrl}/mcp/${urlToken}`,
    authorization_servers: [issuerOf(ctx)],
    scopes_supported: [OAUTH_SCOPE],
    bearer_methods_supported: ["header"],
    resource_name: serverName,
  };
}

/**
 * The WWW-Authenticate challenge of a protected MCP URL (RFC 6750 §3, RFC 9728 §5.1): where its metadata is
 * and which scope to ask for; `error="invalid_token"` when a bearer was sent and refused.
 */
export function bearerChallenge(ctx: ServiceContext, urlToken: string, tokenRefused: boolean): string {
  const parts = [`resource_metadata="${resourceMetadataUrl(ctx, urlToken)}"`, `scope="${OAUTH_SCOPE}"`];
  if (tokenRefused) parts.unshift('error="invalid_token"');
  return `Bearer ${parts.join(", ")}`;
}

import { randomBytes } from "node:crypto";
import {
  generateAuthorizationCode,
  hashSecret,
  isLoopbackHttp,
  isS256Challenge,
  type McpTokenClaims,
  mcpTokenOfResource,
  newGrantId,
  OAUTH_LIMITS,
  OAUTH_SCOPE,
  redirectUriRegistered,
} from "@mcp-gateway/core";
import type { Tool } from "@mcp-gateway/integrations";
import {
  findPendingAuthorization,
  insertAuthorizationCode,
  insertPendingAuthorization,
  type PendingAuthorizationRecord,
  takePendingAuthorization,
} from "@mcp-gateway/store";
import { recordAdminChange } from "../log/admin-changes.js";
import type { ConsoleUser } from "../services/console-sessions.service.js";
import { checkMcpToken, resolveCheckedMcpToken } from "../services/resolve-mcp-token.js";
import { nowIso, type ServiceContext } from "../services/service-context.js";
import type { MetadataDocumentFetcher } from "./metadata-document-fetch.js";
import { type OAuthClient, resolveClient } from "./oauth-clients.js";
import { issuerOf } from "./oauth-metadata.js";

/** The query of an authorization request (RFC 6749 §4.1.1, PKCE, RFC 8707 resource). */
export type AuthorizeQuery = Partial<Record<string, string | string[]>>;

/**
 * What /authorize answers: a page (the client or redirect URI cannot be trusted, so nothing is sent to it),
 * a redirect back to the client with an error, or the consent page for a stored pending request.
 */
export type AuthorizeOutcome =
  | { kind: "error_page"; message: string }
  | { kind: "redirect"; location: string }
  | { kind: "consent"; requestId: string };

function single(query: AuthorizeQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) return undefined;
  return value === undefined || value === "" ? undefined : value;
}

/** A redirect to the client carrying `params`, `state` verbatim and `iss` (RFC 9207 §2, errors included). */
export function clientRedirect(
  ctx: ServiceContext,
  redirectUri: string,
  state: string | null | undefined,
  params: Record<string, string>,
): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  if (state !== null && state !== undefined) url.searchParams.set("state", state);
  url.searchParams.set("iss", issuerOf(ctx));
  return url.href;
}

/**
 * Checks an authorize request. The client, its redirect URI and the resource come first: until all three are
 * known good (the resource a live protected URL of this gateway), an error is shown as a page, never sent to
 * the URI (OAuth 2.1 §4.1.2.1, RFC 9700 §4.11.2). Only then do other problems go back to the client as
 * `error` + `error_description`. A request that passes is stored for the consent page.
 */
export async function startAuthorization(
  ctx: ServiceContext,
  fetcher: MetadataDocumentFetcher,
  query: AuthorizeQuery,
  clientAddress: string,
): Promise<AuthorizeOutcome> {
  const clientId = single(query, "client_id");
  if (clientId === undefined) return { kind: "error_page", message: "The request has no client_id." };
  const resolved = await resolveClient(ctx, fetcher, clientId, clientAddress);
  if (!resolved.ok) return { kind: "error_page", message: `The client cannot be used: ${resolved.message}.` };
  const client = resolved.client;
  const requestedRedirect = single(query, "redirect_uri");
  const redirectUri = requestedRedirect ?? soleRedirectUri(client);
  if (redirectUri === undefined) {
    return {
      kind: "error_page",
      message: "The request has no redirect_uri and the client registered several.",
    };
  }
  if (!redirectUriRegistered(redirectUri, client.redirectUris)) {
    return {
      kind: "error_page",
      message: "The redirect_uri is not one the client registered, so the request was not sent back to it.",
    };
  }
  const resource = single(query, "resource");
  if (resource === undefined) {
    // Decision (docs/oauth.md): without `resource` there is no telling which MCP URL is meant, and a grant
    // must be bound to exactly one, so the request is refused with a message saying what to send.
    return {
      kind: "error_page",
      message: "The request has no resource: send resource=<the MCP server URL> (RFC 8707).",
    };
  }
  const target = await protectedServerOf(ctx, resource);
  if (target === undefined) {
    return {
      kind: "error_page",
      message: "The resource is not a live MCP server URL of this gateway that requires sign-in.",
    };
  }
  // RFC 9700 §4.11.2: anyone can register a client (DCR) or publish a metadata document naming any redirect
  // URI, so errors go back to it only once the request names a live protected URL of this gateway. Before
  // that, every refusal is the page above, and the gateway cannot be used as an open redirector.
  const state = single(query, "state") ?? null;
  const fail = (error: string, description: string): AuthorizeOutcome => ({
    kind: "redirect",
    location: clientRedirect(ctx, redirectUri, state, { error, error_description: description }),
  });
  if (state !== null && state.length > OAUTH_LIMITS.stateMaxChars) {
    return fail("invalid_request", `state is longer than ${OAUTH_LIMITS.stateMaxChars} characters`);
  }
  if (single(query, "response_type") !== "code") {
    return fail("unsupported_response_type", 'response_type must be "code"');
  }
  const challenge = single(query, "code_challenge");
  if (
    challenge === undefined ||
    single(query, "code_challenge_method") !== "S256" ||
    !isS256Challenge(challenge)
  ) {
    return fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256");
  }
  const requestId = randomBytes(24).toString("base64url");
  const record: PendingAuthorizationRecord = {
    v: 1,
    tenant_id: target.tenantId,
    server_id: target.serverId,
    account_id: target.accountId,
    url_token_id: target.urlTokenId,
    claims: target.claims,
    client_id: client.id,
    client_kind: client.kind,
    client_name: client.name,
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    // Whatever was asked for (clients ask for odd scopes), the grant is for calling this one URL.
    scope: OAUTH_SCOPE,
    created_at: nowIso(ctx),
  };
  await insertPendingAuthorization(ctx.redis, requestId, record, OAUTH_LIMITS.pendingRequestTtlMs);
  return { kind: "consent", requestId };
}

function soleRedirectUri(client: OAuthClient): string | undefined {
  const [only, ...rest] = client.redirectUris;
  // A port-less loopback URI is a pattern, not an address to send anyone to.
  return only !== undefined && rest.length === 0 && !isLoopbackHttp(new URL(only)) ? only : undefined;
}

/** A live MCP server that requires sign-in, named by a resource URL; undefined otherwise. */
export interface ProtectedServer {
  tenantId: string;
  serverId: string;
  serverName: string;
  accountId: string;
  urlTokenId: string;
  claims: McpTokenClaims;
  tools: readonly Tool[];
}

/** The claims of the MCP URL a resource names, if it is a genuine, unexpired URL of this gateway. */
export function claimsOfResource(ctx: ServiceContext, resource: string): McpTokenClaims | undefined {
  const token = mcpTokenOfResource(resource, ctx.config.publicUrl);
  if (token === undefined) return undefined;
  const checked = checkMcpToken(ctx, token, ctx.clock.now());
  return checked.ok ? checked.claims : undefined;
}

/** The live, sign-in-requiring MCP server a resource URL names, at the clock's now. */
export async function protectedServerOf(
  ctx: ServiceContext,
  resource: string,
): Promise<ProtectedServer | undefined> {
  const claims = claimsOfResource(ctx, resource);
  return claims === undefined ? undefined : protectedServerOfClaims(ctx, claims);
}

/** The live, sign-in-requiring MCP server that checked claims open (its record must still match them). */
async function protectedServerOfClaims(
  ctx: ServiceContext,
  claims: McpTokenClaims,
): Promise<ProtectedServer | undefined> {
  const resolved = await resolveCheckedMcpToken(ctx, claims, ctx.clock.now());
  if (!resolved.ok || !resolved.requireApiTokenAuth) return undefined;
  return {
    tenantId: resolved.server.tenant_id,
    serverId: resolved.server.id,
    serverName: resolved.server.name,
    accountId: resolved.account.id,
    urlTokenId: resolved.server.token_id,
    claims,
    tools: resolved.tools,
  };
}

/** What the consent page shows. */
export interface ConsentView {
  requestId: string;
  clientName: string;
  clientKind: PendingAuthorizationRecord["client_kind"];
  /** The host of a metadata-document client's id (who vouches for the name); null for registered ones. */
  clientIdHost: string | null;
  redirectUri: string;
  redirectHost: string;
  redirectIsLoopback: boolean;
  serverName: string;
  tools: readonly Tool[];
}

export type ConsentLookup =
  | { ok: true; view: ConsentView }
  | { ok: false; reason: "expired" | "other_tenant" | "server_gone" };

/**
 * The consent page's content for a pending request, for a signed-in user. Only a user of the server's tenant
 * may see it (the operator cannot approve either): anyone else gets `other_tenant`.
 */
export async function consentFor(
  ctx: ServiceContext,
  requestId: string,
  user: ConsoleUser,
): Promise<ConsentLookup> {
  const pending = await findPendingAuthorization(ctx.redis, requestId);
  if (pending === undefined) return { ok: false, reason: "expired" };
  if (user.kind !== "tenant" || user.tenantId !== pending.tenant_id)
    return { ok: false, reason: "other_tenant" };
  const server = await protectedServerOfClaims(ctx, pending.claims);
  if (server === undefined || server.serverId !== pending.server_id)
    return { ok: false, reason: "server_gone" };
  const redirect = new URL(pending.redirect_uri);
  return {
    ok: true,
    view: {
      requestId,
      clientName: pending.client_name,
      clientKind: pending.client_kind,
      clientIdHost: pending.client_kind === "metadata_document" ? new URL(pending.client_id).host : null,
      redirectUri: pending.redirect_uri,
      redirectHost: redirect.host,
      redirectIsLoopback: isLoopbackHttp(redirect),
      serverName: server.serverName,
      tools: server.tools,
    },
  };
}

export type DecisionOutcome =
  | { ok: true; location: string }
  | { ok: false; reason: "expired" | "other_tenant" | "server_gone" };

/**
 * Answers a pending request with the person's decision. Approve stores a single-use code bound to the client,
 * redirect URI, PKCE challenge, URL and approving API token; Deny sends access_denied. Either way the pending
 * request is used up and the client is sent back with `state` and `iss`.
 */
export async function decideAuthorization(
  ctx: ServiceContext,
  requestId: string,
  user: ConsoleUser,
  approve: boolean,
): Promise<DecisionOutcome> {
  const consent = await consentFor(ctx, requestId, user);
  if (!consent.ok) return consent;
  if (user.kind !== "tenant") return { ok: false, reason: "other_tenant" };
  const pending = await takePendingAuthorization(ctx.redis, requestId);
  if (pending === undefined) return { ok: false, reason: "expired" };
  if (!approve) {
    return {
      ok: true,
      location: clientRedirect(ctx, pending.redirect_uri, pending.state, {
        error: "access_denied",
        error_description: "the person signed in to the gateway denied the request",
      }),
    };
  }
  const code = generateAuthorizationCode(pending.tenant_id);
  await insertAuthorizationCode(
    ctx.redis,
    authorizationCodeHash(ctx, code),
    {
      v: 1,
      grant_id: newGrantId(),
      tenant_id: pending.tenant_id,
      server_id: pending.server_id,
      account_id: pending.account_id,
      url_token_id: pending.url_token_id,
      client_id: pending.client_id,
      client_kind: pending.client_kind,
      client_name: pending.client_name,
      redirect_uri: pending.redirect_uri,
      code_challenge: pending.code_challenge,
      scope: pending.scope,
      approved_by_api_token_id: user.apiTokenId,
      created_at: nowIso(ctx),
    },
    OAUTH_LIMITS.codeTtlMs,
  );
  recordAdminChange(ctx, {
    tenant_id: pending.tenant_id,
    action: "mcp_server.oauth_client_approved",
    resource_type: "mcp_server",
    resource_id: pending.server_id,
    integrated_account_id: pending.account_id,
    mcp_server_id: pending.server_id,
    changes: { oauth_client: { from: null, to: pending.client_name } },
  });
  return { ok: true, location: clientRedirect(ctx, pending.redirect_uri, pending.state, { code }) };
}

/** The keyed hash an authorization code is stored under. */
export function authorizationCodeHash(ctx: ServiceContext, code: string): string {
  return hashSecret(ctx.config.keys.secretHashKey, `oauth-code|${code}`);
}

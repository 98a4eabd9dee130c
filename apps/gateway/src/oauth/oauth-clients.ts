import { createHash } from "node:crypto";
import {
  checkClientMetadata,
  clientIdUrlProblem,
  generateClientCredentials,
  hashSecret,
  isRegisteredClientId,
  OAUTH_LIMITS,
  type OAuthClientMetadata,
} from "@mcp-gateway/core";
import {
  cacheMetadataDocument,
  cacheMetadataDocumentFailure,
  countMetadataDocumentFetch,
  countRegistration,
  findMetadataDocument,
  findMetadataDocumentFailure,
  findRegisteredClient,
  insertRegisteredClient,
  type OAuthClientKind,
  type RegisteredClientRecord,
} from "@mcp-gateway/store";
import { nowIso, type ServiceContext } from "../services/service-context.js";
import type { FetchFailure, MetadataDocumentFetcher } from "./metadata-document-fetch.js";

/** A client as the authorization server sees it, however it became known. */
export interface OAuthClient {
  id: string;
  kind: OAuthClientKind;
  name: string;
  redirectUris: readonly string[];
  authMethod: OAuthClientMetadata["token_endpoint_auth_method"];
  /** Keyed hash of the DCR secret, for confidential clients. */
  secretHash: string | null;
}

export type ClientResolution = { ok: true; client: OAuthClient } | { ok: false; message: string };

/**
 * Stored copies of documents known to be hard to fetch: Claude's two CIMD documents sit behind bot protection
 * that answers 403 to many datacenter addresses (reference/oauth.md §2). These are used instead of a fetch.
 * The hosted one also lists claude.com's callback, which Claude's setup guides name beside claude.ai's.
 */
export const STORED_METADATA_DOCUMENTS: Readonly<Record<string, OAuthClientMetadata>> = {
  "https://claude.ai/oauth/mcp-oauth-client-metadata": {
    client_name: "Claude",
    client_uri: "https://claude.ai",
    redirect_uris: ["https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback"],
    token_endpoint_auth_method: "none",
  },
  "https://claude.ai/oauth/claude-code-client-metadata": {
    client_name: "Claude Code",
    client_uri: "https://claude.ai",
    // Port-less loopback redirects: matched on any port (redirectUriRegistered).
    redirect_uris: ["http://localhost/callback", "http://127.0.0.1/callback"],
    token_endpoint_auth_method: "none",
  },
};

const FETCH_MESSAGES: Record<FetchFailure, string> = {
  private_address: "its host resolves to a private, loopback or link-local address",
  unreachable: "it could not be reached",
  timeout: `it did not answer within ${OAUTH_LIMITS.metadataDocumentTimeoutMs / 1_000} s`,
  not_200: "it did not answer 200 (redirects are not followed)",
  too_large: `it is larger than ${OAUTH_LIMITS.metadataDocumentBytes} bytes`,
  not_json: "it is not JSON",
};

/** The client behind a client_id: a stored or fetched metadata document for https ids, else a DCR record. */
export async function resolveClient(
  ctx: ServiceContext,
  fetcher: MetadataDocumentFetcher,
  clientId: string,
  clientAddress: string,
): Promise<ClientResolution> {
  if (/^https?:\/\//i.test(clientId)) {
    return resolveMetadataDocumentClient(ctx, fetcher, clientId, clientAddress);
  }
  if (!isRegisteredClientId(clientId)) return { ok: false, message: "unknown client_id" };
  const record = await findRegisteredClient(ctx.redis, clientId, OAUTH_LIMITS.registeredClientTtlMs);
  if (record === undefined) return { ok: false, message: "unknown client_id: register the client again" };
  return {
    ok: true,
    client: {
      id: record.client_id,
      kind: "registered",
      name: record.client_name,
      redirectUris: record.redirect_uris,
      authMethod: record.token_endpoint_auth_method,
      secretHash: record.client_secret_hash,
    },
  };
}

async function resolveMetadataDocumentClient(
  ctx: ServiceContext,
  fetcher: MetadataDocumentFetcher,
  url: string,
  clientAddress: string,
): Promise<ClientResolution> {
  const problem = clientIdUrlProblem(url);
  if (problem !== undefined) return { ok: false, message: problem };
  const stored = STORED_METADATA_DOCUMENTS[url];
  if (stored !== undefined) return { ok: true, client: documentClient(url, stored) };
  const urlHash = createHash("sha256").update(url).digest("base64url");
  const cached = await findMetadataDocument(ctx.redis, urlHash);
  if (cached !== undefined) {
    const checked = checkClientMetadata(JSON.parse(cached), "document");
    if (checked.ok) return { ok: true, client: documentClient(url, checked.metadata) };
  }
  // Outbound fetches are bounded: a recent failure is answered from memory, and each client address may make
  // the gateway fetch only so many new documents a minute.
  const failed = await findMetadataDocumentFailure(ctx.redis, urlHash);
  if (failed !== undefined) return { ok: false, message: failed };
  const addressHash = hashSecret(ctx.config.keys.secretHashKey, `oauth-cimd|${clientAddress}`);
  const fetches = await countMetadataDocumentFetch(
    ctx.redis,
    addressHash,
    OAUTH_LIMITS.metadataDocumentFetchWindowMs,
  );
  if (fetches > OAUTH_LIMITS.metadataDocumentFetchesPerWindow) {
    return {
      ok: false,
      message: `too many new client metadata documents from this address; at most ${OAUTH_LIMITS.metadataDocumentFetchesPerWindow} a minute, try again shortly`,
    };
  }
  const fetched = await fetchMetadataDocument(fetcher, url);
  if (!fetched.ok) {
    await cacheMetadataDocumentFailure(
      ctx.redis,
      urlHash,
      fetched.message,
      OAUTH_LIMITS.metadataDocumentFailureCacheMs,
    );
    return fetched;
  }
  // Valid documents only are cached, within bounds whatever the server says.
  const ttl = Math.min(
    Math.max(fetched.maxAgeMs ?? 5 * 60_000, OAUTH_LIMITS.metadataDocumentCacheMinMs),
    OAUTH_LIMITS.metadataDocumentCacheMaxMs,
  );
  await cacheMetadataDocument(ctx.redis, urlHash, fetched.text, ttl);
  return { ok: true, client: documentClient(url, fetched.metadata) };
}

/** Fetches and checks a metadata document: its metadata and raw text, or why it cannot be used. */
async function fetchMetadataDocument(
  fetcher: MetadataDocumentFetcher,
  url: string,
): Promise<
  | { ok: true; metadata: OAuthClientMetadata; text: string; maxAgeMs: number | undefined }
  | { ok: false; message: string }
> {
  const fetched = await fetcher.fetch(url);
  if (!fetched.ok) {
    return {
      ok: false,
      message: `the client's metadata document cannot be used: ${FETCH_MESSAGES[fetched.reason]}`,
    };
  }
  // CIMD draft §4.1: the document's client_id must be exactly the URL it was fetched from.
  const documentId = (fetched.json as { client_id?: unknown } | null)?.client_id;
  if (documentId !== url) {
    return { ok: false, message: "the client's metadata document names another client_id than its own URL" };
  }
  const checked = checkClientMetadata(fetched.json, "document");
  if (!checked.ok)
    return { ok: false, message: `the client's metadata document is invalid: ${checked.message}` };
  return { ok: true, metadata: checked.metadata, text: fetched.text, maxAgeMs: fetched.maxAgeMs };
}

function documentClient(url: string, metadata: OAuthClientMetadata): OAuthClient {
  return {
    id: url,
    kind: "metadata_document",
    name: metadata.client_name,
    redirectUris: metadata.redirect_uris,
    authMethod: "none",
    secretHash: null,
  };
}

export type RegistrationResult =
  | { ok: true; status: 201; body: Record<string, unknown> }
  | { ok: false; status: 400 | 429; body: { error: string; error_description: string } };

/**
 * Dynamic Client Registration (RFC 7591): checks the metadata, limits registrations per client address, and
 * stores the client for OAUTH_LIMITS.registeredClientTtlMs after its last use. A confidential client (hosted
 * Claude asks for client_secret_post) gets a secret, shown once and stored only as a keyed hash.
 */
export async function registerClient(
  ctx: ServiceContext,
  body: unknown,
  clientAddress: string,
): Promise<RegistrationResult> {
  const addressHash = hashSecret(ctx.config.keys.secretHashKey, `oauth-dcr|${clientAddress}`);
  const count = await countRegistration(ctx.redis, addressHash, OAUTH_LIMITS.registrationWindowMs);
  if (count > OAUTH_LIMITS.registrationsPerWindow) {
    return {
      ok: false,
      status: 429,
      body: {
        error: "invalid_client_metadata",
        error_description: `too many registrations from this address; at most ${OAUTH_LIMITS.registrationsPerWindow} a minute`,
      },
    };
  }
  const checked = checkClientMetadata(body, "registration");
  if (!checked.ok) {
    const error = checked.message.includes("redirect") ? "invalid_redirect_uri" : "invalid_client_metadata";
    return { ok: false, status: 400, body: { error, error_description: checked.message } };
  }
  const { metadata } = checked;
  const { clientId, clientSecret } = generateClientCredentials();
  const confidential = metadata.token_endpoint_auth_method !== "none";
  const createdAt = nowIso(ctx);
  const record: RegisteredClientRecord = {
    v: 1,
    client_id: clientId,
    client_name: metadata.client_name,
    redirect_uris: metadata.redirect_uris,
    token_endpoint_auth_method: metadata.token_endpoint_auth_method,
    client_secret_hash: confidential ? clientSecretHash(ctx, clientSecret) : null,
    ...(metadata.client_uri === undefined ? {} : { client_uri: metadata.client_uri }),
    created_at: createdAt,
  };
  await insertRegisteredClient(ctx.redis, record, OAUTH_LIMITS.registeredClientTtlMs);
  return {
    ok: true,
    status: 201,
    body: {
      client_id: clientId,
      client_id_issued_at: Math.floor(Date.parse(createdAt) / 1_000),
      ...(confidential ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
      client_name: metadata.client_name,
      redirect_uris: metadata.redirect_uris,
      token_endpoint_auth_method: metadata.token_endpoint_auth_method,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      ...(metadata.client_uri === undefined ? {} : { client_uri: metadata.client_uri }),
    },
  };
}

/** The keyed hash a DCR client secret is stored and compared as. */
export function clientSecretHash(ctx: ServiceContext, secret: string): string {
  return hashSecret(ctx.config.keys.secretHashKey, `oauth-client-secret|${secret}`);
}

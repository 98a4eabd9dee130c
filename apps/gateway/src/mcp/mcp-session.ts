import type { EntityScope, McpCredentialKind, McpRequestRecord, McpTokenClaims } from "@mcp-gateway/core";
import type { ExecutionAccount, ScopedRecordLedger, Tool } from "@mcp-gateway/integrations";
import type { FastifyRequest } from "fastify";
import type { LegacySseRoutes } from "./legacy-sse/legacy-sse.js";
import type { OriginPolicy } from "./origin.js";

/** What one MCP URL grants, as resolved for one HTTP request. */
export interface McpSession {
  readonly serverId: string;
  readonly serverName: string;
  readonly tenantId: string;
  readonly accountId: string;
  /** The integration name, e.g. "mem0". */
  readonly integration: string;
  /** Already filtered by the URL's methods AND tags. */
  readonly tools: readonly Tool[];
  readonly exposure: "all" | "discovery";
  /** The entities every call is confined to (entity-scope.ts); absent when the URL is not pinned. */
  readonly scope?: EntityScope;
  /** On a scoped URL: the records (exports) this server made, which it alone may read back. May throw. */
  readonly scopedRecords?: ScopedRecordLedger;
  /** Opened credentials and context; used only to execute tools, never logged. */
  readonly account: ExecutionAccount;
  /** What the request presented beyond the URL (an API token on a require_api_token_auth server). */
  readonly credential: { readonly kind: McpCredentialKind; readonly id: string | null };
}

/**
 * The resolver's verdict on a URL token. `not_found` covers unknown, malformed, forged, expired and revoked
 * tokens alike, so the answer is no oracle; `unavailable` means storage could not be asked (fail closed).
 */
export type McpAccess =
  | { ok: true; session: McpSession }
  | { ok: false; reason: "not_found"; detail?: string }
  | { ok: false; reason: "unauthorized"; detail?: string; tokenRefused?: boolean }
  | { ok: false; reason: "unavailable" };

/** What the MCP endpoint needs from the rest of the gateway. */
export interface McpEndpointOptions {
  /**
   * The CPU-only token check, run before the request body is read: the claims of a genuine, unexpired
   * token, or undefined (404). A forged token therefore costs no body parsing and no Redis command.
   */
  checkToken(token: string): McpTokenClaims | undefined;
  /** Called once per HTTP request whose token passed `checkToken`, before any JSON-RPC handling. */
  resolveAccess(claims: McpTokenClaims, authorization: string | undefined): Promise<McpAccess>;
  /** The upstream base URL for an integration, e.g. the gateway's MEM0_BASE_URL. */
  upstreamBaseUrl(integration: string): string;
  /** Answer tools/list, tools/call and server/discover without the SDK (MCP_DIRECT_ANSWERS, on by default). */
  directAnswers: boolean;
  /** Which Origin headers may reach the endpoint; a request without Origin is allowed. */
  origins: OriginPolicy;
  /**
   * Called once per request whose token was genuine, after its answer was sent: must return at once and
   * never throw (the request log writes it in the background).
   */
  recordMcpRequest(record: McpRequestRecord): void;
  /**
   * The WWW-Authenticate challenge of a 401 for the URL token (where its OAuth metadata is, RFC 9728 §5.1);
   * `tokenRefused` when a bearer was sent and refused. Without it the 401 carries a plain Bearer challenge.
   */
  bearerChallenge?(urlToken: string, tokenRefused: boolean): string;
  /**
   * The headers the app adds to every answer as it is sent, as name, value, ... pairs (the request id;
   * `connection: close` while shutting down), for answers the endpoint writes without fastify's send.
   */
  finishingHeaders(request: FastifyRequest): string[];
  /** The legacy HTTP+SSE transport on the same URLs (MCP_LEGACY_SSE); undefined when it is off. */
  legacySse?: LegacySseRoutes | undefined;
}

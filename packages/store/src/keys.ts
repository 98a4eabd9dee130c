/**
 * The key schema. Keys are relative: the client's `keyPrefix` (REDIS_KEY_PREFIX, default "mcpg:") is
 * prepended by ioredis. A tenant's keys carry `{tenantId}` as a hash tag so they share one Cluster slot.
 * docs/storage-schema.md lists every key with its TTL and writer.
 */
export const keys = {
  /** Hash: migration id -> JSON {name, appliedAt}. */
  migrationsApplied: () => "meta:migrations",
  /** String holding the current runner's random token; PX = LIMITS.migrationLockTtlMs. */
  migrationsLock: () => "meta:migrations:lock",
  /** String: the keyspace format version. */
  schemaVersion: () => "meta:schema-version",
  /** Hash: PUBLIC_URL and an HMAC of a fixed string under each key, so instances with other keys refuse to start. */
  keyCheck: () => "meta:key-check",

  /** Sorted set (all scores 0, ordered by member): `<created_at ms, 13 digits>:<tenant id>`. */
  tenantIndex: () => "tenants",
  /** String: JSON TenantRecord. */
  tenant: (tenantId: string) => `t:{${tenantId}}:tenant`,

  /** String: JSON ApiTokenRecord, found by the id inside the presented token; PXAT = expires_at. */
  apiToken: (tokenId: string) => `apitok:${tokenId}`,
  /** Sorted set of the tenant's API tokens (same member format as tenantIndex). */
  apiTokenIndex: (tenantId: string) => `t:{${tenantId}}:api-tokens`,

  /** String: JSON AccountRecord (credentials sealed). */
  account: (tenantId: string, accountId: string) => `t:{${tenantId}}:account:${accountId}`,
  /** Sorted set of the tenant's integrated accounts. */
  accountIndex: (tenantId: string) => `t:{${tenantId}}:accounts`,

  /** String: JSON McpServerRecord; PXAT = expires_at. */
  mcpServer: (tenantId: string, serverId: string) => `t:{${tenantId}}:mcp:${serverId}`,
  /** Sorted set (score = created ms) of `<kind>:<upstream id>` records made through one entity-scoped server; PXAT = the server's expiry, else a sliding retention. */
  mcpServerCreatedRecords: (tenantId: string, serverId: string) => `t:{${tenantId}}:mcp:${serverId}:created`,
  /** Sorted set of one account's MCP servers; members of expired servers are pruned on read. */
  mcpServerIndex: (tenantId: string, accountId: string) => `t:{${tenantId}}:account:${accountId}:mcps`,

  /** String: JSON ConsoleSessionRecord, under the keyed hash of the session id; PXAT = idle expiry. */
  consoleSession: (tenantId: string, sessionHash: string) => `t:{${tenantId}}:console-session:${sessionHash}`,
  /** String: JSON ConsoleSessionRecord of an operator's session; PXAT = idle expiry. */
  operatorConsoleSession: (sessionHash: string) => `console:{operator}:session:${sessionHash}`,
  /** Hash of one legacy HTTP+SSE connection (server, jti, instance, pending); PX = LIMITS.legacySseLeaseMs, renewed by its holder. */
  legacySseConnection: (tenantId: string, connectionId: string) => `t:{${tenantId}}:sse:${connectionId}`,
  /** Sorted set of an MCP server's open legacy connections, scored by lease end (ms); PX = LIMITS.legacySseLeaseMs. */
  legacySseStreams: (tenantId: string, serverId: string) => `t:{${tenantId}}:mcp:${serverId}:sse`,
  /** Stream: the tenant's MCP request log; MAXLEN ~ LIMITS.logRecordsPerTenantMax, MINID ~ retention, PEXPIRE retention. */
  mcpLog: (tenantId: string) => `t:{${tenantId}}:log:mcp`,
  /** Stream: the tenant's audit trail (admin changes, console sign-ins); trimmed as mcpLog. */
  adminLog: (tenantId: string) => `t:{${tenantId}}:log:admin`,
  /** Stream: every tenant's admin changes plus the operator's own, for the operator; MAXLEN ~ LIMITS.logOperatorRecordsMax. */
  operatorAdminLog: () => "log:{operator}:admin",

  // OAuth (docs/storage-schema.md "OAuth"). Clients, fetched metadata documents and pending authorization
  // requests are not yet tied to a tenant; codes, grants and access tokens live in the tenant's slot.
  /** String: JSON RegisteredClientRecord (DCR); PX = OAUTH_LIMITS.registeredClientTtlMs, renewed on use. */
  oauthClient: (clientId: string) => `oauth:client:${clientId}`,
  /** String: a fetched Client ID Metadata Document, under SHA-256 of its URL; PX = its cache lifetime. */
  oauthMetadataDocument: (urlHash: string) => `oauth:cimd:${urlHash}`,
  /** String: why fetching a metadata document failed, under SHA-256 of its URL; PX = metadataDocumentFailureCacheMs. */
  oauthMetadataDocumentFailure: (urlHash: string) => `oauth:cimd-failed:${urlHash}`,
  /** String counter: new metadata documents fetched for one client address (keyed hash) in the current window. */
  oauthMetadataFetchCount: (addressHash: string) => `oauth:cimd-rate:${addressHash}`,
  /** String: JSON PendingAuthorizationRecord, until Approve or Deny; PX = OAUTH_LIMITS.pendingRequestTtlMs. */
  oauthPendingRequest: (requestId: string) => `oauth:request:${requestId}`,
  /** String counter: DCR registrations from one client address (keyed hash) in the current window. */
  oauthRegistrationCount: (addressHash: string) => `oauth:dcr-rate:${addressHash}`,
  /** String: JSON AuthorizationCodeRecord under the keyed hash of the code; PX = OAUTH_LIMITS.codeTtlMs. */
  oauthCode: (tenantId: string, codeHash: string) => `t:{${tenantId}}:oauth:code:${codeHash}`,
  /** String "1": the code was exchanged (a second exchange revokes its grant); same PX as the code. */
  oauthCodeUsed: (tenantId: string, codeHash: string) => `t:{${tenantId}}:oauth:code:${codeHash}:used`,
  /** String: JSON OAuthGrantRecord; PXAT = refresh expiry (sliding, never past the server's expiry). */
  oauthGrant: (tenantId: string, grantId: string) => `t:{${tenantId}}:oauth:grant:${grantId}`,
  /**
   * String "1": the grant's code was replayed, so the grant may never be written (a replay can overtake the
   * first exchange); PX = OAUTH_LIMITS.codeTtlMs.
   */
  oauthGrantRevoked: (tenantId: string, grantId: string) => `t:{${tenantId}}:oauth:grant:${grantId}:revoked`,
  /** Sorted set of one MCP server's grants (same member format as the other indexes). */
  oauthGrantIndex: (tenantId: string, serverId: string) => `t:{${tenantId}}:mcp:${serverId}:oauth-grants`,
  /** String: JSON OAuthAccessTokenRecord under the keyed hash of the token; PXAT = its expiry. */
  oauthAccessToken: (tenantId: string, tokenHash: string) => `t:{${tenantId}}:oauth:access:${tokenHash}`,
} as const;

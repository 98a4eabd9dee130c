/**
 * Every limit the gateway enforces, with the reason for its value. Change a limit here and nowhere else.
 * (Helpers: add new entries; do not rename existing ones.)
 */
export const LIMITS = {
  /** Admin API request bodies: the largest legitimate one (an MCP server config) is a few KiB. */
  adminBodyBytes: 64 * 1024,
  /** MCP request bodies: one JSON-RPC message with tool arguments; Mem0 batch updates are the largest. */
  mcpBodyBytes: 1024 * 1024,
  /** After answering a client error (400, 408, 413, 431), the socket lingers this long at most, discarding input, so the answer is not lost to a reset (RFC 9112 §9.6). */
  clientErrorLingerMs: 2_000,
  /** Log lines waiting for a slow stdout: past this they are dropped (and counted) rather than held in memory. */
  logBacklogBytes: 1024 * 1024,
  /** At shutdown, how long the gateway waits for stdout to take the last log lines before it exits anyway. */
  logFlushWaitMs: 1_000,
  /** Nesting of a JSON request body: tool arguments and admin bodies need a handful of levels; deeper bodies could overflow recursive code. */
  jsonMaxDepth: 64,
  /** An MCP URL token: a compact JWS with short claims (filters and entity scope included) stays under 1 KiB; anything longer is refused unparsed, and a mint that would exceed it is refused. */
  mcpTokenMaxChars: 1_024,
  /** Readiness answers within this, so a load balancer's probe never hangs on a stuck Redis. */
  readinessPingTimeoutMs: 2_000,
  /** Node's requestTimeout: a whole request, including a bounded event wait, must finish within this. */
  requestTimeoutMs: 120_000,
  /** How long a graceful shutdown waits for in-flight requests before it gives up and exits. */
  shutdownGraceMs: 10_000,
  /** A migration lock outlives a crashed runner by at most this long. */
  migrationLockTtlMs: 30_000,
  /** How often a running migration renews its lock (well inside the TTL). */
  migrationLockRenewMs: 10_000,
  /** How long a second runner waits for the first before it gives up with a clear error. */
  migrationLockWaitMs: 120_000,
  /** One upstream HTTP call, connect to last byte: long enough for Mem0 search, short enough for a model's patience. */
  upstreamTimeoutMs: 30_000,
  /** Checking credentials when an account is connected: a ping answers in well under a second, so a tenant waits 10 s at most. */
  credentialCheckTimeoutMs: 10_000,
  /** Memoized tool lists per filter combination: a deployment has a handful; the bound caps a flood of odd ones. */
  effectiveToolsCacheEntries: 1_000,
  /** Upstream response bodies are read up to this; more is refused rather than buffered. */
  upstreamResponseBytes: 5 * 1024 * 1024,
  /** Tool result text handed to a model; larger results are cut with a note on how to page (Claude Code caps ~25k tokens). */
  toolResultChars: 60_000,
  /** The get-event tool's optional wait: bounded so one call cannot hold a connection for long. */
  eventWaitSecondsMax: 25,
  /** A key id (kid) rides in every token header and sealed value; short keeps both small and easy to read. */
  keyIdMaxChars: 16,
  /** A sealed secret is opened only from storage; credentials come from an admin body, so ~4/3 of that bounds it. */
  sealedSecretMaxChars: 96 * 1024,
  /** Instances' clocks differ a little: an `iat` up to this far ahead of ours is accepted, beyond it "not_yet_valid". */
  mcpTokenIssuedAtSkewMs: 60_000,
  /** URL tokens whose signature checked out, remembered per instance (~1 KiB each): every URL in steady use, a few MiB at most. */
  mcpVerifiedTokensCached: 4_096,
  /** 2026-07-28 `_meta` envelopes the SDK accepted, remembered so each is schema-checked once: clients send one each. */
  mcpEnvelopesCached: 1_024,
  /** Only envelopes up to this size (as JSON) are remembered; a real one is a few hundred characters. */
  mcpEnvelopeCachedChars: 2_048,
  /** Opened account credentials, remembered per instance so a tool call skips AES-GCM: one per account in steady use. */
  openedCredentialsCached: 1_024,
  /** Servers whose records the MCP endpoint parsed, remembered with the raw JSON (~5 KiB each) so an unchanged record is not parsed again. */
  mcpResolvedServersCached: 1_024,
  /** Idle upstream connections stay open this long, so back-to-back tool calls skip the TCP/TLS handshake. */
  upstreamKeepAliveMs: 10_000,
  /** Concurrent connections per upstream origin from one gateway instance; more calls queue rather than flood. */
  upstreamConnectionsPerOrigin: 64,
  /** The get-event wait re-reads the event this often: quick enough to feel immediate, slow enough to be polite. */
  eventPollIntervalMs: 500,
  /** One MCP tools/call, event wait included; under the common 60 s proxy read timeout, since the response is held until the result. */
  mcpToolCallMs: 50_000,
  /** On an entity-scoped URL, records named by a batch are read (to check their entity) this many at a time: quick for a few ids, polite to the upstream for a thousand. */
  scopeRecordChecksInFlight: 8,
  /** Records (Mem0 exports) an entity-scoped server remembers having made, newest first: its URL can read back these only. */
  scopedRecordsPerServer: 1_000,
  /** How long a never-expiring scoped server remembers a record it made (refreshed by each new one): Mem0 exports are fetched minutes after they are made. */
  scopedRecordsRetentionMs: 30 * 86_400_000,
  /** An entity id pinned by a URL's scope: Mem0 ids are user names, emails or UUIDs; the whole scope also counts toward mcpTokenMaxChars. */
  scopeIdMaxChars: 128,
  /** search_tools answers at most this many tools per call: enough to choose from, small enough to read. */
  discoverySearchResultsMax: 20,
  /** get_tool_schema takes at most this many names per call, so one answer stays short. */
  discoverySchemaNamesMax: 5,
  /** Retry-After (seconds) on a 503 while Redis cannot answer: a restart or failover takes seconds, and sooner retries only add load. */
  storageRetryAfterSeconds: 5,
  /** A Redis connection silent this long with commands outstanding is dropped and reopened (an outage, logged once): a healthy Redis answers in about a millisecond. */
  redisSilenceMs: 4_000,
  /** One Redis command fails (503) after this, not a hung request; longer than redisSilenceMs, so commands queued behind a silent connection fail at once. */
  redisCommandTimeoutMs: 5_000,
  /** Log records kept per tenant and kind (MCP requests, admin changes) whatever their age: a flood trims its own tenant's oldest records, not Redis's memory (100 k MCP records ≈ 36 MB, measured; see docs/storage-schema.md). */
  logRecordsPerTenantMax: 100_000,
  /** The operator's copy of every tenant's admin changes: admin changes are rare, so this holds months of them. */
  logOperatorRecordsMax: 200_000,
  /** Stream entries one `GET /log` page reads while filtering: bounds the work of a filter that matches little (the page then ends early, with a cursor to go on). */
  logPageScanMax: 5_000,
  /** Log records waiting for Redis at once (buffered or in flight); beyond it records are dropped (and counted) rather than queued without bound. */
  logWritesInFlightMax: 10_000,
  /** A log record waits at most this long to share one Redis command with the other records of its stream: one command per record cost about 10 µs of gateway CPU, 5% of a tool call. */
  logFlushMs: 20,
  /** Records of one stream sent in one command at most (about 60 KiB of arguments). */
  logBatchMax: 200,
  /** Client-supplied text in a log record (client name and version, an unknown method or tool name) is cut to this. */
  logClientTextChars: 64,
  /** Legacy HTTP+SSE streams open at once on one MCP URL, across all instances: a client holds one (and a 2025-era Streamable HTTP client may hold an idle one); a leaked URL cannot pin an instance's sockets. */
  legacySseStreamsPerUrl: 100,
  /** Legacy HTTP+SSE streams one instance holds at once; beyond it a GET is answered 503 so the load balancer's retry lands elsewhere. */
  legacySseStreamsPerInstance: 2_000,
  /** A keep-alive comment on every open legacy stream this often: under the common 60 s proxy idle timeout. */
  legacySseKeepAliveMs: 15_000,
  /** An open legacy stream re-checks its URL and credential this often: the bound on how long a revoked or expired URL keeps its stream. */
  legacySseRecheckMs: 10_000,
  /** A legacy connection's record in Redis lives this long unless its holder renews it (every recheck): a dead instance's connections vanish within it. */
  legacySseLeaseMs: 45_000,
  /** A legacy stream with no message posted for this long is closed; the client reconnects when it next needs one. */
  legacySseIdleMs: 30 * 60_000,
  /** Messages posted to one legacy connection and still being answered (each POST is held until its answer is on the stream); more are refused (429) instead of queued. */
  legacySseQueuedMessagesMax: 16,
  /** Bytes waiting to be written to one slow legacy stream; beyond it the stream is closed rather than buffered (about 16 large tool results). */
  legacySseBacklogBytes: 4 * 1024 * 1024,
} as const;

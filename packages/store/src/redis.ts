import { LIMITS } from "@mcp-gateway/core";
import { Cluster, type ClusterOptions, type RedisOptions as IoRedisOptions, Redis } from "ioredis";

export interface RedisOptions {
  /** Prepended to every key this client touches (ioredis `keyPrefix`); lets several deployments share a Redis. */
  keyPrefix: string;
  /** Shows up in CLIENT LIST, which helps an operator tell the gateway's connections apart. */
  connectionName?: string;
}

/** One `host:port` of a Cluster seed node or a sentinel. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Where Redis is: one server (REDIS_URL), a Cluster (REDIS_CLUSTER_NODES) or a Sentinel-managed master. */
export type RedisTopology =
  | { readonly kind: "standalone"; readonly url: string }
  | { readonly kind: "cluster"; readonly nodes: readonly RedisEndpoint[] }
  | { readonly kind: "sentinel"; readonly sentinels: readonly RedisEndpoint[]; readonly masterName: string };

/** TLS to Redis: PEM contents (not paths) of the trusted CA and the client certificate and key. */
export interface RedisTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
}

/** Everything needed to reach Redis, whatever its topology. */
export interface RedisConnection {
  readonly topology: RedisTopology;
  /** REDIS_PASSWORD: the data nodes' password (a standalone URL's own password takes precedence). */
  readonly password?: string;
  /** REDIS_SENTINEL_PASSWORD: the sentinels' own password. */
  readonly sentinelPassword?: string;
  /** Set when TLS is on (a rediss:// URL or any REDIS_TLS_* variable). */
  readonly tls?: RedisTls;
}

// A demoted master answers writes with READONLY until the client moves: reconnect (a Sentinel client asks
// the sentinels for the new master on reconnect), but do not resend: the command fails, and is answered 503.
const reconnectOnReadonly = (error: Error): 1 | false => (error.message.startsWith("READONLY") ? 1 : false);
// Reconnect forever with a capped backoff: an outage must never need a gateway restart.
const backoff = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000);

/**
 * Creates a client that fails fast while Redis is unreachable (no offline queue, one retry per command,
 * a command timeout) and keeps reconnecting in the background, so the gateway answers 503 during an
 * outage (see `isStorageUnavailable`) and recovers by itself. Call `connect()` before use.
 *
 * A Cluster comes back as ioredis' own `Cluster`, typed as `Redis`: the store uses only what both share
 * (commands, `eval`, `multi` and `pipeline` within one slot, `options.keyPrefix`, `status`, events);
 * `isCluster` tells them apart where it matters (readiness, acknowledged writes).
 */
export function createRedis(target: string | RedisConnection, options: RedisOptions): Redis {
  const connection: RedisConnection =
    typeof target === "string" ? { topology: { kind: "standalone", url: target } } : target;
  const common: IoRedisOptions = {
    connectionName: options.connectionName ?? "mcp-gateway",
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    // A stopped or partitioned Redis keeps the socket open and never answers. The connection is dropped
    // and reopened once it has been silent for a while with commands outstanding (so the outage is seen
    // and logged like any other), and a command fails a little later instead of hanging until Node's
    // request timeout; commands queued behind it (auto-pipelining sends one batch at a time) then find
    // the connection down and fail at once.
    socketTimeout: LIMITS.redisSilenceMs,
    commandTimeout: LIMITS.redisCommandTimeoutMs,
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(connection.tls === undefined ? {} : { tls: tlsOptions(connection.tls) }),
  };
  const { topology } = connection;
  if (topology.kind === "cluster") {
    const clusterOptions: ClusterOptions = {
      keyPrefix: options.keyPrefix,
      // Authorization state is read from masters only: a replica may not have a revocation yet.
      scaleReads: "master",
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      // ioredis 5 groups auto-pipelined commands by the slot of their first argument, which for EVAL is
      // the script, not a key: scripts would share a batch with another node's commands and fail.
      autoPipeliningIgnoredCommands: ["eval", "evalsha"],
      clusterRetryStrategy: backoff,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: 2_000,
      redisOptions: common,
    };
    const cluster = new Cluster(
      topology.nodes.map((node) => ({ host: node.host, port: node.port })),
      clusterOptions,
    );
    cluster.on("+node", (node: Redis) => clearSilenceTimerOnClose(node));
    return cluster as unknown as Redis;
  }
  const redisOptions: IoRedisOptions = {
    ...common,
    keyPrefix: options.keyPrefix,
    // Commands issued while one batch of sockets is handled go out in one write: under load, the MCP
    // endpoint's per-request read shares its syscall with its neighbours' instead of paying one each.
    // (Scripts go through EVAL/EVALSHA calls; ioredis' defineCommand is known to hang when auto-pipelined
    // without an offline queue, ioredis#1511, so do not add one.)
    enableAutoPipelining: true,
    retryStrategy: backoff,
    reconnectOnError: reconnectOnReadonly,
  };
  const redis =
    topology.kind === "standalone"
      ? new Redis(topology.url, redisOptions)
      : new Redis({
          ...redisOptions,
          sentinels: topology.sentinels.map((s) => ({ host: s.host, port: s.port })),
          name: topology.masterName,
          role: "master",
          sentinelRetryStrategy: backoff,
          // Subscribes to the sentinels' +switch-master, so the client moves as soon as a failover ends.
          failoverDetector: true,
          ...(connection.sentinelPassword === undefined
            ? {}
            : { sentinelPassword: connection.sentinelPassword }),
          ...(connection.tls === undefined
            ? {}
            : { enableTLSForSentinelMode: true, sentinelTLS: tlsOptions(connection.tls) }),
        });
  clearSilenceTimerOnClose(redis);
  return redis;
}

function tlsOptions(tls: RedisTls): NonNullable<IoRedisOptions["tls"]> {
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  };
}

// ioredis 5.x keeps the silence timer of a connection that closed with a command outstanding, and when
// it fires it destroys the healthy connection that replaced it (redis/ioredis#2147, fixed in 6.0.0).
// Clear it on close, as that fix does; the next command arms a fresh one on the new connection.
/** Applies the ioredis#2147 workaround to a client made outside createRedis (a duplicate), node by node on a Cluster. */
export function guardSilenceTimer(redis: Redis): void {
  if (redis.isCluster) redis.on("+node", (node: Redis) => clearSilenceTimerOnClose(node));
  else clearSilenceTimerOnClose(redis);
}

function clearSilenceTimerOnClose(redis: Redis): void {
  redis.on("close", () => {
    const internals = redis as unknown as { socketTimeoutTimer?: NodeJS.Timeout };
    clearTimeout(internals.socketTimeoutTimer);
    internals.socketTimeoutTimer = undefined;
  });
}

/**
 * Connects, turning ioredis' error into one that says where (never a password) and why: the cause of a
 * failed TLS handshake or a refused login, not just "Connection is closed".
 */
export async function connectRedis(redis: Redis, where: string | RedisConnection): Promise<void> {
  const seen: Error[] = [];
  const remember = (error: Error): void => {
    if (seen.length < 3 && !seen.some((e) => e.message === error.message)) seen.push(error);
  };
  redis.on("error", remember);
  try {
    await redis.connect();
    await refuseClusterNodeAsStandalone(redis, where);
  } catch (error) {
    if (error instanceof TopologyError) {
      redis.disconnect();
      throw error;
    }
    redis.disconnect();
    const outcome = error as Error;
    const causes = seen.filter((e) => e.message !== outcome.message);
    const detail =
      causes.length === 0
        ? outcome.message
        : `${causes.map((e) => e.message).join("; ")} (ioredis: ${outcome.message})${tlsHint(where, causes)}`;
    throw new Error(`cannot connect to Redis at ${describeRedis(where)}: ${detail}`, {
      cause: causes[0] ?? outcome,
    });
  } finally {
    redis.off("error", remember);
  }
}

class TopologyError extends Error {}

// A standalone client pointed at one node of a Cluster works until the first key of another node's slot
// (MOVED): say so at start instead.
async function refuseClusterNodeAsStandalone(redis: Redis, where: string | RedisConnection): Promise<void> {
  if (redis.isCluster) return;
  if (typeof where !== "string" && where.topology.kind !== "standalone") return;
  // A user whose ACL forbids INFO simply skips the check.
  const info = await redis.info("cluster").catch(() => "");
  if (/cluster_enabled:1/.test(info)) {
    throw new TopologyError(
      `REDIS_URL points at ${describeRedis(where)}, a node of a Redis Cluster: set REDIS_CLUSTER_NODES ` +
        "to the Cluster's nodes (host:port,…) instead of REDIS_URL",
    );
  }
}

// A TLS 1.3 server that wants a client certificate says so in an alert the client often never reads: it
// sees the connection reset. Name the likely cause rather than leave "ECONNRESET" alone.
function tlsHint(where: string | RedisConnection, causes: readonly Error[]): string {
  if (typeof where === "string" || where.tls === undefined || where.tls.cert !== undefined) return "";
  if (!causes.some((e) => /ECONNRESET|certificate required/.test(e.message))) return "";
  return "; the server may require a client certificate (REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE)";
}

/** Where a connection goes, for messages and logs: hosts and ports, never a password. */
export function describeRedis(where: string | RedisConnection): string {
  if (typeof where === "string") return safeRedisLocation(where);
  const { topology } = where;
  const tls = where.tls === undefined ? "" : " (TLS)";
  const list = (endpoints: readonly RedisEndpoint[]): string =>
    endpoints.map((e) => `${e.host}:${e.port}`).join(",");
  switch (topology.kind) {
    case "standalone":
      return safeRedisLocation(topology.url) + (topology.url.startsWith("rediss:") ? "" : tls);
    case "cluster":
      return `cluster ${list(topology.nodes)}${tls}`;
    case "sentinel":
      return `sentinel master "${topology.masterName}" via ${list(topology.sentinels)}${tls}`;
  }
}

/** host:port/db of a Redis URL, without credentials, for messages and logs. */
export function safeRedisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/**
 * Resolves ok when Redis can take writes: the connected server answers ROLE as a master (a demoted master
 * in a failover answers "slave"), or, on a Cluster, CLUSTER INFO says cluster_state:ok; all within
 * `timeoutMs`. Never throws.
 */
export async function pingRedis(
  redis: Redis,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (redis.status !== "ready") return { ok: false, reason: `redis connection is ${redis.status}` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `redis did not answer PING within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      writableCheck(redis).then(
        (reason) => (reason === undefined ? ({ ok: true } as const) : ({ ok: false, reason } as const)),
        (error: Error) => ({ ok: false, reason: `redis check failed: ${error.message}` }) as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function writableCheck(redis: Redis): Promise<string | undefined> {
  // A user whose ACL forbids ROLE or CLUSTER INFO (NOPERM) falls back to PING: reachable counts as ready.
  const orPing = async (error: Error): Promise<undefined> => {
    if (!error.message.startsWith("NOPERM")) throw error;
    await redis.ping();
    return undefined;
  };
  if (redis.isCluster) {
    const info = await redis.call("CLUSTER", "INFO").catch(orPing);
    if (info === undefined) return undefined;
    return /cluster_state:ok/.test(String(info))
      ? undefined
      : "redis cluster state is not ok (failover or lost slots)";
  }
  const role = (await redis.call("ROLE").catch(orPing)) as unknown[] | undefined;
  if (role === undefined) return undefined;
  return role[0] === "master"
    ? undefined
    : `redis at this address is a ${String(role[0])}, not a master: it cannot take writes (failover?)`;
}

// What ioredis (5.x) rejects a command with when it could not send it or lost the answer: the connection
// is not ready (no offline queue), was closed, or the command timed out. Matched by message: ioredis gives
// these plain Errors no code.
const CLIENT_MESSAGES = [
  "Stream isn't writeable",
  "Connection is closed.",
  "Command aborted due to connection close",
  "Command timed out",
  "Socket timeout.",
  "Ready check failed",
  "connect ETIMEDOUT",
  "Cluster is disconnect",
  "None of startup nodes is available",
  "Failed to refresh slots cache.",
  "All sentinels are unreachable",
  "Cluster isn't ready",
  "Too many Cluster redirections",
  "Node is disconnected",
  // A Cluster auto-pipeline whose slots moved to another node between batching and sending (failover).
  "All keys in the pipeline should belong to the same slots allocation group",
];
// NotReplicatedError: an access change reached the master but no replica confirmed it in time.
const CLIENT_ERROR_NAMES = new Set([
  "MaxRetriesPerRequestError",
  "ClusterAllFailedError",
  "NotReplicatedError",
]);
// Replies that mean "not now" rather than "wrong": loading after a restart, a script or failover under
// way, a replica or a server out of memory or disk refusing writes.
// UNBLOCKED: a WAIT cut short because its master was demoted in a failover; "ERR WAIT cannot be used with
// replica": the WAIT reached a master demoted since the write; MOVED and ASK reach the caller only when a
// Cluster pipeline met a slot that moved mid-batch (ioredis follows them for single commands).
const UNAVAILABLE_REPLY =
  /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|MISCONF|OOM|UNBLOCKED|MOVED|ASK) |^ERR WAIT cannot be used with replica/;

/**
 * True when an error from a Redis command means Redis could not answer it (down, reconnecting, loading,
 * failing over, too slow), as opposed to a bug. The one classification the gateway maps to 503.
 */
export function isStorageUnavailable(error: unknown): boolean {
  return unavailable(error, 0);
}

function unavailable(error: unknown, depth: number): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  if (CLIENT_ERROR_NAMES.has(error.name)) return true;
  if (CLIENT_MESSAGES.some((message) => error.message.startsWith(message))) return true;
  if (error.name === "ReplyError" && UNAVAILABLE_REPLY.test(error.message)) return true;
  // EXECABORT carries the errors that aborted the transaction; cluster errors the last node's error.
  const { previousErrors, lastNodeError } = error as { previousErrors?: unknown; lastNodeError?: unknown };
  const inner = [error.cause, lastNodeError, ...(Array.isArray(previousErrors) ? previousErrors : [])];
  return inner.some((cause) => unavailable(cause, depth + 1));
}

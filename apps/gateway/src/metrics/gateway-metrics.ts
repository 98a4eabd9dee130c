import type { LogType, McpRequestRecord } from "@mcp-gateway/core";
import { allTools, getIntegration, integrationNames } from "@mcp-gateway/integrations";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { DISCOVERY_TOOL_NAMES } from "../mcp/discovery-tools.js";
import { MCP_ROUTE } from "../mcp/refusals.js";

/**
 * The gateway's Prometheus metrics, in a registry of its own (one per app, so tests that build several apps
 * in one process do not share counters). Every label has a bounded set of values: route patterns, MCP
 * methods from a fixed list, catalogue tool names, status codes and reasons; never a tenant, server,
 * account or token id.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** One HTTP request answered by fastify (route pattern, method, status). */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** One MCP request tied to a server, as the request log records it. */
  mcpRequest(record: McpRequestRecord): void;
  /** A URL token refused (forged, expired, revoked, bearer missing, ...), the edge's refusals included. */
  mcpRefusal(reason: string): void;
  logRecordDropped(logType: LogType, reason: string): void;
  redisError(): void;
  redisReconnect(): void;
}

// MCP methods worth their own label value; anything else a client sends is "other".
const MCP_METHODS = new Set([
  "initialize",
  "server/discover",
  "tools/list",
  "tools/call",
  "ping",
  "notifications/initialized",
  "notifications/cancelled",
  "subscriptions/listen",
  "resources/list",
  "prompts/list",
  "logging/setLevel",
]);
// Tool names worth a label value: every catalogue tool and the discovery tools; a name a client made up is "unknown".
const KNOWN_TOOLS: ReadonlySet<string> = new Set([
  ...integrationNames.flatMap((name) => {
    const integration = getIntegration(name);
    return integration === undefined ? [] : allTools(integration).map((tool) => tool.name);
  }),
  ...DISCOVERY_TOOL_NAMES,
]);
const HTTP_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
// Seconds: a tools/list answers in well under a millisecond, a tool call waits up to LIMITS.mcpToolCallMs.
const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Creates the metrics and a registry holding them with the process metrics (CPU, memory, event loop, GC). */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpRequests = new Counter({
    name: "mcpg_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status code",
    labelNames: ["route", "method", "status"] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: "mcpg_http_request_duration_seconds",
    help: "Time from receiving a request to sending its answer, by route pattern and method (the MCP endpoint's is in mcpg_mcp_request_duration_seconds)",
    labelNames: ["route", "method"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const mcpRequests = new Counter({
    name: "mcpg_mcp_requests_total",
    help: "MCP requests tied to a server (genuine URL token), by MCP method and outcome",
    labelNames: ["mcp_method", "outcome"] as const,
    registers,
  });
  const mcpDuration = new Histogram({
    name: "mcpg_mcp_request_duration_seconds",
    help: "Time to answer an MCP request tied to a server, by MCP method",
    labelNames: ["mcp_method"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const toolCalls = new Counter({
    name: "mcpg_tool_calls_total",
    help: "tools/call outcomes by tool (a name outside the URL's tools counts as tool=unknown)",
    labelNames: ["tool", "outcome", "reason"] as const,
    registers,
  });
  const upstreamResponses = new Counter({
    name: "mcpg_upstream_responses_total",
    help: "Upstream answers to tool calls by HTTP status (none = timeout or unreachable)",
    labelNames: ["status"] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: "mcpg_upstream_duration_seconds",
    help: "Upstream latency of tool calls",
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const refusals = new Counter({
    name: "mcpg_mcp_refusals_total",
    help: "MCP URL refusals by reason; forged, malformed and expired tokens are refused on the CPU and never reach a tenant's log",
    labelNames: ["reason"] as const,
    registers,
  });
  const dropped = new Counter({
    name: "mcpg_log_records_dropped_total",
    help: "Log records not stored (redis = Redis could not take them; backlog = too many writes waiting)",
    labelNames: ["log_type", "reason"] as const,
    registers,
  });
  const redisErrors = new Counter({
    name: "mcpg_redis_errors_total",
    help: "Errors reported by the Redis connection (failed connects, dropped sockets)",
    registers,
  });
  const redisReconnects = new Counter({
    name: "mcpg_redis_reconnects_total",
    help: "Reconnection attempts of the Redis connection",
    registers,
  });

  // Label children cached per combination: prom-client hashes the labels on every labels() call. The keys
  // are bounded like the labels themselves.
  const children = new Map<string, unknown>();
  const cached = <T>(key: string, make: () => T): T => {
    let child = children.get(key) as T | undefined;
    if (child === undefined) {
      child = make();
      children.set(key, child);
    }
    return child;
  };

  return {
    registry,
    httpRequest(route, method, status, seconds) {
      const verb = HTTP_METHODS.has(method) ? method : "OTHER";
      cached(`http ${route} ${verb} ${status}`, () => httpRequests.labels(route, verb, String(status))).inc();
      // The MCP endpoint's time goes to mcpg_mcp_request_duration_seconds, by MCP method, instead: the same
      // figure twice would cost every MCP request a second histogram update.
      if (route !== MCP_ROUTE) {
        cached(`time ${route} ${verb}`, () => httpDuration.labels(route, verb)).observe(seconds);
      }
    },
    mcpRequest(record) {
      const method =
        record.mcp_method === null
          ? "none"
          : MCP_METHODS.has(record.mcp_method)
            ? record.mcp_method
            : "other";
      const { outcome } = record;
      cached(`mcp ${method} ${outcome}`, () => mcpRequests.labels(method, outcome)).inc();
      cached(`mcp time ${method}`, () => mcpDuration.labels(method)).observe(record.duration_ms / 1000);
      if (record.tool_name !== null && record.mcp_method === "tools/call") {
        const tool = KNOWN_TOOLS.has(record.tool_name) ? record.tool_name : "unknown";
        const reason = record.reason ?? "none";
        cached(`tool ${tool} ${outcome} ${reason}`, () => toolCalls.labels(tool, outcome, reason)).inc();
      }
      if (record.upstream_latency_ms !== null) {
        const status = record.upstream_status === null ? "none" : String(record.upstream_status);
        cached(`upstream ${status}`, () => upstreamResponses.labels(status)).inc();
        upstreamDuration.observe(record.upstream_latency_ms / 1000);
      }
    },
    mcpRefusal(reason) {
      refusals.labels(reason).inc();
    },
    logRecordDropped(logType, reason) {
      dropped.labels(logType, reason).inc();
    },
    redisError() {
      redisErrors.inc();
    },
    redisReconnect() {
      redisReconnects.inc();
    },
  };
}

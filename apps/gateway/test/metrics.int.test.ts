import { randomBytes } from "node:crypto";
import { freePort } from "@mcp-gateway/store";
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { startTestStack, useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { connectClient, initializeBody, postRaw } from "./mcp-support.js";

const METRICS_TOKEN = randomBytes(32).toString("base64url");

/** The value of one counter sample whose labels include `labels` (0 when absent). */
function sample(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  let total = 0;
  for (const metric of family?.metrics ?? []) {
    const matches = Object.entries(labels).every(([k, v]) => metric.labels?.[k] === v);
    if (matches) total += Number(metric.value ?? metric.count ?? 0);
  }
  return total;
}

describe("/metrics with METRICS_TOKEN", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis, { env: { METRICS_TOKEN } });

  async function scrape(): Promise<{ text: string; families: PrometheusFamily[] }> {
    const res = await stack.call("GET", "/metrics", { token: METRICS_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = res.body as string;
    return { text, families: parsePrometheusTextFormat(text) };
  }

  it("answers only to the metrics token", async () => {
    expect((await stack.call("GET", "/metrics")).status).toBe(401);
    expect((await stack.call("GET", "/metrics", { token: `${METRICS_TOKEN}x` })).status).toBe(401);
    expect((await stack.call("GET", "/metrics", { token: stack.config.adminToken })).status).toBe(401);
    const { families } = await scrape();
    // Process metrics are there.
    expect(families.map((f) => f.name)).toEqual(
      expect.arrayContaining(["process_cpu_seconds_total", "nodejs_eventloop_lag_seconds"]),
    );
  });

  it("moves its counters as MCP calls are made, with no tenant, server, account or token id as a label", async () => {
    const { apiToken } = await stack.createTenant("Metrics");
    const accountId = await stack.connectMem0(apiToken);
    const server = await stack.mint(apiToken, accountId, { name: "Measured" });
    const { text: beforeText, families: before } = await scrape();

    const { client } = await connectClient(server.url, "2025-11-25");
    // Answered directly and written without fastify's send: still counted once it is written.
    const listBefore = sample(before, "mcpg_mcp_requests_total", { mcp_method: "tools/list" });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.callTool({
      name: "mem_0_memories_search",
      arguments: { query: "x", filters: { user_id: "u" } },
    });
    await client.callTool({ name: "no_such_tool", arguments: {} }).catch(() => undefined);
    await client.close();
    const urlToken = server.url.slice(server.url.lastIndexOf("/") + 1);
    const forged = `${urlToken.slice(0, urlToken.lastIndexOf(".") + 1)}${"B".repeat(43)}`;
    expect((await postRaw(`${stack.gatewayUrl}/mcp/${forged}`, initializeBody())).status).toBe(404);

    const { text, families: after } = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta("mcpg_tool_calls_total", { tool: "mem_0_memories_search", outcome: "ok" })).toBe(1);
    expect(delta("mcpg_tool_calls_total", { tool: "unknown", outcome: "refused" })).toBe(1);
    expect(delta("mcpg_mcp_requests_total", { mcp_method: "tools/call" })).toBe(2);
    expect(delta("mcpg_mcp_requests_total", { mcp_method: "initialize", outcome: "ok" })).toBe(1);
    expect(delta("mcpg_upstream_responses_total", { status: "200" })).toBe(1);
    expect(delta("mcpg_mcp_refusals_total", { reason: "bad_signature" })).toBe(1);
    expect(
      delta("mcpg_http_requests_total", { route: "/mcp/*", method: "POST", status: "200" }),
    ).toBeGreaterThanOrEqual(4);
    expect(delta("mcpg_http_requests_total", { route: "/integrated-account/:id/mcp" })).toBe(0);
    expect(
      sample(after, "mcpg_http_requests_total", { route: "/integrated-account/:id/mcp", status: "201" }),
    ).toBe(1);
    // parse-prometheus-text-format 1.1.1 folds a labelled histogram's series into one (no labels, no
    // count), so the histogram's count is read from its text line.
    const histogramCount = (body: string) =>
      Number(
        /^mcpg_mcp_request_duration_seconds_count\{mcp_method="tools\/call"\} (\d+)$/m.exec(body)?.[1] ?? 0,
      );
    expect(histogramCount(text) - histogramCount(beforeText)).toBe(2);
    expect(sample(after, "mcpg_mcp_requests_total", { mcp_method: "tools/list" }) - listBefore).toBe(1);
    // The MCP route is timed by MCP method only, in the histogram above, not again per HTTP route.
    expect(text).not.toMatch(/^mcpg_http_request_duration_seconds_count\{[^}]*route="\/mcp\/\*"/m);
    expect(text).toMatch(
      /^mcpg_http_request_duration_seconds_count\{[^}]*route="\/integrated-account\/:id\/mcp"/m,
    );
    expect(sample(after, "mcpg_log_records_dropped_total")).toBe(0);

    // Bounded labels only: no id of any kind, and no token.
    for (const id of [server.id, accountId, urlToken, apiToken, forged])
      expect(text.includes(id)).toBe(false);
    expect(text).not.toMatch(/(ten|acc|mcp|tok)_[a-z2-7]{26}/);
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("does not exist", async () => {
    expect((await stack.call("GET", "/metrics")).status).toBe(404);
    expect((await stack.call("GET", "/metrics", { token: stack.config.adminToken })).status).toBe(404);
  });
});

describe("/metrics on a separate listen address (METRICS_PORT)", () => {
  const redis = useTestRedis();

  it("serves only /metrics there, without a token when METRICS_TOKEN is unset; the main port has none", async () => {
    const port = await freePort();
    const stack = await startTestStack(redis, { env: { METRICS_PORT: String(port) } });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const families = parsePrometheusTextFormat(await res.text());
      expect(families.map((f) => f.name)).toContain("mcpg_http_requests_total");
      expect((await fetch(`http://127.0.0.1:${port}/tenants`)).status).toBe(404);
      expect((await stack.call("GET", "/metrics")).status).toBe(404);
    } finally {
      await stack.close();
    }
    // Closed with the gateway.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});

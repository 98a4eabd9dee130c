import { describe, expect, it } from "vitest";
import { authHeaders, findTool, mcpToolDefinition, mem0, typeResponse, upstreamUrl } from "../src/index.js";

describe("typeResponse", () => {
  it("parses a 2xx JSON body and reads its rate-limit headers", () => {
    expect(
      typeResponse({ ok: true, status: 200, headers: { "x-ratelimit-remaining": "4" }, text: '{"a":1}' }),
    ).toEqual({ ok: true, status: 200, data: { a: 1 }, rateLimit: { remaining: 4, policy: "default" } });
  });

  it("gives null for an empty body and the text for a non-JSON one", () => {
    expect(typeResponse({ ok: true, status: 204, headers: {}, text: "" })).toMatchObject({
      ok: true,
      data: null,
    });
    expect(typeResponse({ ok: true, status: 200, headers: {}, text: "pong" })).toMatchObject({
      data: "pong",
    });
  });

  it("turns a 429 into an upstream error carrying the retry hint", () => {
    expect(
      typeResponse({
        ok: true,
        status: 429,
        headers: { "retry-after": "12" },
        text: '{"detail":"slow down"}',
      }),
    ).toEqual({
      ok: false,
      kind: "upstream",
      status: 429,
      body: { detail: "slow down" },
      rateLimit: { retryAfterSeconds: 12, resetSeconds: 12, policy: "default" },
      retryAfterSeconds: 12,
    });
  });

  it("passes transport failures through unchanged", () => {
    expect(typeResponse({ ok: false, kind: "timeout", message: "late" })).toEqual({
      ok: false,
      kind: "timeout",
      message: "late",
    });
  });
});

describe("request building", () => {
  it("joins the base URL (with or without a path prefix) and the query", () => {
    expect(upstreamUrl("https://api.mem0.ai", "/v1/ping/").href).toBe("https://api.mem0.ai/v1/ping/");
    expect(
      upstreamUrl("http://127.0.0.1:8090/mem0/", "/v1/ping/", [
        ["a", "1"],
        ["a", "2"],
      ]).href,
    ).toBe("http://127.0.0.1:8090/mem0/v1/ping/?a=1&a=2");
  });

  it("uses Mem0's Token scheme", () => {
    expect(authHeaders(mem0.auth, { api_key: "m0-abc" })).toEqual({ authorization: "Token m0-abc" });
    expect(() => authHeaders(mem0.auth, {})).toThrow(/api_key/);
  });

  it("shows clients only the MCP fields of a tool", () => {
    const tool = findTool(mem0, "mem_0_memories_search");
    if (tool === undefined) throw new Error("missing tool");
    expect(Object.keys(mcpToolDefinition(tool)).sort()).toEqual([
      "annotations",
      "description",
      "inputSchema",
      "name",
      "outputSchema",
      "title",
    ]);
    const exportRead = findTool(mem0, "get_single_mem_0_export_by_id");
    if (exportRead === undefined) throw new Error("missing tool");
    expect(mcpToolDefinition(exportRead)).not.toHaveProperty("outputSchema");
  });
});

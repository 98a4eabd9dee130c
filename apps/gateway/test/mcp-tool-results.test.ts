import { findTool, mem0, type Tool } from "@mcp-gateway/integrations";
import { describe, expect, it } from "vitest";
import { toolResultView } from "../src/mcp/tool-results.js";

function tool(name: string): Tool {
  const found = findTool(mem0, name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

const list = tool("list_all_mem_0_memories");
const rateLimit = { limit: 100, remaining: 0, resetSeconds: 30, retryAfterSeconds: 30, policy: "default" };

describe("tool results", () => {
  it("answers success with the same JSON as text and as structured content", () => {
    const data = { count: 1, results: [{ id: "m1" }] };
    const view = toolResultView(list, { ok: true, status: 200, data, rateLimit: null });
    expect(view.result).toEqual({
      content: [{ type: "text", text: JSON.stringify(data) }],
      structuredContent: data,
    });
    expect(view).toMatchObject({ outcome: "ok", upstreamStatus: 200, truncated: false, httpHeaders: {} });
  });

  it("wraps an array or scalar as {result} in structured content, which must be an object", () => {
    const view = toolResultView(list, { ok: true, status: 200, data: [1, 2], rateLimit: null });
    expect(view.result.structuredContent).toEqual({ result: [1, 2] });
    expect(view.result.content[0]?.text).toBe("[1,2]");
  });

  it("turns an upstream 429 into an error result with the retry hint, and Retry-After for the HTTP answer", () => {
    const view = toolResultView(list, {
      ok: false,
      kind: "upstream",
      status: 429,
      body: { detail: "slow down" },
      rateLimit,
      retryAfterSeconds: 30,
    });
    expect(view.result.isError).toBe(true);
    expect(view.result.structuredContent).toEqual({
      error: "upstream",
      status: 429,
      retry_after_seconds: 30,
      body: { detail: "slow down" },
    });
    expect(view.result.content[0]?.text).toContain("retry after 30 seconds");
    expect(view.httpHeaders).toMatchObject({
      "retry-after": "30",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "30",
    });
  });

  it("keeps Retry-After off the HTTP answer for other upstream errors", () => {
    const view = toolResultView(list, { ok: false, kind: "upstream", status: 503, body: "down", rateLimit });
    expect(view.httpHeaders["retry-after"]).toBeUndefined();
    expect(view.result.content[0]?.text).toContain("HTTP 503");
  });

  it("reports transport failures and refused arguments as error results that say what happened", () => {
    const timeout = toolResultView(list, {
      ok: false,
      kind: "timeout",
      message: "upstream did not answer within 30000 ms",
    });
    expect(timeout).toMatchObject({
      outcome: "timeout",
      result: { isError: true, structuredContent: { error: "timeout" } },
    });
    const invalid = toolResultView(list, {
      ok: false,
      kind: "invalid_arguments",
      message: "filters is required",
    });
    expect(invalid.result.content[0]?.text).toContain("nothing was sent upstream");
  });

  it("cuts a long list by whole items into valid JSON within the limit and names the paging arguments", () => {
    const results = Array.from({ length: 500 }, (_, index) => ({ id: `m${index}`, memory: "x".repeat(80) }));
    const view = toolResultView(
      list,
      { ok: true, status: 200, data: { count: 500, results }, rateLimit: null },
      5_000,
    );
    const text = view.result.content[0]?.text ?? "";
    expect(text.length).toBeLessThanOrEqual(5_000);
    const [json, note] = text.split("\n\n");
    const kept = (JSON.parse(json ?? "") as { results: unknown[] }).results.length;
    expect(kept).toBeGreaterThan(0);
    expect(view.result.structuredContent).toEqual({ count: 500, results: results.slice(0, kept) });
    expect(note).toContain(`${kept} of 500 "results" items shown`);
    expect(note).toContain("page_size");
    expect(view.truncated).toBe(true);
  });

  it("keeps a huge upstream error body within the limit too", () => {
    const view = toolResultView(
      list,
      { ok: false, kind: "upstream", status: 502, body: "<html>".repeat(5_000), rateLimit: null },
      3_000,
    );
    expect(view.result.content[0]?.text.length).toBeLessThanOrEqual(3_000);
    expect(view.truncated).toBe(true);
    expect(view.result.structuredContent).toMatchObject({ error: "upstream", status: 502 });
  });

  it("shortens long text values when there is no list to cut, keeping the JSON and its shape", () => {
    const get = tool("get_single_mem_0_memory_by_id");
    const memory = {
      id: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b",
      memory: "z".repeat(10_000),
      user_id: "alice",
    };
    const view = toolResultView(get, { ok: true, status: 200, data: memory, rateLimit: null }, 2_000);
    const text = view.result.content[0]?.text ?? "";
    expect(text.length).toBeLessThanOrEqual(2_000);
    const [json, note] = text.split("\n\n");
    const shortened = JSON.parse(json ?? "") as typeof memory;
    expect(view.result.structuredContent).toEqual(shortened);
    expect(shortened.id).toBe(memory.id);
    expect(shortened.memory).toMatch(/^z{200,}…$/);
    expect(note).toMatch(/text values longer than \d+ characters were shortened/);
    expect(view.truncated).toBe(true);
  });

  it("cuts as text what cannot be shortened, with no structured content for a tool without an output schema", () => {
    const exportRead = tool("get_single_mem_0_export_by_id");
    expect(exportRead.outputSchema).toBeUndefined();
    const manyKeys = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`field_${i}`, i]));
    const view = toolResultView(
      exportRead,
      { ok: true, status: 200, data: manyKeys, rateLimit: null },
      2_000,
    );
    expect(view.result.content[0]?.text.length).toBeLessThanOrEqual(2_000);
    expect(view.result.structuredContent).toBeUndefined();
    expect(view.result.content[0]?.text).toContain("[Result cut at");
  });

  it("answers a tool with an output schema with an error it can act on, never a success without structure", () => {
    const stats = tool("list_all_mem_0_stats");
    const manyKeys = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`field_${i}`, i]));
    const view = toolResultView(stats, { ok: true, status: 200, data: manyKeys, rateLimit: null }, 2_000);
    expect(view.result.isError).toBe(true);
    expect(view.result.structuredContent).toMatchObject({ error: "result_too_large", limit: 2_000 });
    expect(view.result.content[0]?.text).toContain("too large to return");
    expect(view.truncated).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { SSE_KEEP_ALIVE, sseEvent } from "../src/mcp/legacy-sse/event-stream.js";
import { acceptsLegacyStream } from "../src/mcp/legacy-sse/legacy-sse.js";
import { isJsonRpcMessage } from "../src/mcp/legacy-sse/one-message.js";

describe("the legacy transport's event-stream framing", () => {
  it("writes one event per message, named, with a single data line", () => {
    expect(sseEvent("endpoint", "/mcp/t/messages?session_id=abc")).toBe(
      "event: endpoint\ndata: /mcp/t/messages?session_id=abc\n\n",
    );
    expect(sseEvent("message", '{"jsonrpc":"2.0","id":1,"result":{}}')).toBe(
      'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n',
    );
  });

  it("refuses data that would end the event early or forge another one", () => {
    expect(() => sseEvent("message", '{"a":1}\n\nevent: endpoint\ndata: /evil')).toThrow(/one line/);
    expect(() => sseEvent("message", "a\rb")).toThrow(/one line/);
  });

  it("keeps alive with a comment line, which clients ignore", () => {
    expect(SSE_KEEP_ALIVE.startsWith(":")).toBe(true);
    expect(SSE_KEEP_ALIVE.endsWith("\n\n")).toBe(true);
  });
});

describe("which GETs are legacy streams", () => {
  it.each([
    ["text/event-stream", true],
    ["application/json, text/event-stream", true],
    ["text/event-stream;q=0.9", true],
    ["*/*", true],
    [undefined, true],
    ["application/json", false],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false],
  ])("Accept %s -> %s", (accept, expected) => {
    expect(acceptsLegacyStream(accept)).toBe(expected);
  });
});

describe("which bodies are JSON-RPC messages", () => {
  it("takes requests, notifications and responses, and nothing else", () => {
    expect(isJsonRpcMessage({ jsonrpc: "2.0", id: 1, method: "tools/list" })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: "2.0", method: "notifications/initialized" })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: "2.0", id: 1, result: {} })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: "1.0", id: 1, method: "x" })).toBe(false);
    expect(isJsonRpcMessage([{ jsonrpc: "2.0", id: 1, method: "x" }])).toBe(false);
    expect(isJsonRpcMessage({ jsonrpc: "2.0", id: 1 })).toBe(false);
    expect(isJsonRpcMessage("tools/list")).toBe(false);
  });
});

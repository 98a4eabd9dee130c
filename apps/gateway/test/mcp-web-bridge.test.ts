import { describe, expect, it } from "vitest";
import { acceptsEventStream, lastEventData } from "../src/mcp/web-bridge.js";

describe("answer negotiation", () => {
  it("treats a client as taking SSE only when it lists text/event-stream", () => {
    expect(acceptsEventStream("application/json, text/event-stream")).toBe(true);
    expect(acceptsEventStream("text/event-stream;q=0.9")).toBe(true);
    expect(acceptsEventStream("application/json")).toBe(false);
    expect(acceptsEventStream("*/*")).toBe(false);
    expect(acceptsEventStream(undefined)).toBe(false);
  });

  it("reads the JSON-RPC message from a finished event stream, skipping comments", () => {
    const stream = ': keep-alive\n\nevent: message\ndata: {"id":1,"result":{}}\n\n';
    expect(lastEventData(stream)).toBe('{"id":1,"result":{}}');
    expect(lastEventData(": only a comment\n\n")).toBeUndefined();
  });
});

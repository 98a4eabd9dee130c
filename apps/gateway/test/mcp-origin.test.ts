import { describe, expect, it } from "vitest";
import { isOriginAllowed, normalizeOrigin } from "../src/mcp/origin.js";

describe("Origin validation", () => {
  const allowed = ["https://claude.ai", "http://localhost:6274"];

  it("allows a request without Origin (non-browser clients send none)", () => {
    expect(isOriginAllowed(undefined, allowed)).toBe(true);
  });

  it("allows exactly the configured origins, ignoring case and a default port", () => {
    expect(isOriginAllowed("https://claude.ai", allowed)).toBe(true);
    expect(isOriginAllowed("HTTPS://Claude.AI:443", allowed)).toBe(true);
    expect(isOriginAllowed("http://localhost:6274", allowed)).toBe(true);
  });

  it("refuses other origins, look-alikes, null and garbage", () => {
    for (const origin of [
      "https://evil.example",
      "https://claude.ai.evil.example",
      "http://claude.ai",
      "https://claude.ai:8443",
      "http://localhost:6275",
      "null",
      "",
      "claude.ai",
      "https://claude.ai/path",
    ]) {
      expect(isOriginAllowed(origin, allowed), origin).toBe(false);
    }
  });

  it("refuses everything present when no origin is configured", () => {
    expect(isOriginAllowed("https://claude.ai", [])).toBe(false);
  });

  it("normalizes an origin or says it is not one", () => {
    expect(normalizeOrigin("https://Example.COM:443/")).toBe("https://example.com");
    expect(normalizeOrigin("null")).toBeUndefined();
  });
});

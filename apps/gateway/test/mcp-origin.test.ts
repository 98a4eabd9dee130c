import { describe, expect, it } from "vitest";
import { isLoopbackHost, isOriginAllowed, normalizeOrigin, originPolicyFor } from "../src/mcp/origin.js";

describe("Origin validation", () => {
  const allowed = { allowed: ["https://claude.ai", "http://localhost:6274"], loopback: false };

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
    expect(isOriginAllowed("https://claude.ai", { allowed: [], loopback: false })).toBe(false);
  });

  it("normalizes an origin or says it is not one", () => {
    expect(normalizeOrigin("https://Example.COM:443/")).toBe("https://example.com");
    expect(normalizeOrigin("null")).toBeUndefined();
  });

  it("allows loopback origins on any port when the gateway listens on loopback, and nothing else", () => {
    const policy = originPolicyFor("127.0.0.1", []);
    for (const origin of [
      "http://localhost:6274",
      "http://127.0.0.1:8080",
      "http://[::1]:3000",
      "https://localhost",
    ]) {
      expect(isOriginAllowed(origin, policy), origin).toBe(true);
    }
    for (const origin of [
      "https://evil.example",
      "http://localhost.evil.example",
      "http://127.0.0.1.evil.example:8080",
      "http://evil.example:6274",
      "null",
      "file://localhost",
    ]) {
      expect(isOriginAllowed(origin, policy), origin).toBe(false);
    }
  });

  it("keeps loopback origins to the allow-list when the gateway listens on a public address", () => {
    for (const host of ["0.0.0.0", "::", "10.0.0.5"]) {
      const policy = originPolicyFor(host, ["https://claude.ai"]);
      expect(isOriginAllowed("http://localhost:6274", policy), host).toBe(false);
      expect(isOriginAllowed("https://claude.ai", policy), host).toBe(true);
    }
  });

  it("knows the loopback listen addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "", "10.0.0.1", "localhost.example", "128.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

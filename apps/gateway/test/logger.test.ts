import { describe, expect, it } from "vitest";
import { redactUrl } from "../src/logger.js";

describe("redactUrl", () => {
  it.each([
    ["/mcp/eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0In0.sig", "/mcp/[token]"],
    ["/mcp/abc/extra", "/mcp/[token]/extra"],
    ["/mcp/abc?x=1", "/mcp/[token]?[query]"],
    ["/integrated-account/acc_1/mcp?cursor=abc", "/integrated-account/acc_1/mcp?[query]"],
    [
      "/.well-known/oauth-protected-resource/mcp/eyJ.abc.def",
      "/.well-known/oauth-protected-resource/mcp/[token]",
    ],
    ["/mcp/", "/mcp/"],
    ["/api-tokens/mcpg_at_abcdefghijklmnopqrstuvwxyz_secret", "/api-tokens/[secret]"],
    ["/tenants/eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0In0.c2lnbmF0dXJl", "/tenants/[secret]"],
    [
      "/integrated-account/acc_abcdefghijklmnopqrstuvwxyz/mcp/mcp_abcdefghijklmnopqrstuvwxyz",
      "/integrated-account/acc_abcdefghijklmnopqrstuvwxyz/mcp/mcp_abcdefghijklmnopqrstuvwxyz",
    ],
    ["/mcp/mcp_abcdefghijklmnopqrstuvwxyzextra", "/mcp/[token]"],
    ["/readyz", "/readyz"],
  ])("turns %s into %s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

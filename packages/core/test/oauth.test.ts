import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkClientMetadata,
  clientIdUrlProblem,
  generateAccessToken,
  generateAuthorizationCode,
  mcpTokenOfResource,
  parseRefreshToken,
  pkceMatches,
  redirectUriProblem,
  redirectUriRegistered,
  tenantOfOpaqueToken,
} from "../src/oauth.js";

const TENANT = `ten_${"a".repeat(26)}`;

describe("OAuth rules", () => {
  it("matches redirect URIs exactly, except for the port of a loopback one", () => {
    const registered = [
      "https://claude.ai/api/mcp/auth_callback",
      "http://localhost/callback",
      "http://127.0.0.1:9/cb",
    ];
    expect(redirectUriRegistered("https://claude.ai/api/mcp/auth_callback", registered)).toBe(true);
    expect(redirectUriRegistered("https://claude.ai/api/mcp/auth_callback/", registered)).toBe(false);
    expect(redirectUriRegistered("https://claude.ai:8443/api/mcp/auth_callback", registered)).toBe(false);
    expect(redirectUriRegistered("http://localhost:53121/callback", registered)).toBe(true);
    expect(redirectUriRegistered("http://127.0.0.1:4000/cb", registered)).toBe(true);
    expect(redirectUriRegistered("http://localhost:53121/other", registered)).toBe(false);
    expect(redirectUriRegistered("http://127.0.0.1:4000/callback", registered)).toBe(false);
    expect(redirectUriRegistered("https://localhost:53121/callback", registered)).toBe(false);
  });

  it("allows https and loopback http redirect URIs only", () => {
    expect(redirectUriProblem("https://app.example/cb")).toBeUndefined();
    expect(redirectUriProblem("http://[::1]:8080/cb")).toBeUndefined();
    expect(redirectUriProblem("http://app.example/cb")).toContain("must be https");
    expect(redirectUriProblem("https://app.example/cb#x")).toContain("fragment");
    expect(redirectUriProblem("https://u:p@app.example/cb")).toContain("user info");
    expect(redirectUriProblem("not a url")).toContain("not an absolute URL");
  });

  it("reads the MCP URL token of a resource of this gateway, and nothing else", () => {
    const base = "https://gw.example";
    expect(mcpTokenOfResource("https://gw.example/mcp/abc.def.ghi", base)).toBe("abc.def.ghi");
    expect(mcpTokenOfResource("HTTPS://GW.EXAMPLE/mcp/abc", base)).toBe("abc");
    for (const other of [
      "https://gw.example/mcp/abc/",
      "https://gw.example/mcp/",
      "https://gw.example/mcp/abc?x=1",
      "https://gw.example/mcp/abc#f",
      "https://other.example/mcp/abc",
      "http://gw.example/mcp/abc",
      "https://gw.example/other/abc",
    ]) {
      expect(mcpTokenOfResource(other, base), other).toBeUndefined();
    }
  });

  it("checks PKCE S256 and refuses malformed verifiers", () => {
    const verifier = "v".repeat(43);
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    expect(pkceMatches(verifier, challenge)).toBe(true);
    expect(pkceMatches(`${verifier}x`, challenge)).toBe(false);
    expect(pkceMatches("short", createHash("sha256").update("short").digest("base64url"))).toBe(false);
  });

  it("parses its own token formats and names the tenant of each", () => {
    const access = generateAccessToken(TENANT);
    expect(tenantOfOpaqueToken("access", access)).toBe(TENANT);
    expect(tenantOfOpaqueToken("code", access)).toBeUndefined();
    expect(tenantOfOpaqueToken("code", generateAuthorizationCode(TENANT))).toBe(TENANT);
    const refresh = `mcpg_ort.${TENANT}.gr_${"b".repeat(26)}.12.${"c".repeat(43)}`;
    expect(parseRefreshToken(refresh)).toEqual({
      tenantId: TENANT,
      grantId: `gr_${"b".repeat(26)}`,
      generation: 12,
      mac: "c".repeat(43),
    });
    expect(parseRefreshToken(`${refresh}x`)).toBeUndefined();
  });

  it("checks client metadata: required redirect URIs, no shared secret in a metadata document, unknown grants ignored", () => {
    const doc = {
      client_id: "https://claude.ai/oauth/mcp-oauth-client-metadata",
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
    expect(checkClientMetadata(doc, "document")).toMatchObject({
      ok: true,
      metadata: { client_name: "Claude" },
    });
    expect(
      checkClientMetadata({ ...doc, token_endpoint_auth_method: "client_secret_basic" }, "document"),
    ).toMatchObject({ ok: false });
    expect(checkClientMetadata({ ...doc, client_name: undefined }, "document")).toMatchObject({ ok: false });
    expect(checkClientMetadata({ client_name: "x" }, "registration")).toMatchObject({ ok: false });
    expect(checkClientMetadata({ redirect_uris: ["https://a.example/cb"] }, "registration")).toMatchObject({
      ok: true,
      metadata: { token_endpoint_auth_method: "client_secret_basic", client_name: "Unnamed client" },
    });
  });

  it("accepts only https client_id URLs with a path in normal form", () => {
    expect(clientIdUrlProblem("https://claude.ai/oauth/claude-code-client-metadata")).toBeUndefined();
    expect(clientIdUrlProblem("http://claude.ai/oauth/x")).toContain("https");
    expect(clientIdUrlProblem("https://claude.ai/")).toContain("path");
    expect(clientIdUrlProblem("https://claude.ai/a/../b")).toBeDefined();
    expect(clientIdUrlProblem("https://claude.ai/a#f")).toContain("fragment");
  });
});

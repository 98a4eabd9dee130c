import { manualClock } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { initializeBody, postRaw } from "./mcp-support.js";
import {
  approveAs,
  authorizeUrl,
  codeFlow,
  pkcePair,
  postForm,
  protectedUrl,
  registerPublicClient,
  signedIn,
} from "./oauth-support.js";

// The gateway as an OAuth 2.1 authorization server for its protected MCP URLs, over real HTTP against a
// real Redis: discovery, the code flow through the console's consent page, tokens bound to one URL, and
// the refusals the MCP authorization spec asks for.

const toolsList = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} };

describe("OAuth for protected MCP URLs", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });

  it("answers a protected URL without credentials with 401 naming its resource metadata, served per URL", async () => {
    const fixture = await protectedUrl(stack);
    const answer = await postRaw(fixture.url, initializeBody());
    expect(answer.status).toBe(401);
    const prmUrl = `${stack.gatewayUrl}/.well-known/oauth-protected-resource/mcp/${fixture.urlToken}`;
    expect(answer.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${prmUrl}", scope="mcp"`);
    const refused = await postRaw(fixture.url, initializeBody(), { authorization: "Bearer mcpg_oat.nope" });
    expect(refused.headers.get("www-authenticate")).toMatch(
      /^Bearer error="invalid_token", resource_metadata=/,
    );

    const prm = await fetch(prmUrl);
    expect(prm.status).toBe(200);
    expect(prm.headers.get("access-control-allow-origin")).toBe("*");
    expect(await prm.json()).toEqual({
      resource: fixture.url,
      authorization_servers: [stack.gatewayUrl],
      scopes_supported: ["mcp"],
      bearer_methods_supported: ["header"],
      resource_name: "Team memory",
    });
    const as = (await (
      await fetch(`${stack.gatewayUrl}/.well-known/oauth-authorization-server`)
    ).json()) as any;
    expect(as).toMatchObject({
      issuer: stack.gatewayUrl,
      authorization_endpoint: `${stack.gatewayUrl}/authorize`,
      token_endpoint: `${stack.gatewayUrl}/token`,
      registration_endpoint: `${stack.gatewayUrl}/register`,
      revocation_endpoint: `${stack.gatewayUrl}/revoke`,
      code_challenge_methods_supported: ["S256"],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.token_endpoint_auth_methods_supported).toContain("none");
  });

  it("answers metadata probes of authless and unknown URLs with 404, and authless URLs keep working", async () => {
    const fixture = await protectedUrl(stack);
    const open = await stack.mint(fixture.apiToken, fixture.accountId, {
      name: "Open",
      config: { methods: ["read"] },
    });
    const openToken = new URL(open.url).pathname.split("/").pop();
    for (const path of [
      `/.well-known/oauth-protected-resource/mcp/${openToken}`,
      `/.well-known/oauth-protected-resource/mcp/${fixture.urlToken.slice(0, -3)}abc`,
      "/.well-known/oauth-protected-resource",
    ]) {
      expect((await fetch(`${stack.gatewayUrl}${path}`)).status).toBe(404);
    }
    const answer = await postRaw(open.url, initializeBody());
    expect(answer.status).toBe(200);
    expect(answer.headers.get("www-authenticate")).toBeNull();
  });

  it("runs the code flow: consent by a user of the tenant, a code with iss and state, a token for that URL", async () => {
    const fixture = await protectedUrl(stack);
    const { tokens } = await codeFlow(stack, fixture);
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "mcp" });
    expect(tokens.access_token).toMatch(/^mcpg_oat\./);
    expect(tokens.refresh_token).toMatch(/^mcpg_ort\./);
    const listed = await postRaw(fixture.url, toolsList, { authorization: `Bearer ${tokens.access_token}` });
    expect(listed.status).toBe(200);
    expect(listed.text).toContain("list_all_mem_0_memories");
    // Stored only as hashes: neither token appears in any key or value.
    for (const key of await redis.keys()) {
      const value = (await redis.client.type(key)) === "string" ? ((await redis.client.get(key)) ?? "") : "";
      // The URL token (a capability) is never stored either: grants keep its claims and jti only.
      for (const secret of [tokens.access_token, tokens.refresh_token, fixture.urlToken]) {
        expect(key).not.toContain(secret.split(".").pop());
        expect(value).not.toContain(secret.split(".").pop());
      }
    }
    // No token, code or URL token reaches the gateway's log lines.
    const logged = stack.logs.lines().join("\n");
    for (const secret of [tokens.access_token, tokens.refresh_token, fixture.urlToken]) {
      expect(logged).not.toContain(secret.split(".").pop());
    }
    // The approval is in the tenant's audit trail, as the signed-in API token's.
    // (Records are written just after the answer, in batches: poll for it.)
    await expect
      .poll(
        async () => (await stack.call("GET", "/log?log_type=admin", { token: fixture.apiToken })).body.result,
      )
      .toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: "mcp_server.oauth_client_approved",
            mcp_server_id: fixture.serverId,
          }),
        ]),
      );
    // The tenant API token as Bearer keeps working.
    expect(
      (await postRaw(fixture.url, toolsList, { authorization: `Bearer ${fixture.apiToken}` })).status,
    ).toBe(200);
  });

  it("sends state and iss back on the code and on a denial", async () => {
    const fixture = await protectedUrl(stack);
    const { clientId } = await registerPublicClient(stack);
    const browser = await signedIn(stack, fixture.apiToken);
    const params = {
      response_type: "code",
      client_id: clientId,
      redirect_uri: "http://127.0.0.1:9/callback",
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
      resource: fixture.url,
      state: "xyz",
    };
    const approved = await approveAs(browser, authorizeUrl(stack, params));
    expect(approved.searchParams.get("state")).toBe("xyz");
    expect(approved.searchParams.get("iss")).toBe(stack.gatewayUrl);
    const denied = await approveAs(browser, authorizeUrl(stack, params), "deny");
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(denied.searchParams.get("state")).toBe("xyz");
    expect(denied.searchParams.get("iss")).toBe(stack.gatewayUrl);
  });

  it("shows a missing or foreign resource as a page, and never redirects to an unregistered URI", async () => {
    const fixture = await protectedUrl(stack);
    const { clientId } = await registerPublicClient(stack);
    const browser = await signedIn(stack, fixture.apiToken);
    const base = {
      response_type: "code",
      client_id: clientId,
      redirect_uri: "http://127.0.0.1:9/callback",
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
      state: "s",
    };
    for (const resource of [
      undefined,
      `${stack.gatewayUrl}/mcp/nope`,
      "https://elsewhere.example/mcp/x",
      `${fixture.url}/`,
    ]) {
      // RFC 9700 §4.11.2: until the resource is a live protected URL, nothing is sent to the redirect URI.
      const page = await browser.get(
        authorizeUrl(stack, { ...base, resource }).slice(stack.gatewayUrl.length),
      );
      expect(page.status).toBe(400);
      expect(page.location).toBeNull();
      expect(page.text).toContain(resource === undefined ? "has no resource" : "not a live MCP server URL");
    }
    const plain = await approveAs(
      browser,
      authorizeUrl(stack, { ...base, resource: fixture.url, code_challenge_method: "plain" }),
    );
    expect(plain.searchParams.get("error")).toBe("invalid_request");
    const unregistered = await browser.get(
      authorizeUrl(stack, {
        ...base,
        resource: fixture.url,
        redirect_uri: "https://attacker.example/cb",
      }).slice(stack.gatewayUrl.length),
    );
    expect(unregistered.status).toBe(400);
    expect(unregistered.location).toBeNull();
    expect(unregistered.text).toContain("not one the client registered");
    // A loopback redirect may change its port (RFC 8252 §7.3), but not its path.
    const otherPort = await approveAs(
      browser,
      authorizeUrl(stack, { ...base, resource: fixture.url, redirect_uri: "http://127.0.0.1:4567/callback" }),
    );
    expect(otherPort.searchParams.get("code")).not.toBeNull();
    const otherPath = await browser.get(
      authorizeUrl(stack, { ...base, resource: fixture.url, redirect_uri: "http://127.0.0.1:9/other" }).slice(
        stack.gatewayUrl.length,
      ),
    );
    expect(otherPath.status).toBe(400);
  });

  it("is no open redirector: before the resource names a live protected URL, every error is a page", async () => {
    const fixture = await protectedUrl(stack);
    // Anyone may register a client with any redirect URI, so a matching client and URI prove nothing.
    const { clientId } = await registerPublicClient(stack, "https://evil.example/landing");
    const bare = { client_id: clientId, redirect_uri: "https://evil.example/landing" };
    for (const params of [
      bare,
      { ...bare, response_type: "token" },
      { ...bare, response_type: "code", resource: `${stack.gatewayUrl}/mcp/nope` },
      { ...bare, response_type: "code", code_challenge_method: "plain", resource: "https://x.example/mcp" },
    ]) {
      const res = await fetch(authorizeUrl(stack, params), { redirect: "manual" });
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect(await res.text()).toContain("cannot be used");
    }
    // Once the resource is a live protected URL, errors go back to the client, with state and iss.
    const late = await fetch(
      authorizeUrl(stack, { ...bare, response_type: "token", resource: fixture.url, state: "s1" }),
      { redirect: "manual" },
    );
    expect(late.status).toBe(302);
    const location = new URL(late.headers.get("location") ?? "");
    expect(location.origin).toBe("https://evil.example");
    expect(location.searchParams.get("error")).toBe("unsupported_response_type");
    expect(location.searchParams.get("state")).toBe("s1");
    expect(location.searchParams.get("iss")).toBe(stack.gatewayUrl);
  });

  it("names the redirect origin in the consent page's form-action only when it is a plain origin", async () => {
    const fixture = await protectedUrl(stack);
    const browser = await signedIn(stack, fixture.apiToken);
    const cspFor = async (redirectUri: string): Promise<string> => {
      const { clientId } = await registerPublicClient(stack, redirectUri);
      const start = await browser.get(
        authorizeUrl(stack, {
          response_type: "code",
          client_id: clientId,
          redirect_uri: redirectUri,
          code_challenge: pkcePair().challenge,
          code_challenge_method: "S256",
          resource: fixture.url,
        }).slice(stack.gatewayUrl.length),
      );
      expect(start.location).toMatch(/^\/console\/oauth\/consent/);
      const page = await browser.get(`${start.location}&hop=1`);
      expect(page.status).toBe(200);
      return page.headers.get("content-security-policy") ?? "";
    };
    expect(await cspFor("https://app.example:8443/cb")).toContain(
      "form-action 'self' https://app.example:8443;",
    );
    // A host with ";" would end form-action and start a directive of the client's choosing.
    const hostile = await cspFor("https://a;script-src.example/cb");
    expect(hostile).toContain("form-action 'self';");
    expect(hostile).not.toContain("script-src.example");
  });

  it("lets only a user of the URL's tenant approve", async () => {
    const fixture = await protectedUrl(stack);
    const other = await stack.createTenant("Other tenant");
    const { clientId } = await registerPublicClient(stack);
    const browser = await signedIn(stack, other.apiToken);
    const start = await browser.get(
      authorizeUrl(stack, {
        response_type: "code",
        client_id: clientId,
        redirect_uri: "http://127.0.0.1:9/callback",
        code_challenge: pkcePair().challenge,
        code_challenge_method: "S256",
        resource: fixture.url,
      }).slice(stack.gatewayUrl.length),
    );
    const page = await browser.get(start.location ?? "");
    expect(page.status).toBe(403);
    expect(page.text).toContain("Only a user of the tenant that owns this MCP server can approve");
    expect(page.text).not.toContain("Team memory");
    const requestId = new URL(start.location ?? "", "http://x").searchParams.get("request") ?? "";
    const forced = await browser.post("/console/oauth/consent", {
      csrf: browser.csrfFrom(await browser.get("/console/api-tokens")),
      request: requestId,
      decision: "approve",
    });
    expect(forced.status).toBe(403);
    expect(forced.location).toBeNull();
  });

  it("refuses a PKCE mismatch, a code used twice (revoking its tokens) and a token for another URL", async () => {
    const fixture = await protectedUrl(stack);
    const { clientId } = await registerPublicClient(stack);
    const browser = await signedIn(stack, fixture.apiToken);
    const { verifier, challenge } = pkcePair();
    const redirectUri = "http://127.0.0.1:9/callback";
    const authorize = authorizeUrl(stack, {
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: "S256",
      resource: fixture.url,
    });
    const exchange = (code: string, v: string) =>
      postForm(stack, "/token", {
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        code_verifier: v,
        client_id: clientId,
      });
    const first = (await approveAs(browser, authorize)).searchParams.get("code") ?? "";
    const mismatch = await exchange(first, pkcePair().verifier);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toBe("invalid_grant");
    expect(mismatch.body.error_description).toContain("code_verifier");

    const second = (await approveAs(browser, authorize)).searchParams.get("code") ?? "";
    const ok = await exchange(second, verifier);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    const replay = await exchange(second, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body.error_description).toContain("already used");
    const afterReplay = await postRaw(fixture.url, toolsList, {
      authorization: `Bearer ${ok.body.access_token}`,
    });
    expect(afterReplay.status).toBe(401);

    // A token bound to one URL opens no other, even of the same tenant and account.
    const { tokens } = await codeFlow(stack, fixture);
    const sibling = await stack.mint(fixture.apiToken, fixture.accountId, {
      name: "Sibling",
      config: { methods: ["read"], require_api_token_auth: true },
    });
    const elsewhere = await postRaw(sibling.url, toolsList, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("revokes the grant of a code redeemed twice in parallel, whichever exchange finishes first", async () => {
    const fixture = await protectedUrl(stack);
    const redirectUri = "http://127.0.0.1:9/callback";
    const { clientId } = await registerPublicClient(stack, redirectUri);
    const browser = await signedIn(stack, fixture.apiToken);
    // The replay can overtake the first exchange, which writes the grant only after a few awaits.
    for (let round = 0; round < 8; round++) {
      const { verifier, challenge } = pkcePair();
      const back = await approveAs(
        browser,
        authorizeUrl(stack, {
          response_type: "code",
          client_id: clientId,
          redirect_uri: redirectUri,
          code_challenge: challenge,
          code_challenge_method: "S256",
          resource: fixture.url,
        }),
      );
      const form = {
        grant_type: "authorization_code",
        code: back.searchParams.get("code") ?? "",
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: clientId,
      };
      const answers = await Promise.all([postForm(stack, "/token", form), postForm(stack, "/token", form)]);
      const refused = answers.filter((a) => a.status === 400);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const answer of refused) {
        expect(answer.body.error).toBe("invalid_grant");
        expect(answer.body.error_description).toContain("already used");
      }
      for (const issued of answers.filter((a) => a.status === 200)) {
        const bearer = { authorization: `Bearer ${issued.body.access_token}` };
        expect((await postRaw(fixture.url, toolsList, bearer)).status).toBe(401);
        const refreshed = await postForm(stack, "/token", {
          grant_type: "refresh_token",
          refresh_token: issued.body.refresh_token,
          client_id: clientId,
        });
        expect(refreshed.status).toBe(400);
      }
      expect(refused.length + answers.filter((a) => a.status === 200).length).toBe(2);
    }
  });

  it("rotates refresh tokens, revokes the grant when an old one is replayed, and expires access tokens", async () => {
    const fixture = await protectedUrl(stack);
    const { clientId, tokens } = await codeFlow(stack, fixture);
    const refresh = (token: string) =>
      postForm(stack, "/token", { grant_type: "refresh_token", refresh_token: token, client_id: clientId });
    // An hour later the access token no longer works; a refresh brings a new one.
    clock.advance(3_600_000);
    expect(
      (await postRaw(fixture.url, toolsList, { authorization: `Bearer ${tokens.access_token}` })).status,
    ).toBe(401);
    const second = await refresh(tokens.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(
      (await postRaw(fixture.url, toolsList, { authorization: `Bearer ${second.body.access_token}` })).status,
    ).toBe(200);
    // The newest is used, so the first one is now a copy: replaying it revokes the grant.
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);
    const replay = await refresh(tokens.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error_description).toContain("already used");
    expect(
      (await postRaw(fixture.url, toolsList, { authorization: `Bearer ${third.body.access_token}` })).status,
    ).toBe(401);
    expect((await refresh(third.body.refresh_token)).status).toBe(400);
  });

  it("accepts the previous refresh token once, within a minute of its rotation; any other replay revokes the grant", async () => {
    const fixture = await protectedUrl(stack);
    const refresh = (clientId: string, token: string) =>
      postForm(stack, "/token", { grant_type: "refresh_token", refresh_token: token, client_id: clientId });
    const bearer = (token: string) => postRaw(fixture.url, toolsList, { authorization: `Bearer ${token}` });

    // A client that lost the rotation's response retries at once with the old token: it gets a new pair.
    const lost = await codeFlow(stack, fixture);
    expect((await refresh(lost.clientId, lost.tokens.refresh_token)).status).toBe(200);
    const retry = await refresh(lost.clientId, lost.tokens.refresh_token);
    expect(retry.status).toBe(200);
    // Only once: a second replay of the same old token is a copy, and ends the grant.
    const again = await refresh(lost.clientId, lost.tokens.refresh_token);
    expect(again.status).toBe(400);
    expect(again.body.error_description).toContain("already used");
    expect((await bearer(retry.body.access_token)).status).toBe(401);
    expect((await refresh(lost.clientId, retry.body.refresh_token)).status).toBe(400);

    // A stolen old token replayed after the window, while the real client is idle, ends the grant too.
    const idle = await codeFlow(stack, fixture);
    const rotated = await refresh(idle.clientId, idle.tokens.refresh_token);
    expect(rotated.status).toBe(200);
    clock.advance(61_000);
    const late = await refresh(idle.clientId, idle.tokens.refresh_token);
    expect(late.status).toBe(400);
    expect(late.body.error_description).toContain("already used");
    expect((await bearer(rotated.body.access_token)).status).toBe(401);
    expect((await refresh(idle.clientId, rotated.body.refresh_token)).status).toBe(400);
  });

  it("ends OAuth access when the URL is revoked or the approving API token is deleted", async () => {
    const fixture = await protectedUrl(stack);
    const { tokens } = await codeFlow(stack, fixture);
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    expect((await postRaw(fixture.url, toolsList, auth)).status).toBe(200);
    // A second API token of the tenant approves another grant; deleting the first token ends only the first.
    const created = await stack.call("POST", "/api-tokens", {
      token: fixture.apiToken,
      body: { name: "second" },
    });
    const second = created.body.token as string;
    const other = await codeFlow(stack, { ...fixture, apiToken: second });
    const firstId = (await stack.call("GET", "/api-tokens", { token: second })).body.result.find(
      (t: { name: string }) => t.name !== "second",
    ).id;
    expect((await stack.call("DELETE", `/api-tokens/${firstId}`, { token: second })).status).toBe(200);
    expect((await postRaw(fixture.url, toolsList, auth)).status).toBe(401);
    const otherAuth = { authorization: `Bearer ${other.tokens.access_token}` };
    expect((await postRaw(fixture.url, toolsList, otherAuth)).status).toBe(200);
    // Revoking the URL ends everything on it: the URL itself answers 404.
    await stack.call("DELETE", `/integrated-account/${fixture.accountId}/mcp/${fixture.serverId}`, {
      token: second,
    });
    expect((await postRaw(fixture.url, toolsList, otherAuth)).status).toBe(404);
    const refreshed = await postForm(stack, "/token", {
      grant_type: "refresh_token",
      refresh_token: other.tokens.refresh_token,
      client_id: other.clientId,
    });
    expect(refreshed.status).toBe(400);
  });

  it("revokes tokens through RFC 7009: an access token alone, or a refresh token with its grant", async () => {
    const fixture = await protectedUrl(stack);
    const { clientId, tokens } = await codeFlow(stack, fixture);
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const revoked = await postForm(stack, "/revoke", { token: tokens.access_token, client_id: clientId });
    expect(revoked.status).toBe(200);
    expect((await postRaw(fixture.url, toolsList, auth)).status).toBe(401);
    const refreshed = await postForm(stack, "/token", {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: clientId,
    });
    expect(refreshed.status).toBe(200);
    await postForm(stack, "/revoke", { token: refreshed.body.refresh_token, client_id: clientId });
    expect(
      (await postRaw(fixture.url, toolsList, { authorization: `Bearer ${refreshed.body.access_token}` }))
        .status,
    ).toBe(401);
    // Unknown tokens are answered 200 too, changing nothing (RFC 7009 §2.2).
    expect((await postForm(stack, "/revoke", { token: "whatever", client_id: clientId })).status).toBe(200);
  });

  it("registers clients with DCR: refuses bad redirect URIs, gives confidential clients a secret they must use", async () => {
    for (const redirect of ["http://example.com/cb", "javascript:alert(1)", "https://x.example/cb#frag"]) {
      const res = await stack.call("POST", "/register", {
        body: { client_name: "x", redirect_uris: [redirect] },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_redirect_uri");
    }
    const missing = await stack.call("POST", "/register", { body: { client_name: "x" } });
    expect(missing.status).toBe(400);
    // Hosted Claude registers as a confidential client (client_secret_post).
    const confidential = await stack.call("POST", "/register", {
      body: {
        client_name: "claudeai",
        redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code", "refresh_token"],
        scope: "claudeai",
      },
    });
    expect(confidential.status).toBe(201);
    expect(confidential.body).toMatchObject({
      client_secret_expires_at: 0,
      token_endpoint_auth_method: "client_secret_post",
    });
    expect(confidential.body.client_secret).toMatch(/^mcpg_ocs_/);
    const noSecret = await postForm(stack, "/token", {
      grant_type: "refresh_token",
      refresh_token: "x",
      client_id: confidential.body.client_id,
    });
    expect(noSecret.status).toBe(401);
    expect(noSecret.body.error).toBe("invalid_client");
    // RFC 6749 §5.2: Basic credentials with a broken %-escape are bad client credentials, not a server error.
    for (const credentials of [`${confidential.body.client_id}:%zz`, "%E0%A4%A:secret"]) {
      const broken = await postForm(
        stack,
        "/token",
        { grant_type: "refresh_token", refresh_token: "x" },
        { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
      );
      expect(broken.status).toBe(401);
      expect(broken.body.error).toBe("invalid_client");
      expect(broken.body.error_description).toContain("form-urlencoding");
      expect(broken.headers.get("www-authenticate")).toContain("Basic");
    }
  });

  it("lists a URL's grants in the API and the console, and revoking one there ends its tokens", async () => {
    const fixture = await protectedUrl(stack);
    const first = await codeFlow(stack, fixture);
    const second = await codeFlow(stack, fixture);
    const path = `/integrated-account/${fixture.accountId}/mcp/${fixture.serverId}/oauth-grants`;
    const listed = await stack.call("GET", path, { token: fixture.apiToken });
    expect(listed.status).toBe(200);
    expect(listed.body.result).toHaveLength(2);
    expect(listed.body.result[0]).toMatchObject({
      client_name: "Test client",
      client_kind: "registered",
      redirect_uri: "http://127.0.0.1:9/callback",
      scope: "mcp",
      last_refreshed_at: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain("refresh_salt");
    // Another tenant sees nothing of it.
    const other = await stack.createTenant("Other");
    expect((await stack.call("GET", path, { token: other.apiToken })).status).toBe(404);
    const grantId = listed.body.result.find((g: { client_id: string }) => g.client_id === first.clientId).id;
    expect((await stack.call("DELETE", `${path}/${grantId}`, { token: other.apiToken })).status).toBe(404);
    expect((await stack.call("DELETE", `${path}/${grantId}`, { token: fixture.apiToken })).status).toBe(200);
    const auth = (tokens: { access_token: string }) => ({ authorization: `Bearer ${tokens.access_token}` });
    expect((await postRaw(fixture.url, toolsList, auth(first.tokens))).status).toBe(401);
    expect((await postRaw(fixture.url, toolsList, auth(second.tokens))).status).toBe(200);

    // The console's "OAuth grants" page lists the other one, and its "Revoke" ends it.
    const browser = await signedIn(stack, fixture.apiToken);
    const pagePath = `/console/accounts/${fixture.accountId}/servers/${fixture.serverId}/oauth-grants`;
    const page = await browser.get(pagePath);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Test client");
    const remaining = /name="grant" value="(gr_[a-z2-7]{26})"/.exec(page.text)?.[1] ?? "";
    const revoked = await browser.post(`${pagePath}/revoke`, {
      csrf: browser.csrfFrom(page),
      grant: remaining,
    });
    expect(revoked.status).toBe(303);
    expect((await postRaw(fixture.url, toolsList, auth(second.tokens))).status).toBe(401);
    expect((await stack.call("GET", path, { token: fixture.apiToken })).body.result).toEqual([]);
    const servers = await browser.get(`/console/accounts/${fixture.accountId}/servers`);
    expect(servers.text).toContain(`${pagePath}"`);
  });

  it("ends OAuth access when the tenant is deleted, and refuses a token request naming another resource", async () => {
    const fixture = await protectedUrl(stack);
    const { clientId } = await registerPublicClient(stack);
    const browser = await signedIn(stack, fixture.apiToken);
    const { verifier, challenge } = pkcePair();
    const back = await approveAs(
      browser,
      authorizeUrl(stack, {
        response_type: "code",
        client_id: clientId,
        redirect_uri: "http://127.0.0.1:9/callback",
        code_challenge: challenge,
        code_challenge_method: "S256",
        resource: fixture.url,
      }),
    );
    const sibling = await stack.mint(fixture.apiToken, fixture.accountId, {
      name: "Sibling",
      config: { methods: ["read"], require_api_token_auth: true },
    });
    const wrong = await postForm(stack, "/token", {
      grant_type: "authorization_code",
      code: back.searchParams.get("code") ?? "",
      redirect_uri: "http://127.0.0.1:9/callback",
      code_verifier: verifier,
      client_id: clientId,
      resource: sibling.url,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe("invalid_target");

    const { tokens } = await codeFlow(stack, fixture);
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    expect((await postRaw(fixture.url, toolsList, auth)).status).toBe(200);
    expect(
      (await stack.call("DELETE", `/tenants/${fixture.tenantId}`, { token: stack.config.adminToken })).status,
    ).toBe(200);
    expect((await postRaw(fixture.url, toolsList, auth)).status).toBe(404);
  });

  it("knows Claude's two metadata documents from stored copies, without fetching them", async () => {
    const fixture = await protectedUrl(stack);
    const browser = await signedIn(stack, fixture.apiToken);
    const cases = [
      [
        "https://claude.ai/oauth/mcp-oauth-client-metadata",
        "https://claude.ai/api/mcp/auth_callback",
        "Claude",
      ],
      // Claude Code lists port-less loopback redirects and listens on a port of its own.
      [
        "https://claude.ai/oauth/claude-code-client-metadata",
        "http://localhost:53682/callback",
        "Claude Code",
      ],
    ] as const;
    for (const [clientId, redirectUri, name] of cases) {
      const start = await browser.get(
        authorizeUrl(stack, {
          response_type: "code",
          client_id: clientId,
          redirect_uri: redirectUri,
          code_challenge: pkcePair().challenge,
          code_challenge_method: "S256",
          resource: fixture.url,
          scope: "claudeai",
        }).slice(stack.gatewayUrl.length),
      );
      expect(start.status, clientId).toBe(302);
      const page = await browser.get(start.location ?? "");
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<strong>${name}</strong>`);
      expect(page.text).toContain("published at <strong>claude.ai</strong>");
    }
    // Nothing was cached: no document was fetched.
    expect((await redis.keys()).filter((k) => k.includes("oauth:cimd:"))).toEqual([]);
  });
});

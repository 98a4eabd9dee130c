import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@mcp-gateway/store";
import {
  Client,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { makeTlsMaterial, type TlsMaterial } from "../../../test/support/redis-topologies.js";
import type { ConsoleClient } from "./console-support.js";
import { type ProtectedFixture, protectedUrl, signedIn } from "./oauth-support.js";

// The MCP TypeScript SDK client's own OAuth provider against the gateway: once registering through DCR,
// once as a confidential DCR client (as hosted Claude registers), once known by a Client ID Metadata
// Document that this test serves over https. Each ends with tools listed and called through the URL.

type Stored = Record<string, unknown>;

/** An in-memory OAuthClientProvider whose "browser" is a signed-in console session pressing Approve. */
function consoleApprovingProvider(
  browser: ConsoleClient,
  gatewayUrl: string,
  options: { clientMetadataUrl?: string; authMethod?: "none" | "client_secret_post" },
): OAuthClientProvider & { callback?: URLSearchParams; consentPage?: string } {
  let clientInformation: Stored | undefined;
  let tokens: Stored | undefined;
  let verifier = "";
  let discovery: unknown;
  const provider: OAuthClientProvider & { callback?: URLSearchParams; consentPage?: string } = {
    redirectUrl: "http://127.0.0.1:9/callback",
    ...(options.clientMetadataUrl === undefined ? {} : { clientMetadataUrl: options.clientMetadataUrl }),
    get clientMetadata() {
      return {
        client_name: "SDK test client",
        redirect_uris: ["http://127.0.0.1:9/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: options.authMethod ?? "none",
      };
    },
    clientInformation: () => clientInformation as never,
    saveClientInformation: (info) => {
      clientInformation = info as Stored;
    },
    tokens: () => tokens as never,
    saveTokens: (t) => {
      tokens = t as Stored;
    },
    saveCodeVerifier: (v) => {
      verifier = v;
    },
    codeVerifier: () => verifier,
    saveDiscoveryState: (state) => {
      discovery = state;
    },
    discoveryState: () => discovery as never,
    state: () => "sdk-state",
    async redirectToAuthorization(url) {
      // The person's browser: the console session follows the authorize URL and presses Approve.
      const start = await browser.get(url.href.slice(gatewayUrl.length));
      const page = await browser.get(start.location ?? "");
      if (page.status !== 200) throw new Error(`consent page: ${page.status} ${page.text.slice(0, 400)}`);
      provider.consentPage = page.text;
      const answer = await browser.post("/console/oauth/consent", {
        csrf: browser.csrfFrom(page),
        request: new URL(start.location ?? "", gatewayUrl).searchParams.get("request") ?? "",
        decision: "approve",
      });
      provider.callback = new URL(answer.location ?? "").searchParams;
    },
  };
  return provider;
}

/** Connects, is sent to sign in, finishes with the code, connects again and returns a working client. */
async function connectThroughOAuth(
  url: string,
  provider: OAuthClientProvider & { callback?: URLSearchParams },
) {
  const first = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  await expect(new Client({ name: "sdk-oauth", version: "1" }).connect(first)).rejects.toBeInstanceOf(
    UnauthorizedError,
  );
  const callback = provider.callback;
  if (callback === undefined) throw new Error("the provider was never sent to authorize");
  expect(callback.get("state")).toBe("sdk-state");
  await first.finishAuth(callback);
  const client = new Client({ name: "sdk-oauth", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  return client;
}

describe("the MCP SDK client's OAuth provider", () => {
  const redis = useTestRedis();
  let tls: TlsMaterial;
  let documentServer: Server;
  let documentPort: number;
  let served: Record<string, unknown> = {};
  let documentFetches = 0;
  const requested: string[] = [];
  let stack: TestStack;
  let fixture: ProtectedFixture;

  beforeAll(async () => {
    tls = makeTlsMaterial(mkdtempSync(join(tmpdir(), "mcpg-cimd-")));
    documentServer = createServer(
      { cert: readFileSync(tls.serverCert), key: readFileSync(tls.serverKey) },
      (request, response) => {
        requested.push(request.url ?? "");
        if (request.url?.startsWith("/redirect")) {
          response.writeHead(302, { location: "/client.json" }).end();
          return;
        }
        if (request.url === "/client.json") documentFetches++;
        const body = JSON.stringify(request.url === "/big.json" ? { pad: "x".repeat(6_000) } : served);
        response
          .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
          .end(body);
      },
    );
    documentPort = await freePort();
    await new Promise<void>((resolve) => documentServer.listen(documentPort, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => documentServer?.close(resolve));
    if (tls) rmSync(tls.dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<void> {
    stack = await startTestStack(redis, { env });
    fixture = await protectedUrl(stack);
  }

  it("registers through DCR, signs in, lists and calls tools", async () => {
    await start();
    try {
      const browser = await signedIn(stack, fixture.apiToken);
      const client = await connectThroughOAuth(
        fixture.url,
        consoleApprovingProvider(browser, stack.gatewayUrl, {}),
      );
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("list_all_mem_0_projects");
      const called = await client.callTool({ name: "list_all_mem_0_projects", arguments: {} });
      expect(called.isError ?? false).toBe(false);
      await client.close();
    } finally {
      await stack.close();
    }
  });

  it("works as a confidential DCR client (client_secret_post, as hosted Claude registers)", async () => {
    await start();
    try {
      const browser = await signedIn(stack, fixture.apiToken);
      const provider = consoleApprovingProvider(browser, stack.gatewayUrl, {
        authMethod: "client_secret_post",
      });
      const client = await connectThroughOAuth(fixture.url, provider);
      const info = (await provider.clientInformation()) as { client_secret?: string };
      expect(info.client_secret).toMatch(/^mcpg_ocs_/);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      await stack.close();
    }
  });

  it("is known by a Client ID Metadata Document served over https, whose host the consent page names", async () => {
    await start({ OAUTH_METADATA_FETCH_PRIVATE: "on", OAUTH_METADATA_FETCH_CA_FILE: tls.caFile });
    try {
      const documentUrl = `https://localhost:${documentPort}/client.json`;
      served = {
        client_id: documentUrl,
        client_name: "CIMD test client",
        redirect_uris: ["http://127.0.0.1:9/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      };
      const browser = await signedIn(stack, fixture.apiToken);
      documentFetches = 0;
      const provider = consoleApprovingProvider(browser, stack.gatewayUrl, {
        clientMetadataUrl: documentUrl,
      });
      const client = await connectThroughOAuth(fixture.url, provider);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      expect(((await provider.clientInformation()) as { client_id: string }).client_id).toBe(documentUrl);
      expect(provider.consentPage).toContain(`published at <strong>localhost:${documentPort}</strong>`);
      expect(provider.consentPage).toContain("CIMD test client");
      expect(provider.consentPage).toContain("Team memory");
      await client.close();
      // Fetched once, then cached (a minute at least, whatever its Cache-Control says): /token did not refetch.
      expect(documentFetches).toBe(1);
      // Nothing was registered: the client is its document.
      expect((await redis.keys()).filter((k) => k.includes("oauth:client:"))).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it("refuses metadata documents that redirect, are too large, name another client_id or sit on private addresses", async () => {
    await start({ OAUTH_METADATA_FETCH_CA_FILE: tls.caFile });
    try {
      const browser = await signedIn(stack, fixture.apiToken);
      const authorize = async (clientId: string) =>
        browser.get(
          `/authorize?${new URLSearchParams({
            response_type: "code",
            client_id: clientId,
            redirect_uri: "http://127.0.0.1:9/callback",
            code_challenge: "a".repeat(43),
            code_challenge_method: "S256",
            resource: fixture.url,
          })}`,
        );
      // Private addresses are refused outside development (OAUTH_METADATA_FETCH_PRIVATE is off here).
      for (const url of [
        `https://localhost:${documentPort}/client.json`,
        `https://127.0.0.1:${documentPort}/client.json`,
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/client.json",
      ]) {
        const page = await authorize(url);
        expect(page.status, url).toBe(400);
        expect(page.text).toContain("private, loopback or link-local");
      }
      expect((await authorize("http://example.com/client.json")).text).toContain("must be https");
    } finally {
      await stack.close();
    }
    await start({ OAUTH_METADATA_FETCH_PRIVATE: "on", OAUTH_METADATA_FETCH_CA_FILE: tls.caFile });
    try {
      const browser = await signedIn(stack, fixture.apiToken);
      const authorize = async (clientId: string) =>
        browser.get(
          `/authorize?${new URLSearchParams({
            response_type: "code",
            client_id: clientId,
            redirect_uri: "http://127.0.0.1:9/callback",
            code_challenge: "a".repeat(43),
            code_challenge_method: "S256",
            resource: fixture.url,
          })}`,
        );
      const base = `https://localhost:${documentPort}`;
      expect((await authorize(`${base}/redirect`)).text).toContain("did not answer 200");
      expect((await authorize(`${base}/big.json`)).text).toContain("larger than 5120 bytes");
      served = {
        client_id: `${base}/someone-else.json`,
        client_name: "x",
        redirect_uris: ["http://127.0.0.1:9/callback"],
      };
      // (Other URLs than above: a failure, such as the private address of /client.json, is remembered a minute.)
      expect((await authorize(`${base}/other.json`)).text).toContain("names another client_id");
      served = {
        client_id: `${base}/secret.json`,
        client_name: "x",
        redirect_uris: ["http://127.0.0.1:9/callback"],
        token_endpoint_auth_method: "client_secret_post",
      };
      expect((await authorize(`${base}/secret.json`)).text).toContain("may not use a shared secret");
    } finally {
      await stack.close();
    }
  });

  it("remembers a failed metadata document for a minute and limits new document fetches per client address", async () => {
    await start({ OAUTH_METADATA_FETCH_PRIVATE: "on", OAUTH_METADATA_FETCH_CA_FILE: tls.caFile });
    try {
      const authorize = async (clientId: string) => {
        const res = await fetch(
          `${stack.gatewayUrl}/authorize?${new URLSearchParams({
            response_type: "code",
            client_id: clientId,
            redirect_uri: "http://127.0.0.1:9/callback",
            code_challenge: "a".repeat(43),
            code_challenge_method: "S256",
            resource: fixture.url,
          })}`,
          { redirect: "manual" },
        );
        return { status: res.status, text: await res.text() };
      };
      const base = `https://localhost:${documentPort}`;
      requested.length = 0;
      // A document that fails is fetched once; asking again within the minute gets the same answer unfetched.
      for (let i = 0; i < 3; i++) {
        const page = await authorize(`${base}/redirect?again`);
        expect(page.status).toBe(400);
        expect(page.text).toContain("did not answer 200");
      }
      expect(requested).toEqual(["/redirect?again"]);
      // 20 new documents a minute from one address (the one above counts); the 21st is refused unfetched.
      for (let n = 1; n < 20; n++) {
        expect((await authorize(`${base}/redirect?n=${n}`)).text).toContain("did not answer 200");
      }
      const refused = await authorize(`${base}/redirect?n=20`);
      expect(refused.status).toBe(400);
      expect(refused.text).toContain("too many new client metadata documents");
      expect(requested).toHaveLength(20);
      expect(requested).not.toContain("/redirect?n=20");
      // Remembered failures still answer without counting or fetching.
      expect((await authorize(`${base}/redirect?again`)).text).toContain("did not answer 200");
      expect(requested).toHaveLength(20);
    } finally {
      await stack.close();
    }
  });
});

/** Helpers for OAuth tests: a protected URL, PKCE pairs, a signed-in approver and the raw OAuth calls. */
import { createHash, randomBytes } from "node:crypto";
import type { TestStack } from "../../../test/support/gateway.js";
import { type ConsoleClient, consoleClient } from "./console-support.js";

/** A fresh PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** A tenant with a Mem0 account and one MCP URL that requires sign-in. */
export interface ProtectedFixture {
  tenantId: string;
  apiToken: string;
  accountId: string;
  serverId: string;
  url: string;
  urlToken: string;
}

/** Creates a tenant, connects Mem0 and mints a protected URL (read tools only). */
export async function protectedUrl(stack: TestStack, name = "OAuth tenant"): Promise<ProtectedFixture> {
  const { tenantId, apiToken } = await stack.createTenant(name);
  const accountId = await stack.connectMem0(apiToken);
  const minted = await stack.mint(apiToken, accountId, {
    name: "Team memory",
    config: { methods: ["read"], require_api_token_auth: true },
  });
  return {
    tenantId,
    apiToken,
    accountId,
    serverId: minted.id,
    url: minted.url,
    urlToken: new URL(minted.url).pathname.split("/").pop() ?? "",
  };
}

/** Registers a public client through DCR with one redirect URI. */
export async function registerPublicClient(
  stack: TestStack,
  redirectUri = "http://127.0.0.1:9/callback",
  extra: Record<string, unknown> = {},
): Promise<{ clientId: string; body: any }> {
  const res = await stack.call("POST", "/register", {
    body: {
      client_name: "Test client",
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
      ...extra,
    },
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { clientId: res.body.client_id, body: res.body };
}

/** The authorize URL for a request. */
export function authorizeUrl(stack: TestStack, params: Record<string, string | undefined>): string {
  const url = new URL("/authorize", stack.gatewayUrl);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

/** Follows an authorize URL as a signed-in person who presses `decision`; returns the client's redirect URL. */
export async function approveAs(
  browser: ConsoleClient,
  authorize: string,
  decision: "approve" | "deny" = "approve",
): Promise<URL> {
  const start = await browser.get(authorize.slice(authorize.indexOf("/authorize")));
  if (start.status !== 302 || start.location === null) {
    throw new Error(`authorize answered ${start.status}: ${start.text.slice(0, 300)}`);
  }
  if (!start.location.startsWith("/console/oauth/consent")) return new URL(start.location);
  const page = await browser.get(start.location);
  if (page.status !== 200)
    throw new Error(`consent page answered ${page.status}: ${page.text.slice(0, 500)}`);
  const requestId = new URL(start.location, "http://x").searchParams.get("request") ?? "";
  const answer = await browser.post("/console/oauth/consent", {
    csrf: browser.csrfFrom(page),
    request: requestId,
    decision,
  });
  if (answer.status !== 302 || answer.location === null) {
    throw new Error(`consent answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return new URL(answer.location);
}

/** A console client signed in with an API token. */
export async function signedIn(stack: TestStack, apiToken: string): Promise<ConsoleClient> {
  const browser = consoleClient(stack);
  const res = await browser.signIn(apiToken);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return browser;
}

/** Posts a form to the token (or revocation) endpoint. */
export async function postForm(
  stack: TestStack,
  path: "/token" | "/revoke",
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${stack.gatewayUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : JSON.parse(text), headers: response.headers };
}

/** Runs the whole code flow for a DCR public client; returns the token response and what it took. */
export async function codeFlow(
  stack: TestStack,
  fixture: ProtectedFixture,
  options: { redirectUri?: string } = {},
): Promise<{ clientId: string; tokens: any; redirectUri: string }> {
  const redirectUri = options.redirectUri ?? "http://127.0.0.1:9/callback";
  const { clientId } = await registerPublicClient(stack, redirectUri);
  const { verifier, challenge } = pkcePair();
  const browser = await signedIn(stack, fixture.apiToken);
  const back = await approveAs(
    browser,
    authorizeUrl(stack, {
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: "S256",
      resource: fixture.url,
      state: "st-1",
    }),
  );
  const code = back.searchParams.get("code");
  if (code === null) throw new Error(`no code in ${back.href}`);
  const res = await postForm(stack, "/token", {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    client_id: clientId,
    resource: fixture.url,
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { clientId, tokens: res.body, redirectUri };
}

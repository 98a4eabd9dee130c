import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePort } from "@mcp-gateway/store";
import { type Browser, chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { stdioSession } from "../../../test/support/json-rpc.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { authorizeUrl, pkcePair, protectedUrl, registerPublicClient } from "./oauth-support.js";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

// mcp-remote 0.15.1 (Claude Desktop's bridge) against a URL that requires sign-in, with no --header: it
// finds the gateway's OAuth metadata from the 401, registers, and prints its authorization URL. A headless
// Chromium (Debian's, never a downloaded one) signs in to the console and presses "Approve"; mcp-remote
// receives the code on its loopback callback, exchanges it and then lists and calls tools.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// The console's screenshots, beside those of console-browser.e2e.test.ts, for a person to look at.
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? join(tmpdir(), "mcp-gateway-console-screenshots");
const bin = (name: string): string =>
  fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));

type JsonRpcLine = { id?: number; result?: Record<string, unknown>; error?: { message: string } };

describe("mcp-remote's OAuth flow against a protected URL", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);
  let browser: Browser;
  let configDir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
    configDir = await mkdtemp(join(tmpdir(), "mcpg-mcp-remote-oauth-"));
  });
  afterEach(() => {
    child?.kill();
    child = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it("signs in through the console in a browser, then lists and calls tools", async () => {
    const fixture = await protectedUrl(stack);
    const callbackPort = await freePort();
    const proc = spawn(
      bin("mcp-remote"),
      [fixture.url, String(callbackPort), "--transport", "http-only", "--auth-timeout", "60"],
      {
        // HOME too: nothing may land in the real home directory.
        env: { ...process.env, MCP_REMOTE_CONFIG_DIR: configDir, HOME: configDir, DISPLAY: "" },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    child = proc;
    let stderr = "";
    const authorizationUrl = new Promise<string>((resolve, reject) => {
      proc.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /Please authorize this client by visiting:\s*(\S+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      proc.once("exit", (code) => reject(new Error(`mcp-remote exited (${code}):\n${stderr.slice(-3000)}`)));
    });
    const answers = new Map<number, JsonRpcLine>();
    const answered = new Promise<void>((resolve, reject) => {
      proc.once("exit", (code) => reject(new Error(`mcp-remote exited (${code}):\n${stderr.slice(-3000)}`)));
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const message = JSON.parse(line) as JsonRpcLine;
        if (typeof message.id === "number") answers.set(message.id, message);
        if (answers.has(2) && answers.has(3)) resolve();
      });
    });
    for (const request of stdioSession("list_all_mem_0_projects", {}, "oauth-e2e")) {
      proc.stdin?.write(`${JSON.stringify(request)}\n`);
    }

    const url = await authorizationUrl;
    expect(new URL(url).origin).toBe(stack.gatewayUrl);
    expect(new URL(url).searchParams.get("resource")).toBe(fixture.url);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/console`);
    await page.getByLabel("API token").fill(fixture.apiToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${stack.gatewayUrl}/console/accounts`);
    // Arrive as from the client's own site: a cross-site link, so the SameSite=Strict cookie is not sent
    // on the first request and the consent page has to bring it along itself.
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto(`data:text/html,<a href="${encodeURIComponent(url)}">Connect</a>`);
    await page.getByRole("link", { name: "Connect" }).click();
    await page.getByRole("button", { name: "Approve" }).waitFor();
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "oauth-consent.png"), fullPage: true });
    expect(requested.some((u) => u.includes("/console/oauth/consent?") && u.endsWith("&hop=1"))).toBe(true);
    expect(await page.getByText("Team memory").first().isVisible()).toBe(true);
    expect(await page.content()).toContain(`localhost:${callbackPort}`);
    await Promise.all([
      page.waitForURL((u) => u.origin === `http://localhost:${callbackPort}` && u.searchParams.has("code")),
      page.getByRole("button", { name: "Approve" }).click(),
    ]);
    const callback = new URL(page.url());
    expect(callback.searchParams.get("iss")).toBe(stack.gatewayUrl);
    await context.close();

    await answered;
    const tools = answers.get(2)?.result?.tools as { name: string }[];
    expect(tools.map((t) => t.name)).toContain("list_all_mem_0_projects");
    const call = answers.get(3)?.result as { content: { text: string }[]; isError?: boolean };
    expect(call.isError ?? false).toBe(false);
    expect(call.content[0]?.text).toContain(
      stack.sandbox.accountFor(stack.sandbox.apiKeys[0] ?? "").projectId,
    );

    // mcp-remote kept an access and a refresh token from the gateway, and registered as a public client.
    const files = await readdir(configDir, { recursive: true });
    const tokensFile = files.find((f) => f.endsWith("_tokens.json"));
    expect(tokensFile).toBeDefined();
    const stored = JSON.parse(await readFile(join(configDir, tokensFile ?? ""), "utf8"));
    expect(stored.access_token).toMatch(/^mcpg_oat\./);
    expect(stored.refresh_token).toMatch(/^mcpg_ort\./);
    const clientFile = files.find((f) => f.endsWith("_client_info.json"));
    const client = JSON.parse(await readFile(join(configDir, clientFile ?? ""), "utf8"));
    expect(client.token_endpoint_auth_method).toBe("none");
  });

  it('shows the consent and "OAuth grants" pages with their CSP, and axe finds no serious or critical violation', async () => {
    const fixture = await protectedUrl(stack);
    // The client's callback: a listener that only says it got the code.
    const callbackServer = createServer((_request, response) => response.end("callback"));
    const callbackPort = await freePort();
    await new Promise<void>((resolve) => callbackServer.listen(callbackPort, "127.0.0.1", resolve));
    const callbackUrl = `http://127.0.0.1:${callbackPort}/callback`;
    const { clientId } = await registerPublicClient(stack, callbackUrl);
    // Only the axe runs bypass the CSP (axe is injected as a script); the headers are still checked.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const audit = async (name: string): Promise<void> => {
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const result = await (globalThis as any).axe.run((globalThis as any).document, {
          resultTypes: ["violations"],
        });
        return result.violations
          .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
          .map((v: { id: string }) => v.id);
      });
      expect(violations, name).toEqual([]);
    };
    const url = authorizeUrl(stack, {
      response_type: "code",
      client_id: clientId,
      redirect_uri: callbackUrl,
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
      resource: fixture.url,
    });
    // Not signed in: the consent page asks for the API token and comes back to the request.
    await page.goto(url);
    await page.getByRole("heading", { name: "Sign in to approve" }).waitFor();
    await audit("consent sign-in");
    await page.getByLabel("API token").fill(fixture.apiToken);
    const [consent] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/console/oauth/consent?") && r.status() === 200),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    const csp = consent.headers()["content-security-policy"] ?? "";
    expect(csp).toContain(`form-action 'self' http://127.0.0.1:${callbackPort};`);
    expect(csp).toContain("frame-ancestors 'none'");
    await page.getByRole("button", { name: "Deny" }).waitFor();
    await audit("consent");
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${callbackUrl}?code=`)),
      page.getByRole("button", { name: "Approve" }).click(),
    ]);
    await page.goto(`${stack.gatewayUrl}/console/accounts/${fixture.accountId}/servers`);
    await page.getByRole("link", { name: "OAuth grants of Team memory" }).click();
    await page.getByRole("heading", { name: /OAuth grants/ }).waitFor();
    // The code was never exchanged, so there is no grant yet: the page says so.
    expect(await page.getByText("No OAuth grants").isVisible()).toBe(true);
    await audit("oauth grants");
    await context.close();
    await new Promise((resolve) => callbackServer.close(resolve));
  });
});

import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONSOLE_SESSION_LIMITS, manualClock } from "@mcp-gateway/core";
import { type Browser, type BrowserContext, chromium, type Page, type Response } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { connectClient, initializeBody, postRaw } from "./mcp-support.js";

// The console in real Chromium (Debian's, never a downloaded one), against the real gateway and the Mem0
// sandbox: the seed's own path from sign-in to a URL a real MCP client uses, then narrowing and revoking
// it; sign-out, session expiry, another tenant's id, a cross-origin post, the CSP and axe on every page.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? join(tmpdir(), "mcp-gateway-console-screenshots");

describe("the console in a browser", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let apiToken: string;
  let accountId: string;
  let cspViolations: string[];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ({ apiToken } = await stack.createTenant("Acme"));
    accountId = await stack.connectMem0(apiToken, "Support memory");
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.gatewayUrl });
    page = await context.newPage();
    cspViolations = [];
    page.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
    });
    return async () => {
      await context.close();
      expect(cspViolations).toEqual([]);
    };
  });

  async function signIn(token: string): Promise<void> {
    await page.goto(`${stack.gatewayUrl}/console`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  async function previewNames(): Promise<string[]> {
    return page.locator("#tool-preview .tool-name").allTextContents();
  }

  it("signs in, creates an MCP server on read + custom, memories + events for 1 day, and its copied URL serves exactly the previewed tools; narrowing and revoking reach the client", async () => {
    await signIn(apiToken);
    await expect(page.getByRole("heading", { name: "Integrated accounts" }).isVisible()).resolves.toBe(true);
    await page.getByRole("link", { name: "Support memory" }).click();
    await page.getByRole("link", { name: "MCP Servers" }).click();
    await page.getByRole("link", { name: "Create MCP Server" }).click();
    await page.getByLabel("Name").fill("Memories and events");
    const expected = await stack.call(
      "GET",
      `/integrated-account/${accountId}/tools?methods=read,custom&tags=memories,events`,
      { token: apiToken },
    );
    const expectedNames: string[] = expected.body.result.map((t: { name: string }) => t.name);
    await page.getByRole("checkbox", { name: /^read\b/ }).check();
    await page.getByRole("checkbox", { name: /^custom\b/ }).check();
    await page.getByLabel("memories", { exact: true }).check();
    await page.getByLabel("events", { exact: true }).check();
    await page.getByLabel("1 day").check();
    await expect.poll(previewNames).toEqual(expectedNames);
    // Read-only and destructive tools are marked in the preview.
    expect(await page.locator("#tool-preview .badge.read-only").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, "create-mcp-server.png"), fullPage: true });
    const previewed = await previewNames();

    await page.getByRole("button", { name: "Create MCP Server" }).click();
    await expect(page.getByText("it will not be shown again").isVisible()).resolves.toBe(true);
    await page.getByRole("button", { name: "Copy" }).first().click();
    await expect.poll(() => page.getByText("Copied").first().isVisible()).toBe(true);
    const url = await page.evaluate(
      (): Promise<string> => (globalThis as any).navigator.clipboard.readText(),
    );
    expect(url).toMatch(new RegExp(`^${stack.config.publicUrl}/mcp/`));
    await page.screenshot({ path: join(SCREENSHOTS, "mcp-server-created.png"), fullPage: true });

    const { client } = await connectClient(url, "2025-11-25");
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(previewed);

    // Narrow it in the console: read only. The client sees fewer tools on its next request.
    await page.getByRole("link", { name: "Back to MCP Servers" }).click();
    await expect(
      page.getByRole("cell", { name: "Memories and events", exact: true }).isVisible(),
    ).resolves.toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, "mcp-servers-tab.png"), fullPage: true });
    await page.getByRole("link", { name: "Edit Memories and events" }).click();
    await page.getByRole("checkbox", { name: /^custom\b/ }).uncheck();
    await expect.poll(async () => (await previewNames()).length).toBeLessThan(previewed.length);
    const narrowed = await previewNames();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("The MCP server is updated.").isVisible()).resolves.toBe(true);
    const after = (await client.listTools()).tools.map((t) => t.name);
    expect(after).toEqual(narrowed);
    expect(after.length).toBeLessThan(previewed.length);

    // Widening is refused with the API's message.
    await page.getByRole("link", { name: "Edit Memories and events" }).click();
    await page.getByRole("checkbox", { name: /^write\b/ }).check();
    await expect.poll(async () => (await previewNames()).length).toBeGreaterThan(narrowed.length);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("a URL can only be narrowed");

    // Revoke after a confirmation: the client gets 404.
    await page.goto(`${stack.gatewayUrl}/console/accounts/${accountId}/servers`);
    await page.getByRole("link", { name: "Revoke Memories and events" }).click();
    await page.screenshot({ path: join(SCREENSHOTS, "revoke-confirmation.png"), fullPage: true });
    await page.getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByText("its URL stopped working at once").isVisible()).resolves.toBe(true);
    await expect(client.listTools()).rejects.toThrow();
    expect((await postRaw(url, initializeBody())).status).toBe(404);
    await client.close();

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByText("You are signed out.").isVisible()).resolves.toBe(true);
    await page.goto(`${stack.gatewayUrl}/console/accounts`);
    await expect(page.getByRole("heading", { name: "Sign in" }).isVisible()).resolves.toBe(true);
  });

  it("creates a URL pinned to one user: the preview leaves out what cannot be confined, the list shows the scope, and the client stays inside it", async () => {
    await signIn(apiToken);
    await page.goto(`${stack.gatewayUrl}/console/accounts/${accountId}/servers/new`);
    await page.getByLabel("Name").fill("Alice's assistant");
    const everything = (await previewNames()).length;
    await page.getByLabel("user_id").fill("usr-alice");
    await page.getByLabel("user_id").press("Tab");
    await expect.poll(async () => (await previewNames()).length).toBeLessThan(everything);
    expect(await previewNames()).not.toContain("list_all_mem_0_webhooks");
    await expect(page.getByText("Confined to user_id usr-alice").first().isVisible()).resolves.toBe(true);
    const previewed = await previewNames();
    await page.screenshot({ path: join(SCREENSHOTS, "create-scoped-mcp-server.png"), fullPage: true });
    await page.getByRole("button", { name: "Create MCP Server" }).click();
    await expect(page.getByText("it will not be shown again").isVisible()).resolves.toBe(true);
    await expect(page.getByText("tools cannot be confined to user_id").isVisible()).resolves.toBe(true);
    const url = await page.getByLabel("MCP server URL").inputValue();
    const { client } = await connectClient(url, "2025-11-25");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(previewed);
    expect(tools[0]?.description).toContain('confined to user_id "usr-alice"');
    await client.close();

    await page.getByRole("link", { name: "Back to MCP Servers" }).click();
    await expect(page.getByRole("cell", { name: "user_id usr-alice" }).isVisible()).resolves.toBe(true);
    // Removing the scope in the edit form is refused with the API's message; the list still shows it.
    await page.getByRole("link", { name: "Edit Alice's assistant" }).click();
    await page.getByLabel("user_id").fill("");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "the scope can only gain entities",
    );
    await page.goto(`${stack.gatewayUrl}/console/accounts/${accountId}/servers`);
    await expect(page.getByRole("cell", { name: "user_id usr-alice" }).isVisible()).resolves.toBe(true);
  });

  it("cannot submit a choice that matches no tool, and says why", async () => {
    await signIn(apiToken);
    await page.goto(`${stack.gatewayUrl}/console/accounts/${accountId}/servers/new`);
    await page.getByLabel("Name").fill("Nothing");
    await page.getByRole("checkbox", { name: /^write\b/ }).check();
    await page.getByLabel("events", { exact: true }).check();
    await expect.poll(() => page.getByText("No tool matches this choice").isVisible()).toBe(true);
    await expect(page.getByRole("button", { name: "Create MCP Server" }).isDisabled()).resolves.toBe(true);
  });

  it("sends a person whose session expired back to sign in", async () => {
    await signIn(apiToken);
    await expect(page.getByRole("heading", { name: "Integrated accounts" }).isVisible()).resolves.toBe(true);
    clock.advance(CONSOLE_SESSION_LIMITS.idleMs + 1_000);
    await page.reload();
    await expect(page.getByText("Your session has ended. Sign in again.").isVisible()).resolves.toBe(true);
  });

  it("answers not found for another tenant's account id typed into the address bar", async () => {
    const other = await stack.createTenant("Other");
    const otherAccount = await stack.connectMem0(other.apiToken, "Their memory");
    await signIn(apiToken);
    const response = await page.goto(`${stack.gatewayUrl}/console/accounts/${otherAccount}/servers`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" }).isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain("Their memory");
  });

  it("refuses a form posted from another origin", async () => {
    await signIn(apiToken);
    const evil: Server = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(
        `<form method="post" action="${stack.gatewayUrl}/console/api-tokens"><input name="name" value="stolen"><button>Go</button></form>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    try {
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.getByRole("button", { name: "Go" }).click(),
      ]);
      expect(response?.status()).toBe(403);
      await expect(page.getByText("did not come from a page of this console").isVisible()).resolves.toBe(
        true,
      );
      const tokens = await stack.call("GET", "/api-tokens", { token: apiToken });
      expect(tokens.body.result.map((t: { name: string }) => t.name)).not.toContain("stolen");
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
  });

  it("sends the CSP on every page, and axe finds no serious or critical violation on any of them", {
    timeout: 240_000,
  }, async () => {
    // Only the axe run bypasses the CSP (axe is injected as an inline script); the header is still checked.
    const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const axePage = await axeContext.newPage();
    const server = await stack.mint(apiToken, accountId, { name: "Audited", config: { methods: ["read"] } });
    const visit = async (name: string, go: () => Promise<Response | null>) => {
      const response = await go();
      const csp = response?.headers()["content-security-policy"] ?? "";
      expect(csp, name).toContain("default-src 'none'");
      expect(csp, name).toContain("frame-ancestors 'none'");
      await axePage.addScriptTag({ path: AXE });
      const violations = await axePage.evaluate(async () => {
        const result = await (globalThis as any).axe.run((globalThis as any).document, {
          resultTypes: ["violations"],
        });
        return result.violations
          .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
          .map(
            (v: { id: string; nodes: { target: string[] }[] }) =>
              `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
          );
      });
      expect(violations, name).toEqual([]);
      await axePage.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    };
    const base = stack.gatewayUrl;
    await visit("sign-in", () => axePage.goto(`${base}/console`));
    await axePage.getByLabel("API token").fill(apiToken);
    await visit("integrated-accounts", async () => {
      const [response] = await Promise.all([
        axePage.waitForNavigation(),
        axePage.getByRole("button", { name: "Sign in" }).click(),
      ]);
      return response;
    });
    await visit("connect-account", () => axePage.goto(`${base}/console/accounts/connect`));
    await axePage.getByLabel("Name").fill("Bad key");
    await axePage.getByLabel("Mem0 API key").fill("m0-not-a-key");
    await visit("connect-account-refused", async () => {
      const [response] = await Promise.all([
        axePage.waitForNavigation(),
        axePage.getByRole("button", { name: "Connect account" }).click(),
      ]);
      return response;
    });
    await expect(axePage.locator(".field-error").textContent()).resolves.toContain("refused");
    await visit("account-overview", () => axePage.goto(`${base}/console/accounts/${accountId}`));
    await visit("mcp-servers", () => axePage.goto(`${base}/console/accounts/${accountId}/servers`));
    await visit("create-form", () => axePage.goto(`${base}/console/accounts/${accountId}/servers/new`));
    await axePage.getByLabel("Name").fill("Audit");
    await visit("created", async () => {
      const [response] = await Promise.all([
        axePage.waitForNavigation(),
        axePage.getByRole("button", { name: "Create MCP Server" }).click(),
      ]);
      return response;
    });
    await visit("edit", () =>
      axePage.goto(`${base}/console/accounts/${accountId}/servers/${server.id}/edit`),
    );
    await visit("revoke", () =>
      axePage.goto(`${base}/console/accounts/${accountId}/servers/${server.id}/revoke`),
    );
    await visit("api-tokens", () => axePage.goto(`${base}/console/api-tokens`));
    const tokenId = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result[0].id;
    await visit("api-token-delete", () => axePage.goto(`${base}/console/api-tokens/${tokenId}/delete`));
    await visit("not-found", () => axePage.goto(`${base}/console/nothing-here`));
    await axePage.goto(`${base}/console/api-tokens`);
    await axePage.getByRole("button", { name: "Sign out" }).click();
    await axePage.getByLabel("API token").fill(stack.config.adminToken);
    await visit("tenants", async () => {
      const [response] = await Promise.all([
        axePage.waitForNavigation(),
        axePage.getByRole("button", { name: "Sign in" }).click(),
      ]);
      return response;
    });
    const tenantId = (await stack.call("GET", "/tenants", { token: stack.config.adminToken })).body.result[0]
      .id;
    await visit("tenant-delete", () => axePage.goto(`${base}/console/tenants/${tenantId}/delete`));
    await axeContext.close();
  });
});

import { CONSOLE_SESSION_LIMITS, manualClock } from "@mcp-gateway/core";
import { beforeEach, describe, expect, it } from "vitest";
import { keyEnv } from "../../../test/support/admin-fixtures.js";
import { startTestStack, useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { consoleClient } from "./console-support.js";

// Console sessions against a real Redis and the real gateway: the cookie, idle and absolute expiry by the
// gateway's clock, sign-out, sessions ending with their API token or tenant, and the CSRF checks.

describe("console sessions", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });
  let apiToken: string;
  let tenantId: string;
  beforeEach(async () => {
    ({ apiToken, tenantId } = await stack.createTenant("Console tenant"));
  });

  it("exchanges an API token for an HttpOnly, SameSite=Strict cookie and a session stored only as a hash", async () => {
    const browser = consoleClient(stack);
    const signedIn = await browser.signIn(apiToken);
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^mcpg_console=mcpg_cs\.ten_[a-z2-7]{26}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(cookie).not.toContain("Secure");
    const secret = browser.cookie?.split(".")[2] ?? "";
    const keys = await redis.keys();
    const sessionKeys = keys.filter((k) => k.includes(":console-session:"));
    expect(sessionKeys).toHaveLength(1);
    expect(sessionKeys[0]).toContain(`t:{${tenantId}}:console-session:`);
    for (const key of keys) {
      expect(key).not.toContain(secret);
      const value = (await redis.client.type(key)) === "string" ? await redis.client.get(key) : "";
      expect(value ?? "").not.toContain(secret);
      expect(value ?? "").not.toContain(apiToken);
    }
    const home = await browser.get("/console");
    expect(home.status).toBe(303);
    expect(home.location).toBe("/console/accounts");
    const accounts = await browser.get("/console/accounts");
    expect(accounts.status).toBe(200);
    expect(accounts.text).toContain("Integrated accounts");
    expect(accounts.text).not.toContain(apiToken);
  });

  it("refuses an unknown token beside the field and sets no cookie", async () => {
    const browser = consoleClient(stack);
    const refused = await browser.signIn(`${apiToken.slice(0, -4)}AAAA`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(refused.text).toContain('aria-invalid="true"');
    expect(refused.text).toContain("This token does not open the console");
  });

  it("ends a session idle for longer than the idle timeout, and keeps an active one", async () => {
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    clock.advance(CONSOLE_SESSION_LIMITS.idleMs - 1_000);
    expect((await browser.get("/console/accounts")).status).toBe(200);
    clock.advance(CONSOLE_SESSION_LIMITS.idleMs - 1_000);
    expect((await browser.get("/console/accounts")).status).toBe(200);
    clock.advance(CONSOLE_SESSION_LIMITS.idleMs);
    const ended = await browser.get("/console/accounts");
    expect(ended.status).toBe(303);
    expect(ended.location).toBe("/console?ended=expired");
    const signIn = await browser.get("/console?ended=expired");
    expect(signIn.text).toContain("Your session has ended. Sign in again.");
  });

  it("ends a session at its absolute timeout however active it is", async () => {
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const step = CONSOLE_SESSION_LIMITS.idleMs / 2;
    const steps = Math.floor(CONSOLE_SESSION_LIMITS.absoluteMs / step) - 1;
    for (let i = 0; i < steps; i++) {
      clock.advance(step);
      expect((await browser.get("/console/api-tokens")).status).toBe(200);
    }
    clock.advance(step);
    expect((await browser.get("/console/api-tokens")).location).toBe("/console?ended=expired");
  });

  it("signs out: the session ends on the server and the cookie is cleared", async () => {
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const stolen = browser.cookie;
    const page = await browser.get("/console/accounts");
    const out = await browser.post("/console/sign-out", { csrf: browser.csrfFrom(page) });
    expect(out.status).toBe(303);
    expect(out.location).toBe("/console?ended=signed-out");
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await redis.keys()).filter((k) => k.includes("console-session"))).toEqual([]);
    browser.cookie = stolen;
    expect((await browser.get("/console/accounts")).status).toBe(303);
  });

  it("ends the sessions made from an API token as soon as the token is deleted", async () => {
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const second = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: "second" } });
    const tokens = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result;
    const tokenId = tokens.find((t: { name: string }) => t.name === "initial").id;
    expect((await browser.get("/console/accounts")).status).toBe(200);
    const deleted = await stack.call("DELETE", `/api-tokens/${tokenId}`, { token: second.body.token });
    expect(deleted.status).toBe(200);
    expect((await browser.get("/console/accounts")).location).toBe("/console?ended=expired");
  });

  it("ends a tenant's sessions as soon as the tenant is deleted", async () => {
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    expect((await browser.get("/console/accounts")).status).toBe(200);
    await stack.call("DELETE", `/tenants/${tenantId}`, { token: stack.config.adminToken });
    expect((await browser.get("/console/accounts")).location).toBe("/console?ended=expired");
  });

  it("refuses a state-changing request from another origin, or without the session's CSRF token", async () => {
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const csrf = browser.csrfFrom(await browser.get("/console/api-tokens"));
    const before = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result.length;
    const foreign = await browser.post(
      "/console/api-tokens",
      { name: "x", csrf },
      { origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.text).toContain("did not come from a page of this console");
    const noOrigin = await browser.post("/console/api-tokens", { name: "x", csrf }, { origin: "" });
    expect(noOrigin.status).toBe(403);
    const noToken = await browser.post("/console/api-tokens", { name: "x" });
    expect(noToken.status).toBe(403);
    const wrongToken = await browser.post("/console/api-tokens", {
      name: "x",
      csrf: `${csrf.slice(0, -2)}xx`,
    });
    expect(wrongToken.status).toBe(403);
    expect((await stack.call("GET", "/api-tokens", { token: apiToken })).body.result.length).toBe(before);
    const same = await browser.post("/console/api-tokens", { name: "from the console", csrf });
    expect(same.status).toBe(201);
    expect((await stack.call("GET", "/api-tokens", { token: apiToken })).body.result.length).toBe(before + 1);
    const crossSiteSignIn = await consoleClient(stack, "https://evil.example").signIn(apiToken);
    expect(crossSiteSignIn.status).toBe(403);
    expect(crossSiteSignIn.headers.get("set-cookie")).toBeNull();
  });

  it("sends a strict CSP and the other security headers on every console page", async () => {
    const browser = consoleClient(stack);
    for (const path of ["/console", "/console/nope"]) {
      const page = await browser.get(path);
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      expect(page.headers.get("x-frame-options")).toBe("DENY");
      expect(page.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("sends browsers asking for / to the console and API clients a JSON 404", async () => {
    const browser = consoleClient(stack);
    const root = await browser.get("/", { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    expect(root.status).toBe(303);
    expect(root.location).toBe("/console");
    const api = await stack.call("GET", "/", { headers: { accept: "application/json" } });
    expect(api.status).toBe(404);
    expect(api.body.code).toBe("not_found");
  });

  it("gives the operator the Tenants pages and keeps each kind of user out of the other's pages", async () => {
    const operator = consoleClient(stack);
    await operator.signIn(stack.config.adminToken);
    expect((await operator.get("/console")).location).toBe("/console/tenants");
    expect((await operator.get("/console/tenants")).text).toContain("Console tenant");
    expect((await operator.get("/console/accounts")).status).toBe(404);
    const tenant = consoleClient(stack);
    await tenant.signIn(apiToken);
    expect((await tenant.get("/console/tenants")).status).toBe(404);
  });

  it("answers not found for another tenant's account, as for a missing one", async () => {
    const other = await stack.createTenant("Other");
    const otherAccount = await stack.connectMem0(other.apiToken);
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    for (const path of [`/console/accounts/${otherAccount}`, `/console/accounts/${otherAccount}/servers`]) {
      const page = await browser.get(path);
      expect(page.status).toBe(404);
      expect(page.text).toContain("Not found");
    }
  });
});

describe("console sessions that must not outlive what made them", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("writes no sign-out to anyone's audit trail for a cookie that names no session", async () => {
    const { tenantId, apiToken } = await stack.createTenant("Forged sign-outs");
    const forged = consoleClient(stack);
    for (const scope of [tenantId, "operator"]) {
      forged.cookie = `mcpg_console=mcpg_cs.${scope}.${"A".repeat(43)}`;
      const out = await forged.post("/console/sign-out", {});
      expect(out.status).toBe(303);
      expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    }
    // Records are written in order after each answer: once this sign-in is recorded, any earlier one would be.
    await consoleClient(stack).signIn(apiToken);
    let actions: string[] = [];
    for (let attempt = 0; attempt < 100 && !actions.includes("console.signed_in"); attempt++) {
      const log = await stack.call("GET", "/log?log_type=admin&limit=100", {
        token: stack.config.adminToken,
      });
      actions = (log.body.result as { action: string }[]).map((record) => record.action);
      if (!actions.includes("console.signed_in")) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(actions).toContain("console.signed_in");
    expect(actions).not.toContain("console.signed_out");
  });

  it("ends the session a browser had when it signs in again", async () => {
    const { apiToken } = await stack.createTenant();
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const first = browser.cookie;
    await browser.signIn(apiToken);
    expect(browser.cookie).not.toBe(first);
    expect((await redis.keys()).filter((k) => k.includes("console-session"))).toHaveLength(1);
    const old = consoleClient(stack);
    old.cookie = first;
    expect((await old.get("/console/accounts")).status).toBe(303);
  });

  it("answers 404, not an error, for asset names that are built-in object properties", async () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect((await consoleClient(stack).get(`/console/assets/${name}`)).status).toBe(404);
    }
    const signIn = await consoleClient(stack).get("/console?ended=constructor");
    expect(signIn.status).toBe(200);
    expect(signIn.text).not.toContain("native code");
  });
});

describe("operator console sessions", () => {
  const redis = useTestRedis();

  it("end when GATEWAY_ADMIN_TOKEN changes, so a leaked operator token's sessions die with it", async () => {
    const keys = keyEnv();
    const oldToken = `old-operator-token-${"a".repeat(32)}`;
    const first = await startTestStack(redis, { env: { ...keys, GATEWAY_ADMIN_TOKEN: oldToken } });
    const browser = consoleClient(first);
    let cookie: string | undefined;
    try {
      await browser.signIn(oldToken);
      expect((await browser.get("/console/tenants")).status).toBe(200);
      cookie = browser.cookie;
    } finally {
      await first.close();
    }
    // The same deployment restarted (same keys and PUBLIC_URL: instances check them at start) with a new token.
    const second = await startTestStack(redis, {
      env: {
        ...keys,
        PUBLIC_URL: first.config.publicUrl,
        GATEWAY_ADMIN_TOKEN: `new-operator-token-${"b".repeat(32)}`,
      },
    });
    try {
      const stale = consoleClient(second);
      stale.cookie = cookie;
      const page = await stale.get("/console/tenants");
      expect(page.status).toBe(303);
      expect(page.location).toBe("/console?ended=expired");
      const made = await stale.post("/console/tenants", { name: "Sneaky", csrf: "x" });
      expect(made.status).not.toBe(201);
      expect((await second.call("GET", "/tenants", { token: second.config.adminToken })).body.result).toEqual(
        [],
      );
    } finally {
      await second.close();
    }
  });
});

describe("console sessions behind https", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis, { env: { PUBLIC_URL: "https://gateway.example.com" } });

  it("marks the cookie Secure with the __Host- prefix", async () => {
    const { apiToken } = await stack.createTenant();
    const browser = consoleClient(stack);
    const signedIn = await browser.signIn(apiToken);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("set-cookie")).toMatch(
      /^__Host-mcpg_console=mcpg_cs\.[^;]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
    );
    expect((await browser.get("/console/accounts")).status).toBe(200);
  });
});

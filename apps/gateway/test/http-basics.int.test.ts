import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturingLogger, testConfig } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { buildApp } from "../src/app.js";

describe("error envelope and request logging", () => {
  const ctx = useTestRedis();
  let app: FastifyInstance;
  let redis: Redis;
  let logs: ReturnType<typeof capturingLogger>;

  beforeEach(async () => {
    redis = new Redis(ctx.url, { keyPrefix: ctx.keyPrefix, lazyConnect: true });
    await redis.connect();
    logs = capturingLogger("debug");
    app = await buildApp({ config: testConfig(), redis, logger: logs.logger });
    // A route that fails the way a bug would, to see what a client is shown.
    app.get("/boom", async () => {
      throw new Error("secret internal detail: db password hunter2");
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    redis.disconnect();
  });

  it("answers an unknown route with the envelope and does not echo the path", async () => {
    // mcp-remote probes this path (with the MCP URL's token in it) after a 401.
    const res = await app.inject({
      method: "GET",
      url: "/.well-known/oauth-protected-resource/mcp/some-capability-token-value",
    });
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body).toEqual({
      statusCode: 404,
      error: "Not Found",
      code: "not_found",
      message: "no such route",
      requestId: res.headers["x-request-id"],
    });
    expect(res.body).not.toContain("some-capability-token-value");
  });

  it("hides the details of an unexpected error behind a generic 500", async () => {
    const res = await app.inject({ method: "GET", url: "/boom" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ statusCode: 500, code: "internal", error: "Internal Server Error" });
    expect(res.body).not.toContain("hunter2");
  });

  it("never logs an MCP token or an Authorization header", async () => {
    const token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0ZW5fMSJ9.c2lnbmF0dXJlLXZhbHVl";
    await app.inject({
      method: "GET",
      url: `/.well-known/oauth-protected-resource/mcp/${token}`,
    });
    await app.inject({
      method: "POST",
      url: `/mcp/${token}?also=${token}`,
      headers: { authorization: "Bearer mcpg_at_should_not_appear", cookie: "session=should-not-appear" },
    });
    const text = logs.lines().join("\n");
    expect(text).toContain("/mcp/[token]");
    expect(text).not.toContain(token);
    expect(text).not.toContain("should_not_appear");
    expect(text).not.toContain("should-not-appear");
  });

  it("refuses JSON values of the wrong type instead of coercing them", async () => {
    const admin = { authorization: `Bearer ${testConfig().adminToken}` };
    for (const payload of [{ name: 7 }, { name: true }, { name: ["Acme"] }]) {
      const res = await app.inject({ method: "POST", url: "/tenants", headers: admin, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: "validation_failed",
        message: expect.stringContaining("name"),
      });
    }
    expect(await ctx.keys()).toEqual([]);
  });

  it("answers a URL it cannot decode with the envelope, without echoing it", async () => {
    const res = await app.inject({ method: "GET", url: "/tenants/%ZZmcpg_at_secretish" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "bad_request", requestId: expect.any(String) });
    expect(res.body).not.toContain("secretish");
  });

  it("does not log a token pasted where an id belongs", async () => {
    const pasted = "mcpg_at_abcdefghijklmnopqrstuvwxyz_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
    await app.inject({
      method: "DELETE",
      url: `/api-tokens/${pasted}`,
      headers: { authorization: "Bearer x" },
    });
    expect(logs.lines().join("\n")).not.toContain(pasted);
  });
});

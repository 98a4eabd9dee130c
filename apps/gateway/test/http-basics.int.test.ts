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
    // mcp-remote probes this path (with the MCP URL's token in it) after a 401: for a URL that is not
    // protected, the OAuth metadata route answers 404 without repeating the token.
    const probe = await app.inject({
      method: "GET",
      url: "/.well-known/oauth-protected-resource/mcp/some-capability-token-value",
    });
    expect(probe.statusCode).toBe(404);
    expect(probe.body).not.toContain("some-capability-token-value");

    const res = await app.inject({ method: "GET", url: "/no-such-route/some-capability-token-value" });
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

  /** The parsed log lines of one request, found by the id the gateway answered with. */
  function linesOf(requestId: string | string[] | number | undefined): Record<string, any>[] {
    expect(requestId).toEqual(expect.any(String));
    return logs
      .lines()
      .map((line) => JSON.parse(line) as Record<string, any>)
      .filter((line) => line.reqId === requestId);
  }

  /** How often `secret` occurs in everything logged so far. */
  function occurrences(secret: string): number {
    return logs.lines().join("\n").split(secret).length - 1;
  }

  it("never logs an MCP token or an Authorization header", async () => {
    const token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0ZW5fMSJ9.c2lnbmF0dXJlLXZhbHVl";
    const probe = await app.inject({
      method: "GET",
      url: `/.well-known/oauth-protected-resource/mcp/${token}`,
    });
    const post = await app.inject({
      method: "POST",
      url: `/mcp/${token}?also=${token}`,
      headers: { authorization: "Bearer mcpg_at_should_not_appear", cookie: "session=should-not-appear" },
    });
    // Positive control: each of these very requests was logged, with its method, redacted URL and status.
    expect(linesOf(probe.headers["x-request-id"])).toContainEqual(
      expect.objectContaining({
        req: expect.objectContaining({
          method: "GET",
          url: "/.well-known/oauth-protected-resource/mcp/[token]",
        }),
      }),
    );
    expect(linesOf(probe.headers["x-request-id"])).toContainEqual(
      expect.objectContaining({ res: { statusCode: 404 } }),
    );
    expect(post.statusCode).toBe(404);
    expect(linesOf(post.headers["x-request-id"])).toContainEqual(
      expect.objectContaining({
        req: expect.objectContaining({ method: "POST", url: "/mcp/[token]?[query]" }),
      }),
    );
    expect(linesOf(post.headers["x-request-id"])).toContainEqual(
      expect.objectContaining({ res: { statusCode: 404 } }),
    );
    expect(occurrences(token)).toBe(0);
    expect(occurrences("should_not_appear")).toBe(0);
    expect(occurrences("should-not-appear")).toBe(0);
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
    const res = await app.inject({
      method: "DELETE",
      url: `/api-tokens/${pasted}`,
      headers: { authorization: "Bearer x" },
    });
    expect(res.statusCode).toBe(401);
    // Positive control: the request itself was logged, its path with the secret segment replaced.
    const lines = linesOf(res.headers["x-request-id"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        req: expect.objectContaining({ method: "DELETE", url: "/api-tokens/[secret]" }),
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ res: { statusCode: 401 } }));
    expect(occurrences(pasted)).toBe(0);
  });
});

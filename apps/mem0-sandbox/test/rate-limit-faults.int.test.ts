import { afterEach, describe, expect, it } from "vitest";
import { compilePathPattern } from "../src/faults.js";
import { type Sandbox, startSandbox } from "../src/index.js";
import { clientFor } from "./support/http.js";

const started: Sandbox[] = [];
async function start(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  started.push(sandbox);
  return sandbox;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

describe("rate limiting", () => {
  it("is off by default: no 429 and no rate-limit headers", async () => {
    const sandbox = await start({});
    const call = clientFor(sandbox);
    for (let i = 0; i < 30; i += 1) expect((await call("GET", "/v1/ping/")).status).toBe(200);
    expect((await call("GET", "/v1/ping/")).headers.get("x-ratelimit-limit")).toBeNull();
  });

  it("counts per key in a fixed window and answers 429 with Retry-After and X-RateLimit-* headers", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const sandbox = await start({
      apiKeys: ["k1", "k2"],
      rateLimit: { limit: 3, windowSeconds: 60 },
      now: () => now,
    });
    const one = clientFor(sandbox, "k1");
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await one("GET", "/v1/ping/");
      expect(response.status).toBe(200);
      expect(response.headers.get("x-ratelimit-limit")).toBe("3");
      remaining.push(response.headers.get("x-ratelimit-remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    now = new Date("2026-01-01T00:00:20Z");
    const refused = await one("POST", "/v3/memories/search/", { query: "x", filters: { user_id: "u" } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("40");
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("x-ratelimit-reset")).toBe("40");
    expect(refused.body).toEqual({ detail: "Request was throttled. Expected available in 40 seconds." });

    expect((await clientFor(sandbox, "k2")("GET", "/v1/ping/")).status).toBe(200);

    now = new Date("2026-01-01T00:01:00Z");
    expect((await one("GET", "/v1/ping/")).status).toBe(200);
  });

  it("does not spend a key's budget on unauthenticated requests", async () => {
    const sandbox = await start({ apiKeys: ["k1"], rateLimit: { limit: 1, windowSeconds: 60 } });
    expect((await clientFor(sandbox, "wrong")("GET", "/v1/ping/")).status).toBe(401);
    expect((await clientFor(sandbox, "k1")("GET", "/v1/ping/")).status).toBe(200);
  });
});

describe("fault injection", () => {
  it("is off unless rules are given", async () => {
    const sandbox = await start({});
    expect((await clientFor(sandbox)("GET", "/v1/ping/")).status).toBe(200);
  });

  it("answers a chosen status and body for a matching path and method, `times` times, before auth", async () => {
    const sandbox = await start({
      faults: [
        { method: "POST", path: "/v3/memories/*", status: 503, body: { detail: "upstream down" }, times: 2 },
      ],
    });
    const call = clientFor(sandbox);
    const body = { query: "x", filters: { user_id: "u" } };
    const noAuth = clientFor(sandbox, "not-a-key");
    expect(await noAuth("POST", "/v3/memories/search/", body)).toMatchObject({
      status: 503,
      body: { detail: "upstream down" },
    });
    expect((await call("GET", "/v1/ping/")).status).toBe(200);
    expect((await call("POST", "/v3/memories/", { filters: { user_id: "u" } })).status).toBe(503);
    expect((await call("POST", "/v3/memories/search/", body)).status).toBe(200);
  });

  it("adds latency before handling the request normally", async () => {
    const sandbox = await start({ faults: [{ path: "/v1/ping/", latencyMs: 250 }] });
    const startedAt = performance.now();
    const response = await clientFor(sandbox)("GET", "/v1/ping/");
    expect(response.status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(240);
  });

  it("hangs a request until the client gives up, and close() does not wait for it", async () => {
    const sandbox = await start({ faults: [{ path: "^/v1/event/", hang: true }] });
    const call = clientFor(sandbox);
    const hung = fetch(`${sandbox.url}/v1/event/abc/`, {
      headers: { authorization: `Token ${sandbox.apiKeys[0]}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
    expect((await call("GET", "/v1/ping/")).status).toBe(200);

    const forever = fetch(`${sandbox.url}/v1/event/def/`).catch((error: unknown) => error);
    await expect.poll(() => sandbox.requestCount(), { timeout: 2_000 }).toBe(3);
    const closing = performance.now();
    await sandbox.close();
    expect(performance.now() - closing).toBeLessThan(2_000);
    expect(await forever).toBeInstanceOf(Error);
  });

  it("close() does not wait for a request still inside a long injected latency", async () => {
    const sandbox = await start({ faults: [{ path: "/v1/ping/", latencyMs: 60_000 }] });
    const slow = fetch(`${sandbox.url}/v1/ping/`).catch((error: unknown) => error);
    await expect.poll(() => sandbox.requestCount(), { timeout: 2_000 }).toBe(1);
    const closing = performance.now();
    await sandbox.close();
    expect(performance.now() - closing).toBeLessThan(2_000);
    expect(await slow).toBeInstanceOf(Error);
  });

  it("replaces rules at run time with setFaults", async () => {
    const sandbox = await start({});
    const call = clientFor(sandbox);
    sandbox.setFaults([{ path: "/v1/ping/", status: 500 }]);
    expect((await call("GET", "/v1/ping/")).status).toBe(500);
    sandbox.setFaults([]);
    expect((await call("GET", "/v1/ping/")).status).toBe(200);
    expect(() => sandbox.setFaults([{ path: "/x/", status: 42 }])).toThrow(/HTTP status/);
  });

  it("counts every request, refused ones included", async () => {
    const sandbox = await start({});
    await clientFor(sandbox, "bad")("GET", "/v1/ping/");
    await clientFor(sandbox)("GET", "/nowhere/");
    await clientFor(sandbox)("GET", "/v1/ping/");
    expect(sandbox.requestCount()).toBe(3);
  });

  it("compiles globs and regex sources", () => {
    expect(compilePathPattern("/v1/memories/*/").test("/v1/memories/abc/")).toBe(true);
    expect(compilePathPattern("/v1/ping/").test("/v1/ping/x")).toBe(false);
    expect(compilePathPattern("/v?/ping/").test("/v1/ping/")).toBe(true);
    expect(compilePathPattern("^/v3/.+/search/$").test("/v3/memories/search/")).toBe(true);
  });
});

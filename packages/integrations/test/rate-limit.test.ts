import { describe, expect, it } from "vitest";
import { normalizeRateLimit, rateLimitHeaders } from "../src/index.js";

const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("normalizeRateLimit", () => {
  it("returns null when the upstream says nothing", () => {
    expect(normalizeRateLimit({ "content-type": "application/json" }, now)).toBeNull();
  });

  it("reads X-RateLimit-* with a delta reset", () => {
    expect(
      normalizeRateLimit(
        { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "7", "x-ratelimit-reset": "30" },
        now,
      ),
    ).toEqual({ limit: 100, remaining: 7, resetSeconds: 30, policy: "default" });
  });

  it("turns an epoch reset (seconds or milliseconds) into delta seconds", () => {
    const inSeconds = String(now / 1000 + 42);
    expect(
      normalizeRateLimit({ "x-ratelimit-reset": inSeconds, "x-ratelimit-limit": "5" }, now)?.resetSeconds,
    ).toBe(42);
    expect(
      normalizeRateLimit({ "x-ratelimit-reset": String(now + 9_000), "x-ratelimit-limit": "5" }, now)
        ?.resetSeconds,
    ).toBe(9);
  });

  it("reads the draft-06 RateLimit-* trio and its policy", () => {
    expect(
      normalizeRateLimit(
        {
          "ratelimit-limit": "100",
          "ratelimit-remaining": "50",
          "ratelimit-reset": "20",
          "ratelimit-policy": "100;w=60",
        },
        now,
      ),
    ).toEqual({ limit: 100, remaining: 50, resetSeconds: 20, windowSeconds: 60, policy: "default" });
  });

  it("reads the draft-10 RateLimit and RateLimit-Policy fields", () => {
    expect(
      normalizeRateLimit(
        { ratelimit: '"burst";r=3;t=12', "ratelimit-policy": '"burst";q=10;w=60, "daily";q=1000;w=86400' },
        now,
      ),
    ).toEqual({ limit: 10, remaining: 3, resetSeconds: 12, windowSeconds: 60, policy: "burst" });
  });

  it("reads the draft-07 dictionary form", () => {
    expect(normalizeRateLimit({ ratelimit: "limit=100, remaining=4, reset=9" }, now)).toMatchObject({
      limit: 100,
      remaining: 4,
      resetSeconds: 9,
    });
  });

  it("reads Retry-After as seconds or as an HTTP date, and uses it as the reset when none is given", () => {
    expect(normalizeRateLimit({ "retry-after": "17" }, now)).toEqual({
      retryAfterSeconds: 17,
      resetSeconds: 17,
      policy: "default",
    });
    const date = new Date(now + 120_000).toUTCString();
    expect(normalizeRateLimit({ "retry-after": date }, now)?.retryAfterSeconds).toBe(120);
  });

  it("ignores garbage", () => {
    expect(normalizeRateLimit({ "x-ratelimit-limit": "lots", "retry-after": "soon" }, now)).toBeNull();
  });
});

describe("rateLimitHeaders", () => {
  it("emits the Truto trio and the draft-10 pair", () => {
    const info = normalizeRateLimit(
      {
        "x-ratelimit-limit": "60",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "30",
        "retry-after": "30",
      },
      now,
    );
    expect(rateLimitHeaders(info)).toEqual({
      "ratelimit-limit": "60",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "30",
      "ratelimit-policy": '"default";q=60',
      ratelimit: '"default";r=0;t=30',
      "retry-after": "30",
    });
  });

  it("emits nothing for nothing", () => {
    expect(rateLimitHeaders(null)).toEqual({});
  });
});

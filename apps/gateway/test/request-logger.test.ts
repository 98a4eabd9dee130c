import { Writable } from "node:stream";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { lazyRequestLogger } from "../src/http/request-logger.js";
import { createLogger } from "../src/logger.js";

const apps: { close(): PromiseLike<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A fastify app whose one route logs through request.log; its log lines, parsed, without their timings. */
async function linesFrom(level: string, lazy: boolean): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  let id = 0;
  const app = Fastify({
    loggerInstance: createLogger(level, sink),
    genReqId: () => `req-${++id}`,
    ...(lazy ? { childLoggerFactory: lazyRequestLogger } : {}),
  });
  apps.push(app);
  app.get("/", async (request) => {
    request.log.info({ tool: "search", token: "secret-token" }, "tool call");
    request.log.debug("detail");
    request.log.child({ part: "upstream" }).warn("slow");
    return { ok: request.log.level };
  });
  const answer = await app.inject({ method: "GET", url: "/" });
  expect(answer.json()).toEqual({ ok: level });
  return lines
    .join("")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const { time: _time, responseTime: _took, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
}

describe("the lazy request logger", () => {
  it("writes the same lines as fastify's eager child logger, request id and redaction included", async () => {
    const eager = await linesFrom("info", false);
    const lazy = await linesFrom("info", true);
    expect(lazy).toEqual(eager);
    expect(lazy).toEqual([
      expect.objectContaining({ reqId: "req-1", msg: "incoming request" }),
      expect.objectContaining({ reqId: "req-1", tool: "search", token: "[redacted]", msg: "tool call" }),
      expect.objectContaining({ reqId: "req-1", part: "upstream", msg: "slow" }),
      expect.objectContaining({ reqId: "req-1", msg: "request completed" }),
    ]);
  });

  it("writes nothing below the level, and a line at or above it", async () => {
    const lines = await linesFrom("warn", true);
    expect(lines).toEqual([expect.objectContaining({ reqId: "req-1", part: "upstream", level: 40 })]);
  });
});

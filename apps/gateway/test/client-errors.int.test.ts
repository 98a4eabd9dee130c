import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { exchange, openSocket, readOneResponse } from "./raw-http.js";

// Node's default limit for all request headers together is 16 KiB; this is well past it, in one write.
const BIG_HEADER = `X-Padding: ${"a".repeat(20_000)}\r\n`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requests Node's HTTP parser refuses, on a listening gateway", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("answers oversized headers with 431, Connection: close and the error envelope, then closes", async () => {
    const res = await exchange(stack.gatewayUrl, `GET /healthz HTTP/1.1\r\nHost: gw\r\n${BIG_HEADER}\r\n`);
    expect(res.statusCode).toBe(431);
    expect(res.headers.connection).toBe("close");
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.body));
    const body = JSON.parse(res.body);
    expect(body).toEqual({
      statusCode: 431,
      error: "Request Header Fields Too Large",
      code: "request_headers_too_large",
      message: expect.stringContaining("request headers are too large: send fewer or smaller headers"),
      requestId: res.headers["x-request-id"],
    });
    expect(body.requestId).toMatch(UUID);
    expect(res.serverClosed).toBe(true);
  });

  it("answers oversized headers on HEAD with 431 and no body", async () => {
    const res = await exchange(stack.gatewayUrl, `HEAD /healthz HTTP/1.1\r\nHost: gw\r\n${BIG_HEADER}\r\n`);
    expect(res.statusCode).toBe(431);
    expect(res.headers.connection).toBe("close");
    // RFC 9110 §9.3.2: the headers a GET would get, Content-Length included, and no content.
    expect(Number(res.headers["content-length"])).toBeGreaterThan(0);
    expect(res.body).toBe("");
    expect(res.serverClosed).toBe(true);
  });

  it("closes a keep-alive connection after a 431 instead of leaving it to be reused", async () => {
    const socket = await openSocket(stack.gatewayUrl);
    const first = await readOneResponse(socket, "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n");
    expect(first.statusCode).toBe(200);
    expect(first.headers.connection).toBe("keep-alive");

    const second = await exchange(
      stack.gatewayUrl,
      `GET /healthz HTTP/1.1\r\nHost: gw\r\n${BIG_HEADER}\r\n`,
      { socket },
    );
    expect(second.statusCode).toBe(431);
    expect(second.headers.connection).toBe("close");
    expect(second.serverClosed).toBe(true);
  });

  it("answers a malformed request line with 400, Connection: close and the envelope", async () => {
    const res = await exchange(stack.gatewayUrl, "GET /a path with spaces HTTP/1.1\r\nHost: gw\r\n\r\n");
    expect(res.statusCode).toBe(400);
    expect(res.headers.connection).toBe("close");
    expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.body));
    expect(JSON.parse(res.body)).toMatchObject({
      statusCode: 400,
      error: "Bad Request",
      code: "bad_request",
    });
    expect(res.serverClosed).toBe(true);
  });

  it("answers bytes that are not HTTP at all (a TLS hello) with a bodyless 400 and Connection: close", async () => {
    const res = await exchange(stack.gatewayUrl, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
    expect(res.statusCode).toBe(400);
    expect(res.headers.connection).toBe("close");
    expect(res.headers["content-length"]).toBe("0");
    expect(res.body).toBe("");
    expect(res.serverClosed).toBe(true);
  });

  it("logs a refused request by its code and request id, never its bytes", async () => {
    const secret = "mcpg_at_this_must_never_be_logged";
    const res = await exchange(
      stack.gatewayUrl,
      `GET /mcp/${secret} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${secret}\r\n${BIG_HEADER}\r\n`,
    );
    expect(res.statusCode).toBe(431);
    const lines = stack.logs.lines();
    const logged = lines.find((line) => line.includes('"msg":"client error"'));
    expect(JSON.parse(logged ?? "{}")).toMatchObject({
      code: "HPE_HEADER_OVERFLOW",
      statusCode: 431,
      requestId: res.headers["x-request-id"],
    });
    expect(lines.join("\n")).not.toContain(secret);
  });
});

import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { TestStack } from "./gateway.js";

/** A random base64url key of 32 bytes, the format of every key variable. */
export function randomKey(): string {
  return randomBytes(32).toString("base64url");
}

/** Explicit key variables, so several service contexts (or a restarted gateway) share the same keys. */
export function keyEnv(mcpTokenKeys = `k1:${randomKey()}`): Record<string, string> {
  return {
    MCP_TOKEN_KEYS: mcpTokenKeys,
    CREDENTIAL_KEYS: `c1:${randomKey()}`,
    SECRET_HASH_KEY: randomKey(),
  };
}

/** An ISO timestamp `ms` after `now`. */
export function isoAfter(now: number, ms: number): string {
  return new Date(now + ms).toISOString();
}

/** A syntactically valid id that names nothing (same shape as the gateway's ids). */
export function missingId(prefix: "ten" | "acc" | "mcp" | "tok"): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const bytes = randomBytes(26);
  return `${prefix}_${Array.from(bytes, (b) => alphabet[b % 32]).join("")}`;
}

/** An error envelope without its requestId, for comparing two answers that should be identical. */
export function withoutRequestId(body: unknown): unknown {
  if (body === null || typeof body !== "object") return body;
  const { requestId: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** Mints an MCP server and fails loudly when the gateway refuses. */
export async function mintServer(
  stack: TestStack,
  apiToken: string,
  accountId: string,
  body: Record<string, unknown>,
): Promise<any> {
  const res = await stack.call("POST", `/integrated-account/${accountId}/mcp`, { token: apiToken, body });
  if (res.status !== 201) throw new Error(`minting failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Asserts an answer is the gateway's error envelope with this status (and code, when given). */
export function expectEnvelope(res: { status: number; body: unknown }, status: number, code?: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    statusCode: status,
    error: expect.any(String),
    code: code ?? expect.any(String),
    message: expect.any(String),
    requestId: expect.any(String),
    ...(res.body !== null && typeof res.body === "object" && "details" in res.body
      ? { details: expect.anything() }
      : {}),
  });
}

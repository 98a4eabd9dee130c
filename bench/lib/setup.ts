/** Shared plumbing for the bench: admin API calls, MCP request shapes, Redis INFO readings. */
import type { Redis } from "ioredis";
import type { CannonRequest } from "../load/jobs.js";

export { jsonRpcFrom } from "../../test/support/json-rpc.js";

/** Calls the gateway's admin API and returns its JSON, or throws with the gateway's own message. */
export async function admin(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const parsed = (await response.json()) as { message?: string };
  if (!response.ok) {
    throw new Error(
      `${method} ${path} answered ${response.status}: ${parsed.message ?? JSON.stringify(parsed)}`,
    );
  }
  return parsed;
}

/** Headers of a 2025-11-25 Streamable HTTP client (what Claude and mcp-remote send today). */
export const MCP_HEADERS: Record<string, string> = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
};

/** One MCP request as a client of an era sends it: the body and every header. */
export interface McpRequestShape {
  body: string;
  headers: Record<string, string>;
}

// What the SDK client pinned to 2026-07-28 puts in every request's _meta: the per-request envelope.
const MODERN_ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "mcp-gateway-bench", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

/**
 * A 2026-07-28 request: the envelope in `_meta` and the routing headers (MCP-Protocol-Version, Mcp-Method,
 * and Mcp-Name for a tool call), as the MCP SDK client sends them in that era.
 */
export function modernRequest(method: string, params: Record<string, unknown> = {}): McpRequestShape {
  return {
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: MODERN_ENVELOPE } }),
    headers: {
      ...MCP_HEADERS,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
    },
  };
}

/** A JSON-RPC request body. */
export function rpc(method: string, params?: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params === undefined ? {} : { params }) });
}

/** One POST for autocannon. */
export function post(
  path: string,
  body: string,
  headers: Record<string, string> = MCP_HEADERS,
): CannonRequest {
  return { method: "POST", path, headers, body };
}

/** Sends one request and returns status and text: the bench checks every target answers right before timing it. */
export async function probe(
  url: string,
  body: string,
  headers: Record<string, string> = MCP_HEADERS,
): Promise<{ status: number; text: string; bytes: number }> {
  const response = await fetch(url, { method: "POST", headers, body });
  const text = await response.text();
  return { status: response.status, text, bytes: Buffer.byteLength(text) };
}

/** Total commands Redis has executed, leaving out INFO itself (the bench's own reading). */
export async function redisCommandCount(
  redis: Redis,
): Promise<{ total: number; byCommand: Record<string, number> }> {
  const text = await redis.info("commandstats");
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (!match || match[1] === "info") continue;
    byCommand[match[1]!] = Number(match[2]);
    total += Number(match[2]);
  }
  return { total, byCommand };
}

/**
 * Waits until Redis has run no command for `quietMs` (at most `maxMs`): the gateway's request log sends what
 * it holds up to LIMITS.logFlushMs after the last request, which must not be counted against the next target.
 */
export async function redisQuiet(redis: Redis, quietMs = 100, maxMs = 5_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = (await redisCommandCount(redis)).total;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = (await redisCommandCount(redis)).total;
    if (now === last) return;
    last = now;
  }
}

/** INFO memory used_memory, in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  const text = await redis.info("memory");
  const match = /used_memory:(\d+)/.exec(text);
  if (!match) throw new Error("INFO memory has no used_memory");
  return Number(match[1]);
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

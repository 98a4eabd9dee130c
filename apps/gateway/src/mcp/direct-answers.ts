import type { IncomingHttpHeaders } from "node:http";
import { isJsonObject } from "@mcp-gateway/core";
import { ProtocolError, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import type { FastifyBaseLogger } from "fastify";
import type { McpExchange } from "./exchange.js";
import { listedTools, MODERN_PROTOCOL_VERSION, serverIdentity } from "./mcp-server-factory.js";
import type { McpSession } from "./mcp-session.js";
import {
  discoverResult,
  type ModernDirectCall,
  modernDirectCallOf,
  modernListResultTail,
  modernResult,
} from "./modern-direct-answers.js";
import { callTool } from "./tool-calls.js";

/**
 * Direct answers: the requests that make up nearly all MCP traffic, `tools/list` and `tools/call` of the
 * 2025-11-25 era and `tools/list`, `tools/call` and `server/discover` of the 2026-07-28 era
 * (modern-direct-answers.ts), answered by the gateway itself instead of a fresh SDK server per request (which
 * costs about a millisecond of CPU before any work is done). Only a request of exactly the shape the SDK would
 * serve unchanged is taken; anything else (another method, an unknown field, an unsupported protocol version,
 * a header that disagrees with the body, a batch) goes to the SDK, which answers or refuses it as before. The
 * answer is the JSON-RPC message the SDK would send, with its keys in the SDK's order, as plain JSON (the
 * Streamable HTTP transport allows either, and requires clients to accept both, so even a client whose Accept
 * names only text/event-stream gets JSON here). `MCP_DIRECT_ANSWERS=off` sends everything through the SDK.
 */
export type DirectCall = LegacyDirectCall | ModernDirectCall;

/** A 2025-era request answered directly. */
export type LegacyDirectCall =
  | { readonly era: "legacy"; readonly id: string | number; readonly method: "tools/list" }
  | {
      readonly era: "legacy";
      readonly id: string | number;
      readonly method: "tools/call";
      readonly name: string;
      readonly arguments: Record<string, unknown> | undefined;
    };

const REQUEST_FIELDS = new Set(["jsonrpc", "id", "method", "params"]);
const LIST_PARAMS = new Set(["cursor", "_meta"]);
const CALL_PARAMS = new Set(["name", "arguments", "_meta"]);
const LEGACY_VERSIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);
// The namespace of the 2026-07-28 per-request envelope keys in `_meta` (the era claim among them).
const ENVELOPE_NAMESPACE = "io.modelcontextprotocol/";

/** The call, when this request is one the gateway answers directly; undefined hands it to the SDK. */
export function directCallOf(headers: IncomingHttpHeaders, body: unknown): DirectCall | undefined {
  return headers["mcp-protocol-version"] === MODERN_PROTOCOL_VERSION
    ? modernDirectCallOf(headers, body)
    : legacyDirectCallOf(headers, body);
}

function legacyDirectCallOf(headers: IncomingHttpHeaders, body: unknown): LegacyDirectCall | undefined {
  if (!isJsonObject(body) || !hasOnly(body, REQUEST_FIELDS) || body.jsonrpc !== "2.0") return undefined;
  const { id, method, params } = body;
  if (!(typeof id === "string" || Number.isSafeInteger(id))) return undefined;
  if (method !== "tools/list" && method !== "tools/call") return undefined;

  // The 2025 era as the SDK's own routing (classifyInboundRequest) sees it: a supported or absent version
  // header, and no envelope key in `_meta`. The 2026-07-28 routing headers send it to the SDK as well.
  // (The SDK's classifier costs more than the rest of a tools/list, so a test holds this check to its
  // verdicts instead of calling it here.)
  const version = headers["mcp-protocol-version"];
  if (version !== undefined && (typeof version !== "string" || !LEGACY_VERSIONS.has(version)))
    return undefined;
  if (headers["mcp-method"] !== undefined || headers["mcp-name"] !== undefined) return undefined;
  if (params !== undefined && (!isJsonObject(params) || claimsEnvelope(params._meta))) return undefined;

  const requestId = id as string | number;
  if (method === "tools/list") {
    if (params === undefined) return { era: "legacy", id: requestId, method };
    if (!hasOnly(params, LIST_PARAMS)) return undefined;
    if (params.cursor !== undefined && typeof params.cursor !== "string") return undefined;
    return { era: "legacy", id: requestId, method };
  }
  if (params === undefined || !hasOnly(params, CALL_PARAMS) || typeof params.name !== "string") {
    return undefined;
  }
  if (params.arguments !== undefined && !isJsonObject(params.arguments)) return undefined;
  return { era: "legacy", id: requestId, method, name: params.name, arguments: params.arguments };
}

// The serialized tool list of one effective toolset, per exposure: the same array object comes back for
// the same filters (effectiveTools memoizes), so each list is built and encoded once. Kept as UTF-8 bytes:
// re-encoding a 27 KB string on every answer was the largest cost of a tools/list.
const serializedLists = new WeakMap<readonly unknown[], { all?: Buffer; discovery?: Buffer }>();

/** The UTF-8 JSON of `{"tools": [...]}` for a session, as tools/list answers it. */
export function serializedToolList(session: McpSession): Buffer {
  let lists = serializedLists.get(session.tools);
  if (lists === undefined) {
    lists = {};
    serializedLists.set(session.tools, lists);
  }
  const cached = lists[session.exposure];
  if (cached !== undefined) return cached;
  const bytes = Buffer.from(JSON.stringify({ tools: listedTools(session) }), "utf8");
  lists[session.exposure] = bytes;
  return bytes;
}

// Per toolset and server: the tail of a 2026-07-28 tools/list result (cache fields, the server's identity).
const modernListTails = new WeakMap<readonly unknown[], Map<string, Buffer>>();
const MODERN_TAILS_PER_TOOLSET = 1024;

function modernListTail(session: McpSession): Buffer {
  let tails = modernListTails.get(session.tools);
  if (tails === undefined) {
    tails = new Map();
    modernListTails.set(session.tools, tails);
  }
  let tail = tails.get(session.serverName);
  if (tail === undefined) {
    tail = Buffer.from(modernListResultTail(serverIdentity(session)), "utf8");
    // One entry per server name over this toolset: bounded, as names are; dropped wholesale past the cap.
    if (tails.size >= MODERN_TAILS_PER_TOOLSET) tails.clear();
    tails.set(session.serverName, tail);
  }
  return tail;
}

/**
 * The JSON-RPC response to a tools/list, as the buffers to write one after another: the serialized list is
 * shared by every answer over the same toolset, so it is written as it is rather than copied into one
 * buffer with the request's own bytes (a copy of 55 KB per request cost more than the rest of the answer).
 */
export function toolListAnswer(call: DirectCall & { method: "tools/list" }, session: McpSession): Buffer[] {
  const tail = Buffer.from(jsonRpcTail(call.id), "utf8");
  const list = serializedToolList(session);
  if (call.era === "legacy") return [RESULT_START, list, tail];
  // The list's closing brace is dropped: the result goes on with the era's own fields, and ends there.
  return [RESULT_START, list.subarray(0, list.length - 1), modernListTail(session), tail];
}

/** The JSON-RPC response to a tools/call or server/discover; never rejects (failures become JSON-RPC errors). */
export async function answerDirectCall(
  call: Exclude<DirectCall, { method: "tools/list" }>,
  exchange: McpExchange,
  log: FastifyBaseLogger,
): Promise<string> {
  const id = JSON.stringify(call.id);
  const tail = jsonRpcTail(call.id);
  const { session } = exchange;
  if (call.method === "server/discover") {
    const identity = serverIdentity(session);
    const result = modernResult(call.method, discoverResult(identity), identity);
    return `{"result":${JSON.stringify(result)}${tail}`;
  }
  try {
    const toolResult = await callTool(exchange, call.name, call.arguments);
    // The gateway's results are objects with object structuredContent, so neither era's projection
    // (Server.projectCallToolResult, which only rewrites non-object structuredContent) changes them.
    const result =
      call.era === "legacy"
        ? toolResult
        : modernResult(call.method, { ...toolResult }, serverIdentity(session));
    return `{"result":${JSON.stringify(result)}${tail}`;
  } catch (error) {
    // callTool raises protocol errors (unknown tool) on purpose; anything else is a bug, logged, and
    // answered without its message so no internal detail reaches the client (the one place where the
    // answer knowingly differs from the SDK's, which would echo the error's message).
    if (error instanceof ProtocolError) {
      const wire = {
        code: error.code,
        message: error.message,
        ...(error.data === undefined ? {} : { data: error.data }),
      };
      return `{"jsonrpc":"2.0","id":${id},"error":${JSON.stringify(wire)}}`;
    }
    log.error({ err: error }, "tools/call failed");
    return `{"jsonrpc":"2.0","id":${id},"error":{"code":-32603,"message":"Internal error"}}`;
  }
}

const RESULT_START = Buffer.from(`{"result":`, "utf8");

/** What follows a result: the SDK writes a result as {result, jsonrpc, id} and an error as {jsonrpc, id, error}, in both eras. */
function jsonRpcTail(id: string | number): string {
  return `,"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
}

/**
 * True when `_meta` is not plain 2025-era metadata: an envelope key, or a shape the SDK refuses (not an
 * object; a progress token that is neither a string nor an integer). The SDK then answers it.
 */
function claimsEnvelope(meta: unknown): boolean {
  if (meta === undefined) return false;
  if (!isJsonObject(meta)) return true;
  const progressToken = meta.progressToken;
  if (
    progressToken !== undefined &&
    !(typeof progressToken === "string" || Number.isSafeInteger(progressToken))
  ) {
    return true;
  }
  for (const key in meta) if (key.startsWith(ENVELOPE_NAMESPACE)) return true;
  return false;
}

function hasOnly(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

import type { IncomingHttpHeaders } from "node:http";
import { isJsonObject } from "@mcp-gateway/core";
import type { McpHttpHandler } from "@modelcontextprotocol/server";
import type { McpExchange } from "../exchange.js";
import { lastEventData } from "../web-bridge.js";

/** Whether a body is one JSON-RPC 2.0 message object (request, notification or response). */
export function isJsonRpcMessage(body: unknown): body is Record<string, unknown> {
  if (!isJsonObject(body) || body.jsonrpc !== "2.0") return false;
  return typeof body.method === "string" || "result" in body || "error" in body;
}

/**
 * Answers one JSON-RPC message posted over the legacy transport with the same stateless SDK handler and
 * server factory as Streamable HTTP, so tools, filters and eras behave alike. Returns the answer to write
 * on the stream, or null when the message needs none (a notification or a client's response).
 */
export async function answerOneMessage(
  handler: McpHttpHandler,
  exchange: McpExchange,
  message: Record<string, unknown>,
  headers: IncomingHttpHeaders,
): Promise<string | null> {
  if (typeof message.method !== "string") return null; // a response to the server: it sends no requests
  const sdkHeaders = new Headers({
    accept: "application/json, text/event-stream",
    "content-type": "application/json",
  });
  // Clients name the negotiated revision on each POST after initialize; without it the SDK assumes 2025-03-26.
  const version = headers["mcp-protocol-version"];
  if (typeof version === "string") sdkHeaders.set("mcp-protocol-version", version);
  const response = await handler.fetch(
    new Request("http://mcp-gateway.invalid/mcp", {
      method: "POST",
      headers: sdkHeaders,
      body: JSON.stringify(message),
      signal: exchange.clientGone,
    }),
    { parsedBody: message, authInfo: exchange.toAuthInfo() },
  );
  const text = await response.text();
  if (!("id" in message) || text === "") return null;
  const isEventStream = (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
  const answer = isEventStream ? lastEventData(text) : text;
  if (answer === undefined) return null;
  // Re-serialized: an event's data must be one line. An error the SDK raised before reading the id (a bad
  // header) has id null, while the client waits for an answer to its own id.
  const parsed: unknown = JSON.parse(answer);
  if (isJsonObject(parsed) && parsed.id === null && "error" in parsed) {
    return JSON.stringify({ ...parsed, id: message.id });
  }
  return JSON.stringify(parsed);
}

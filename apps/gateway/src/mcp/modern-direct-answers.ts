import type { IncomingHttpHeaders } from "node:http";
import { isJsonObject, LIMITS } from "@mcp-gateway/core";
import { classifyInboundRequest, SERVER_INFO_META_KEY } from "@modelcontextprotocol/server";
import { MODERN_PROTOCOL_VERSION, type ServerIdentity } from "./mcp-server-factory.js";

/**
 * The 2026-07-28 half of the direct answers (see direct-answers.ts): `tools/list`, `tools/call` and
 * `server/discover` of the stateless era, answered without a fresh SDK server. A request is taken only when
 *
 * - the SDK's own classifier (`classifyInboundRequest`, the routing step of `createMcpHandler`) routes it to
 *   the modern path at the one revision served, which also validates the `_meta` envelope and refuses an
 *   MCP-Protocol-Version or Mcp-Method header that disagrees with the body (its verdict is remembered per
 *   envelope, see `envelopeServed`);
 * - the headers the SDK's next rung requires are present and say literally what the body says
 *   (MCP-Protocol-Version, Mcp-Method, and Mcp-Name on tools/call); a Base64-encoded or padded header is left
 *   to the SDK, which decodes it;
 * - the params hold nothing the gateway would have to interpret (only `_meta`, and `cursor` or `name` and
 *   `arguments` where the method defines them).
 *
 * Anything else, errors included, goes to the SDK, which answers it as before.
 */
export type ModernDirectCall =
  | { readonly era: "modern"; readonly id: string | number; readonly method: "tools/list" }
  | { readonly era: "modern"; readonly id: string | number; readonly method: "server/discover" }
  | {
      readonly era: "modern";
      readonly id: string | number;
      readonly method: "tools/call";
      readonly name: string;
      readonly arguments: Record<string, unknown> | undefined;
    };

const REQUEST_FIELDS = new Set(["jsonrpc", "id", "method", "params"]);
const PARAMS: Readonly<Record<ModernDirectCall["method"], ReadonlySet<string>>> = {
  "tools/list": new Set(["cursor", "_meta"]),
  "tools/call": new Set(["name", "arguments", "_meta"]),
  "server/discover": new Set(["_meta"]),
};
// The SDK decodes an Mcp-Name header of the form =?base64?...?= (SEP-2243); such names are left to it.
const ENCODED_NAME_PREFIX = "=?";

/** The call, when this is a 2026-07-28 request the gateway answers directly; undefined hands it to the SDK. */
export function modernDirectCallOf(
  headers: IncomingHttpHeaders,
  body: unknown,
): ModernDirectCall | undefined {
  if (headers["mcp-protocol-version"] !== MODERN_PROTOCOL_VERSION) return undefined;
  if (!isJsonObject(body) || !hasOnly(body, REQUEST_FIELDS) || body.jsonrpc !== "2.0") return undefined;
  const { id, method, params } = body;
  if (!(typeof id === "string" || Number.isSafeInteger(id))) return undefined;
  if (method !== "tools/list" && method !== "tools/call" && method !== "server/discover") return undefined;
  if (headers["mcp-method"] !== method || !isJsonObject(params) || !hasOnly(params, PARAMS[method])) {
    return undefined;
  }
  const nameHeader = headers["mcp-name"];
  if (method === "tools/call") {
    const { name } = params;
    if (typeof name !== "string" || nameHeader !== name || name.startsWith(ENCODED_NAME_PREFIX))
      return undefined;
    if (params.arguments !== undefined && !isJsonObject(params.arguments)) return undefined;
  } else if (method === "tools/list" && params.cursor !== undefined && typeof params.cursor !== "string") {
    return undefined;
  }
  if (nameHeader !== undefined && typeof nameHeader !== "string") return undefined;

  if (!envelopeServed(params._meta, () => classifiedModern(body, method, nameHeader))) return undefined;

  const requestId = id as string | number;
  if (method === "tools/call") {
    const args = params.arguments as Record<string, unknown> | undefined;
    return { era: "modern", id: requestId, method, name: params.name as string, arguments: args };
  }
  return { era: "modern", id: requestId, method };
}

/**
 * A result as the SDK's 2026-07-28 encoder sends it: `resultType` stamped, the cache fields on cacheable
 * results (tools/list, server/discover; the gateway sets no cache hint, so the SDK's defaults), and the
 * server's identity in `_meta`. Key order follows the SDK's (the result's own keys first).
 */
export function modernResult(
  method: ModernDirectCall["method"],
  result: Record<string, unknown>,
  identity: ServerIdentity,
): Record<string, unknown> {
  const cache = method === "tools/call" ? {} : { ttlMs: 0, cacheScope: "private" };
  return {
    ...result,
    resultType: "complete",
    ...cache,
    _meta: { [SERVER_INFO_META_KEY]: identity.serverInfo },
  };
}

/** The JSON after a tools/list's tools array in a 2026-07-28 answer, up to the end of the result. */
export function modernListResultTail(identity: ServerIdentity): string {
  const tail = JSON.stringify(modernResult("tools/list", {}, identity));
  return `,${tail.slice(1)}`;
}

/** The result of server/discover, from the same identity the SDK path's server is built with. */
export function discoverResult(identity: ServerIdentity): Record<string, unknown> {
  return {
    supportedVersions: [MODERN_PROTOCOL_VERSION],
    capabilities: identity.capabilities,
    instructions: identity.instructions,
  };
}

/** Whether the SDK's classifier routes this request to the 2026-07-28 path (envelope valid, headers agree). */
function classifiedModern(
  body: Record<string, unknown>,
  method: string,
  nameHeader: string | undefined,
): boolean {
  const route = classifyInboundRequest({
    httpMethod: "POST",
    protocolVersionHeader: MODERN_PROTOCOL_VERSION,
    mcpMethodHeader: method,
    ...(nameHeader === undefined ? {} : { mcpNameHeader: nameHeader }),
    body,
  });
  return (
    route.kind === "modern" &&
    route.messageKind === "request" &&
    route.classification.revision === MODERN_PROTOCOL_VERSION
  );
}

// Envelopes (as JSON) the classifier accepted. For a request that passed the checks above, its verdict
// depends on `_meta` alone (the body's shape and the headers are fixed by then), and a client sends the same
// envelope on every request, so its schema validation (the classifier's main cost) runs once per envelope.
const servedEnvelopes = new Set<string>();

function envelopeServed(meta: unknown, classify: () => boolean): boolean {
  const json = JSON.stringify(meta);
  if (json !== undefined && servedEnvelopes.has(json)) return true;
  if (!classify()) return false;
  // Only small envelopes are remembered, and only so many: a flood of odd ones cannot grow the set.
  if (json !== undefined && json.length <= LIMITS.mcpEnvelopeCachedChars) {
    if (servedEnvelopes.size >= LIMITS.mcpEnvelopesCached) servedEnvelopes.clear();
    servedEnvelopes.add(json);
  }
  return true;
}

function hasOnly(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

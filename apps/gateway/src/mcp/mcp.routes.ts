import { isJsonObject, LIMITS, type McpTokenClaims } from "@mcp-gateway/core";
import { createMcpHandler, type McpHttpHandler } from "@modelcontextprotocol/server";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { JsonNestingError } from "../http/json-body.js";
import { sendBuffers } from "../http/send-buffers.js";
import { answerDirectCall, type DirectCall, directCallOf, toolListAnswer } from "./direct-answers.js";
import { checkedClaimsOf, rememberCheckedClaims } from "./edge.js";
import { McpExchange } from "./exchange.js";
import { type McpRequestFacts, mcpRequestRecord } from "./mcp-request-record.js";
import { createMcpServer } from "./mcp-server-factory.js";
import type { McpEndpointOptions, McpSession } from "./mcp-session.js";
import { isOriginAllowed } from "./origin.js";
import { JSON_CONTENT_TYPE, MCP_ROUTE, PRIVATE_HEADERS, type Refusal, refusal } from "./refusals.js";
import { acceptsEventStream, sendSdkResponse, toSdkRequest } from "./web-bridge.js";

export type { McpAccess, McpEndpointOptions, McpSession } from "./mcp-session.js";

/**
 * The MCP endpoint, `/mcp/<token>`: stateless Streamable HTTP for both protocol eras (2025-11-25 with
 * initialize, 2026-07-28 with server/discover and header checks), served by the MCP SDK from a fresh
 * server per request. Register it with `app.register(mcpRoutes, options)` so its hooks stay scoped.
 */
export async function mcpRoutes(app: FastifyInstance, options: McpEndpointOptions): Promise<void> {
  const handler = createMcpHandler((context) => createMcpServer(McpExchange.fromAuthInfo(context.authInfo)), {
    maxRequestBodySize: LIMITS.mcpBodyBytes,
    // Rejections the SDK answers itself (header mismatch, bad version); debug only, they carry no secrets.
    onerror: (error) => app.log.debug({ mcpError: error.message }, "MCP request rejected by the SDK"),
  });
  app.addHook("onClose", async () => handler.close());

  // Callback style: this hook runs on every request, forged floods included, so it allocates no promise.
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(PRIVATE_HEADERS);
    if (!isOriginAllowed(request.headers.origin, options.origins)) {
      return sendRefusal(reply, refusal("origin_forbidden"));
    }
    // Decided before the body is read: a GET or DELETE carries no JSON-RPC message and needs no lookup,
    // and a forged, expired or malformed token is refused on the CPU without reading or parsing a body.
    const legacy = options.legacySse?.route(request);
    if (request.method !== "POST" && legacy === undefined) {
      return sendRefusal(reply, refusal("method_not_allowed"));
    }
    // Requests over a socket usually had their token checked at the edge (edge.ts); inject() and any
    // request the edge left alone are checked here, with the same function.
    const token =
      legacy !== undefined ? legacy.token : tokenFromPath((request.params as { "*"?: string })["*"]);
    const claims =
      token === undefined ? undefined : (checkedClaimsOf(request.raw) ?? options.checkToken(token));
    if (claims === undefined) return sendRefusal(reply, refusal("not_found"));
    rememberCheckedClaims(request.raw, claims);
    done();
  });
  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendRefusal(reply, refusalForError(error, request)),
  );

  app.route({
    method: ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"],
    url: MCP_ROUTE,
    bodyLimit: LIMITS.mcpBodyBytes,
    handler: async (request, reply) => {
      const claims = checkedClaimsOf(request.raw);
      if (claims === undefined) throw new Error("MCP request reached its handler without checked claims");
      if (options.legacySse?.route(request) !== undefined)
        return options.legacySse.serve(request, reply, claims);
      const access = await options.resolveAccess(claims, request.headers.authorization);
      if (!access.ok) {
        const challenge =
          access.reason === "unauthorized" && options.bearerChallenge !== undefined
            ? options.bearerChallenge(
                tokenFromPath((request.params as { "*"?: string })["*"]) ?? "",
                access.tokenRefused === true,
              )
            : undefined;
        sendRefusal(reply, refusal(access.reason), challenge);
        // While storage is unavailable there is nowhere to record it (the metrics count it).
        if (access.reason !== "unavailable") record(options, request, reply, claims, { refusal: access });
        return reply;
      }

      const direct = options.directAnswers ? directCallOf(request.headers, request.body) : undefined;
      if (direct?.method === "tools/list") {
        // Nothing to wait for: the list is in memory, and its answer is written as it is.
        const headers = [...LIST_HEADERS, ...options.finishingHeaders(request)];
        sendBuffers(reply, 200, headers, toolListAnswer(direct, access.session));
        record(options, request, reply, claims, { session: access.session });
        return reply;
      }
      const exchange =
        direct !== undefined
          ? await serveDirect(direct, options, access.session, request, reply)
          : await serveSession(handler, options, access.session, request, reply);
      record(options, request, reply, claims, {
        session: access.session,
        toolCall: exchange.toolCall,
        responseHeaders: exchange.responseHeaders,
      });
      return reply;
    },
  });
}

/** Hands the request log one answered request (after the answer: it never delays or fails it). */
function record(
  options: McpEndpointOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  claims: McpTokenClaims,
  facts: Pick<McpRequestFacts, "session" | "refusal" | "toolCall" | "responseHeaders">,
): void {
  try {
    options.recordMcpRequest(
      mcpRequestRecord({
        claims,
        requestId: request.id,
        headers: request.headers,
        body: request.body,
        // 499 (as nginx logs it): the client hung up before the answer, which was then never sent.
        httpStatus: reply.raw.destroyed && !reply.raw.writableFinished ? 499 : reply.statusCode,
        durationMs: reply.elapsedTime,
        ...facts,
      }),
    );
  } catch (error) {
    request.log.error({ err: error }, "MCP request record failed");
  }
}

/** Hands one request with a resolved session to the SDK and writes its answer back. */
async function serveSession(
  handler: McpHttpHandler,
  options: McpEndpointOptions,
  session: McpSession,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<McpExchange> {
  const clientGone = abortOnDisconnect(reply);
  const exchange = new McpExchange(
    session,
    request.log,
    clientGone,
    options.upstreamBaseUrl(session.integration),
  );
  const response = await handler.fetch(toSdkRequest(request, clientGone), {
    parsedBody: request.body,
    authInfo: exchange.toAuthInfo(),
  });
  await sendSdkResponse(reply, response, {
    mode: jsonRpcMethod(request.body) === "subscriptions/listen" ? "stream" : "hold",
    clientTakesSse: acceptsEventStream(request.headers.accept),
    lateHeaders: () => ({ ...exchange.responseHeaders, ...PRIVATE_HEADERS }),
    clientGone,
  });
  return exchange;
}

// The headers of a tools/list answer, before the app's finishing ones.
const LIST_HEADERS = [...Object.entries(PRIVATE_HEADERS).flat(), "content-type", JSON_CONTENT_TYPE];

// server/discover never waits on anything, so it needs no disconnect signal.
const NEVER_ABORTED = new AbortController().signal;

/** Answers a request directly, without the SDK (see direct-answers.ts). */
async function serveDirect(
  call: Exclude<DirectCall, { method: "tools/list" }>,
  options: McpEndpointOptions,
  session: McpSession,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<McpExchange> {
  const clientGone = call.method === "tools/call" ? abortOnDisconnect(reply) : NEVER_ABORTED;
  const exchange = new McpExchange(
    session,
    request.log,
    clientGone,
    options.upstreamBaseUrl(session.integration),
  );
  const text = await answerDirectCall(call, exchange, request.log);
  if (clientGone.aborted) {
    // The caller hung up while the tool ran: nobody is left to answer (as on the SDK path).
    reply.hijack();
    reply.raw.destroy();
    return exchange;
  }
  reply.code(200).headers(exchange.responseHeaders).header("content-type", JSON_CONTENT_TYPE).send(text);
  return exchange;
}

/** The token in `/mcp/<token>`: one non-empty path segment within the length limit, else undefined. */
export function tokenFromPath(rest: string | undefined): string | undefined {
  if (rest === undefined || rest === "" || rest.includes("/")) return undefined;
  if (rest.length > LIMITS.mcpTokenMaxChars) return undefined; // refused unread, before the resolver
  return rest;
}

function sendRefusal(reply: FastifyReply, answer: Refusal, challenge?: string): FastifyReply {
  reply.code(answer.status).headers(answer.headers);
  if (challenge !== undefined) reply.header("www-authenticate", challenge);
  return reply.send(answer.text);
}

/** Errors raised before the handler (body parsing) keep a JSON-RPC shape; anything else is a bug. */
function refusalForError(error: FastifyError, request: FastifyRequest): Refusal {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return refusal("body_too_large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return refusal("unsupported_media_type");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return refusal("parse_error");
    default:
      break;
  }
  if (error instanceof SyntaxError) return refusal("parse_error");
  if (error instanceof JsonNestingError) return refusal("nested_too_deep");
  request.log.error({ err: error }, "MCP endpoint failed");
  return refusal("internal");
}

function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

function jsonRpcMethod(body: unknown): string | undefined {
  const method = isJsonObject(body) ? body.method : undefined;
  return typeof method === "string" ? method : undefined;
}

import { randomBytes } from "node:crypto";
import { LIMITS, type McpTokenClaims } from "@mcp-gateway/core";
import { acceptLegacySseMessage, isStorageUnavailable, settleLegacySseMessage } from "@mcp-gateway/store";
import { createMcpHandler } from "@modelcontextprotocol/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { Gauge, type Registry } from "prom-client";
import { McpExchange } from "../exchange.js";
import { tokenFromPath } from "../mcp.routes.js";
import { type McpRequestFacts, mcpRequestRecord } from "../mcp-request-record.js";
import { createMcpServer } from "../mcp-server-factory.js";
import type { McpAccess, McpEndpointOptions, McpSession } from "../mcp-session.js";
import { PRIVATE_HEADERS, type RefusalReason, refusal } from "../refusals.js";
import { acceptsEventStream } from "../web-bridge.js";
import { EVENT_STREAM_HEADERS, sseEvent } from "./event-stream.js";
import { LegacySseHub, type StreamEnd } from "./legacy-sse-hub.js";
import { answerOneMessage, isJsonRpcMessage } from "./one-message.js";

/** A request of the legacy transport: the stream's GET on `/mcp/<token>`, or a message POSTed to its endpoint. */
export interface LegacySseRoute {
  readonly kind: "stream" | "message";
  /** The URL token; undefined when the path holds none (404, like any other bad MCP URL). */
  readonly token: string | undefined;
}

/** What the MCP endpoint asks of the legacy HTTP+SSE transport (MCP_LEGACY_SSE). */
export interface LegacySseRoutes {
  /** Whether the request belongs to the legacy transport, and its token; undefined leaves it to Streamable HTTP. */
  route(request: FastifyRequest): LegacySseRoute | undefined;
  /** Serves a request `route` claimed, once its token passed the CPU check. */
  serve(request: FastifyRequest, reply: FastifyReply, claims: McpTokenClaims): Promise<FastifyReply>;
}

export interface LegacySseDeps
  extends Pick<
    McpEndpointOptions,
    "resolveAccess" | "recordMcpRequest" | "upstreamBaseUrl" | "bearerChallenge"
  > {
  readonly redis: Redis;
  /** PUBLIC_URL: its path (if any) prefixes the message endpoint a stream announces. */
  readonly publicUrl: string;
  /** The gateway's metrics registry: the number of streams this instance holds is a gauge there. */
  readonly registry: Registry;
}

const MESSAGES_SUFFIX = "/messages";
// 32 random bytes in base64url: the connection id is unguessable, and bound to the URL that opened it.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05) on the same minted URLs as Streamable HTTP: `GET /mcp/<token>`
 * with `Accept: text/event-stream` opens a stream whose first event names `/mcp/<token>/messages?session_id=…`;
 * JSON-RPC messages POSTed there (to any instance) are answered on the stream (held by one instance).
 * Every GET and every POST passes the same access check as a Streamable HTTP request.
 */
export async function startLegacySse(app: FastifyInstance, deps: LegacySseDeps): Promise<LegacySseRoutes> {
  const hub = new LegacySseHub({ redis: deps.redis, log: app.log, resolveAccess: deps.resolveAccess });
  await hub.start();
  new Gauge({
    name: "mcpg_legacy_sse_streams",
    help: "Legacy HTTP+SSE streams this instance holds open",
    registers: [deps.registry],
    collect() {
      this.set(hub.size);
    },
  });
  const handler = createMcpHandler((context) => createMcpServer(McpExchange.fromAuthInfo(context.authInfo)), {
    maxRequestBodySize: LIMITS.mcpBodyBytes,
    onerror: (error) => app.log.debug({ mcpError: error.message }, "legacy SSE message rejected by the SDK"),
  });
  // Aborts running tool calls only when the gateway stops.
  const stopping = new AbortController();
  const basePath = new URL(deps.publicUrl).pathname.replace(/\/+$/, "");

  // Streams end first: their clients reconnect to another instance. Messages being answered are requests
  // like any other, which the shutdown waits for.
  app.addHook("preClose", async () => hub.endAll());
  app.addHook("onClose", async () => {
    stopping.abort();
    await hub.close();
    await handler.close();
  });

  const record = (request: FastifyRequest, facts: Omit<McpRequestFacts, "requestId" | "headers">): void => {
    try {
      deps.recordMcpRequest(
        mcpRequestRecord({ requestId: request.id, headers: request.headers, transport: "sse", ...facts }),
      );
    } catch (error) {
      request.log.error({ err: error }, "MCP request record failed");
    }
  };

  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    claims: McpTokenClaims,
    reason: RefusalReason,
    detail?: McpAccess & { ok: false },
  ): FastifyReply => {
    const answer = refusal(reason);
    reply.code(answer.status).headers(answer.headers);
    // A URL that requires sign-in names its OAuth metadata, exactly as on Streamable HTTP (RFC 9728 §5.1).
    if (reason === "unauthorized" && deps.bearerChallenge !== undefined) {
      const urlToken = classify(request)?.token ?? "";
      reply.header(
        "www-authenticate",
        deps.bearerChallenge(urlToken, detail?.reason === "unauthorized" && detail.tokenRefused === true),
      );
    }
    reply.send(answer.text);
    if (reason !== "unavailable") {
      record(request, {
        claims,
        body: request.method === "POST" ? request.body : undefined,
        httpStatus: answer.status,
        durationMs: reply.elapsedTime,
        refusal: detail ?? { reason },
      });
    }
    return reply;
  };

  async function serveStream(
    request: FastifyRequest,
    reply: FastifyReply,
    claims: McpTokenClaims,
  ): Promise<FastifyReply> {
    const started = performance.now();
    const authorization = request.headers.authorization;
    const access = await deps.resolveAccess(claims, authorization);
    if (!access.ok) return refuse(request, reply, claims, access.reason, access);
    const connectionId = randomBytes(32).toString("base64url");
    const opened = await hub.open({
      connectionId,
      claims,
      authorization,
      response: reply.raw,
      // A stream no message was posted to is not worth a record: a 2025-era Streamable HTTP client's idle
      // listening GET looks like one, and would otherwise add a record to every session of such a client.
      onEnd: (end, used) => {
        if (used) record(request, streamFacts(claims, access.session, end, performance.now() - started));
      },
    });
    if (!opened.ok) return refuse(request, reply, claims, opened.reason);
    reply.hijack();
    // The client hung up while the stream was being registered: the hub has ended it already.
    if (reply.raw.writableEnded || reply.raw.destroyed) return reply;
    reply.raw.writeHead(200, { ...PRIVATE_HEADERS, ...EVENT_STREAM_HEADERS, "x-request-id": request.id });
    reply.raw.socket?.setNoDelay(true);
    const token = classify(request)?.token ?? "";
    reply.raw.write(
      sseEvent("endpoint", `${basePath}/mcp/${token}${MESSAGES_SUFFIX}?session_id=${connectionId}`),
    );
    return reply;
  }

  async function serveMessage(
    request: FastifyRequest,
    reply: FastifyReply,
    claims: McpTokenClaims,
  ): Promise<FastifyReply> {
    const connectionId = (request.query as { session_id?: unknown }).session_id;
    if (typeof connectionId !== "string" || !SESSION_ID.test(connectionId)) {
      return refuse(request, reply, claims, "session_required");
    }
    const access = await deps.resolveAccess(claims, request.headers.authorization);
    if (!access.ok) return refuse(request, reply, claims, access.reason, access);
    const message = request.body;
    if (!isJsonRpcMessage(message)) return refuse(request, reply, claims, "not_a_message");
    const connection = {
      tenantId: claims.tenantId,
      serverId: claims.serverId,
      tokenId: claims.tokenId,
      connectionId,
    };
    let accepted: Awaited<ReturnType<typeof acceptLegacySseMessage>>;
    try {
      accepted = await acceptLegacySseMessage(deps.redis, connection, LIMITS.legacySseQueuedMessagesMax);
    } catch (error) {
      if (isStorageUnavailable(error)) return refuse(request, reply, claims, "unavailable");
      throw error;
    }
    if (!accepted.ok) {
      return refuse(
        request,
        reply,
        claims,
        accepted.reason === "queue_full" ? "queue_full" : "unknown_session",
      );
    }
    // The answer travels on the stream; the POST is answered 202 once it was handed to the stream's
    // holder. Holding the POST until then bounds the work per connection (the pending cap) and lets a
    // graceful shutdown wait for it like any request.
    let delivered = false;
    let exchange: McpExchange | undefined;
    try {
      // First make sure the holder still listens: when it died, nothing is run and the client is told at once.
      if (await hub.relay(accepted.instanceId, connection, null)) {
        exchange = new McpExchange(
          access.session,
          request.log,
          stopping.signal,
          deps.upstreamBaseUrl(access.session.integration),
        );
        const answer = await answerOneMessage(handler, exchange, message, request.headers);
        delivered = await hub.relay(accepted.instanceId, connection, answer);
      }
    } catch (error) {
      if (!isStorageUnavailable(error)) throw error;
      return refuse(request, reply, claims, "unavailable");
    } finally {
      await settleLegacySseMessage(deps.redis, connection).catch(() => {});
    }
    if (!delivered) return refuse(request, reply, claims, "unknown_session");
    reply.code(202).header("content-type", "text/plain; charset=utf-8").send("Accepted");
    record(request, {
      claims,
      body: message,
      httpStatus: 202,
      durationMs: reply.elapsedTime,
      session: access.session,
      toolCall: exchange?.toolCall,
      responseHeaders: exchange?.responseHeaders,
    });
    return reply;
  }

  return {
    // Recomputed on each call (a few string checks): cheaper than remembering it for every Streamable POST.
    route: classify,
    serve(request, reply, claims) {
      return classify(request)?.kind === "stream"
        ? serveStream(request, reply, claims)
        : serveMessage(request, reply, claims);
    },
  };
}

/**
 * The legacy transport's requests: a GET that asks for an event stream, and a POST to `<token>/messages`.
 * A GET with Mcp-Session-Id belongs to a Streamable HTTP session, which this stateless gateway never
 * issues (405, as before). A GET that names a protocol revision is served too: a legacy client re-opening
 * its stream (EventSource reconnects after a dropped stream) sends the revision it negotiated, exactly as a
 * 2025-era Streamable HTTP client's optional listening GET does, and the two cannot be told apart; the
 * latter ignores the endpoint event and holds an idle stream within the same limits.
 */
function classify(request: FastifyRequest): LegacySseRoute | undefined {
  const rest = (request.params as { "*"?: string })["*"];
  if (request.method === "POST") {
    if (rest === undefined || !rest.endsWith(MESSAGES_SUFFIX)) return undefined;
    return { kind: "message", token: tokenFromPath(rest.slice(0, -MESSAGES_SUFFIX.length)) };
  }
  if (request.method !== "GET" || !acceptsLegacyStream(request.headers.accept)) return undefined;
  if (request.headers["mcp-session-id"] !== undefined) return undefined;
  return { kind: "stream", token: tokenFromPath(rest) };
}

// A legacy client asks for text/event-stream, or sends the any-type range alone (fetch's and curl's default:
// the v1 SDK's SSE client loses its Accept header when given a custom fetch, as supergateway does). A
// browser's page navigation (text/html first) and a JSON-only Accept are not legacy clients.
export function acceptsLegacyStream(accept: string | undefined): boolean {
  if (acceptsEventStream(accept)) return true;
  const ranges = (accept ?? "*/*").split(",").map((range) => range.split(";")[0]?.trim());
  return ranges.length === 1 && ranges[0] === "*/*";
}

/** The request log's record of a stream, written when it ends: its lifetime, and why it was ended. */
function streamFacts(
  claims: McpTokenClaims,
  session: McpSession,
  end: StreamEnd,
  durationMs: number,
): Omit<McpRequestFacts, "requestId" | "headers"> {
  return {
    claims,
    body: undefined,
    httpStatus: 200,
    durationMs,
    session,
    ...(typeof end === "object" ? { refusal: end.refused } : {}),
  };
}

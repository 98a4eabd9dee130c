import { LIMITS, OAUTH_LIMITS } from "@mcp-gateway/core";
import { isStorageUnavailable } from "@mcp-gateway/store";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { type FormBody, installFormParser } from "../console/forms.js";
import { html } from "../console/html.js";
import { layout, message } from "../console/layout.js";
import { consentPath } from "../console/oauth-consent.pages.js";
import { CONSOLE_HEADERS, sendPage } from "../console/security.js";
import { logStorageUnavailable } from "../http/error-envelope.js";
import { tokenFromPath } from "../mcp/mcp.routes.js";
import { checkMcpToken, resolveCheckedMcpToken } from "../services/resolve-mcp-token.js";
import type { ServiceContext } from "../services/service-context.js";
import type { MetadataDocumentFetcher } from "./metadata-document-fetch.js";
import { type AuthorizeQuery, startAuthorization } from "./oauth-authorize.js";
import { registerClient } from "./oauth-clients.js";
import { authorizationServerMetadata, protectedResourceMetadata } from "./oauth-metadata.js";
import { revocationEndpoint, type TokenAnswer, tokenEndpoint } from "./oauth-tokens.js";

export interface OAuthRoutesOptions {
  ctx: ServiceContext;
  fetcher: MetadataDocumentFetcher;
}

// Browser-based MCP clients (the Inspector's web UI) read metadata and call /token cross-origin; nothing here
// uses cookies, so any origin may, without credentials.
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, mcp-protocol-version",
  "access-control-max-age": "600",
} as const;

const PRIVATE = { "cache-control": "no-store", "referrer-policy": "no-referrer" } as const;

/**
 * The OAuth 2.1 authorization server for MCP clients (docs/oauth.md): RFC 8414 and RFC 9728 metadata,
 * /authorize (which hands over to the console's consent page), /token, /register (RFC 7591) and /revoke
 * (RFC 7009). Errors follow RFC 6749 §5.2, not the admin API's envelope, since OAuth clients parse them.
 */
export async function oauthRoutes(app: FastifyInstance, { ctx, fetcher }: OAuthRoutesOptions): Promise<void> {
  installFormParser(app);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isStorageUnavailable(error)) {
      logStorageUnavailable(request, error);
      return reply
        .code(503)
        .headers({ ...CORS, ...PRIVATE, "retry-after": String(LIMITS.storageRetryAfterSeconds) })
        .send({
          error: "temporarily_unavailable",
          error_description: "the gateway's storage is unavailable; retry shortly",
        });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, "OAuth endpoint failed");
    return reply
      .code(status >= 500 ? 500 : status)
      .headers({ ...CORS, ...PRIVATE })
      .send(
        status >= 500
          ? { error: "server_error", error_description: "internal error; quote the x-request-id header" }
          : {
              error: "invalid_request",
              error_description: "the request body could not be read: send a form (or JSON for /register)",
            },
      );
  });
  const hidden = { hide: true } as const;

  for (const path of [
    "/.well-known/oauth-authorization-server",
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-protected-resource/*",
    "/token",
    "/register",
    "/revoke",
  ]) {
    app.options(path, { schema: hidden }, async (_request, reply) => reply.code(204).headers(CORS).send());
  }

  app.get("/.well-known/oauth-authorization-server", { schema: hidden }, async (_request, reply) =>
    reply.headers(CORS).header("cache-control", "max-age=300").send(authorizationServerMetadata(ctx)),
  );

  // No resource at the root: no single document describes every URL. Authless URLs answer 404 too, so a
  // client probing them finds no sign-in to do and simply connects.
  app.get("/.well-known/oauth-protected-resource", { schema: hidden }, async (_request, reply) =>
    notFound(reply),
  );

  app.get<{ Params: { "*": string } }>(
    "/.well-known/oauth-protected-resource/*",
    { schema: hidden },
    async (request, reply) => {
      const rest = request.params["*"];
      const token = rest.startsWith("mcp/") ? tokenFromPath(rest.slice("mcp/".length)) : undefined;
      if (token === undefined) return notFound(reply);
      const now = ctx.clock.now();
      const checked = checkMcpToken(ctx, token, now);
      if (!checked.ok) return notFound(reply);
      const resolved = await resolveCheckedMcpToken(ctx, checked.claims, now);
      if (!resolved.ok || !resolved.requireApiTokenAuth) return notFound(reply);
      return reply
        .headers({ ...CORS, ...PRIVATE })
        .send(protectedResourceMetadata(ctx, token, resolved.server.name));
    },
  );

  app.get<{ Querystring: AuthorizeQuery }>("/authorize", { schema: hidden }, async (request, reply) => {
    reply.headers({ ...CONSOLE_HEADERS, ...PRIVATE });
    const outcome = await startAuthorization(ctx, fetcher, request.query, request.ip);
    switch (outcome.kind) {
      case "error_page": {
        const body = html`<h1>This sign-in request cannot be used</h1>
          ${message("error", outcome.message)}
          <p>Nothing was sent back to the application. Ask its maker, or connect again from the application.</p>`;
        return sendPage(reply, layout({ title: "Request refused", body }), 400);
      }
      case "redirect":
        return reply.code(302).header("location", outcome.location).send();
      case "consent":
        return reply.code(302).header("location", consentPath(outcome.requestId)).send();
      default: {
        const unhandled: never = outcome;
        throw new Error(`unhandled authorize outcome ${JSON.stringify(unhandled)}`);
      }
    }
  });

  app.post<{ Body: FormBody }>("/token", { schema: hidden }, async (request, reply) =>
    sendAnswer(
      reply,
      await tokenEndpoint(ctx, fetcher, formOf(request.body), request.headers.authorization, request.ip),
    ),
  );

  app.post<{ Body: FormBody }>("/revoke", { schema: hidden }, async (request, reply) =>
    sendAnswer(
      reply,
      await revocationEndpoint(ctx, fetcher, formOf(request.body), request.headers.authorization, request.ip),
    ),
  );

  app.post(
    "/register",
    { schema: hidden, bodyLimit: OAUTH_LIMITS.registrationBodyBytes },
    async (request, reply) => {
      const result = await registerClient(ctx, request.body, request.ip);
      return reply
        .code(result.status)
        .headers({ ...CORS, ...PRIVATE })
        .send(result.body);
    },
  );
}

function formOf(body: unknown): FormBody {
  return typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    Object.values(body).every(Array.isArray)
    ? (body as FormBody)
    : {};
}

function sendAnswer(reply: FastifyReply, answer: TokenAnswer): FastifyReply {
  return reply
    .code(answer.status)
    .headers({ ...CORS, ...PRIVATE, ...answer.headers })
    .send(answer.body);
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .headers({ ...CORS, ...PRIVATE })
    .send({ error: "not_found", error_description: "no OAuth-protected resource at this URL" });
}
